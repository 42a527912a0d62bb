/**
 * Shared by the corpus tests (bad-input corpus and Flensburg Sozialatlas): the real delivery
 * pipeline (application functions of src/deliveries and src/areas) on a fresh LMDB store in a
 * temp dir per test file, the real spatial register built from the real open data, and the
 * profiles as shipped (services/ingestion/profiles) or as kept with the corpus.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';
import {
  areaFileFromDisk,
  createAreaRegister,
  createScheme,
  importAreaFile,
  loadAreaImportProfile,
  loadGemeindeverzeichnis,
  type Actor,
  type AreasContext,
} from '../../src/areas';
import { createDeliveryService, type DeliveryService } from '../../src/deliveries/application';
import { createIngestionProjector, type IngestionProjector } from '../../src/deliveries/projector';
import type { DeliveryReportView, DeliveryView } from '../../src/deliveries/projections';
import { createCatalog, type Catalog } from '../../src/profiles/catalog';

const run = promisify(execFile);

/** The repository root (services/ingestion/test/corpus is four levels below). */
export const REPO = path.resolve(__dirname, '../../../..');
/** The shared open data beside the repository checkout (see its README for licences). */
export const DATA = path.resolve(REPO, '../shared/data');
export const FIXTURES = path.join(REPO, 'test/fixtures');
export const SHIPPED_PROFILES = path.resolve(__dirname, '../../profiles');

export const actor: Actor = { subject: 'system:test' };

/** Flensburg is a kreisfreie Stadt: tenant 01001, its one Gemeinde 01001000. */
export const FLENSBURG = { tenant: '01001', members: ['01001000'] };
export const BERLIN = { tenant: '11000', members: [] as string[] };

export interface Ingestion {
  dir: string;
  eventStore: EventStore;
  documents: DocumentStore;
  areas: AreasContext;
  catalog: Catalog;
  projector: IngestionProjector;
  deliveries: DeliveryService;
  close(): Promise<void>;
}

export async function openIngestion(): Promise<Ingestion> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-corpus-'));
  const eventStore = createLmdbEventStore({ path: path.join(dir, 'store') });
  const documents = createLmdbDocumentStore({ path: path.join(dir, 'store') });
  const areas: AreasContext = { eventStore, documents };
  const catalog = createCatalog({ eventStore, documents });
  const projector = createIngestionProjector({ eventStore, documents });
  const deliveries = createDeliveryService({ eventStore, documents, register: createAreaRegister(documents), catalog, projector, workDir: path.join(dir, 'work') });
  return {
    dir,
    eventStore,
    documents,
    areas,
    catalog,
    projector,
    deliveries,
    async close() {
      await deliveries.idle().catch(() => undefined);
      await documents.close();
      await eventStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---- the corpus manifest -------------------------------------------------------------------

export interface ExpectedFinding {
  code: string;
  line?: number;
  /** Spreadsheet letter. */
  column?: string;
  /** A part of the German message. */
  message?: string;
  /** How many errors of this code the report holds: a defect is reported once, not per chunk. */
  count?: number;
}

/** One entry of test/fixtures/bad-input/manifest.json. */
export interface CorpusCase {
  file: string;
  profile: string;
  tenant: string;
  case: string;
  expected: ExpectedFinding[];
  generated?: boolean;
  /** Only ever streamed into an upload (the 1 GB-class file). */
  stream?: boolean;
}

// ---- the spatial register from the real files ----------------------------------------------

/** Flensburg's 13 Stadtteile from stadtteile.geojson with the shipped area profile (codes 1..13). */
export async function loadFlensburgStadtteile(t: Ingestion): Promise<void> {
  const profile = await loadAreaImportProfile('flensburg-stadtteile');
  await importAreaFile(
    t.areas,
    {
      schemeId: 'flensburg-stadtteile',
      file: await areaFileFromDisk(path.join(DATA, 'flensburg/stadtteile.geojson')),
      mapping: profile.mapping,
      // The Sozialatlas reaches back to 2011 in today's 13 Stadtteile.
      validFrom: '2011-01-01',
      reason: profile.description,
      createScheme: { name: 'Flensburg Stadtteile', tenant: FLENSBURG.tenant },
      publish: {},
    },
    actor,
  );
}

/** The Gemeindeverzeichnis (GV100AD): Flensburg's city-wide figures are keyed by its AGS. */
export async function loadGemeinden(t: Ingestion): Promise<void> {
  const file = path.join(DATA, 'germany/GV100AD_301123.txt');
  await loadGemeindeverzeichnis(t.areas, { fileName: path.basename(file), bytes: await readFile(file) }, actor);
}

/** Berlin's 542 LOR-Planungsräume of 2021 from the shapefile (EPSG:25833) with the shipped profile. */
export async function loadBerlinLor2021(t: Ingestion): Promise<void> {
  await createScheme(t.areas, { schemeId: 'berlin-lor-planungsraeume', name: 'Berlin LOR-Planungsräume', tenant: BERLIN.tenant }, actor);
  // The Bezirke first: they are the parents the Planungsräume name.
  const bezirke = await loadAreaImportProfile('berlin-bezirke');
  await importAreaFile(
    t.areas,
    { schemeId: 'berlin-lor-planungsraeume', file: await areaFileFromDisk(path.join(DATA, 'berlin/geometry/bezirke.geojson')), mapping: bezirke.mapping, validFrom: '2021-01-01', reason: bezirke.description },
    actor,
  );
  const profile = await loadAreaImportProfile('berlin-lor-2021');
  await importAreaFile(
    t.areas,
    {
      schemeId: 'berlin-lor-planungsraeume',
      file: await areaFileFromDisk(path.join(DATA, 'berlin/geometry/lor_planungsraeume_2021.shp')),
      mapping: profile.mapping,
      validFrom: '2021-01-01',
      reason: profile.description,
      publish: {},
    },
    actor,
  );
}

// ---- profiles -------------------------------------------------------------------------------

const seedContext = () => ({ actor: 'system:test', tenant: 'system', now: new Date() });

async function jsonFiles(dir: string, prefix = ''): Promise<Array<{ id: string } & Record<string, unknown>>> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json') && n.startsWith(prefix)).sort();
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8')) as { id: string } & Record<string, unknown>));
}

/** The shipped Flensburg data sets and profiles (only these: other sources are other tests' business). */
export async function seedFlensburgProfiles(t: Ingestion): Promise<string[]> {
  for (const { id, ...body } of await jsonFiles(path.join(SHIPPED_PROFILES, 'datasets'), 'flensburg-')) await t.catalog.saveDataset(id, body, seedContext());
  const ids: string[] = [];
  for (const { id, ...body } of await jsonFiles(path.join(SHIPPED_PROFILES, 'flensburg'))) {
    await t.catalog.saveProfile(id, body, seedContext());
    ids.push(id);
  }
  return ids;
}

/** The corpus's own profiles (Berlin population variants) in test/fixtures/bad-input/profiles. */
export async function seedCorpusProfiles(t: Ingestion): Promise<void> {
  await t.catalog.seedShipped(path.join(FIXTURES, 'bad-input/profiles'), seedContext());
}

// ---- delivering ------------------------------------------------------------------------------

export interface Delivered {
  deliveryId: string;
  duplicate: boolean;
  view: DeliveryView;
  report: DeliveryReportView;
}

export async function deliverFile(
  t: Ingestion,
  filePath: string,
  options: { profileId: string; tenant: string; members?: readonly string[]; fileName?: string; period?: string },
): Promise<Delivered> {
  const file = await t.deliveries.localFile(filePath, options.fileName ?? path.basename(filePath));
  const submitted = await t.deliveries.submit({
    file,
    profileId: options.profileId,
    tenant: options.tenant,
    ...(options.period ? { period: options.period } : {}),
    actor: 'user:corpus-test',
    access: { owners: [options.tenant, ...(options.members ?? [])], prefixes: [] },
  });
  await submitted.decided;
  await t.projector.catchUp();
  const view = await t.deliveries.getDelivery(submitted.deliveryId);
  const report = await t.deliveries.getReport(submitted.deliveryId);
  if (!view || !report) throw new Error(`delivery ${submitted.deliveryId} has no read model`);
  return { deliveryId: submitted.deliveryId, duplicate: submitted.duplicate, view, report };
}

/** Event types of one delivery's stream, in order. */
export async function deliveryEventTypes(t: Ingestion, deliveryId: string): Promise<string[]> {
  return (await t.eventStore.readStream(`delivery-${deliveryId}`)).map((e) => e.type);
}

/** Where the store stands now: pass it to `eventsSince` to see what an action appended. */
export function storePosition(t: Ingestion): Promise<number> {
  return t.eventStore.lastPosition();
}

/** Types of the events appended after `position`, in store order. */
export async function eventsSince(t: Ingestion, position: number): Promise<string[]> {
  const types: string[] = [];
  let after = position;
  for (;;) {
    const page = await t.eventStore.readAll({ after, maxCount: 200 });
    types.push(...page.map((e) => e.type));
    if (page.length < 200) return types;
    after = page[page.length - 1]!.position;
  }
}

/** Runs a fixture script with node (ESM scripts: jest's CommonJS runtime does not import them). */
export async function runScript(script: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [script, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
