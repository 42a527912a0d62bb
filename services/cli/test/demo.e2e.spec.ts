/**
 * The demo of `lagebild start`, loaded into a fresh data directory in this process (the services'
 * modules on LMDB, no HTTP, no warehouse) from the committed demo folder only: what a user then
 * finds (Berlin's Planungsräume and population, Flensburg's Stadtteile, Nordfriesland's Gemeinden
 * with their unemployed, the Bamberg and Göttingen goal systems, Münster's budget), checked
 * against the demo files themselves; and that loading again appends nothing, with or without the
 * marker (an interrupted first start completes without doubling anything).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBudgetService } from '@lagebild/budget';
import { COLLECTIONS, type GoalView, listByTenant } from '@lagebild/goals';
import { createAreaRegister, createGemeindeverzeichnis, queryObservations } from '@lagebild/ingestion';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';
import { DEMO_COLLECTION, DEMO_DIR, DEMO_MARKER_KEY, type DemoSummary, isDemoLoaded, loadDemo } from '../src/demo';

let dir: string;
let eventStore: EventStore;
let documents: DocumentStore;
let first: DemoSummary;
let firstEvents: number;
const progress: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-cli-demo-'));
  eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  first = await loadDemo({ eventStore, documents, dataDir: dir }, { onProgress: (line) => progress.push(line) });
  firstEvents = await eventStore.lastPosition();
}, 120_000);

afterAll(async () => {
  await documents?.close();
  await eventStore?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Rows of a demo CSV as arrays of cells (the demo's CSVs quote nothing). */
function csvRows(file: string, delimiter: string, encoding: BufferEncoding = 'utf8'): string[][] {
  return readFileSync(path.join(DEMO_DIR, file), encoding)
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => line.split(delimiter));
}

describe('the first load', () => {
  it('reports every step with one German line, and marks the data directory', async () => {
    expect(first.alreadyLoaded).toBe(false);
    expect(progress).toHaveLength(first.steps.length);
    for (const line of progress) expect(line).toMatch(/^Demo: .+ …$/);
    expect(progress).toContain('Demo: Berlin Planungsräume (542) …');
    expect(first.steps.every((s) => s.changed)).toBe(true);
    expect(await isDemoLoaded(documents)).toBe(true);
  });
});

describe('what a user finds after the first start', () => {
  it("has Berlin's 542 Planungsräume of 2021 under the 12 Bezirke", async () => {
    const version = await createAreaRegister(documents).findSchemeVersion('berlin-lor-planungsraeume');
    expect(version).toMatchObject({ tenant: '11000', validFrom: '2021-01-01' });
    const planungsraeume = version!.units.filter((u) => u.unitType === 'Planungsraum');
    const bezirke = new Set(version!.units.filter((u) => u.unitType === 'Bezirk').map((u) => u.code));
    expect(planungsraeume).toHaveLength(542);
    expect(bezirke.size).toBe(12);
    expect(planungsraeume.filter((p) => !bezirke.has(p.parentCode ?? ''))).toEqual([]);
  });

  it("has Berlin's population for each of the 8 half-years, summing to the files' totals", async () => {
    const files = ['2021-01', '2021-02', '2022-01', '2022-02', '2023-01', '2023-02', '2024-01', '2024-02'];
    for (const half of files) {
      const [header, ...rows] = csvRows(`berlin/population/berlin-lor-population-${half}-t2-planning-areas.csv`, ',');
      const column = header!.indexOf('inhabitants');
      const expected = rows.reduce((sum, r) => sum + Number(r[column]), 0);
      // 2024-01 is the first half-year (Stichtag 30.06.), 2024-02 the second (31.12.).
      const stichtag = `${half.slice(0, 4)}-${half.endsWith('01') ? '06-30' : '12-31'}`;
      const observed = await queryObservations(documents, { tenant: '11000', datasetId: 'berlin-einwohner', schemeId: 'berlin-lor-planungsraeume', variable: 'ew_insgesamt', periodOn: stichtag });
      expect({ half, areas: observed.length, total: observed.reduce((sum, o) => sum + (o.value ?? 0), 0) }).toEqual({ half, areas: rows.length, total: expected });
    }
  });

  it("has Flensburg's 13 Stadtteile with residents adding up to the city's total of the Sozialatlas", async () => {
    const version = await createAreaRegister(documents).findSchemeVersion('flensburg-stadtteile');
    expect(version!.units.filter((u) => u.unitType === 'Stadtteil')).toHaveLength(13);
    const rows = csvRows('flensburg/tab01_einwohner_stadtteile.csv', ';', 'latin1');
    const header = rows.find((r) => r[0] === 'Stadtteil')!;
    const city = rows.find((r) => r[0] === 'Stadt Flensburg')!;
    const year = header[header.length - 1]!;
    const observed = await queryObservations(documents, { tenant: '01001', datasetId: 'flensburg-einwohner', schemeId: 'flensburg-stadtteile', variable: 'ew_insgesamt', periodOn: `${year}-12-31` });
    expect(observed).toHaveLength(13);
    expect(observed.reduce((sum, o) => sum + (o.value ?? 0), 0)).toBe(Number(city[city.length - 1]!.replace(/\./g, '')));
  });

  it("has Kreis Nordfriesland's 133 Gemeinden, each with its unemployed as INKAR gives them", async () => {
    const kreis = await createGemeindeverzeichnis(documents).findKreis('01054');
    expect(kreis?.kreis.name).toBe('Nordfriesland');
    expect(kreis!.gemeinden).toHaveLength(133);
    const [, years, ...rows] = csvRows('germany/inkar_arbeitslose_gemeinden_auszug.csv', ';');
    const last = years!.length - 1;
    const expected = new Map(rows.filter((r) => r[0]!.startsWith('01054')).map((r) => [r[0]!, Number(r[last])]));
    expect(expected.size).toBe(133);
    const observed = await queryObservations(documents, { tenant: '01054', datasetId: 'inkar-arbeitsmarkt-gemeinden', schemeId: 'gemeindeverzeichnis', variable: 'arbeitslose', periodOn: `${years![last]}-06-30` });
    expect(new Map(observed.map((o) => [o.areaCode, o.value]))).toEqual(expected);
    expect(new Set(kreis!.gemeinden.map((g) => g.key))).toEqual(new Set(expected.keys()));
  });

  it('has the goal systems of Bamberg and Landkreis Göttingen', async () => {
    const titles = async (tenant: string) => (await listByTenant<GoalView>(documents, COLLECTIONS.goals, tenant)).map((g) => g.title);
    expect(await titles('09461')).toEqual(expect.arrayContaining(['Teilhabe für Alle', 'Prävention stärken', 'Wir stellen uns der Zukunft', 'Wirkungen erzielen', 'Der Mensch im Mittelpunkt']));
    expect(await titles('03159')).toEqual(expect.arrayContaining(['Prävention vor Intervention', 'Strukturell vor Individuell']));
  });

  it("has Münster's budget results for the years 2007 to 2016", async () => {
    const budget = createBudgetService({ eventStore, documents });
    try {
      const imports = await budget.listImports('05515');
      expect(imports.map((i) => ({ status: i.status, years: i.years }))).toEqual([{ status: 'angenommen', years: [2007, 2008, 2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016] }]);
      const rows = csvRows('budget/muenster_ergebnisse_2007_2016.csv', ',').slice(1);
      expect(imports[0]!.rowCount).toBe(rows.length);
    } finally {
      await budget.projector.stop();
    }
  });
});

describe('loading again', () => {
  it('does nothing when the marker is there', async () => {
    const before = await eventStore.lastPosition();
    const again = await loadDemo({ eventStore, documents, dataDir: dir });
    expect(again).toMatchObject({ alreadyLoaded: true, steps: [] });
    expect(await eventStore.lastPosition()).toBe(before);
  });

  it('runs every step and appends nothing when only the marker is missing', async () => {
    await documents.delete(DEMO_COLLECTION, DEMO_MARKER_KEY);
    expect(await isDemoLoaded(documents)).toBe(false);
    const before = await eventStore.lastPosition();
    const again = await loadDemo({ eventStore, documents, dataDir: dir });
    expect(again.alreadyLoaded).toBe(false);
    expect(again.steps.filter((s) => s.changed).map((s) => s.id)).toEqual([]);
    expect(await eventStore.lastPosition()).toBe(before);
    expect(await isDemoLoaded(documents)).toBe(true);
  }, 60_000);

  it('completes a first start that failed in its last step, recording only what was missing', async () => {
    // The demo folder without the budget: everything up to the last step is loaded, then it fails.
    const other = await mkdtemp(path.join(tmpdir(), 'lagebild-cli-demo-broken-'));
    const partial = path.join(other, 'demo');
    await mkdir(partial);
    for (const name of readdirSync(DEMO_DIR).filter((n) => n !== 'budget')) await symlink(path.join(DEMO_DIR, name), path.join(partial, name));
    const stores = { eventStore: createLmdbEventStore({ path: path.join(other, 'lmdb') }), documents: createLmdbDocumentStore({ path: path.join(other, 'lmdb') }) };
    try {
      await expect(loadDemo({ ...stores, dataDir: other }, { demoDir: partial })).rejects.toThrow();
      expect(await isDemoLoaded(stores.documents)).toBe(false);
      const resumed = await loadDemo({ ...stores, dataDir: other });
      expect(resumed.steps.filter((s) => s.changed).map((s) => s.id)).toEqual(['haushalt-muenster']);
      expect(await isDemoLoaded(stores.documents)).toBe(true);
      // Exactly as many events as the straight first load: nothing twice.
      expect(await stores.eventStore.lastPosition()).toBe(firstEvents);
    } finally {
      await stores.documents.close();
      await stores.eventStore.close();
      await rm(other, { recursive: true, force: true });
    }
  }, 90_000);
});
