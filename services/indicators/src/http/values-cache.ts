/**
 * Answers of GET /values kept serialized, so a repeated read of the same figures costs a lookup
 * and a socket write instead of decoding every period's read-model document, deciding access per
 * value and serializing hundreds of values again (a Berlin indicator: 555 values per period,
 * about 175 kB of JSON).
 *
 * An answer is reused only while everything it was made from is unchanged:
 *
 * - The read model of the tenant's indicator: every computation appends its
 *   IndicatorValuesComputed events to the stream `indicator-values-<tenant>-<indicator>` before it
 *   writes the documents (computation.ts), so the stream's version is the read model's version,
 *   in every process that shares the event store (two replicas in infra/k8s). Each request probes
 *   for an event after the version an answer was made at (one indexed range lookup that finds
 *   nothing); any new event drops the answers of that tenant and indicator.
 * - The window between the append and the document writes: an answer made there would pair the
 *   new version with old documents. It is kept only when the documents it read already carry the
 *   newest event's computation for the period of that event's last value: a run writes its
 *   documents period by period after all its events, so that period's document is among the
 *   last written. Otherwise it is served once, not kept. Only the newest computation is checked:
 *   of two computations of one indicator in flight at once (two schemes, whose recomputes are
 *   serialised per scheme only, or two replicas) the older one's documents may still be due when
 *   the newer's are written; an answer kept then stays until the indicator's next computation.
 * - Who asks: the caller's access class, everything `decideAccess` reads besides the figure (own
 *   tenant and its register version, roles, member list, the Kreis of both tenants, and the
 *   owner's releases in effect now, so a grant, a withdrawal or an embargo that passes changes
 *   the key). Callers of one class get the same answer; the subject is not part of it.
 * - Deliveries' data sets (for releases scoped to a data set) never change for a delivery id.
 *
 * A kept answer is also compressed (gzip, once, when first asked for): the 176 kB of a Berlin
 * indicator are 23 kB on the wire for every client that accepts it (browsers, fetch, Grafana).
 *
 * Without an event store (tests that build the API over documents alone) nothing is kept.
 * Memory is bounded by entries and bytes; the least recently used answers go first.
 */
import { gzipSync } from 'node:zlib';
import { activeReleases, type EventStore, type Principal, type StoredEvent, type TenancyView } from '@lagebild/platform';
import { valuesStream, type ValuesDoc } from '../computation';

export { valuesStream };

/**
 * What the newest event of a values stream computed, as far as the read model shows it: the
 * document of the period of its last value carries its computation once the run is written.
 * `null` when the event does not say (no values): then nothing made at its version is kept.
 */
export interface NewestComputation {
  computationId: string;
  formulaVersion: number;
  schemeId: string;
  schemeVersion: number;
  crosswalkFromVersion: number | null;
  period: { kind: string; start: string; end: string };
}

/** Where the values stream of one tenant's indicator stands. */
export interface StreamMark {
  version: number;
  /** Undefined for an empty stream (documents written without a computation: nothing to wait for). */
  newest: NewestComputation | null | undefined;
}

export interface ValuesCacheOptions {
  /** Most answers kept. @default 256 */
  maxEntries?: number;
  /** Most bytes of serialized answers kept. @default 64 MiB */
  maxBytes?: number;
  /** Larger answers are served, not kept. @default 8 MiB */
  maxEntryBytes?: number;
}

/** A serialized answer; `gzip` for kept answers only (compressing one served once would cost more than it saves). */
export interface ValuesAnswer {
  body: Buffer;
  gzip?: () => Buffer;
}

export interface ValuesCache {
  /**
   * The serialized answer for `key`: a kept one made at the stream's current version, else
   * `build()` serialized (and kept when safe, see the file header). Concurrent misses of one key
   * share one build; a build's problem (403, 404) is thrown to each of them and not kept.
   */
  answer(tenant: string, indicatorId: string, key: string, build: () => Promise<{ body: unknown; docs: readonly ValuesDoc[] }>): Promise<ValuesAnswer>;
  /** Kept answers and their bytes (for tests and diagnostics). */
  stats(): { entries: number; bytes: number };
}

interface Entry {
  key: string;
  version: number;
  body: Buffer;
  gzipped?: Buffer;
}

/** The access class of a caller for figures of `owner` at `now` (see the file header). */
export function accessClass(view: TenancyView, principal: Principal, owner: string, now: Date): string {
  const own = view.tenant(principal.tenant);
  return JSON.stringify([
    principal.tenant,
    [...principal.roles].sort(),
    [...(principal.memberOf ?? [])].sort(),
    own ? own.version : null,
    view.kreisOf(principal.tenant) ?? null,
    view.kreisOf(owner) ?? null,
    activeReleases(view, owner, now).map((r) => r.releaseId),
  ]);
}

interface ComputedData {
  computationId?: string;
  formulaVersion?: number;
  schemeId?: string;
  schemeVersion?: number;
  crosswalkFromVersion?: number | null;
  values?: ReadonlyArray<{ period?: { kind: string; start: string; end: string } }>;
}

/** The part of an IndicatorValuesComputed event the cache compares with the documents. */
export function newestComputation(event: StoredEvent): NewestComputation | null {
  const data = event.data as ComputedData;
  const period = data.values?.[data.values.length - 1]?.period;
  if (!data.computationId || data.formulaVersion === undefined || !data.schemeId || data.schemeVersion === undefined || !period) return null;
  return {
    computationId: data.computationId,
    formulaVersion: data.formulaVersion,
    schemeId: data.schemeId,
    schemeVersion: data.schemeVersion,
    crosswalkFromVersion: data.crosswalkFromVersion ?? null,
    period: { kind: period.kind, start: period.start, end: period.end },
  };
}

/** Whether `docs` (every document of the tenant's indicator) already hold the newest computation (see NewestComputation). */
export function documentsCaughtUp(docs: readonly ValuesDoc[], newest: NewestComputation | null | undefined): boolean {
  if (newest === undefined) return true;
  if (newest === null) return false;
  return docs.some(
    (d) =>
      d.computationId === newest.computationId &&
      d.formulaVersion === newest.formulaVersion &&
      d.schemeId === newest.schemeId &&
      d.schemeVersion === newest.schemeVersion &&
      d.crosswalkFromVersion === newest.crosswalkFromVersion &&
      d.period.kind === newest.period.kind &&
      d.period.start === newest.period.start &&
      d.period.end === newest.period.end,
  );
}

export function createValuesCache(eventStore: EventStore, options: ValuesCacheOptions = {}): ValuesCache {
  const maxEntries = options.maxEntries ?? 256;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const maxEntryBytes = options.maxEntryBytes ?? 8 * 1024 * 1024;
  const marks = new Map<string, StreamMark>();
  const entries = new Map<string, Entry>();
  const building = new Map<string, Promise<ValuesAnswer>>();
  let bytes = 0;

  const eventAt = async (stream: string, version: number): Promise<StoredEvent | undefined> => (await eventStore.readStream(stream, { fromVersion: version, maxCount: 1 }))[0];

  /**
   * The stream's current version, from the last one seen: one probe when nothing was appended,
   * else a galloping search (each probe reads one event; a stream's events are large batches).
   */
  const current = async (stream: string): Promise<StreamMark> => {
    const known = marks.get(stream) ?? { version: 0, newest: undefined };
    let next = await eventAt(stream, known.version + 1);
    if (!next) return known;
    let found: StoredEvent = next;
    let step = 1;
    for (;;) {
      next = await eventAt(stream, found.version + step);
      if (!next) break;
      found = next;
      step *= 2;
    }
    // The last event lies in (found.version, found.version + step): halve the gap.
    let high = found.version + step;
    while (high - found.version > 1) {
      const middle = Math.floor((found.version + high) / 2);
      const event = await eventAt(stream, middle);
      if (event) found = event;
      else high = middle;
    }
    const mark: StreamMark = { version: found.version, newest: newestComputation(found) };
    marks.set(stream, mark);
    if (marks.size > maxEntries * 4) marks.delete(marks.keys().next().value!);
    return mark;
  };

  const size = (entry: Entry): number => entry.body.length + (entry.gzipped?.length ?? 0);

  const forget = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= size(entry);
  };

  const trim = (): void => {
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      forget(oldest);
    }
  };

  const served = (entry: Entry): ValuesAnswer => ({
    body: entry.body,
    gzip: () => {
      if (!entry.gzipped) {
        entry.gzipped = gzipSync(entry.body);
        if (entries.get(entry.key) === entry) {
          bytes += entry.gzipped.length;
          trim();
        }
      }
      return entry.gzipped;
    },
  });

  return {
    async answer(tenant, indicatorId, key, build) {
      const stream = valuesStream(tenant, indicatorId);
      const mark = await current(stream);
      const entry = entries.get(key);
      if (entry && entry.version === mark.version) {
        // Most recently used last: the map's order is the eviction order.
        entries.delete(key);
        entries.set(key, entry);
        return served(entry);
      }
      if (entry) forget(key);
      const flightKey = `${mark.version}\u0000${key}`;
      const running = building.get(flightKey);
      if (running) return running;
      const made = (async (): Promise<ValuesAnswer> => {
        const { body, docs } = await build();
        const made: Entry = { key, version: mark.version, body: Buffer.from(JSON.stringify(body)) };
        // Kept only if no computation appended meanwhile and the documents read are the ones of the newest event.
        const after = await current(stream);
        if (made.body.length > maxEntryBytes || after.version !== mark.version || !documentsCaughtUp(docs, mark.newest)) return { body: made.body };
        forget(key);
        entries.set(key, made);
        bytes += size(made);
        trim();
        return served(made);
      })();
      building.set(flightKey, made);
      try {
        return await made;
      } finally {
        building.delete(flightKey);
      }
    },
    stats: () => ({ entries: entries.size, bytes }),
  };
}
