/**
 * Kreis Nordfriesland (01054) and its 133 Gemeinden, the way a Landkreis runs Lagebild for itself
 * and its kreisangehörige Gemeinden (DOMAIN.md 1 and 7), end to end through a running
 * `lagebild start`:
 *
 * - the Gemeindeverzeichnis (Destatis GV100AD extract) is loaded and the Kreis registered with
 *   `lagebild tenant add 01054 --kreistyp betreuung`: the Kreis plans for its small Gemeinden
 *   (BETREUT), Husum (about 23,000 inhabitants) is an equal partner;
 * - each Gemeinde delivers its own INKAR rows (Arbeitslose and Erwerbsfähige 15-65, BBSR,
 *   1998/2001-2021) through the API with its own token: 266 deliveries;
 * - the Kreis releases the Arbeitslosendichte at Gemeinde level to the members for the Gemeinden
 *   it plans for, except Ahrenshöft; Husum decides for itself and sets an embargo;
 * - then: the Kreis sees all (raw for the Gemeinden it plans for, protected for its partner) and
 *   the Kreisvergleich of all 133; a Gemeinde sees its own series raw and a protected comparison
 *   of the peers that released; Dunsum's small count (1 Arbeitsloser in 2021) is suppressed for
 *   everyone but Dunsum and the Kreis; a Gemeinde of another Kreis gets 403/404 everywhere.
 * - an object-level matrix over the tenant-scoped routes of every service: own, Kreis, peer and
 *   foreign principals of every role, with the status each must get and no raw count in any
 *   answer to someone who may not see it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROLES, type Role } from '@lagebild/platform';
import { call, deliver, issueTokens, query, type Tokens, waitDecided } from '../../reliability/support/http';
import { freePort, killAll, requireBuiltCli, runCli, type Server, sleep, startServer } from '../../reliability/support/lagebild';
import { DEMO_DIR, removeDir, tempDir } from '../../reliability/support/data';

const KREIS = '01054';
const HUSUM = '01054056';
const DUNSUM = '01054025';
const ACHTRUP = '01054001';
const AHRENSHOEFT = '01054002';
const FOREIGN = '03159001'; // Adelebsen, Landkreis Göttingen
const INDICATOR = 'arbeitslosendichte';
const SCHEME = 'gemeindeverzeichnis';
const PERIOD = '2021-12-31';
const FILES = [
  { file: 'inkar_arbeitslose_gemeinden_auszug.csv', profile: 'demo-inkar-arbeitslose-gemeinden' },
  { file: 'inkar_erwerbsfaehige_gemeinden_auszug.csv', profile: 'demo-inkar-erwerbsfaehige-gemeinden' },
] as const;

let work: string;
let server: Server;
let base: string;
let tokens: Tokens;
let gemeinden: Array<{ ags: string; name: string }>;
const deliveryOf = new Map<string, string[]>();

const token = (tenant: string, ...roles: Role[]) => tokens.issue(tenant, roles);

/** A Kreis token as `lagebild token create` issues it: the member Gemeinden from the Gemeindeverzeichnis. */
async function kreisToken(...roles: Role[]): Promise<string> {
  const { code, output } = await runCli(['token', 'create', '--tenant', KREIS, ...roles.flatMap((r) => ['--role', r])], { dataDir: work });
  expect(code).toBe(0);
  return output.trim().split('\n').at(-1)!;
}

/** One Gemeinde's own export: the two header rows, its row, the source line. */
function ownRows(file: string, ags: string): Buffer {
  const lines = readFileSync(path.join(DEMO_DIR, 'germany', file), 'utf8').split('\n').filter((l) => l !== '');
  return Buffer.from([lines[0], lines[1], lines.find((l) => l.startsWith(`${ags};`)), lines.at(-1), ''].join('\n'));
}

async function json<T>(url: string, bearer: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const answer = await call(`${base}${url}`, { ...init, token: bearer });
  return { status: answer.status, body: answer.json as T };
}

interface Value {
  areaCode: string;
  numerator: number | null;
  value: number | null;
  status: string;
}
interface ValuesBody {
  protection: 'RAW' | 'PROTECTED';
  series: Array<{ periodLabel: string; values: Value[] }>;
  freigaben: Array<{ id: string; publikum: string }>;
}

const valuesUrl = (tenant: string) => `/api/indicators/values?indicator=${INDICATOR}&scheme=${SCHEME}&tenant=${tenant}`;

async function kreisvergleich(bearer: string): Promise<Array<{ gemeinde: string; wert: number | null; suppressed: boolean }>> {
  const res = await json<{ rows: Array<{ gemeinde: string; wert: number | null; suppressed: boolean }> }>('/api/warehouse/fis/panels/kreisvergleich/vergleich', bearer, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ variables: { indicator: INDICATOR, period: PERIOD } }),
  });
  expect(res.status).toBe(200);
  return res.body.rows;
}

beforeAll(async () => {
  requireBuiltCli();
  work = tempDir('nordfriesland');
  const gv = path.join(DEMO_DIR, 'germany', 'GV100AD_301123_auszug.txt');
  const loaded = await runCli(['areas', 'load-gv100ad', gv], { dataDir: work, timeoutMs: 180_000 });
  expect(loaded.code).toBe(0);
  const registered = await runCli(['tenant', 'add', KREIS, '--kreistyp', 'betreuung'], { dataDir: work });
  expect({ code: registered.code, output: registered.output }).toMatchObject({ code: 0 });
  const port = await freePort();
  server = await startServer({ dataDir: work, port });
  base = server.url.replace(/\/$/, '');
  tokens = await issueTokens(work);

  // The installation's operator provides the two delivery profiles for every tenant.
  for (const { profile } of FILES) {
    const { id, ...body } = JSON.parse(readFileSync(path.join(DEMO_DIR, 'profiles', `${profile}.json`), 'utf8')) as { id: string } & Record<string, unknown>;
    const saved = await call(`${base}/api/ingestion/profiles/${id}`, { method: 'PUT', token: tokens.operator, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect([id, saved.status]).toEqual([id, 201]);
  }

  const register = await json<{ tenants: Array<{ tenant: string; members: Array<{ tenant: string; name: string; relation: string }> }> }>('/api/ingestion/tenants', await token(KREIS, 'admin'));
  expect(register.status).toBe(200);
  const kreis = register.body.tenants.find((t) => t.tenant === KREIS)!;
  gemeinden = kreis.members.map((m) => ({ ags: m.tenant, name: m.name }));
  expect(gemeinden).toHaveLength(133);
  expect(kreis.members.filter((m) => m.relation === 'PARTNER').map((m) => m.tenant)).toEqual([HUSUM]);

  // Releases: the Kreis for the Gemeinden it plans for (Ahrenshöft keeps its figures to itself), Husum for itself with an embargo.
  const kreisPlanung = await token(KREIS, 'sozialplanung');
  for (const g of gemeinden.filter((x) => x.ags !== HUSUM && x.ags !== AHRENSHOEFT)) {
    const granted = await call(`${base}/api/ingestion/releases`, {
      method: 'POST',
      token: kreisPlanung,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: g.ags, audience: 'MEMBERS', indicatorId: INDICATOR, unitType: 'Gemeinde', note: 'Sozialmonitoring des Kreises' }),
    });
    expect([g.ags, granted.status]).toEqual([g.ags, 201]);
  }
  const forPartner = await call(`${base}/api/ingestion/releases`, { method: 'POST', token: kreisPlanung, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant: HUSUM, audience: 'MEMBERS' }) });
  expect(forPartner.status).toBe(403);
  const husum = await call(`${base}/api/ingestion/releases`, {
    method: 'POST',
    token: await token(HUSUM, 'sozialplanung'),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ audience: 'MEMBERS', indicatorId: INDICATOR, embargoUntil: '2099-01-01', note: 'nach Beschluss des Hauptausschusses' }),
  });
  expect(husum.status).toBe(201);

  // Every Gemeinde delivers its own rows with its own token, a few at a time.
  const dir = path.join(work, 'lieferungen');
  mkdirSync(dir, { recursive: true });
  const queue = gemeinden.flatMap((g) => FILES.map((f) => ({ g, f })));
  const tokenOf = new Map<string, string>();
  for (const g of gemeinden) tokenOf.set(g.ags, await token(g.ags, 'datenlieferung'));
  const workers = Array.from({ length: 4 }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { g, f } = next;
      const file = path.join(dir, `${g.ags}-${f.file}`);
      writeFileSync(file, ownRows(f.file, g.ags));
      const submitted = await deliver(base, tokenOf.get(g.ags)!, { profile: f.profile, file });
      expect([g.ags, f.file, submitted.status]).toEqual([g.ags, f.file, 202]);
      deliveryOf.set(g.ags, [...(deliveryOf.get(g.ags) ?? []), submitted.deliveryId!]);
    }
  });
  await Promise.all(workers);
  for (const g of gemeinden) {
    const views = await waitDecided(base, tokenOf.get(g.ags)!, deliveryOf.get(g.ags)!, 300_000);
    expect([g.ags, views.map((v) => v.status)]).toEqual([g.ags, ['angenommen', 'angenommen']]);
  }
  // Until every Gemeinde's Arbeitslosendichte 2021 is in the warehouse.
  const until = Date.now() + 600_000;
  for (;;) {
    const [row] = await query<{ n: string }>(base, tokens.operator, `SELECT uniqExact(tenant) AS n FROM lagebild.v_indicator_value WHERE indicator_id = '${INDICATOR}' AND period_end = '${PERIOD}' AND startsWith(tenant, '${KREIS}') AND protection = 'PROTECTED'`);
    if (Number(row!.n) === 133) break;
    if (Date.now() > until) throw new Error(`Nach 10 Minuten erst ${row!.n} von 133 Gemeinden im Warehouse.`);
    await sleep(500);
  }
}, 1_500_000);

afterAll(async () => {
  if (server?.alive()) await server.stop();
  killAll();
  removeDir(work);
});

describe('Kreis Nordfriesland and its 133 Gemeinden', () => {
  it('lets the Kreis see every Gemeinde: raw where it plans for the Gemeinde, protected for its partner Husum', async () => {
    const planung = await kreisToken('sozialplanung');
    const dunsum = await json<ValuesBody>(valuesUrl(DUNSUM), planung);
    expect(dunsum.status).toBe(200);
    expect(dunsum.body.protection).toBe('RAW');
    const latest = dunsum.body.series.find((s) => s.periodLabel === '2021')!.values.find((v) => v.areaCode === DUNSUM)!;
    expect(latest).toMatchObject({ numerator: 1, status: 'SUPPRESSED_PRIMARY' });
    const husum = await json<ValuesBody>(valuesUrl(HUSUM), planung);
    expect(husum.body.protection).toBe('PROTECTED');
    // Delivered counts are raw: the Kreis reads them for Dunsum, not for its partner Husum.
    const observations = (tenant: string) => `/api/ingestion/observations?tenant=${tenant}&scheme=${SCHEME}&variable=arbeitslose`;
    expect((await call(`${base}${observations(DUNSUM)}`, { token: planung })).status).toBe(200);
    expect((await call(`${base}${observations(HUSUM)}`, { token: planung })).status).toBe(403);
    expect((await call(`${base}${observations(HUSUM)}`, { token: await token(HUSUM, 'sozialplanung') })).status).toBe(200);
    // The Kreisvergleich: all 133 Gemeinden, Dunsum suppressed even for the Kreis (a comparison uses protected figures).
    const compared = await kreisvergleich(await kreisToken('fuehrung'));
    expect(compared).toHaveLength(133);
    expect(compared.find((r) => r.gemeinde === 'Dunsum')).toMatchObject({ wert: null, suppressed: true });
    expect(compared.find((r) => r.gemeinde === 'Husum, Stadt')!.wert).toEqual(expect.any(Number));
  });

  it('lets a Gemeinde see its own series raw and a protected comparison of the peers that released theirs', async () => {
    const own = await json<ValuesBody>(valuesUrl(ACHTRUP), await token(ACHTRUP, 'sozialplanung'));
    expect(own.status).toBe(200);
    expect(own.body.protection).toBe('RAW');
    expect(own.body.series.map((s) => s.periodLabel).sort()).toEqual(Array.from({ length: 21 }, (_, i) => String(2001 + i)));
    const compared = await kreisvergleich(await token(ACHTRUP, 'fuehrung'));
    const names = compared.map((r) => r.gemeinde);
    // Every Gemeinde the Kreis released for, itself included; not Ahrenshöft (no release), not Husum (embargo).
    expect(names).toHaveLength(131);
    expect(names).toContain('Achtrup');
    expect(names).not.toContain('Ahrenshöft');
    expect(names).not.toContain('Husum, Stadt');
    expect(compared.find((r) => r.gemeinde === 'Dunsum')).toMatchObject({ wert: null, suppressed: true });
  });

  it('suppresses a small Gemeinde\'s small count for everyone but the Gemeinde itself and the Kreis', async () => {
    const at2021 = (body: ValuesBody) => body.series.find((s) => s.periodLabel === '2021')!.values.find((v) => v.areaCode === DUNSUM)!;
    expect(at2021((await json<ValuesBody>(valuesUrl(DUNSUM), await token(DUNSUM, 'sozialplanung'))).body).numerator).toBe(1);
    expect(at2021((await json<ValuesBody>(valuesUrl(DUNSUM), await kreisToken('sozialplanung'))).body).numerator).toBe(1);
    for (const reader of [await token(ACHTRUP, 'sozialplanung'), await token(HUSUM, 'admin'), await token(DUNSUM, 'fuehrung'), await kreisToken('fuehrung')]) {
      const seen = await json<ValuesBody>(valuesUrl(DUNSUM), reader);
      expect(seen.status).toBe(200);
      expect(seen.body.protection).toBe('PROTECTED');
      expect(at2021(seen.body)).toMatchObject({ numerator: null, value: null, status: 'SUPPRESSED_PRIMARY' });
    }
    // The peer's answer names the release it rests on.
    const peer = await json<ValuesBody>(valuesUrl(DUNSUM), await token(ACHTRUP, 'fuehrung'));
    expect(peer.body.freigaben).toEqual([expect.objectContaining({ publikum: 'MEMBERS' })]);
  });

  it('refuses a Gemeinde of another Kreis everywhere with 403 or 404', async () => {
    const foreign = await token(FOREIGN, 'admin', 'sozialplanung', 'datenlieferung', 'statistikstelle', 'fuehrung');
    const [delivery] = deliveryOf.get(ACHTRUP)!;
    const refused: Array<[string, number]> = [];
    for (const url of [
      valuesUrl(ACHTRUP),
      `/api/ingestion/deliveries/${delivery}`,
      `/api/ingestion/deliveries/${delivery}/report`,
      `/api/ingestion/observations?tenant=${ACHTRUP}&scheme=${SCHEME}&variable=arbeitslose`,
      `/api/ingestion/releases?tenant=${ACHTRUP}`,
      `/api/indicators/disclosure?tenant=${ACHTRUP}`,
      `/api/goals/goals?tenant=${ACHTRUP}`,
    ]) {
      refused.push([url, (await call(`${base}${url}`, { token: foreign })).status]);
    }
    for (const [url, status] of refused) expect([url, [403, 404].includes(status)]).toEqual([url, true]);
    // Its deliveries list holds nothing of Nordfriesland; its Kreisvergleich no Nordfriesland Gemeinde.
    const list = await json<{ deliveries: Array<{ tenant: string }> }>('/api/ingestion/deliveries', foreign);
    expect(list.body.deliveries.filter((d) => d.tenant.startsWith(KREIS))).toEqual([]);
    const compared = await kreisvergleich(await token(FOREIGN, 'fuehrung'));
    expect(compared.filter((r) => gemeinden.some((g) => g.name === r.gemeinde))).toEqual([]);
    // Asking the FIS for Achtrup's dashboards gives nothing of Achtrup.
    const panel = await json<{ rows: unknown[]; variables: Array<{ name: string; value: string | null }> }>('/api/warehouse/fis/panels/indikator-atlas/werte', foreign, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variables: { tenant: ACHTRUP, indicator: INDICATOR } }),
    });
    expect(panel.status).toBe(200);
    // Adelebsen has no figures of its own here: no tenant to choose, no rows.
    expect(panel.body.variables.find((v) => v.name === 'tenant')!.value).toBeNull();
    expect(panel.body.rows).toEqual([]);
  });

  it('passes the object-level matrix: every tenant-scoped route x every role x own, Kreis, peer and foreign principal, without a raw count to anyone who may not see it', async () => {
    const [delivery] = deliveryOf.get(ACHTRUP)!;
    // A goal of Achtrup's own: objects of the goals service belong to the Gemeinde and its Kreis.
    const goal = await call(`${base}/api/goals/goals`, {
      method: 'POST',
      token: await token(ACHTRUP, 'sozialplanung'),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'STRATEGISCHES_ZIEL', field: 'WIRKUNGEN', title: 'Arbeitslosigkeit senken', responsibleUnit: 'Amt Südtondern' }),
    });
    expect(goal.status).toBe(201);
    const goalId = (goal.json as { goalId: string }).goalId;
    const routes = [
      { service: 'indicators', template: '/values', url: valuesUrl(ACHTRUP), peerSees: true },
      { service: 'indicators', template: '/disclosure', url: `/api/indicators/disclosure?tenant=${ACHTRUP}`, peerSees: false },
      { service: 'ingestion', template: '/deliveries/{id}', url: `/api/ingestion/deliveries/${delivery}`, peerSees: false },
      { service: 'ingestion', template: '/deliveries/{id}/report', url: `/api/ingestion/deliveries/${delivery}/report`, peerSees: false },
      { service: 'ingestion', template: '/observations', url: `/api/ingestion/observations?tenant=${ACHTRUP}&scheme=${SCHEME}&variable=arbeitslose`, peerSees: false },
      { service: 'ingestion', template: '/releases', url: `/api/ingestion/releases?tenant=${ACHTRUP}`, peerSees: false },
      { service: 'goals', template: '/goals', url: `/api/goals/goals?tenant=${ACHTRUP}`, peerSees: false },
      { service: 'goals', template: '/goals/{goalId}', url: `/api/goals/goals/${goalId}?tenant=${ACHTRUP}`, peerSees: false },
      { service: 'goals', template: '/goals/{goalId}/history', url: `/api/goals/goals/${goalId}/history?tenant=${ACHTRUP}`, peerSees: false },
    ];
    // Which roles each route admits, from the services' OpenAPI documents (x-roles).
    const admitted = new Map<string, readonly string[]>();
    for (const service of new Set(routes.map((r) => r.service))) {
      const doc = (await call(`${base}/api/${service}/openapi.json`)).json as { paths: Record<string, { get?: { 'x-roles'?: string[] } }> };
      for (const route of routes.filter((r) => r.service === service)) {
        const roles = doc.paths[route.template]?.get?.['x-roles'];
        expect([route.template, Array.isArray(roles)]).toEqual([route.template, true]);
        admitted.set(route.url, roles!);
      }
    }
    const RAW_READERS: readonly Role[] = ['sozialplanung', 'statistikstelle', 'admin'];
    const failures: string[] = [];
    let checked = 0;
    for (const role of ROLES) {
      const principals = [
        { relation: 'own', bearer: await token(ACHTRUP, role) },
        { relation: 'kreis', bearer: await kreisToken(role) },
        { relation: 'peer', bearer: await token(HUSUM, role) },
        { relation: 'foreign', bearer: await token(FOREIGN, role) },
      ] as const;
      for (const p of principals) {
        for (const route of routes) {
          const answer = await call(`${base}${route.url}`, { token: p.bearer });
          checked += 1;
          const label = `${route.url} als ${role} (${p.relation}): ${answer.status}`;
          if (answer.status >= 500) failures.push(`${label}: Serverfehler`);
          const roleAdmitted = admitted.get(route.url)!.includes(role);
          const ok = answer.status >= 200 && answer.status < 300;
          if (!roleAdmitted && answer.status !== 403) failures.push(`${label}: Rolle nicht zugelassen, erwartet 403`);
          if (p.relation === 'foreign' && ok) failures.push(`${label}: fremder Mandant darf nichts sehen`);
          if (p.relation === 'peer' && ok && !route.peerSees) failures.push(`${label}: Nachbargemeinde darf das nicht sehen`);
          // The public role sees published figures only: INKAR counts here are internal.
          if (roleAdmitted && role !== 'public' && (p.relation === 'own' || p.relation === 'kreis') && !ok) failures.push(`${label}: eigener Mandant bzw. Kreis abgewiesen`);
          if (ok && route.template === '/values') {
            const body = answer.json as ValuesBody;
            const mayRaw = (p.relation === 'own' || p.relation === 'kreis') && RAW_READERS.includes(role);
            if (body.protection === 'RAW' && !mayRaw) failures.push(`${label}: Rohwerte ausgeliefert`);
            const leaked = body.series.flatMap((x) => x.values).filter((v) => v.status.startsWith('SUPPRESSED') && (v.numerator !== null || v.value !== null));
            if (!mayRaw && leaked.length > 0) failures.push(`${label}: ${leaked.length} gesperrte Werte mit Zahlen`);
          }
          if (ok && route.template === '/observations' && !(p.relation === 'own' || p.relation === 'kreis')) failures.push(`${label}: Beobachtungen (Rohzahlen) ausgeliefert`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(ROLES.length * 4 * routes.length);
  });

  it('keeps every delivery with its Gemeinde and the Kreis: a peer gets 404 for another Gemeinde\'s delivery', async () => {
    const [delivery] = deliveryOf.get(DUNSUM)!;
    expect((await call(`${base}/api/ingestion/deliveries/${delivery}`, { token: await token(ACHTRUP, 'datenlieferung') })).status).toBe(404);
    expect((await call(`${base}/api/ingestion/deliveries/${delivery}`, { token: await token(DUNSUM, 'datenlieferung') })).status).toBe(200);
    expect((await call(`${base}/api/ingestion/deliveries/${delivery}`, { token: await kreisToken('datenlieferung') })).status).toBe(200);
    const all = await json<{ deliveries: Array<{ tenant: string }> }>('/api/ingestion/deliveries', await kreisToken('datenlieferung'));
    expect(new Set(all.body.deliveries.map((d) => d.tenant)).size).toBe(133);
  });
});
