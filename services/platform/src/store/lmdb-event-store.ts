import { LmdbClosedError, openLmdbEnvironment, type LmdbEnvironment } from '../lmdb/environment';
import type { AppendResult, EventStore, ExpectedVersion, NewEvent, ReadAllOptions, ReadStreamOptions, StoredEvent } from '../ports/event-store';
import { satisfiesExpectedVersion, WrongExpectedVersionError } from './errors';
import { decodeEvent, encodeEvent, stampEvent } from './event-codec';
import { normalizeReadAllOptions, normalizeReadStreamOptions, validateAppend } from './validation';

export interface LmdbEventStoreOptions {
  /** Data dir of the LMDB environment (shared with the other embedded adapters). */
  path: string;
  /** Clock for `recordedAt`. Default: the system clock. */
  now?: () => Date;
}

/*
 * Layout (two sub-databases of the shared environment):
 *
 * - `store.events`: global position -> event, one entry per event, laid out by event-codec.ts.
 *   Positions are assigned in commit order inside the write transaction, so every reader
 *   snapshot sees a gap-free prefix and `readAll` and the outbox relay never skip an event.
 * - `store.ranges`: [stream, first version of an append] -> [first position, count]. An append
 *   writes one stream's events at consecutive positions in one transaction, so one entry per
 *   append indexes the stream; a per-event index would double the writes of bulk appends. The
 *   last range of a stream is its head version.
 */
type RangeValue = [firstPosition: number, count: number];
type RangeKey = [stream: string, firstVersion: number];

const EVENTS_DB = 'store.events';
const RANGES_DB = 'store.ranges';
const MAX_VERSION = Number.MAX_SAFE_INTEGER;

type AppendOutcome = { ok: true; version: number; position: number } | { ok: false; actual: number };

export function createLmdbEventStore(options: LmdbEventStoreOptions): EventStore {
  const now = options.now ?? (() => new Date());
  const env: LmdbEnvironment = openLmdbEnvironment(options.path);
  const eventsDb = env.database<Buffer, number>(EVENTS_DB, { binary: true });
  const rangesDb = env.database<RangeValue, RangeKey>(RANGES_DB);
  // lmdb-js accepts put flags as an options object, its typings only know it for putSync.
  const putEvent = eventsDb.put.bind(eventsDb) as unknown as (position: number, bytes: Buffer, flags: { append: boolean }) => Promise<boolean>;
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new LmdbClosedError(env.path);
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    const forget = () => pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Current version of a stream (0 when absent), read in the caller's transaction or snapshot. */
  function headVersion(stream: string): number {
    for (const { key, value } of rangesDb.getRange({ start: [stream, MAX_VERSION], end: [stream], reverse: true, limit: 1 })) {
      return key[1] + value[1] - 1;
    }
    return 0;
  }

  function lastPositionSync(): number {
    for (const key of eventsDb.getKeys({ reverse: true, limit: 1 })) return key;
    return 0;
  }

  async function appendToStream(
    stream: string,
    events: readonly NewEvent[],
    appendOptions?: { expectedVersion?: ExpectedVersion },
  ): Promise<AppendResult> {
    ensureOpen();
    const expected = appendOptions?.expectedVersion ?? 'any';
    validateAppend(stream, events, expected);
    const encoded = events.map((event) => encodeEvent(stream, event));

    // A child transaction: it joins the batched commit of everything queued in this event turn
    // (many concurrent appends, one disk flush), yet if anything in it throws, only this append
    // is rolled back. The version check runs inside the write transaction, which LMDB
    // serialises across processes, so two processes can never both pass it.
    const outcome = await track(
      eventsDb.childTransaction((): AppendOutcome => {
        const current = headVersion(stream);
        if (!satisfiesExpectedVersion(expected, current)) return { ok: false, actual: current };
        const last = lastPositionSync();
        if (events.length === 0) return { ok: true, version: current, position: last };
        // Taken inside the transaction, so recordedAt never decreases along the positions.
        const recordedAt = now().getTime();
        if (!Number.isFinite(recordedAt)) throw new RangeError('Die Uhr des Ereignisspeichers liefert kein gültiges Datum.');
        rangesDb.put([stream, current + 1], [last + 1, events.length]);
        for (let i = 0; i < encoded.length; i += 1) {
          const bytes = encoded[i]!;
          stampEvent(bytes, current + 1 + i, recordedAt);
          // Positions only grow, so each one is the largest key: MDB_APPEND skips the tree search.
          putEvent(last + 1 + i, bytes, { append: true });
        }
        return { ok: true, version: current + events.length, position: last + events.length };
      }) as Promise<AppendOutcome>,
    );
    if (!outcome.ok) throw new WrongExpectedVersionError(stream, expected, outcome.actual);
    // The commit is visible now; the append is acknowledged only once it is also on disk.
    await env.flushed();
    return { nextExpectedVersion: outcome.version, lastPosition: outcome.position };
  }

  async function readStream(stream: string, readOptions?: ReadStreamOptions): Promise<StoredEvent[]> {
    ensureOpen();
    const { fromVersion, maxCount } = normalizeReadStreamOptions(readOptions);
    const result: StoredEvent[] = [];
    if (maxCount === 0) return result;
    // All reads of this synchronous block share one snapshot, so the ranges and the events
    // they point to are consistent with each other.
    let startKey: RangeKey = [stream, fromVersion];
    for (const { key } of rangesDb.getRange({ start: [stream, fromVersion], end: [stream], reverse: true, limit: 1 })) {
      startKey = key;
    }
    for (const { key, value } of rangesDb.getRange({ start: startKey, end: [stream, MAX_VERSION] })) {
      const [firstPosition, count] = value;
      const skip = Math.max(0, fromVersion - key[1]);
      if (skip >= count) continue;
      const take = Math.min(count - skip, maxCount - result.length);
      for (const entry of eventsDb.getRange({ start: firstPosition + skip, end: firstPosition + skip + take })) {
        result.push(decodeEvent(entry.key, entry.value));
      }
      if (result.length >= maxCount) break;
    }
    return result;
  }

  async function readAll(readOptions?: ReadAllOptions): Promise<StoredEvent[]> {
    ensureOpen();
    const { after, maxCount } = normalizeReadAllOptions(readOptions);
    const result: StoredEvent[] = [];
    if (maxCount === 0) return result;
    const range = Number.isFinite(maxCount) ? { start: after + 1, limit: maxCount } : { start: after + 1 };
    for (const { key, value } of eventsDb.getRange(range)) result.push(decodeEvent(key, value));
    return result;
  }

  return {
    appendToStream,
    readStream,
    readAll,
    async lastPosition() {
      ensureOpen();
      return lastPositionSync();
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...pending]);
      await env.release();
    },
  };
}

/** For tests and tools that inspect the raw layout; open the events with `{ binary: true }` (event-codec.ts). */
export const lmdbEventStoreLayout = { eventsDb: EVENTS_DB, rangesDb: RANGES_DB } as const;
