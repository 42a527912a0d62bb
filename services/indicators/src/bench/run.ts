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
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createCodec, outboxMapper, type IntegrationEvent } from '@lagebild/contracts';
import { createDeliveries, loadGemeindeverzeichnis } from '@lagebild/ingestion';
import { createChdbWarehouse, createLmdbDocumentStore, createLmdbEventStore, readSpreadsheet } from '@lagebild/platform';
import type { IndicatorDefinition, VariableDefinition } from '../catalogue/model';
import { compileSources } from '../catalogue/registry';
import { valuesDocs, valuesEventData, type RunContext } from '../computation';
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
const INDICATORS = 50;
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
    name: 'Deutschland (Gemeinden x 24 Jahre x 50 Kennzahlen)',
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
  const envelope = { id: '00000000-0000-4000-8000-000000000001', tenant: '00000', stream: 'bench', version: 1, occurredAt: '2026-01-01T00:00:00.000Z', recordedAt: '2026-01-01T00:00:00.000Z', actor: 'system:bench', correlationId: '00000000-0000-4000-8000-000000000002', causationId: null, traceparent: null };
  let bytes = 0;
  for (const data of valuesEventData(context, valuesDocs(context))) bytes += codec.encode({ type: 'IndicatorValuesComputed', data, envelope } as IntegrationEvent).length;
  return bytes;
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-bench-indicators-'));
  const warehouse = await createChdbWarehouse({ path: path.join(dir, 'warehouse') });
  const report: Record<string, unknown> = {};
  const codec = createCodec();
  try {
    for (const scenario of [await germany(dir), await berlin()]) {
      for (const sql of scenario.chdb.setup) await warehouse.command(sql);
      let t0 = performance.now();
      for (let i = 0; i < scenario.chdb.rows.length; i += 50_000) await warehouse.insert(scenario.chdb.table, scenario.chdb.rows.slice(i, i + 50_000));
      console.log(`  chDB geladen: ${fmt(scenario.chdb.rows.length)} Zeilen in ${fmt(performance.now() - t0)} ms`);
      t0 = performance.now();
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
      report[scenario.name] = { values, engineMs: median(engine), withEventsMs: median(withEvents), sqlMs: median(sql), sqlValues, ratio: engineRate / sqlRate, ratioWithEvents: eventsRate / sqlRate };
    }
  } finally {
    await warehouse.close?.();
    await rm(dir, { recursive: true, force: true });
  }
  return report;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
