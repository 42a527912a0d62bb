/**
 * End-to-end freshness (TARGETS.md: p95 ≤ 2 s after a delivery is accepted): how long after the
 * ingestion has accepted a delivery its indicator values can be read from the warehouse.
 *
 * Setup: Berlin's 12 Bezirke and 542 LOR-Planungsräume registered from the demo's geometry with
 * `lagebild areas import` (profiles berlin-bezirke and berlin-lor-2021, as the demo does) before
 * `lagebild start --ohne-demo` starts. Then, on the running server, N deliveries of the real
 * Einwohnerregister files (profile berlin-einwohner-lor), one after the other: the four year-end
 * files (31.12.2021 to 31.12.2024, the Stichtag of the shipped yearly indicators) and then
 * corrections of them, each changing one Planungsraum's counts, so that every delivery must
 * change the values the FIS reads.
 *
 * Measured per delivery: acceptedAt (the ingestion's own timestamp) until a read of
 * lagebild.v_indicator_value_raw (the view the FIS reads) returns the new values of all four
 * indicators (ew, anteil_u18, anteil_65plus, auslaenderanteil) for that Planungsraum. Polling
 * every 25 ms bounds the resolution. Baseline, same file: chDB reading it and computing the same
 * four indicators for every unit in one statement.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { call, deliver, DEMO, fmt, median, pollUntil, quantile, runCli, sleep, waitForDecision, warehouseQuery } from './lib.mjs';
import { runChdb } from './baseline.mjs';

export const LOR_SCHEME = 'berlin-lor-planungsraeume';
const TENANT = '11000';
const PROFILE = 'berlin-einwohner-lor';
const YEAR_END_FILES = ['2021-02', '2022-02', '2023-02', '2024-02'].map((h) => `berlin-lor-population-${h}-t2-planning-areas.csv`);

/**
 * Registers Berlin's Bezirke and Planungsräume (2021) with `lagebild areas import`, before the
 * server starts (one process writes the embedded stores at a time).
 */
export function registerBerlinLor(dataDir) {
  const geometry = path.join(DEMO, 'berlin/geometry');
  const common = ['--scheme', LOR_SCHEME, '--valid-from', '2021-01-01'];
  runCli(['areas', 'import', path.join(geometry, 'bezirke.geojson'), ...common, '--name', 'Berlin LOR-Planungsräume', '--tenant', TENANT, '--profile', 'berlin-bezirke', '--draft'], { dataDir });
  runCli(['areas', 'import', path.join(geometry, 'lor_planungsraeume_2021.shp'), ...common, '--profile', 'berlin-lor-2021'], { dataDir });
}

/** Waits until the running server has the Planungsräume in the warehouse (then the indicators service knows them too). */
async function awaitBerlinLor(ctx) {
  await pollUntil(async () => {
    const rows = await warehouseQuery(ctx.url, ctx.operator, `SELECT count() AS n FROM lagebild.v_area WHERE tenant = '${TENANT}' AND scheme_id = '${LOR_SCHEME}'`);
    return Number(rows[0]?.n ?? 0) >= 554;
  }, { timeoutMs: 300_000, what: 'die Berliner Planungsräume im Warehouse' });
}

/** The expected values of the four indicators for one row of an Einwohner file. */
function expectedValues(row) {
  const ew = row.inhabitants;
  return {
    ew,
    anteil_u18: ((row.inhabitants_age_below_6 + row.inhabitants_age_6_15 + row.inhabitants_age_15_18) / ew) * 100,
    anteil_65plus: (row.inhabitants_age_above_65 / ew) * 100,
    auslaenderanteil: (row.inhabitants_foreigners / ew) * 100,
  };
}

function parseFile(text) {
  const lines = text.trim().split('\n');
  const header = lines[0].split(',');
  return { header, rows: lines.slice(1).map((l) => l.split(',')) };
}

/** The file with the first Planungsraum's counts raised by k (a correction a Statistikstelle would send). */
function corrected(parsed, k) {
  const { header, rows } = parsed;
  const at = (name) => header.indexOf(name);
  const first = [...rows[0]];
  for (const [column, plus] of [['inhabitants', 2 * k], ['inhabitants_age_below_6', k], ['inhabitants_foreigners', k]]) first[at(column)] = String(Number(first[at(column)]) + plus);
  const numbers = Object.fromEntries(header.map((h, i) => [h, Number(first[i])]));
  return { text: [header.join(','), first.join(','), ...rows.slice(1).map((r) => r.join(','))].join('\n') + '\n', code: first[at('id')].padStart(8, '0'), expected: expectedValues(numbers) };
}

/** The chDB statement: the file and the LOR hierarchy (Planungsraum < Bezirk < Berlin), the four indicators. */
function baselineStatement(file, header, closure) {
  const structure = header.map((h, i) => `${h} ${i < 5 ? 'String' : 'Float64'}`).join(', ');
  return `SELECT count() AS n, sum(v) AS s FROM (
  SELECT arrayJoin([ew, u18 / ew * 100, a65 / ew * 100, ausl / ew * 100]) AS v FROM (
    SELECT c.unit AS unit, sum(o.inhabitants) AS ew, sum(o.inhabitants_age_below_6 + o.inhabitants_age_6_15 + o.inhabitants_age_15_18) AS u18,
      sum(o.inhabitants_age_above_65) AS a65, sum(o.inhabitants_foreigners) AS ausl
    FROM file('${file}', 'CSVWithNames', '${structure}') AS o
    INNER JOIN file('${closure}', 'CSV', 'leaf String, unit String') AS c ON c.leaf = leftPad(o.id, 8, '0')
    GROUP BY unit
  )
)`;
}

export async function benchFreshness(ctx, { deliveries }) {
  const { url, work, log } = ctx;
  log(`Frische: ${deliveries} Lieferungen der Berliner Einwohnerregisterstatistik (542 Planungsräume) …`);
  await awaitBerlinLor(ctx);
  const sources = [];
  for (const name of YEAR_END_FILES) sources.push({ name, year: name.match(/(\d{4})-02/)[1], parsed: parseFile(await readFile(path.join(DEMO, 'berlin/population', name), 'utf8')) });

  const samples = [];
  const acceptSamples = [];
  for (let i = 0; i < deliveries; i += 1) {
    const source = sources[i % sources.length];
    // First round: the files as published; later rounds: corrections (k = round number).
    const k = Math.floor(i / sources.length);
    const file = path.join(work, `frische-${i}`, source.name);
    const { text, code, expected } = corrected(source.parsed, k * 7);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    const uploaded = Date.now();
    const answer = await deliver(url, ctx.planer, { file, profile: PROFILE });
    const view = await waitForDecision(url, ctx.planer, answer.deliveryId, { intervalMs: 10 });
    const acceptedAt = Date.parse(view.acceptedAt);
    acceptSamples.push(acceptedAt - uploaded);
    const periodEnd = `${source.year}-12-31`;
    const sql = `SELECT indicator_id AS id, value FROM lagebild.v_indicator_value_raw WHERE tenant = '${TENANT}' AND scheme_id = '${LOR_SCHEME}' AND area_code = '${code}' AND period_end = '${periodEnd}' AND indicator_id IN ('ew', 'anteil_u18', 'anteil_65plus', 'auslaenderanteil')`;
    await pollUntil(async () => {
      const rows = await warehouseQuery(url, ctx.operator, sql);
      const got = new Map(rows.map((r) => [r.id, Number(r.value)]));
      return Object.entries(expected).every(([id, v]) => got.has(id) && Math.abs(got.get(id) - v) <= 1e-9 * Math.max(1, Math.abs(v)));
    }, { timeoutMs: 120_000, intervalMs: 25, what: `die Werte der Lieferung ${i + 1} (${source.name}) im Warehouse` });
    const freshMs = Date.now() - acceptedAt;
    samples.push(freshMs);
    log(`  Lieferung ${i + 1}/${deliveries} (${source.name}${k > 0 ? `, Korrektur ${k}` : ''}): angenommen nach ${fmt(acceptedAt - uploaded)} ms, abfragbar nach weiteren ${fmt(freshMs)} ms`);
    await sleep(200);
  }

  // Baseline: chDB, the latest year-end file with the LOR hierarchy, the same four indicators.
  const closure = path.join(work, 'lor-closure.csv');
  const last = sources[sources.length - 1];
  const codes = last.parsed.rows.map((r) => r[0].padStart(8, '0'));
  await writeFile(closure, codes.flatMap((c) => [`${c},${c}`, `${c},${c.slice(0, 2)}`, `${c},${TENANT}`]).join('\n') + '\n');
  const chdb = await runChdb(work, { rounds: 5, statement: baselineStatement(path.join(DEMO, 'berlin/population', last.name), last.parsed.header, closure) });
  const baselineMs = median(chdb.ms);
  const p50 = quantile(samples, 0.5);
  const p95 = quantile(samples, 0.95);
  const common = {
    area: 'Ende zu Ende',
    unit: 'ms',
    better: 'lower',
    baseline: baselineMs,
    baselineName: `chDB: dieselbe Datei laden und die 4 Kennzahlen für alle ${fmt(Number(chdb.row.n) / 4)} Gebiete in einer Anweisung berechnen`,
    samples: { value: samples, baseline: chdb.ms, deliveryAcceptedMs: acceptSamples },
  };
  return [
    { ...common, name: `Frische p50: Lieferung angenommen -> Kennzahl im Warehouse abfragbar (${deliveries} Lieferungen, Berlin)`, value: p50, ratio: baselineMs / p50, target: 'p95 ≤ 2.000 ms (siehe p95)', met: null },
    { ...common, name: `Frische p95: Lieferung angenommen -> Kennzahl im Warehouse abfragbar (${deliveries} Lieferungen, Berlin)`, value: p95, ratio: baselineMs / p95, target: 'p95 ≤ 2.000 ms', met: p95 <= 2000, samples: {}, note: 'Einzelwerte wie bei p50.' },
    {
      ...common,
      name: `Lieferung hochgeladen -> angenommen (Median, ${deliveries} Lieferungen à ${fmt(last.parsed.rows.length * 21)} Beobachtungen)`,
      value: median(acceptSamples),
      baseline: null,
      baselineName: '–',
      ratio: null,
      target: '– (zur Einordnung)',
      met: null,
      samples: { value: acceptSamples },
    },
  ];
}

/** The values route of the freshness data (for the API benchmark): ew of the latest year. */
export async function valuesRoute(ctx) {
  const { body } = await call(ctx.url, ctx.planer, 'GET', `/api/indicators/values?indicator=ew&scheme=${LOR_SCHEME}`);
  const labels = body.series.map((s) => s.periodLabel).sort();
  return `/api/indicators/values?indicator=ew&scheme=${LOR_SCHEME}&period=${encodeURIComponent(labels[labels.length - 1])}`;
}
