/**
 * The goals API over HTTP with real tokens: a goal system built through the routes, targets
 * judged against indicator values arriving as Avro events, a contract with a Träger who reports
 * on it, duties over time, the OpenAPI document, and the authorization matrix over every
 * declared route x every role x own / foreign tenant.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCodec, exampleIntegrationEvent } from '@lagebild/contracts';
import { createApp, createEmbeddedAuth, createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EmbeddedAuth, type EventStore, ROLES, type Role, serviceMount, silentLogger } from '@lagebild/platform';
import { createGoalRoutes } from '../../src/http/routes';
import { createGoals, type GoalsModule } from '../../src/service';

const BAMBERG = '09461';
const FOREIGN = '03159';
let dir: string;
let eventStore: EventStore;
let documents: DocumentStore;
let goals: GoalsModule;
let auth: EmbeddedAuth;
let server: Server;
let base: string;
let api: ReturnType<typeof createGoalRoutes>;
let today = '2024-01-10';
const codec = createCodec();

async function token(tenant: string, roles: Role[], subject = `u-${tenant}-${roles.join('-')}`): Promise<string> {
  return auth.issueToken({ subject, tenant, roles });
}

// The tests read many different answer shapes; each assertion states the fields it relies on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(method: string, url: string, bearer: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** An indicator definition and values as the indicator service publishes them. */
function definition(indicatorId: string): Buffer {
  const e = exampleIntegrationEvent('IndicatorDefinitionPublished');
  e.data = { ...e.data, indicatorId, scope: null, kind: 'INDICATOR', name: indicatorId };
  return codec.encode(e);
}

function values(tenant: string, indicatorId: string, points: Array<[number, number]>, computationId: string): Buffer {
  const e = exampleIntegrationEvent('IndicatorValuesComputed');
  e.envelope.tenant = tenant;
  e.envelope.id = computationId;
  e.data = {
    ...e.data,
    computationId,
    indicatorId,
    schemeId: 'gemeindeverzeichnis',
    protection: 'RAW',
    values: points.map(([year, value]) => ({ areaCode: '09461000', unitType: 'Gemeinde', period: { kind: 'ZEITRAUM', start: `${year}-01-01`, end: `${year}-12-31` }, numerator: null, denominator: null, value, status: 'COMPUTED', disclosureRule: null, comparison: null, seriesBreak: false, ampel: null, indexClass: null })),
  };
  return codec.encode(e);
}

let planner: string;
let fuehrung: string;
let strategic: string;
let derived: string;
let traegerId: string;
let contractId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-goals-http-'));
  eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  goals = createGoals({ eventStore, documents, now: () => new Date(`${today}T09:00:00.000Z`) });
  auth = await createEmbeddedAuth({ dataDir: dir });
  api = createGoalRoutes(goals);
  const app = createApp({ service: 'goals', logger: silentLogger(), auth, mounts: [serviceMount('goals', api.router, { openapi: () => api.document() })] });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/goals`;
  planner = await token(BAMBERG, ['sozialplanung']);
  fuehrung = await token(BAMBERG, ['fuehrung']);
  await goals.handle([{ value: definition('arbeitslosendichte') }, { value: definition('ew_unter_18') }]);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await eventStore.close();
  await documents.close();
  await rm(dir, { recursive: true, force: true });
});

describe('goal system through the API', () => {
  it('creates a strategic goal and derives an operational goal from it', async () => {
    const created = await call('POST', '/goals', planner, {
      level: 'STRATEGISCHES_ZIEL',
      field: 'WIRKUNGEN',
      title: 'Teilhabe für Alle',
      responsibleUnit: 'Sozialreferat',
      decision: { body: 'Stadtrat', reference: 'VO/2018/1878-R5', decidedOn: '2018-09-26' },
      priority: 1,
    });
    expect(created.status).toBe(201);
    strategic = created.body.goalId;
    const child = await call('POST', '/goals', planner, {
      level: 'FACHBEREICHSZIEL',
      field: 'WIRKUNGEN',
      parentGoalId: strategic,
      title: 'Arbeitslosigkeit in Bamberg senken',
      smart: true,
      responsibleUnit: 'Amt für soziale Angelegenheiten',
      horizon: '2022-12-31',
      derivation: 'Teilhabe setzt Erwerbsarbeit voraus',
    });
    expect(child.status).toBe(201);
    derived = child.body.goalId;
    const tree = await call('GET', '/goals', fuehrung);
    expect(tree.status).toBe(200);
    expect(tree.body.goals).toHaveLength(1);
    expect(tree.body.goals[0]).toMatchObject({ title: 'Teilhabe für Alle', children: [{ title: 'Arbeitslosigkeit in Bamberg senken', level: 'FACHBEREICHSZIEL' }] });
  });

  it('refuses a derived goal above its parent with a German 422 naming the field', async () => {
    const res = await call('POST', '/goals', planner, { level: 'LEITBILD', field: 'WIRKUNGEN', parentGoalId: strategic, title: 'x', responsibleUnit: 'y' });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['#/parentGoalId', '#/level']));
    expect(res.body.detail).toContain('kann so nicht angelegt werden');
  });

  it('reports the SMART goal without target as inconsistent, then judges its target at every value', async () => {
    let check = await call('GET', '/consistency', fuehrung);
    expect(check.body.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'smart-ohne-zielwert', goalId: derived })]));
    const targetId = '77777777-7777-4777-8777-777777777777';
    const set = await call('PUT', `/goals/${derived}/targets/${targetId}`, planner, {
      indicatorId: 'arbeitslosendichte',
      schemeId: 'gemeindeverzeichnis',
      areaCode: '09461000',
      baseline: { value: 5.0, period: { kind: 'ZEITRAUM', start: '2018-01-01', end: '2018-12-31' } },
      targetKind: 'PERCENT_CHANGE_FROM_BASELINE',
      targetValue: -10,
      comparator: 'AT_MOST',
      deadline: '2021-12-31',
    });
    expect(set.status).toBe(200);
    expect(set.body.latest).toBeNull();
    check = await call('GET', '/consistency', fuehrung);
    expect(check.body.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'keine-daten', indicatorId: 'arbeitslosendichte' })]));

    const { verdicts } = await goals.handle([{ value: values(BAMBERG, 'arbeitslosendichte', [[2017, 5.3], [2018, 5.0], [2019, 4.8], [2020, 5.4], [2021, 4.4]], '88888888-8888-4888-8888-888888888881') }]);
    // Years after the baseline: 2019 on track (4.8 below the path's 4.83), 2020 at risk, 2021 achieved (4.4 <= 4.5).
    expect(verdicts).toBe(3);
    const history = await call('GET', `/goals/${derived}/targets/${targetId}/attainment`, fuehrung);
    expect(history.body.evaluations.map((e: { period: { end: string }; status: string }) => [e.period.end.slice(0, 4), e.status])).toEqual([
      ['2019', 'ON_TRACK'],
      ['2020', 'AT_RISK'],
      ['2021', 'ACHIEVED'],
    ]);
    expect(history.body.evaluations[2]).toMatchObject({ resolvedTargetValue: 4.5, actualValue: 4.4, baselineValue: 5 });
    const goal = await call('GET', `/goals/${derived}`, fuehrung);
    expect(goal.body.targets[0].latest).toMatchObject({ status: 'ACHIEVED' });

    // The same batch again (redelivery) and a recomputation with equal values record nothing new.
    expect((await goals.handle([{ value: values(BAMBERG, 'arbeitslosendichte', [[2019, 4.8], [2020, 5.4], [2021, 4.4]], '88888888-8888-4888-8888-888888888882') }])).verdicts).toBe(0);
    // A corrected value is judged anew.
    expect((await goals.handle([{ value: values(BAMBERG, 'arbeitslosendichte', [[2021, 4.7]], '88888888-8888-4888-8888-888888888883') }])).verdicts).toBe(1);
    expect((await call('GET', `/goals/${derived}`, fuehrung)).body.targets[0].latest).toMatchObject({ status: 'MISSED', actualValue: 4.7 });
    check = await call('GET', '/consistency', fuehrung);
    expect(check.body.findings.filter((f: { goalId?: string }) => f.goalId === derived)).toEqual([]);
  });

  it('keeps the history of a goal as events with actor and time', async () => {
    await call('PUT', `/goals/${strategic}/priority`, planner, { priority: 2, reason: 'Klausur Sozialreferat' });
    const history = await call('GET', `/goals/${strategic}/history`, fuehrung);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['GoalCreated', 'GoalPrioritised']);
    expect(history.body.events[1].actor).toBe(`user:u-${BAMBERG}-sozialplanung`);
  });
});

describe('contracts with a Träger', () => {
  let traegerToken: string;
  let otherTraegerToken: string;

  it('registers a Träger and a Leistungsvereinbarung with a yearly report duty', async () => {
    const t = await call('POST', '/traeger', planner, { name: 'Fachstelle Pflegende Angehörige e.V.', legalForm: 'e.V.', spitzenverband: 'Caritas', contact: { person: null, email: 'info@fachstelle.example', phone: null, address: null } });
    expect(t.status).toBe(201);
    traegerId = t.body.traegerId;
    expect((await call('POST', '/traeger', planner, { name: 'fachstelle pflegende angehörige e.v.', legalForm: 'e.V.' })).status).toBe(409);
    const other = await call('POST', '/traeger', planner, { name: 'Anderer Träger gGmbH', legalForm: 'gGmbH' });
    await call('PUT', `/traeger/${traegerId}/users/traeger-fachstelle`, planner);
    await call('PUT', `/traeger/${other.body.traegerId}/users/traeger-anderer`, planner);
    traegerToken = await token(BAMBERG, ['traeger'], 'traeger-fachstelle');
    otherTraegerToken = await token(BAMBERG, ['traeger'], 'traeger-anderer');
    const contract = await call('POST', '/contracts', planner, {
      kind: 'LEISTUNGSVEREINBARUNG',
      title: 'Leistungsvereinbarung Fachstelle für pflegende Angehörige',
      principalUnit: 'Sozialreferat',
      traegerId,
      termStart: '2023-01-01',
      termEnd: '2025-12-31',
      service: 'Beratung und Entlastung pflegender Angehöriger',
      quantities: [{ quantityId: 'beratungen', kind: 'FAELLE', label: 'Beratungsfälle', amount: 200, per: 'JAHR' }],
      financing: { mode: 'ZUWENDUNG', annualAmountCents: 6_500_000, productCode: '3150', grantType: 'Fehlbedarf' },
      kennzahlen: [{ kennzahlId: 'erreichte', name: 'Erreichte Angehörige', unit: 'Anzahl', targetValue: 150, comparator: 'AT_LEAST', goalId: strategic, minimum: 0, maximum: 5000 }],
      reportingDuties: [{ dutyId: 'jahresbericht', content: 'Jahresbericht mit Kennzahlen', rhythm: 'JAEHRLICH', dueDays: 90, kennzahlIds: ['erreichte'], quantityIds: ['beratungen'] }],
      goalIds: [strategic],
      prevention: 'PRAEVENTIV',
      approach: 'INDIVIDUELL',
    });
    expect(contract.status).toBe(201);
    contractId = contract.body.contractId;
  });

  it('makes the 2023 report due after the year and overdue after 90 days', async () => {
    today = '2024-01-10';
    await goals.advanceClock();
    let obligations = await call('GET', '/obligations?status=open', fuehrung);
    expect(obligations.body.obligations).toEqual([expect.objectContaining({ contractId, dutyId: 'jahresbericht', status: 'due', dueDate: '2024-03-30' })]);
    today = '2024-04-02';
    await goals.advanceClock();
    obligations = await call('GET', '/obligations?status=overdue', fuehrung);
    expect(obligations.body.obligations).toHaveLength(1);
  });

  it('lets the contract’s own Träger see and report on it, and nobody else', async () => {
    expect((await call('GET', '/contracts', traegerToken)).body.contracts.map((c: { contractId: string }) => c.contractId)).toEqual([contractId]);
    expect((await call('GET', '/contracts', otherTraegerToken)).body.contracts).toEqual([]);
    expect((await call('GET', `/contracts/${contractId}`, otherTraegerToken)).status).toBe(404);
    expect((await call('POST', `/contracts/${contractId}/reports`, otherTraegerToken, { dutyId: 'jahresbericht', period: { start: '2023-01-01', end: '2023-12-31' } })).status).toBe(404);
    expect((await call('GET', '/goals', traegerToken)).status).toBe(403);

    const bad = await call('POST', `/contracts/${contractId}/reports`, traegerToken, { dutyId: 'jahresbericht', period: { start: '2023-01-01', end: '2023-12-31' }, values: [{ kennzahlId: 'erreichte', value: -3, comment: null }], quantities: [] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { detail: string }) => e.detail)).toEqual(['„Erreichte Angehörige“: -3 liegt unter dem plausiblen Minimum 0.', 'Die Leistungsmenge „Beratungsfälle“ (beratungen) gehört zum Bericht „Jahresbericht mit Kennzahlen“ und fehlt.']);

    const ok = await call('POST', `/contracts/${contractId}/reports`, traegerToken, { dutyId: 'jahresbericht', period: { start: '2023-01-01', end: '2023-12-31' }, values: [{ kennzahlId: 'erreichte', value: 163, comment: null }], quantities: [{ quantityId: 'beratungen', delivered: 171 }], comment: 'Sachbericht liegt bei' });
    expect(ok.status).toBe(201);
    expect(ok.body.findings).toEqual([{ code: 'quantity-shortfall', message: 'Beratungsfälle: 171 von 200 vereinbarten (85,5 %).' }]);
    const view = await call('GET', `/contracts/${contractId}`, fuehrung);
    expect(view.body.obligations).toEqual([expect.objectContaining({ status: 'fulfilled', late: true, submittedOn: '2024-04-02' })]);
    expect(view.body.reports).toEqual([expect.objectContaining({ revision: 1, quantities: [{ quantityId: 'beratungen', delivered: 171, agreed: 200 }] })]);
  });

  it('amends the contract as version 2 and keeps version 1 readable', async () => {
    const current = (await call('GET', `/contracts/${contractId}`, planner)).body.terms;
    const amended = await call('PUT', `/contracts/${contractId}`, planner, { terms: { ...current, quantities: [{ quantityId: 'beratungen', kind: 'FAELLE', label: 'Beratungsfälle', amount: 240, per: 'JAHR' }] }, effectiveFrom: '2025-01-01', reason: 'Mehrbedarf laut Pflegebericht' });
    expect(amended.body).toMatchObject({ version: 2, changed: true });
    const versions = await call('GET', `/contracts/${contractId}/versions`, fuehrung);
    expect(versions.body.versions.map((v: { version: number; quantities: Array<{ amount: number }> }) => [v.version, v.quantities[0]?.amount])).toEqual([
      [1, 200],
      [2, 240],
    ]);
  });
});

describe('authorization on every route', () => {
  function urlOf(route: { path: string }): string {
    return route.path
      .replace(':goalId', derived)
      .replace(':targetId', '77777777-7777-4777-8777-777777777777')
      .replace(':id', route.path.startsWith('/traeger') ? traegerId : route.path.startsWith('/measures') ? '99999999-9999-4999-8999-999999999999' : contractId)
      .replace(':subject', 'someone');
  }

  it('refuses every role a route does not name with 403, and never answers 5xx', async () => {
    const routes = api.routes();
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const route of routes) {
      for (const role of ROLES) {
        const res = await call(route.method.toUpperCase(), urlOf(route), await token(BAMBERG, [role]), route.method === 'get' ? undefined : {});
        const allowed = route.access === 'authenticated' || route.access.includes(role);
        expect({ route: `${route.method} ${route.path}`, role, status: res.status < 500 ? (allowed ? res.status !== 403 : res.status === 403) : 'server error' }).toEqual({ route: `${route.method} ${route.path}`, role, status: true });
      }
    }
  }, 60_000);

  it('hides another tenant’s objects (404) and refuses reading a foreign tenant (403)', async () => {
    const foreignPlanner = await token(FOREIGN, ['sozialplanung', 'admin']);
    expect((await call('GET', `/goals/${derived}`, foreignPlanner)).status).toBe(404);
    expect((await call('PUT', `/goals/${derived}/priority`, foreignPlanner, { priority: 1 })).status).toBe(404);
    expect((await call('GET', `/contracts/${contractId}`, foreignPlanner)).status).toBe(404);
    expect((await call('GET', `/goals?tenant=${BAMBERG}`, foreignPlanner)).status).toBe(403);
    expect((await call('GET', '/goals', foreignPlanner)).body.goals).toEqual([]);
    // A Kreis reads a member Gemeinde listed in its token.
    const kreis = await auth.issueToken({ subject: 'kreis', tenant: '09471', roles: ['fuehrung'], memberOf: ['09471111'] });
    expect((await call('GET', '/goals?tenant=09471111', kreis)).status).toBe(200);
    expect((await call('GET', `/goals?tenant=${BAMBERG}`, kreis)).status).toBe(403);
  });

  it('serves an OpenAPI document of every route without a token', async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { 'x-roles': string[]; requestBody?: unknown }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/goals/{goalId}/targets/{targetId}']?.put?.['x-roles']).toEqual(['admin', 'sozialplanung']);
    expect(doc.paths['/contracts/{id}/reports']?.post?.requestBody).toBeDefined();
    const operations = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
    expect(operations).toBe(api.routes().length);
  });
});
