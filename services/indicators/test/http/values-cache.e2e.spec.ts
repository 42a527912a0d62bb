/**
 * GET /values keeps its answers (http/values-cache.ts); these tests prove a kept answer never
 * outlives what it was made from: a new computation, a release granted or withdrawn, an embargo
 * that passes, and the moment between a computation's events and its documents. A kept answer is
 * recognisable from outside: it is sent gzip-compressed to a client that accepts gzip (fetch
 * does), from the request that made it on; an answer made and not kept is sent as it is.
 */
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createApp, createEmbeddedAuth, serviceMount, silentLogger, type EmbeddedAuth, type Role } from '@lagebild/platform';
import { VALUES_COLLECTION, valuesKey, type ValuesDoc } from '../../src/computation';
import { createIndicatorApi, type IndicatorApiOptions } from '../../src/http/routes';
import { valuesStream } from '../../src/http/values-cache';
import { DATA, HAMBURG_SCHEME, hamburgRegister, openHarness, type Harness } from '../support/harness';

const HAMBURG = '02000';
const KREIS = '01059';
const PARTNER = '01059083';

let h: Harness;
let auth: EmbeddedAuth;
const servers: Server[] = [];

async function token(tenant: string, ...roles: Role[]): Promise<string> {
  return auth.issueToken({ subject: `user-${tenant}-${roles.join('-')}`, tenant, roles });
}

/** An API over the harness on its own port (its own cache); returns its base URL. */
async function serve(options: IndicatorApiOptions = {}): Promise<string> {
  const api = createIndicatorApi(h.indicators, h, options);
  const app = createApp({ service: 'indicators', logger: silentLogger(), auth, mounts: [serviceMount('indicators', api.router, { openapi: () => api.document() })] });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/indicators`;
}

interface Answer {
  status: number;
  /** Whether the answer came compressed, i.e. from the kept answers. */
  kept: boolean;
  body: {
    protection: string;
    freigaben: Array<{ id: string }>;
    series: Array<{ computationId: string; values: Array<{ areaCode: string; numerator: number | null; status: string }> }>;
  };
}

async function get(base: string, url: string, bearer: string): Promise<Answer> {
  const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.status, kept: res.headers.get('content-encoding') === 'gzip', body: (await res.json()) as Answer['body'] };
}

/** Asks twice: the first request makes the answer, the second is served from the kept one. */
async function keptAnswer(base: string, url: string, bearer: string): Promise<Answer> {
  await get(base, url, bearer);
  const answer = await get(base, url, bearer);
  expect(answer.kept).toBe(true);
  return answer;
}

const suppressed = (a: Answer) => a.body.series[0]!.values.filter((v) => v.status.startsWith('SUPPRESSED')).length;

beforeAll(async () => {
  h = await openHarness();
  auth = await createEmbeddedAuth({ dataDir: h.dir });
  await hamburgRegister(h.areas);
  await h.pump();
  const base = await serve();
  expect((await fetch(`${base}/disclosure`, { method: 'PUT', headers: { authorization: `Bearer ${await token(HAMBURG, 'statistikstelle')}`, 'content-type': 'application/json' }, body: JSON.stringify({ minCount: 3, minPopulation: 500 }) })).status).toBe(200);
  expect((await h.deliver(path.join(DATA, 'hamburg/stadtteilprofile_2014.csv'), 'hamburg-stadtteilprofile-2014', HAMBURG)).status).toBe('angenommen');
  // A Kreis with a member it partners with, which holds the same figures (as if computed there).
  for (const { doc } of await h.documents.scan<ValuesDoc>(VALUES_COLLECTION, { prefix: `${HAMBURG}|ew|` })) {
    const copy: ValuesDoc = { ...doc, tenant: PARTNER, indicatorId: 'ew_partner' };
    await h.documents.put(VALUES_COLLECTION, valuesKey(copy), copy);
  }
  await h.indicators.tenancy.apply([
    {
      type: 'TenantConfigured',
      data: {
        tenant: KREIS, version: 1, name: 'Schleswig-Flensburg', kind: 'KREIS', kreis: null, planningModel: 'PARTNERSCHAFT', partnerThreshold: 20_000,
        members: [{ tenant: PARTNER, name: 'Groß', population: 25_000, relation: 'PARTNER' }],
        configuredBy: 'test', configuredAt: '2024-01-01T00:00:00.000Z',
      },
    },
  ]);
}, 300_000);

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await h?.close();
});

describe('kept answers of GET /values', () => {
  it('shows a new computation in the next answer', async () => {
    const base = await serve();
    const url = `/values?indicator=ew&scheme=${HAMBURG_SCHEME}`;
    const planner = await token(HAMBURG, 'sozialplanung');
    const before = await keptAnswer(base, url, planner);
    const statistik = await token(HAMBURG, 'statistikstelle');
    // Stricter minimums and a recompute: more Stadtteile fall under them.
    expect((await fetch(`${base}/disclosure`, { method: 'PUT', headers: { authorization: `Bearer ${statistik}`, 'content-type': 'application/json' }, body: JSON.stringify({ minCount: 3, minPopulation: 5_000 }) })).status).toBe(200);
    expect((await fetch(`${base}/catalogue/indicators/ew/recompute`, { method: 'POST', headers: { authorization: `Bearer ${planner}` } })).status).toBe(200);
    const after = await get(base, url, planner);
    expect(after.status).toBe(200);
    expect(after.body.series[0]!.computationId).not.toBe(before.body.series[0]!.computationId);
    expect(suppressed(after)).toBeGreaterThan(suppressed(before));
  });

  it('does not keep an answer read between a computation\'s events and its documents', async () => {
    const base = await serve();
    const url = `/values?indicator=ew&scheme=${HAMBURG_SCHEME}`;
    const planner = await token(HAMBURG, 'sozialplanung');
    const before = await keptAnswer(base, url, planner);
    // A computation has appended its events, its documents are not written yet.
    const stream = valuesStream(HAMBURG, 'ew');
    const events = await h.eventStore.readStream(stream);
    const last = events[events.length - 1]!;
    const computationId = randomUUID();
    await h.eventStore.appendToStream(stream, [{ id: randomUUID(), type: last.type, data: { ...(last.data as object), computationId }, metadata: last.metadata }]);
    const between = await get(base, url, planner);
    expect(between.body.series[0]!.computationId).toBe(before.body.series[0]!.computationId);
    expect(between.kept).toBe(false);
    expect((await get(base, url, planner)).kept).toBe(false);
    // Now the documents follow, with a changed figure.
    const [entry] = await h.documents.scan<ValuesDoc>(VALUES_COLLECTION, { prefix: `${HAMBURG}|ew|` });
    const doc = entry!.doc;
    const first = doc.values[0]!;
    await h.documents.put(VALUES_COLLECTION, entry!.key, { ...doc, computationId, values: [{ ...first, numerator: (first.numerator ?? 0) + 1 }, ...doc.values.slice(1)] });
    const written = await get(base, url, planner);
    expect(written.body.series[0]!.computationId).toBe(computationId);
    expect(written.body.series[0]!.values[0]!.numerator).toBe((first.numerator ?? 0) + 1);
    expect((await get(base, url, planner)).kept).toBe(true);
  });

  it('follows a release granted to the Kreis and its withdrawal in the next answer', async () => {
    const base = await serve();
    const url = `/values?indicator=ew_partner&scheme=${HAMBURG_SCHEME}&tenant=${PARTNER}`;
    const kreis = await token(KREIS, 'sozialplanung');
    const protectedAnswer = await keptAnswer(base, url, kreis);
    expect(protectedAnswer.body.protection).toBe('PROTECTED');
    const releaseId = randomUUID();
    await h.indicators.tenancy.apply([
      { type: 'ReleaseGranted', data: { releaseId, tenant: PARTNER, datasetId: null, indicatorId: null, unitType: null, audience: 'KREIS', form: 'RAW', embargoUntil: null, note: null, grantedBy: 'test', grantedAt: '2024-02-01T00:00:00.000Z' } },
    ]);
    const raw = await get(base, url, kreis);
    expect(raw.body.protection).toBe('RAW');
    expect(raw.body.freigaben.map((f) => f.id)).toEqual([releaseId]);
    expect((await get(base, url, kreis)).kept).toBe(true);
    await h.indicators.tenancy.apply([{ type: 'ReleaseWithdrawn', data: { releaseId, tenant: PARTNER, withdrawnBy: 'test', withdrawnAt: '2024-03-01T00:00:00.000Z' } }]);
    const withdrawn = await get(base, url, kreis);
    expect(withdrawn.body.protection).toBe('PROTECTED');
    expect(withdrawn.body.freigaben).toEqual([]);
  });

  it('shows a release in the first answer after its embargo has passed', async () => {
    let clock = new Date('2031-06-30T23:59:00.000Z');
    const base = await serve({ now: () => clock });
    const url = `/values?indicator=ew_partner&scheme=${HAMBURG_SCHEME}&tenant=${PARTNER}`;
    const kreis = await token(KREIS, 'sozialplanung');
    const releaseId = randomUUID();
    await h.indicators.tenancy.apply([
      { type: 'ReleaseGranted', data: { releaseId, tenant: PARTNER, datasetId: null, indicatorId: 'ew_partner', unitType: null, audience: 'KREIS', form: 'RAW', embargoUntil: '2031-07-01T00:00:00.000Z', note: 'Sozialbericht', grantedBy: 'test', grantedAt: '2024-04-01T00:00:00.000Z' } },
    ]);
    const embargoed = await keptAnswer(base, url, kreis);
    expect(embargoed.body.protection).toBe('PROTECTED');
    clock = new Date('2031-07-01T00:00:01.000Z');
    const released = await get(base, url, kreis);
    expect(released.body.protection).toBe('RAW');
    expect(released.body.freigaben.map((f) => f.id)).toEqual([releaseId]);
  });

  it('gives callers of another access class their own answer, not a kept one of someone else', async () => {
    const base = await serve();
    const url = `/values?indicator=ew&scheme=${HAMBURG_SCHEME}`;
    const raw = await keptAnswer(base, url, await token(HAMBURG, 'sozialplanung'));
    expect(raw.body.protection).toBe('RAW');
    const fuehrung = await get(base, url, await token(HAMBURG, 'fuehrung'));
    expect(fuehrung.body.protection).toBe('PROTECTED');
    for (const v of fuehrung.body.series[0]!.values.filter((x) => x.status.startsWith('SUPPRESSED'))) expect(v.numerator).toBeNull();
  });

  it('keeps nothing when asked not to: every answer is made from the read model', async () => {
    const base = await serve({ valuesCache: false });
    const url = `/values?indicator=ew&scheme=${HAMBURG_SCHEME}`;
    const planner = await token(HAMBURG, 'sozialplanung');
    await get(base, url, planner);
    expect((await get(base, url, planner)).kept).toBe(false);
  });
});
