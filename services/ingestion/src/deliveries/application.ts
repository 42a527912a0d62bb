/**
 * Deliveries, application layer: receive a file, check it in one streaming pass, and record it
 * all or nothing.
 *
 * Ordering and atomicity (the decision the brief asks for):
 * 1. Nothing is appended before the whole file has been checked: the checking pass spools the
 *    observations compactly (spool.ts), so a delivery with any error records nothing but
 *    DeliveryReceived and DeliveryRejected.
 * 2. A clean delivery is appended as DeliveryValidated, its ObservationsRecorded batches and
 *    DeliveryAccepted, in appends of at most `appendObservations` observations (250,000 by
 *    default). A delivery up to that size, which is every real delivery we know (Berlin: 11,000
 *    per half-year; INKAR for all Gemeinden: 264,000), is ONE append: its batches and its
 *    acceptance become visible together, so no consumer can ever see batches without the
 *    acceptance. Bigger deliveries (the benchmark's millions) are appended in consecutive chunks
 *    so that memory stays flat; DeliveryAccepted is in the last one. For them, consumers must
 *    (and our own observation read model does) count a delivery's observations only once its
 *    DeliveryAccepted has arrived: the contract says so in DeliveryAccepted's doc. If the
 *    process dies between chunks, the delivery stays "wird_erfasst" and is resumed at the next
 *    start from the kept upload (event ids are derived from delivery id and stream version, and
 *    the appends carry the expected version, so a resumed append can neither duplicate nor skip).
 * 3. The same content (same tenant, profile version, overrides and SHA-256) yields the same
 *    delivery id: delivering it again returns the existing delivery and appends nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  derivedUuid,
  FatalParseError,
  formatBytes,
  isWrongExpectedVersionError,
  readTable,
  type DocumentStore,
  type Encoding,
  type EventStore,
  type Logger,
  type NewEvent,
  type ProgressListener,
} from '@lagebild/platform';
import type { AreaRegister } from '../areas/register';
import type { Dataset } from '../datasets/schema';
import type { Catalog } from '../profiles/catalog';
import type { DeliveryProfile } from '../profiles/schema';
import { DeliveryCheck, type CheckResult } from './check';
import { decideDelivery, type DeliveryCommand } from './decide';
import { finding, type DeliveryFinding } from './errors';
import {
  deliveryStream,
  evolveDelivery,
  initialDeliveryState,
  type DeliveryAcceptedData,
  type DeliveryEvent,
  type DeliveryReceivedData,
  type DeliveryState,
  type DeliveryTally,
  type Observation,
  type ObservationsRecordedData,
} from './model';
import { periodsOverlap } from './periods';
import { DELIVERIES_COLLECTION, REPORTS_COLLECTION, type DeliveryReportView, type DeliveryView } from './projections';
import type { IngestionProjector } from './projector';
import { loadSchemeContext, type OwnerPredicate } from './scheme-context';
import { Spool, STATUS_CODES } from './spool';

export interface DeliveryLimits {
  /** Largest CSV file. @default 512 MiB */
  csvBytes: number;
  /** Largest XLSX/XLS/JSON file: these are read whole. @default 64 MiB */
  wholeFileBytes: number;
  /** Observations per ObservationsRecorded batch. @default 5000 */
  batchSize: number;
  /** Observations per append (see the header comment). @default 250000 */
  appendObservations: number;
  /** Findings stored in full per delivery (all are counted). @default 1000 */
  findingLimit: number;
}

export const DEFAULT_LIMITS: DeliveryLimits = {
  csvBytes: 512 * 1024 * 1024,
  wholeFileBytes: 64 * 1024 * 1024,
  batchSize: 5000,
  appendObservations: 250_000,
  findingLimit: 1000,
};

/** Who may deliver for which areas, kept with the delivery so that a resumed check applies the same rights. */
export interface DeliveryAccess {
  /** AGS the deliverer may deliver for (own tenant, and a Kreis principal's members). */
  owners: string[];
  /** AGS prefixes (a Kreis key covers its Gemeinden): granted to local operators (CLI), never through HTTP. */
  prefixes: string[];
}

export function ownerPredicate(access: DeliveryAccess): OwnerPredicate {
  const owners = new Set(access.owners);
  return (owner) => owners.has(owner) || access.prefixes.some((prefix) => owner.startsWith(prefix));
}

export interface StoredFile {
  path: string;
  bytes: number;
  sha256: string;
  fileName: string;
  /** The service owns the file (an upload) and removes it once the delivery is decided. */
  owned: boolean;
}

export interface SubmitInput {
  file: StoredFile;
  profileId: string;
  tenant: string;
  period?: string;
  encoding?: Encoding;
  actor: string;
  access: DeliveryAccess;
  onProgress?: ProgressListener;
}

export interface SubmitResult {
  deliveryId: string;
  duplicate: boolean;
  /** Resolves when the delivery is decided (accepted or rejected). */
  decided: Promise<void>;
}

/** A refusal before any delivery exists (unknown profile, file too large): carries a German finding. */
export class DeliveryRefusedError extends Error {
  constructor(
    readonly status: 404 | 413 | 403 | 422,
    readonly finding: DeliveryFinding,
  ) {
    super(finding.message);
    this.name = 'DeliveryRefusedError';
  }
}

export interface DeliveryServiceDeps {
  eventStore: EventStore;
  documents: DocumentStore;
  register: AreaRegister;
  catalog: Catalog;
  projector: IngestionProjector;
  /** Uploads kept until decided, and spool overflow files. */
  workDir: string;
  limits?: Partial<DeliveryLimits>;
  logger?: Logger;
  now?: () => Date;
}

export interface DeliveryService {
  readonly limits: DeliveryLimits;
  /** The largest file a profile takes: its format's limit, or the profile's own if smaller. */
  limitFor(profile: DeliveryProfile): number;
  /** Streams an upload to the work directory, hashing it; refuses beyond `maxBytes` (413). */
  receiveUpload(stream: Readable, fileName: string, maxBytes?: number): Promise<StoredFile>;
  /** A local file (CLI): hashed in place, not copied. */
  localFile(path: string, fileName?: string): Promise<StoredFile>;
  submit(input: SubmitInput): Promise<SubmitResult>;
  getDelivery(deliveryId: string): Promise<DeliveryView | undefined>;
  getReport(deliveryId: string): Promise<DeliveryReportView | undefined>;
  listDeliveries(filter: { tenants: readonly string[] }): Promise<DeliveryView[]>;
  /** Waits for the delivery's processing in this process, if any. */
  settled(deliveryId: string): Promise<void>;
  /** Resumes deliveries left undecided or half-recorded by a previous process. */
  recover(): Promise<number>;
  /** Waits for the queue to drain. */
  idle(): Promise<void>;
}

function safeExtension(fileName: string): string {
  return extname(fileName).toLowerCase().replace(/[^.a-z0-9]/g, '').slice(0, 10);
}

function limitOf(profile: DeliveryProfile, limits: DeliveryLimits): number {
  const base = profile.format.type === 'csv' ? limits.csvBytes : limits.wholeFileBytes;
  return profile.maxFileBytes === undefined ? base : Math.min(base, profile.maxFileBytes);
}

export function createDeliveryService(deps: DeliveryServiceDeps): DeliveryService {
  const { eventStore, documents, catalog, register, projector } = deps;
  const limits: DeliveryLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => new Date());
  const uploads = join(deps.workDir, 'uploads');
  const spoolDir = join(deps.workDir, 'spool');
  const active = new Map<string, Promise<void>>();
  let queue: Promise<unknown> = Promise.resolve();
  let prepared: Promise<void> | undefined;

  function prepare(): Promise<void> {
    prepared ??= Promise.all([mkdir(uploads, { recursive: true }), mkdir(spoolDir, { recursive: true })]).then(() => undefined);
    return prepared;
  }

  async function receiveUpload(stream: Readable, fileName: string, maxBytes = limits.csvBytes): Promise<StoredFile> {
    await prepare();
    const path = join(uploads, `upload-${randomUUID()}${safeExtension(fileName)}`);
    const hash = createHash('sha256');
    let bytes = 0;
    const tooLarge = () => new DeliveryRefusedError(413, finding('FILE_TOO_LARGE', { file: fileName, limit: maxBytes, expected: `höchstens ${formatBytes(maxBytes)}` }));
    // Counts and hashes on the way to disk; beyond the limit it fails the pipeline at once, so
    // an oversized upload costs at most `maxBytes` of disk.
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          callback(tooLarge());
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    const out = createWriteStream(path, { mode: 0o600 });
    try {
      await pipeline(stream, meter, out);
    } catch (error) {
      // A refusal on the first bytes can come before the file is even open; the stream opens and
      // closes it afterwards, so it is removed only once closed (else it would stay behind).
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(path, { force: true });
      // Let the rest of the request body drain, so the client gets the 413 instead of a reset.
      stream.resume();
      throw error;
    }
    if ((stream as Readable & { truncated?: boolean }).truncated) {
      await rm(path, { force: true });
      throw tooLarge();
    }
    return { path, bytes, sha256: hash.digest('hex'), fileName, owned: true };
  }

  async function localFile(path: string, fileName = path.split(/[\\/]/).pop() ?? path): Promise<StoredFile> {
    const info = await stat(path);
    const hash = createHash('sha256');
    if (info.size <= limits.csvBytes) {
      for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
    }
    return { path, bytes: info.size, sha256: hash.digest('hex'), fileName, owned: false };
  }

  async function readState(deliveryId: string): Promise<{ state: DeliveryState; version: number; lastEventId: string | undefined }> {
    let state = initialDeliveryState();
    let version = 0;
    let lastEventId: string | undefined;
    let fromVersion = 1;
    for (;;) {
      const events = await eventStore.readStream(deliveryStream(deliveryId), { fromVersion, maxCount: 50 });
      for (const event of events) {
        state = evolveDelivery(state, { type: event.type, data: event.data } as DeliveryEvent);
        version = event.version;
        lastEventId = event.id;
      }
      if (events.length < 50) return { state, version, lastEventId };
      fromVersion = version + 1;
    }
  }

  /** Whether a delivery is decided, from its last event only (its batches need not be read). */
  async function readStateHead(deliveryId: string): Promise<{ state: DeliveryState }> {
    const first = await eventStore.readStream(deliveryStream(deliveryId), { maxCount: 2 });
    let state = initialDeliveryState();
    for (const event of first) state = evolveDelivery(state, { type: event.type, data: event.data } as DeliveryEvent);
    if (state.status === 'recording') {
      // Accepted deliveries end with DeliveryAccepted after batchCount batches: one read at the known version.
      const last = await eventStore.readStream(deliveryStream(deliveryId), { fromVersion: 3 + state.validated!.batchCount, maxCount: 1 });
      if (last[0]?.type === 'DeliveryAccepted') state = { ...state, status: 'accepted' };
    }
    return { state };
  }

  interface Cursor {
    state: DeliveryState;
    version: number;
    lastEventId: string | undefined;
  }

  /**
   * Decides the commands in order on the evolving state and appends all their events in ONE
   * append at the cursor's version. Event ids derive from delivery id and stream version, so a
   * repeated append after a crash carries the same ids.
   */
  async function append(deliveryId: string, received: Pick<DeliveryReceivedData, 'tenant' | 'deliveredBy'>, commands: readonly DeliveryCommand[], cursor: Cursor): Promise<Cursor> {
    let state = cursor.state;
    const events: DeliveryEvent[] = [];
    for (const command of commands) {
      const decided = decideDelivery(command, state);
      for (const event of decided) state = evolveDelivery(state, event);
      events.push(...decided);
    }
    if (events.length === 0) return cursor;
    const occurredAt = now().toISOString();
    let previous = cursor.lastEventId ?? null;
    const toAppend: NewEvent[] = events.map((event, i) => {
      const id = derivedUuid(`${deliveryId}/${cursor.version + 1 + i}`);
      const newEvent: NewEvent = { id, type: event.type, data: event.data, metadata: { tenant: received.tenant, occurredAt, actor: received.deliveredBy, correlationId: deliveryId, causationId: previous } };
      previous = id;
      return newEvent;
    });
    const result = await eventStore.appendToStream(deliveryStream(deliveryId), toAppend, { expectedVersion: cursor.version === 0 ? 'no_stream' : cursor.version });
    return { state, version: result.nextExpectedVersion, lastEventId: previous ?? undefined };
  }

  async function findSuperseded(received: DeliveryReceivedData, result: CheckResult, schemeId: string): Promise<string | null> {
    await projector.catchUpStatus();
    const candidates = await documents.find<DeliveryView>(DELIVERIES_COLLECTION, { tenant: received.tenant, datasetId: received.datasetId, status: 'angenommen' });
    const variables = new Set(result.variables);
    const matching = candidates
      .map((c) => c.doc)
      .filter((view) => view.deliveryId !== received.deliveryId && view.schemeId === schemeId)
      .filter((view) => view.variables.some((v) => variables.has(v)))
      .filter((view) => view.periods.some((p) => result.periods.some((q) => periodsOverlap(p, q))))
      .sort((a, b) => ((a.acceptedAt ?? '') < (b.acceptedAt ?? '') ? -1 : 1));
    return matching.pop()?.deliveryId ?? null;
  }

  function toBatch(
    chunk: ReturnType<Spool['chunks']> extends Generator<infer C> ? C : never,
    result: CheckResult,
    base: Omit<ObservationsRecordedData, 'batchNumber' | 'isLastBatch' | 'observations' | 'schemeVersion'>,
    batchNumber: number,
  ): ObservationsRecordedData {
    const version = result.tables.versions[chunk.schemeVersionIndex]!;
    const { variables, dimensions, periods } = result.tables;
    const observations: Observation[] = new Array(chunk.count);
    for (let i = 0; i < chunk.count; i += 1) {
      const status = STATUS_CODES[chunk.statuses[i]!]!;
      observations[i] = {
        areaCode: version.units[chunk.areas[i]!]!.code,
        variable: variables[chunk.variables[i]!]!,
        dimensions: dimensions[chunk.dimensions[i]!]!,
        period: periods[chunk.periods[i]!]!,
        value: status === 'VALUE' || status === 'ZERO_BY_DEFINITION' ? chunk.values[i]! : null,
        status,
        sourceLine: chunk.lines[i]!,
      };
    }
    return { ...base, batchNumber, isLastBatch: batchNumber === result.batchCount, schemeVersion: version.version, observations };
  }

  async function process(deliveryId: string, file: StoredFile, onProgress?: ProgressListener): Promise<void> {
    await prepare();
    let cursor: Cursor = await readState(deliveryId);
    const status = cursor.state.status;
    if (status !== 'received' && status !== 'recording') return;
    const received = cursor.state.received!;
    const reject = async (findings: DeliveryFinding[]) => {
      const counts: Partial<Record<DeliveryFinding['code'], number>> = {};
      for (const f of findings) counts[f.code] = (counts[f.code] ?? 0) + 1;
      const data = {
        deliveryId,
        rowCount: 0,
        encoding: null,
        errorCount: findings.filter((f) => f.severity === 'error').length,
        warningCount: findings.filter((f) => f.severity === 'warning').length,
        countsByCode: counts,
        findings,
        truncated: false,
      };
      await append(deliveryId, received, [{ type: 'RejectDelivery', data }], cursor);
    };

    const profile = await catalog.getProfile(received.profileId, received.profileVersion);
    const dataset: Dataset | undefined = profile ? await catalog.getDataset(profile.dataset) : undefined;
    if (!profile || !dataset) {
      await reject([finding('PROFILE_UNKNOWN', { file: received.fileName, profile: received.profileId, version: received.profileVersion, expected: 'ein gespeichertes Lieferprofil mit seinem Datensatz' })]);
      return;
    }
    const mayDeliverFor = ownerPredicate(received.access ?? { owners: [received.tenant], prefixes: [] });
    const loaded = await loadSchemeContext(register, profile.scheme, mayDeliverFor);
    if (!loaded.ok) {
      await reject([finding('SCHEME_UNKNOWN', { file: received.fileName, scheme: profile.scheme.schemeId, ...(loaded.version !== undefined ? { version: loaded.version } : {}) })]);
      return;
    }
    const scheme = loaded.scheme;
    const format = { ...profile.format, ...(received.encoding ? { encoding: received.encoding as Encoding } : {}) };
    const limit = limitOf(profile, limits);
    if (file.bytes > limit) {
      await reject([finding('FILE_TOO_LARGE', { file: received.fileName, limit })]);
      return;
    }
    if (file.bytes === 0) {
      await reject([finding('FILE_EMPTY', { file: received.fileName })]);
      return;
    }

    const spool = new Spool({ directory: spoolDir });
    try {
      const check = new DeliveryCheck({
        fileName: received.fileName,
        profile: { ...profile, format },
        dataset,
        scheme,
        periodOverride: received.period ?? undefined,
        spool,
        batchSize: limits.batchSize,
        findingLimit: limits.findingLimit,
        mayDeliverFor,
        tenant: received.tenant,
      });
      let encoding: string | undefined;
      try {
        encoding = (await readTable({ path: file.path, format, onProgress }, check)).encoding;
      } catch (error) {
        if (!(error instanceof FatalParseError)) throw error;
        check.problem(error.problem);
      }
      const result = check.finish();
      const findings = result.findings;
      const validation = {
        errorCount: findings.errorCount,
        warningCount: findings.warningCount,
        countsByCode: findings.countsByCode,
        findings: findings.stored,
        truncated: findings.truncated,
      };
      if (status === 'received' && findings.hasErrors) {
        await append(deliveryId, received, [{ type: 'RejectDelivery', data: { deliveryId, rowCount: result.rowCount, encoding: encoding ?? null, ...validation } }], cursor);
        return;
      }
      if (findings.hasErrors || (status === 'recording' && (cursor.state.validated!.batchCount !== result.batchCount || cursor.state.validated!.observationCount !== result.observationCount))) {
        throw new Error(`Lieferung ${deliveryId}: die Wiederaufnahme ergibt ein anderes Ergebnis als die erste Prüfung; bitte die Lieferung neu senden.`);
      }

      const supersedesDeliveryId = status === 'recording' ? cursor.state.validated!.supersedesDeliveryId : await findSuperseded(received, result, scheme.schemeId);
      const { rowCount, observationCount, valueCount, areaCount, variables, periods, schemeVersion, schemeVersions, batchCount } = result;
      const tally: DeliveryTally = { rowCount, observationCount, valueCount, areaCount, variables, periods, schemeVersion, schemeVersions, batchCount };
      const commands: DeliveryCommand[] = [];
      if (status === 'received') {
        commands.push({ type: 'ValidateDelivery', data: { deliveryId, ...tally, schemeId: scheme.schemeId, supersedesDeliveryId, encoding: encoding ?? null, ...validation } });
      }
      const base = {
        deliveryId,
        datasetId: dataset.id,
        schemeId: scheme.schemeId,
        source: { name: profile.source.name, provider: profile.source.provider ?? null, fileName: received.fileName, fileSha256: received.fileSha256, extractedOn: null },
        sensitivity: dataset.sensitivity,
        supersedesDeliveryId,
      };
      const accepted: DeliveryAcceptedData = {
        deliveryId,
        tenant: received.tenant,
        datasetId: dataset.id,
        schemeId: scheme.schemeId,
        ...tally,
        profileId: profile.id,
        profileVersion: profile.version,
        fileName: received.fileName,
        contentSha256: received.fileSha256,
        supersedesDeliveryId,
        warningCount: findings.warningCount,
      };

      // Batches go out in appends of at most `appendObservations` observations; the last append
      // carries the acceptance. A delivery within the bound is therefore exactly one append.
      // Batches an interrupted run already recorded are skipped (their number <= recordedBatches).
      let batches: ObservationsRecordedData[] = [];
      let pendingObservations = 0;
      let batchNumber = 0;
      for (const chunk of spool.chunks()) {
        batchNumber += 1;
        if (batchNumber <= cursor.state.recordedBatches) continue;
        batches.push(toBatch(chunk, result, base, batchNumber));
        pendingObservations += chunk.count;
        if (pendingObservations >= limits.appendObservations && batchNumber < result.batchCount) {
          cursor = await append(deliveryId, received, [...commands, { type: 'RecordObservations', batches }], cursor);
          commands.length = 0;
          batches = [];
          pendingObservations = 0;
        }
      }
      commands.push({ type: 'RecordObservations', batches }, { type: 'AcceptDelivery', data: accepted });
      await append(deliveryId, received, commands, cursor);
    } finally {
      spool.dispose();
    }
  }

  function schedule(deliveryId: string, file: StoredFile, onProgress?: ProgressListener): Promise<void> {
    const existing = active.get(deliveryId);
    if (existing) return existing;
    // `decided` resolves when the decision is committed (the acceptance or rejection appended);
    // bringing the status read model up to date follows in the same queue, off the clock of the
    // delivery (readers poll the status, and the projector also runs in the background).
    const job = queue.then(async () => {
      try {
        await process(deliveryId, file, onProgress);
      } catch (error) {
        deps.logger?.error({ err: error, deliveryId }, 'delivery processing failed; it stays undecided and is retried at the next start');
        throw error;
      }
    });
    const tidy = job
      .catch(() => undefined)
      .then(async () => {
        if (file.owned) {
          const { state } = await readStateHead(deliveryId).catch(() => ({ state: initialDeliveryState() }));
          if (state.status === 'accepted' || state.status === 'rejected') await rm(file.path, { force: true });
        }
        active.delete(deliveryId);
        await projector.catchUpStatus().catch(() => undefined);
      });
    queue = tidy;
    active.set(deliveryId, job);
    return job;
  }

  async function keepUpload(file: StoredFile, deliveryId: string): Promise<StoredFile> {
    if (!file.owned) return file;
    const kept = join(uploads, `${deliveryId}${safeExtension(file.fileName)}`);
    await rename(file.path, kept);
    return { ...file, path: kept };
  }

  const service: DeliveryService = {
    limits,
    limitFor: (profile) => limitOf(profile, limits),
    receiveUpload,
    localFile,

    async submit(input) {
      const profile = await catalog.getProfile(input.profileId);
      if (!profile) {
        throw new DeliveryRefusedError(404, finding('PROFILE_UNKNOWN', { file: input.file.fileName, profile: input.profileId }));
      }
      const limit = limitOf(profile, limits);
      if (input.file.bytes > limit) {
        if (input.file.owned) await rm(input.file.path, { force: true });
        throw new DeliveryRefusedError(413, finding('FILE_TOO_LARGE', { file: input.file.fileName, limit, expected: `höchstens ${formatBytes(limit)}` }));
      }
      const period = input.period?.trim() || null;
      const encoding = input.encoding && input.encoding !== 'auto' ? input.encoding : null;
      const deliveryId = derivedUuid(['delivery', input.tenant, profile.id, profile.version, period ?? '', encoding ?? '', input.file.sha256].join('|'));
      const { state } = await readStateHead(deliveryId);
      const version = 0;
      if (state.status !== 'none') {
        // The same content again: nothing changes. An undecided one (a previous process died)
        // is picked up again with this copy of the file.
        if ((state.status === 'received' || state.status === 'recording') && !active.has(deliveryId)) {
          const file = await keepUpload(input.file, deliveryId);
          return { deliveryId, duplicate: true, decided: schedule(deliveryId, file, input.onProgress) };
        }
        if (input.file.owned) await rm(input.file.path, { force: true });
        return { deliveryId, duplicate: true, decided: active.get(deliveryId) ?? Promise.resolve() };
      }
      const received: DeliveryReceivedData = {
        deliveryId,
        tenant: input.tenant,
        datasetId: profile.dataset,
        profileId: profile.id,
        profileVersion: profile.version,
        fileName: input.file.fileName,
        fileSha256: input.file.sha256,
        fileBytes: input.file.bytes,
        period,
        encoding,
        deliveredBy: input.actor,
        access: input.access,
      };
      try {
        await append(deliveryId, received, [{ type: 'ReceiveDelivery', data: received }], { state, version, lastEventId: undefined });
      } catch (error) {
        if (!isWrongExpectedVersionError(error)) throw error;
        if (input.file.owned) await rm(input.file.path, { force: true });
        return { deliveryId, duplicate: true, decided: active.get(deliveryId) ?? Promise.resolve() };
      }
      const file = await keepUpload(input.file, deliveryId);
      await projector.catchUpStatus();
      return { deliveryId, duplicate: false, decided: schedule(deliveryId, file, input.onProgress) };
    },

    async getDelivery(deliveryId) {
      if (!/^[0-9a-f-]{36}$/i.test(deliveryId)) return undefined;
      return documents.get<DeliveryView>(DELIVERIES_COLLECTION, deliveryId);
    },

    async getReport(deliveryId) {
      if (!/^[0-9a-f-]{36}$/i.test(deliveryId)) return undefined;
      return documents.get<DeliveryReportView>(REPORTS_COLLECTION, deliveryId);
    },

    async listDeliveries(filter) {
      const results: DeliveryView[] = [];
      for (const tenant of new Set(filter.tenants)) results.push(...(await documents.find<DeliveryView>(DELIVERIES_COLLECTION, { tenant })).map((e) => e.doc));
      return results.sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : -1));
    },

    async settled(deliveryId) {
      await active.get(deliveryId)?.catch(() => undefined);
    },

    async recover() {
      await prepare();
      await projector.catchUpStatus();
      let resumed = 0;
      for (const status of ['in_pruefung', 'wird_erfasst'] as const) {
        for (const { doc } of await documents.find<DeliveryView>(DELIVERIES_COLLECTION, { status })) {
          if (active.has(doc.deliveryId)) continue;
          const path = join(uploads, `${doc.deliveryId}${safeExtension(doc.fileName)}`);
          const exists = await stat(path).then(() => true, () => false);
          if (!exists) {
            deps.logger?.warn({ deliveryId: doc.deliveryId }, 'undecided delivery without its upload: it is decided when the same file is delivered again');
            continue;
          }
          void schedule(doc.deliveryId, { path, bytes: doc.fileBytes, sha256: doc.fileSha256, fileName: doc.fileName, owned: true }).catch(() => undefined);
          resumed += 1;
        }
      }
      return resumed;
    },

    async idle() {
      await queue;
    },
  };
  return service;
}

