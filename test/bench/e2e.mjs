#!/usr/bin/env node
/**
 * The end-to-end benchmarks of Lagebild (issue 10), against `lagebild start --ohne-demo` on a
 * fresh temporary data directory, the process a user runs:
 *
 *   Frische      delivery accepted -> indicator value queryable in the warehouse, p50/p95
 *                (freshness.mjs)
 *   API          a real data route against GET /health of the same server; p99 at 1k req/s
 *                (api.mjs)
 *   Skalierung   file -> warehouse throughput at 1×, 10×, 100× the observations, Berlin's 542
 *                Planungsräume and Germany's Gemeinden, against chDB computing the same values in
 *                one statement (scale.mjs)
 *   PostgreSQL   the FIS Indikator-Atlas queries against the same indicators as PostgreSQL views
 *                (postgres.mjs)
 *   Replay       rebuilding the warehouse from every event on the log (POST /api/warehouse/replay,
 *                what `lagebild replay` calls), events/s and rows/s
 *
 * Aufruf: node test/bench/e2e.mjs [--quick] [--nur frische,api,skalierung,postgres,replay]
 * Results as JSON to LAGEBILD_BENCH_OUT (else .lagebild/bench/e2e.json); `npm run bench`
 * (scripts/bench.mjs) runs this after the per-service benchmarks and writes BENCHMARKS.md.
 * Needs the built packages (npm run build).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchApi } from './api.mjs';
import * as city from './city.mjs';
import { benchFreshness, registerBerlinLor, valuesRoute } from './freshness.mjs';
import { assertBuilt, call, fmt, fmtAuto, issueToken, removeDir, rssOf, startLagebild, tempDir } from './lib.mjs';
import { benchPostgres, postgresResults } from './postgres.mjs';
import { awaitSchemes, benchScale, registerSchemes, scaleResults } from './scale.mjs';

const STEPS = ['frische', 'api', 'skalierung', 'postgres', 'replay'];
const TOPICS = ['lagebild.ingestion', 'lagebild.indicators', 'lagebild.goals', 'lagebild.budget'];

/** Records on the event log (what a replay reads); only with the server stopped (one process writes LMDB). */
async function logRecords(dataDir) {
  const { createLmdbEventLog, embeddedPaths } = await import('@lagebild/platform');
  const log = createLmdbEventLog({ path: embeddedPaths(dataDir).lmdb });
  try {
    let records = 0;
    for (const topic of TOPICS) for (const end of (await log.endOffsets(topic)).values()) records += end;
    return records;
  } finally {
    await log.close();
  }
}

/** Rebuilds the warehouse through the running service (as `lagebild replay` does). */
async function benchReplay(ctx) {
  ctx.log('Replay: Warehouse aus allen Ereignissen neu aufbauen …');
  const started = performance.now();
  const { body } = await call(ctx.url, ctx.operator, 'POST', '/api/warehouse/replay');
  return { rows: body.rows, tables: body.tables, ms: body.durationMs ?? performance.now() - started };
}

/** The replay's result row, once the records on the log are counted (after the server stopped). */
function replayResult(replay, records) {
  const eventsPerSecond = (records / replay.ms) * 1000;
  return {
    area: 'Ende zu Ende',
    name: `Replay: Warehouse aus ${fmt(records)} Ereignissen neu aufgebaut (${fmt(replay.rows)} Zeilen, ${replay.tables} Tabellen, mit Umschalten)`,
    unit: 'Ereignisse/s',
    better: 'higher',
    value: eventsPerSecond,
    baseline: null,
    baselineName: '– (keine Basislinie in diesem Lauf; Projektion gegen direktes Einfügen: Warehouse-Benchmark)',
    ratio: null,
    target: '10 Mio. Ereignisse < 2 min (≥ 83.333 Ereignisse/s)',
    met: eventsPerSecond >= 83_333,
    samples: { value: [eventsPerSecond] },
    note: `${fmt(replay.ms / 1000, 1)} s; ${fmt((replay.rows / replay.ms) * 1000)} Zeilen/s; ${fmt(replay.rows / Math.max(1, records))} Zeilen je Ereignis (Beobachtungen und Kennzahlwerte reisen in Stapeln).`,
  };
}

export async function runEndToEnd({ quick = false, only = STEPS, log = (line) => process.stdout.write(`${line}\n`) } = {}) {
  assertBuilt();
  const results = [];
  const tables = [];
  const notes = [];
  const failures = [];
  const dataDir = await tempDir('lagebild-bench-e2e-');
  const work = await tempDir('lagebild-bench-work-');
  const structures = [await city.berlin()];
  const germany = await city.germany();
  if (germany) structures.push(germany);
  else notes.push('Deutschland-Struktur übersprungen: ../shared/data/germany/GV100AD_301123.txt fehlt (die Datensammlung ../shared/data liegt nur auf Entwicklungsrechnern neben dem Repository).');
  const scales = quick ? [1, 10] : [1, 10, 100];
  // The register is written before the server starts: one process writes the embedded stores at a time.
  let t = performance.now();
  let server;
  try {
    if (only.includes('frische') || only.includes('api')) registerBerlinLor(dataDir);
    if (only.includes('skalierung')) await registerSchemes({ dataDir, work }, structures, scales);
    log(`Gebietsgliederungen vor dem Start registriert (${fmt((performance.now() - t) / 1000, 1)} s).`);
    log('Starte lagebild start --ohne-demo …');
    server = await startLagebild({ dataDir });
  } catch (error) {
    await removeDir(dataDir);
    await removeDir(work);
    throw error;
  }
  const ctx = {
    url: server.url,
    pid: server.pid,
    dataDir,
    work,
    log,
    planer: await issueToken(dataDir, { tenant: '11000', roles: ['sozialplanung'], subject: 'bench-planung' }),
    operator: await issueToken(dataDir, { tenant: '00000', roles: ['admin'], subject: 'bench-betrieb' }),
  };
  const rssStart = rssOf(server.pid);
  let replay;
  const step = async (name, work) => {
    if (!only.includes(name)) return undefined;
    try {
      return await work();
    } catch (error) {
      failures.push({ step: name, message: error instanceof Error ? error.message : String(error) });
      log(`FEHLER in ${name}: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
      return undefined;
    }
  };
  try {
    const fresh = await step('frische', () => benchFreshness(ctx, { deliveries: quick ? 8 : 20 }));
    if (fresh) results.push(...fresh);

    const api = await step('api', async () => {
      if (!fresh) throw new Error('Die API-Messung braucht die Daten der Frische-Messung (--nur frische,api).');
      return benchApi(ctx, { route: await valuesRoute(ctx), routeName: 'GET /api/indicators/values (Einwohner, 555 Gebiete, ein Stichtag)', seconds: quick ? 5 : 10, rounds: quick ? 1 : 3 });
    });
    if (api) results.push(...api);

    const scaled = await step('skalierung', async () => {
      t = performance.now();
      await awaitSchemes(ctx, structures, scales);
      log(`Gebietsgliederungen im Warehouse nach ${fmt((performance.now() - t) / 1000, 1)} s.`);
      return (await benchScale(ctx, { structures, scales })).runs;
    });
    if (scaled) {
      const { results: r, table } = scaleResults(scaled);
      results.push(...r);
      tables.push(table);
    }

    const peer = await step('postgres', async () => {
      const run = scaled?.find((r) => r.key === 'berlin' && r.scale === 10);
      if (!run) throw new Error('Der PostgreSQL-Vergleich braucht den Berliner 10×-Lauf der Skalierung (--nur skalierung,postgres).');
      const structure = structures[0];
      const outcome = await benchPostgres(ctx, { structure, run, observationsFile: path.join(work, `bench-berlin-x10.csv`), rounds: quick ? 5 : 20 });
      if (outcome.skipped) {
        notes.push(`Vergleich mit PostgreSQL übersprungen: ${outcome.skipped}`);
        log(outcome.skipped);
        return [];
      }
      notes.push(`PostgreSQL ${outcome.version}: ${fmt(run.observations)} Beobachtungen geladen, indiziert und analysiert in ${fmt(outcome.loadMs / 1000, 1)} s.`);
      return postgresResults(outcome, run, structure);
    });
    if (peer) results.push(...peer);

    replay = await step('replay', () => benchReplay(ctx));
  } finally {
    const rssEnd = rssOf(server.pid);
    notes.push(`lagebild-Prozess: RSS ${fmt(rssStart / 1024 / 1024)} MB nach dem Start, ${fmt(rssEnd / 1024 / 1024)} MB am Ende aller Messungen.`);
    const code = await server.stop();
    if (code !== 0) notes.push(`lagebild start endete mit Code ${code} (erwartet 0 nach SIGTERM).`);
    if (replay) await step('replay', async () => results.push(replayResult(replay, await logRecords(dataDir))));
    await removeDir(dataDir);
    await removeDir(work);
  }
  return { results, tables, notes, failures };
}

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, nur: { type: 'string' } } });
  const only = values.nur ? values.nur.split(',').map((s) => s.trim()) : STEPS;
  const unknown = only.filter((s) => !STEPS.includes(s));
  if (unknown.length > 0) {
    process.stderr.write(`Unbekannte Messung(en): ${unknown.join(', ')}; vorhanden: ${STEPS.join(', ')}.\n`);
    process.exit(2);
  }
  const started = performance.now();
  const report = await runEndToEnd({ quick: values.quick, only });
  const out = path.resolve(process.env.LAGEBILD_BENCH_OUT ?? path.join(process.env.LAGEBILD_DATA_DIR ?? '.lagebild', 'bench', 'e2e.json'));
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, quick: values.quick, seconds: (performance.now() - started) / 1000, ...report }, null, 2)}\n`);
  process.stdout.write('\n| Messung | Ergebnis | Basislinie | Verhältnis | Ziel | erreicht |\n|---|---|---|---|---|---|\n');
  for (const r of report.results) {
    process.stdout.write(`| ${r.name} | ${fmtAuto(r.value)} ${r.unit} | ${r.baseline === null ? '–' : `${fmtAuto(r.baseline)} ${r.unit}`} (${r.baselineName}) | ${r.ratio === null ? '–' : fmt(r.ratio, 2)} | ${r.target} | ${r.met === null ? '–' : r.met ? 'ja' : 'nein'} |\n`);
  }
  for (const note of report.notes) process.stdout.write(`\n${note}`);
  for (const f of report.failures) process.stdout.write(`\nFEHLER ${f.step}: ${f.message}`);
  process.stdout.write(`\n\nErgebnisse gespeichert in ${out}\n`);
  if (report.failures.length > 0) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((error) => {
    process.stderr.write(`Benchmark fehlgeschlagen: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
    process.exit(1);
  });
}
