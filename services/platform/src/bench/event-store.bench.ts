import { open } from 'lmdb';
import { LMDB_ENVIRONMENT_OPTIONS, openLmdbEnvironment } from '../lmdb/environment';
import type { NewEvent } from '../ports/event-store';
import { createLmdbEventStore, lmdbEventStoreLayout } from '../store/lmdb-event-store';
import { makeNewEvents } from './fixtures';
import { compare, perSecond, withTempDir, type BenchResult } from './measure';

export interface EventStoreBenchOptions {
  events?: number;
  batchSize?: number;
  rounds?: number;
}

/**
 * Embedded EventStore, batched appends (one stream per batch, exact expected version, each
 * append awaited until flushed to disk), against raw LMDB puts of exactly the bytes the store
 * wrote for those events, with the same keys, batches, environment options and flush waits.
 * The store's figure includes what the baseline does not: encoding the events, the version
 * check, position assignment and the stream index.
 */
export async function benchEventStoreAppend(options: EventStoreBenchOptions = {}): Promise<BenchResult> {
  const count = options.events ?? 100_000;
  const batchSize = options.batchSize ?? 1000;
  const events = makeNewEvents(count);
  let bytes: Buffer[] = [];

  async function measure(): Promise<number> {
    return withTempDir(async (dir) => {
      const store = createLmdbEventStore({ path: dir });
      const batches: NewEvent[][] = [];
      for (let i = 0; i < count; i += batchSize) batches.push(events.slice(i, i + batchSize));
      const started = performance.now();
      for (let b = 0; b < batches.length; b += 1) {
        await store.appendToStream(`delivery-${b}`, batches[b]!, { expectedVersion: 'no_stream' });
      }
      const elapsed = performance.now() - started;
      if (bytes.length === 0) bytes = storedBytes(dir, count);
      await store.close();
      return perSecond(count, elapsed);
    });
  }

  async function baseline(): Promise<number> {
    return withTempDir(async (dir) => {
      const root = open(dir, LMDB_ENVIRONMENT_OPTIONS);
      const db = root.openDB('raw', { encoding: 'binary' });
      const started = performance.now();
      for (let first = 0; first < count; first += batchSize) {
        let last: Promise<boolean> | undefined;
        for (let i = first; i < Math.min(count, first + batchSize); i += 1) last = db.put(i + 1, bytes[i]!);
        await last;
        await root.flushed;
      }
      const elapsed = performance.now() - started;
      await root.close();
      return perSecond(count, elapsed);
    });
  }

  return compare({
    name: 'EventStore: Anhängen (Stapel)',
    baselineName: 'LMDB-Puts derselben Bytes',
    unit: 'Ereignisse/s',
    rounds: options.rounds ?? 3,
    targetRatio: 0.5,
    targetAbsolute: 100_000,
    measure,
    baseline,
  });
}

/** The exact bytes the store wrote for each event, read back from its sub-database. */
function storedBytes(dir: string, count: number): Buffer[] {
  const env = openLmdbEnvironment(dir);
  try {
    const db = env.database<unknown, number>(lmdbEventStoreLayout.eventsDb);
    const result: Buffer[] = [];
    for (let position = 1; position <= count; position += 1) {
      const value = db.getBinary(position);
      if (!value) throw new Error(`Ereignis ${position} fehlt im Benchmark-Speicher.`);
      result.push(Buffer.from(value));
    }
    return result;
  } finally {
    void env.release();
  }
}
