import { randomUUID } from 'node:crypto';
import { createDocumentStoreProcessedEventIds, processedIdsCollection } from '../../src/consumer/processed-ids';
import { DEAD_LETTER_HEADERS, runConsumer, type ConsumerOptions } from '../../src/consumer/runner';
import { createLmdbDocumentStore } from '../../src/documents/lmdb-document-store';
import { createLmdbEventLog } from '../../src/log/lmdb-event-log';
import type { DocumentStore } from '../../src/ports/document-store';
import type { ConsumedRecord, EventLog, LogRecord, Subscription } from '../../src/ports/event-log';
import { removeDataDir, tempDataDir } from '../helpers/lmdb';
import { text, uniqueName, waitFor } from '../suites/event-log';

function event(key: string, body: string, id: string = randomUUID()): LogRecord {
  return { key, value: Buffer.from(body), headers: { 'event-id': id, 'event-type': 'TargetValueSet', tenant: '05315000' } };
}

describe('consumer runner', () => {
  let dir: string;
  let log: EventLog;
  let documents: DocumentStore;
  let topic: string;
  let group: string;
  const running: Subscription[] = [];

  async function consume(overrides: Partial<ConsumerOptions> & Pick<ConsumerOptions, 'handle'>): Promise<Subscription> {
    const subscription = await runConsumer({ log, documents, group, topics: [topic], retry: { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 20 }, ...overrides });
    running.push(subscription);
    return subscription;
  }

  async function committed(): Promise<number> {
    return (await log.committedOffsets(group, topic)).get(0) ?? 0;
  }

  async function readAll(name: string): Promise<ConsumedRecord[]> {
    const records: ConsumedRecord[] = [];
    const end = (await log.endOffsets(name)).get(0) ?? 0;
    if (end === 0) return records;
    const s = await log.subscribe({ group: uniqueName('reader'), topics: [name] }, async (batch) => void records.push(...batch));
    await waitFor(() => records.length >= end, `Topic ${name}`);
    await s.stop();
    return records;
  }

  beforeEach(async () => {
    dir = await tempDataDir();
    log = createLmdbEventLog({ path: dir, pollIntervalMs: 10, redeliveryDelayMs: 20 });
    documents = createLmdbDocumentStore({ path: dir });
    topic = uniqueName('lagebild.goals');
    group = uniqueName('projector');
  });

  afterEach(async () => {
    for (const subscription of running.splice(0)) await subscription.stop();
    await log.close();
    await documents.close();
    await removeDataDir(dir);
  });

  it('hands records to the handler in order and commits them', async () => {
    const handled: string[] = [];
    await consume({ handle: async (records) => void handled.push(...records.map(text)) });
    await log.publish(topic, [event('goal-1', 'a'), event('goal-1', 'b'), event('goal-2', 'c')]);
    await waitFor(async () => (await committed()) === 3, 'bestätigt');
    expect(handled).toEqual(['a', 'b', 'c']);
  });

  it('skips events already processed, also a duplicate within one batch, and remembers them across restarts', async () => {
    const first = event('goal-1', 'eins');
    const second = event('goal-1', 'zwei');
    await log.publish(topic, [first, second, { ...first }]);
    const handled: string[] = [];
    const subscription = await consume({ handle: async (records) => void handled.push(...records.map(text)) });
    await waitFor(async () => (await committed()) === 3, 'erster Lauf');
    await subscription.stop();
    expect(handled).toEqual(['eins', 'zwei']);

    // The relay republishes both after a crash; a new consumer process skips them.
    await log.publish(topic, [{ ...first }, { ...second }, event('goal-1', 'drei')]);
    await consume({ handle: async (records) => void handled.push(...records.map(text)) });
    await waitFor(async () => (await committed()) === 6, 'zweiter Lauf');
    expect(handled).toEqual(['eins', 'zwei', 'drei']);
    const ids = createDocumentStoreProcessedEventIds({ documents, group });
    expect(await ids.processed([first.headers!['event-id']!, 'unbekannt'])).toEqual(new Set([first.headers!['event-id']]));
    expect(await documents.scan(processedIdsCollection(group))).toHaveLength(3);
  });

  it('always handles records without an event id', async () => {
    const handled: string[] = [];
    await log.publish(topic, [{ key: 'k', value: Buffer.from('ohne') }, { key: 'k', value: Buffer.from('ohne') }]);
    await consume({ handle: async (records) => void handled.push(...records.map(text)) });
    await waitFor(async () => (await committed()) === 2, 'bestätigt');
    expect(handled).toEqual(['ohne', 'ohne']);
  });

  it('retries a failing batch with growing pauses until it succeeds', async () => {
    const calls: number[] = [];
    await log.publish(topic, [event('goal-1', 'a'), event('goal-1', 'b')]);
    await consume({
      retry: { maxAttempts: 4, initialBackoffMs: 40, maxBackoffMs: 1000 },
      handle: async () => {
        calls.push(Date.now());
        if (calls.length < 3) throw new Error('vorübergehend');
      },
    });
    await waitFor(async () => (await committed()) === 2, 'nach Wiederholungen bestätigt');
    expect(calls).toHaveLength(3);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(35);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(75);
    expect(await readAll(`${topic}.dlq`)).toEqual([]);
  });

  it('moves a poison record to the dead-letter topic with its original bytes and the error, and goes on', async () => {
    const poison: LogRecord = { key: 'goal-2', value: Buffer.from([0x00, 0xde, 0xad, 0xbe, 0xef]), headers: { 'event-id': 'poison-1', 'event-type': 'TargetValueSet' } };
    await log.publish(topic, [event('goal-1', 'a'), event('goal-1', 'b'), poison, event('goal-3', 'c')]);
    const handled: string[] = [];
    const attemptsOnPoison: number[] = [];
    await consume({
      now: () => new Date('2025-05-05T05:05:05.000Z'),
      handle: async (records) => {
        if (records.some((r) => r.headers['event-id'] === 'poison-1')) {
          if (records.length === 1) attemptsOnPoison.push(1);
          throw new Error('Unbekannte Gebietskennziffer 99999999');
        }
        handled.push(...records.map(text));
      },
    });
    await waitFor(async () => (await committed()) === 4, 'weiter nach Giftdatensatz');

    expect(handled).toEqual(['a', 'b', 'c']);
    expect(attemptsOnPoison).toHaveLength(3);
    const dead = await readAll(`${topic}.dlq`);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.key).toBe('goal-2');
    expect(dead[0]!.value.equals(poison.value)).toBe(true);
    expect(dead[0]!.headers).toEqual({
      'event-id': 'poison-1',
      'event-type': 'TargetValueSet',
      [DEAD_LETTER_HEADERS.originalTopic]: topic,
      [DEAD_LETTER_HEADERS.originalPartition]: '0',
      [DEAD_LETTER_HEADERS.originalOffset]: '2',
      [DEAD_LETTER_HEADERS.consumerGroup]: group,
      [DEAD_LETTER_HEADERS.error]: 'Error: Unbekannte Gebietskennziffer 99999999',
      [DEAD_LETTER_HEADERS.attempts]: '3',
      [DEAD_LETTER_HEADERS.failedAt]: '2025-05-05T05:05:05.000Z',
    });
    // The dead letter counts as processed: a redelivery does not send it there again.
    expect(await createDocumentStoreProcessedEventIds({ documents, group }).processed(['poison-1'])).toEqual(new Set(['poison-1']));
  });

  it('sends a single failing record straight to a custom dead-letter topic', async () => {
    await log.publish(topic, [event('goal-1', 'kaputt')]);
    await consume({
      deadLetterTopic: (t) => `dlq.${t}`,
      handle: async () => {
        throw new Error('kaputt');
      },
    });
    await waitFor(async () => (await committed()) === 1, 'bestätigt');
    expect((await readAll(`dlq.${topic}`)).map(text)).toEqual(['kaputt']);
  });

  it('stop() cuts a retry pause short and commits nothing of the unfinished batch', async () => {
    await log.publish(topic, [event('goal-1', 'a')]);
    let calls = 0;
    const subscription = await consume({
      retry: { maxAttempts: 5, initialBackoffMs: 10_000, maxBackoffMs: 10_000 },
      handle: async () => {
        calls += 1;
        throw new Error('noch nicht');
      },
    });
    await waitFor(() => calls === 1, 'erster Versuch');
    const started = Date.now();
    await subscription.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toBe(1);
    expect(await committed()).toBe(0);
    expect(await readAll(`${topic}.dlq`)).toEqual([]);
  });

  it('stop() aborts a long handler through its signal: the batch is neither committed nor dead-lettered, and comes again on the next start', async () => {
    // One record: a failed batch of one goes straight to the dead letters, so this would show a stop taken for a failure.
    await log.publish(topic, [event('goal-1', 'gross')]);
    let started = false;
    const subscription = await consume({
      // One attempt only: were the abort taken for a failure, the batch would go to the dead letters.
      retry: { maxAttempts: 1, initialBackoffMs: 5, maxBackoffMs: 5 },
      handle: (_records, { signal }) =>
        new Promise<void>((_resolve, reject) => {
          started = true;
          // A handler that would run for a long time, giving up only when told to.
          signal.addEventListener('abort', () => reject(new Error('abgebrochen')), { once: true });
        }),
    });
    await waitFor(() => started, 'Handler läuft');
    await subscription.stop();
    expect(await committed()).toBe(0);
    expect(await readAll(`${topic}.dlq`)).toEqual([]);

    const handled: string[] = [];
    await consume({ handle: async (records) => void handled.push(...records.map(text)) });
    await waitFor(async () => (await committed()) === 1, 'nach dem Neustart bestätigt');
    expect(handled).toEqual(['gross']);
  });

  it('refuses to start without somewhere to keep processed event ids', async () => {
    await expect(runConsumer({ log, group, topics: [topic], handle: async () => undefined })).rejects.toThrow(/verarbeitete Ereignis-IDs/);
  });
});
