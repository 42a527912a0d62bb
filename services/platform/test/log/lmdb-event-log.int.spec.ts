import { lmdbEventLogHarness } from '../helpers/lmdb';
import { describeEventLogPort, record, text, uniqueName, waitFor } from '../suites/event-log';
import type { ConsumedRecord } from '../../src/ports/event-log';

describeEventLogPort('LMDB (eingebettet)', () => lmdbEventLogHarness());

describe('LMDB event log', () => {
  it('gives a topic to one subscription of a group at a time and hands it over on stop', async () => {
    const harness = await lmdbEventLogHarness();
    const { log } = harness;
    const topic = uniqueName('lagebild.test');
    const group = uniqueName('group');
    try {
      const seenA: ConsumedRecord[] = [];
      const seenB: ConsumedRecord[] = [];
      const a = await log.subscribe({ group, topics: [topic] }, async (batch) => void seenA.push(...batch));
      await log.publish(topic, [record('k', '1'), record('k', '2')]);
      await waitFor(() => seenA.length === 2, 'A erhält 1 und 2');
      const b = await log.subscribe({ group, topics: [topic] }, async (batch) => void seenB.push(...batch));
      await log.publish(topic, [record('k', '3')]);
      await waitFor(() => seenA.length === 3, 'A erhält 3');
      expect(seenB).toEqual([]);

      await a.stop();
      await log.publish(topic, [record('k', '4')]);
      await waitFor(() => seenB.length === 1, 'B übernimmt');
      await b.stop();
      expect(seenA.map(text)).toEqual(['1', '2', '3']);
      expect(seenB.map(text)).toEqual(['4']);
    } finally {
      await harness.cleanup();
    }
  });

  it('ends a batch once its records reach maxBatchBytes, below maxBatchSize, and still delivers every record once in order', async () => {
    const harness = await lmdbEventLogHarness({ maxBatchBytes: 1_000 });
    const topic = uniqueName('lagebild.test');
    try {
      await harness.log.publish(topic, Array.from({ length: 10 }, (_, i) => record('k', `${i}`.padEnd(400, '.'))));
      const batches: string[][] = [];
      const s = await harness.log.subscribe({ group: 'g', topics: [topic], maxBatchSize: 100 }, async (batch) => void batches.push(batch.map((r) => text(r).replace(/\.+$/, ''))));
      await waitFor(() => batches.flat().length === 10, 'alle zehn');
      await s.stop();
      // 400 bytes each: the third record reaches 1,000 bytes and ends the batch.
      expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
      expect(batches.flat()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    } finally {
      await harness.cleanup();
    }
  });

  it('stops open subscriptions on close', async () => {
    const harness = await lmdbEventLogHarness();
    const topic = uniqueName('lagebild.test');
    let finished = false;
    await harness.log.publish(topic, [record('k', '1')]);
    let started = false;
    await harness.log.subscribe({ group: 'g', topics: [topic] }, async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
      finished = true;
    });
    await waitFor(() => started, 'Stapel läuft');
    await harness.log.close();
    expect(finished).toBe(true);
    const reopened = await harness.reopen();
    expect(await reopened.committedOffsets('g', topic)).toEqual(new Map([[0, 1]]));
    await harness.cleanup();
  });
});
