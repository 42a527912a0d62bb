/**
 * The EventLog port suite: every adapter (LMDB now, Kafka later) runs exactly these tests.
 * Topic and group names are unique per test, so an adapter over a shared broker needs no
 * cleanup between tests. Assertions sum offsets over partitions where the adapter may have
 * several (the embedded log has one, partition 0).
 */
import { randomUUID } from 'node:crypto';
import type { BatchHandler, ConsumedRecord, EventLog, LogRecord, SubscribeOptions, Subscription } from '../../src/ports/event-log';
import type { PortSuiteOptions } from './event-store';

export interface EventLogHarness {
  /** The adapter under test. */
  log: EventLog;
  /** Another adapter instance over the same storage or cluster (as after a restart). */
  reopen(): Promise<EventLog>;
  /** Close every instance and remove the storage. */
  cleanup(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function record(key: string, text: string, headers?: Record<string, string>): LogRecord {
  return { key, value: Buffer.from(text, 'utf8'), ...(headers && { headers }) };
}

export function text(consumed: ConsumedRecord): string {
  return consumed.value.toString('utf8');
}

/** Polls until `condition` holds; fails with `what` after the timeout. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Zeitüberschreitung beim Warten auf: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function sum(offsets: Map<number, number>): number {
  let total = 0;
  for (const offset of offsets.values()) total += offset;
  return total;
}

/** Subscribes and collects every delivered record (also redeliveries) in delivery order. */
async function collect(log: EventLog, options: SubscribeOptions, onBatch?: BatchHandler): Promise<{ records: ConsumedRecord[]; batches: ConsumedRecord[][]; subscription: Subscription }> {
  const records: ConsumedRecord[] = [];
  const batches: ConsumedRecord[][] = [];
  const subscription = await log.subscribe(options, async (batch) => {
    if (onBatch) await onBatch(batch);
    batches.push([...batch]);
    records.push(...batch);
  });
  return { records, batches, subscription };
}

export function describeEventLogPort(adapter: string, makeHarness: () => Promise<EventLogHarness>, options: PortSuiteOptions = {}): void {
  const describeOrSkip = options.skipReason ? describe.skip : describe;
  describeOrSkip(`EventLog port: ${adapter}${options.skipReason ? ` (übersprungen: ${options.skipReason})` : ''}`, () => {
    let harness: EventLogHarness;
    let log: EventLog;
    let topic: string;
    let group: string;

    beforeEach(async () => {
      harness = await makeHarness();
      log = harness.log;
      topic = uniqueName('lagebild.test');
      group = uniqueName('group');
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    it('delivers published records in order with key, value bytes, headers, offset and timestamp', async () => {
      const before = Date.now();
      await log.publish(topic, [record('goal-1', 'eins', { 'event-id': 'e1', 'event-type': 'GoalCreated' }), record('goal-1', 'zwei'), record('goal-2', 'drei')]);
      const binary = Buffer.from([0xc3, 0x01, 0x00, 0xff, 0x7f]);
      await log.publish(topic, [{ key: 'goal-1', value: binary }]);

      const { records, subscription } = await collect(log, { group, topics: [topic] });
      await waitFor(() => records.length === 4, '4 Datensätze');
      await subscription.stop();

      expect(records.map(text).slice(0, 3)).toEqual(['eins', 'zwei', 'drei']);
      expect(records[3]!.value.equals(binary)).toBe(true);
      expect(records.map((r) => r.key)).toEqual(['goal-1', 'goal-1', 'goal-2', 'goal-1']);
      expect(records[0]!.headers).toEqual({ 'event-id': 'e1', 'event-type': 'GoalCreated' });
      expect(records[1]!.headers).toEqual({});
      for (const r of records) {
        expect(r.topic).toBe(topic);
        expect(r.timestamp).toBeGreaterThanOrEqual(before - 1000);
        expect(r.timestamp).toBeLessThanOrEqual(Date.now() + 1000);
      }
      // Within a partition, offsets increase; per key, the order of publishing is kept.
      const goal1 = records.filter((r) => r.key === 'goal-1');
      expect(goal1.map((r) => r.offset)).toEqual([...goal1.map((r) => r.offset)].sort((a, b) => a - b));
    });

    it('reports end offsets and the committed offsets of a group', async () => {
      await log.publish(topic, [record('k', '1'), record('k', '2'), record('k', '3')]);
      expect(sum(await log.endOffsets(topic))).toBe(3);
      expect(sum(await log.committedOffsets(group, topic))).toBe(0);

      const { records, subscription } = await collect(log, { group, topics: [topic] });
      await waitFor(() => records.length === 3, '3 Datensätze');
      await waitFor(async () => sum(await log.committedOffsets(group, topic)) === 3, 'bestätigte Offsets');
      await subscription.stop();
    });

    it('lets every consumer group receive every record, with offsets kept per group', async () => {
      await log.publish(topic, [record('k', 'a'), record('k', 'b')]);
      const first = await collect(log, { group, topics: [topic] });
      const second = await collect(log, { group: uniqueName('other-group'), topics: [topic] });
      await waitFor(() => first.records.length === 2 && second.records.length === 2, 'beide Gruppen');
      await first.subscription.stop();

      await log.publish(topic, [record('k', 'c')]);
      await waitFor(() => second.records.length === 3, 'zweite Gruppe erhält c');
      await second.subscription.stop();
      expect(first.records.map(text)).toEqual(['a', 'b']);
      expect(second.records.map(text)).toEqual(['a', 'b', 'c']);
    });

    it('continues after the committed offset when the group subscribes again, also on a reopened adapter', async () => {
      await log.publish(topic, [record('k', '1'), record('k', '2')]);
      const first = await collect(log, { group, topics: [topic] });
      await waitFor(() => first.records.length === 2, 'erste zwei');
      await first.subscription.stop();

      await log.publish(topic, [record('k', '3')]);
      await log.close();
      const reopened = await harness.reopen();
      expect(sum(await reopened.committedOffsets(group, topic))).toBe(2);
      const second = await collect(reopened, { group, topics: [topic] });
      await waitFor(() => second.records.length === 1, 'dritter Datensatz');
      await second.subscription.stop();
      expect(second.records.map(text)).toEqual(['3']);
    });

    it('redelivers a batch whose handler rejected and commits nothing of it until it succeeds', async () => {
      await log.publish(topic, [record('k', '1'), record('k', '2')]);
      let calls = 0;
      const committedBeforeRetry: number[] = [];
      const { records, subscription } = await collect(log, { group, topics: [topic] }, async () => {
        calls += 1;
        if (calls === 1) throw new Error('Datenbank kurz nicht erreichbar');
        committedBeforeRetry.push(sum(await log.committedOffsets(group, topic)));
      });
      await waitFor(() => records.length === 2, 'erneute Zustellung');
      await waitFor(async () => sum(await log.committedOffsets(group, topic)) === 2, 'Offset nach Erfolg');
      await subscription.stop();
      expect(calls).toBe(2);
      expect(committedBeforeRetry).toEqual([0]);
      expect(records.map(text)).toEqual(['1', '2']);
    });

    it('stop() lets the running batch finish and commits it before resolving', async () => {
      await log.publish(topic, [record('k', '1'), record('k', '2')]);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started = false;
      let finished = false;
      const subscription = await log.subscribe({ group, topics: [topic] }, async () => {
        started = true;
        await gate;
        finished = true;
      });
      await waitFor(() => started, 'Stapel läuft');

      let stopped = false;
      const stopping = subscription.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(finished).toBe(true);
      expect(sum(await log.committedOffsets(group, topic))).toBe(2);
    });

    it('delivers nothing after stop() resolved', async () => {
      const { records, subscription } = await collect(log, { group, topics: [topic] });
      await subscription.stop();
      await log.publish(topic, [record('k', 'spät')]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(records).toEqual([]);
    });

    it('starts at the end for a new group when fromBeginning is false', async () => {
      await log.publish(topic, [record('k', 'alt')]);
      const { records, subscription } = await collect(log, { group, topics: [topic], fromBeginning: false });
      await log.publish(topic, [record('k', 'neu')]);
      await waitFor(() => records.length === 1, 'neuer Datensatz');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await subscription.stop();
      expect(records.map(text)).toEqual(['neu']);
    });

    it('hands out at most maxBatchSize records per batch', async () => {
      await log.publish(
        topic,
        Array.from({ length: 25 }, (_, i) => record('k', String(i))),
      );
      const { records, batches, subscription } = await collect(log, { group, topics: [topic], maxBatchSize: 10 });
      await waitFor(() => records.length === 25, '25 Datensätze');
      await subscription.stop();
      expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(10);
      expect(records.map(text)).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
    });

    it('consumes several topics, each batch from one topic in order', async () => {
      const other = uniqueName('lagebild.test');
      await log.publish(topic, [record('k', 'a1'), record('k', 'a2')]);
      await log.publish(other, [record('k', 'b1')]);
      const { records, batches, subscription } = await collect(log, { group, topics: [topic, other] });
      await waitFor(() => records.length === 3, 'beide Topics');
      await subscription.stop();
      for (const batch of batches) expect(new Set(batch.map((r) => r.topic)).size).toBe(1);
      expect(records.filter((r) => r.topic === topic).map(text)).toEqual(['a1', 'a2']);
      expect(records.filter((r) => r.topic === other).map(text)).toEqual(['b1']);
    });

    it('publishes nothing for an empty list and refuses malformed records', async () => {
      await log.publish(topic, []);
      await expect(log.publish(topic, [{ key: 'k', value: 'kein Buffer' as unknown as Buffer }])).rejects.toThrow(/Bytes/);
      await expect(log.publish('', [record('k', 'x')])).rejects.toThrow(/Topic-Name/);
      expect(sum(await log.endOffsets(topic))).toBe(0);
    });
  });
}
