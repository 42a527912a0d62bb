/**
 * Two processes share one data dir: the embedded adapters must behave across processes as
 * they do within one (LMDB serialises writers across processes; readers poll).
 */
import { join } from 'node:path';
import { createLmdbEventLog } from '../../src/log/lmdb-event-log';
import type { ConsumedRecord, EventLog } from '../../src/ports/event-log';
import { createLmdbEventStore } from '../../src/store/lmdb-event-store';
import { runFixture } from '../helpers/child';
import { removeDataDir, requireBuiltPackage, tempDataDir } from '../helpers/lmdb';
import { waitFor } from '../suites/event-log';

const fixture = (name: string) => join(__dirname, 'fixtures', name);

describe('two processes on one data dir', () => {
  let dir: string;
  let log: EventLog;

  beforeAll(() => {
    requireBuiltPackage();
  });

  beforeEach(async () => {
    dir = await tempDataDir();
    log = createLmdbEventLog({ path: dir, pollIntervalMs: 10 });
  });

  afterEach(async () => {
    await log.close();
    await removeDataDir(dir);
  });

  it('delivers what a child process publishes to a consumer in this process, in order, while both run', async () => {
    const received: ConsumedRecord[] = [];
    const subscription = await log.subscribe({ group: 'parent', topics: ['lagebild.x'] }, async (batch) => void received.push(...batch));
    const child = runFixture(fixture('producer.js'), [dir, 'lagebild.x', '3000', '100']);
    await waitFor(() => received.length >= 1, 'erste Datensätze aus dem Kindprozess');
    // Consumption started before the producer finished: the two really overlapped.
    const stillProducing = (await log.endOffsets('lagebild.x')).get(0)! < 3000;

    expect(await child.exited).toEqual({ code: 0, signal: null });
    await waitFor(() => received.length === 3000, '3000 Datensätze', 20_000);
    await subscription.stop();
    expect(received.map((r) => Number(r.value.toString()))).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(received[42]!.headers).toEqual({ 'event-id': 'id-42' });
    expect(stillProducing).toBe(true);
  });

  it('lets a child process consume and commit what this process publishes', async () => {
    const child = runFixture(fixture('consumer.js'), [dir, 'lagebild.y', 'child-group', '2000']);
    for (let start = 0; start < 2000; start += 200) {
      await log.publish('lagebild.y', Array.from({ length: 200 }, (_, i) => ({ key: 'k', value: Buffer.from(String(start + i)) })));
    }
    const summary = await child.waitForLine((line) => line.startsWith('{'), 'Zusammenfassung des Kindprozesses', 20_000);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(JSON.parse(summary)).toEqual({ received: 2000, inOrder: true });
    expect(await log.committedOffsets('child-group', 'lagebild.y')).toEqual(new Map([[0, 2000]]));
  });

  it('takes over the topic of a killed consumer process at once, without waiting for its session to expire', async () => {
    await log.publish('lagebild.z', Array.from({ length: 400 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)) })));
    const child = runFixture(fixture('consumer.js'), [dir, 'lagebild.z', 'shared-group', '0']);
    // The second batch starts only after the first was committed.
    await child.waitForLine(() => child.lines.filter((line) => line.startsWith('batch')).length >= 2, 'zweiter Stapel im Kindprozess');

    const received: ConsumedRecord[] = [];
    const subscription = await log.subscribe({ group: 'shared-group', topics: ['lagebild.z'] }, async (batch) => void received.push(...batch));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // While the child lives and holds the claim, this process receives nothing.
    expect(received).toEqual([]);
    child.process.kill('SIGKILL');
    await child.exited;
    const committedByChild = (await log.committedOffsets('shared-group', 'lagebild.z')).get(0) ?? 0;

    // The child's session timeout is 60 s; the takeover must not wait for it.
    await waitFor(() => received.length > 0 && received[received.length - 1]!.offset === 399, 'Übernahme durch diesen Prozess', 5_000);
    await subscription.stop();
    expect(received[0]!.offset).toBe(committedByChild);
    expect(committedByChild).toBeGreaterThan(0);
  });

  it('never lets two processes append the same stream version: exact expected versions serialise them', async () => {
    const a = runFixture(fixture('appender.js'), [dir, 'counter-1', '150', 'a']);
    const b = runFixture(fixture('appender.js'), [dir, 'counter-1', '150', 'b']);
    const [exitA, exitB] = await Promise.all([a.exited, b.exited]);
    expect(exitA).toEqual({ code: 0, signal: null });
    expect(exitB).toEqual({ code: 0, signal: null });
    const idsA = (JSON.parse(a.lines[0]!) as { ids: string[] }).ids;
    const idsB = (JSON.parse(b.lines[0]!) as { ids: string[] }).ids;

    const store = createLmdbEventStore({ path: dir });
    try {
      const events = await store.readStream('counter-1');
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      expect(new Set(events.map((e) => e.id))).toEqual(new Set([...idsA, ...idsB]));
      expect((await store.readAll()).map((e) => e.position)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    } finally {
      await store.close();
    }
  });
});
