/**
 * Shared helpers of the end-to-end benchmarks (test/bench) and the load runner (test/load): the
 * `lagebild` process as a user starts it, tokens from its key file, HTTP calls, statistics and
 * German number formatting.
 *
 * Why a child process and not `start()` in this process: freshness, throughput and memory are
 * what a user of `lagebild start` gets, so the measured server must be that process alone (its
 * own event loop, its own RSS), and chDB binds one data directory per process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openAsBlob, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'services/cli/dist/main.js');
export const DEMO = path.join(ROOT, 'services/cli/demo');
/** The shared data collection beside the repository; absent on most users' machines. */
export const SHARED_DATA = path.resolve(ROOT, '../shared/data');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- statistics ----

/** The q-quantile (0..1) by the nearest-rank method: a value that was measured. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

export const median = (values) => quantile(values, 0.5);

// ---- German formatting (all user-facing output) ----

export function fmt(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return Number(n).toLocaleString('de-DE', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Two significant decimals for small numbers, none for large ones. */
export function fmtAuto(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  const abs = Math.abs(n);
  return fmt(n, abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

export const mb = (bytes) => `${fmt(bytes / 1024 / 1024)} MB`;

// ---- the lagebild process ----

/**
 * The environment for a `lagebild` child: PATH and HOME of this process, no LAGEBILD_* variable
 * of the caller (the platform refuses unknown ones, e.g. LAGEBILD_LOAD_SECONDS), then `env`.
 */
export function lagebildEnv(env) {
  const base = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('LAGEBILD_') && value !== undefined) base[key] = value;
  return { ...base, LAGEBILD_LOG_LEVEL: 'warn', ...env };
}

export function assertBuilt() {
  if (!existsSync(CLI)) throw new Error('Lagebild ist nicht gebaut: zuerst `npm run build` ausführen (npm run bench und npm test tun das selbst).');
}

export async function tempDir(prefix) {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Servers this process started: stopped with it, also on Ctrl+C, so none is left running. */
const children = new Set();
let handlersInstalled = false;
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      for (const c of children) c.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/**
 * Starts `lagebild start` on a free port (LAGEBILD_PORT=0) and resolves once the banner
 * "Lagebild läuft: URL" is printed, and with the demo once its FIS access is printed (the demo
 * has then flowed into the warehouse). LAGEBILD_BENCH_SERVER_NODE_ARGS passes Node options to the
 * server alone, e.g. "--cpu-prof --cpu-prof-dir=profile" to see where a run spends its time.
 */
export async function startLagebild({ dataDir, demo = false, env = {}, timeoutMs = demo ? 600_000 : 120_000 }) {
  assertBuilt();
  const nodeArgs = (process.env.LAGEBILD_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const args = [...nodeArgs, CLI, 'start', ...(demo ? [] : ['--ohne-demo'])];
  const child = spawn(process.execPath, args, { env: lagebildEnv({ LAGEBILD_DATA_DIR: dataDir, LAGEBILD_PORT: '0', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d.toString()));
  child.stderr.on('data', (d) => (output += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  let exitCode;
  let stopInfo;
  void exited.then((code) => (exitCode = code));
  const started = performance.now();
  const ready = demo ? /Zugänge für alle Demo-Mandanten/ : /Lagebild läuft: (http:\/\/\S+)/;
  for (;;) {
    if (ready.test(output)) break;
    if (exitCode !== undefined) throw new Error(`lagebild start endete vorzeitig (${exitCode}):\n${output.slice(-3000)}`);
    if (performance.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`lagebild start war nach ${fmt(timeoutMs / 1000)} s nicht bereit:\n${output.slice(-3000)}`);
    }
    await sleep(50);
  }
  const url = output.match(/Lagebild läuft: (http:\/\/\S+)/)[1];
  return {
    url,
    pid: child.pid,
    startSeconds: (performance.now() - started) / 1000,
    output: () => output,
    /** The exit code or signal once the process has ended, else undefined. */
    exited: () => exitCode,
    /** Why it ended, from its output: fatal errors and error lines, else its last lines. */
    lastWords: () => lastWords(output),
    /** How the last stop() went: seconds from SIGTERM to exit, and whether SIGKILL was needed. */
    stopInfo: () => stopInfo,
    /**
     * SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. A server
     * still working through a large consumer batch may need longer than 30 s to stop.
     */
    async stop({ graceMs = 120_000 } = {}) {
      if (exitCode !== undefined) return exitCode;
      const asked = performance.now();
      let forced = false;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        forced = true;
        child.kill('SIGKILL');
      }, graceMs);
      const code = await exited;
      clearTimeout(timer);
      stopInfo = { seconds: (performance.now() - asked) / 1000, forced };
      return code;
    },
  };
}

/**
 * The lines of a server's output that say why it ended: V8's fatal error and the GC lines before
 * it, German error lines, stack heads; native stack frames are left out. Without such lines,
 * the last three lines of the output.
 */
export function lastWords(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const telling = lines.filter((l) => /FATAL|fatal|Error|heap|Mark-Compact|abort|Abbruch|Fehler|beendet/.test(l) && !/^\d+: 0x/.test(l));
  return (telling.length > 0 ? telling.slice(-5) : lines.slice(-3)).join(' | ').slice(0, 1500);
}

/** The V8 heap limit a `lagebild` child gets (bytes): the default of this machine, or NODE_OPTIONS' --max-old-space-size. */
export function heapLimitOf(env = {}) {
  const r = spawnSync(process.execPath, ['-p', 'v8.getHeapStatistics().heap_size_limit'], { env: lagebildEnv(env), encoding: 'utf8' });
  const bytes = Number(r.stdout.trim());
  return Number.isFinite(bytes) && bytes > 0 ? bytes : Number.NaN;
}

/** Runs `lagebild <args>` to completion (e.g. `areas import` before the server starts). */
export function runCli(args, { dataDir, env = {} }) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: lagebildEnv({ LAGEBILD_DATA_DIR: dataDir, ...env }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`lagebild ${args.slice(0, 2).join(' ')} endete mit Code ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Private (anonymous) resident memory of a process in bytes: the JavaScript heap, chDB's working
 * memory and buffers, without the file pages of the LMDB memory map that RSS counts too (they
 * belong to the page cache and are given back under pressure). Linux only; NaN elsewhere.
 */
export function privateMemoryOf(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^RssAnon:\s+(\d+)\s+kB/m);
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux, or the process is gone
  }
  return Number.NaN;
}

/** Resident set size of a process in bytes (Linux /proc; elsewhere `ps`). */
export function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux, or the process is gone
  }
  const r = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  const kb = Number(r.stdout.trim());
  return Number.isFinite(kb) && kb > 0 ? kb * 1024 : Number.NaN;
}

// ---- tokens and HTTP ----

let platformModule;
async function platform() {
  platformModule ??= import('@lagebild/platform');
  return platformModule;
}

/** Issues a token from the data directory's key file, as `lagebild token create` does. */
export async function issueToken(dataDir, { tenant, roles, subject = 'bench', memberOf, expiresIn = '12h' }) {
  const { createEmbeddedAuth } = await platform();
  const auth = await createEmbeddedAuth({ dataDir });
  return auth.issueToken({ subject, tenant, roles, ...(memberOf ? { memberOf } : {}), expiresIn });
}

export class HttpError extends Error {
  constructor(method, url, status, body) {
    super(`${method} ${url} -> ${status}: ${typeof body === 'string' ? body.slice(0, 800) : JSON.stringify(body).slice(0, 800)}`);
    this.status = status;
    this.body = body;
  }
}

/**
 * fetch, retried once when a kept-alive connection was closed by the server just as it was
 * reused (undici reports "fetch failed", cause UND_ERR_SOCKET / ECONNRESET): only for methods
 * that may be repeated (and read-only POSTs such as warehouse queries), so a retry never
 * doubles a write.
 */
async function fetchOnce(url, init, { readOnly = false } = {}) {
  const repeatable = readOnly || ['GET', 'PUT', 'HEAD'].includes(init.method ?? 'GET');
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const code = error?.cause?.code;
      if (attempt === 0 && repeatable && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) continue;
      const wrapped = new Error(`${init.method ?? 'GET'} ${url}: ${error.message}${code ? ` (${code})` : ''}`, { cause: error });
      wrapped.code = code;
      throw wrapped;
    }
  }
}

/** Whether a failed request only met a busy server (no answer in time, connection dropped): worth asking again. */
export function isBusy(error) {
  return ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_SOCKET', 'ECONNRESET'].includes(error?.code);
}

/** A JSON call; throws HttpError unless the status is in `ok` (default 2xx). */
export async function call(base, token, method, route, body, { ok, readOnly } = {}) {
  const res = await fetchOnce(
    `${base}${route}`,
    {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    { readOnly },
  );
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  const accepted = ok ? ok.includes(res.status) : res.status >= 200 && res.status < 300;
  if (!accepted) throw new HttpError(method, route, res.status, parsed);
  return { status: res.status, body: parsed };
}

/**
 * A JSON call that may take as long as the server needs (node:http, no timeout), for long
 * requests such as POST /api/warehouse/replay: fetch (undici) gives up after 300 s without
 * response headers, which would report a working server as failed. Throws HttpError unless 2xx.
 */
export function callPatient(base, token, method, route, body) {
  const target = new URL(route, base);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      target,
      { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('error', reject);
        res.on('end', () => {
          let parsed = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON
          }
          if (res.statusCode >= 200 && res.statusCode < 300) resolve({ status: res.statusCode, body: parsed });
          else reject(new HttpError(method, route, res.statusCode, parsed));
        });
      },
    );
    req.on('error', (error) => reject(new Error(`${method} ${target}: ${error.message}${error.code ? ` (${error.code})` : ''}`, { cause: error })));
    req.end(payload);
  });
}

/** Uploads a delivery file (multipart, streamed from disk) and returns the 202/200 answer. */
export async function deliver(base, token, { file, fileName = path.basename(file), profile, tenant }) {
  const form = new FormData();
  form.append('profile', profile);
  if (tenant) form.append('tenant', tenant);
  form.append('file', await openAsBlob(file), fileName);
  const res = await fetchOnce(`${base}/api/ingestion/deliveries`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const body = await res.json().catch(() => null);
  if (res.status !== 202 && res.status !== 200) throw new HttpError('POST', '/api/ingestion/deliveries', res.status, body);
  return body;
}

/**
 * Polls a delivery until it is decided; returns its view (status angenommen or abgelehnt) and
 * the longest time one status request took (a server busy with a large delivery answers late).
 */
export async function waitForDecision(base, token, deliveryId, { timeoutMs = 600_000, intervalMs = 20 } = {}) {
  const until = performance.now() + timeoutMs;
  let slowestMs = 0;
  for (;;) {
    const asked = performance.now();
    let body;
    try {
      ({ body } = await call(base, token, 'GET', `/api/ingestion/deliveries/${deliveryId}`));
    } catch (error) {
      if (!isBusy(error) || performance.now() > until) throw error;
      slowestMs = Math.max(slowestMs, performance.now() - asked);
      continue;
    }
    slowestMs = Math.max(slowestMs, performance.now() - asked);
    if (body.status === 'angenommen') return { ...body, slowestPollMs: slowestMs };
    if (body.status === 'abgelehnt') {
      const report = await call(base, token, 'GET', `/api/ingestion/deliveries/${deliveryId}/report`);
      throw new Error(`Lieferung ${body.fileName} abgelehnt: ${report.body.findings?.slice(0, 5).map((f) => f.message).join(' | ')}`);
    }
    if (performance.now() > until) throw new Error(`Lieferung ${deliveryId} nach ${fmt(timeoutMs / 1000)} s nicht entschieden (Status ${body.status}).`);
    await sleep(intervalMs);
  }
}

/** Read-only SQL on the warehouse through the running service (operator token: tenant 00000, admin). */
export async function warehouseQuery(base, operatorToken, sql) {
  const { body } = await call(base, operatorToken, 'POST', '/api/warehouse/query', { sql }, { readOnly: true });
  return body.rows;
}

/** Waits until `check()` returns a truthy value; returns it with the time it took. */
export async function pollUntil(check, { timeoutMs, intervalMs = 50, what }) {
  const started = performance.now();
  for (;;) {
    const value = await check();
    if (value) return { value, ms: performance.now() - started };
    if (performance.now() - started > timeoutMs) throw new Error(`Zeitüberschreitung nach ${fmt(timeoutMs / 1000)} s: ${what}`);
    await sleep(intervalMs);
  }
}

/** Removes a directory (best effort, as at the end of a benchmark). */
export async function removeDir(dir) {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** The commit of the checkout, or null outside a git repository. */
export function gitCommit() {
  const r = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) return null;
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' });
  return `${r.stdout.trim()}${dirty.status === 0 && dirty.stdout.trim() ? ' (mit lokalen Änderungen)' : ''}`;
}
