/**
 * The Kafka event log against a real broker: the EventLog port suite plus Kafka-specific
 * behaviour. Runs where KAFKA_BROKERS points at a cluster (e.g. `KAFKA_BROKERS=localhost:9092`);
 * elsewhere those tests are reported as skipped, never as passed. The Schema Registry test also
 * needs SCHEMA_REGISTRY_URL. For quick group joins, run the test broker with
 * group.initial.rebalance.delay.ms=0.
 *
 * What needs no broker runs everywhere: kafkajs is loaded only when an event log is created,
 * and an unreachable cluster is reported in German.
 */
import { randomUUID } from 'node:crypto';
// The whole platform, as a service imports it: kafkajs must not come with it.
import { createInMemoryProcessedEventIds, createKafkaEventLog, DEAD_LETTER_HEADERS, runConsumer, type KafkaEventLogOptions } from '../../src';
import type { ConsumedRecord, EventLog } from '../../src/ports/event-log';
import { describeEventLogPort, record, text, uniqueName, waitFor, type EventLogHarness } from '../suites/event-log';

/** Notes when kafkajs is first required (on the test file's global, set up before any import); it stays the real module. */
jest.mock('kafkajs', () => {
  (globalThis as { kafkajsRequired?: boolean }).kafkajsRequired = true;
  return jest.requireActual('kafkajs');
});
const kafkajsRequired = () => (globalThis as { kafkajsRequired?: boolean }).kafkajsRequired === true;

const brokers = process.env.KAFKA_BROKERS?.split(',')
  .map((broker) => broker.trim())
  .filter((broker) => broker.length > 0);
const skipReason = brokers && brokers.length > 0 ? undefined : 'KAFKA_BROKERS nicht gesetzt — Kafka ist auf dieser Maschine nicht installierbar';
const registryUrl = process.env.SCHEMA_REGISTRY_URL;
if (skipReason) console.warn(`Kafka-Tests übersprungen: ${skipReason}`);
else if (!registryUrl) console.warn('Schema-Registry-Test übersprungen: SCHEMA_REGISTRY_URL nicht gesetzt.');

async function kafkaHarness(overrides: Partial<KafkaEventLogOptions> = {}): Promise<EventLogHarness> {
  const opened: EventLog[] = [];
  const open = async () => {
    const log = await createKafkaEventLog({
      brokers: brokers!,
      clientId: 'lagebild-platform-test',
      // One partition: the port suite asserts delivery order across keys, which Kafka keeps
      // only within a partition. Partitioned behaviour has its own tests below.
      topicPartitions: 1,
      redeliveryDelayMs: 50,
      batch: { lingerMs: 1 },
      ...overrides,
    });
    opened.push(log);
    return log;
  };
  const log = await open();
  return {
    log,
    reopen: open,
    async cleanup() {
      for (const instance of opened) await instance.close();
    },
  };
}

function sum(offsets: Map<number, number>): number {
  return [...offsets.values()].reduce((a, b) => a + b, 0);
}

describe('Kafka event log without a broker', () => {
  it('loads kafkajs when an event log is created, not when the platform is imported', async () => {
    expect(kafkajsRequired()).toBe(false);
    await createKafkaEventLog({ brokers: ['127.0.0.1:1'], clientId: 'lagebild-test', retries: 0 }).catch(() => undefined);
    expect(kafkajsRequired()).toBe(true);
  });

  it('reports unreachable brokers in German, naming them, as retriable', async () => {
    const error = await createKafkaEventLog({ brokers: ['127.0.0.1:1'], clientId: 'lagebild-test', retries: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KAFKA_EVENT_LOG', retriable: true });
    expect((error as Error).message).toMatch(/^Kafka ist unter 127\.0\.0\.1:1 nicht erreichbar \(.+\)\. KAFKA_BROKERS prüfen und ob die Broker laufen\.$/);
  });

  it('refuses a schema registry without a schema catalog before connecting', async () => {
    await expect(createKafkaEventLog({ brokers: ['127.0.0.1:1'], clientId: 'x', schemaRegistryUrl: 'http://registry:8081' })).rejects.toThrow(/Schema-Katalog/);
  });
});

describeEventLogPort('Kafka', () => kafkaHarness(), skipReason ? { skipReason } : {});

(skipReason ? describe.skip : describe)(`Kafka event log${skipReason ? ` (übersprungen: ${skipReason})` : ''}`, () => {
  let harness: EventLogHarness;
  afterEach(async () => {
    await harness?.cleanup();
  });

  it('creates a subscribed topic and its dead-letter topic with the configured partitions', async () => {
    harness = await kafkaHarness({ topicPartitions: 3 });
    const topic = uniqueName('lagebild.test');
    const subscription = await harness.log.subscribe({ group: uniqueName('group'), topics: [topic] }, async () => undefined);
    await subscription.stop();
    expect([...(await harness.log.endOffsets(topic)).keys()].sort()).toEqual([0, 1, 2]);
    expect([...(await harness.log.endOffsets(`${topic}.dlq`)).keys()].sort()).toEqual([0, 1, 2]);
  });

  it('keeps the order per key across partitions and commits every partition', async () => {
    harness = await kafkaHarness({ topicPartitions: 3 });
    const topic = uniqueName('lagebild.test');
    const group = uniqueName('group');
    const keys = ['goal-1', 'goal-2', 'goal-3', 'goal-4', 'goal-5'];
    const published = keys.flatMap((key) => Array.from({ length: 6 }, (_, i) => record(key, `${key}/${i}`)));
    // Interleaved over several publishes, as a relay publishes round after round.
    for (let round = 0; round < 6; round += 1) await harness.log.publish(topic, published.filter((_, i) => i % 6 === round));

    const seen: ConsumedRecord[] = [];
    const partitionsPerBatch: number[] = [];
    const subscription = await harness.log.subscribe({ group, topics: [topic], maxBatchSize: 4 }, async (batch) => {
      partitionsPerBatch.push(new Set(batch.map((r) => r.partition)).size);
      seen.push(...batch);
    });
    await waitFor(() => seen.length === 30, '30 Datensätze');
    await waitFor(async () => sum(await harness.log.committedOffsets(group, topic)) === 30, 'alle Partitionen bestätigt');
    await subscription.stop();
    expect(Math.max(...partitionsPerBatch)).toBe(1);
    for (const key of keys) {
      expect(seen.filter((r) => r.key === key).map(text)).toEqual(published.filter((r) => r.key === key).map((r) => r.value.toString()));
    }
    expect(await harness.log.committedOffsets(group, topic)).toEqual(await harness.log.endOffsets(topic));
  });

  it('hands a record that keeps failing to the dead-letter topic through the consumer runner, with attempt headers', async () => {
    harness = await kafkaHarness();
    const topic = uniqueName('lagebild.test');
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await harness.log.publish(topic, [record('goal-1', 'kaputt', { 'event-id': randomUUID(), traceparent })]);
    const consumer = await runConsumer({
      log: harness.log,
      group: uniqueName('group'),
      topics: [topic],
      idempotency: createInMemoryProcessedEventIds(),
      retry: { maxAttempts: 2, initialBackoffMs: 1, maxBackoffMs: 1 },
      handle: async () => {
        throw new Error('Daten passen nicht');
      },
    });
    const dead: ConsumedRecord[] = [];
    const reader = await harness.log.subscribe({ group: uniqueName('reader'), topics: [`${topic}.dlq`] }, async (batch) => void dead.push(...batch));
    await waitFor(() => dead.length === 1, 'Dead Letter');
    await consumer.stop();
    await reader.stop();
    expect(text(dead[0]!)).toBe('kaputt');
    expect(dead[0]!.headers).toMatchObject({
      traceparent,
      [DEAD_LETTER_HEADERS.originalTopic]: topic,
      [DEAD_LETTER_HEADERS.attempts]: '2',
      [DEAD_LETTER_HEADERS.error]: 'Error: Daten passen nicht',
    });
  });

  it('delivers a record published while a long handler call runs, without losing the member its session', async () => {
    harness = await kafkaHarness({ sessionTimeoutMs: 6000 });
    const topic = uniqueName('lagebild.test');
    const group = uniqueName('group');
    await harness.log.publish(topic, [record('k', 'lang')]);
    const seen: string[] = [];
    const subscription = await harness.log.subscribe({ group, topics: [topic] }, async (batch) => {
      // Longer than the session timeout: only the heartbeats during the call keep the member.
      if (batch.some((r) => text(r) === 'lang')) await new Promise((resolve) => setTimeout(resolve, 9000));
      seen.push(...batch.map(text));
    });
    await waitFor(() => seen.length === 1, 'langer Stapel', 20_000);
    await harness.log.publish(topic, [record('k', 'danach')]);
    await waitFor(() => seen.length === 2, 'nächster Datensatz', 20_000);
    await subscription.stop();
    // Delivered once: a lost session would have redelivered the long batch after a rebalance.
    expect(seen).toEqual(['lang', 'danach']);
  });
});

(skipReason || !registryUrl ? describe.skip : describe)('Kafka event log with a Confluent Schema Registry', () => {
  it('writes values in the Confluent wire format on the topic and hands consumers the single-object bytes back', async () => {
    const schema = JSON.stringify({ type: 'record', name: `Probe${randomUUID().replace(/-/g, '')}`, namespace: 'de.lagebild.test', fields: [{ name: 'n', type: 'int' }] });
    const fingerprint = 0x0123456789abcdefn;
    const catalog = {
      schemaOf: (fp: bigint) => (fp === fingerprint ? schema : undefined),
      fingerprintOf: (text: string) => {
        if ((JSON.parse(text) as { name?: string }).name !== (JSON.parse(schema) as { name: string }).name) throw new Error('fremdes Schema');
        return fingerprint;
      },
    };
    const value = Buffer.alloc(11);
    value[0] = 0xc3;
    value[1] = 0x01;
    value.writeBigUInt64LE(fingerprint, 2);
    value[10] = 0x54; // zig-zag 42

    const registered = await kafkaHarness({ schemaRegistryUrl: registryUrl!, schemaCatalog: catalog });
    const plain = await kafkaHarness();
    try {
      const topic = uniqueName('lagebild.test');
      await registered.log.publish(topic, [{ key: 'k', value }]);

      const viaRegistry: ConsumedRecord[] = [];
      const raw: ConsumedRecord[] = [];
      const a = await registered.log.subscribe({ group: uniqueName('group'), topics: [topic] }, async (batch) => void viaRegistry.push(...batch));
      const b = await plain.log.subscribe({ group: uniqueName('group'), topics: [topic] }, async (batch) => void raw.push(...batch));
      await waitFor(() => viaRegistry.length === 1 && raw.length === 1, 'beide Leser');
      await a.stop();
      await b.stop();
      expect(viaRegistry[0]!.value.equals(value)).toBe(true);
      expect(raw[0]!.value[0]).toBe(0);
      expect(raw[0]!.value.subarray(5).equals(value.subarray(10))).toBe(true);
    } finally {
      await registered.cleanup();
      await plain.cleanup();
    }
  });
});
