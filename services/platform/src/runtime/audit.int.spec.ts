/**
 * The audit trail over the real LMDB event store: records are buffered and appended in batches,
 * survive a restart, are flushed on close, and a failing or hanging store never reaches the
 * caller; records wait and are appended once the store is back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore } from '../documents/lmdb-document-store';
import type { DocumentStore } from '../ports/document-store';
import type { EventStore } from '../ports/event-store';
import { createLmdbEventStore } from '../store/lmdb-event-store';
import { AUDIT_EVENT_TYPE, auditStream, createAuditTrail, type AccessEntry } from './audit';
import { ProblemError } from './problem';

const DAY = '2024-05-06';
const at = (time: string) => () => new Date(`${DAY}T${time}.000Z`);

function entry(overrides: Partial<AccessEntry> = {}): AccessEntry {
  return {
    subject: 'planerin',
    principalTenant: '03159',
    roles: ['sozialplanung'],
    service: 'indicators',
    operation: 'GET /values',
    tenants: ['03159'],
    status: 200,
    requestId: 'r-1',
    ...overrides,
  };
}

/** An event store whose appends fail or hang on demand; reads pass through. */
function unreliable(store: EventStore) {
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  let release: () => void = () => undefined;
  let entered: () => void = () => undefined;
  const hanging = new Promise<void>((resolve) => (entered = resolve));
  let appended: () => void = () => undefined;
  let nextAppend = new Promise<void>((resolve) => (appended = resolve));
  const wrapped: EventStore = {
    ...store,
    async appendToStream(stream, events, options) {
      if (mode === 'fail') throw new Error('Datenträger nicht erreichbar');
      if (mode === 'hang') {
        const released = new Promise<void>((resolve) => (release = resolve));
        entered();
        await released;
      }
      const result = await store.appendToStream(stream, events, options);
      appended();
      nextAppend = new Promise<void>((resolve) => (appended = resolve));
      return result;
    },
  };
  return {
    store: wrapped,
    set(next: 'ok' | 'fail' | 'hang') {
      mode = next;
      if (next !== 'hang') release();
    },
    /** Resolves once an append hangs. */
    hanging: () => hanging,
    /** Resolves after the next successful append. */
    appended: () => nextAppend,
  };
}

let dir: string;
let eventStore: EventStore;
let documents: DocumentStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-audit-'));
  eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
});

afterEach(async () => {
  await documents.close();
  await eventStore.close();
  await rm(dir, { recursive: true, force: true });
});

describe('audit trail', () => {
  it('buffers records and appends them on close, so they survive a restart', async () => {
    const trail = createAuditTrail({ eventStore, documents, now: at('08:00:00'), flushIntervalMs: 60 * 60 * 1000 });
    trail.record(entry({ requestId: 'r-1' }));
    trail.record(entry({ requestId: 'r-2', status: 403, subject: 'fremd', principalTenant: '09461' }));
    expect(trail.pending()).toBe(3);
    expect(await eventStore.readStream(auditStream('03159', DAY))).toEqual([]);
    await trail.close();
    expect(trail.pending()).toBe(0);
    await documents.close();
    await eventStore.close();

    eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
    documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
    const reopened = createAuditTrail({ eventStore, documents, now: at('09:00:00') });
    const page = await reopened.query({ tenants: ['03159'], from: DAY, to: DAY });
    expect(page.records.map((r) => [r.requestId, r.subject, r.status])).toEqual([
      ['r-2', 'fremd', 403],
      ['r-1', 'planerin', 200],
    ]);
    expect(await reopened.tenants()).toEqual(['03159', '09461']);
    const stored = await eventStore.readStream(auditStream('09461', DAY));
    expect(stored.map((e) => [e.type, e.metadata.tenant, e.metadata.actor, e.metadata.correlationId])).toEqual([[AUDIT_EVENT_TYPE, '09461', 'fremd', 'r-2']]);
    await reopened.close();
  });

  it('appends as soon as a batch is full, without waiting for the timer', async () => {
    const store = unreliable(eventStore);
    const trail = createAuditTrail({ eventStore: store.store, documents, now: at('08:00:00'), flushIntervalMs: 60 * 60 * 1000, maxBatch: 10 });
    const appended = store.appended();
    for (let i = 0; i < 10; i += 1) trail.record(entry({ requestId: `r-${i}` }));
    await appended;
    expect((await eventStore.readStream(auditStream('03159', DAY))).length).toBe(10);
    await trail.close();
  });

  it('keeps records while appends fail, logs, and appends them once the store is back', async () => {
    const store = unreliable(eventStore);
    let logged: (message: string) => void = () => undefined;
    const failureLogged = new Promise<string>((resolve) => (logged = resolve));
    const logger = { info() {}, warn() {}, error: (_fields: object, message?: string) => logged(message ?? '') };
    const trail = createAuditTrail({ eventStore: store.store, documents, logger, now: at('08:00:00'), flushIntervalMs: 5, maxRetryDelayMs: 20 });
    store.set('fail');
    trail.record(entry({ requestId: 'r-1' }));
    expect(await failureLogged).toBe('Zugriffsprotokoll: Speichern fehlgeschlagen, neuer Versuch folgt');
    expect(trail.pending()).toBe(1);
    await expect(trail.flush()).rejects.toThrow('Datenträger nicht erreichbar');
    const appended = store.appended();
    store.set('ok');
    await appended;
    expect(trail.pending()).toBe(0);
    expect((await eventStore.readStream(auditStream('03159', DAY))).map((e) => (e.data as { requestId: string }).requestId)).toEqual(['r-1']);
    await trail.close();
  });

  it('never makes the caller wait for a hanging store', async () => {
    const store = unreliable(eventStore);
    const trail = createAuditTrail({ eventStore: store.store, documents, now: at('08:00:00'), maxBatch: 1 });
    store.set('hang');
    trail.record(entry({ requestId: 'r-0' }));
    await store.hanging();
    for (let i = 1; i < 5; i += 1) trail.record(entry({ requestId: `r-${i}` }));
    expect(trail.pending()).toBe(4);
    store.set('ok');
    await trail.close();
    expect((await eventStore.readStream(auditStream('03159', DAY))).map((e) => (e.data as { requestId: string }).requestId)).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-4']);
  });

  it('drops the oldest records beyond maxPending while the store fails, and says so', async () => {
    const store = unreliable(eventStore);
    const errors: Array<{ fields: object; message: string }> = [];
    const logger = { info() {}, warn() {}, error: (fields: object, message?: string) => void errors.push({ fields, message: message ?? '' }) };
    const trail = createAuditTrail({ eventStore: store.store, documents, logger, now: at('08:00:00'), flushIntervalMs: 60 * 60 * 1000, maxBatch: 2, maxPending: 4 });
    store.set('fail');
    for (let i = 0; i < 7; i += 1) trail.record(entry({ requestId: `r-${i}` }));
    expect(trail.pending()).toBe(4);
    store.set('ok');
    await trail.close();
    expect(errors.filter((e) => /verworfen/.test(e.message)).map((e) => e.fields)).toEqual([{ dropped: 3, pending: 0 }]);
    const ids = (await eventStore.readStream(auditStream('03159', DAY))).map((e) => (e.data as { requestId: string }).requestId);
    expect(ids).toEqual(['r-3', 'r-4', 'r-5', 'r-6']);
  });

  it('keeps a copy for each tenant concerned and returns it once, newest day first, within the range', async () => {
    let clock = new Date('2024-05-05T23:59:00.000Z');
    const trail = createAuditTrail({ eventStore, documents, now: () => clock });
    trail.record(entry({ requestId: 'kreis-1', subject: 'kreisplaner', principalTenant: '01054', tenants: ['01054056'] }));
    clock = new Date('2024-05-06T00:01:00.000Z');
    trail.record(entry({ requestId: 'kreis-2', subject: 'kreisplaner', principalTenant: '01054', tenants: ['01054056'], service: 'goals' }));
    await trail.flush();
    expect((await eventStore.readStream(auditStream('01054', '2024-05-05'))).length).toBe(1);
    expect((await eventStore.readStream(auditStream('01054056', '2024-05-06'))).length).toBe(1);

    const both = await trail.query({ tenants: ['01054', '01054056'], from: '2024-05-01', to: '2024-05-06' });
    expect(both.records.map((r) => r.requestId)).toEqual(['kreis-2', 'kreis-1']);
    expect((await trail.query({ tenants: ['01054056'], from: '2024-05-05', to: '2024-05-05' })).records.map((r) => r.requestId)).toEqual(['kreis-1']);
    expect((await trail.query({ tenants: ['01054056'], from: '2024-05-01', to: '2024-05-06', service: 'goals' })).records.map((r) => r.requestId)).toEqual(['kreis-2']);
    const first = await trail.query({ tenants: ['01054'], from: '2024-05-01', to: '2024-05-06', limit: 1 });
    expect([first.records.map((r) => r.requestId), first.truncated]).toEqual([['kreis-2'], true]);
    // Without a range: the 30 days up to today, by the trail's clock.
    expect(await trail.query({ tenants: ['01054'] })).toMatchObject({ from: '2024-04-07', to: '2024-05-06' });
    await expect(trail.query({ tenants: ['01054'], from: '2023-01-01', to: '2024-05-06' })).rejects.toThrow(ProblemError);
    await trail.close();
  });
});
