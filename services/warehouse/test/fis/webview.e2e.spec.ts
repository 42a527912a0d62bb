/**
 * The FIS web view in headless Chromium (Debian's `chromium`, driven by playwright-core), against
 * the warehouse service in a real host over projected data: the page loads without a token, takes
 * the token from the URL fragment or the login field, every dashboard opens without console
 * errors with data in every panel, a suppressed value reads „gesperrt“, the controls work from the
 * keyboard, and a screenshot per dashboard goes to .test-output/fis/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DASHBOARDS } from '@lagebild/dashboards';
import {
  type ChdbWarehouse,
  createChdbWarehouse,
  createEmbeddedAuth,
  createLmdbDocumentStore,
  createLmdbEventLog,
  createLmdbEventStore,
  createLogger,
  type DocumentStore,
  type EmbeddedAuth,
  type EventLog,
  type EventStore,
  type Host,
  serviceMount,
  startHost,
} from '@lagebild/platform';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createService } from '../../src/service';
import { FLENSBURG, GEMEINDEN, KREIS, loadFixture } from './fixture';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(__dirname, '../../../../.test-output/fis');
// CI installs Debian's chromium (.ci/run): there a missing browser fails the suite instead of skipping it.
const describeWithChromium = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

let dir: string;
let warehouse: ChdbWarehouse;
let eventStore: EventStore;
let eventLog: EventLog;
let documents: DocumentStore;
let auth: EmbeddedAuth;
let host: Host;
let browser: Browser;
let planerToken: string;
let kreisToken: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-fis-web-'));
  warehouse = await createChdbWarehouse({ path: path.join(dir, 'warehouse') });
  await loadFixture(warehouse);
  eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  eventLog = createLmdbEventLog({ path: path.join(dir, 'lmdb') });
  documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  auth = await createEmbeddedAuth({ dataDir: dir });
  const logger = createLogger({ service: 'fis-test', level: 'warn' });
  // The service without start(): the fixture is already projected, no consumer needed.
  const service = await createService({ eventStore, eventLog, documents, warehouse, logger, auth });
  host = await startHost({
    name: 'fis-test',
    host: '127.0.0.1',
    port: 0,
    logger,
    auth,
    handleSignals: false,
    mounts: [serviceMount(service.name, service.router, { openapi: service.openapi })],
    pages: service.pages ?? [],
  });
  planerToken = await auth.issueToken({ subject: 'user:sozialplanung-1', tenant: FLENSBURG, roles: ['sozialplanung'] });
  kreisToken = await auth.issueToken({ subject: 'user:kreis-1', tenant: KREIS, roles: ['fuehrung'], memberOf: GEMEINDEN.map((g) => g.ags) });
  if (existsSync(CHROMIUM)) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }
  await mkdir(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await warehouse?.close();
  await eventLog?.close();
  await documents?.close();
  await eventStore?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A page that records every console error and uncaught exception. */
async function openPage(viewport = { width: 1600, height: 1000 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`${error.message} ${error.stack ?? ''}`.slice(0, 600)));
  return { page, errors };
}

async function waitForPanels(page: Page): Promise<void> {
  await page.waitForSelector('#panels[data-state="ready"]', { timeout: 20_000 });
}

async function panelStates(page: Page): Promise<Record<string, string>> {
  return page.$$eval('#panels .panel', (panels) => Object.fromEntries(panels.map((p) => [(p as HTMLElement).dataset.panel ?? '', (p as HTMLElement).dataset.state ?? ''])));
}

describe('FIS query API', () => {
  async function post(token: string, route: string, variables: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${host.url}/api/warehouse/fis/${route}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ variables }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('answers only roles that read the FIS', async () => {
    const delivery = await auth.issueToken({ subject: 'user:datenlieferung-7', tenant: FLENSBURG, roles: ['datenlieferung'] });
    const refused = await post(delivery, 'panels/uebersicht/kennzahlen');
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('fuehrung');
    expect((await post(planerToken, 'panels/uebersicht/kennzahlen')).status).toBe(200);
  });

  it('keeps a caller to its own tenant whatever the request names', async () => {
    const result = await post(planerToken, 'panels/indikator-atlas/werte', { tenant: GEMEINDEN[0].ags, indicator: 'sgb2_quote' });
    expect(result.status).toBe(200);
    expect((result.body.variables as Array<{ name: string; value: string }>).find((v) => v.name === 'tenant')!.value).toBe(FLENSBURG);
    expect((result.body.rows as Array<{ gebiet: string }>).map((r) => r.gebiet)).toContain('Nordstadt');
  });

  it('gives raw values only to the tenant\'s own planners', async () => {
    const leadership = await auth.issueToken({ subject: 'user:ob', tenant: FLENSBURG, roles: ['fuehrung'] });
    const values = async (token: string) =>
      ((await post(token, 'panels/indikator-atlas/werte', { indicator: 'sgb2_quote', audience: 'v_indicator_value_raw' })).body.rows as Array<{ gebiet: string; wert: number | null }>).find((r) => r.gebiet === 'Altstadt')!.wert;
    expect(await values(planerToken)).toBe(1.9);
    expect(await values(leadership)).toBeNull();
  });

  it('names the dashboards and panels that exist when asked for others', async () => {
    const unknown = await post(planerToken, 'panels/haushalt/summen');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('budgetcontrolling');
    expect((await post(planerToken, 'panels/uebersicht/gibtsnicht')).status).toBe(404);
    expect((await post(planerToken, 'variables/uebersicht', { land: 'x' } as Record<string, string>)).status).toBe(400);
  });

  it('sends the page definitions without their SQL', async () => {
    const response = await fetch(`${host.url}/api/warehouse/fis/dashboards`, { headers: { Authorization: `Bearer ${planerToken}` } });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain('Indikator-Atlas');
    expect(text).not.toContain('SELECT');
  });
});

describeWithChromium('FIS web view in Chromium', () => {
  it('serves the page without a token while its data need one', async () => {
    const page = await fetch(`${host.url}/fis/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/fis/app.js" defer></script>');
    expect((await fetch(`${host.url}/fis/echarts.min.js`)).status).toBe(200);
    expect((await fetch(`${host.url}/api/warehouse/fis/dashboards`)).status).toBe(401);
  });

  it('opens every dashboard without console errors, with data in every panel, and writes a screenshot of each', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${host.url}/fis/#token=${planerToken}`);
    await waitForPanels(page);
    // The token left the address bar and lives in the tab's session storage.
    expect(page.url()).not.toContain('token=');
    for (const dashboard of DASHBOARDS.filter((d) => d.id !== 'kreisvergleich')) {
      await page.goto(`${host.url}/fis/#/${dashboard.id}`);
      await waitForPanels(page);
      expect(await page.textContent('h1#titel')).toBe(dashboard.title);
      const states = await panelStates(page);
      expect(states).toEqual(Object.fromEntries(dashboard.panels.map((p) => [p.key, 'ready'])));
      await page.screenshot({ path: path.join(SCREENSHOTS, `${dashboard.id}.png`), fullPage: true });
      expect({ dashboard: dashboard.id, errors }).toEqual({ dashboard: dashboard.id, errors: [] });
    }
    await page.close();
  }, 60_000);

  it('shows the member Gemeinden of a Kreis, a suppressed one as „gesperrt“', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${host.url}/fis/#token=${kreisToken}`);
    await waitForPanels(page);
    await page.goto(`${host.url}/fis/#/kreisvergleich`);
    await waitForPanels(page);
    expect(await panelStates(page)).toEqual({ vergleich: 'ready', karte: 'ready', tabelle: 'ready', entwicklung: 'ready' });
    const table = await page.$$eval('[data-panel="tabelle"] tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll("td")).map((td) => td.textContent)));
    expect(table.map((r) => [r[0], r[2]])).toEqual([
      ['Rendsburg', '13,60'],
      ['Eckernförde', '8,10'],
      ['Büdelsdorf', 'gesperrt'],
    ]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'kreisvergleich.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it('shows a suppressed value as „gesperrt“, never as 0, and drills down from the Atlas to the profile', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${host.url}/fis/#token=${planerToken}`);
    await waitForPanels(page);
    await page.goto(`${host.url}/fis/#/indikator-atlas?indicator=sgb2_quote`);
    await waitForPanels(page);
    const cells = await page.$$eval('[data-panel="werte"] tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll("td")).map((td) => td.textContent)));
    expect(cells.find((r) => r[0] === 'Altstadt')![2]).toBe('gesperrt');
    expect(cells.find((r) => r[0] === 'Nordstadt')![2]).toBe('19,20');
    await page.click('[data-panel="werte"] tbody a:text("Nordstadt")');
    await page.waitForFunction(() => location.hash.startsWith('#/sozialraumprofil'));
    await waitForPanels(page);
    expect(await page.inputValue('select[name="area"]')).toBe('STGT03');
    expect(await page.inputValue('select[name="scheme"]')).toBe('stadtteile');
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it('is usable from the keyboard: log in, switch the area with the arrow keys, follow a navigation link', async () => {
    const { page, errors } = await openPage({ width: 1280, height: 800 });
    await page.goto(`${host.url}/fis/#/sozialraumprofil`);
    await page.waitForSelector('#anmeldung:not([hidden])');
    await page.keyboard.type(planerToken);
    await page.keyboard.press('Enter');
    await waitForPanels(page);
    expect(await page.inputValue('select[name="area"]')).toBe('STGT01');
    await page.focus('select[name="area"]');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => location.hash.includes('area=STGT02'));
    await waitForPanels(page);
    expect(await page.inputValue('select[name="area"]')).toBe('STGT02');
    await page.focus('nav a:text("Zielcontrolling")');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/zielcontrolling'));
    await waitForPanels(page);
    expect(await page.getAttribute('nav a[aria-current="page"]', 'href')).toBe('#/zielcontrolling');
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it('tells a tenant without data so, panel by panel, without errors', async () => {
    const empty = await auth.issueToken({ subject: 'user:neu', tenant: '09162', roles: ['fuehrung'] });
    const { page, errors } = await openPage();
    await page.goto(`${host.url}/fis/#token=${empty}`);
    await waitForPanels(page);
    const states = await panelStates(page);
    expect(Object.values(states).every((s) => s === 'empty')).toBe(true);
    expect(await page.textContent('[data-panel="kennzahlen"] .leer')).toContain('Keine Daten');
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it('asks for a new login when the token is refused, without console errors from the page itself', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${host.url}/fis/#token=kein.gueltiges.token`);
    await page.waitForSelector('#anmeldung:not([hidden])');
    expect(await page.textContent('#anmeldefehler')).toContain('erneut an');
    // The browser itself logs the refused request (401); the page adds nothing.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await page.close();
  }, 30_000);
});
