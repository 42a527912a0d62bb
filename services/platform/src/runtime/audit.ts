/**
 * Audit trail (issue 9: "who read or changed what, as events, queryable by the admin of the
 * tenant"). Every request that reaches a declared route (runtime/api.ts) with a verified
 * principal leaves one `AccessAudited` record once its response is done, the refused ones (403,
 * 404) included: failed access is the most telling line of an audit. A 401 has no subject and
 * is not recorded here (the request log has it).
 *
 * What a record holds: when, who (subject, own tenant, roles), which service and operation
 * (method and route template, `GET /values`), which tenant(s) the request was about (the
 * `tenant` or `ags` path / query parameter, or a `tenant` field of the body; else the caller's
 * own), the outcome (HTTP status), the request id, the path parameters (which object) and the
 * `Location` of a created object. Never bodies, figures or tokens.
 *
 * Storage: events in the service's own EventStore, stream `audit-<tenant>-<yyyy-mm-dd>` (UTC
 * day), one copy in the stream of each tenant the request was about and of the caller's own
 * tenant, so both the owner of the data and the caller's admin see it (copies share a
 * `recordId`; readers deduplicate). `AccessAudited` is a private event: it has no Avro schema in
 * contracts/, so the outbox mapper (contracts' `outboxMapper`) maps it to nothing and the relay
 * never publishes it; the in-service projectors skip it by type like any foreign event.
 *
 * Cost on the request path: `record` only pushes to a buffer. The buffer is appended every
 * `flushIntervalMs` (250 ms) or as soon as it holds `maxBatch` (500) events, and on `close`. A
 * failed append is logged and retried with backoff; the user's request never fails or waits
 * for it. What is lost on a crash: the records buffered since the last successful append, i.e.
 * at most the last unflushed batch (about 250 ms of requests; more only while the store was
 * failing, bounded by `maxPending`). A retry after an append whose outcome was unknown can
 * store a record twice; readers deduplicate by `recordId`.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { silentLogger, type Logger } from '../consumer/logger';
import type { DocumentStore } from '../ports/document-store';
import type { EventStore, NewEvent } from '../ports/event-store';
import { ValidationProblem } from './problem';
import { isTenantId, type Principal, type Role } from './request-context';

export const AUDIT_EVENT_TYPE = 'AccessAudited';
export const AUDIT_STREAM_PREFIX = 'audit-';
/** Tenants that have audit streams (for readers that are not asked for one tenant, e.g. the CLI). */
export const AUDIT_TENANTS_COLLECTION = 'audit.tenants';

/** One audited request, as stored in the `AccessAudited` event. */
export interface AccessRecord {
  /** Shared by the copies of one record in several tenants' streams. */
  recordId: string;
  /** When the response was done (ISO 8601, UTC). */
  at: string;
  /** Counts the records of one trail: orders the records of one millisecond. */
  seq: number;
  subject: string;
  /** The caller's own tenant. */
  principalTenant: string;
  roles: readonly Role[];
  service: string;
  /** Method and route template below the service mount, e.g. `GET /goals/:goalId`. */
  operation: string;
  /** The tenants the request was about. */
  tenants: readonly string[];
  /** HTTP status of the answer. */
  status: number;
  requestId: string;
  /** Path parameters of the route: which object was read or changed. */
  object?: Readonly<Record<string, string>>;
  /** `Location` of an object the request created. */
  created?: string;
  /** The client went away before the response was complete. */
  aborted?: boolean;
}

/** What a caller hands to `record`; the trail stamps id, time and sequence. */
export type AccessEntry = Omit<AccessRecord, 'recordId' | 'at' | 'seq'>;

export interface AuditQuery {
  /** Tenants whose streams are read (the caller has checked access to each). */
  tenants: readonly string[];
  /** First day (YYYY-MM-DD, UTC), inclusive. @default `to` minus 30 days */
  from?: string;
  /** Last day (YYYY-MM-DD, UTC), inclusive. @default today */
  to?: string;
  /** Only this subject's requests. */
  subject?: string;
  /** Only this service's requests. */
  service?: string;
  /** Most records returned. @default 100 */
  limit?: number;
}

export interface AuditPage {
  from: string;
  to: string;
  /** Newest first. */
  records: AccessRecord[];
  /** More records match in the range than `limit` allowed. */
  truncated: boolean;
}

export interface AuditTrail {
  /** Buffers one record; never throws and never waits for the store. */
  record(entry: AccessEntry): void;
  /** Appends everything buffered now; rejects if an append failed (the records stay buffered). */
  flush(): Promise<void>;
  /** Records matching the query, newest first (flushes the buffer first, as far as it can). */
  query(query: AuditQuery): Promise<AuditPage>;
  /** Tenants that have audit records. */
  tenants(): Promise<string[]>;
  /** Events buffered and not yet appended. */
  pending(): number;
  /** Stops the timer and appends what is left; call before the event store closes. */
  close(): Promise<void>;
}

export interface AuditTrailOptions {
  eventStore: EventStore;
  documents: DocumentStore;
  logger?: Logger;
  /** Longest time a record waits in the buffer. @default 250 */
  flushIntervalMs?: number;
  /** Buffered events that trigger an append at once. @default 500 */
  maxBatch?: number;
  /** Buffered events kept while the store fails; the oldest beyond are dropped (and logged). @default 100000 */
  maxPending?: number;
  /** Longest pause between retries of a failing append. @default 5000 */
  maxRetryDelayMs?: number;
  /** Clock for the record time. */
  now?: () => Date;
}

/** Default and largest range of a query, in days. */
export const AUDIT_DEFAULT_DAYS = 30;
export const AUDIT_MAX_DAYS = 366;
export const AUDIT_DEFAULT_LIMIT = 100;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The stream of one tenant's records of one UTC day. */
export function auditStream(tenant: string, day: string): string {
  return `${AUDIT_STREAM_PREFIX}${tenant}-${day}`;
}

/** Whether `value` is a calendar day `YYYY-MM-DD`. */
export function isAuditDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00.000Z`);
  return Number.isFinite(time) && new Date(time).toISOString().startsWith(value);
}

function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS));
}

/** Days from `from` to `to`, both inclusive (0 when `to` is before `from`). */
export function auditDaySpan(from: string, to: string): number {
  return Math.floor((Date.parse(`${to}T00:00:00.000Z`) - Date.parse(`${from}T00:00:00.000Z`)) / DAY_MS) + 1;
}

/**
 * The days a query covers: `to` defaults to today (UTC), `from` to 30 days before `to`. Throws
 * a validation problem (400 over HTTP) naming `von` / `bis`, the words users type.
 */
export function auditRange(q: { from?: string | undefined; to?: string | undefined }, today: Date): { from: string; to: string } {
  const problems: Array<{ parameter: string; detail: string }> = [];
  if (q.from !== undefined && !isAuditDay(q.from)) problems.push({ parameter: 'von', detail: `„${q.from}“ ist kein Datum (JJJJ-MM-TT erwartet)` });
  if (q.to !== undefined && !isAuditDay(q.to)) problems.push({ parameter: 'bis', detail: `„${q.to}“ ist kein Datum (JJJJ-MM-TT erwartet)` });
  if (problems.length > 0) throw new ValidationProblem(problems);
  const to = q.to ?? dayOf(today);
  const from = q.from ?? addDays(to, -(AUDIT_DEFAULT_DAYS - 1));
  const span = auditDaySpan(from, to);
  if (span < 1) throw new ValidationProblem([{ parameter: 'von', detail: `von (${from}) liegt nach bis (${to})` }]);
  if (span > AUDIT_MAX_DAYS) throw new ValidationProblem([{ parameter: 'von', detail: `höchstens ${AUDIT_MAX_DAYS} Tage je Abfrage (${from} bis ${to} sind ${span}); bitte den Zeitraum teilen oder bis angeben` }]);
  return { from, to };
}

interface PendingEvent {
  stream: string;
  tenant: string;
  event: NewEvent<typeof AUDIT_EVENT_TYPE, AccessRecord>;
}

export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { eventStore, documents } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  const maxBatch = options.maxBatch ?? 500;
  const maxPending = options.maxPending ?? 100_000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5000;
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch muss eine ganze Zahl ab 1 sein, nicht ${String(maxBatch)}.`);
  if (!Number.isSafeInteger(maxPending) || maxPending < maxBatch) throw new RangeError(`maxPending muss eine ganze Zahl ab maxBatch (${maxBatch}) sein, nicht ${String(maxPending)}.`);

  let buffer: PendingEvent[] = [];
  const knownTenants = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;
  let warnedClosed = false;
  let seq = 0;
  let dropped = 0;
  // Flushes run one at a time; a flush asked for while one waits joins the waiting one.
  let tail: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;

  function schedule(delayMs: number): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch(() => undefined);
    }, delayMs);
    // A buffered record must not keep a finished process alive; `close` flushes it.
    timer.unref();
  }

  function cancelTimer(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
  }

  async function appendBuffered(): Promise<void> {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    try {
      const newTenants = [...new Set(batch.map((p) => p.tenant))].filter((t) => !knownTenants.has(t));
      // The tenant index first: an indexed tenant without records is harmless, the reverse would hide records.
      if (newTenants.length > 0) {
        await documents.write(newTenants.map((tenant) => ({ collection: AUDIT_TENANTS_COLLECTION, key: tenant, doc: { tenant } })));
        for (const t of newTenants) knownTenants.add(t);
      }
    } catch (error) {
      buffer = [...batch, ...buffer];
      throw error;
    }
    const byStream = new Map<string, PendingEvent[]>();
    for (const p of batch) {
      const list = byStream.get(p.stream);
      if (list) list.push(p);
      else byStream.set(p.stream, [p]);
    }
    // Appends of different streams are independent; concurrent ones share the store's commit.
    const streams = [...byStream.entries()];
    const outcomes = await Promise.allSettled(streams.map(([stream, list]) => eventStore.appendToStream(stream, list.map((p) => p.event), { expectedVersion: 'any' })));
    const failed: PendingEvent[] = [];
    let firstError: unknown;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'rejected') {
        failed.push(...streams[i]![1]);
        firstError ??= outcome.reason;
      }
    });
    if (failed.length > 0) {
      buffer = [...failed, ...buffer];
      throw firstError;
    }
  }

  /** Drops the oldest events beyond `maxPending`; counted, and logged once per flush (not per request). */
  function trim(): void {
    const excess = buffer.length - maxPending;
    if (excess > 0) {
      buffer.splice(0, excess);
      dropped += excess;
    }
  }

  function reportDropped(): void {
    if (dropped === 0) return;
    logger.error({ dropped, pending: buffer.length }, 'Zugriffsprotokoll: Speicher nicht erreichbar, älteste Einträge verworfen');
    dropped = 0;
  }

  /** Appends what is buffered once the flush before it is done; failures are counted, logged and retried here. */
  function flush(): Promise<void> {
    if (queued) return queued;
    const run = tail.then(() => {
      queued = undefined;
      return appendBuffered();
    });
    queued = run;
    tail = run.then(succeeded, failed);
    return run;
  }

  function succeeded(): void {
    reportDropped();
    if (failures > 0) logger.info({ failures }, 'Zugriffsprotokoll: Speichern wieder möglich');
    failures = 0;
    if (buffer.length > 0) schedule(buffer.length >= maxBatch ? 0 : flushIntervalMs);
  }

  function failed(error: unknown): void {
    failures += 1;
    trim();
    reportDropped();
    const delay = Math.min(flushIntervalMs * 2 ** Math.min(failures, 10), maxRetryDelayMs);
    logger.error({ err: error, pending: buffer.length, retryInMs: delay }, 'Zugriffsprotokoll: Speichern fehlgeschlagen, neuer Versuch folgt');
    schedule(delay);
  }

  function record(entry: AccessEntry): void {
    if (closed) {
      if (!warnedClosed) logger.warn({ operation: entry.operation }, 'Zugriffsprotokoll: Eintrag nach dem Schließen verworfen');
      warnedClosed = true;
      return;
    }
    const time = now();
    seq += 1;
    const record: AccessRecord = { recordId: randomUUID(), at: time.toISOString(), seq, ...entry };
    const day = dayOf(time);
    for (const tenant of new Set([...entry.tenants, entry.principalTenant])) {
      buffer.push({
        stream: auditStream(tenant, day),
        tenant,
        event: {
          id: randomUUID(),
          type: AUDIT_EVENT_TYPE,
          data: record,
          metadata: { tenant, occurredAt: record.at, actor: entry.subject, correlationId: entry.requestId },
        },
      });
    }
    if (buffer.length > maxPending) trim();
    // While the store fails, the retry timer sets the pace, not every new record.
    if (buffer.length >= maxBatch && failures === 0) {
      cancelTimer();
      flush().catch(() => undefined);
    } else schedule(flushIntervalMs);
  }

  async function query(q: AuditQuery): Promise<AuditPage> {
    const { from, to } = auditRange(q, now());
    const limit = q.limit ?? AUDIT_DEFAULT_LIMIT;
    try {
      await flush();
    } catch (error) {
      // Reading what is stored is still right; the buffer is retried in the background.
      logger.warn({ err: error }, 'Zugriffsprotokoll: Puffer vor dem Lesen nicht gespeichert');
    }
    const found = new Map<string, AccessRecord>();
    // Newest day first; stop once a whole day has brought more than `limit` records.
    for (let day = to; day >= from && found.size <= limit; day = addDays(day, -1)) {
      for (const tenant of new Set(q.tenants)) {
        for (const event of await eventStore.readStream(auditStream(tenant, day))) {
          if (event.type !== AUDIT_EVENT_TYPE) continue;
          const r = event.data as AccessRecord;
          if (q.subject !== undefined && r.subject !== q.subject) continue;
          if (q.service !== undefined && r.service !== q.service) continue;
          found.set(r.recordId, r);
        }
      }
    }
    const records = [...found.values()].sort((a, b) => b.at.localeCompare(a.at) || b.seq - a.seq);
    return { from, to, records: records.slice(0, limit), truncated: records.length > limit };
  }

  return {
    record,
    flush,
    query,
    async tenants() {
      return (await documents.scan<{ tenant: string }>(AUDIT_TENANTS_COLLECTION)).map((d) => d.doc.tenant);
    },
    pending: () => buffer.length,
    async close() {
      if (closed) return;
      closed = true;
      cancelTimer();
      try {
        await flush();
      } catch (error) {
        logger.error({ err: error, lost: buffer.length }, 'Zugriffsprotokoll: letzte Einträge beim Beenden nicht gespeichert');
      }
    },
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the service mount (`auditedServiceMount`): where declared routes record access. */
    auditTrail?: AuditTrail;
  }
}

/** Tenants named by the request (`tenant` / `ags` in path or query, `tenant` in the body). */
function tenantsNamed(req: Request): string[] {
  const named = new Set<string>();
  const take = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(take);
    else if (isTenantId(value)) named.add(value);
  };
  const params = req.params as Record<string, unknown>;
  take(params.tenant);
  take(params.ags);
  const query = req.query as Record<string, unknown>;
  take(query.tenant);
  take(query.ags);
  const body: unknown = req.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) take((body as Record<string, unknown>).tenant);
  return [...named];
}

/**
 * Called by a declared route before anything else runs: records the request once its response
 * is done. Does nothing without a trail on the request (a router used without the audited
 * mount, as in the services' own tests) or without a principal (no subject to name).
 */
export function auditRequest(req: Request, res: Response, service: string, operation: string): void {
  const trail = req.auditTrail;
  const principal: Principal | undefined = req.principal;
  if (!trail || !principal) return;
  // Taken now: express resets params when the request leaves the route.
  const object = Object.fromEntries(Object.entries(req.params as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const named = tenantsNamed(req);
  const tenants = named.length > 0 ? named : [principal.tenant];
  res.once('close', () => {
    const location = res.getHeader('location');
    trail.record({
      subject: principal.subject,
      principalTenant: principal.tenant,
      roles: [...principal.roles],
      service,
      operation,
      tenants,
      status: res.statusCode,
      requestId: req.requestId,
      ...(Object.keys(object).length > 0 ? { object } : {}),
      ...(typeof location === 'string' && res.statusCode < 300 ? { created: location } : {}),
      ...(res.writableFinished ? {} : { aborted: true }),
    });
  });
}
