import { open } from 'lmdb';
import { LMDB_ENVIRONMENT_OPTIONS } from '../lmdb/environment';
import { createLmdbEventLog } from '../log/lmdb-event-log';
import type { LogRecord } from '../ports/event-log';
import { makeObservations, observationRecordedType, type ObservationRecorded } from './fixtures';
import { compare, perSecond, withTempDir, type BenchResult } from './measure';

export interface EventLogBenchOptions {
  records?: number;
  batchSize?: number;
  rounds?: number;
}

/**
 * Embedded EventLog, publish + consume: Avro-encode each record, publish in batches (each
 * awaited until flushed), and a subscription of the same process receives every record and
 * decodes it, committing its offset per batch. Timed from the first encode until the consumer
 * has decoded the last record. Baseline: the same records Avro-encoded, put into LMDB in the
 * same batches with the same environment options and flush waits, read back and decoded. The
 * log additionally stores key, headers and timestamp, assigns offsets and commits consumer
 * offsets.
 */
export async function benchEventLogPublishConsume(options: EventLogBenchOptions = {}): Promise<BenchResult> {
  const count = options.records ?? 100_000;
  const batchSize = options.batchSize ?? 1000;
  const observations = makeObservations(count, batchSize);

  async function measure(): Promise<number> {
    return withTempDir(async (dir) => {
      const log = createLmdbEventLog({ path: dir });
      let consumed = 0;
      let checksum = 0;
      let done!: () => void;
      const allConsumed = new Promise<void>((resolve) => (done = resolve));
      const started = performance.now();
      const subscription = await log.subscribe({ group: 'bench', topics: ['lagebild.bench'], maxBatchSize: batchSize }, async (batch) => {
        for (const record of batch) {
          const decoded = observationRecordedType.fromBuffer(record.value) as ObservationRecorded;
          checksum += decoded.version;
        }
        consumed += batch.length;
        if (consumed >= count) done();
      });
      for (let first = 0; first < count; first += batchSize) {
        const records: LogRecord[] = [];
        for (let i = first; i < Math.min(count, first + batchSize); i += 1) {
          const observation = observations[i]!;
          records.push({
            key: observation.stream,
            value: observationRecordedType.toBuffer(observation),
            headers: { 'event-id': observation.id, 'event-type': observation.type, tenant: observation.tenant },
          });
        }
        await log.publish('lagebild.bench', records);
      }
      await allConsumed;
      const elapsed = performance.now() - started;
      await subscription.stop();
      await log.close();
      assertChecksum(checksum, observations);
      return perSecond(count, elapsed);
    });
  }

  async function baseline(): Promise<number> {
    return withTempDir(async (dir) => {
      const root = open(dir, LMDB_ENVIRONMENT_OPTIONS);
      const db = root.openDB('raw', { encoding: 'binary' });
      let checksum = 0;
      const started = performance.now();
      for (let first = 0; first < count; first += batchSize) {
        let last: Promise<boolean> | undefined;
        for (let i = first; i < Math.min(count, first + batchSize); i += 1) last = db.put(i, observationRecordedType.toBuffer(observations[i]!));
        await last;
        await root.flushed;
      }
      for (const { value } of db.getRange({})) {
        const decoded = observationRecordedType.fromBuffer(value as Buffer) as ObservationRecorded;
        checksum += decoded.version;
      }
      const elapsed = performance.now() - started;
      await root.close();
      assertChecksum(checksum, observations);
      return perSecond(count, elapsed);
    });
  }

  return compare({
    name: 'EventLog: Veröffentlichen + Konsumieren',
    baselineName: 'avsc-Kodierung + LMDB-Put + Lesen + Dekodierung',
    unit: 'Datensätze/s',
    rounds: options.rounds ?? 3,
    targetRatio: 0.5,
    targetAbsolute: 100_000,
    measure,
    baseline,
  });
}

/** Both sides must really have decoded every record; the sum of versions proves it. */
function assertChecksum(checksum: number, observations: readonly ObservationRecorded[]): void {
  let expected = 0;
  for (const observation of observations) expected += observation.version;
  if (checksum !== expected) throw new Error(`Prüfsumme ${checksum} statt ${expected}: nicht alle Datensätze dekodiert.`);
}
