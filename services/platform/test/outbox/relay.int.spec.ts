import { createInMemoryProcessedEventIds } from '../../src/consumer/processed-ids';
import { runConsumer } from '../../src/consumer/runner';
import { createLmdbDocumentStore } from '../../src/documents/lmdb-document-store';
import { createLmdbEventLog } from '../../src/log/lmdb-event-log';
import { createOutboxRelay, OUTBOX_CHECKPOINTS, type OutboxRecord, type OutboxRelayOptions } from '../../src/outbox/relay';
import type { DocumentStore } from '../../src/ports/document-store';
import type { ConsumedRecord, EventLog } from '../../src/ports/event-log';
import type { EventStore, StoredEvent } from '../../src/ports/event-store';
import { createLmdbEventStore } from '../../src/store/lmdb-event-store';
import { removeDataDir, tempDataDir } from '../helpers/lmdb';
import { waitFor } from '../suites/event-log';
import { newEvent } from '../suites/event-store';

/** Public events go to the topic of their context; `Private*` events stay in the service. */
function jsonRecord(event: StoredEvent): OutboxRecord | undefined {
  if (event.type.startsWith('Private')) return undefined;
  const topic = event.type.startsWith('Budget') ? 'lagebild.budget' : 'lagebild.goals';
  return { topic, record: { key: event.stream, value: Buffer.from(JSON.stringify({ stream: event.stream, version: event.version, data: event.data })) } };
}

function decoded(record: ConsumedRecord): { stream: string; version: number; data: unknown } {
  return JSON.parse(record.value.toString('utf8')) as { stream: string; version: number; data: unknown };
}

async function readTopic(log: EventLog, topic: string): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const end = (await log.endOffsets(topic)).get(0) ?? 0;
  if (end === 0) return records;
  const subscription = await log.subscribe({ group: `reader-${Math.random()}`, topics: [topic] }, async (batch) => void records.push(...batch));
  await waitFor(() => records.length >= end, `alle Datensätze von ${topic}`);
  await subscription.stop();
  return records;
}

describe('outbox relay', () => {
  let dir: string;
  let store: EventStore;
  let log: EventLog;
  let documents: DocumentStore;

  function relay(overrides: Partial<OutboxRelayOptions> = {}) {
    return createOutboxRelay({ store, log, checkpoints: documents, name: 'goals', toRecord: jsonRecord, pollIntervalMs: 10, retryDelayMs: 10, ...overrides });
  }

  beforeEach(async () => {
    dir = await tempDataDir();
    store = createLmdbEventStore({ path: dir });
    log = createLmdbEventLog({ path: dir, pollIntervalMs: 10 });
    documents = createLmdbDocumentStore({ path: dir });
  });

  afterEach(async () => {
    await log.close();
    await store.close();
    await documents.close();
    await removeDataDir(dir);
  });

  it('publishes appended events to their topics in store order, with the envelope headers', async () => {
    const created = newEvent('GoalCreated', { title: 'A' });
    await store.appendToStream('goal-1', [created, newEvent('TargetValueSet', { value: 1 })]);
    await store.appendToStream('budget-1', [newEvent('BudgetPlanned', { amount: 10 })]);
    await store.appendToStream('goal-2', [newEvent('GoalCreated', { title: 'B' })]);
    await store.appendToStream('goal-1', [newEvent('TargetValueSet', { value: 2 })]);

    expect(await relay().runOnce()).toBe(5);

    const goals = await readTopic(log, 'lagebild.goals');
    expect(goals.map((r) => [r.key, decoded(r).version])).toEqual([
      ['goal-1', 1],
      ['goal-1', 2],
      ['goal-2', 1],
      ['goal-1', 3],
    ]);
    expect(goals[0]!.headers).toEqual({
      'event-id': created.id,
      'event-type': 'GoalCreated',
      tenant: '05315000',
      traceparent: created.metadata.traceparent,
    });
    expect((await readTopic(log, 'lagebild.budget')).map((r) => r.key)).toEqual(['budget-1']);
    expect(await relay().checkpoint()).toBe(5);
  });

  it('skips private events but moves its checkpoint past them', async () => {
    await store.appendToStream('goal-1', [newEvent('PrivateNoteTaken'), newEvent('GoalCreated'), newEvent('PrivateNoteTaken')]);
    const r = relay();
    expect(await r.runOnce()).toBe(1);
    expect(await r.checkpoint()).toBe(3);
    expect((await readTopic(log, 'lagebild.goals')).map((x) => decoded(x).version)).toEqual([2]);
  });

  it("keeps headers the mapper set and adds the missing ones", async () => {
    await store.appendToStream('goal-1', [newEvent('GoalCreated')]);
    await relay({ toRecord: (event) => ({ topic: 't', record: { key: event.stream, value: Buffer.from('x'), headers: { tenant: 'eigener', extra: '1' } } }) }).runOnce();
    const [consumed] = await readTopic(log, 't');
    expect(consumed!.headers).toMatchObject({ tenant: 'eigener', extra: '1', 'event-type': 'GoalCreated' });
  });

  it('resumes from its checkpoint: a new relay instance publishes only what is new', async () => {
    await store.appendToStream('goal-1', [newEvent('GoalCreated'), newEvent('TargetValueSet')]);
    expect(await relay().runOnce()).toBe(2);
    expect(await relay().runOnce()).toBe(0);
    await store.appendToStream('goal-1', [newEvent('TargetValueSet')]);
    expect(await relay().runOnce()).toBe(1);
    expect((await readTopic(log, 'lagebild.goals')).map((r) => decoded(r).version)).toEqual([1, 2, 3]);
  });

  it('pages through more events than one batch holds', async () => {
    for (let i = 0; i < 10; i += 1) await store.appendToStream(`goal-${i % 3}`, [newEvent('TargetValueSet', { i })]);
    expect(await relay({ batchSize: 3 }).runOnce()).toBe(10);
    expect((await readTopic(log, 'lagebild.goals')).map((r) => (decoded(r).data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('reads fewer large events per round, so a round holds about maxRoundBytes, and publishes all of them in order', async () => {
    const payload = 'x'.repeat(20_000);
    for (let i = 0; i < 12; i += 1) await store.appendToStream(`goal-${i % 2}`, [newEvent('TargetValueSet', { i, payload })]);
    const asked: number[] = [];
    const watched: EventStore = { ...store, readAll: (options) => (asked.push(options?.maxCount ?? Infinity), store.readAll(options)) };
    expect(await relay({ store: watched, maxRoundBytes: 50_000 }).runOnce()).toBe(12);
    // First round at batchSize (nothing known yet), then two events of about 20 kB per round.
    expect(asked[0]).toBe(1000);
    expect(asked.slice(1).every((n) => n === 2)).toBe(true);
    expect((await readTopic(log, 'lagebild.goals')).map((r) => (decoded(r).data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('stop() leaves a backlog after the round in progress instead of draining it first', async () => {
    for (let i = 0; i < 50; i += 1) await store.appendToStream('goal-1', [newEvent('TargetValueSet', { i })]);
    let rounds = 0;
    let stop: Promise<void> | undefined;
    const r = relay({ batchSize: 5, store: { ...store, readAll: (options) => ((rounds += 1), rounds === 2 && (stop = r.stop()), store.readAll(options)) } });
    r.start();
    await waitFor(() => stop !== undefined, 'zweite Runde');
    await stop;
    // The second round (in progress when stop() came) finished; the remaining 40 events wait.
    expect(await r.checkpoint()).toBe(10);
    expect(await relay().runOnce()).toBe(40);
  });

  it('republishes a batch whose checkpoint was not saved (at-least-once), and a deduplicating consumer sees each event once', async () => {
    await store.appendToStream('goal-1', [newEvent('GoalCreated'), newEvent('TargetValueSet')]);
    let failCheckpoint = true;
    const flaky: DocumentStore = {
      ...documents,
      async put(collection, key, doc) {
        if (collection === OUTBOX_CHECKPOINTS && failCheckpoint) {
          failCheckpoint = false;
          throw new Error('Prozess stirbt vor dem Checkpoint');
        }
        return documents.put(collection, key, doc);
      },
    };
    const r = relay({ checkpoints: flaky });
    await expect(r.runOnce()).rejects.toThrow('Prozess stirbt vor dem Checkpoint');
    expect(await r.checkpoint()).toBe(0);
    // A new process resumes from the stored checkpoint.
    expect(await relay().runOnce()).toBe(2);

    const raw = await readTopic(log, 'lagebild.goals');
    expect(raw.map((x) => decoded(x).version)).toEqual([1, 2, 1, 2]);

    const handled: ConsumedRecord[] = [];
    const consumer = await runConsumer({ log, group: 'projector', topics: ['lagebild.goals'], idempotency: createInMemoryProcessedEventIds(), handle: async (records) => void handled.push(...records) });
    await waitFor(async () => (await log.committedOffsets('projector', 'lagebild.goals')).get(0) === 4, 'alles bestätigt');
    await consumer.stop();
    expect(handled.map((x) => decoded(x).version)).toEqual([1, 2]);
  });

  it('stops at an event its mapper cannot map, without skipping it, and goes on once it can', async () => {
    await store.appendToStream('goal-1', [newEvent('GoalCreated'), newEvent('Unmappable'), newEvent('TargetValueSet')]);
    let broken = true;
    const toRecord = (event: StoredEvent) => {
      if (event.type === 'Unmappable' && broken) throw new Error('Schema fehlt');
      return jsonRecord(event);
    };
    await expect(relay({ toRecord }).runOnce()).rejects.toThrow('Schema fehlt');
    expect(await relay().checkpoint()).toBe(0);
    broken = false;
    expect(await relay({ toRecord }).runOnce()).toBe(3);
  });

  it('relays in the background once started, and stop() ends after the round in progress', async () => {
    const r = relay();
    r.start();
    await store.appendToStream('goal-1', [newEvent('GoalCreated')]);
    await waitFor(async () => (await r.checkpoint()) === 1, 'Hintergrund-Relay');
    await store.appendToStream('goal-1', [newEvent('TargetValueSet')]);
    await waitFor(async () => (await r.checkpoint()) === 2, 'zweites Ereignis');
    await r.stop();
    await store.appendToStream('goal-1', [newEvent('TargetValueSet')]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await r.checkpoint()).toBe(2);
  });
});
