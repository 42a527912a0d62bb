#!/usr/bin/env node
/**
 * The end-to-end benchmarks of Lagebild (issue 10), against `lagebild start --ohne-demo` on a
 * fresh temporary data directory, the process a user runs:
 *
 *   Frische      delivery accepted -> indicator value queryable in the warehouse, p50/p95
 *                (freshness.mjs)
 *   API          a real data route against GET /health of the same server; p99 at 1k req/s
 *                (api.mjs)
 *   Skalierung   file -> warehouse throughput at 1× and 10× the observations for Berlin's 542
 *                Planungsräume and Germany's Gemeinden, 30× for Berlin, 100× for one Bezirk
 *                (see scalePlan), against chDB computing the same values in one statement
 *                (scale.mjs)
 *   PostgreSQL   the FIS Indikator-Atlas queries against the same indicators as PostgreSQL views
 *                (postgres.mjs)
 *   Replay       rebuilding the warehouse from every event on the log (POST /api/warehouse/replay,
 *                what `lagebild replay` calls), events/s and rows/s
 *
 * Aufruf: node test/bench/e2e.mjs [--quick] [--nur frische,api,skalierung,postgres,replay]
 *   --quick  Berlin 1× und 10×, Deutschland 1× (ohne zweiten Lauf), 8 statt 20 Lieferungen,
 *            kürzere API- und PostgreSQL-Läufe
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
import { assertBuilt, callPatient, fmt, fmtAuto, heapLimitOf, issueToken, privateMemoryOf, removeDir, rssOf, sleep, startLagebild, tempDir } from './lib.mjs';
import { benchPostgres, postgresResults } from './postgres.mjs';
import { awaitSchemes, benchScale, registerSchemes, scaleResults, schemeIdOf } from './scale.mjs';

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
  // No client timeout: a rebuild of a large warehouse may take longer than fetch waits for headers.
  const { body } = await callPatient(ctx.url, ctx.operator, 'POST', '/api/warehouse/replay');
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

/**
 * The scale plan: run 1 (with the other measurements) the whole of Berlin and Germany at 1× and
 * 10×; run 2 (a fresh server on the same data) 100× on a subset, Bezirk Mitte (49 Planungsräume,
 * 1,200 months: 294,000 observations), and the whole of Berlin at 30× (975,600 observations) and
 * 100× (3.25 million observations in one delivery; until the pipeline's memory was bounded per
 * batch this exhausted the server's V8 heap).
 */
function scalePlan(structures, { quick }) {
  const [berlin, germany] = structures;
  const first = [{ structure: berlin, scales: [1, 10] }];
  if (germany) first.push({ structure: germany, scales: quick ? [1] : [1, 10] });
  if (quick) return { first, second: [] };
  const second = [
    { structure: city.subset(berlin, '01'), scales: [1, 10, 100] },
    { structure: berlin, scales: [30, 100] },
  ];
  return { first, second };
}

/**
 * Runs the selected measurements on one data directory. Run 1: Frische and API (real Berlin
 * data), the scale series up to 10×, the PostgreSQL comparison (on the Berlin 10× data) and the
 * replay; then the server is stopped (the replayed records are counted from the stopped log).
 * Run 2 (full run only): the server is started again on the same data for the large scales,
 * last because they may exhaust it. A server that dies is reported with its last words.
 */
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
  const plan = scalePlan(structures, { quick });
  const scaleRuns = [];
  const scaleFailures = [];
  const heapLimit = heapLimitOf();
  notes.push(`V8-Heap-Grenze des lagebild-Prozesses: ${fmt(heapLimit / 1024 / 1024)} MB (Voreinstellung von Node.js auf diesem Rechner; NODE_OPTIONS=--max-old-space-size ändert sie).`);

  let server;
  let ctx;
  const died = () => (server.exited() === undefined ? '' : ` (lagebild start beendet mit ${server.exited()}: ${server.lastWords() || 'keine Meldung'})`);
  const start = async (label) => {
    server = await startLagebild({ dataDir });
    ctx = {
      url: server.url,
      pid: server.pid,
      dataDir,
      work,
      log,
      planer: await issueToken(dataDir, { tenant: '11000', roles: ['sozialplanung'], subject: 'bench-planung' }),
      operator: await issueToken(dataDir, { tenant: '00000', roles: ['admin'], subject: 'bench-betrieb' }),
    };
    ctx.rssStart = rssOf(server.pid);
    ctx.privateStart = privateMemoryOf(server.pid);
    log(`lagebild start --ohne-demo läuft (${label}, bereit nach ${fmt(server.startSeconds, 1)} s).`);
  };
  const stop = async (label) => {
    const rss = rssOf(server.pid);
    const own = privateMemoryOf(server.pid);
    const ended = server.exited();
    if (ended !== undefined) {
      notes.push(`lagebild start (${label}) endete während der Messungen mit ${ended}; letzte Meldungen: ${server.lastWords() || '–'}`);
      return;
    }
    const code = await server.stop();
    const { seconds, forced } = server.stopInfo();
    notes.push(
      `lagebild-Prozess (${label}): RSS ${fmt(ctx.rssStart / 1024 / 1024)} MB nach dem Start, ${fmt(rss / 1024 / 1024)} MB am Ende ` +
        `(privat, ohne die Dateiseiten der LMDB-Abbildung: ${fmt(ctx.privateStart / 1024 / 1024)} MB und ${fmt(own / 1024 / 1024)} MB); ` +
        (forced ? `nach SIGTERM nicht binnen ${fmt(seconds)} s beendet, mit SIGKILL beendet.` : `nach SIGTERM beendet in ${fmt(seconds, 1)} s mit ${code}.`),
    );
    if (!forced && code !== 0) notes.push(`lagebild start (${label}) endete nach SIGTERM mit ${code} statt 0; letzte Meldungen: ${server.lastWords() || '–'}`);
  };
  const step = async (name, work) => {
    if (!only.includes(name)) return undefined;
    // A server that ended in an earlier step is started again on the same data, and the end reported.
    if (server.exited() !== undefined) {
      notes.push(`lagebild start endete vor dem Schritt „${name}“ mit ${server.exited()}; letzte Meldungen: ${server.lastWords() || '–'}. Neu gestartet auf denselben Daten.`);
      try {
        await start(`vor „${name}“ neu gestartet`);
      } catch (error) {
        failures.push({ step: name, message: `nicht gemessen: lagebild start ließ sich nicht wieder starten: ${error instanceof Error ? error.message : String(error)}` });
        return undefined;
      }
    }
    try {
      const value = await work();
      // Figures taken while the server went away (e.g. requests refused) are not a measurement.
      if (server.exited() !== undefined) throw new Error('lagebild start endete während des Schritts; die Werte sind verworfen');
      return value;
    } catch (error) {
      // The process's exit is reported a moment after its sockets close.
      await sleep(1000);
      failures.push({ step: name, message: `${error instanceof Error ? error.message : String(error)}${died()}` });
      log(`FEHLER in ${name}: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
      return undefined;
    }
  };
  const scale = async (part) => {
    const t = performance.now();
    await awaitSchemes(ctx, part);
    log(`Gebietsgliederungen im Warehouse nach ${fmt((performance.now() - t) / 1000, 1)} s.`);
    const outcome = await benchScale(ctx, {
      plan: part,
      alive: async () => server.exited() === undefined && (await fetch(`${ctx.url}/health`).then((r) => r.ok, () => false)),
      diagnose: died,
    });
    scaleRuns.push(...outcome.runs);
    scaleFailures.push(...outcome.failures);
    failures.push(...outcome.failures.map((f) => ({ step: f.step, message: f.message })));
  };

  try {
    // The register is written before the server starts: one process writes the embedded stores at a time.
    const t = performance.now();
    if (only.includes('frische') || only.includes('api')) registerBerlinLor(dataDir);
    if (only.includes('skalierung')) await registerSchemes({ dataDir, work }, [...plan.first, ...plan.second]);
    log(`Gebietsgliederungen vor dem Start registriert (${fmt((performance.now() - t) / 1000, 1)} s).`);
    await start('Lauf 1');
    let replay;
    try {
      const fresh = await step('frische', () => benchFreshness(ctx, { deliveries: quick ? 8 : 20 }));
      if (fresh) results.push(...fresh);

      const api = await step('api', async () => {
        if (!fresh) throw new Error('Die API-Messung braucht die Daten der Frische-Messung (--nur frische,api).');
        return benchApi(ctx, { route: await valuesRoute(ctx), routeName: 'GET /api/indicators/values (Einwohner, 555 Gebiete, ein Stichtag)', seconds: quick ? 5 : 10, rounds: quick ? 1 : 3 });
      });
      if (api) results.push(...api);

      await step('skalierung', () => scale(plan.first));

      const peer = await step('postgres', async () => {
        const run = scaleRuns.find((r) => r.key === 'berlin' && r.scale === 10);
        if (!run) throw new Error('Der PostgreSQL-Vergleich braucht den Berliner 10×-Lauf der Skalierung (--nur skalierung,postgres).');
        const structure = structures[0];
        const outcome = await benchPostgres(ctx, { structure, run, observationsFile: path.join(work, `${schemeIdOf(structure, 10)}.csv`), rounds: quick ? 5 : 20 });
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
      await stop('Lauf 1');
    }
    // Counted with the server stopped: the log holds exactly what the replay read.
    if (replay) results.push(replayResult(replay, await logRecords(dataDir)));

    if (only.includes('skalierung') && plan.second.length > 0) {
      let started = false;
      try {
        await start('Lauf 2: große Stufen, dieselben Daten');
        started = true;
      } catch (error) {
        failures.push({ step: 'skalierung (Lauf 2)', message: `lagebild start ließ sich auf den Daten von Lauf 1 nicht wieder starten: ${error instanceof Error ? error.message : String(error)}` });
      }
      if (started) {
        try {
          await step('skalierung', () => scale(plan.second));
        } finally {
          await stop('Lauf 2');
        }
      }
    }
  } finally {
    await removeDir(dataDir);
    await removeDir(work);
  }
  if (scaleRuns.length > 0 || scaleFailures.length > 0) {
    const { results: r, table } = scaleResults(scaleRuns, scaleFailures);
    results.push(...r);
    tables.push(table);
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
