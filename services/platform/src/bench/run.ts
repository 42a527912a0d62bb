import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { benchEventLogPublishConsume } from './event-log.bench';
import { benchEventStoreAppend, benchEventStoreAppendLargeEvents } from './event-store.bench';
import { formatTable, type BenchResult } from './measure';

/**
 * `npm run bench` of @lagebild/platform: prints a table and writes the results as JSON to
 * LAGEBILD_BENCH_OUT, or else to <LAGEBILD_DATA_DIR or ./.lagebild>/bench/platform.json.
 * LAGEBILD_BENCH_SCALE (default 1) scales the record counts, e.g. 0.1 for a quick look.
 */
/** Odd, so the median is a measured run; alternating runs share the machine's noise. */
const ROUNDS = 5;

export async function runPlatformBenchmarks(): Promise<BenchResult[]> {
  const scale = Number(process.env.LAGEBILD_BENCH_SCALE ?? '1');
  if (!(scale > 0)) throw new Error(`LAGEBILD_BENCH_SCALE muss eine positive Zahl sein, nicht "${process.env.LAGEBILD_BENCH_SCALE}".`);
  const count = Math.max(1000, Math.round(100_000 * scale));
  const results: BenchResult[] = [];
  results.push(await benchEventStoreAppend({ events: count, batchSize: 1000, rounds: ROUNDS }));
  // A delivery's shape: 5,000 observations per event, 50 events per append.
  const observations = Math.max(10_000, Math.round(500_000 * scale));
  results.push(await benchEventStoreAppendLargeEvents({ observations, perEvent: 5000, eventsPerAppend: 50, rounds: ROUNDS }));
  results.push(await benchEventLogPublishConsume({ records: count, batchSize: 1000, rounds: ROUNDS }));
  return results;
}

async function main(): Promise<void> {
  process.stdout.write(`Plattform-Benchmarks (eingebettete Adapter, je Median aus ${ROUNDS} Läufen) ...\n`);
  const results = await runPlatformBenchmarks();
  process.stdout.write(`\n${formatTable(results)}\n`);
  const out = process.env.LAGEBILD_BENCH_OUT ?? join(process.env.LAGEBILD_DATA_DIR ?? '.lagebild', 'bench', 'platform.json');
  const path = resolve(out);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
  process.stdout.write(`\nErgebnisse gespeichert in ${path}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`Benchmark fehlgeschlagen: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
