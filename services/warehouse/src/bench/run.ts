/**
 * `npm run bench` of @lagebild/warehouse (TARGETS.md, "projection into the warehouse"):
 *
 * Germany scale: indicator values for every Gemeinde (about 11,000, from the Destatis GV100AD)
 * x 24 years x INDICATORS indicators, as the indicator service publishes them (Avro-encoded
 * IndicatorValuesComputed batches of one indicator and year for every Gemeinde).
 *
 * Measured: the projector decoding the batches, mapping them to rows and inserting them into the
 * embedded ClickHouse (chDB) with deduplication tokens. Baseline, in the same run: inserting the
 * same rows, already built, into the same table directly. Rounds alternate; medians and the ratio
 * are printed. Then a replay of everything from offset 0 (events on the embedded log) with the
 * switch-over, timed.
 *
 * Then the FIS panel latency benchmark (fis.ts, TARGETS.md "FIS panel queries"): p50 / p95 of
 * every panel query and variable resolution of every FIS dashboard at Germany scale and for
 * Berlin. It opens its own chDB directory after the projection benchmark has closed its one
 * (libchdb binds one directory per process).
 *
 * LAGEBILD_BENCH_ONLY=projection or =fis runs only that part (default: both); both parts' results
 * go into one JSON file (LAGEBILD_BENCH_OUT, default <LAGEBILD_DATA_DIR>/bench/warehouse.json).
 * LAGEBILD_BENCH_INDICATORS sets the indicators of both parts (defaults: 5 for the projection,
 * 50 for the FIS), LAGEBILD_BENCH_FIS_RUNS the timed runs per panel (default 20),
 * LAGEBILD_BENCH_FIS_REOPEN=0 measures the panels in the process that loaded the data (fis.ts).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCodec, exampleIntegrationEvent, type IntegrationEvent } from '@lagebild/contracts';
import { createChdbWarehouse, createLmdbDocumentStore, createLmdbEventLog } from '@lagebild/platform';
import { applySchema } from '../projection';
import { INSERT_BLOCK_ROWS, project, rowsOf } from '../projector';
import { replayWarehouse } from '../replay';
import { runFisBenchmark } from './fis';

const DATA = path.resolve(__dirname, '../../../../../shared/data');
const ROUNDS = 3;
const TARGET_RATIO = 0.5;
const INDICATORS = Number(process.env.LAGEBILD_BENCH_INDICATORS ?? 5);
const YEARS = 24;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('de-DE');

async function gemeinden(): Promise<string[]> {
  const text = await readFile(path.join(DATA, 'germany/GV100AD_301123.txt'), 'utf8');
  const codes: string[] = [];
  for (const line of text.split('\n')) if (line.startsWith('60')) codes.push(line.slice(10, 18));
  return codes;
}

function batches(codes: readonly string[]): IntegrationEvent[] {
  const template = exampleIntegrationEvent('IndicatorValuesComputed');
  const events: IntegrationEvent[] = [];
  let n = 0;
  for (let k = 0; k < INDICATORS; k += 1) {
    for (let y = 0; y < YEARS; y += 1) {
      n += 1;
      const year = 1998 + y;
      const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
      events.push({
        type: 'IndicatorValuesComputed',
        envelope: { ...template.envelope, id, tenant: '00000', stream: `indicator-bench-${k}`, version: y + 1, recordedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString() },
        data: {
          ...template.data,
          computationId: id,
          indicatorId: `bench_${k}`,
          schemeId: 'gemeindeverzeichnis',
          protection: 'RAW',
          values: codes.map((code, i) => ({
            areaCode: code,
            unitType: 'Gemeinde',
            period: { kind: 'ZEITRAUM', start: `${year}-01-01`, end: `${year}-12-31` },
            numerator: (i % 500) + k,
            denominator: 1000 + (i % 7000),
            value: (((i % 500) + k) / (1000 + (i % 7000))) * 100,
            status: 'COMPUTED',
            disclosureRule: null,
            comparison: { parentValue: 5.1, previousValue: null, rank: (i % 100) + 1, zScore: 0.1 },
            seriesBreak: false,
            ampel: { color: 'GREEN', rule: 'Abweichung vom Wert des Kreises: +1,0 %' },
            indexClass: null,
          })),
        },
      } as IntegrationEvent);
    }
  }
  return events;
}

export async function runWarehouseBenchmark(): Promise<Record<string, unknown>> {
  const codes = await gemeinden();
  const events = batches(codes);
  const codec = createCodec();
  const records = events.map((e, i) => ({ value: codec.encode(e), topic: 'lagebild.indicators', partition: 0, offset: i }));
  const rowsPerEvent = events.map((e) => rowsOf(e).map(([, row]) => row));
  const totalRows = rowsPerEvent.reduce((s, r) => s + r.length, 0);
  process.stdout.write(`  ${fmt(codes.length)} Gemeinden × ${YEARS} Jahre × ${INDICATORS} Kennzahlen = ${fmt(totalRows)} Werte in ${fmt(events.length)} Ereignissen\n`);
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-bench-warehouse-'));
  const warehouse = await createChdbWarehouse({ path: path.join(dir, 'warehouse') });
  try {
    const projected: number[] = [];
    const direct: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      await warehouse.command('DROP DATABASE IF EXISTS lagebild');
      await applySchema(warehouse);
      let started = performance.now();
      // The consumer hands over batches of up to 64 records (a few hundred thousand values).
      for (let i = 0; i < records.length; i += 64) await project({ warehouse, codec }, records.slice(i, i + 64));
      projected.push((totalRows / (performance.now() - started)) * 1000);

      await warehouse.command('DROP DATABASE IF EXISTS lagebild');
      await applySchema(warehouse);
      started = performance.now();
      const allRows = rowsPerEvent.flat();
      for (let i = 0; i < allRows.length; i += INSERT_BLOCK_ROWS) await warehouse.insert('lagebild.fact_indicator_value', allRows.slice(i, i + INSERT_BLOCK_ROWS));
      direct.push((totalRows / (performance.now() - started)) * 1000);
      process.stdout.write(`  Runde ${round + 1}: Projektion ${fmt(projected.at(-1)!)} Werte/s, direkt ${fmt(direct.at(-1)!)} Werte/s\n`);
    }
    const value = median(projected);
    const baseline = median(direct);

    // Replay: the same events on the embedded log, rebuilt from offset 0 with the switch-over.
    const log = createLmdbEventLog({ path: path.join(dir, 'lmdb') });
    const documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
    for (let i = 0; i < records.length; i += 64) await log.publish('lagebild.indicators', records.slice(i, i + 64).map((r) => ({ key: 'bench', value: r.value })));
    const replay = await replayWarehouse({ warehouse, eventLog: log, documents, codec });
    await log.close();
    await documents.close();
    const result = {
      name: 'Projektion ins Warehouse (IndicatorValuesComputed, Deutschland)',
      unit: 'Werte/s',
      value,
      baseline,
      baselineName: 'dieselben Zeilen direkt in chDB einfügen',
      ratio: value / baseline,
      targetRatio: TARGET_RATIO,
      met: value / baseline >= TARGET_RATIO,
      samples: { value: projected, baseline: direct },
      replay: { events: events.length, values: totalRows, seconds: replay.durationMs / 1000, valuesPerSecond: (totalRows / replay.durationMs) * 1000 },
    };
    process.stdout.write(
      [
        `| Messung | Ergebnis | Basislinie | Verhältnis | Ziel | erreicht |`,
        `|---|---|---|---|---|---|`,
        `| ${result.name} | ${fmt(value)} Werte/s | ${fmt(baseline)} Werte/s (${result.baselineName}) | ${result.ratio.toFixed(2)} | ≥ ${TARGET_RATIO} × Basis | ${result.met ? 'ja' : 'nein'} |`,
        `| Neuaufbau (replay) aller ${fmt(events.length)} Ereignisse mit Umschalten | ${result.replay.seconds.toLocaleString('de-DE', { maximumFractionDigits: 1 })} s (${fmt(result.replay.valuesPerSecond)} Werte/s) | | | 10 Mio. Ereignisse < 2 min | |`,
        '',
      ].join('\n'),
    );
    return result;
  } finally {
    await warehouse.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const only = process.env.LAGEBILD_BENCH_ONLY ?? '';
  if (!['', 'projection', 'fis'].includes(only)) throw new Error(`LAGEBILD_BENCH_ONLY kennt nur „projection“ oder „fis“ (oder leer für beide), nicht „${only}“.`);
  const results: unknown[] = [];
  if (only !== 'fis') {
    process.stdout.write('Warehouse-Benchmark (eingebettet: chDB) ...\n');
    results.push(await runWarehouseBenchmark());
  }
  if (only !== 'projection') {
    process.stdout.write('FIS-Panel-Benchmark (eingebettet: chDB) ...\n');
    results.push(await runFisBenchmark());
  }
  const out = process.env.LAGEBILD_BENCH_OUT ?? path.join(process.env.LAGEBILD_DATA_DIR ?? '.lagebild', 'bench', 'warehouse.json');
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(path.resolve(out), `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
  process.stdout.write(`Ergebnisse gespeichert in ${path.resolve(out)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
