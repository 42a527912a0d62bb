/**
 * `npm run bench` of @lagebild/indicators (TARGETS.md, "indicator recompute"):
 *
 * Germany: the Gemeindeverzeichnis (Destatis GV100AD) as hierarchy (Gemeinde < Gemeindeverband
 * < Kreis < Regierungsbezirk < Land < Deutschland) and the INKAR observations of every Gemeinde
 * (Arbeitslose 1998-2021, Erwerbsfähige 2001-2021; 1998-2000 take 2001's denominator),
 * replicated synthetically to 50 indicators: indicator k has the numerator round(Arbeitslose x
 * (1 + k/50)) over the Erwerbsfähige, scale 100, with Ampel thresholds and the tenant's
 * disclosure control. Berlin: the 542 LOR-Planungsräume under their 12 Bezirke, 20 half-years
 * (the 8 real half-years 2021-2024 of the Einwohnerregister; the 12 before the reform
 * replicated from 2021-01, since they are in the old boundaries), 12 shares and counts.
 *
 * Measured: the engine computing every value (aggregation to every level, primary and secondary
 * disclosure control, comparisons, Ampel), then the same plus building the read model and Avro-encoding the
 * IndicatorValuesComputed events (RAW and PROTECTED). Baseline, in the same run: one chDB SQL
 * statement computing the same ratios (sums of numerators and denominators per unit, level and
 * period) over the same observations. Rounds alternate; medians and the ratio are printed.
 *
 * Memory: one large computation (Berlin's Planungsräume replicated 100 times, 20 half-years, one
 * share) emitted with the service's own emit through a real LMDB event store and document store,
 * timed (RSS read at every write), then again with a full garbage collection before every write
 * for the live heap: it must grow with one append's batches, not with the run (a delivery of
 * millions of observations once ran the process out of heap).
 *
 * LAGEBILD_BENCH_SCALE (default 1) scales the Germany indicators (50) and the memory run's
 * replication (100x), e.g. 0.1 for a short run (`npm run bench -- --quick`); Berlin always runs
 * whole (it is small). With LAGEBILD_BENCH_OUT set, the results are also written there as JSON in
 * the shape scripts/bench.mjs reads (name, value, unit, better, baseline, ratio, target, met,
 * note, samples). LAGEBILD_BENCH_ONLY=durchsatz or =speicher runs one part only.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createCodec, outboxMapper, type IntegrationEvent } from '@lagebild/contracts';
import { createDeliveries, loadGemeindeverzeichnis } from '@lagebild/ingestion';
import { createChdbWarehouse, createLmdbDocumentStore, createLmdbEventStore, readSpreadsheet, type DocumentStore, type EventStore } from '@lagebild/platform';
import type { IndicatorDefinition, VariableDefinition } from '../catalogue/model';
import { compileSources } from '../catalogue/registry';
import { countValues, emitRun, runDocs, runEventData, type RunContext } from '../computation';
import { DEFAULT_DISCLOSURE_RULES } from '../disclosure';
import { MemoryCube } from '../engine/cube';
import { ComputationContext, computeIndicator, type CompiledIndicator, type StepResult, type VocabularyEntry } from '../engine/compute';
import { buildHierarchy, type Hierarchy } from '../engine/hierarchy';
import { periodOfStep } from '../engine/periods';
import { compileFormula } from '../formula';
import { createIndicators } from '../service';

const DATA = path.resolve(__dirname, '../../../../../shared/data');
const ROUNDS = 3;
const TARGET_RATIO = 0.2;
const SCALE = Number(process.env.LAGEBILD_BENCH_SCALE ?? '1');
const INDICATORS = Math.max(2, Math.round(50 * SCALE));
/** `durchsatz` or `speicher` runs only that part (for profiling one of them). */
const ONLY = process.env.LAGEBILD_BENCH_ONLY ?? '';
/** Replication of Berlin's Planungsräume in the memory run. */
const MEMORY_REPLICAS = Math.max(2, Math.round(100 * SCALE));
/** The synthetic observations' delivery (a uuid, as the events require). */
const BENCH_DELIVERY = '00000000-0000-4000-8000-0000000be7c4';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('de-DE');

interface Scenario {
  name: string;
  hierarchy: Hierarchy;
  cube: MemoryCube;
  vocabulary: Map<string, VocabularyEntry>;
  indicators: CompiledIndicator[];
  periodicity: 'jährlich' | 'halbjährlich';
  chdb: { setup: string[]; rows: Array<Record<string, unknown>>; table: string; statement: string };
}

function vocabularyOf(defs: VariableDefinition[]) {
  return new Map<string, VocabularyEntry>(defs.map((d) => [d.code, { def: d, sources: compileSources(d) }]));
}

function indicatorOf(id: string, formula: string, vocabulary: Map<string, VocabularyEntry>, periodicity: 'jährlich' | 'halbjährlich', scale = 100): CompiledIndicator {
  const info = new Map([...vocabulary].map(([k, v]) => [k, { unit: v.def.unit, additive: v.def.additive }]));
  const def: IndicatorDefinition = {
    id,
    name: id,
    description: id,
    formula,
    scale,
    unit: '%',
    polarity: '-',
    type: 'Kontext',
    source: 'Benchmark',
    levels: ['Gemeinde', 'Kreis'],
    periodicity,
    sensitivity: 'INTERNAL',
    thresholds: { kind: 'relative', reference: 'parent', yellowFromPercent: 10, redFromPercent: 25 },
  };
  return { def, version: 1, formula: compileFormula(formula, info) };
}

/** Ancestors of each unit, itself first (the units its figures count into). */
function chains(h: Hierarchy): string[][] {
  return h.codes.map((_, i) => {
    const chain: string[] = [];
    for (let u = i; u >= 0; u = h.parent[u]!) chain.push(h.codes[u]!);
    return chain;
  });
}

async function readInkar(file: string): Promise<Map<string, Map<number, number>>> {
  const byArea = new Map<string, Map<number, number>>();
  let years: number[] = [];
  await readSpreadsheet({ path: file, format: 'xls', sheet: 'Daten', skipRows: 0 }, {
    row(line, cells) {
      if (line <= 2) {
        const found = cells.map((c) => (typeof c === 'number' ? c : Number(String(c ?? '').trim())));
        if (found.filter((y) => y >= 1990 && y <= 2030).length > 5) years = found;
        return;
      }
      const code = String(cells[0] ?? '').trim().padStart(8, '0');
      if (!/^\d{8}$/.test(code)) return;
      const values = new Map<number, number>();
      cells.forEach((c, i) => {
        const year = years[i];
        if (year && year >= 1990 && typeof c === 'number') values.set(year, c);
      });
      byArea.set(code, values);
    },
    problem() {},
  });
  return byArea;
}

async function germany(dir: string): Promise<Scenario> {
  const eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  const documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  const deliveries = createDeliveries({ eventStore, documents }, { workDir: path.join(dir, 'ingestion'), background: false });
  await deliveries.start();
  await loadGemeindeverzeichnis({ eventStore, documents }, { fileName: 'GV100AD_301123.txt', bytes: await readFile(path.join(DATA, 'germany/GV100AD_301123.txt')) }, { subject: 'system:bench' });
  console.log('Gemeindeverzeichnis geladen');
  const codec = createCodec();
  const indicators = createIndicators({ eventStore, documents }, codec);
  const toRecord = outboxMapper(codec);
  const events = await eventStore.readAll({ after: 0, maxCount: 100_000 });
  await indicators.handle(events.map((e) => toRecord(e)).filter((r): r is NonNullable<typeof r> => r !== undefined && r.topic === 'lagebild.ingestion').map((r) => r.record));
  const h = (await indicators.observations.hierarchy('gemeindeverzeichnis', 1))!;
  await deliveries.stop();
  await documents.close();
  await eventStore.close();

  console.log(`Hierarchie: ${h.codes.length} Einheiten`);
  const alo = await readInkar(path.join(DATA, 'germany/inkar_arbeitslose_gemeinden_1998_2021.xls'));
  const erw = await readInkar(path.join(DATA, 'germany/inkar_erwerbsfaehige_gemeinden_2001_2021.xls'));
  console.log(`INKAR gelesen: ${alo.size} / ${erw.size} Gemeinden`);
  const cube = new MemoryCube(h);
  const n = h.codes.length;
  const years = Array.from({ length: 24 }, (_, i) => 1998 + i);
  const chain = chains(h);
  const rows: Array<Record<string, unknown>> = [];
  const den = new Map<number, Float64Array>();
  const base = new Map<number, Float64Array>();
  for (const year of years) {
    den.set(year, new Float64Array(n).fill(Number.NaN));
    base.set(year, new Float64Array(n).fill(Number.NaN));
  }
  let matched = 0;
  for (const [code, values] of alo) {
    const i = h.index.get(code);
    const e = erw.get(code);
    if (i === undefined || !e) continue;
    matched += 1;
    for (const year of years) {
      const a = values.get(year);
      const w = e.get(year) ?? e.get(2001);
      if (a === undefined || w === undefined) continue;
      base.get(year)![i] = a;
      den.get(year)![i] = w;
      rows.push({ units: chain[i], year, alo: a, erw: w });
    }
  }
  for (const year of years) {
    const key = `S:${year}-12-31`;
    cube.setColumn('erw', key, den.get(year)!, [BENCH_DELIVERY]);
    for (let k = 0; k < INDICATORS; k += 1) {
      const b = base.get(year)!;
      const col = new Float64Array(n);
      for (let i = 0; i < n; i += 1) col[i] = Number.isNaN(b[i]!) ? Number.NaN : Math.round(b[i]! * (1 + k / 50));
      cube.setColumn(`alo_${k}`, key, col, [BENCH_DELIVERY]);
    }
  }
  const vocabulary = vocabularyOf([
    { code: 'erw', name: 'Erwerbsfähige', unit: 'Personen', additive: true, sources: ['erw'] },
    ...Array.from({ length: INDICATORS }, (_, k) => ({ code: `num_${k}`, name: `Zähler ${k}`, unit: 'Personen', additive: true, sources: [`alo_${k}`] })),
  ]);
  console.log(`Deutschland: ${h.codes.length} Einheiten (${matched} INKAR-Gemeinden im Gemeindeverzeichnis), ${years.length} Jahre, ${INDICATORS} Kennzahlen`);
  return {
    name: `Deutschland (Gemeinden x 24 Jahre x ${INDICATORS} Kennzahlen)`,
    hierarchy: h,
    cube,
    vocabulary,
    indicators: Array.from({ length: INDICATORS }, (_, k) => indicatorOf(`bench_${k}`, `num_${k} / erw`, vocabulary, 'jährlich')),
    periodicity: 'jährlich',
    chdb: {
      table: 'bench_germany',
      setup: ['CREATE TABLE bench_germany (units Array(String), year UInt16, alo Float64, erw Float64) ENGINE = MergeTree ORDER BY year'],
      rows,
      statement: `SELECT count() AS n, sum(v) AS s FROM (
        SELECT k, year, unit, sum(round(alo * (1 + k / 50))) / sum(erw) * 100 AS v
        FROM bench_germany ARRAY JOIN units AS unit ARRAY JOIN range(${INDICATORS}) AS k
        GROUP BY k, year, unit)`,
    },
  };
}

const BERLIN_COLUMNS: Array<[string, string]> = [
  ['ew', 'inhabitants'],
  ['u6', 'inhabitants_age_below_6'],
  ['a6_15', 'inhabitants_age_6_15'],
  ['a15_18', 'inhabitants_age_15_18'],
  ['a18_27', 'inhabitants_age_18_27'],
  ['a27_45', 'inhabitants_age_27_45'],
  ['a45_55', 'inhabitants_age_45_55'],
  ['a55_65', 'inhabitants_age_55_65'],
  ['a65', 'inhabitants_age_above_65'],
  ['w', 'inhabitants_female'],
  ['aus', 'inhabitants_foreigners'],
];

async function berlin(): Promise<Scenario> {
  const real = ['2021-01', '2021-02', '2022-01', '2022-02', '2023-01', '2023-02', '2024-01', '2024-02'];
  const files = new Map<string, Array<Record<string, string>>>();
  for (const half of real) files.set(half, parse(await readFile(path.join(DATA, `berlin/population/berlin-lor-population-${half}-t2-planning-areas.csv`)), { columns: true }) as Array<Record<string, string>>);
  const first = files.get('2021-01')!;
  const bezirke = [...new Set(first.map((r) => r.id!.slice(0, 2)))].sort();
  const h = buildHierarchy(
    'berlin-lor-planungsraeume',
    2,
    [...bezirke.map((b) => ({ code: b, name: `Bezirk ${b}`, unitType: 'Bezirk', parentCode: null })), ...first.map((r) => ({ code: r.id!, name: r.id!, unitType: 'Planungsraum', parentCode: r.id!.slice(0, 2) }))],
    { code: '11000', name: 'Berlin' },
  );
  const cube = new MemoryCube(h);
  const chain = chains(h);
  const rows: Array<Record<string, unknown>> = [];
  const halves = Array.from({ length: 20 }, (_, i) => 2015 * 2 + i); // 2015-H1 .. 2024-H2
  for (const step of halves) {
    const year = Math.floor(step / 2);
    const label = `${year}-0${(step % 2) + 1}`;
    const source = files.get(label) ?? first;
    const key = `S:${periodOfStep(step, 'halbjährlich', 'STICHTAG').end}`;
    for (const [code, column] of BERLIN_COLUMNS) {
      for (const r of source) cube.set(code, key, r.id!, Number(r[column]), BENCH_DELIVERY);
    }
    for (const r of source) {
      const i = h.index.get(r.id!)!;
      rows.push({ units: chain[i], step, ...Object.fromEntries(BERLIN_COLUMNS.map(([code, column]) => [code, Number(r[column])])) });
    }
  }
  const vocabulary = vocabularyOf(BERLIN_COLUMNS.map(([code]) => ({ code, name: code, unit: 'Personen', additive: true, sources: [code] })));
  const formulas: Array<[string, string]> = [
    ['ew', 'ew'],
    ...BERLIN_COLUMNS.slice(1).map(([code]) => [`anteil_${code}`, `${code} / ew`] as [string, string]),
  ];
  const indicators = formulas.map(([id, formula]) => indicatorOf(id, formula, vocabulary, 'halbjährlich', id === 'ew' ? 1 : 100));
  const sql = formulas
    .map(([, formula], k) => {
      const [num, den] = formula.split(' / ');
      return `SELECT ${k} AS k, step, unit, sum(${num})${den ? ` / sum(${den}) * 100` : ''} AS v FROM bench_berlin ARRAY JOIN units AS unit GROUP BY step, unit`;
    })
    .join(' UNION ALL ');
  console.log(`Berlin: ${h.codes.length} Einheiten, 20 Halbjahre, ${indicators.length} Kennzahlen`);
  return {
    name: 'Berlin (542 Planungsräume x 20 Halbjahre)',
    hierarchy: h,
    cube,
    vocabulary,
    indicators,
    periodicity: 'halbjährlich',
    chdb: {
      table: 'bench_berlin',
      setup: [`CREATE TABLE bench_berlin (units Array(String), step UInt32, ${BERLIN_COLUMNS.map(([c]) => `${c} Float64`).join(', ')}) ENGINE = MergeTree ORDER BY step`],
      rows,
      statement: `SELECT count() AS n, sum(v) AS s FROM (${sql})`,
    },
  };
}

/** Computes every indicator; each result goes to `consume` and is dropped (a Germany run does not fit in memory at once). */
function runEngine(s: Scenario, consume?: (ind: CompiledIndicator, results: StepResult[]) => void): number {
  const ctx = new ComputationContext(s.cube, s.vocabulary, DEFAULT_DISCLOSURE_RULES);
  let values = 0;
  for (const ind of s.indicators) {
    const results = computeIndicator(ctx, ind);
    for (const r of results) for (let i = 0; i < r.covered.length; i += 1) values += r.covered[i]!;
    consume?.(ind, results);
  }
  return values;
}

const ENVELOPE = { id: '00000000-0000-4000-8000-000000000001', tenant: '00000', stream: 'bench', version: 1, occurredAt: '2026-01-01T00:00:00.000Z', recordedAt: '2026-01-01T00:00:00.000Z', actor: 'system:bench', correlationId: '00000000-0000-4000-8000-000000000002', causationId: null, traceparent: null };

/** Builds the read-model documents and encodes the RAW and PROTECTED events of a run, with the service's own code. */
function encodeEvents(s: Scenario, ind: CompiledIndicator, results: StepResult[], codec: ReturnType<typeof createCodec>): number {
  const context: RunContext = {
    tenant: '00000',
    computationId: '00000000-0000-4000-8000-000000000000',
    computedAt: '2026-01-01T00:00:00.000Z',
    run: { indicatorId: ind.def.id, formulaVersion: ind.version, periodicity: s.periodicity, stichtag: ind.def.stichtag, crosswalkFromVersion: null, results },
    hierarchy: s.hierarchy,
    schemeVersion: s.hierarchy.version,
    deliveries: new Map(),
  };
  let bytes = 0;
  let docValues = 0;
  for (const doc of runDocs(context)) docValues += doc.values.length;
  for (const data of runEventData(context)) bytes += codec.encode({ type: 'IndicatorValuesComputed', data, envelope: ENVELOPE } as IntegrationEvent).length;
  if (docValues !== countValues(context.run).values) throw new Error('Lesemodell unvollständig');
  return bytes;
}

interface Result {
  name: string;
  value: number;
  unit: string;
  better: 'higher' | 'lower';
  baseline: number | null;
  baselineName: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
  note?: string;
  samples: Record<string, number[]>;
}

async function throughput(warehouse: Awaited<ReturnType<typeof createChdbWarehouse>>, scenario: Scenario, codec: ReturnType<typeof createCodec>): Promise<Result[]> {
  for (const sql of scenario.chdb.setup) await warehouse.command(sql);
  const t0 = performance.now();
  for (let i = 0; i < scenario.chdb.rows.length; i += 50_000) await warehouse.insert(scenario.chdb.table, scenario.chdb.rows.slice(i, i + 50_000));
  console.log(`  chDB geladen: ${fmt(scenario.chdb.rows.length)} Zeilen in ${fmt(performance.now() - t0)} ms`);
  const engine: number[] = [];
  const withEvents: number[] = [];
  const sql: number[] = [];
  let values = 0;
  let sqlValues = 0;
  let encoded = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    let t = performance.now();
    const [res] = await warehouse.query<{ n: number; s: number }>(scenario.chdb.statement);
    sql.push(performance.now() - t);
    sqlValues = Number(res!.n);
    console.log(`  Runde ${round + 1}: SQL ${fmt(sql[round]!)} ms`);
    t = performance.now();
    values = runEngine(scenario);
    engine.push(performance.now() - t);
    console.log(`  Runde ${round + 1}: Engine ${fmt(engine[round]!)} ms`);
    t = performance.now();
    encoded = 0;
    runEngine(scenario, (ind, results) => (encoded += encodeEvents(scenario, ind, results, codec)));
    withEvents.push(performance.now() - t);
    console.log(`  Runde ${round + 1}: mit Lesemodell und Ereignissen ${fmt(withEvents[round]!)} ms`);
  }
  const rate = (ms: number, n: number) => (n / ms) * 1000;
  const engineRate = rate(median(engine), values);
  const eventsRate = rate(median(withEvents), values);
  const sqlRate = rate(median(sql), sqlValues);
  console.log(`\n${scenario.name}`);
  console.log(`  Engine (Aggregation, Geheimhaltung, Vergleiche, Ampel): ${fmt(values)} Werte in ${fmt(median(engine))} ms = ${fmt(engineRate)} Werte/s`);
  console.log(`  mit Lesemodell und Avro-Ereignissen (RAW + PROTECTED, ${fmt(encoded / 1e6)} MB):   ${fmt(median(withEvents))} ms = ${fmt(eventsRate)} Werte/s`);
  console.log(`  Basis: eine chDB-SQL-Anweisung: ${fmt(sqlValues)} Werte in ${fmt(median(sql))} ms = ${fmt(sqlRate)} Werte/s`);
  console.log(`  Verhältnis Engine / chDB: ${(engineRate / sqlRate).toFixed(2)}, mit Ereignissen: ${(eventsRate / sqlRate).toFixed(2)} (Ziel >= ${TARGET_RATIO})`);
  const common = { unit: 'Werte/s', better: 'higher' as const, baseline: sqlRate, baselineName: 'eine chDB-SQL-Anweisung berechnet dieselben Quoten', target: `≥ ${String(TARGET_RATIO).replace('.', ',')} × Basis` };
  const baselineSamples = sql.map((ms) => rate(ms, sqlValues));
  return [
    {
      ...common,
      name: `Kennzahlen neu berechnen: Engine (Aggregation, Geheimhaltung, Vergleiche, Ampel), ${scenario.name}`,
      value: engineRate,
      ratio: engineRate / sqlRate,
      met: engineRate / sqlRate >= TARGET_RATIO,
      note: `${fmt(values)} Werte in ${fmt(median(engine))} ms; Median aus ${ROUNDS} Runden`,
      samples: { value: engine.map((ms) => rate(ms, values)), baseline: baselineSamples },
    },
    {
      ...common,
      name: `Kennzahlen neu berechnen mit Lesemodell und Avro-Ereignissen, ${scenario.name}`,
      value: eventsRate,
      ratio: eventsRate / sqlRate,
      met: eventsRate / sqlRate >= TARGET_RATIO,
      note: `${fmt(values)} Werte in ${fmt(median(withEvents))} ms, RAW + PROTECTED ${fmt(encoded / 1e6)} MB Avro; Median aus ${ROUNDS} Runden`,
      samples: { value: withEvents.map((ms) => rate(ms, values)), baseline: baselineSamples },
    },
  ];
}

/**
 * One large run through the real emit into LMDB: Berlin's 542 Planungsräume replicated
 * MEMORY_REPLICAS times (and their Bezirke), 20 half-years, one share, emitted twice: timed,
 * and with a full collection before every append and document write. The figure is the highest
 * live heap above the level before the emit (the run's StepResults are already there).
 */
async function memoryRun(dir: string): Promise<Result[]> {
  const bezirke = 12 * MEMORY_REPLICAS;
  const units = [
    ...Array.from({ length: bezirke }, (_, b) => ({ code: `B${String(b).padStart(5, '0')}`, name: `Bezirk ${b}`, unitType: 'Bezirk', parentCode: null })),
    ...Array.from({ length: 542 * MEMORY_REPLICAS }, (_, p) => ({ code: `P${String(p).padStart(8, '0')}`, name: `Planungsraum ${p}`, unitType: 'Planungsraum', parentCode: `B${String(p % bezirke).padStart(5, '0')}` })),
  ];
  const h = buildHierarchy('bench-gross', 1, units, { code: '11000', name: 'Gesamt' });
  const cube = new MemoryCube(h);
  const n = h.codes.length;
  for (let step = 2015 * 2; step < 2025 * 2; step += 1) {
    const key = `S:${periodOfStep(step, 'halbjährlich', 'STICHTAG').end}`;
    const ew = new Float64Array(n).fill(Number.NaN);
    const u6 = new Float64Array(n).fill(Number.NaN);
    for (let i = 0; i < n; i += 1) {
      if (h.unitTypes[i] !== 'Planungsraum') continue;
      ew[i] = 200 + ((i * 7919 + step) % 9000);
      u6[i] = Math.floor(ew[i]! * (0.02 + ((i * 31 + step) % 80) / 1000));
    }
    cube.setColumn('ew', key, ew, [BENCH_DELIVERY]);
    cube.setColumn('u6', key, u6, [BENCH_DELIVERY]);
  }
  const vocabulary = vocabularyOf([
    { code: 'ew', name: 'Einwohner', unit: 'Personen', additive: true, sources: ['ew'] },
    { code: 'u6', name: 'unter 6', unit: 'Personen', additive: true, sources: ['u6'] },
  ]);
  const ind = indicatorOf('anteil_u6', 'u6 / ew', vocabulary, 'halbjährlich');
  const results = computeIndicator(new ComputationContext(cube, vocabulary, DEFAULT_DISCLOSURE_RULES), ind);
  const eventStore = createLmdbEventStore({ path: path.join(dir, 'memory') });
  const documents = createLmdbDocumentStore({ path: path.join(dir, 'memory') });
  const request = { tenant: '11000', schemeId: h.schemeId, actor: 'system:bench', now: new Date('2026-01-01T00:00:00.000Z') };
  const run = { indicatorId: ind.def.id, formulaVersion: ind.version, periodicity: 'halbjährlich' as const, stichtag: undefined, crosswalkFromVersion: null, results };
  const mb = (b: number) => b / 1024 ** 2;
  try {
    // Timed: the emit as the service runs it; RSS read at every append and document write.
    let peakRss = process.memoryUsage().rss;
    const rssBefore = peakRss;
    const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
    let t = performance.now();
    const summary = await emitRun({ eventStore: observed(eventStore, sampleRss), documents: observedDocuments(documents, sampleRss) }, request, run, h, 1, new Map());
    const ms = performance.now() - t;
    sampleRss();
    // Live heap: a full collection at every append and document write (so garbage not yet
    // collected does not count), the highest live heap above the level before the emit.
    const gc = collector();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakHeap = heapBefore;
    const sampleHeap = () => {
      gc();
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    };
    t = performance.now();
    await emitRun({ eventStore: observed(eventStore, sampleHeap), documents: observedDocuments(documents, sampleHeap) }, request, run, h, 1, new Map());
    const gcMs = performance.now() - t;
    const heap = mb(peakHeap - heapBefore);
    console.log(`\nGroße Berechnung schreiben (Berlin x ${MEMORY_REPLICAS}: ${fmt(n)} Einheiten x 20 Halbjahre = ${fmt(summary.values)} Werte, Ereignisse und Lesemodell in LMDB)`);
    console.log(`  ${fmt(ms)} ms = ${fmt((summary.values / ms) * 1000)} Werte/s; RSS vorher ${fmt(mb(rssBefore))} MB, Spitze ${fmt(mb(peakRss))} MB`);
    console.log(`  lebender Heap (nach voller Speicherbereinigung bei jedem Schreiben, ${fmt(gcMs)} ms): vorher ${fmt(mb(heapBefore))} MB, Spitze +${fmt(heap)} MB`);
    return [
      {
        name: `Große Berechnung schreiben (Berlin × ${MEMORY_REPLICAS}, ${fmt(summary.values)} Werte einer Kennzahl, Ereignisse und Lesemodell in LMDB): lebender Heap, Spitze über dem Stand davor`,
        value: heap,
        unit: 'MB',
        better: 'lower',
        baseline: null,
        baselineName: '– (muss mit einem Append wachsen, nicht mit der Berechnung)',
        ratio: null,
        target: '–',
        met: null,
        note: `gemessen nach voller Speicherbereinigung bei jedem Append und jedem Schreiben des Lesemodells; ohne sie ${fmt(ms)} ms = ${fmt((summary.values / ms) * 1000)} Werte/s, Spitzen-RSS ${fmt(mb(peakRss))} MB (vorher ${fmt(mb(rssBefore))} MB)`,
        samples: {},
      },
    ];
  } finally {
    await documents.close();
    await eventStore.close();
  }
}

/** The event store, calling `before` ahead of every append. */
function observed(store: EventStore, before: () => void): EventStore {
  return {
    ...store,
    appendToStream: (...args) => {
      before();
      return store.appendToStream(...args);
    },
  };
}

function observedDocuments(store: DocumentStore, before: () => void): DocumentStore {
  return {
    ...store,
    write: (writes) => {
      before();
      return store.write(writes);
    },
  };
}

/** A full garbage collection, without starting node with --expose-gc (the bench runner starts it plainly). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function main() {
  if (!['', 'durchsatz', 'speicher'].includes(ONLY)) throw new Error(`LAGEBILD_BENCH_ONLY kennt nur „durchsatz“ oder „speicher“ (oder leer für beide), nicht „${ONLY}“.`);
  if (!(SCALE > 0)) throw new Error(`LAGEBILD_BENCH_SCALE muss eine positive Zahl sein, nicht "${process.env.LAGEBILD_BENCH_SCALE}".`);
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-bench-indicators-'));
  const warehouse = await createChdbWarehouse({ path: path.join(dir, 'warehouse') });
  const results: Result[] = [];
  const codec = createCodec();
  try {
    if (ONLY !== 'speicher') {
      results.push(...(await throughput(warehouse, await germany(dir), codec)));
      results.push(...(await throughput(warehouse, await berlin(), codec)));
    }
    if (ONLY !== 'durchsatz') results.push(...(await memoryRun(dir)));
  } finally {
    await warehouse.close?.();
    await rm(dir, { recursive: true, force: true });
  }
  const out = process.env.LAGEBILD_BENCH_OUT;
  if (out) {
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await writeFile(path.resolve(out), `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, scale: SCALE, results }, null, 2)}\n`);
    console.log(`Ergebnisse gespeichert in ${path.resolve(out)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
