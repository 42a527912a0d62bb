/**
 * The synthetic city of the end-to-end benchmarks, generated from real structure:
 *
 * - Berlin: the 542 LOR-Planungsräume (codes, names and 2020 population from the MSS 2021 file
 *   shipped with the demo) under their 12 Bezirke (names from the demo's bezirke.geojson);
 * - Germany: every Gemeinde of the Destatis Gemeindeverzeichnis GV100AD (about 11,000, with its
 *   population) under its Kreis and Land, from ../shared/data beside the repository; absent on
 *   most machines, then that structure is skipped.
 *
 * On this structure the benchmarks deliver observations of five count variables per area and
 * period (long CSV layout: gebiet;variable;zeitraum;wert), deterministic so that every run and
 * every engine reads the same bytes, and define five indicators over them (a count and four
 * shares), the same in Lagebild's catalogue, in one chDB statement and in PostgreSQL views.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { DEMO, SHARED_DATA } from './lib.mjs';

export const GV100AD = path.join(SHARED_DATA, 'germany/GV100AD_301123.txt');

/** The data set every synthetic delivery belongs to. */
export const DATASET = 'bench-stadt';

export const VARIABLES = [
  { code: 'b_ew', name: 'Einwohner (Benchmark)' },
  { code: 'b_u18', name: 'Einwohner unter 18 Jahren (Benchmark)' },
  { code: 'b_65plus', name: 'Einwohner ab 65 Jahren (Benchmark)' },
  { code: 'b_ausl', name: 'Ausländerinnen und Ausländer (Benchmark)' },
  { code: 'b_alo', name: 'Arbeitslose (Benchmark)' },
];

/** The indicators: numerator / denominator × scale, summed up the hierarchy (count: no denominator). */
export const INDICATORS = [
  { id: 'b_ew', name: 'Einwohner (Benchmark)', numerator: 'b_ew', denominator: null, scale: 1, unit: 'Personen', polarity: '0' },
  { id: 'b_anteil_u18', name: 'Anteil unter 18 Jahren (Benchmark)', numerator: 'b_u18', denominator: 'b_ew', scale: 100, unit: '%', polarity: '0' },
  { id: 'b_anteil_65plus', name: 'Anteil ab 65 Jahren (Benchmark)', numerator: 'b_65plus', denominator: 'b_ew', scale: 100, unit: '%', polarity: '0' },
  { id: 'b_auslaenderanteil', name: 'Ausländeranteil (Benchmark)', numerator: 'b_ausl', denominator: 'b_ew', scale: 100, unit: '%', polarity: '0' },
  { id: 'b_alo_quote', name: 'Arbeitslosenanteil (Benchmark)', numerator: 'b_alo', denominator: 'b_ew', scale: 100, unit: '%', polarity: '-' },
];

/** Minimal CSV line split with double quotes (the MSS file quotes its codes). */
function splitCsv(line) {
  const cells = [];
  let cell = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/**
 * A structure: units (code, name, type, parent; roots have parent ''), the leaves with a base
 * population, the tenant whose key the engine gives the total, and the period grid.
 */
export async function berlin() {
  const mss = (await readFile(path.join(DEMO, 'berlin/mss-2021/mss_2021_indizes.csv'), 'utf8')).trim().split('\n');
  const header = splitCsv(mss[0]);
  const col = (name) => header.indexOf(name);
  const bezirke = JSON.parse(await readFile(path.join(DEMO, 'berlin/geometry/bezirke.geojson'), 'utf8')).features.map((f) => f.properties);
  const units = bezirke.map((b) => ({ code: b.id, name: b.name, type: 'Bezirk', parent: '' })).sort((a, b) => a.code.localeCompare(b.code));
  const leaves = [];
  for (const line of mss.slice(1)) {
    const cells = splitCsv(line);
    const code = cells[col('PLR_ID')];
    units.push({ code, name: cells[col('PLR_NAME')], type: 'Planungsraum', parent: cells[col('BEZ_ID')] });
    leaves.push({ code, population: Number(cells[col('EW')]) || 0 });
  }
  return { key: 'berlin', label: 'Berlin (542 Planungsräume, 12 Bezirke)', tenant: '11000', units, leaves, granularity: 'month', periodicity: 'monatlich', periodLabel: 'Monate' };
}

/** Germany from the GV100AD, or null when the shared data collection is not beside the repository. */
export async function germany() {
  if (!existsSync(GV100AD)) return null;
  // The collection's copy is UTF-8, its fixed columns counted in characters.
  const text = await readFile(GV100AD, 'utf8');
  const units = [];
  const leaves = [];
  const kreise = new Set();
  const name = (line) => line.slice(22, 72).trim();
  for (const line of text.split('\n')) {
    const kind = line.slice(0, 2);
    if (kind === '10') units.push({ code: line.slice(10, 12), name: name(line), type: 'Land', parent: '' });
    else if (kind === '40') {
      const code = line.slice(10, 15);
      kreise.add(code);
      units.push({ code, name: name(line), type: 'Kreis', parent: code.slice(0, 2) });
    } else if (kind === '60') {
      const code = line.slice(10, 18);
      units.push({ code, name: name(line), type: 'Gemeinde', parent: code.slice(0, 5) });
      leaves.push({ code, population: Number(line.slice(139, 150)) || 0 });
    }
  }
  // A Gemeinde whose Kreis record is missing hangs under its Land.
  for (const u of units) if (u.type === 'Gemeinde' && !kreise.has(u.parent)) u.parent = u.code.slice(0, 2);
  return { key: 'deutschland', label: `Deutschland (${leaves.length.toLocaleString('de-DE')} Gemeinden, ${kreise.size} Kreise, 16 Länder)`, tenant: '99999', units, leaves, granularity: 'year', periodicity: 'jährlich', periodLabel: 'Jahre' };
}

/**
 * One Bezirk of a structure with its Planungsräume, as a structure of its own (same tenant, own
 * key): the subset on which a scale too large for the whole city is measured.
 */
export function subset(structure, topCode) {
  const top = structure.units.find((u) => u.code === topCode && u.parent === '');
  if (!top) throw new Error(`${structure.label}: keine oberste Einheit ${topCode}.`);
  const units = [{ ...top }];
  for (const u of structure.units) if (u.parent === topCode) units.push({ ...u });
  const codes = new Set(units.map((u) => u.code));
  const leaves = structure.leaves.filter((l) => codes.has(l.code));
  return {
    ...structure,
    key: `${structure.key}-${topCode}`,
    label: `${structure.label.replace(/ \(.*$/, '')}-${top.name} (${leaves.length} Planungsräume, Teilmenge)`,
    units,
    leaves,
  };
}

/** `count` periods ending with 2024 (months 'YYYY-MM' or years 'YYYY'), oldest first. */
export function periods(structure, count) {
  const out = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    if (structure.granularity === 'year') out.push(String(2024 - i));
    else {
      const m = 2024 * 12 + 11 - i;
      out.push(`${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`);
    }
  }
  return out;
}

/** Last day of a period label (the Stichtag the engine and the warehouse use). */
export function periodEnd(label) {
  if (/^\d{4}$/.test(label)) return `${label}-12-31`;
  const [y, m] = label.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${label}-${String(last).padStart(2, '0')}`;
}

/** The area file for `lagebild areas import` (code;name;type;parent). */
export function areaCsv(structure) {
  const escape = (s) => (/[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['code;name;type;parent', ...structure.units.map((u) => [u.code, escape(u.name), u.type, u.parent].join(';'))].join('\n') + '\n';
}

/** Every leaf with itself, its ancestors and the total (the tenant's key): leaf;unit rows. */
export function closureRows(structure) {
  const parent = new Map(structure.units.map((u) => [u.code, u.parent]));
  const rows = [];
  for (const leaf of structure.leaves) {
    let code = leaf.code;
    while (code) {
      rows.push([leaf.code, code]);
      code = parent.get(code) ?? '';
    }
    rows.push([leaf.code, structure.tenant]);
  }
  return rows;
}

/**
 * Writes the observations of `periodLabels` for every leaf and variable; returns the row count.
 * Values are integers (no decimal separator), derived from the leaf's real population and a
 * fixed pseudo-random sequence.
 */
export async function writeObservations(structure, periodLabels, file) {
  const out = createWriteStream(file);
  out.write('gebiet;variable;zeitraum;wert\n');
  let seed = 20241231;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let rows = 0;
  let chunk = '';
  for (let t = 0; t < periodLabels.length; t += 1) {
    const label = periodLabels[t];
    for (const leaf of structure.leaves) {
      const ew = Math.max(10, Math.round(leaf.population * (0.95 + 0.1 * next())));
      const values = [ew, Math.floor(ew * (0.1 + 0.12 * next())), Math.floor(ew * (0.12 + 0.15 * next())), Math.floor(ew * (0.05 + 0.3 * next())), Math.floor(ew * (0.02 + 0.08 * next()))];
      for (let v = 0; v < VARIABLES.length; v += 1) chunk += `${leaf.code};${VARIABLES[v].code};${label};${values[v]}\n`;
      rows += VARIABLES.length;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return rows;
}

/** The data set definition (ingestion catalogue). */
export function datasetDefinition() {
  return {
    name: 'Benchmark: synthetische Stadt',
    description: 'Erzeugte Zählwerte je Gebiet und Zeitraum für die Ende-zu-Ende-Benchmarks (test/bench).',
    source: { name: 'Generiert' },
    sensitivity: 'INTERNAL',
    variables: VARIABLES.map((v) => ({ code: v.code, name: v.name, unit: 'Personen', kind: 'count' })),
  };
}

/** The delivery profile of a structure's scheme (long layout, one observation per row). */
export function profileDefinition(structure, schemeId) {
  return {
    name: `Benchmark: ${structure.label}, eine Beobachtung je Zeile`,
    tenant: structure.tenant,
    dataset: DATASET,
    source: { name: 'Generiert' },
    scheme: { schemeId },
    format: { type: 'csv', encoding: 'utf-8', delimiter: ';', headerRows: 1 },
    numbers: { decimal: ',', thousands: [], percentSign: false },
    area: { column: { header: 'gebiet' }, by: 'code' },
    period: { granularity: structure.granularity, kind: 'STICHTAG', from: 'column', column: { header: 'zeitraum' } },
    variables: { layout: 'long', valueColumn: { header: 'wert' }, variableColumns: [{ header: 'variable' }] },
  };
}

/** The catalogue entries of the tenant (variables first: the indicators' formulas use them). */
export function catalogueEntries(structure) {
  const variables = VARIABLES.map((v) => ({ kind: 'variables', id: v.code, body: { code: v.code, name: v.name, unit: 'Personen', additive: true, sources: [v.code] } }));
  const indicators = INDICATORS.map((i) => ({
    kind: 'indicators',
    id: i.id,
    body: {
      id: i.id,
      name: i.name,
      description: `${i.name}: ${i.denominator ? `${i.numerator} je ${i.denominator} × ${i.scale}` : i.numerator}, für die Benchmarks.`,
      formula: i.denominator ? `${i.numerator} / ${i.denominator}` : i.numerator,
      scale: i.scale,
      unit: i.unit,
      polarity: i.polarity,
      type: 'Kontext',
      source: 'Generiert',
      levels: ['Sozialraum', 'Gemeinde', 'Kreis'],
      periodicity: structure.periodicity,
      sensitivity: 'INTERNAL',
      thresholds: { kind: 'relative', reference: 'parent', yellowFromPercent: 10, redFromPercent: 25 },
    },
  }));
  return [...variables, ...indicators];
}

/** SQL (ClickHouse) of one indicator's value from summed columns `s_<variable>`. */
function valueExpression(i) {
  return i.denominator ? `s_${i.numerator} / nullIf(s_${i.denominator}, 0) * ${i.scale}` : `s_${i.numerator} * ${i.scale}`;
}

/**
 * The single-engine limit: chDB reads the observation file and the hierarchy file and computes
 * every indicator for every unit (leaf, ancestors, total) and period in one statement.
 * Returns the number of values and their sum (so every value is computed).
 */
export function chdbStatement({ observations, closure }) {
  const sums = VARIABLES.map((v) => `sumIf(o.wert, o.variable = '${v.code}') AS s_${v.code}`).join(', ');
  const values = INDICATORS.map(valueExpression).join(', ');
  return `SELECT count() AS n, sum(v) AS s FROM (
  SELECT arrayJoin([${values}]) AS v FROM (
    SELECT c.unit AS unit, o.zeitraum AS zeitraum, ${sums}
    FROM file('${observations}', 'CSVWithNames', 'gebiet String, variable String, zeitraum String, wert Float64') AS o
    INNER JOIN file('${closure}', 'CSV', 'leaf String, unit String') AS c ON c.leaf = o.gebiet
    GROUP BY unit, zeitraum
  )
) SETTINGS format_csv_delimiter = ';'`;
}

/** Writes the closure file (leaf;unit) for chDB and PostgreSQL. */
export async function writeClosure(structure, file) {
  const out = createWriteStream(file);
  for (const [leaf, unit] of closureRows(structure)) out.write(`${leaf};${unit}\n`);
  out.end();
  await once(out, 'finish');
}
