import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { type AppOptions, createApp, serviceMount } from './http';
import { createLogger } from './logger';
import { ConflictProblem, parseInput } from './problem';

const lines: Array<Record<string, unknown>> = [];
const logger = createLogger({
  service: 'http-test',
  level: 'debug',
  destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
});

const CreateTarget = z.object({
  indicator: z.string().min(3),
  value: z.number().min(0).max(100),
  deadline: z.iso.date(),
  areas: z.array(z.string().regex(/^\d{8}$/)).min(1),
});

function goalsRouter(): express.Router {
  const router = express.Router();
  router.post('/targets', (req, res) => {
    const target = parseInput(CreateTarget, req.body);
    res.status(201).json(target);
  });
  router.post('/targets/raw', (req, res) => {
    res.json(CreateTarget.parse(req.body));
  });
  router.get('/targets/:id', (req, res) => {
    res.json({ id: req.params.id, requestId: req.requestId });
  });
  router.put('/targets/:id', (req) => {
    throw new ConflictProblem(`Der Zielwert ${req.params.id} wurde inzwischen geändert.`, { currentVersion: 4 });
  });
  router.get('/broken', () => {
    throw new Error('connection to lmdb lost: secret internals');
  });
  router.get('/slow-async', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new TypeError('async failure');
  });
  return router;
}

const servers: Server[] = [];

async function serve(options: Partial<AppOptions> = {}): Promise<string> {
  const app = createApp({
    service: 'goals',
    logger,
    bodyLimit: 1024,
    mounts: [serviceMount('goals', goalsRouter())],
    ...options,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function problem(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as Record<string, unknown>;
}

function postJson(url: string, body: string): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

describe('createApp', () => {
  let base: string;

  beforeAll(async () => {
    base = await serve();
  });

  it('answers /health without any check', async () => {
    const response = await fetch(`${base}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', service: 'goals' });
  });

  it('sets security headers and hides the framework', async () => {
    const response = await fetch(`${base}/health`);

    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('keeps a sane incoming request id, replaces an insane one, and echoes it', async () => {
    const kept = await fetch(`${base}/api/goals/targets/7`, { headers: { 'x-request-id': 'gateway-4711.a' } });
    const replaced = await fetch(`${base}/api/goals/targets/7`, { headers: { 'x-request-id': '<script>id with spaces' } });
    const tooLong = await fetch(`${base}/api/goals/targets/7`, { headers: { 'x-request-id': 'x'.repeat(129) } });

    expect(kept.headers.get('x-request-id')).toBe('gateway-4711.a');
    expect(await kept.json()).toEqual({ id: '7', requestId: 'gateway-4711.a' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(tooLong.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs each request as JSON with its request id, status and duration', async () => {
    await fetch(`${base}/api/goals/targets/8`, { headers: { 'x-request-id': 'log-me-1', authorization: 'Bearer sehr.geheimes.token' } });

    const entry = lines.find((l) => l.requestId === 'log-me-1' && l.msg === 'request');
    expect(entry).toMatchObject({ service: 'http-test', level: 'info', method: 'GET', url: '/api/goals/targets/8', status: 200 });
    expect(typeof entry!.durationMs).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('sehr.geheimes.token');
  });

  it('turns each validation issue into an entry with a JSON pointer and a German message', async () => {
    const response = await postJson(
      `${base}/api/goals/targets`,
      JSON.stringify({ indicator: 'SGB', value: 120, deadline: '2030-13-01', areas: ['05315000', 'x'] }),
    );

    expect(response.status).toBe(400);
    const body = await problem(response);
    expect(body).toMatchObject({
      type: 'urn:lagebild:problem:validation',
      title: 'Ungültige Anfrage',
      status: 400,
      detail: 'Die Anfrage enthält 3 ungültige Angaben.',
      instance: '/api/goals/targets',
    });
    expect(body.errors).toEqual([
      { pointer: '#/value', detail: 'darf höchstens 100 sein' },
      { pointer: '#/deadline', detail: 'erwartet ein Datum (JJJJ-MM-TT)' },
      { pointer: '#/areas/1', detail: 'erwartet einen Wert im vorgesehenen Format' },
    ]);
    expect(body.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('names a missing field and a wrong type in German, also for a zod error a route did not catch', async () => {
    const response = await postJson(`${base}/api/goals/targets/raw`, JSON.stringify({ indicator: 7, value: 5, areas: ['05315000'] }));

    expect(response.status).toBe(400);
    expect((await problem(response)).errors).toEqual([
      { pointer: '#/indicator', detail: 'Text erwartet, Zahl erhalten' },
      { pointer: '#/deadline', detail: 'Pflichtangabe fehlt' },
    ]);
  });

  it('refuses malformed JSON with 400 and says so', async () => {
    const response = await postJson(`${base}/api/goals/targets`, '{"indicator": "x",');

    expect(response.status).toBe(400);
    const body = await problem(response);
    expect(body.type).toBe('urn:lagebild:problem:malformed-json');
    expect(body.detail).toMatch(/^Der Anfragekörper ist kein gültiges JSON: /);
  });

  it('refuses a body above the limit with 413', async () => {
    const response = await postJson(`${base}/api/goals/targets`, JSON.stringify({ indicator: 'x'.repeat(2000) }));

    expect(response.status).toBe(413);
    expect(await problem(response)).toMatchObject({
      type: 'urn:lagebild:problem:body-too-large',
      detail: 'Der Anfragekörper ist zu groß; erlaubt sind höchstens 1024 Bytes.',
    });
  });

  it('answers an unknown route with 404', async () => {
    const response = await fetch(`${base}/api/goals/nothing-here`);

    expect(response.status).toBe(404);
    expect(await problem(response)).toMatchObject({ status: 404, detail: 'Unter /api/goals/nothing-here gibt es keine Ressource.' });
  });

  it('answers a path with broken percent-encoding with 400 instead of 500', async () => {
    const response = await fetch(`${base}/api/goals/targets/%E0%A4%A`);

    expect(response.status).toBe(400);
    expect(await problem(response)).toMatchObject({ type: 'urn:lagebild:problem:bad-request', title: 'Fehlerhafte Anfrage' });
  });

  it('answers a known route with the wrong method with 405 and the allowed methods', async () => {
    const response = await fetch(`${base}/api/goals/targets/7`, { method: 'DELETE' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, PUT');
    expect((await problem(response)).detail).toBe('DELETE ist für /api/goals/targets/7 nicht erlaubt; erlaubt: GET, HEAD, PUT.');
  });

  it('renders a domain problem with its status and extension members', async () => {
    const response = await fetch(`${base}/api/goals/targets/7`, { method: 'PUT' });

    expect(response.status).toBe(409);
    expect(await problem(response)).toMatchObject({
      type: 'urn:lagebild:problem:conflict',
      title: 'Konflikt',
      detail: 'Der Zielwert 7 wurde inzwischen geändert.',
      currentVersion: 4,
    });
  });

  it('hides an unexpected error behind a generic 500 with the request id, and logs the real one', async () => {
    const response = await fetch(`${base}/api/goals/broken`, { headers: { 'x-request-id': 'broken-1' } });
    const asyncResponse = await fetch(`${base}/api/goals/slow-async`);

    expect(response.status).toBe(500);
    const body = await problem(response);
    expect(body.detail).toBe('Ein unerwarteter Fehler ist aufgetreten. Bitte nennen Sie bei Rückfragen die Anfrage-ID broken-1.');
    expect(JSON.stringify(body)).not.toContain('secret internals');
    const logged = lines.find((l) => l.requestId === 'broken-1' && l.msg === 'unhandled error');
    expect(JSON.stringify(logged)).toContain('connection to lmdb lost: secret internals');
    expect(asyncResponse.status).toBe(500);
  });
});

describe('/ready', () => {
  it('reports every check and answers 200 when all pass', async () => {
    const base = await serve({ readiness: { warehouse: async () => {}, eventStore: async () => {} } });

    const response = await fetch(`${base}/ready`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', checks: { warehouse: { ok: true }, eventStore: { ok: true } } });
  });

  it('answers 503 with the failing and timed-out checks named', async () => {
    const base = await serve({
      readinessTimeoutMs: 100,
      readiness: {
        warehouse: async () => {},
        eventLog: async () => {
          throw new Error('kafka unreachable');
        },
        documents: () => new Promise(() => {}),
      },
    });

    const response = await fetch(`${base}/ready`);

    expect(response.status).toBe(503);
    const body = await problem(response);
    expect(body.detail).toBe('Nicht bereit: eventLog (kafka unreachable), documents (keine Antwort nach 100 ms).');
    expect(body.checks).toMatchObject({ warehouse: { ok: true }, eventLog: { ok: false, detail: 'kafka unreachable' }, documents: { ok: false } });
  });

  it('answers 503 while the service shuts down', async () => {
    const base = await serve({ isShuttingDown: () => true });

    const response = await fetch(`${base}/ready`);

    expect(response.status).toBe(503);
    expect((await problem(response)).detail).toBe('Der Dienst fährt herunter und nimmt keine neuen Anfragen an.');
  });
});
