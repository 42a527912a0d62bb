/**
 * Bad input against the running `lagebild start`: fuzzed delivery files through the upload, and
 * malformed requests to every HTTP route of every service.
 *
 * What must hold for every single input (support/fuzz.ts lists what is sent):
 * - no 5xx, and the process stays up (GET /health answers 200 after each batch);
 * - a refusal is problem+json with a German `detail` and no stack trace or machine path;
 *   a rejected delivery has at least one error finding, each in German naming the file (and the
 *   line, where the finding has one);
 * - nothing is written partially: a refused request leaves the event store where it was, a
 *   rejected delivery records nothing but DeliveryReceived and DeliveryRejected;
 * - a file name with `../` is never followed: nothing appears outside the data directory.
 *
 * Defects are collected, not thrown at the first one, so one run lists all of them (in the
 * failure message and in the report). Inputs are drawn with fast-check from the run's seed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { BERLIN_PROFILE, cachedRegister, copyDataDir, FLENSBURG_FIXTURES, populationFile, removeDir, tempDir } from './support/data';
import { call, deliver, deliveryReport, issueTokens, looksGerman, multipart, problemDefect, waitDecided, type Answer, type Tokens } from './support/http';
import { Installation } from './support/installation';
import { killAll, requireBuiltCli } from './support/lagebild';
import { readMode } from './support/mode';
import { createFaultReport } from './support/report';
import { describeServices, type RouteInfo, type ServiceInfo } from './support/services';
import { differences, snapshot } from './support/warehouse';
import {
  applyMutations,
  COMMON_QUERY_NAMES,
  describeMutation,
  fileNames,
  MALFORMED_BODIES,
  mutationsFor,
  PATH_VALUES,
  PLAUSIBLE_QUERY,
  QUERY_VALUES,
  randomJsonBody,
  schemaBodies,
  writeXlsx,
  type BaseFile,
  type Mutation,
} from './support/fuzz';

const mode = readMode();
const report = createFaultReport('3-fehleingaben', 'Fehleingaben: unscharfe Dateien und jede HTTP-Route', mode);
const SERVICE_NAMES = ['ingestion', 'indicators', 'goals', 'budget', 'warehouse'] as const;
const CORPUS_PROFILES = path.resolve(__dirname, '../fixtures/bad-input/profiles');
/** Where a delivery named `../../…<marker>` would land if its name were followed. */
const TRAVERSAL_MARKER = path.join(tmpdir(), `lagebild-traversal-${mode.seed}-2024-02`);
const XLSX_PROFILE = 'reliability-berlin-einwohner-xlsx';

let work: string;
let tokens: Tokens;
let installation: Installation;
let services: ServiceInfo[];
let workEntries: string[];

beforeAll(async () => {
  requireBuiltCli();
  console.log(`Zuverlässigkeit, Fehleingaben: Variante ${mode.variant}, Seed ${mode.seed}`);
  work = tempDir('bad-input');
  const base = await cachedRegister();
  tokens = await issueTokens(base);
  const dir = path.join(work, 'data');
  copyDataDir(base, dir);
  services = await describeServices();
  installation = await Installation.open(dir, services.flatMap((s) => s.consumers));
  const server = await installation.start();
  await registerCorpusProfiles(server.url);
  // Real data of both tenants, so "nothing changed" is measured against a store that is not empty
  // and the read routes (observations, indicator values, FIS panels) have something to compute on.
  const berlin = await deliver(server.url, tokens.berlinDelivery, { profile: BERLIN_PROFILE, file: populationFile('2024-02') });
  const flensburg = await deliver(server.url, tokens.flensburgAdmin, { profile: 'flensburg-einwohner-stadtteile', file: path.join(FLENSBURG_FIXTURES, 'tab01_einwohner_stadtteile.csv') });
  expect([berlin.status, flensburg.status]).toEqual([202, 202]);
  expect((await waitDecided(server.url, tokens.berlinDelivery, [berlin.deliveryId!]))[0]!.status).toBe('angenommen');
  expect((await waitDecided(server.url, tokens.flensburgAdmin, [flensburg.deliveryId!]))[0]!.status).toBe('angenommen');
  await installation.probe.settled();
  workEntries = readdirSync(work).sort();
}, 300_000);

afterAll(async () => {
  await installation?.close();
  killAll();
  report.write();
  removeDir(work);
});

/** The corpus's data set and profiles (test/fixtures/bad-input), and an XLSX twin of its XLS profile, saved over HTTP as a city's admin would. */
async function registerCorpusProfiles(base: string): Promise<void> {
  const put = async (url: string, body: unknown) => {
    const answer = await call(`${base}/api/ingestion${url}`, { method: 'PUT', token: tokens.berlinAdmin, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`PUT ${url}: HTTP ${answer.status} ${answer.text}`);
  };
  // The id travels in the path, not in the body.
  const read = (file: string) => {
    const { id: _id, ...body } = JSON.parse(readFileSync(path.join(CORPUS_PROFILES, file), 'utf8')) as Record<string, unknown>;
    return body;
  };
  await put('/datasets/corpus-berlin-einwohner', read('datasets/corpus-berlin-einwohner.json'));
  for (const id of ['corpus-berlin-einwohner', 'corpus-berlin-einwohner-json', 'corpus-berlin-einwohner-xls']) await put(`/profiles/${id}`, read(`${id}.json`));
  const xls = read('corpus-berlin-einwohner-xls.json');
  await put(`/profiles/${XLSX_PROFILE}`, { ...xls, name: 'Zuverlässigkeitstest: Berliner Einwohner je Planungsraum (XLSX)', format: { type: 'xlsx', headerRows: 1 } });
}

// ---- the valid files the mutations start from --------------------------------------------------

/** Berlin 2024-02 in the corpus's columns: Planungsraum, Name, Zeitraum, Einwohner, unter 18, weiblich, Ausländer. */
function corpusRows(): Array<Array<string | number>> {
  const [, ...lines] = readFileSync(populationFile('2024-02'), 'utf8').trim().split('\n');
  const rows = lines.map((line) => {
    const c = line.split(',').map(Number);
    const id = line.split(',')[0]!;
    return [id, `Planungsraum ${id}`, '2024-02', c[5]!, c[6]! + c[7]! + c[8]!, c[14]!, c[15]!];
  });
  return [['Planungsraum', 'Name', 'Zeitraum', 'Einwohner', 'unter 18', 'weiblich', 'Ausländer'], ...rows];
}

const german = (v: string | number) => (typeof v === 'number' ? v.toLocaleString('de-DE') : v);

const BASES: ReadonlyArray<{ name: string; make: () => BaseFile }> = [
  {
    name: 'CSV Berlin (Komma, UTF-8)',
    make: () => ({ name: 'CSV Berlin', kind: 'csv', profile: BERLIN_PROFILE, fileName: 'x-2024-02.csv', tenant: 'berlin', bytes: readFileSync(populationFile('2024-02')), delimiter: ',' }),
  },
  {
    name: 'CSV Fehlerkorpus (Semikolon, Tausenderpunkt)',
    make: () => ({ name: 'CSV Korpus', kind: 'csv', profile: 'corpus-berlin-einwohner', fileName: 'x.csv', tenant: 'berlin', bytes: Buffer.from(corpusRows().map((r) => r.map(german).join(';')).join('\n') + '\n'), delimiter: ';' }),
  },
  {
    name: 'CSV Flensburg (Windows-1252, Titelzeile)',
    make: () => ({ name: 'CSV Flensburg', kind: 'csv', profile: 'flensburg-einwohner-stadtteile', fileName: 'x.csv', tenant: 'flensburg', bytes: readFileSync(path.join(FLENSBURG_FIXTURES, 'tab01_einwohner_stadtteile.csv')), delimiter: ';' }),
  },
  {
    name: 'JSON Fehlerkorpus',
    make: () => {
      const [header, ...rows] = corpusRows();
      const objects = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, String(german(r[i]!))])));
      return { name: 'JSON Korpus', kind: 'json', profile: 'corpus-berlin-einwohner-json', fileName: 'x.json', tenant: 'berlin', bytes: Buffer.from(JSON.stringify(objects, null, 1)) };
    },
  },
  {
    name: 'XLSX (Zellen mit Nutzlasten und Formeln)',
    make: () => {
      const rows = corpusRows();
      return { name: 'XLSX Korpus', kind: 'xlsx', profile: XLSX_PROFILE, fileName: 'x.xlsx', tenant: 'berlin', bytes: writeXlsx(rows), rows };
    },
  },
  {
    name: 'XLSX Flensburg Tabellenanhang (Bytes beschädigt)',
    make: () => ({ name: 'XLSX Flensburg', kind: 'xlsx', profile: 'flensburg-beschaeftigte', fileName: 'x.xlsx', tenant: 'flensburg', bytes: readFileSync(path.join(FLENSBURG_FIXTURES, 'sozialatlas_tabellenanhang.xlsx')) }),
  },
];

// ---- delivery fuzzing --------------------------------------------------------------------------

interface FileStats {
  sent: number;
  refused: number;
  rejected: number;
  accepted: number;
  codes: Set<string>;
}

/** Delivers one mutated file and checks everything a user relies on; returns the defect, or null. */
async function deliverMutated(base: BaseFile, mutations: readonly Mutation[], name: { name: string; traversal: boolean }, stats: FileStats): Promise<string | null> {
  const server = installation.server!;
  const token = base.tenant === 'berlin' ? tokens.berlinAdmin : tokens.flensburgAdmin;
  const bytes = applyMutations(base, mutations);
  const label = `${base.name} [${mutations.map(describeMutation).join(', ')}; Dateiname ${JSON.stringify(name.name.slice(0, 40))}]`;
  const before = await installation.probe.position();
  stats.sent += 1;
  let sent;
  try {
    sent = await deliver(server.url, token, { profile: base.profile, file: bytes, fileName: name.name });
  } catch (error) {
    return (await restartIfDead(label)) ?? `${label}: Verbindung abgebrochen (${(error as Error).message})`;
  }
  if (sent.status >= 500) return `${label}: HTTP ${sent.status}${loggedError(sent.answer)}`;
  if (sent.status >= 400) {
    const defect = problemDefect(sent.answer);
    if (defect) return `${label}: HTTP ${sent.status}, ${defect}`;
    if ((await installation.probe.changesSince(before)) > 0) return `${label}: abgewiesen (HTTP ${sent.status}), aber Ereignisse angehängt`;
    stats.refused += 1;
    return null;
  }
  if (!sent.deliveryId) return `${label}: HTTP ${sent.status} ohne deliveryId`;
  const [view] = await waitDecided(server.url, token, [sent.deliveryId], 90_000);
  if (view!.status === 'angenommen') {
    stats.accepted += 1;
    // Its indicator values are computed in the background: let that finish, so the next case's "nothing appended" is measured alone.
    await installation.probe.settled();
    return null;
  }
  const { findings } = await deliveryReport(server.url, token, sent.deliveryId);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return `${label}: abgelehnt ohne Fehlerbefund`;
  for (const f of errors) {
    stats.codes.add(f.code);
    if (!looksGerman(f.message) || !f.message.includes('Datei')) return `${label}: Befund ${f.code} nennt die Datei nicht oder ist nicht deutsch: ${f.message.slice(0, 200)}`;
    if (f.line !== undefined && !f.message.includes(`Zeile ${f.line}`)) return `${label}: Befund ${f.code} nennt seine Zeile ${f.line} nicht: ${f.message.slice(0, 200)}`;
  }
  if (!sent.duplicate) {
    const events = (await installation.probe.eventsSince(before)).filter((e) => e.stream === `delivery-${sent.deliveryId}`).map((e) => e.type);
    if (events.join() !== 'DeliveryReceived,DeliveryRejected') return `${label}: abgelehnt, aber im Event Store: ${events.join(', ')}`;
  }
  stats.rejected += 1;
  return null;
}

describe('delivery parsers: fuzzed CSV, JSON and XLSX files through the upload', () => {
  BASES.forEach(({ name, make }, index) => {
    it(`${name}: each mutated file is refused or decided, a rejection in German naming the file, and nothing recorded when rejected`, async () => {
      const base = make();
      const extension = path.extname(base.fileName);
      const hugeKiB = mode.variant === 'long' ? 6 * 1024 : 1024;
      const cases = fc.sample(fc.tuple(mutationsFor(base.kind, hugeKiB), fileNames(extension, TRAVERSAL_MARKER)), { numRuns: mode.fileFuzzRuns, seed: mode.seed + index });
      const stats: FileStats = { sent: 0, refused: 0, rejected: 0, accepted: 0, codes: new Set() };
      const defects: string[] = [];
      for (const [mutations, fileName] of cases) {
        const defect = await deliverMutated(base, mutations, fileName, stats);
        if (defect) defects.push(defect);
      }
      const health = await call(`${installation.server!.url}/health`).then((a) => a.status, () => 0);
      if (health !== 200) defects.push(`nach den Lieferungen antwortet /health nicht mit 200 (${health}); Ausgabe:\n${installation.server!.output().slice(-2000)}`);
      if (existsSync(`${TRAVERSAL_MARKER}${extension}`)) defects.push(`Dateiname mit ../ befolgt: ${TRAVERSAL_MARKER}${extension} wurde angelegt`);
      report.record({
        fault: `unscharfe Lieferung: ${name}`,
        tries: stats.sent,
        outcome: defects.length === 0 ? 'bestanden' : 'fehlgeschlagen',
        detail:
          `${stats.refused} beim Hochladen abgewiesen, ${stats.rejected} abgelehnt (Codes: ${[...stats.codes].sort().join(', ') || '–'}), ${stats.accepted} angenommen (harmlose Änderung)` +
          (defects.length > 0 ? `; ${defects.length} Mängel, z. B. ${defects[0]}` : '; kein 5xx, Server lief weiter, nichts teilweise geschrieben'),
      });
      expect(defects).toEqual([]);
    }, 600_000);
  });
});

// ---- every HTTP route ----------------------------------------------------------------------------

/**
 * Plausible path parameters, so that body and query checks are reached. The routes are called as
 * Flensburg's admin: its register is small (13 Stadtteile), so a route that answers with all
 * geometries or observations stays quick however often it is called.
 */
const PLAUSIBLE_PARAMS: Record<string, string> = {
  schemeId: 'flensburg-stadtteile',
  version: '1',
  kind: 'indicator',
  id: 'ew',
  ags: '01001000',
  key: '11',
  goalId: '6f1c1b9e-8a8e-4c4e-9a53-0c5a8d2c7b11',
  targetId: '7f1c1b9e-8a8e-4c4e-9a53-0c5a8d2c7b12',
  subject: 'fachstelle',
  dashboard: 'indikator-atlas',
  panel: 'rangfolge',
};

const fill = (routePath: string, value: (param: string) => string) => routePath.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => value(name));
const openApiKey = (routePath: string) => routePath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

interface RouteRequest {
  variant: string;
  path: string;
  init: RequestInit & { token?: string };
}

const json = (body: string): RequestInit => ({ body, headers: { 'content-type': 'application/json' } });

/** Everything sent to one route (see the file comment). */
function requestsFor(service: ServiceInfo, route: RouteInfo, routeIndex: number): RouteRequest[] {
  const method = route.method.toUpperCase();
  const writes = route.method !== 'get' && route.method !== 'delete';
  const plausiblePath = fill(route.path, (p) => PLAUSIBLE_PARAMS[p] ?? 'x');
  const operation = service.openapi?.paths[openApiKey(route.path)]?.[route.method];
  const requests: RouteRequest[] = [];
  const emptyBody = writes ? json('{}') : {};
  requests.push({ variant: 'ohne Token', path: plausiblePath, init: { method, ...emptyBody } });
  requests.push({ variant: 'gefälschtes Token', path: plausiblePath, init: { method, ...emptyBody, headers: { ...(writes ? { 'content-type': 'application/json' } : {}), authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJ0ZW5hbnQiOiIwMDAwMCIsInJvbGVzIjpbImFkbWluIl19.' } } });
  const admin = tokens.flensburgAdmin;
  if (route.path.includes(':')) {
    // The short variant leaves out the path values that only repeat what another one tests.
    const pathValues = mode.variant === 'long' ? PATH_VALUES : PATH_VALUES.filter((v) => !['Punkte', 'kaputtes Escape', 'negative Zahl', 'riesige Zahl', 'kombinierende Zeichen'].includes(v.name));
    for (const value of pathValues) requests.push({ variant: `Pfadparameter ${value.name}`, path: fill(route.path, () => value.raw), init: { method, token: admin, ...emptyBody } });
  }
  if (route.method === 'get') {
    const declared = (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    const names = declared.length > 0 ? declared : COMMON_QUERY_NAMES;
    // Each value once in every parameter at the same time, and in single parameters with the others
    // plausible (so the value reaches the code behind the first check): the long variant every value in
    // every parameter, the short one the sharpest values (NUL, undecodable, text for a number) in every
    // parameter and the others in one parameter each.
    const plausible = (n: string) => PLAUSIBLE_QUERY[n] ?? 'x';
    const sharp = ['NUL', 'unkodierbares Escape', 'Text statt Zahl'];
    QUERY_VALUES.forEach((value, valueIndex) => {
      requests.push({ variant: `Abfrageparameter ${value.name} (alle)`, path: `${plausiblePath}?${names.map((n) => `${n}=${value.raw}`).join('&')}`, init: { method, token: admin } });
      const alone = mode.variant === 'long' || sharp.includes(value.name) ? names : [names[(valueIndex + routeIndex) % names.length]!];
      for (const name of alone) {
        const query = names.map((n) => `${n}=${n === name ? value.raw : plausible(n)}`).join('&');
        requests.push({ variant: `Abfrageparameter ${name} ${value.name}`, path: `${plausiblePath}?${query}`, init: { method, token: admin } });
      }
    });
  }
  if (writes) {
    for (const body of MALFORMED_BODIES) requests.push({ variant: `Körper ${body.name}`, path: plausiblePath, init: { method, token: admin, ...json(body.body) } });
    const schema = operation?.requestBody?.content?.['application/json']?.schema;
    for (const body of schemaBodies(schema)) requests.push({ variant: `Körper ${body.name}`, path: plausiblePath, init: { method, token: admin, ...json(JSON.stringify(body.body)) } });
    requests.push({ variant: 'Körper über der Grenze (1,2 MB)', path: plausiblePath, init: { method, token: admin, ...json(JSON.stringify({ text: 'x'.repeat(1_200_000) })) } });
    requests.push({ variant: 'Content-Type text/plain', path: plausiblePath, init: { method, token: admin, body: '{}', headers: { 'content-type': 'text/plain' } } });
    requests.push({ variant: 'Content-Type application/xml', path: plausiblePath, init: { method, token: admin, body: '<a>1</a>', headers: { 'content-type': 'application/xml' } } });
    const broken = multipart({ profile: BERLIN_PROFILE }, { field: 'file', fileName: '../../../../etc/passwd', bytes: Buffer.from('a;b\n1;2\n') });
    requests.push({ variant: 'Multipart abgeschnitten', path: plausiblePath, init: { method, token: admin, body: broken.body.subarray(0, broken.body.length - 20), headers: { 'content-type': broken.contentType } } });
    requests.push({ variant: 'Multipart mit ../ im Dateinamen', path: plausiblePath, init: { method, token: admin, body: broken.body, headers: { 'content-type': broken.contentType } } });
    requests.push({ variant: 'Multipart ohne Boundary', path: plausiblePath, init: { method, token: admin, body: 'x', headers: { 'content-type': 'multipart/form-data' } } });
    const random = fc.sample(randomJsonBody, { numRuns: mode.routeFuzzRuns, seed: mode.seed + 1000 + routeIndex });
    random.forEach((body, i) => requests.push({ variant: `zufälliges JSON ${i + 1}`, path: plausiblePath, init: { method, token: admin, ...json(JSON.stringify(body)) } }));
  }
  return requests;
}

interface RouteStats {
  requests: number;
  byClass: Record<string, number>;
}

/**
 * A server that died is a defect of the request that killed it; it is restarted so that the
 * remaining requests are still tried (one crash must not hide the next defect).
 */
async function restartIfDead(label: string): Promise<string | null> {
  const server = installation.server!;
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (server.alive()) return null;
  const exit = await server.exited;
  // The uncaught error as Node prints it (plain lines), not the structured log entries (JSON) before it.
  const tail = server
    .output()
    .split('\n')
    .filter((l) => !l.startsWith('{') && /Error/.test(l))
    .slice(0, 2)
    .join(' / ');
  await installation.start();
  return `${label}: der Server ist abgestürzt (Code ${exit.code}, Signal ${exit.signal}): ${tail.slice(0, 300)}`;
}

/** The server's log entry for a failed request (its error type and message), found by the request id of the problem document. */
function loggedError(answer: Answer): string {
  const requestId = (answer.json as { requestId?: string } | undefined)?.requestId;
  if (!requestId) return '';
  const line = installation.server!.output().split('\n').find((l) => l.includes(requestId) && l.includes('"err"'));
  if (!line) return '';
  try {
    const err = (JSON.parse(line) as { err?: { type?: string; message?: string } }).err;
    return ` (im Log: ${err?.type ?? 'Fehler'}: ${(err?.message ?? '').slice(0, 200)})`;
  } catch {
    return '';
  }
}

/** Sends one request and checks the answer; returns the defect, or null. */
async function check(prefix: string, request: RouteRequest, stats: RouteStats): Promise<string | null> {
  const server = installation.server!;
  const label = `${request.init.method} ${prefix}${request.path.slice(0, 120)} [${request.variant}]`;
  const before = await installation.probe.position();
  let answer: Answer;
  try {
    answer = await call(`${server.url}${prefix}${request.path}`, request.init);
  } catch (error) {
    return (await restartIfDead(label)) ?? `${label}: keine Antwort (${(error as Error).message})`;
  }
  stats.requests += 1;
  const klass = `${Math.floor(answer.status / 100)}xx`;
  stats.byClass[klass] = (stats.byClass[klass] ?? 0) + 1;
  if (answer.status >= 500) return `${label}: HTTP ${answer.status}${loggedError(answer)}`;
  if (/root:x:0:0|"name":\s*"lagebild"/.test(answer.text)) return `${label}: Antwort enthält eine Datei des Rechners`;
  if (answer.status >= 400) {
    const defect = problemDefect(answer);
    if (defect) return `${label}: HTTP ${answer.status}, ${defect}`;
    // The audit record of the refusal is expected; anything else is a partial write.
    const changes = await installation.probe.changesSince(before);
    if (changes > 0) return `${label}: abgewiesen (HTTP ${answer.status}), aber ${changes} Ereignisse angehängt`;
  } else if (request.init.method !== 'GET') {
    // An accepted write may set consumers going; let them finish so the next refusal is measured alone.
    await installation.probe.settled();
  }
  return null;
}

describe('every HTTP route of every service', () => {
  it('knows every service lagebild start runs', () => {
    expect(services.map((s) => s.name).sort()).toEqual([...SERVICE_NAMES].sort());
    const withoutOpenApi = services.filter((s) => !s.openapi).map((s) => s.name);
    if (withoutOpenApi.length > 0) {
      report.note(`Ohne OpenAPI unter /api/<dienst>/openapi.json: ${withoutOpenApi.join(', ')}; ihre Routen stammen aus dem Express-Router des Dienstes, die Abfrageparameter aus einer allgemeinen Liste.`);
    }
  });

  SERVICE_NAMES.forEach((name, serviceIndex) => {
    it(`${name}: no 5xx, a German problem for every refusal, nothing written by a refused request, the server stays up`, async () => {
      const service = services.find((s) => s.name === name)!;
      const stats: RouteStats = { requests: 0, byClass: {} };
      const defects: string[] = [];
      for (const [routeIndex, route] of service.routes.entries()) {
        for (const request of requestsFor(service, route, serviceIndex * 100 + routeIndex)) {
          const defect = await check(`/api/${name}`, request, stats);
          if (defect) defects.push(defect);
        }
      }
      const health = await call(`${installation.server!.url}/health`).then((a) => a.status, () => 0);
      if (health !== 200) defects.push(`/health antwortet danach mit ${health}`);
      report.record({
        fault: `HTTP-Routen ${name} (${service.routes.length} Routen${service.openapi ? ', OpenAPI' : ''})`,
        tries: stats.requests,
        outcome: defects.length === 0 ? 'bestanden' : 'fehlgeschlagen',
        detail:
          Object.entries(stats.byClass)
            .sort()
            .map(([k, n]) => `${n} × ${k}`)
            .join(', ') + (defects.length > 0 ? `; ${defects.length} Mängel, z. B. ${defects.slice(0, 3).join(' | ')}` : '; kein 5xx, jede Abweisung deutsch, nichts teilweise geschrieben'),
      });
      expect(defects).toEqual([]);
    }, 600_000);
  });

  it('host routes: probes, unknown paths, traversal into the FIS pages; read-only SQL refuses writes and file access', async () => {
    const stats: RouteStats = { requests: 0, byClass: {} };
    const defects: string[] = [];
    const hostRequests: RouteRequest[] = [
      ...['/health', '/ready', '/fis/', '/fis/..%2f..%2f..%2fpackage.json', '/fis/%2e%2e/%2e%2e/%2e%2e/package.json', '/fis/....//....//etc/passwd', '/fis/%00', '/api/', '/api/unbekannt', `/${'a'.repeat(8000)}`, `/api/goals/goals?q=${'a'.repeat(20_000)}`, '/api/ingestion/../../etc/passwd'].map((p) => ({ variant: 'Host', path: p, init: { method: 'GET' } })),
      { variant: 'Methode', path: '/health', init: { method: 'DELETE' } },
    ];
    for (const request of hostRequests) {
      const defect = await check('', request, stats);
      if (defect) defects.push(defect);
    }
    const before = await snapshot(installation.server!.url, tokens.operator);
    const statements = [
      'DROP TABLE lagebild.fact_observation',
      "INSERT INTO lagebild.fact_delivery (tenant) VALUES ('11000')",
      'SELECT 1; DROP TABLE lagebild.fact_observation',
      'ALTER TABLE lagebild.fact_observation DELETE WHERE 1',
      "SELECT * FROM file('/etc/passwd', 'LineAsString')",
      "SELECT * FROM FILE ( '/etc/passwd' , 'LineAsString' )",
      "SELECT * FROM file/**/('/etc/passwd', 'LineAsString')",
      "SELECT * FROM url('http://127.0.0.1:9/', 'LineAsString')",
      'SELECT 1 INTO OUTFILE \'/tmp/lagebild-outfile\'',
      "SELECT '\u0000\u202E'",
      `SELECT '${'x'.repeat(99_000)}'`,
      'SELECT',
      '/* offen',
      "SELECT 'offen",
    ];
    for (const sql of statements) {
      const defect = await check('/api/warehouse', { variant: `SQL ${sql.slice(0, 40)}`, path: '/query', init: { method: 'POST', token: tokens.operator, ...json(JSON.stringify({ sql })) } }, stats);
      if (defect) defects.push(defect);
    }
    const after = await snapshot(installation.server!.url, tokens.operator);
    const changed = differences(before, after);
    if (changed.length > 0) defects.push(`Warehouse nach den SQL-Versuchen verändert: ${changed.join('; ')}`);
    if (existsSync('/tmp/lagebild-outfile')) defects.push('INTO OUTFILE hat eine Datei geschrieben');
    const stray = readdirSync(work).sort();
    if (stray.join() !== workEntries.join()) defects.push(`neue Einträge neben dem Datenverzeichnis: ${stray.filter((e) => !workEntries.includes(e)).join(', ')}`);
    report.record({
      fault: 'Host-Routen, Pfad-Traversal in /fis, SQL mit Schreib- und Dateizugriff',
      tries: stats.requests,
      outcome: defects.length === 0 ? 'bestanden' : 'fehlgeschlagen',
      detail: defects.length > 0 ? defects.slice(0, 3).join(' | ') : 'kein 5xx, keine Datei des Rechners ausgeliefert, Warehouse unverändert',
    });
    expect(defects).toEqual([]);
  }, 300_000);
});
