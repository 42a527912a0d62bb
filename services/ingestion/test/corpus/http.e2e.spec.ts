/**
 * A sample of the bad-input corpus through HTTP, as a Gemeinde or city would deliver it: never
 * a 5xx. Refusals before the file is read (too large, unknown profile, wrong tenant) are 4xx
 * problem+json documents in German; content errors are found by the asynchronous check
 * (202 Accepted), and the status and report endpoints then say "abgelehnt" with the German
 * findings. The 1 GB-class file is streamed into the upload and refused at the limit, long
 * before its end.
 */
import { spawn } from 'node:child_process';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { Router } from 'express';
import { createApp, createEmbeddedAuth, serviceMount, silentLogger, type EmbeddedAuth, type Role } from '@lagebild/platform';
import { createDeliveriesRouter } from '../../src/deliveries/routes';
import type { DeliveryFinding } from '../../src/deliveries/errors';
import { createCatalogRouter } from '../../src/profiles/routes';
import { BERLIN, type CorpusCase, eventsSince, FIXTURES, FLENSBURG, loadBerlinLor2021, loadFlensburgStadtteile, openIngestion, seedCorpusProfiles, seedFlensburgProfiles, storePosition, type Ingestion } from './support';

const CORPUS = path.join(FIXTURES, 'bad-input');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const manifest = require(path.join(CORPUS, 'manifest.json')) as { cases: CorpusCase[] };

/** One case per kind of failure: encoding, delimiter, shifted columns, areas, numbers, formulas, periods, JSON, XLSX. */
const SAMPLE = [
  'be-einwohner-1252-als-utf8.csv',
  'fl-komma-statt-semikolon.csv',
  'fl-verschobene-spalte.csv',
  'be-einwohner-unbekannte-lor.csv',
  'fl-text-in-zahlenspalte.csv',
  'fl-formel-hyperlink.csv',
  'be-stichtag-31-02.csv',
  'be-einwohner-kein-array.json',
  'fl-tabellenanhang-csv-als-xlsx.xlsx',
  'fl-leer.csv',
];

let t: Ingestion;
let auth: EmbeddedAuth;
let server: Server;
let base: string;

async function token(tenant: string, roles: Role[] = ['datenlieferung'], memberOf: string[] = []): Promise<string> {
  return auth.issueToken({ subject: `lieferung-${tenant}`, tenant, roles, memberOf });
}

function form(fields: Record<string, string>, file?: { name: string; bytes: Buffer }): FormData {
  const data = new FormData();
  // The profile first: the upload applies the profile's size limit while the file streams.
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  if (file) data.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  return data;
}

async function problem(response: Response, status: number): Promise<{ type: string; title: string; detail: string; code?: string; findings?: DeliveryFinding[] }> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { type: string; title: string; detail: string };
}

beforeAll(async () => {
  t = await openIngestion();
  await Promise.all([loadFlensburgStadtteile(t), loadBerlinLor2021(t)]);
  await seedFlensburgProfiles(t);
  await seedCorpusProfiles(t);
  auth = await createEmbeddedAuth({ dataDir: t.dir });
  const router = Router();
  router.use(createCatalogRouter(t.catalog));
  router.use(createDeliveriesRouter({ service: t.deliveries, catalog: t.catalog, documents: t.documents }));
  const app = createApp({ service: 'ingestion', logger: silentLogger(), auth, mounts: [serviceMount('ingestion', router)] });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/ingestion`;
}, 120_000);

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await t?.close();
});

describe('bad files uploaded over HTTP', () => {
  it.each(SAMPLE)('%s: accepted for checking (never 5xx), then reported as rejected in German', async (file) => {
    const entry = manifest.cases.find((c) => c.file === file)!;
    const members = entry.tenant === FLENSBURG.tenant ? FLENSBURG.members : BERLIN.members;
    const bearer = await token(entry.tenant, ['datenlieferung'], members);
    const response = await fetch(`${base}/deliveries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}` },
      body: form({ profile: entry.profile }, { name: entry.file, bytes: await readFile(path.join(CORPUS, entry.file)) }),
    });
    expect(response.status).toBeLessThan(500);
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as { deliveryId: string; statusUrl: string; reportUrl: string };
    await t.deliveries.settled(accepted.deliveryId);
    await t.projector.catchUp();

    const status = await fetch(`${base}/deliveries/${accepted.deliveryId}`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ deliveryId: accepted.deliveryId, status: 'abgelehnt' });
    const report = await fetch(`${base}/deliveries/${accepted.deliveryId}/report`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(report.status).toBe(200);
    const body = (await report.json()) as { status: string; findings: DeliveryFinding[] };
    expect(body.status).toBe('abgelehnt');
    for (const wanted of entry.expected) {
      expect(body.findings).toContainEqual(
        expect.objectContaining({
          code: wanted.code,
          severity: 'error',
          ...(wanted.line !== undefined ? { line: wanted.line } : {}),
          message: expect.stringContaining(wanted.message ?? `Datei „${entry.file}“`),
        }),
      );
    }
  });
});

describe('refusals before the file is read', () => {
  it('refuses the 1 GB-class file with 413 while it streams, and never reads it to the end', async () => {
    const entry = manifest.cases.find((c) => c.stream)!;
    const bearer = await token(entry.tenant);
    const position = await storePosition(t);
    const boundary = `----lagebild${Date.now()}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="profile"\r\n\r\n${entry.profile}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${entry.file}"\r\nContent-Type: text/csv\r\n\r\n`,
    );
    const child = spawn(process.execPath, [path.join(CORPUS, 'generate.mjs'), '--stream-1gb'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let sent = 0;
    try {
      const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = request(`${base}/deliveries`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': `multipart/form-data; boundary=${boundary}` } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body });
            req.destroy();
          });
        });
        // The server may close the connection once it has answered: that ends our upload, not the test.
        req.on('error', (error) => (sent > 0 ? undefined : reject(error)));
        req.write(head);
        child.stdout.on('data', (chunk: Buffer) => {
          sent += chunk.length;
          if (!req.write(chunk)) {
            child.stdout.pause();
            req.once('drain', () => child.stdout.resume());
          }
        });
        child.stdout.on('end', () => req.end(`\r\n--${boundary}--\r\n`));
      });
      expect(answer.status).toBe(413);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      const body = JSON.parse(answer.body) as { detail: string; code: string };
      expect(body).toMatchObject({ code: 'FILE_TOO_LARGE' });
      expect(body.detail).toContain(`Datei „${entry.file}“: Die Datei ist größer als erlaubt (höchstens 8 MB)`);
      expect(sent).toBeLessThan(256 * 1024 * 1024);
    } finally {
      child.kill();
    }
    expect(await eventsSince(t, position)).toEqual([]);
  });

  it('answers an unknown profile with 404, a foreign tenant with 403 and a missing file with 400, in German', async () => {
    const flensburg = await token(FLENSBURG.tenant, ['datenlieferung'], FLENSBURG.members);
    const bytes = await readFile(path.join(FIXTURES, 'flensburg/tab05_altersgruppen_2021_2022.csv'));
    const post = (fields: Record<string, string>, withFile = true) =>
      fetch(`${base}/deliveries`, { method: 'POST', headers: { authorization: `Bearer ${flensburg}` }, body: form(fields, withFile ? { name: 'tab05.csv', bytes } : undefined) });

    expect((await problem(await post({ profile: 'gibt-es-nicht' }), 404)).detail).toContain('Das Lieferprofil „gibt-es-nicht“ gibt es nicht');
    expect((await problem(await post({ profile: 'corpus-berlin-einwohner', tenant: BERLIN.tenant }), 403)).detail).toContain('Sie dürfen nur für Ihren Mandanten 01001');
    expect((await problem(await post({ profile: 'flensburg-altersgruppen-detail' }, false), 400)).detail).toContain('Die Datei fehlt');
  });
});
