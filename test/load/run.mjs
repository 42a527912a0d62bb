#!/usr/bin/env node
/**
 * Load runner for this machine (issue 10): the scenarios of the k6 scripts (test/load/k6) with
 * autocannon, against `lagebild start` with the demo on a fresh temporary data directory:
 *
 *   fis          the FIS as Berlin's Führung opens it: dashboard list, then for the dashboards
 *                Übersicht, Indikator-Atlas and Sozialraumprofil their variables and every panel
 *   lieferungen  a Datenlieferung uploads the Einwohner file of 31.12.2024 as a correction (each
 *                upload with other counts, so each is a real delivery that is checked, recorded
 *                and recomputed), then reads its status
 *   ziele        a Sozialplanerin creates a goal, sets a target on it, concludes a
 *                Leistungsvereinbarung for it with a Träger (registered once before the load)
 *                and reads the goal system back
 *
 * All scenarios run at once, at fixed request rates (a sustained mixed load, not a flood), for
 * LAGEBILD_LOAD_SECONDS (default 120; --short: 20; --seconds N). Reported per scenario:
 * throughput, latency percentiles, errors and status codes; and the resident memory (RSS) of the
 * lagebild process (all services run in it) before the load, right after it, and once the
 * pipeline has caught up. A forced garbage collection is not reachable from outside the
 * service, so the settled figure is taken after the pipeline has been idle.
 *
 * Aufruf: node test/load/run.mjs [--short | --seconds N] [--json DATEI]
 *         node test/load/run.mjs --url http://127.0.0.1:8080 --data-dir .lagebild   (laufender Server mit Demo)
 * Exit code 1 when any request failed (socket error, timeout, non-2xx): the jest spec
 * test/load/load.e2e.spec.ts runs a 10-second variant and checks exactly that.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { call, DEMO, fmt, issueToken, mb, removeDir, rssOf, sleep, startLagebild, tempDir, warehouseQuery } from '../bench/lib.mjs';

const TENANT = '11000';
const SCHEME = 'berlin-lor-planungsraeume';
const POPULATION = 'berlin-lor-population-2024-02-t2-planning-areas.csv';
const FIS_DASHBOARDS = ['uebersicht', 'indikator-atlas', 'sozialraumprofil'];

/** Requests per second of each scenario (all connections together). */
const RATES = { fis: 20, lieferungen: 1, ziele: 4 };

// ---- scenarios ----

function fisScenario(url, token, dashboards) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ variables: {} });
  const requests = [{ method: 'GET', path: '/api/warehouse/fis/dashboards', headers }];
  for (const d of dashboards) {
    requests.push({ method: 'POST', path: `/api/warehouse/fis/variables/${d.id}`, headers, body });
    for (const p of d.panels) requests.push({ method: 'POST', path: `/api/warehouse/fis/panels/${d.id}/${p.key}`, headers, body });
  }
  return { url, connections: 8, overallRate: RATES.fis, requests };
}

/** A multipart body of the Einwohner file with the first Planungsraum's counts raised by k. */
function deliveryBody(source, k, boundary) {
  const lines = source.split('\n');
  const header = lines[0].split(',');
  const first = lines[1].split(',');
  for (const [column, plus] of [['inhabitants', 2 * k], ['inhabitants_age_below_6', k], ['inhabitants_foreigners', k]]) {
    const i = header.indexOf(column);
    first[i] = String(Number(first[i]) + plus);
  }
  const file = [lines[0], first.join(','), ...lines.slice(2)].join('\n');
  return [
    `--${boundary}\r\nContent-Disposition: form-data; name="profile"\r\n\r\nberlin-einwohner-lor\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${POPULATION}"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n`,
    `--${boundary}--\r\n`,
  ].join('');
}

function deliveryScenario(url, token) {
  const source = readFileSync(path.join(DEMO, 'berlin/population', POPULATION), 'utf8');
  const boundary = `lagebild-last-${randomUUID()}`;
  const auth = { authorization: `Bearer ${token}` };
  // Distinct corrections across the run (and across runs on the same data: the offset).
  let k = Math.floor(Date.now() / 1000) % 100_000;
  return {
    url,
    connections: 1,
    overallRate: RATES.lieferungen,
    requests: [
      {
        method: 'POST',
        path: '/api/ingestion/deliveries',
        headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
        setupRequest: (req) => ({ ...req, body: deliveryBody(source, (k += 1), boundary) }),
        onResponse: (status, body, context) => {
          if (status === 202 || status === 200) context.deliveryId = JSON.parse(body).deliveryId;
        },
      },
      {
        method: 'GET',
        headers: auth,
        // Without an id (the upload failed) the sequence starts over; the failure is counted already.
        setupRequest: (req, context) => (context.deliveryId ? { ...req, path: `/api/ingestion/deliveries/${context.deliveryId}` } : null),
      },
    ],
  };
}

function goalsScenario(url, token, traegerId) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    url,
    connections: 2,
    overallRate: RATES.ziele,
    requests: [
      {
        method: 'POST',
        path: '/api/goals/goals',
        headers,
        setupRequest: (req, context) => {
          context.goalId = randomUUID();
          return {
            ...req,
            body: JSON.stringify({ goalId: context.goalId, level: 'FACHBEREICHSZIEL', field: 'WIRKUNGEN', title: `Lasttest: Kinderanteil halten (${context.goalId.slice(0, 8)})`, responsibleUnit: 'Sozialplanung', smart: true }),
          };
        },
      },
      {
        method: 'PUT',
        headers,
        setupRequest: (req, context) => ({
          ...req,
          path: `/api/goals/goals/${context.goalId}/targets/${randomUUID()}`,
          body: JSON.stringify({ indicatorId: 'anteil_u18', schemeId: SCHEME, areaCode: TENANT, targetKind: 'ABSOLUTE', targetValue: 16, comparator: 'AT_LEAST', deadline: '2030-12-31' }),
        }),
      },
      {
        method: 'POST',
        path: '/api/goals/contracts',
        headers,
        setupRequest: (req, context) => ({
          ...req,
          body: JSON.stringify({
            kind: 'LEISTUNGSVEREINBARUNG',
            title: `Lasttest: Familienzentrum (${context.goalId.slice(0, 8)})`,
            principalUnit: 'Jugendamt',
            termStart: '2025-01-01',
            termEnd: '2026-12-31',
            service: 'Beratung und offene Angebote für Familien',
            traegerId,
            goalIds: [context.goalId],
            quantities: [{ quantityId: 'fls', kind: 'FACHLEISTUNGSSTUNDEN', label: 'Fachleistungsstunden', amount: 1200, per: 'JAHR' }],
          }),
        }),
      },
      { method: 'GET', path: '/api/goals/goals', headers },
    ],
  };
}

// ---- running ----

function runAutocannon(options) {
  return new Promise((resolve, reject) => {
    autocannon({ timeout: 30, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function summarise(result, seconds) {
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
  const fiveXx = Object.entries(codes).reduce((n, [code, count]) => n + (code.startsWith('5') ? count : 0), 0);
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / seconds,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    fiveXx,
    statusCodes: codes,
  };
}

/** Waits until the warehouse's row count stops changing (the pipeline has caught up), at most `maxMs`. */
async function settle(url, operator, { quietMs = 5000, maxMs = 180_000 } = {}) {
  const started = performance.now();
  let last = -1;
  let since = performance.now();
  while (performance.now() - started < maxMs) {
    const [r] = await warehouseQuery(url, operator, 'SELECT (SELECT count() FROM lagebild.fact_indicator_value) + (SELECT count() FROM lagebild.fact_observation) AS n');
    const n = Number(r.n);
    if (n !== last) {
      last = n;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) return { ms: performance.now() - started, settled: true };
    await sleep(500);
  }
  return { ms: performance.now() - started, settled: false };
}

export async function runLoad({ seconds, url: givenUrl, dataDir: givenDir, log = (line) => process.stdout.write(`${line}\n`) }) {
  let server;
  let dataDir = givenDir;
  let url = givenUrl;
  if (!url) {
    dataDir = await tempDir('lagebild-last-');
    log('Starte lagebild start mit Demo (frisches Datenverzeichnis, das dauert beim ersten Start etwa eine halbe Minute) …');
    server = await startLagebild({ dataDir, demo: true });
    url = server.url;
    log(`Lagebild läuft: ${url} (bereit nach ${fmt(server.startSeconds, 1)} s)`);
  }
  try {
    const pid = server?.pid ?? null;
    const tokens = {
      fis: await issueToken(dataDir, { tenant: TENANT, roles: ['fuehrung'], subject: 'last-fuehrung' }),
      lieferungen: await issueToken(dataDir, { tenant: TENANT, roles: ['datenlieferung'], subject: 'last-lieferung' }),
      ziele: await issueToken(dataDir, { tenant: TENANT, roles: ['sozialplanung'], subject: 'last-planung' }),
      betrieb: await issueToken(dataDir, { tenant: '00000', roles: ['admin'], subject: 'last-betrieb' }),
    };
    const { body } = await call(url, tokens.fis, 'GET', '/api/warehouse/fis/dashboards');
    const dashboards = body.dashboards.filter((d) => FIS_DASHBOARDS.includes(d.id));
    // A Leistungsvereinbarung is concluded with a Träger: one is registered before the load.
    const traeger = await call(url, tokens.ziele, 'POST', '/api/goals/traeger', { name: `Familienhilfe e. V. (Lasttest ${new Date().toISOString()})`, legalForm: 'eingetragener Verein' });
    const scenarios = { fis: fisScenario(url, tokens.fis, dashboards), lieferungen: deliveryScenario(url, tokens.lieferungen), ziele: goalsScenario(url, tokens.ziele, traeger.body.traegerId) };

    // Warm-up: one pass of every scenario's first requests, so the first measured requests do not pay for lazy loading.
    for (const [name, s] of Object.entries(scenarios)) await runAutocannon({ ...s, connections: 1, overallRate: undefined, amount: name === 'fis' ? s.requests.length : s.requests.length * 2 });
    await settle(url, tokens.betrieb, { quietMs: 3000, maxMs: 60_000 });
    const before = pid ? rssOf(pid) : null;
    log(`Last: ${Object.entries(RATES).map(([k, r]) => `${k} ${r}/s`).join(', ')} für ${seconds} s …`);
    const started = performance.now();
    const results = await Promise.all(Object.entries(scenarios).map(async ([name, s]) => [name, summarise(await runAutocannon({ ...s, duration: seconds }), seconds)]));
    const loadSeconds = (performance.now() - started) / 1000;
    const after = pid ? rssOf(pid) : null;
    log('Last beendet; warte, bis die Verarbeitung aufgeholt hat …');
    const settled = await settle(url, tokens.betrieb);
    await sleep(5000);
    const settledRss = pid ? rssOf(pid) : null;
    const report = {
      seconds,
      loadSeconds,
      rates: RATES,
      scenarios: Object.fromEntries(results),
      memory: { process: pid ? 'lagebild start (alle Dienste in einem Prozess)' : 'nicht gemessen (fremder Server)', beforeBytes: before, afterBytes: after, settledBytes: settledRss, growthBytes: before && settledRss ? settledRss - before : null, forcedGc: false, settleSeconds: settled.ms / 1000, settled: settled.settled },
    };
    report.ok = Object.values(report.scenarios).every((s) => s.requests > 0 && s.errors === 0 && s.timeouts === 0 && s.non2xx === 0);
    return report;
  } finally {
    if (server) {
      const code = await server.stop();
      if (code !== 0) log(`lagebild start endete mit Code ${code}.`);
      await removeDir(dataDir);
    }
  }
}

export function formatReport(report) {
  const names = { fis: 'FIS-Dashboards lesen', lieferungen: 'Lieferungen', ziele: 'Ziele und Kontrakte schreiben' };
  const lines = [
    '',
    `| Szenario | Anfragen | Anfragen/s | p50 | p90 | p99 | max | Fehler | Zeitüberschreitungen | Nicht-2xx | davon 5xx |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [key, s] of Object.entries(report.scenarios)) {
    lines.push(`| ${names[key] ?? key} (Ziel ${report.rates[key]}/s) | ${fmt(s.requests)} | ${fmt(s.perSecond, 1)} | ${fmt(s.latencyMs.p50)} ms | ${fmt(s.latencyMs.p90)} ms | ${fmt(s.latencyMs.p99)} ms | ${fmt(s.latencyMs.max)} ms | ${s.errors} | ${s.timeouts} | ${s.non2xx} | ${s.fiveXx} |`);
  }
  const m = report.memory;
  lines.push('');
  if (m.beforeBytes) {
    lines.push(`Speicher (RSS, ${m.process}): vor der Last ${mb(m.beforeBytes)}, direkt danach ${mb(m.afterBytes)}, nach dem Aufholen (${fmt(m.settleSeconds, 1)} s${m.settled ? '' : ', nicht vollständig'}) ${mb(m.settledBytes)}; Zuwachs ${m.growthBytes >= 0 ? '+' : ''}${mb(m.growthBytes)}.`);
    lines.push('Eine erzwungene Speicherbereinigung ist von außen nicht erreichbar; der Wert nach dem Aufholen ist der Vergleichswert.');
  } else lines.push(`Speicher: ${m.process}.`);
  lines.push(report.ok ? 'Alle Anfragen erfolgreich.' : 'FEHLER: Anfragen sind fehlgeschlagen (siehe Tabelle).');
  return lines.join('\n');
}

async function main() {
  const { values } = parseArgs({ options: { short: { type: 'boolean', default: false }, seconds: { type: 'string' }, json: { type: 'string' }, url: { type: 'string' }, 'data-dir': { type: 'string' } } });
  const fromEnv = process.env.LAGEBILD_LOAD_SECONDS;
  const seconds = Number(values.seconds ?? (values.short ? 20 : (fromEnv ?? 120)));
  if (!(seconds > 0)) {
    process.stderr.write(`Die Dauer muss eine positive Zahl von Sekunden sein (--seconds oder LAGEBILD_LOAD_SECONDS), nicht "${values.seconds ?? fromEnv}".\n`);
    process.exit(2);
  }
  if (Boolean(values.url) !== Boolean(values['data-dir'])) {
    process.stderr.write('--url und --data-dir gehören zusammen: die Zugänge werden mit dem Schlüssel im Datenverzeichnis des laufenden Servers ausgestellt.\n');
    process.exit(2);
  }
  const report = await runLoad({ seconds, url: values.url, dataDir: values['data-dir'] && path.resolve(values['data-dir']) });
  process.stdout.write(`${formatReport(report)}\n`);
  if (values.json) {
    await mkdir(path.dirname(path.resolve(values.json)), { recursive: true });
    await writeFile(values.json, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, ...report }, null, 2)}\n`);
  }
  process.exitCode = report.ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((error) => {
    process.stderr.write(`Lasttest fehlgeschlagen: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
    process.exit(1);
  });
}
