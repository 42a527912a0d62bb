/**
 * The audit trail through HTTP with real tokens: declared routes called by own, foreign and Kreis
 * principals leave records (the refused ones included), and only the admin of the tenant the
 * records are about reads them at `GET /api/<service>/audit`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { createLmdbDocumentStore } from '../documents/lmdb-document-store';
import type { DocumentStore } from '../ports/document-store';
import type { EventStore } from '../ports/event-store';
import { createLmdbEventStore } from '../store/lmdb-event-store';
import { createApi, reply } from './api';
import { AUDIT_EVENT_TYPE, auditStream, createAuditTrail, type AuditTrail } from './audit';
import { auditedServiceMount, type AuditAnswer } from './audit-api';
import { assertTenantAccess, createEmbeddedAuth, type EmbeddedAuth } from './auth';
import { createApp } from './http';
import { silentLogger } from './logger';
import { ROLES, type Role } from './request-context';

const GOETTINGEN = '03159';
const KREIS = '01054';
const HUSUM = '01054056';
const FOREIGN = '09461';

let dir: string;
let eventStore: EventStore;
let documents: DocumentStore;
let trail: AuditTrail;
let auth: EmbeddedAuth;
let server: Server;
let base: string;
const today = new Date().toISOString().slice(0, 10);

/** A small service with the shapes real ones have: a tenant-scoped read, a write on an object, a create. */
function probeService() {
  const api = createApi({ service: 'probe', title: 'Probe' });
  api.route({
    method: 'get',
    path: '/values',
    summary: 'Werte',
    access: ['sozialplanung', 'admin'],
    query: z.object({ tenant: z.string().optional() }),
    responses: { 200: { description: 'Werte' } },
    handler: ({ principal, query }) => {
      const tenant = query.tenant ?? principal.tenant;
      assertTenantAccess(principal, tenant);
      return { tenant, values: [4711.0815, 815.4711] };
    },
  });
  api.route({
    method: 'put',
    path: '/goals/:goalId',
    summary: 'Ziel ändern',
    access: ['sozialplanung'],
    params: z.object({ goalId: z.string() }),
    body: z.object({ title: z.string() }),
    responses: { 200: { description: 'geändert' } },
    handler: ({ params }) => ({ goalId: params.goalId }),
  });
  api.route({
    method: 'post',
    path: '/goals',
    summary: 'Ziel anlegen',
    access: ['sozialplanung'],
    body: z.object({ title: z.string() }),
    responses: { 201: { description: 'angelegt' } },
    handler: () => reply(201, { goalId: 'g-new' }, { Location: '/api/probe/goals/g-new' }),
  });
  return { name: 'probe', router: api.router, openapi: () => api.document() };
}

async function token(tenant: string, roles: Role[], subject: string, memberOf?: string[]): Promise<string> {
  return auth.issueToken({ subject, tenant, roles, ...(memberOf ? { memberOf } : {}) });
}

async function call(method: string, url: string, bearer: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function audit(bearer: string, query = ''): Promise<{ status: number; body: AuditAnswer & { detail?: string } }> {
  return call('GET', `/api/probe/audit${query}`, bearer) as Promise<{ status: number; body: AuditAnswer & { detail?: string } }>;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-audit-http-'));
  eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  trail = createAuditTrail({ eventStore, documents });
  auth = await createEmbeddedAuth({ dataDir: dir });
  const app = createApp({ service: 'probe', logger: silentLogger(), auth, mounts: [auditedServiceMount(probeService(), trail)] });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await trail.close();
  await documents.close();
  await eventStore.close();
  await rm(dir, { recursive: true, force: true });
});

describe('recording', () => {
  let planner: string;
  let admin: string;

  beforeAll(async () => {
    planner = await token(GOETTINGEN, ['sozialplanung'], 'planerin');
    admin = await token(GOETTINGEN, ['admin'], 'admin-goe');
    expect((await call('GET', '/api/probe/values', planner)).status).toBe(200);
    expect((await call('PUT', '/api/probe/goals/g-7', planner, { title: 'Kinderarmut senken' })).status).toBe(200);
    expect((await call('POST', '/api/probe/goals', planner, { title: 'Neues Ziel' })).status).toBe(201);
    const intruder = await token(FOREIGN, ['sozialplanung', 'admin'], 'eindringling');
    expect((await call('GET', `/api/probe/values?tenant=${GOETTINGEN}`, intruder)).status).toBe(403);
    const controller = await token(GOETTINGEN, ['controlling'], 'controller');
    expect((await call('GET', '/api/probe/values', controller)).status).toBe(403);
  });

  it('records every request with who, what, about whom and the outcome, the refused ones included', async () => {
    const { status, body } = await audit(admin);
    expect(status).toBe(200);
    expect(body.mandanten).toEqual([GOETTINGEN]);
    const lines = body.eintraege.map((e) => ({ benutzer: e.benutzer, mandant: e.mandant, operation: e.operation, betroffen: e.betroffeneMandanten, status: e.status }));
    expect(lines).toEqual([
      { benutzer: 'controller', mandant: GOETTINGEN, operation: 'GET /values', betroffen: [GOETTINGEN], status: 403 },
      { benutzer: 'eindringling', mandant: FOREIGN, operation: 'GET /values', betroffen: [GOETTINGEN], status: 403 },
      { benutzer: 'planerin', mandant: GOETTINGEN, operation: 'POST /goals', betroffen: [GOETTINGEN], status: 201 },
      { benutzer: 'planerin', mandant: GOETTINGEN, operation: 'PUT /goals/:goalId', betroffen: [GOETTINGEN], status: 200 },
      { benutzer: 'planerin', mandant: GOETTINGEN, operation: 'GET /values', betroffen: [GOETTINGEN], status: 200 },
    ]);
    const write = body.eintraege.find((e) => e.operation === 'PUT /goals/:goalId')!;
    expect(write).toMatchObject({ dienst: 'probe', rollen: ['sozialplanung'], objekt: { goalId: 'g-7' }, anfrageId: expect.any(String) });
    expect(write.zeitpunkt.startsWith(today)).toBe(true);
    expect(body.eintraege.find((e) => e.operation === 'POST /goals')!.angelegt).toBe('/api/probe/goals/g-new');
    expect(body.eintraege.find((e) => e.benutzer === 'controller')!.rollen).toEqual(['controlling']);
  });

  it('stores events of type AccessAudited per tenant and day, without bodies, figures or tokens', async () => {
    await trail.flush();
    const events = await eventStore.readStream(auditStream(GOETTINGEN, today));
    expect(events.length).toBeGreaterThanOrEqual(5);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set([AUDIT_EVENT_TYPE]));
    expect(events.every((e) => e.metadata.tenant === GOETTINGEN)).toBe(true);
    const stored = JSON.stringify(events);
    expect(stored).not.toContain('Kinderarmut');
    expect(stored).not.toContain(planner);
    // A figure with a decimal point: random ids (hex) could contain its digits by chance.
    expect(stored).not.toContain('4711.0815');
  });

  it('shows a refused attempt to the admin of the caller’s tenant as well', async () => {
    const foreignAdmin = await token(FOREIGN, ['admin'], 'admin-bamberg');
    const { status, body } = await audit(foreignAdmin);
    expect(status).toBe(200);
    expect(body.eintraege.map((e) => [e.benutzer, e.status, e.betroffeneMandanten])).toEqual([['eindringling', 403, [GOETTINGEN]]]);
  });

  it('filters by user and day range and pages with limit, newest first', async () => {
    const onlyPlanner = await audit(admin, `?benutzer=planerin&von=${today}&bis=${today}`);
    expect(onlyPlanner.body.eintraege.map((e) => e.operation)).toEqual(['POST /goals', 'PUT /goals/:goalId', 'GET /values']);
    const limited = await audit(admin, '?benutzer=planerin&limit=2');
    expect(limited.body.eintraege.map((e) => e.operation)).toEqual(['POST /goals', 'PUT /goals/:goalId']);
    expect(limited.body.weitere).toBe(true);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await audit(admin, `?von=2020-01-01&bis=${yesterday}&limit=1`)).status).toBe(400);
    const past = await audit(admin, `?von=${yesterday}&bis=${yesterday}`);
    expect(past.body.eintraege).toEqual([]);
  });

  it('refuses a malformed or too long range with a German explanation', async () => {
    const reversed = await audit(admin, '?von=2024-03-02&bis=2024-03-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.detail).toContain('liegt nach bis');
    const noDay = await audit(admin, '?von=2024-02-30');
    expect(noDay.status).toBe(400);
    expect(noDay.body.detail).toContain('kein Datum');
    const tooLong = await audit(admin, '?von=2022-01-01&bis=2024-01-01');
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.detail).toContain('höchstens 366 Tage');
  });
});

describe('who may read the trail', () => {
  it('refuses the admin of another tenant with 403 and shows it none of the records', async () => {
    const foreignAdmin = await token(FOREIGN, ['admin'], 'admin-fremd');
    const refused = await audit(foreignAdmin, `?tenant=${GOETTINGEN}`);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toBe(`Kein Zugriff auf die Daten des Mandanten ${GOETTINGEN}; Ihr Mandant ist ${FOREIGN}.`);
    const own = await audit(foreignAdmin);
    expect(own.body.eintraege.every((e) => e.mandant === FOREIGN || e.betroffeneMandanten.includes(FOREIGN))).toBe(true);
    expect(own.body.eintraege.some((e) => e.benutzer === 'planerin')).toBe(false);
  });

  it('refuses every role but admin with 403, and the admin with all roles alike', async () => {
    const outcomes: Array<[Role, number]> = [];
    for (const role of ROLES) outcomes.push([role, (await audit(await token(GOETTINGEN, [role], `nur-${role}`))).status]);
    expect(outcomes).toEqual(ROLES.map((role) => [role, role === 'admin' ? 200 : 403]));
  });

  it('lets a Kreis admin read the records about its member Gemeinden, and the Gemeinde admin see the Kreis reading', async () => {
    const kreisPlanner = await token(KREIS, ['sozialplanung'], 'kreisplaner', [HUSUM]);
    expect((await call('GET', `/api/probe/values?tenant=${HUSUM}`, kreisPlanner)).status).toBe(200);
    const husumPlanner = await token(HUSUM, ['sozialplanung'], 'husum-planer');
    expect((await call('GET', '/api/probe/values', husumPlanner)).status).toBe(200);

    const kreisAdmin = await token(KREIS, ['admin'], 'kreis-admin', [HUSUM]);
    const kreis = await audit(kreisAdmin);
    expect(kreis.body.mandanten).toEqual([KREIS, HUSUM]);
    // The Kreis planner's read is stored for the Kreis and for Husum, and shown once.
    expect(kreis.body.eintraege.filter((e) => e.operation === 'GET /values').map((e) => [e.benutzer, e.betroffeneMandanten])).toEqual([
      ['husum-planer', [HUSUM]],
      ['kreisplaner', [HUSUM]],
    ]);
    const onlyHusum = await audit(kreisAdmin, `?tenant=${HUSUM}&benutzer=kreisplaner`);
    expect(onlyHusum.body.eintraege).toHaveLength(1);

    const husumAdmin = await token(HUSUM, ['admin'], 'husum-admin');
    const husum = await audit(husumAdmin, '?benutzer=kreisplaner');
    expect(husum.body.eintraege.map((e) => [e.mandant, e.status])).toEqual([[KREIS, 200]]);
    expect((await audit(husumAdmin, `?tenant=${KREIS}`)).status).toBe(403);
  });

  it('records reading the trail itself', async () => {
    const admin = await token(GOETTINGEN, ['admin'], 'admin-selbst');
    await audit(admin);
    const { body } = await audit(admin, '?benutzer=admin-selbst');
    expect(body.eintraege.map((e) => [e.operation, e.status])).toEqual([['GET /audit', 200]]);
  });
});

describe('the mount', () => {
  it('adds the audit route to the service’s OpenAPI document, for admin only', async () => {
    const res = await fetch(`${base}/api/probe/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { 'x-roles': string[] }>> };
    expect(doc.paths['/audit']?.get?.['x-roles']).toEqual(['admin']);
    expect(doc.paths['/values']?.get?.['x-roles']).toEqual(['sozialplanung', 'admin']);
  });

  it('records nothing for a router mounted without a trail', async () => {
    const service = probeService();
    const loose = createApp({ service: 'probe', logger: silentLogger(), auth, mounts: [{ path: '/api/loose', router: service.router }] });
    const own = await new Promise<Server>((resolve) => {
      const s = loose.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const bearer = await token(GOETTINGEN, ['sozialplanung'], 'ohne-protokoll');
      expect((await fetch(`http://127.0.0.1:${(own.address() as AddressInfo).port}/api/loose/values`, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(200);
    } finally {
      await new Promise((resolve) => own.close(resolve));
    }
    const admin = await token(GOETTINGEN, ['admin'], 'admin-goe');
    expect((await audit(admin, '?benutzer=ohne-protokoll')).body.eintraege).toEqual([]);
  });
});
