#!/usr/bin/env node
/**
 * `npm run bench`: one runner for every benchmark of Lagebild (issue 10). The root script builds
 * first; this runner builds nothing. It runs, one after the other (the machine's cores belong to
 * one measurement at a time):
 *
 * 1. each package's own benchmark, `node services/<pkg>/dist/bench/run.js`, with
 *    LAGEBILD_BENCH_OUT pointing at a temporary JSON file (packages that only print their
 *    figures are read from their output);
 * 2. the end-to-end benchmarks (test/bench/e2e.mjs) against a running `lagebild start`;
 *
 * then collects every result (figure, baseline of the same run, ratio, target, whether it was
 * met, the single samples) and writes BENCHMARKS.md at the repository root, printing the same.
 * A target missed is shown as missed; nothing is tuned to look better.
 *
 * Aufruf: node scripts/bench.mjs [--quick] [--nur platform,ingestion,indicators,warehouse,budget,e2e]
 *   --quick  kurzer Lauf: LAGEBILD_BENCH_SCALE=0.1 für die Pakete (beim Kennzahlen-Benchmark 5 statt
 *            50 Kennzahlen für Deutschland), FIS-Panels mit 5 Kennzahlen und 5 Läufen, die
 *            Ende-zu-Ende-Messungen in kurzer Fassung
 *   --nur    nur diese Messungen; BENCHMARKS.md enthält dann nur sie
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fmt, fmtAuto, gitCommit, ROOT } from '../test/bench/lib.mjs';

const PACKAGES = [
  { id: 'platform', area: 'Plattform (eingebettete Adapter)', dir: 'services/platform' },
  { id: 'ingestion', area: 'Ingestion', dir: 'services/ingestion' },
  // Writes LAGEBILD_BENCH_OUT; with --quick (LAGEBILD_BENCH_SCALE=0.1) 5 instead of 50 Germany indicators and the memory run at Berlin x 10.
  { id: 'indicators', area: 'Kennzahlen', dir: 'services/indicators' },
  { id: 'warehouse', area: 'Warehouse', dir: 'services/warehouse', quickEnv: { LAGEBILD_BENCH_FIS_RUNS: '5', LAGEBILD_BENCH_INDICATORS: '5' } },
  { id: 'budget', area: 'Haushalt', dir: 'services/budget', parse: parseBudget },
];
const E2E = path.join(ROOT, 'test/bench/e2e.mjs');
const AREAS_ORDER = ['Plattform (eingebettete Adapter)', 'Ingestion', 'Kennzahlen', 'Warehouse', 'Haushalt', 'Ende zu Ende', 'HTTP-API', 'Vergleich PostgreSQL'];

/** Runs a node script, echoing its output live, and resolves with the exit code and the output. */
function runNode(script, args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const echo = (d) => {
      output += d.toString();
      process.stdout.write(d);
    };
    child.stdout.on('data', echo);
    child.stderr.on('data', echo);
    child.on('error', (error) => resolve({ code: 1, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** German-formatted number as printed by the benchmarks ("1.234.567", "12,5", "0.45"). */
function num(text) {
  const t = text.trim();
  if (/^\d+\.\d{1,2}$/.test(t)) return Number(t); // toFixed(2): a decimal point
  return Number(t.replace(/\./g, '').replace(',', '.'));
}

/** The budget benchmark prints the reader baseline, the import and the plan/actual recomputation. */
function parseBudget(output) {
  const base = output.match(/Basis: nur Lesen \(derselbe CSV-Leser\):\s+([\d.]+) Buchungen\/s/);
  const imported = output.match(/Import \(Prüfung, Ereignisse, Hauptbuch\):\s+([\d.]+) Buchungen\/s/);
  const recomputed = output.match(/Plan\/Ist neu berechnet \(.*\):\s+([\d.]+) Buchungen\/s/);
  if (!base || !imported || !recomputed) throw new Error('Die Ausgabe des Haushalts-Benchmarks enthielt nicht alle Ergebniszeilen.');
  const baseline = num(base[1]);
  const common = { unit: 'Buchungen/s', better: 'higher', baseline, baselineName: 'nur Lesen der Datei mit demselben CSV-Leser', target: '– (kein Ziel festgelegt)', met: null, samples: {} };
  return [
    { ...common, name: 'Haushalt: Buchungen importieren (Prüfung, Ereignisse, Hauptbuch)', value: num(imported[1]), ratio: num(imported[1]) / baseline },
    { ...common, name: 'Haushalt: Plan/Ist neu berechnen (Hauptbuch aus Ereignissen, Bericht mit Hochrechnung)', value: num(recomputed[1]), ratio: num(recomputed[1]) / baseline },
  ];
}

/**
 * The warehouse's FIS panel benchmark reports p50/p95 per panel (`timings`) but no single figure:
 * per data set the median of the panels' p95 and the slowest panel's p95 (the target holds for
 * every panel), and the full list as a table.
 */
function fisResults(r, area) {
  const results = [];
  const rows = [];
  const datasets = [...new Set(r.timings.map((t) => t.dataset))];
  const target = r.targetP95Ms ?? 50;
  for (const dataset of datasets) {
    const timings = r.timings.filter((t) => t.dataset === dataset);
    const panels = timings.filter((t) => t.kind !== 'variables');
    const variables = timings.filter((t) => t.kind === 'variables');
    if (panels.length === 0) continue;
    const p95s = panels.map((t) => t.p95);
    const worst = panels.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    const meeting = panels.filter((t) => t.p95 <= target).length;
    const description = r.datasets?.find((d) => d.name === dataset)?.description;
    const label = `FIS-Panelabfragen, ${dataset}${description ? ` (${description})` : ''}`;
    const common = { area, unit: 'ms', better: 'lower', baseline: null, baselineName: '– (Ziel absolut; Vergleich mit PostgreSQL im Abschnitt „Vergleich PostgreSQL“)', ratio: null, samples: {} };
    results.push({
      ...common,
      name: `${label}: p95 je Panel, Median über ${panels.length} Panels`,
      value: median(p95s),
      target: `p95 ≤ ${fmt(target)} ms je Panel (siehe langsamstes Panel)`,
      met: null,
      note: `p50 je Panel, Median ${fmt(median(panels.map((t) => t.p50)), 1)} ms; ${meeting} von ${panels.length} Panels mit p95 ≤ ${fmt(target)} ms; Auflösung der Dashboard-Variablen p95 Median ${fmt(median(variables.map((t) => t.p95)), 1)} ms; ${r.runs ?? '?'} Läufe je Panel; Systemlast (1-min-Mittel) ${fmtAuto(r.loadAverage?.start)} zu Beginn, ${fmtAuto(r.loadAverage?.end)} am Ende.`,
    });
    results.push({
      ...common,
      name: `${label}: p95 des langsamsten Panels (${worst.dashboard} / ${worst.title ?? worst.panel})`,
      value: worst.p95,
      target: `p95 ≤ ${fmt(target)} ms je Panel`,
      met: worst.p95 <= target,
      note: `alle p95: ${[...p95s].sort((a, b) => a - b).map((x) => fmtAuto(x)).join(' · ')}`,
    });
    for (const t of timings) rows.push([dataset, t.dashboard, t.kind === 'variables' ? 'Variablen' : (t.title ?? t.panel), fmt(t.rows), fmtAuto(t.p50), fmtAuto(t.p95), t.kind === 'variables' ? '–' : t.p95 <= target ? 'ja' : 'nein']);
  }
  if (r.reopened && r.loaderProcess) {
    // The panels above were measured in the warehouse reopened after loading (as after a restart); the process that loaded and merged the data answers slower.
    results.push({
      area,
      unit: 'ms',
      better: 'lower',
      baseline: null,
      baselineName: '–',
      ratio: null,
      samples: {},
      name: `FIS-Panelabfragen im Prozess, der die Daten eben geladen hat (kurzer Durchgang, ${r.loaderProcess.runs} Läufe je Panel): p50 je Panel, Median`,
      value: r.loaderProcess.medianP50,
      target: '– (zur Einordnung: die Zeilen oben messen im neu geöffneten Warehouse, wie nach einem Neustart)',
      met: null,
      note: `langsamstes Panel p50 ${fmtAuto(r.loaderProcess.worstP50)} ms; Untergrenze je Abfrage (SELECT 1 über denselben Adapter) p50 ${fmtAuto(r.floor?.p50)} ms, p95 ${fmtAuto(r.floor?.p95)} ms.`,
    });
  }
  const table = {
    area,
    collapsed: true,
    title: `FIS-Panels einzeln (${r.runs ?? '?'} Läufe je Panel; Zeilen: fact_indicator_value ${fmt(r.tableRows?.fact_indicator_value)})`,
    header: ['Datensatz', 'Dashboard', 'Panel', 'Zeilen', 'p50 (ms)', 'p95 (ms)', `p95 ≤ ${fmt(target)} ms`],
    rows,
  };
  return { results, tables: [table] };
}

const median = (xs) => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

const KNOWN = new Set(['name', 'unit', 'value', 'baseline', 'baselineName', 'ratio', 'targetRatio', 'targetAbsolute', 'target', 'met', 'samples', 'better', 'note', 'area']);

function compact(value) {
  if (typeof value === 'number') return fmtAuto(value);
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k} ${compact(v)}`).join(', ');
  return String(value);
}

/** A package's JSON result in the common shape; fields beyond it become the note. */
function normalise(r, area) {
  const better = r.better ?? (r.unit === 'ms' ? 'lower' : 'higher');
  const ratio = typeof r.ratio === 'number' ? r.ratio : typeof r.baseline === 'number' && typeof r.value === 'number' ? (better === 'lower' ? r.baseline / r.value : r.value / r.baseline) : null;
  const targets = [];
  if (typeof r.targetRatio === 'number') targets.push(`≥ ${fmt(r.targetRatio, 2)} × Basis`);
  if (typeof r.targetAbsolute === 'number' && r.targetAbsolute > 0) targets.push(`${better === 'lower' ? '≤' : '≥'} ${fmtAuto(r.targetAbsolute)} ${r.unit}`);
  const extra = Object.entries(r).filter(([k]) => !KNOWN.has(k));
  return {
    area,
    name: r.name,
    unit: r.unit,
    better,
    value: r.value,
    baseline: typeof r.baseline === 'number' ? r.baseline : null,
    baselineName: r.baselineName ?? '–',
    ratio,
    target: r.target ?? (targets.join(', ') || '–'),
    met: typeof r.met === 'boolean' ? r.met : null,
    samples: r.samples ?? {},
    note: [r.note, ...extra.map(([k, v]) => `${k}: ${compact(v)}`)].filter(Boolean).join('; '),
  };
}

async function runPackage(pkg, { quick, tmp }) {
  const script = path.join(ROOT, pkg.dir, 'dist/bench/run.js');
  if (!existsSync(script)) throw new Error(`${pkg.dir} ist nicht gebaut (dist/bench/run.js fehlt): zuerst npm run build.`);
  const out = path.join(tmp, `${pkg.id}.json`);
  const quickEnv = quick ? { LAGEBILD_BENCH_SCALE: '0.1', ...(pkg.quickEnv ?? {}) } : {};
  const env = { LAGEBILD_BENCH_OUT: out, ...quickEnv };
  const shown = Object.entries(quickEnv).map(([k, v]) => `${k}=${v}`).join(' ');
  process.stdout.write(`\n=== ${pkg.area}: node ${pkg.dir}/dist/bench/run.js${shown ? ` (${shown})` : ''}\n`);
  const started = performance.now();
  const { code, output } = await runNode(script, [], env);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`endete mit Code ${code}: ${output.trim().split('\n').slice(-6).join(' | ')}`);
  if (existsSync(out)) {
    const json = JSON.parse(await readFile(out, 'utf8'));
    const results = [];
    const tables = [];
    for (const r of json.results ?? []) {
      if (Array.isArray(r.timings) && typeof r.value !== 'number') {
        const fis = fisResults(r, pkg.area);
        results.push(...fis.results);
        tables.push(...fis.tables);
      } else results.push(normalise(r, pkg.area));
    }
    return { seconds, results, tables };
  }
  if (!pkg.parse) throw new Error('schrieb keine Ergebnisdatei (LAGEBILD_BENCH_OUT).');
  return { seconds, tables: [], results: pkg.parse(output).map((r) => ({ ...r, area: pkg.area, note: [r.note, 'aus der Ausgabe gelesen (keine Ergebnisdatei)'].filter(Boolean).join('; ') })) };
}

async function runE2e({ quick, tmp }) {
  const out = path.join(tmp, 'e2e.json');
  const args = quick ? ['--quick'] : [];
  process.stdout.write(`\n=== Ende zu Ende: node test/bench/e2e.mjs ${args.join(' ')}\n`);
  const started = performance.now();
  const { code, output } = await runNode(E2E, args, { LAGEBILD_BENCH_OUT: out });
  if (!existsSync(out)) throw new Error(`endete mit Code ${code} ohne Ergebnisdatei: ${output.trim().split('\n').slice(-6).join(' | ')}`);
  const json = JSON.parse(await readFile(out, 'utf8'));
  const tables = (json.tables ?? []).map((t) => ({ area: 'Ende zu Ende', ...t }));
  return { seconds: (performance.now() - started) / 1000, results: json.results.map((r) => normalise(r, r.area)), tables, notes: json.notes ?? [], failures: json.failures ?? [] };
}

// ---- BENCHMARKS.md ----

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const withUnit = (v, unit) => (v === null || v === undefined ? '–' : `${fmtAuto(v)} ${unit}`);

function resultTable(results) {
  const lines = ['| Messung | Ergebnis | Basislinie (gleicher Lauf) | Verhältnis | Ziel | erreicht |', '|---|---|---|---|---|---|'];
  for (const r of results) {
    const baseline = r.baseline === null ? r.baselineName : `${withUnit(r.baseline, r.unit)}: ${r.baselineName}`;
    lines.push(`| ${cell(r.name)} | ${withUnit(r.value, r.unit)} | ${cell(baseline)} | ${r.ratio === null ? '–' : fmt(r.ratio, r.ratio < 0.1 ? 3 : 2)} | ${cell(r.target)} | ${r.met === null ? '–' : r.met ? 'ja' : '**nein**'} |`);
  }
  return lines.join('\n');
}

function samplesBlock(results) {
  const items = [];
  for (const r of results) {
    const parts = Object.entries(r.samples ?? {})
      .filter(([, v]) => Array.isArray(v) && v.length > 0)
      .map(([k, v]) => `${k === 'value' ? 'Ergebnis' : k === 'baseline' ? 'Basislinie' : k}: ${v.map((x) => fmtAuto(x)).join(' · ')}`);
    const note = r.note ? ` ${r.note}` : '';
    if (parts.length > 0 || note) items.push(`- ${cell(r.name)}:${note}${parts.length > 0 ? ` Einzelwerte ${parts.join('; ')}` : ''}`);
  }
  return items.length === 0 ? '' : `<details><summary>Einzelwerte und Hinweise</summary>\n\n${items.join('\n')}\n\n</details>`;
}

function markdownTable({ title, header, rows }) {
  return [...(title ? [`### ${title}`, ''] : []), `| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** Machine paths (checkout, temp dirs) out of the committed file. */
function sanitise(text) {
  return text.split(ROOT).join('.').split(os.tmpdir()).join('<tmp>');
}

function render({ startedAt, seconds, quick, only, results, tables, notes, failures, skipped }) {
  const cpus = os.cpus();
  const models = [...new Set(cpus.map((c) => c.model.trim()))].join(', ');
  const met = results.filter((r) => r.met === true).length;
  const judged = results.filter((r) => r.met !== null).length;
  const out = [
    '# Benchmarks',
    '',
    'Erzeugt von `npm run bench` (scripts/bench.mjs); nicht von Hand bearbeiten: ein neuer Lauf überschreibt die Datei.',
    'Jede Messung steht neben einer Basislinie, die im selben Lauf auf derselben Maschine gemessen wurde. Das',
    '**Verhältnis** sagt, wie schnell Lagebild im Vergleich zur Basislinie ist: bei Durchsätzen Ergebnis ÷ Basislinie,',
    'bei Zeiten Basislinie ÷ Ergebnis; über 1 heißt schneller als die Basislinie. Auf geteilten, verrauschten',
    'Maschinen zählt das Verhältnis, nicht die absolute Zahl. Ein verfehltes Ziel steht als „nein“ in der Tabelle.',
    '',
    '## Messumgebung',
    '',
    '| | |',
    '|---|---|',
    `| Datum | ${startedAt.toLocaleString('de-DE', { timeZone: 'UTC' })} UTC |`,
    `| Lauf | ${quick ? 'kurz (`--quick`)' : 'vollständig'}${only ? `, nur ${only.join(', ')}` : ''}; Dauer ${fmt(seconds / 60, 1)} min |`,
    `| Node.js | ${process.version} |`,
    `| CPU | ${cpus.length} × ${models} |`,
    `| Arbeitsspeicher | ${fmt(os.totalmem() / 1024 ** 3)} GB |`,
    `| Betriebssystem | ${os.type()} ${os.release()} (${os.arch()}) |`,
    `| Commit | ${gitCommit() ?? 'unbekannt (kein Git-Repository)'} |`,
    '',
    `**Ziele erreicht: ${met} von ${judged}** (Messungen ohne festgelegtes Ziel zählen nicht mit).`,
  ];
  const areas = [...new Set([...AREAS_ORDER, ...results.map((r) => r.area)])].filter((a) => results.some((r) => r.area === a));
  for (const area of areas) {
    const rows = results.filter((r) => r.area === area);
    out.push('', `## ${area}`, '', resultTable(rows));
    const block = samplesBlock(rows);
    if (block) out.push('', block);
    for (const t of tables.filter((x) => x.area === area)) {
      if (t.collapsed) out.push('', `<details><summary>${cell(t.title)}</summary>`, '', markdownTable({ ...t, title: null }), '', '</details>');
      else out.push('', markdownTable(t));
    }
  }
  if (notes.length > 0) out.push('', '## Hinweise', '', ...notes.map((n) => `- ${n}`));
  const missing = [...failures, ...skipped];
  if (missing.length > 0) out.push('', '## Nicht gemessen', '', ...missing.map((f) => `- ${f.step}: ${cell(f.message)}`));
  return sanitise(`${out.join('\n')}\n`);
}

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, nur: { type: 'string' } } });
  const ids = [...PACKAGES.map((p) => p.id), 'e2e'];
  const only = values.nur ? values.nur.split(',').map((s) => s.trim()) : null;
  const unknown = (only ?? []).filter((id) => !ids.includes(id));
  if (unknown.length > 0) {
    process.stderr.write(`Unbekannte Messung(en): ${unknown.join(', ')}; vorhanden: ${ids.join(', ')}.\n`);
    process.exit(2);
  }
  const selected = (id) => !only || only.includes(id);
  const startedAt = new Date();
  const started = performance.now();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'lagebild-bench-results-'));
  const results = [];
  const tables = [];
  const notes = [];
  const failures = [];
  const skipped = [];
  try {
    for (const pkg of PACKAGES.filter((p) => selected(p.id))) {
      try {
        const r = await runPackage(pkg, { quick: values.quick, tmp });
        results.push(...r.results);
        tables.push(...r.tables);
        notes.push(`${pkg.area}: ${fmt(r.seconds)} s.`);
      } catch (error) {
        failures.push({ step: pkg.area, message: error instanceof Error ? error.message : String(error) });
      }
    }
    if (selected('e2e')) {
      try {
        const r = await runE2e({ quick: values.quick, tmp });
        results.push(...r.results);
        tables.push(...r.tables);
        notes.push(...r.notes, `Ende zu Ende: ${fmt(r.seconds)} s.`);
        failures.push(...r.failures.map((f) => ({ step: `Ende zu Ende (${f.step})`, message: f.message })));
      } catch (error) {
        failures.push({ step: 'Ende zu Ende', message: error instanceof Error ? error.message : String(error) });
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const markdown = render({ startedAt, seconds: (performance.now() - started) / 1000, quick: values.quick, only, results, tables, notes, failures, skipped });
  const file = path.join(ROOT, 'BENCHMARKS.md');
  await writeFile(file, markdown);
  process.stdout.write(`\n${markdown}\nGeschrieben: BENCHMARKS.md\n`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`Benchmark-Lauf fehlgeschlagen: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
