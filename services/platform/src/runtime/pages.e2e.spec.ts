/**
 * Public pages at the host root (ServiceModule.pages): they load without a token, while the
 * service's API beside them still demands one; a page cannot take the place of the API or a probe.
 */
import type { Server } from 'node:http';
import express from 'express';
import { createEmbeddedAuth } from './auth';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, serviceMount } from './http';
import { createLogger } from './logger';

const logger = createLogger({ service: 'pages-test', level: 'silent' });
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-pages-'));
  const auth = await createEmbeddedAuth({ dataDir: dir });
  const api = express.Router();
  api.get('/figures', (_req, res) => void res.json({ figures: [1, 2, 3] }));
  const page = express.Router();
  page.get('/', (_req, res) => void res.type('html').send('<!doctype html><title>FIS</title>'));
  const app = createApp({ service: 'host', logger, auth, mounts: [serviceMount('warehouse', api)], pages: [{ path: '/fis', router: page }] });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('public pages', () => {
  it('serves a page without a token while the API beside it still requires one', async () => {
    const page = await fetch(`${base}/fis/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>FIS</title>');
    expect((await fetch(`${base}/api/warehouse/figures`)).status).toBe(401);
  });

  it('refuses a page that would shadow the API or a probe', () => {
    for (const bad of ['/api', '/health', '/ready', 'fis', '/fis/sub']) {
      expect(() => createApp({ service: 'host', logger, pages: [{ path: bad, router: express.Router() }] })).toThrow(/page path/);
    }
  });
});
