import { open } from 'lmdb';
import { LMDB_ENVIRONMENT_OPTIONS, openLmdbEnvironment } from '../lmdb/environment';
import type { NewEvent } from '../ports/event-store';
import { createLmdbEventStore, lmdbEventStoreLayout } from '../store/lmdb-event-store';
import { makeNewEvents, makeObservationBatches } from './fixtures';
import { compare, perSecond, withTempDir, type BenchResult } from './measure';

export interface EventStoreBenchOptions {
  events?: number;
  batchSize?: number;
  rounds?: number;
}

export interface LargeEventsBenchOptions {
  observations?: number;
  /** Observations per event. */
  perEvent?: number;
  /** Events per append. */
  eventsPerAppend?: number;
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
  const batches: NewEvent[][] = [];
  for (let i = 0; i < count; i += batchSize) batches.push(events.slice(i, i + batchSize));
  return compareWithRawPuts({
    name: 'EventStore: Anhängen (Stapel)',
    unit: 'Ereignisse/s',
    batches,
    streamOf: (b) => `delivery-${b}`,
    units: count,
    rounds: options.rounds ?? 3,
    targetAbsolute: 100_000,
  });
}

/**
 * Embedded EventStore, large events as a delivery appends them: ObservationsRecorded events of
 * 5,000 observations each, 50 of them (250,000 observations) per append to one stream, each
 * append with the exact expected version and awaited until flushed. Baseline: raw LMDB puts of
 * exactly the bytes the store wrote, in the same appends. Counted in observations; the absolute
 * target is the ingestion's (TARGETS.md), whose deliveries go through this path.
 */
export async function benchEventStoreAppendLargeEvents(options: LargeEventsBenchOptions = {}): Promise<BenchResult> {
  const observations = options.observations ?? 500_000;
  const perEvent = options.perEvent ?? 5000;
  const eventsPerAppend = options.eventsPerAppend ?? 50;
  const events = makeObservationBatches(observations, perEvent);
  const batches: NewEvent[][] = [];
  for (let i = 0; i < events.length; i += eventsPerAppend) batches.push(events.slice(i, i + eventsPerAppend));
  return compareWithRawPuts({
    name: `EventStore: Anhängen großer Ereignisse (${perEvent.toLocaleString('de-DE')} Beobachtungen je Ereignis)`,
    unit: 'Beobachtungen/s',
    batches,
    streamOf: () => 'delivery-bench',
    units: observations,
    rounds: options.rounds ?? 3,
    targetAbsolute: 300_000,
  });
}

/**
 * Appends `batches` in order (batch b to `streamOf(b)`, with the stream's exact version) and
 * compares with raw puts of the same bytes under the same keys, batches and flush waits.
 */
async function compareWithRawPuts(options: {
  name: string;
  unit: string;
  batches: readonly NewEvent[][];
  streamOf: (batch: number) => string;
  /** What the throughput counts (events or observations) over all batches. */
  units: number;
  rounds: number;
  targetAbsolute: number;
}): Promise<BenchResult> {
  const { batches, streamOf, units } = options;
  const count = batches.reduce((sum, batch) => sum + batch.length, 0);
  let bytes: Buffer[] = [];

  async function measure(): Promise<number> {
    return withTempDir(async (dir) => {
      const store = createLmdbEventStore({ path: dir });
      const versions = new Map<string, number>();
      const started = performance.now();
      for (let b = 0; b < batches.length; b += 1) {
        const stream = streamOf(b);
        const version = versions.get(stream) ?? 0;
        const result = await store.appendToStream(stream, batches[b]!, { expectedVersion: version === 0 ? 'no_stream' : version });
        versions.set(stream, result.nextExpectedVersion);
      }
      const elapsed = performance.now() - started;
      if (bytes.length === 0) bytes = storedBytes(dir, count);
      await store.close();
      return perSecond(units, elapsed);
    });
  }

  async function baseline(): Promise<number> {
    return withTempDir(async (dir) => {
      const root = open(dir, LMDB_ENVIRONMENT_OPTIONS);
      const db = root.openDB('raw', { encoding: 'binary' });
      const started = performance.now();
      let position = 0;
      for (const batch of batches) {
        let last: Promise<boolean> | undefined;
        for (let i = 0; i < batch.length; i += 1) {
          position += 1;
          last = db.put(position, bytes[position - 1]!);
        }
        await last;
        await root.flushed;
      }
      const elapsed = performance.now() - started;
      await root.close();
      return perSecond(units, elapsed);
    });
  }

  return compare({
    name: options.name,
    baselineName: 'LMDB-Puts derselben Bytes',
    unit: options.unit,
    rounds: options.rounds,
    targetRatio: 0.5,
    targetAbsolute: options.targetAbsolute,
    measure,
    baseline,
  });
}

/** The exact bytes the store wrote for each event, read back from its sub-database. */
function storedBytes(dir: string, count: number): Buffer[] {
  const env = openLmdbEnvironment(dir);
  try {
    const db = env.database<Buffer, number>(lmdbEventStoreLayout.eventsDb, { binary: true });
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
