/**
 * Deliveries through HTTP with real tokens: multipart upload (streamed, size limit), 202 with a
 * status URL, status and report, catalogs, observations, and tenancy (a Gemeinde delivers only
 * for its own areas, a Kreis for its members', nobody reads another tenant's delivery).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, createEmbeddedAuth, createLmdbDocumentStore, createLmdbEventLog, createLmdbEventStore, createLogger, serviceMount, type EmbeddedAuth, type Role, type ServiceModule } from '@lagebild/platform';
import type { Server } from 'node:http';
import { createService } from '../../src';
import { createCatalog } from '../../src/profiles';
import { actor } from './support';
import { GOOD_ROWS, TEST_TENANT, teststadt, teststadtProfile } from './synthetic';
import { importAreaFile, publishVersion } from '../../src/areas';

const KREIS = '01054';
const [G1, G2, G3] = ['01054001', '01054002', '01054003'];

let dir: string;
let server: Server;
let base: string;
let auth: EmbeddedAuth;
let service: ServiceModule;
let closeStores: () => Promise<void>;
const previousDataDir = process.env.LAGEBILD_DATA_DIR;

async function token(tenant: string, roles: Role[] = ['datenlieferung'], memberOf?: string[]): Promise<string> {
  return auth.issueToken({ subject: `test-${tenant}`, tenant, roles, ...(memberOf ? { memberOf } : {}) });
}

async function post(bearer: string, fields: Record<string, string>, content: string, fileName = 'lieferung.csv'): Promise<Response> {
  const form = new FormData();
  // Fields before the file: the profile's size limit applies while the file streams in.
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([content]), fileName);
  return fetch(`${base}/api/ingestion/deliveries`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` }, body: form });
}

async function get(bearer: string, url: string): Promise<Response> {
  return fetch(url.startsWith('http') ? url : `${base}${url}`, { headers: { authorization: `Bearer ${bearer}` } });
}

async function decided(bearer: string, statusUrl: string): Promise<{ status: string; deliveryId: string }> {
  for (let i = 0; i < 200; i += 1) {
    const body = (await (await get(bearer, statusUrl)).json()) as { status: string; deliveryId: string };
    if (body.status === 'angenommen' || body.status === 'abgelehnt') return body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('nicht entschieden');
}

const kreisFile = (codes: string[]) => ['AGS;Einwohner', ...codes.map((code, i) => `${code};${1000 + i}`)].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-deliveries-http-'));
  process.env.LAGEBILD_DATA_DIR = dir;
  const lmdb = path.join(dir, 'lmdb');
  const eventStore = createLmdbEventStore({ path: lmdb });
  const documents = createLmdbDocumentStore({ path: lmdb });
  const eventLog = createLmdbEventLog({ path: lmdb });
  const logger = createLogger({ service: 'test', level: 'silent' });
  auth = await createEmbeddedAuth({ dataDir: dir });
  service = await createService({ eventStore, documents, eventLog, logger, auth, warehouse: undefined as never });
  await service.start?.();
  closeStores = async () => {
    await eventLog.close();
    await documents.close();
    await eventStore.close();
  };

  // Register and catalogs: Teststadt (kreisfreie Stadt 01001) and the Gemeinden of a Kreis
  // (a shared scheme: each Gemeinde owns its unit by AGS).
  const catalog = createCatalog({ eventStore, documents });
  // A statistics-only data set (as the Bundesagentur's SGB II small-area figures are).
  await catalog.saveDataset('teststadt-sgb2', { name: 'SGB II Teststadt', source: { name: 'Bundesagentur für Arbeit' }, sensitivity: 'SEALED', variables: [{ code: 'lb', name: 'Leistungsberechtigte', unit: 'Personen', kind: 'count' }] }, { actor: 'user:test', tenant: TEST_TENANT, now: new Date() });
  await teststadt({ areas: { eventStore, documents }, deliveries: { catalog } });
  const ctx = { actor: 'user:test', tenant: TEST_TENANT, now: new Date() };
  await catalog.saveProfile('teststadt-klein', { ...teststadtProfile(), maxFileBytes: 300 }, ctx);
  // A second data set of Teststadt with a variable `ew` of its own.
  await catalog.saveDataset('teststadt-hauptwohnsitz', { name: 'Hauptwohnsitz Teststadt', source: { name: 'Statistikstelle' }, sensitivity: 'INTERNAL', variables: [{ code: 'ew', name: 'Einwohner mit Hauptwohnsitz', unit: 'Personen', kind: 'count' }] }, ctx);
  await catalog.saveProfile('teststadt-sgb2', teststadtProfile({ dataset: 'teststadt-sgb2', variables: { layout: 'wide', values: [{ column: { header: 'Einwohner' }, variable: 'lb' }] }, plausibility: { missingAreas: 'off' } }), ctx);
  await catalog.saveProfile('teststadt-hauptwohnsitz', teststadtProfile({ dataset: 'teststadt-hauptwohnsitz', variables: { layout: 'wide', values: [{ column: { header: 'Einwohner' }, variable: 'ew' }] }, plausibility: { missingAreas: 'off' } }), ctx);
  const csv = ['code;name;type;parent;ags', `${KREIS};Kreis;Kreis;;${KREIS}`, `${G1};Ahausen;Gemeinde;${KREIS};${G1}`, `${G2};Bedorf;Gemeinde;${KREIS};${G2}`, `${G3};Cestadt;Gemeinde;${KREIS};${G3}`].join('\n');
  await importAreaFile({ eventStore, documents }, { schemeId: 'kreis-gemeinden', file: { kind: 'csv', fileName: 'gemeinden.csv', bytes: Buffer.from(csv) }, mapping: { officialKeyField: 'ags' }, validFrom: '2010-01-01', reason: 'Ersteinrichtung', createScheme: { name: 'Gemeinden des Kreises', tenant: null } }, actor);
  await publishVersion({ eventStore, documents }, 'kreis-gemeinden', { validFrom: '2010-01-01', reason: 'Ersteinrichtung' }, actor);
  await catalog.saveDataset('kreis-einwohner', { name: 'Einwohner je Gemeinde', source: { name: 'Meldewesen' }, sensitivity: 'INTERNAL', variables: [{ code: 'ew', name: 'Einwohner', unit: 'Personen', kind: 'count' }] }, ctx);
  await catalog.saveProfile(
    'kreis-einwohner',
    {
      name: 'Einwohner je Gemeinde (für alle Gemeinden des Kreises)',
      tenant: null,
      dataset: 'kreis-einwohner',
      source: { name: 'Meldewesen' },
      scheme: { schemeId: 'kreis-gemeinden' },
      format: { type: 'csv', delimiter: ';' },
      area: { column: { header: 'AGS' }, by: 'code', unitTypes: ['Gemeinde'] },
      period: { granularity: 'year', kind: 'STICHTAG', from: 'delivery' },
      variables: { layout: 'wide', values: [{ column: { header: 'Einwohner' }, variable: 'ew' }] },
      plausibility: { missingAreas: 'off' },
    },
    ctx,
  );

  const app = createApp({ service: 'test', logger, auth, mounts: [serviceMount(service.name, service.router)] });
  server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await service?.stop?.();
  await closeStores?.();
  if (previousDataDir === undefined) delete process.env.LAGEBILD_DATA_DIR;
  else process.env.LAGEBILD_DATA_DIR = previousDataDir;
  await rm(dir, { recursive: true, force: true });
});

describe('POST /deliveries', () => {
  it('answers 202 with a status URL; status and report follow; the same file again changes nothing', async () => {
    const bearer = await token(TEST_TENANT);
    const res = await post(bearer, { profile: 'teststadt-einwohner' }, GOOD_ROWS.join('\n'), 'einwohner-2023.csv');
    expect(res.status).toBe(202);
    const body = (await res.json()) as { deliveryId: string; statusUrl: string; reportUrl: string };
    expect(res.headers.get('location')).toBe(body.statusUrl);
    expect(body.statusUrl).toBe(`/api/ingestion/deliveries/${body.deliveryId}`);
    expect(await decided(bearer, body.statusUrl)).toMatchObject({ status: 'angenommen' });
    const status = (await (await get(bearer, body.statusUrl)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ tenant: TEST_TENANT, fileName: 'einwohner-2023.csv', observationCount: 12, rowCount: 4, deliveredBy: `user:test-${TEST_TENANT}` });
    const report = (await (await get(bearer, body.reportUrl)).json()) as { errorCount: number; findings: unknown[] };
    expect(report).toMatchObject({ errorCount: 0, findings: [] });

    const again = await post(bearer, { profile: 'teststadt-einwohner' }, GOOD_ROWS.join('\n'), 'einwohner-2023.csv');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ deliveryId: body.deliveryId, duplicate: true });

    // The observation read model follows the acceptance in the background, a moment later.
    const planer = await token(TEST_TENANT, ['sozialplanung']);
    let observations: unknown[] = [];
    for (let i = 0; i < 100 && observations.length === 0; i += 1) {
      observations = ((await (await get(planer, '/api/ingestion/observations?scheme=teststadt-sozialraeume&variable=ew&area=SR03')).json()) as { observations: unknown[] }).observations;
      if (observations.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(observations).toMatchObject([{ value: 12291, status: 'VALUE', period: { end: '2023-12-31' } }]);
    expect((await get(await token('11000', ['sozialplanung']), '/api/ingestion/observations?scheme=teststadt-sozialraeume&variable=ew&tenant=01001')).status).toBe(403);
  });

  it('serves observations of a statistics-only data set to the Statistikstelle alone: they are raw counts', async () => {
    const bearer = await token(TEST_TENANT, ['statistikstelle']);
    const res = await post(bearer, { profile: 'teststadt-sgb2' }, GOOD_ROWS.join('\n'), 'sgb2.csv');
    expect(await decided(bearer, ((await res.json()) as { statusUrl: string }).statusUrl)).toMatchObject({ status: 'angenommen' });
    const url = '/api/ingestion/observations?scheme=teststadt-sozialraeume&variable=lb&dataset=teststadt-sgb2&area=SR03';
    let observations: unknown[] = [];
    for (let i = 0; i < 100 && observations.length === 0; i += 1) {
      observations = ((await (await get(bearer, url)).json()) as { observations: unknown[] }).observations;
      if (observations.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(observations).toMatchObject([{ value: 12291 }]);
    for (const role of ['sozialplanung', 'admin'] as const) {
      const refused = await get(await token(TEST_TENANT, [role]), url);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { detail: string }).detail).toContain('gelieferte Rohzahlen');
    }
  });

  it('reports every error of a rejected delivery through the report URL, in German', async () => {
    const bearer = await token(TEST_TENANT);
    const res = await post(bearer, { profile: 'teststadt-einwohner' }, [GOOD_ROWS[0], 'Altstadt;viel;1;1', 'Südstadt;1;1;1'].join('\n'), 'fehler.csv');
    const { statusUrl, reportUrl } = (await res.json()) as { statusUrl: string; reportUrl: string };
    expect(await decided(bearer, statusUrl)).toMatchObject({ status: 'abgelehnt' });
    const report = (await (await get(bearer, reportUrl)).json()) as { findings: Array<{ code: string; message: string }> };
    expect(report.findings.filter((f) => f.code !== 'AREA_MISSING').map((f) => f.code)).toEqual(['NUMBER_INVALID', 'AREA_UNKNOWN']);
    expect(report.findings[0]!.message).toMatch(/^Datei „fehler.csv“, Zeile 2, Spalte B \(„Einwohner“\): Der Wert ist keine Zahl\. Gefunden: „viel“/);
  });

  it('refuses a file above the size limit with 413 and a German message, keeping nothing', async () => {
    const bearer = await token(TEST_TENANT);
    const res = await post(bearer, { profile: 'teststadt-klein' }, `${GOOD_ROWS.join('\n')}\n${'Altstadt;1;1;1\n'.repeat(400)}`);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { detail: string; code: string };
    expect(problem.code).toBe('FILE_TOO_LARGE');
    expect(problem.detail).toContain('größer als erlaubt (höchstens 300 Bytes)');
    expect((await readdir(path.join(dir, 'ingestion', 'uploads'))).filter((name) => name.startsWith('upload-'))).toEqual([]);
  });

  it('refuses roles that may not deliver, other tenants, and foreign profiles', async () => {
    expect((await post(await token(TEST_TENANT, ['fuehrung']), { profile: 'teststadt-einwohner' }, GOOD_ROWS.join('\n'))).status).toBe(403);
    const foreign = await post(await token('11000'), { profile: 'teststadt-einwohner', tenant: TEST_TENANT }, GOOD_ROWS.join('\n'));
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { detail: string }).detail).toContain('nur für Ihren Mandanten 11000');
    const profile = await post(await token('11000'), { profile: 'teststadt-einwohner' }, GOOD_ROWS.join('\n'));
    expect(profile.status).toBe(403);
    expect(((await profile.json()) as { detail: string }).detail).toContain('gehört dem Mandanten 01001');
    const unknown = await post(await token(TEST_TENANT), { profile: 'gibt-es-nicht' }, GOOD_ROWS.join('\n'));
    expect(unknown.status).toBe(404);
    const missingFile = await fetch(`${base}/api/ingestion/deliveries`, { method: 'POST', headers: { authorization: `Bearer ${await token(TEST_TENANT)}` }, body: (() => { const f = new FormData(); f.append('profile', 'teststadt-einwohner'); return f; })() });
    expect(missingFile.status).toBe(400);
  });
});

describe('tenancy of areas', () => {
  it('lets a Gemeinde deliver for its own area only', async () => {
    const bearer = await token(G1);
    const own = (await (await post(bearer, { profile: 'kreis-einwohner', period: '2023' }, kreisFile([G1]))).json()) as { statusUrl: string };
    expect(await decided(bearer, own.statusUrl)).toMatchObject({ status: 'angenommen' });
    const other = (await (await post(bearer, { profile: 'kreis-einwohner', period: '2023' }, kreisFile([G1, G2]))).json()) as { statusUrl: string; reportUrl: string };
    expect(await decided(bearer, other.statusUrl)).toMatchObject({ status: 'abgelehnt' });
    const report = (await (await get(bearer, other.reportUrl)).json()) as { findings: Array<{ code: string; line: number; value: string; message: string }> };
    expect(report.findings).toMatchObject([{ code: 'AREA_FORBIDDEN', line: 3, value: G2 }]);
    expect(report.findings[0]!.message).toContain(`Das Gebiet gehört nicht zum Mandanten ${G1}, sondern zu ${G2}`);
  });

  it('lets a Kreis deliver for its member Gemeinden, not for others, and read its members’ deliveries', async () => {
    const kreis = await token(KREIS, ['datenlieferung'], [G1, G2]);
    const members = (await (await post(kreis, { profile: 'kreis-einwohner', period: '2022' }, kreisFile([G1, G2]))).json()) as { statusUrl: string };
    expect(await decided(kreis, members.statusUrl)).toMatchObject({ status: 'angenommen' });
    const notMember = (await (await post(kreis, { profile: 'kreis-einwohner', period: '2022' }, kreisFile([G3]))).json()) as { statusUrl: string; reportUrl: string };
    expect(await decided(kreis, notMember.statusUrl)).toMatchObject({ status: 'abgelehnt' });
    expect(((await (await get(kreis, notMember.reportUrl)).json()) as { findings: Array<{ code: string }> }).findings.map((f) => f.code)).toEqual(['AREA_FORBIDDEN']);

    // On behalf of a member, the delivery belongs to that Gemeinde; the Gemeinde reads it, its neighbour does not.
    const onBehalf = await post(kreis, { profile: 'kreis-einwohner', period: '2021', tenant: G1 }, kreisFile([G1]));
    const { statusUrl, deliveryId } = (await onBehalf.json()) as { statusUrl: string; deliveryId: string };
    expect(await decided(kreis, statusUrl)).toMatchObject({ status: 'angenommen' });
    expect((await get(await token(G1), statusUrl)).status).toBe(200);
    expect((await get(await token(G2), statusUrl)).status).toBe(404);
    expect((await get(await token(G2), `${statusUrl}/report`)).status).toBe(404);
    const list = (await (await get(kreis, '/api/ingestion/deliveries')).json()) as { deliveries: Array<{ deliveryId: string; tenant: string }> };
    expect(list.deliveries.find((d) => d.deliveryId === deliveryId)).toMatchObject({ tenant: G1 });
    const neighbour = (await (await get(await token(G2), '/api/ingestion/deliveries')).json()) as { deliveries: Array<{ tenant: string }> };
    expect(neighbour.deliveries.every((d) => d.tenant === G2)).toBe(true);
  });
});

describe('catalogs', () => {
  it('lists shipped and own profiles, saves a new version, and explains a broken one in German', async () => {
    const admin = await token(TEST_TENANT, ['admin']);
    const list = (await (await get(admin, '/api/ingestion/profiles')).json()) as { profiles: Array<{ id: string; tenant: string | null }> };
    const ids = list.profiles.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['teststadt-einwohner', 'inkar-arbeitslose-gemeinden', 'kreis-einwohner']));
    expect(ids).not.toContain('berlin-einwohner-lor');

    const current = (await (await get(admin, '/api/ingestion/profiles/teststadt-einwohner')).json()) as Record<string, unknown> & { version: number };
    const { id: _id, version, savedAt: _savedAt, savedBy: _savedBy, ...body } = current;
    const put = await fetch(`${base}/api/ingestion/profiles/teststadt-einwohner`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...body, description: 'Ab 2024 mit Quote' }) });
    expect(put.status).toBe(201);
    expect(await put.json()).toMatchObject({ version: version + 1, changed: true });
    expect(((await (await get(admin, `/api/ingestion/profiles/teststadt-einwohner?version=${version}`)).json()) as { description?: string }).description).toBeUndefined();

    const broken = await fetch(`${base}/api/ingestion/profiles/teststadt-einwohner`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...body, format: { type: 'ods' } }) });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { errors: Array<{ pointer: string; detail: string }> }).errors).toEqual([{ pointer: '#/format/type', detail: 'Dateiformat erwartet: csv, xlsx, xls oder json' }]);
    const foreign = await fetch(`${base}/api/ingestion/profiles/teststadt-einwohner`, { method: 'PUT', headers: { authorization: `Bearer ${await token('11000', ['admin'])}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(foreign.status).toBe(403);

    const datasets = (await (await get(admin, '/api/ingestion/datasets')).json()) as { datasets: Array<{ id: string }> };
    expect(datasets.datasets.map((d) => d.id)).toEqual(expect.arrayContaining(['berlin-einwohner', 'hamburg-stadtteilprofile', 'teststadt-einwohner']));
  });
});

describe('GET /observations', () => {
  it('keeps a variable code of two data sets apart and asks which one is meant', async () => {
    const bearer = await token(TEST_TENANT);
    const planer = await token(TEST_TENANT, ['sozialplanung']);
    const ew = await post(bearer, { profile: 'teststadt-einwohner' }, GOOD_ROWS.join('\n'), 'einwohner-2023.csv');
    expect(await decided(bearer, ((await ew.json()) as { statusUrl: string }).statusUrl)).toMatchObject({ status: 'angenommen' });
    const hw = await post(bearer, { profile: 'teststadt-hauptwohnsitz' }, ['Sozialraum;Einwohner', 'Nordstadt;12.100'].join('\n'), 'hauptwohnsitz-2023.csv');
    expect(await decided(bearer, ((await hw.json()) as { statusUrl: string }).statusUrl)).toMatchObject({ status: 'angenommen' });

    const query = (params: string) => get(planer, `/api/ingestion/observations?scheme=teststadt-sozialraeume&variable=ew&area=SR03${params}`);
    let hauptwohnsitz: Array<{ value: number }> = [];
    for (let i = 0; i < 100 && hauptwohnsitz.length === 0; i += 1) {
      hauptwohnsitz = ((await (await query('&dataset=teststadt-hauptwohnsitz')).json()) as { observations: Array<{ value: number }> }).observations;
      if (hauptwohnsitz.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(hauptwohnsitz).toMatchObject([{ datasetId: 'teststadt-hauptwohnsitz', value: 12100 }]);
    expect(await (await query('&dataset=teststadt-einwohner')).json()).toMatchObject({ dataset: 'teststadt-einwohner', observations: [{ datasetId: 'teststadt-einwohner', value: 12291 }] });
    const ambiguous = await query('');
    expect(ambiguous.status).toBe(400);
    expect(((await ambiguous.json()) as { detail: string }).detail).toBe('Die Variable „ew“ gibt es in mehreren Datensätzen (teststadt-einwohner, teststadt-hauptwohnsitz); bitte dataset angeben.');
  });
});
