import { openLmdbEnvironment } from '../../src/lmdb/environment';
import { createLmdbEventStore, lmdbEventStoreLayout } from '../../src/store/lmdb-event-store';
import { lmdbEventStoreHarness, removeDataDir, tempDataDir } from '../helpers/lmdb';
import { describeEventStorePort, newEvent } from '../suites/event-store';
import { FORMAT_1_EVENT, FORMAT_1_EVENT_HEX } from './fixtures/format-1';

describeEventStorePort('LMDB (eingebettet)', () => lmdbEventStoreHarness());

describe('LMDB event store', () => {
  it('stamps recordedAt from the injected clock', async () => {
    const dir = await tempDataDir();
    const store = createLmdbEventStore({ path: dir, now: () => new Date('2025-06-30T12:00:00.000Z') });
    try {
      await store.appendToStream('goal-1', [newEvent(), newEvent()]);
      expect((await store.readAll()).map((e) => e.recordedAt)).toEqual(['2025-06-30T12:00:00.000Z', '2025-06-30T12:00:00.000Z']);
    } finally {
      await store.close();
      await removeDataDir(dir);
    }
  });

  it('shares one environment between two store instances of one process', async () => {
    const dir = await tempDataDir();
    const a = createLmdbEventStore({ path: dir });
    const b = createLmdbEventStore({ path: dir });
    try {
      await a.appendToStream('goal-1', [newEvent()], { expectedVersion: 'no_stream' });
      await expect(b.appendToStream('goal-1', [newEvent()], { expectedVersion: 'no_stream' })).rejects.toMatchObject({ actual: 1 });
      await a.close();
      // Closing one instance leaves the other working.
      await expect(b.readStream('goal-1')).resolves.toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
      await removeDataDir(dir);
    }
  });

  it('reads a stream the format-1 store wrote and appends after it', async () => {
    const dir = await tempDataDir();
    const env = openLmdbEnvironment(dir);
    await env.database<Buffer, number>(lmdbEventStoreLayout.eventsDb, { binary: true }).put(1, Buffer.from(FORMAT_1_EVENT_HEX, 'hex'));
    await env.database<[number, number], [string, number]>(lmdbEventStoreLayout.rangesDb).put(['goal-1', 1], [1, 1]);
    await env.flushed();
    const store = createLmdbEventStore({ path: dir });
    try {
      expect(await store.readStream('goal-1')).toEqual([FORMAT_1_EVENT]);
      const next = newEvent();
      await expect(store.appendToStream('goal-1', [next], { expectedVersion: 1 })).resolves.toEqual({ nextExpectedVersion: 2, lastPosition: 2 });
      expect(await store.readAll()).toEqual([FORMAT_1_EVENT, expect.objectContaining({ id: next.id, data: next.data, stream: 'goal-1', version: 2, position: 2 })]);
    } finally {
      await store.close();
      await env.release();
      await removeDataDir(dir);
    }
  });

  it('refuses use after close with a German message', async () => {
    const dir = await tempDataDir();
    const store = createLmdbEventStore({ path: dir });
    await store.close();
    await expect(store.readAll()).rejects.toThrow(/bereits geschlossen/);
    await removeDataDir(dir);
  });
});
