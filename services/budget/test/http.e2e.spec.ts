/**
 * The budget API through HTTP with real tokens: every declared route with every role (403 for a
 * role the route does not name), every route with a foreign tenant (refused), the OpenAPI
 * document, and a Controller's way through it: import the Münster file, read the report, let
 * the responsible person comment.
 */
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, createEmbeddedAuth, ROLES, serviceMount, silentLogger, type EmbeddedAuth, type Role } from '@lagebild/platform';
import { createBudgetApi, READ_ROLES, WRITE_ROLES } from '../src/http/routes';
import { GOETTINGEN, HZE_GOAL, POSTINGS_PROFILE, postingsCsv } from './support/goettingen';
import { openHarness, MUENSTER, MUENSTER_FILE, type Harness } from './support/harness';

let h: Harness;
let auth: EmbeddedAuth;
let server: Server;
let base: string;
let api: ReturnType<typeof createBudgetApi>;
const FOREIGN = '03241';

const token = (tenant: string, roles: Role[], subject = `user-${tenant}-${roles.join('-')}`) => auth.issueToken({ subject, tenant, roles });

async function call(method: string, url: string, bearer: string | undefined, body?: unknown, contentType = 'application/json'): Promise<Response> {
  return fetch(`${base}${url}`, {
    method: method.toUpperCase(),
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

const line = { productArea: '06', productGroup: '0603', productCode: '060301', costCentre: null, account: '533100', accountKind: 'AUFWAND' };
const rat = { body: 'Rat', reference: 'V/1/2025', decidedOn: '2025-03-01' };

/** A valid request for every declared route (method path -> url and body). */
const EXAMPLES: Record<string, { url: string; body?: unknown; raw?: string }> = {
  'get /': { url: '/' },
  'get /structure/products': { url: '/structure/products' },
  'put /structure/products/:productCode': { url: '/structure/products/060301', body: { name: 'Hilfen zur Erziehung', productArea: '06', productGroup: '0603', prevention: 'NACHSORGEND', approach: 'INDIVIDUELL', responsible: 'user-jugendamt', goalIds: [HZE_GOAL] } },
  'get /goals/:goalId/products': { url: `/goals/${HZE_GOAL}/products?jahr=2025` },
  'get /structure/rules': { url: '/structure/rules' },
  'put /structure/rules': { url: '/structure/rules', body: { rules: [{ level: 'PRODUKT', absoluteThresholdCents: 5_000_000, relativeThreshold: 0.05 }] } },
  'get /import-profiles': { url: '/import-profiles' },
  'put /import-profiles/:profileId': { url: '/import-profiles/goettingen-buchungen', body: POSTINGS_PROFILE },
  'post /imports': { url: '/imports?profile=goettingen-buchungen&fileName=h1.csv', raw: postingsCsv([2025], { '060301': { 2025: 12_000_000 } }, 6) },
  'get /imports': { url: '/imports' },
  'get /imports/:importId': { url: '/imports/00000000-0000-4000-8000-000000000000' },
  'post /years/:year/appropriations': { url: '/years/2025/appropriations', body: { kind: 'ANSATZ', decision: rat, lines: [{ ...line, amountCents: 1_000_000_00 }] } },
  'post /years/:year/transfers': { url: '/years/2025/transfers', body: { lines: [{ ...line, amountCents: 1_00 }] } },
  'post /years/:year/reallocations': { url: '/years/2025/reallocations', body: { from: line, to: { ...line, productGroup: '0605', productCode: '060501' }, amountCents: 1_00, reason: 'Prävention', decision: rat } },
  'put /commitments/:commitmentId': { url: '/commitments/bestellung-1', body: { source: 'BESTELLUNG', description: 'Möbel Jugendtreff', lines: [{ ...line, budgetYear: 2025, amountCents: 5_000_00 }] } },
  'get /years/:year/lines': { url: '/years/2025/lines' },
  'get /years/:year/plan-ist': { url: '/years/2025/plan-ist?quartal=2' },
  'get /years/:year/abweichungsbericht': { url: '/years/2025/abweichungsbericht?quartal=2' },
  'post /years/:year/abweichungen/pruefen': { url: '/years/2025/abweichungen/pruefen?quartal=2' },
  'put /years/:year/abweichungen/kommentar': { url: '/years/2025/abweichungen/kommentar?quartal=2', body: { level: 'PRODUKT', code: '060301', accountKind: 'AUFWAND', comment: 'Mehr Fälle' } },
  'get /praeventionsanteil': { url: '/praeventionsanteil' },
  'get /hochrechnung/guete': { url: '/hochrechnung/guete' },
  'post /years/:year/kennzahlen': { url: '/years/2025/kennzahlen', body: { schemeVersion: 1 } },
};

const withTenant = (url: string, tenant: string) => `${url}${url.includes('?') ? '&' : '?'}tenant=${tenant}`;

beforeAll(async () => {
  h = await openHarness();
  auth = await createEmbeddedAuth({ dataDir: h.dir });
  api = createBudgetApi(h.service, { workDir: `${h.dir}/uploads` });
  const app = createApp({ service: 'budget', logger: silentLogger(), auth, mounts: [serviceMount('budget', api.router, { openapi: () => api.document() })] });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/budget`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
});

describe('access to every route', () => {
  it('has an example request for every declared route', () => {
    expect(api.routes().map((r) => `${r.method} ${r.path}`).sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  it('declares controlling (and admin) for every write, fuehrung among the readers of every read', () => {
    for (const r of api.routes()) {
      if (r.access === 'authenticated') continue;
      if (r.method === 'get') expect(r.access).toEqual(READ_ROLES);
      else expect(r.access).toEqual(WRITE_ROLES);
    }
  });

  it('refuses every role a route does not name with 403, and lets the others through', async () => {
    for (const r of api.routes()) {
      const example = EXAMPLES[`${r.method} ${r.path}`]!;
      for (const role of ROLES) {
        const res = await call(r.method, example.url, await token(GOETTINGEN, [role]), example.raw ?? example.body, example.raw ? 'text/csv' : 'application/json');
        const allowed = r.access === 'authenticated' || r.access.includes(role);
        const body = res.status === 403 ? ((await res.json()) as { detail: string }) : undefined;
        if (!allowed) expect({ route: `${r.method} ${r.path}`, role, status: res.status, detail: body?.detail.startsWith('Für diese Aktion ist eine der Rollen') }).toEqual({ route: `${r.method} ${r.path}`, role, status: 403, detail: true });
        // The comment route is open to the Produkt's responsible person of any role: the handler decides.
        if (allowed) expect({ route: `${r.method} ${r.path}`, role, forbidden: res.status === 403 && r.path !== '/years/:year/abweichungen/kommentar', serverError: res.status >= 500 }).toEqual({ route: `${r.method} ${r.path}`, role, forbidden: false, serverError: false });
      }
    }
  });

  it('refuses a foreign tenant on every route that takes one, and hides foreign objects', async () => {
    const controlling = await token(GOETTINGEN, ['controlling', 'fuehrung']);
    for (const r of api.routes()) {
      const example = EXAMPLES[`${r.method} ${r.path}`]!;
      if (r.path === '/' || r.path === '/imports/:importId' || r.path === '/import-profiles/:profileId') continue;
      const res = await call(r.method, withTenant(example.url, FOREIGN), controlling, example.raw ?? example.body, example.raw ? 'text/csv' : 'application/json');
      const detail = ((await res.json()) as { detail?: string }).detail;
      expect({ route: `${r.method} ${r.path}`, status: res.status, detail }).toEqual({ route: `${r.method} ${r.path}`, status: 403, detail: `Kein Zugriff auf die Daten des Mandanten ${FOREIGN}; Ihr Mandant ist ${GOETTINGEN}.` });
    }
    // A profile for another tenant, and another tenant's import.
    const profile = await call('put', '/import-profiles/fremd', controlling, { ...POSTINGS_PROFILE, tenant: FOREIGN });
    expect(profile.status).toBe(403);
    const ms = await call('post', '/imports?profile=muenster-ergebnisse', await token(MUENSTER, ['controlling']), await readFile(MUENSTER_FILE), 'text/csv');
    const { importId } = (await ms.json()) as { importId: string };
    expect((await call('get', `/imports/${importId}`, await token(MUENSTER, ['fuehrung']))).status).toBe(200);
    expect((await call('get', `/imports/${importId}`, controlling)).status).toBe(404);
  });

  it('lets a Kreis principal read a member Gemeinde', async () => {
    const kreis = await auth.issueToken({ subject: 'kreis-controlling', tenant: '03159', roles: ['fuehrung'], memberOf: [GOETTINGEN] });
    expect((await call('get', withTenant('/praeventionsanteil', GOETTINGEN), kreis)).status).toBe(200);
  });

  it('asks for a token', async () => {
    expect((await call('get', '/praeventionsanteil', undefined)).status).toBe(401);
  });
});

describe('OpenAPI', () => {
  it('serves the document of every route with its roles, without a token', async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { 'x-roles': string[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/years/{year}/abweichungsbericht']!.get!['x-roles']).toEqual([...READ_ROLES]);
    expect(doc.paths['/imports']!.post!['x-roles']).toEqual([...WRITE_ROLES]);
    expect(Object.keys(doc.paths)).toHaveLength(new Set(api.routes().map((r) => r.path.replace(/:([A-Za-z]+)/g, '{$1}'))).size);
  });
});

describe('a Controller through HTTP', () => {
  it('imports the Münster file, reads plan and Ist, and is told when the same file comes again', async () => {
    const ms = await token(MUENSTER, ['controlling']);
    const res = await call('post', '/imports?profile=muenster-ergebnisse&fileName=muenster_ergebnisse_2007_2016.csv', ms, await readFile(MUENSTER_FILE), 'text/csv');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ duplicate: true, status: 'angenommen', rowCount: 1366 });
    const plan = (await (await call('get', '/years/2016/plan-ist', await token(MUENSTER, ['fuehrung']))).json()) as { units: Array<{ level: string; code: string; accountKind: string; actualToDateCents: number }> };
    expect(plan.units.find((u) => u.level === 'PRODUKT' && u.code === '0605' && u.accountKind === 'AUFWAND')!.actualToDateCents).toBeGreaterThan(0);
  });

  it('refuses an upload beyond the limit with 413', async () => {
    const small = createApp({ service: 'budget', logger: silentLogger(), auth, mounts: [serviceMount('budget', createBudgetApi(h.service, { workDir: `${h.dir}/uploads`, maxUploadBytes: 1000 }).router)] });
    const s = await new Promise<Server>((resolve) => {
      const x = small.listen(0, '127.0.0.1', () => resolve(x));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/budget/imports?profile=goettingen-buchungen&fileName=gross.csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(GOETTINGEN, ['controlling'])}`, 'content-type': 'text/csv' },
        body: 'x'.repeat(5000),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { detail: string }).detail).toBe('Datei „gross.csv“: Die Datei ist größer als erlaubt (höchstens 1.000 Bytes).');
    } finally {
      await new Promise((resolve) => s.close(resolve));
    }
  });

  it('answers a bad file with 422 and the German report', async () => {
    const res = await call('post', '/imports?profile=goettingen-buchungen&fileName=kaputt.csv', await token(GOETTINGEN, ['controlling']), 'Beleg;Geschäftsjahr;Buchungsdatum;Produkt;Kostenstelle;Sachkonto;Betrag;Text\n1;2025;01.01.2025;060301;;533100;viel;x\n', 'text/csv');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { status: string; findings: Array<{ message: string }> };
    expect(body.status).toBe('abgelehnt');
    expect(body.findings[0]!.message).toContain('Datei „kaputt.csv“, Zeile 2, Spalte G („Betrag“): Der Wert ist keine Zahl. Gefunden: „viel“.');
  });

  it('lets the responsible person comment a detected deviation, and nobody else without the role', async () => {
    const controlling = await token(GOETTINGEN, ['controlling']);
    expect((await call('post', '/years/2025/appropriations', controlling, { kind: 'NACHTRAG', decision: rat, lines: [{ ...line, amountCents: 100_000_00 }] })).status).toBe(201);
    const checked = (await (await call('post', '/years/2025/abweichungen/pruefen?quartal=2', controlling)).json()) as { detected: Array<{ code: string; level: string }> };
    expect(checked.detected.some((d) => d.level === 'PRODUKT' && d.code === '060301')).toBe(true);
    const comment = { level: 'PRODUKT', code: '060301', accountKind: 'AUFWAND', comment: 'Mehr Fälle nach § 34 SGB VIII.' };
    expect((await call('put', '/years/2025/abweichungen/kommentar?quartal=2', await token(GOETTINGEN, ['sozialplanung'], 'someone-else'), comment)).status).toBe(403);
    const ok = await call('put', '/years/2025/abweichungen/kommentar?quartal=2', await token(GOETTINGEN, ['sozialplanung'], 'user-jugendamt'), comment);
    expect(ok.status).toBe(200);
    const report = (await (await call('get', '/years/2025/abweichungsbericht?quartal=2', await token(GOETTINGEN, ['fuehrung']))).json()) as { rows: Array<{ level: string; code: string; comment: { text: string; author: string } | null }> };
    expect(report.rows.find((r) => r.level === 'PRODUKT' && r.code === '060301')!.comment).toEqual({ text: 'Mehr Fälle nach § 34 SGB VIII.', measures: null, author: 'user-jugendamt' });
  });
});
