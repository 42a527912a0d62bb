/**
 * End-to-end throughput and the scale series (TARGETS.md: file -> indicator values in the
 * warehouse ≥ 0.25 × chDB loading the file and computing the same values in one statement).
 *
 * For each structure of the synthetic city (city.mjs) and each scale of the plan (1×, 10×, …
 * the observations of the 1× run, by more periods), on the running `lagebild start`:
 * 1. a scheme of its own (`bench-<structure>-x<scale>`, so counts of one run are not mixed with
 *    another's), registered with `lagebild areas import` before the server started, and a
 *    delivery profile for it;
 * 2. the observation file generated (deterministic);
 * 3. baseline: chDB (own process) reads that file and the hierarchy file and computes the five
 *    indicators for every unit and period in one statement;
 * 4. measured: upload of the file (HTTP, multipart), until the warehouse holds every observation
 *    of the delivery (fact_observation) and every indicator value in both copies
 *    (fact_indicator_value, RAW and PROTECTED: the computation emits the RAW batches, then the
 *    PROTECTED ones; most FIS audiences read the latter). The count to reach is the baseline's:
 *    both engines must produce the same number of values.
 * Reported per run: seconds, observations/s, the baseline's, the ratio, the peak RSS of the
 * lagebild process while it worked (sampled from /proc) and of its private memory (RSS without
 * the file pages of the LMDB memory map, which RSS counts too) and the longest time one of its answers
 * took meanwhile (how long the server was unresponsive). A run the server does not survive is
 * reported with the server's last words (e.g. V8's heap limit).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as city from './city.mjs';
import { runChdb } from './baseline.mjs';
import { call, deliver, fmt, isBusy, issueToken, median, pollUntil, privateMemoryOf, rssOf, runCli, sleep, waitForDecision, warehouseQuery } from './lib.mjs';

/** Periods of the 1× run: Berlin 12 months (32,520 observations), Germany 1 year (about 55,000). */
const BASE_PERIODS = { month: 12, year: 1 };
const TARGET_RATIO = 0.25;

async function prepareTenant(ctx, structure) {
  const admin = await issueToken(ctx.dataDir, { tenant: structure.tenant, roles: ['admin'], subject: 'bench-admin' });
  await call(ctx.url, admin, 'PUT', `/api/ingestion/datasets/${city.DATASET}`, city.datasetDefinition());
  for (const entry of city.catalogueEntries(structure)) await call(ctx.url, admin, 'PUT', `/api/indicators/catalogue/${entry.kind}/${entry.id}`, entry.body);
  return admin;
}

export const schemeIdOf = (structure, scale) => `bench-${structure.key}-x${scale}`;

/**
 * Registers one scheme per structure and scale of the plan ([{ structure, scales }]) with
 * `lagebild areas import`, before the server starts: the embedded stores are written by one
 * process at a time (a command writing LMDB beside the running server failed here with
 * MDB_BAD_TXN), and the server relays the events when it starts.
 */
export async function registerSchemes({ dataDir, work }, plan) {
  for (const { structure, scales } of plan) {
    const file = path.join(work, `${structure.key}-gebiete.csv`);
    await writeFile(file, city.areaCsv(structure));
    for (const scale of scales) {
      runCli(['areas', 'import', file, '--scheme', schemeIdOf(structure, scale), '--name', `Benchmark ${structure.label}`, '--tenant', structure.tenant, '--valid-from', '1900-01-01', '--parent-field', 'parent', '--reason', 'Benchmark (test/bench)'], { dataDir });
    }
  }
}

/** Waits until the running server has every registered scheme's units in the warehouse. */
export async function awaitSchemes(ctx, plan) {
  for (const { structure, scales } of plan) {
    for (const scale of scales) {
      const sql = `SELECT count() AS n FROM lagebild.v_area WHERE tenant = '${structure.tenant}' AND scheme_id = '${schemeIdOf(structure, scale)}'`;
      await pollUntil(async () => Number((await warehouseQuery(ctx.url, ctx.operator, sql))[0]?.n ?? 0) >= structure.units.length, { timeoutMs: 600_000, intervalMs: 500, what: `die Gebiete von ${schemeIdOf(structure, scale)} im Warehouse` });
    }
  }
}

/** Observations of one run: every leaf, variable and period. */
export const observationsOf = (structure, scale) => structure.leaves.length * city.VARIABLES.length * BASE_PERIODS[structure.granularity] * scale;

/** The peak RSS of a process, sampled from /proc on a timer: also while its event loop is too busy to answer. */
function rssSampler(pid) {
  let peak = rssOf(pid);
  let peakPrivate = privateMemoryOf(pid);
  const timer = setInterval(() => {
    const rss = rssOf(pid);
    if (rss > peak) peak = rss;
    const own = privateMemoryOf(pid);
    if (!(own <= peakPrivate)) peakPrivate = own;
  }, 500);
  return { peak: () => peak, peakPrivate: () => peakPrivate, stop: () => clearInterval(timer) };
}

/**
 * Uploads the file and waits until the warehouse holds every observation and every expected
 * indicator value; returns the times and the longest single answer of the server meanwhile.
 */
async function deliverAndWait(ctx, { structure, admin, schemeId, file, rows, expectedValues, stallMs }) {
  const { url, operator } = ctx;
  const started = performance.now();
  const answer = await deliver(url, admin, { file, profile: schemeId });
  const uploadedMs = performance.now() - started;
  const view = await waitForDecision(url, admin, answer.deliveryId, { timeoutMs: 1_800_000, intervalMs: 50 });
  const acceptedMs = performance.now() - started;
  // The longest the server took to answer one request meanwhile (a busy event loop shows here).
  let slowestMs = view.slowestPollMs;
  // Both copies of every value: RAW (for audiences allowed raw counts) and PROTECTED (what most FIS audiences read).
  const sql = `SELECT (SELECT count() FROM lagebild.fact_indicator_value WHERE tenant = '${structure.tenant}' AND scheme_id = '${schemeId}' AND protection = 'RAW') AS v,
    (SELECT count() FROM lagebild.fact_indicator_value WHERE tenant = '${structure.tenant}' AND scheme_id = '${schemeId}' AND protection = 'PROTECTED') AS p,
    (SELECT count() FROM lagebild.fact_observation WHERE tenant = '${structure.tenant}' AND delivery_id = '${answer.deliveryId}') AS o`;
  let last = { v: -1, p: -1, o: -1 };
  let lastChange = performance.now();
  for (;;) {
    const asked = performance.now();
    let r;
    try {
      [r] = await warehouseQuery(url, operator, sql);
    } catch (error) {
      if (!isBusy(error) || performance.now() - lastChange > stallMs) throw error;
      slowestMs = Math.max(slowestMs, performance.now() - asked);
      continue;
    }
    slowestMs = Math.max(slowestMs, performance.now() - asked);
    const now = { v: Number(r.v), p: Number(r.p), o: Number(r.o) };
    if (now.v >= expectedValues && now.p >= expectedValues && now.o >= rows) {
      return { uploadedMs, acceptedMs, doneMs: performance.now() - started, slowestMs, observationCount: view.observationCount };
    }
    if (now.v !== last.v || now.p !== last.p || now.o !== last.o) lastChange = performance.now();
    else if (performance.now() - lastChange > stallMs) {
      throw new Error(`${schemeId}: seit ${fmt(stallMs / 60_000)} Minuten kein Fortschritt; im Warehouse ${fmt(now.o)} von ${fmt(rows)} Beobachtungen, ${fmt(now.v)} von ${fmt(expectedValues)} Kennzahlwerten (RAW) und ${fmt(now.p)} (PROTECTED).`);
    }
    last = now;
    await sleep(rows >= 100_000 ? 250 : 100);
  }
}

async function runOnce(ctx, structure, admin, scale, closure) {
  const schemeId = schemeIdOf(structure, scale);
  await call(ctx.url, admin, 'PUT', `/api/ingestion/profiles/${schemeId}`, city.profileDefinition(structure, schemeId));
  const labels = city.periods(structure, BASE_PERIODS[structure.granularity] * scale);
  const file = path.join(ctx.work, `${schemeId}.csv`);
  const rows = await city.writeObservations(structure, labels, file);

  const large = rows >= 1_000_000;
  const chdb = await runChdb(ctx.work, { rounds: large ? 3 : 5, statement: city.chdbStatement({ observations: file, closure }) });
  const expectedValues = Number(chdb.row.n);
  const baselineMs = median(chdb.ms);

  const rss = rssSampler(ctx.pid);
  let measured;
  try {
    // A large run may compute for minutes before its first values arrive.
    measured = await deliverAndWait(ctx, { structure, admin, schemeId, file, rows, expectedValues, stallMs: large ? 900_000 : 180_000 });
  } finally {
    rss.stop();
  }
  // Exactly once: the deduplicated count equals the baseline's (a retried batch would show up here only before a merge).
  const [exact] = await warehouseQuery(ctx.url, ctx.operator, `SELECT count() AS n FROM lagebild.fact_indicator_value FINAL WHERE tenant = '${structure.tenant}' AND scheme_id = '${schemeId}' AND protection = 'RAW'`);
  const run = {
    structure: structure.label,
    key: structure.key,
    scale,
    periods: labels.length,
    periodLabel: structure.periodLabel,
    observations: rows,
    values: expectedValues,
    valuesExact: Number(exact.n),
    ...measured,
    rate: (rows / measured.doneMs) * 1000,
    baselineMs,
    baselineSamples: chdb.ms,
    baselineRate: (rows / baselineMs) * 1000,
    peakRss: rss.peak(),
    peakPrivate: rss.peakPrivate(),
  };
  run.ratio = run.rate / run.baselineRate;
  return run;
}

/**
 * Runs the plan ([{ structure, scales }]) in order, each structure's scales smallest first. A
 * failed run is recorded (with what `diagnose()` knows, e.g. that the server died and why) and
 * the larger scales of that structure are not tried, since they would fail the same way; once
 * `alive()` says the server is gone, every remaining run is recorded as not tried.
 */
export async function benchScale(ctx, { plan, alive = async () => true, diagnose = () => '' }) {
  const runs = [];
  const failures = [];
  const fail = (structure, scale, message) => {
    failures.push({ step: `skalierung ${structure.key} ${scale}×`, message, structure: structure.label, scale, observations: observationsOf(structure, scale) });
    ctx.log(`  ${scale}×: FEHLER ${message}`);
  };
  const reason = (error) => (error instanceof Error ? error.message : String(error));
  for (const { structure, scales } of plan) {
    ctx.log(`Skalierung: ${structure.label}, ${scales.map((s) => `${s}×`).join(', ')} …`);
    if (!(await alive())) {
      for (const scale of scales) fail(structure, scale, `nicht versucht: lagebild start lief nicht mehr${diagnose()}`);
      continue;
    }
    let admin;
    let closure;
    try {
      admin = await prepareTenant(ctx, structure);
      closure = path.join(ctx.work, `${structure.key}-hierarchie.csv`);
      await city.writeClosure(structure, closure);
    } catch (error) {
      for (const scale of scales) fail(structure, scale, `Vorbereitung fehlgeschlagen: ${reason(error)}${diagnose()}`);
      continue;
    }
    for (const [i, scale] of scales.entries()) {
      let run;
      try {
        run = await runOnce(ctx, structure, admin, scale, closure);
      } catch (error) {
        // The process's exit is reported a moment after its sockets close.
        await sleep(1000);
        fail(structure, scale, `${reason(error)}${diagnose()}`);
        for (const larger of scales.slice(i + 1)) fail(structure, larger, `nicht versucht: die kleinere Stufe ${scale}× scheiterte`);
        break;
      }
      runs.push(run);
      ctx.log(
        `  ${scale}×: ${fmt(run.observations)} Beobachtungen (${run.periods} ${run.periodLabel}) -> ${fmt(run.values)} Kennzahlwerte in ${fmt(run.doneMs / 1000, 1)} s ` +
          `(angenommen nach ${fmt(run.acceptedMs / 1000, 1)} s) = ${fmt(run.rate)} Beobachtungen/s; chDB ${fmt(run.baselineMs)} ms = ${fmt(run.baselineRate)}/s; Verhältnis ${fmt(run.ratio, 3)}; ` +
          `längste Antwort ${fmt(run.slowestMs)} ms; RSS-Spitze ${fmt(run.peakRss / 1024 / 1024)} MB, davon privat ${fmt(run.peakPrivate / 1024 / 1024)} MB`,
      );
      if (run.valuesExact !== run.values) ctx.log(`  Achtung: ${fmt(run.valuesExact)} Kennzahlwerte nach FINAL, erwartet ${fmt(run.values)}.`);
    }
  }
  return { runs, failures };
}

/** Result rows (one per run, and one per failed run) and the scale table for BENCHMARKS.md. */
export function scaleResults(runs, failures = []) {
  const name = (structure, scale, observations) => `Durchsatz Datei -> Warehouse, ${structure}, ${scale}× (${fmt(observations)} Beobachtungen)`;
  const results = runs.map((run) => ({
    area: 'Ende zu Ende',
    name: name(run.structure, run.scale, run.observations),
    unit: 'Beobachtungen/s',
    better: 'higher',
    value: run.rate,
    baseline: run.baselineRate,
    baselineName: 'chDB: dieselbe Datei laden und dieselben Kennzahlen in einer Anweisung berechnen',
    ratio: run.ratio,
    target: `≥ ${fmt(TARGET_RATIO, 2)} × Basis`,
    met: run.ratio >= TARGET_RATIO,
    samples: { value: [run.rate], baseline: run.baselineSamples.map((ms) => (run.observations / ms) * 1000) },
    note: `längste Antwort des Servers während des Laufs ${fmt(run.slowestMs)} ms; RSS-Spitze ${fmt(run.peakRss / 1024 / 1024)} MB, privater Speicher (ohne die Dateiseiten der LMDB-Abbildung) höchstens ${fmt(run.peakPrivate / 1024 / 1024)} MB.`,
  }));
  for (const f of failures) {
    results.push({
      area: 'Ende zu Ende',
      name: name(f.structure, f.scale, f.observations),
      unit: 'Beobachtungen/s',
      better: 'higher',
      value: null,
      baseline: null,
      baselineName: '–',
      ratio: null,
      target: `≥ ${fmt(TARGET_RATIO, 2)} × Basis`,
      met: false,
      samples: {},
      note: `abgebrochen: ${f.message}`,
    });
  }
  // Rows in the order of the structures, each structure's scales ascending; failed runs among them.
  const order = [...new Set([...runs, ...failures].map((r) => r.structure))];
  const rows = [
    ...runs.map((r) => ({
      structure: r.structure,
      scale: r.scale,
      cells: [
        r.structure,
        `${r.scale}× (${r.periods} ${r.periodLabel})`,
        fmt(r.observations),
        fmt(r.values),
        `${fmt(r.acceptedMs / 1000, 1)} s`,
        `${fmt(r.doneMs / 1000, 1)} s`,
        fmt(r.rate),
        `${fmt(r.baselineMs)} ms`,
        fmt(r.baselineRate),
        fmt(r.ratio, 3),
        `${fmt(r.peakRss / 1024 / 1024)} MB`,
        `${fmt(r.peakPrivate / 1024 / 1024)} MB`,
        `${fmt(r.slowestMs)} ms`,
      ],
    })),
    ...failures.map((f) => ({ structure: f.structure, scale: f.scale, cells: [f.structure, `${f.scale}×`, fmt(f.observations), '–', '–', `abgebrochen: ${f.message}`, '–', '–', '–', '–', '–', '–', '–'] })),
  ].sort((a, b) => order.indexOf(a.structure) - order.indexOf(b.structure) || a.scale - b.scale);
  const table = {
    title: 'Skalierung: Kosten je Größe (Datei -> Warehouse)',
    header: ['Struktur', 'Größe', 'Beobachtungen', 'Kennzahlwerte', 'angenommen nach', 'im Warehouse nach', 'Beobachtungen/s', 'chDB (eine Anweisung)', 'chDB Beobachtungen/s', 'Verhältnis', 'RSS-Spitze lagebild', 'davon privat (ohne LMDB-Dateiseiten)', 'längste Antwort des Servers'],
    rows: rows.map((r) => r.cells),
  };
  return { results, table };
}
