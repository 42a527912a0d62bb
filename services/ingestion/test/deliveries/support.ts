/**
 * Shared by the delivery tests: a fresh embedded data dir per test file (real LMDB event store
 * and document store), the deliveries module on it with the shipped profiles, and the real
 * spatial register built through the areas feature's own application functions from the open
 * data beside the repository (../shared/data; sources and licences in its README).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';
import {
  areaFileFromDisk,
  attachNameMapping,
  createScheme,
  importAreaFile,
  loadAreaImportProfile,
  loadNameMappingTable,
  publishVersion,
  type Actor,
  type AreasContext,
} from '../../src/areas';
import { createDeliveries, type DeliveriesModule, type DeliveriesOptions, type DeliveryAccess, type SubmitInput } from '../../src/deliveries';

export const DATA = path.resolve(__dirname, '../../../../../shared/data');
export const BERLIN = path.join(DATA, 'berlin');
export const actor: Actor = { subject: 'system:test' };

export interface Harness {
  dir: string;
  eventStore: EventStore;
  documents: DocumentStore;
  areas: AreasContext;
  deliveries: DeliveriesModule;
  close(): Promise<void>;
}

export async function openHarness(options: DeliveriesOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-deliveries-'));
  const eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  const documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  const deliveries = createDeliveries({ eventStore, documents }, { workDir: path.join(dir, 'ingestion'), background: false, ...options });
  await deliveries.start();
  return {
    dir,
    eventStore,
    documents,
    areas: { eventStore, documents },
    deliveries,
    async close() {
      await deliveries.stop();
      await documents.close();
      await eventStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function importWithProfile(ctx: AreasContext, schemeId: string, file: string, profile: string, validFrom: string, mode: 'merge' | 'replace' = 'merge') {
  const p = await loadAreaImportProfile(profile);
  return importAreaFile(ctx, { schemeId, file: await areaFileFromDisk(file), mapping: p.mapping, validFrom, reason: p.description, mode }, actor);
}

export const BERLIN_SCHEME = 'berlin-lor-planungsraeume';

/**
 * Berlin's LOR as the register keeps it: version 1 (Bezirke + 448 Planungsräume, from 2015) and,
 * unless `onlyOld`, version 2 (542 Planungsräume, from 2021-01-01).
 */
export async function berlinRegister(ctx: AreasContext, options: { onlyOld?: boolean } = {}): Promise<void> {
  await createScheme(ctx, { schemeId: BERLIN_SCHEME, name: 'Berlin LOR-Planungsräume', tenant: '11000' }, actor);
  await importWithProfile(ctx, BERLIN_SCHEME, path.join(BERLIN, 'geometry/bezirke.geojson'), 'berlin-bezirke', '2015-01-01');
  await importWithProfile(ctx, BERLIN_SCHEME, path.join(BERLIN, 'geometry/lor_planungsraeume_bis_2020.geojson'), 'berlin-lor-bis-2020', '2015-01-01');
  await publishVersion(ctx, BERLIN_SCHEME, { validFrom: '2015-01-01', reason: 'LOR-Planungsräume bis 2020' }, actor);
  if (options.onlyOld) return;
  await importWithProfile(ctx, BERLIN_SCHEME, path.join(BERLIN, 'geometry/lor_planungsraeume_2021.shp'), 'berlin-lor-2021', '2021-01-01', 'replace');
  await publishVersion(ctx, BERLIN_SCHEME, { validFrom: '2021-01-01', reason: 'LOR-Reform 2021' }, actor);
}

export const HAMBURG_SCHEME = 'hamburg-stadtteile';

/** Hamburg's 104 Stadtteile under their 7 Bezirke, with the name table for the merged names of the Stadtteilprofile (the register's shipped profiles). */
export async function hamburgRegister(ctx: AreasContext): Promise<void> {
  const profile = await loadAreaImportProfile('hamburg-stadtteile');
  await createScheme(ctx, { schemeId: HAMBURG_SCHEME, name: 'Hamburg Stadtteile', tenant: '02000', stripPrefixes: profile.nameMatching?.stripPrefixes ?? [] }, actor);
  await importAreaFile(
    ctx,
    { schemeId: HAMBURG_SCHEME, file: await areaFileFromDisk(path.join(DATA, 'hamburg/stadtteile.geojson')), mapping: profile.mapping, validFrom: '2008-03-01', reason: profile.description },
    actor,
  );
  await attachNameMapping(ctx, HAMBURG_SCHEME, await loadNameMappingTable('hamburg-stadtteile-namen'), actor);
  await publishVersion(ctx, HAMBURG_SCHEME, { validFrom: '2008-03-01', reason: 'Stadtteile nach der Bezirksverwaltungsreform 2008' }, actor);
}

/** Access of a local operator for a tenant (as the CLI grants it). */
export function operator(tenant: string): DeliveryAccess {
  return { owners: [tenant], prefixes: tenant.length === 5 ? [tenant] : [] };
}

/** Submits a local file and waits until the delivery is decided. */
export async function deliver(h: Harness, file: string, input: Omit<SubmitInput, 'file' | 'actor' | 'access'> & { access?: DeliveryAccess; fileName?: string }) {
  const stored = await h.deliveries.service.localFile(file, input.fileName);
  const result = await h.deliveries.service.submit({ ...input, file: stored, actor: 'user:test', access: input.access ?? operator(input.tenant) });
  await result.decided;
  await h.deliveries.projector.catchUp();
  const view = (await h.deliveries.service.getDelivery(result.deliveryId))!;
  const report = await h.deliveries.service.getReport(result.deliveryId);
  return { ...result, view, report };
}
