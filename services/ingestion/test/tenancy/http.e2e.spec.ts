/**
 * The register through HTTP, as the ingestion service serves it with its real authentication:
 * who may configure a tenant (its admin or its Kreis' admin, nobody foreign), what each tenant
 * sees of the register, and who decides on releases (the owner; the Kreis only for a member it
 * plans for, never for a partner), every refusal German problem+json.
 */
import type { EmbeddedAuth, Role } from '@lagebild/platform';
import { loadGemeindeverzeichnis } from '../../src';
import { type IngestionHttp, openIngestionHttp } from '../support/http-service';
import { FLENSBURG, gv100ad, NF, SLFL } from './support';

let http: IngestionHttp;
let auth: EmbeddedAuth;
let base: string;

beforeAll(async () => {
  http = await openIngestionHttp({
    prefix: 'tenancy-http',
    prepare: (stores) => loadGemeindeverzeichnis(stores, { fileName: 'GV100AD_301123_test.txt', bytes: gv100ad() }, { subject: 'system:test' }).then(() => undefined),
  });
  ({ auth, base } = http);
});

afterAll(() => http?.close());

interface Answer {
  status: number;
  type: string | null;
  body: Record<string, unknown>;
}

async function call(tenant: string, roles: Role[], method: string, route: string, body?: unknown, memberOf?: string[]): Promise<Answer> {
  const token = await auth.issueToken({ subject: `${roles.join('-')}-${tenant}`, tenant, roles, ...(memberOf ? { memberOf } : {}) });
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const detail = (a: Answer) => String(a.body.detail);
const tenants = (a: Answer) => (a.body.tenants as Array<{ tenant: string }>).map((t) => t.tenant).sort();
const releases = (a: Answer) => a.body.releases as Array<{ releaseId: string; tenant: string; status: string }>;

describe('tenant register over HTTP', () => {
  it('declares the routes with their roles in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-roles': string[] }>> };
    expect(doc.paths['/tenants']?.get?.['x-roles']).toEqual(['admin', 'sozialplanung', 'controlling', 'fuehrung', 'datenlieferung', 'traeger', 'statistikstelle']);
    expect(doc.paths['/tenants/{ags}']?.put?.['x-roles']).toEqual(['admin']);
    expect(doc.paths['/releases']?.get?.['x-roles']).toEqual(['admin', 'sozialplanung']);
    expect(doc.paths['/releases']?.post?.['x-roles']).toEqual(['admin', 'sozialplanung']);
    expect(doc.paths['/releases/{id}']?.delete?.['x-roles']).toEqual(['admin', 'sozialplanung']);
  });

  it('shows an empty register before anything is registered: tenants keep working without it', async () => {
    const answer = await call(NF.husum, ['sozialplanung'], 'GET', '/tenants');
    expect(answer).toMatchObject({ status: 200, body: { tenants: [] } });
  });

  it('refuses to configure Nordfriesland for a foreign Kreis’ admin and for a member Gemeinde’s admin', async () => {
    const foreign = await call(SLFL.kreis, ['admin'], 'PUT', `/tenants/${NF.kreis}`, {});
    expect(foreign.status).toBe(403);
    expect(foreign.type).toContain('application/problem+json');
    expect(detail(foreign)).toBe('Den Registereintrag von Nordfriesland (01054) ändert nur der admin dieses Mandanten; Ihr Mandant ist 01059.');
    expect((await call(NF.husum, ['admin'], 'PUT', `/tenants/${NF.kreis}`, {})).status).toBe(403);
    // The role gate comes first: Sozialplanung of the Kreis does not configure tenants.
    expect((await call(NF.kreis, ['sozialplanung'], 'PUT', `/tenants/${NF.kreis}`, {})).status).toBe(403);
  });

  it('lets the Kreis admin register Nordfriesland (201), and answers 200 unchanged when nothing changed', async () => {
    const created = await call(NF.kreis, ['admin'], 'PUT', `/tenants/${NF.kreis}`, { planningModel: 'BETREUUNG' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ changed: true, tenant: { tenant: '01054', version: 1, kind: 'KREIS', planningModel: 'BETREUUNG', partnerThreshold: 20_000 } });
    const again = await call(NF.kreis, ['admin'], 'PUT', `/tenants/${NF.kreis}`, {});
    expect(again).toMatchObject({ status: 200, body: { changed: false, tenant: { version: 1 } } });
  });

  it('answers an unknown AGS with 404 and a Kreis option for a Gemeinde with 422, in German', async () => {
    const unknown = await call(NF.kreis, ['admin'], 'PUT', '/tenants/01054999', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe('urn:lagebild:problem:tenancy-unknown-area');
    expect(detail(unknown)).toContain('Eine Gemeinde mit dem Schlüssel 01054999 gibt es im geladenen Gemeindeverzeichnis nicht.');
    const option = await call(NF.husum, ['admin'], 'PUT', `/tenants/${NF.husum}`, { partnerThreshold: 5000 });
    expect(option.status).toBe(422);
    expect(detail(option)).toBe('Partnergrenze gibt es nur für einen Kreis; 01054056 (Husum, Stadt) ist eine kreisangehörige Gemeinde.');
  });

  it('lets the Kreis admin register a member Gemeinde, and the Gemeinde’s admin register itself', async () => {
    const leck = await call(NF.kreis, ['admin'], 'PUT', `/tenants/${NF.leck}`, {});
    expect(leck).toMatchObject({ status: 201, body: { tenant: { tenant: NF.leck, kind: 'GEMEINDE', kreis: '01054' } } });
    expect((await call(NF.husum, ['admin'], 'PUT', `/tenants/${NF.husum}`, {})).status).toBe(201);
    expect((await call(SLFL.kreis, ['admin'], 'PUT', `/tenants/${NF.sylt}`, {})).status).toBe(403);
  });

  it('shows each tenant its own entry, its members and its Kreis, and nothing of other Kreise', async () => {
    expect(tenants(await call(NF.kreis, ['fuehrung'], 'GET', '/tenants'))).toEqual([NF.kreis, NF.husum, NF.leck].sort());
    expect(tenants(await call(NF.husum, ['datenlieferung'], 'GET', '/tenants'))).toEqual([NF.kreis, NF.husum].sort());
    // A member not registered on its own still sees its Kreis' entry (how the Kreis works with it).
    expect(tenants(await call(NF.groede, ['sozialplanung'], 'GET', '/tenants'))).toEqual([NF.kreis]);
    expect(tenants(await call(SLFL.kappeln, ['admin'], 'GET', '/tenants'))).toEqual([]);
    expect((await call(NF.kreis, ['public'], 'GET', '/tenants')).status).toBe(403);
  });

  let husumRelease = '';
  let leckRelease = '';

  it('lets a Gemeinde release its own figures to its peers, with a Sperrfrist', async () => {
    const answer = await call(NF.husum, ['sozialplanung'], 'POST', '/releases', { audience: 'MEMBERS', indicatorId: 'sgb2-quote', embargoUntil: '2099-01-01', note: 'Beschluss des Hauptausschusses' });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ tenant: NF.husum, audience: 'MEMBERS', form: 'PROTECTED', embargoUntil: '2098-12-31T23:00:00.000Z', status: 'EMBARGOED', grantedBy: `user:sozialplanung-${NF.husum}` });
    husumRelease = String(answer.body.releaseId);
  });

  it('lets the Kreis release for a member it plans for (BETREUT)', async () => {
    const answer = await call(NF.kreis, ['sozialplanung'], 'POST', '/releases', { tenant: NF.leck, audience: 'PUBLIC', unitType: 'Gemeinde' });
    expect(answer).toMatchObject({ status: 201, body: { tenant: NF.leck, audience: 'PUBLIC', status: 'ACTIVE' } });
    leckRelease = String(answer.body.releaseId);
  });

  it('refuses the Kreis a release for a partner Gemeinde, and every foreign tenant a release for anyone else', async () => {
    const partner = await call(NF.kreis, ['admin'], 'POST', '/releases', { tenant: NF.husum, audience: 'PUBLIC' });
    expect(partner.status).toBe(403);
    expect(detail(partner)).toBe('Husum, Stadt (01054056) ist Partnerin des Kreises Nordfriesland; über die Freigabe ihrer Zahlen entscheidet die Gemeinde selbst (Rollen admin oder sozialplanung der Gemeinde).');
    const foreign = await call(SLFL.kreis, ['admin'], 'POST', '/releases', { tenant: NF.leck, audience: 'PUBLIC' });
    expect(foreign.status).toBe(403);
    expect(detail(foreign)).toBe('Über die Freigabe der Zahlen von 01054076 entscheidet nur dieser Mandant selbst (Rollen admin oder sozialplanung); Ihr Mandant ist 01059.');
    // A peer Gemeinde does not decide for another one either.
    expect((await call(NF.sylt, ['admin'], 'POST', '/releases', { tenant: NF.husum, audience: 'MEMBERS' })).status).toBe(403);
    // Delivering data is no reason to decide on releases.
    expect((await call(NF.husum, ['datenlieferung'], 'POST', '/releases', { audience: 'MEMBERS' })).status).toBe(403);
  });

  it('refuses raw figures for anyone but the own Kreis with 422', async () => {
    const raw = await call(NF.husum, ['admin'], 'POST', '/releases', { audience: 'MEMBERS', form: 'RAW' });
    expect(raw.status).toBe(422);
    expect(raw.body.type).toBe('urn:lagebild:problem:tenancy-invalid-release');
    expect(detail(raw)).toContain('Rohwerte gibt es nur für den eigenen Kreis');
  });

  it('lets a kreisfreie Stadt that is not registered publish its figures', async () => {
    const answer = await call(FLENSBURG.stadt, ['sozialplanung'], 'POST', '/releases', { audience: 'PUBLIC', indicatorId: 'sgb2-quote' });
    expect(answer).toMatchObject({ status: 201, body: { tenant: FLENSBURG.stadt, audience: 'PUBLIC' } });
  });

  it('lists releases to the owner and its Kreis only', async () => {
    const kreis = releases(await call(NF.kreis, ['sozialplanung'], 'GET', '/releases'));
    expect(kreis.map((r) => r.releaseId).sort()).toEqual([husumRelease, leckRelease].sort());
    expect(releases(await call(NF.husum, ['admin'], 'GET', '/releases')).map((r) => r.releaseId)).toEqual([husumRelease]);
    expect(releases(await call(NF.kreis, ['admin'], 'GET', `/releases?tenant=${NF.leck}`)).map((r) => r.releaseId)).toEqual([leckRelease]);
    const foreign = await call(SLFL.kreis, ['admin'], 'GET', `/releases?tenant=${NF.husum}`);
    expect(foreign.status).toBe(403);
    expect(detail(foreign)).toBe('Die Freigaben von 01054056 sieht nur dieser Mandant und sein Kreis; Ihr Mandant ist 01059.');
  });

  it('withdraws a release for its owner only: not found for a foreign tenant, forbidden for the Kreis of a partner, then 409 once withdrawn', async () => {
    expect((await call(SLFL.kreis, ['admin'], 'DELETE', `/releases/${husumRelease}`)).status).toBe(404);
    expect((await call(NF.kreis, ['admin'], 'DELETE', `/releases/${husumRelease}`)).status).toBe(403);
    const withdrawn = await call(NF.husum, ['sozialplanung'], 'DELETE', `/releases/${husumRelease}`);
    expect(withdrawn).toMatchObject({ status: 200, body: { releaseId: husumRelease, status: 'WITHDRAWN', withdrawnBy: `user:sozialplanung-${NF.husum}` } });
    const twice = await call(NF.husum, ['admin'], 'DELETE', `/releases/${husumRelease}`);
    expect(twice.status).toBe(409);
    expect(detail(twice)).toContain('wurde schon am');
    // The Kreis withdraws what it released for a member it plans for.
    expect((await call(NF.kreis, ['admin'], 'DELETE', `/releases/${leckRelease}`)).status).toBe(200);
  });
});
