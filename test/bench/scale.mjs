/**
 * End-to-end throughput and the scale series (TARGETS.md: file -> indicator values in the
 * warehouse ≥ 0.25 × chDB loading the file and computing the same values in one statement).
 *
 * For each structure of the synthetic city (city.mjs) and each scale (1×, 10×, 100× the
 * observations of the 1× run, by more periods), on the running `lagebild start`:
 * 1. a scheme of its own (`bench-<structure>-x<scale>`, so counts of one run are not mixed with
 *    another's), registered with `lagebild areas import` before the server started, and a
 *    delivery profile for it;
 * 2. the observation file generated (deterministic);
 * 3. baseline: chDB (own process) reads that file and the hierarchy file and computes the five
 *    indicators for every unit and period in one statement;
 * 4. measured: upload of the file (HTTP, multipart), until the warehouse holds every observation
 *    of the delivery (fact_observation) and every indicator value (fact_indicator_value, RAW;
 *    the PROTECTED twin of each is written in the same events). The count to reach is the
 *    baseline's: both engines must produce the same number of values.
 * Reported per run: seconds, observations/s, the baseline's, the ratio, and the peak RSS of the
 * lagebild process while it worked.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as city from './city.mjs';
import { runChdb } from './baseline.mjs';
import { call, deliver, fmt, issueToken, median, pollUntil, rssOf, runCli, sleep, waitForDecision, warehouseQuery } from './lib.mjs';

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
 * Registers one scheme per structure and scale with `lagebild areas import`, before the server
 * starts: the embedded stores are written by one process at a time (a command writing LMDB
 * beside the running server failed here with MDB_BAD_TXN), and the server relays the events
 * when it starts.
 */
export async function registerSchemes({ dataDir, work }, structures, scales) {
  for (const structure of structures) {
    const file = path.join(work, `${structure.key}-gebiete.csv`);
    await writeFile(file, city.areaCsv(structure));
    for (const scale of scales) {
      runCli(['areas', 'import', file, '--scheme', schemeIdOf(structure, scale), '--name', `Benchmark ${structure.label}`, '--tenant', structure.tenant, '--valid-from', '1900-01-01', '--parent-field', 'parent', '--reason', 'Benchmark (test/bench)'], { dataDir });
    }
  }
}

/** Waits until the running server has every registered scheme's units in the warehouse. */
export async function awaitSchemes(ctx, structures, scales) {
  for (const structure of structures) {
    for (const scale of scales) {
      const sql = `SELECT count() AS n FROM lagebild.v_area WHERE tenant = '${structure.tenant}' AND scheme_id = '${schemeIdOf(structure, scale)}'`;
      await pollUntil(async () => Number((await warehouseQuery(ctx.url, ctx.operator, sql))[0]?.n ?? 0) >= structure.units.length, { timeoutMs: 600_000, intervalMs: 500, what: `die Gebiete von ${schemeIdOf(structure, scale)} im Warehouse` });
    }
  }
}

async function runOnce(ctx, structure, admin, scale, closure) {
  const schemeId = schemeIdOf(structure, scale);
  await call(ctx.url, admin, 'PUT', `/api/ingestion/profiles/${schemeId}`, city.profileDefinition(structure, schemeId));
  const labels = city.periods(structure, BASE_PERIODS[structure.granularity] * scale);
  const file = path.join(ctx.work, `${schemeId}.csv`);
  const rows = await city.writeObservations(structure, labels, file);

  const rounds = scale >= 100 ? 3 : 5;
  const chdb = await runChdb(ctx.work, { rounds, statement: city.chdbStatement({ observations: file, closure }) });
  const expectedValues = Number(chdb.row.n);
  const baselineMs = median(chdb.ms);

  const { url, operator, pid } = ctx;
  let peakRss = rssOf(pid);
  const started = performance.now();
  const answer = await deliver(url, admin, { file, profile: schemeId });
  const uploadedMs = performance.now() - started;
  const view = await waitForDecision(url, admin, answer.deliveryId, { timeoutMs: 1_800_000, intervalMs: 50 });
  const acceptedMs = performance.now() - started;
  const sql = `SELECT (SELECT count() FROM lagebild.fact_indicator_value WHERE tenant = '${structure.tenant}' AND scheme_id = '${schemeId}' AND protection = 'RAW') AS v,
    (SELECT count() FROM lagebild.fact_observation WHERE tenant = '${structure.tenant}' AND delivery_id = '${answer.deliveryId}') AS o`;
  // A large run may compute for minutes before its first values arrive.
  const stallMs = scale >= 100 ? 900_000 : 180_000;
  let last = { v: -1, o: -1 };
  let lastChange = performance.now();
  let doneMs;
  for (;;) {
    peakRss = Math.max(peakRss, rssOf(pid));
    const [r] = await warehouseQuery(url, operator, sql);
    const now = { v: Number(r.v), o: Number(r.o) };
    if (now.v >= expectedValues && now.o >= rows) {
      doneMs = performance.now() - started;
      break;
    }
    if (now.v !== last.v || now.o !== last.o) lastChange = performance.now();
    else if (performance.now() - lastChange > stallMs) {
      throw new Error(`${schemeId}: seit ${fmt(stallMs / 60_000)} Minuten kein Fortschritt; im Warehouse ${fmt(now.o)} von ${fmt(rows)} Beobachtungen und ${fmt(now.v)} von ${fmt(expectedValues)} Kennzahlwerten.`);
    }
    last = now;
    await sleep(scale >= 10 ? 250 : 100);
  }
  // Exactly once: the deduplicated count equals the baseline's (a retried batch would show up here only before a merge).
  const [exact] = await warehouseQuery(url, operator, `SELECT count() AS n FROM lagebild.fact_indicator_value FINAL WHERE tenant = '${structure.tenant}' AND scheme_id = '${schemeId}' AND protection = 'RAW'`);
  const run = {
    structure: structure.label,
    key: structure.key,
    scale,
    periods: labels.length,
    periodLabel: structure.periodLabel,
    observations: rows,
    values: expectedValues,
    valuesExact: Number(exact.n),
    uploadedMs,
    acceptedMs,
    doneMs,
    rate: (rows / doneMs) * 1000,
    baselineMs,
    baselineSamples: chdb.ms,
    baselineRate: (rows / baselineMs) * 1000,
    peakRss,
    observationCount: view.observationCount,
  };
  run.ratio = run.rate / run.baselineRate;
  return run;
}

export async function benchScale(ctx, { structures, scales }) {
  const runs = [];
  const skipped = [];
  for (const structure of structures) {
    ctx.log(`Skalierung: ${structure.label}, ${scales.map((s) => `${s}×`).join(', ')} …`);
    const admin = await prepareTenant(ctx, structure);
    const closure = path.join(ctx.work, `${structure.key}-hierarchie.csv`);
    await city.writeClosure(structure, closure);
    for (const scale of scales) {
      const run = await runOnce(ctx, structure, admin, scale, closure);
      runs.push(run);
      ctx.log(
        `  ${scale}×: ${fmt(run.observations)} Beobachtungen (${run.periods} ${run.periodLabel}) -> ${fmt(run.values)} Kennzahlwerte in ${fmt(run.doneMs / 1000, 1)} s ` +
          `(angenommen nach ${fmt(run.acceptedMs / 1000, 1)} s) = ${fmt(run.rate)} Beobachtungen/s; chDB ${fmt(run.baselineMs)} ms = ${fmt(run.baselineRate)}/s; Verhältnis ${fmt(run.ratio, 3)}`,
      );
      if (run.valuesExact !== run.values) ctx.log(`  Achtung: ${fmt(run.valuesExact)} Kennzahlwerte nach FINAL, erwartet ${fmt(run.values)}.`);
    }
  }
  return { runs, skipped };
}

/** Result rows (one per run) and the scale table for BENCHMARKS.md. */
export function scaleResults(runs) {
  const results = runs.map((run) => ({
    area: 'Ende zu Ende',
    name: `Durchsatz Datei -> Warehouse, ${run.structure}, ${run.scale}× (${fmt(run.observations)} Beobachtungen)`,
    unit: 'Beobachtungen/s',
    better: 'higher',
    value: run.rate,
    baseline: run.baselineRate,
    baselineName: 'chDB: dieselbe Datei laden und dieselben Kennzahlen in einer Anweisung berechnen',
    ratio: run.ratio,
    target: `≥ ${fmt(TARGET_RATIO, 2)} × Basis`,
    met: run.ratio >= TARGET_RATIO,
    samples: { value: [run.rate], baseline: run.baselineSamples.map((ms) => (run.observations / ms) * 1000) },
  }));
  const table = {
    title: 'Skalierung: Kosten je Größe (Datei -> Warehouse)',
    header: ['Struktur', 'Größe', 'Beobachtungen', 'Kennzahlwerte', 'angenommen nach', 'im Warehouse nach', 'Beobachtungen/s', 'chDB (eine Anweisung)', 'chDB Beobachtungen/s', 'Verhältnis', 'RSS-Spitze lagebild'],
    rows: runs.map((r) => [
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
    ]),
  };
  return { results, table };
}
