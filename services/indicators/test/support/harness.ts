/**
 * Shared by the indicators' integration tests: a fresh embedded data dir (real LMDB event store
 * and document store), the real ingestion (spatial register and deliveries, built from the open
 * data beside the repository, ../shared/data) and the indicators module on the same store.
 * `pump()` plays the outbox relay and the consumer: it hands every integration event appended
 * since the last call, Avro-encoded as on the log, to the indicators' handler.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCodec, outboxMapper } from '@lagebild/contracts';
import {
  areaFileFromDisk,
  attachNameMapping,
  createDeliveries,
  createScheme,
  deriveCrosswalk,
  importAreaFile,
  loadAreaImportProfile,
  loadMatchCorrections,
  loadNameMappingTable,
  publishVersion,
  readPopulationCsv,
  type AreasContext,
  type DeliveriesModule,
} from '@lagebild/ingestion';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';
import { SHIPPED_CATALOGUE_DIR } from '../../src/catalogue/registry';
import { createIndicators, type IndicatorsModule } from '../../src/service';

export const DATA = path.resolve(__dirname, '../../../../../shared/data');
export const BERLIN = path.join(DATA, 'berlin');
export const BERLIN_SCHEME = 'berlin-lor-planungsraeume';
export const NOW = new Date('2026-01-15T10:00:00.000Z');
const actor = { subject: 'system:test' };

export interface Harness {
  dir: string;
  eventStore: EventStore;
  documents: DocumentStore;
  areas: AreasContext;
  deliveries: DeliveriesModule;
  indicators: IndicatorsModule;
  /** Feeds new integration events to the indicators; returns how many. */
  pump(): Promise<number>;
  deliver(file: string, profileId: string, tenant: string, extra?: { period?: string }): Promise<{ deliveryId: string; status: string }>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-indicators-'));
  const eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  const documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  const deliveries = createDeliveries({ eventStore, documents }, { workDir: path.join(dir, 'ingestion'), background: false });
  await deliveries.start();
  const codec = createCodec();
  const toRecord = outboxMapper(codec);
  const indicators = createIndicators({ eventStore, documents }, codec);
  await indicators.catalogue.seedShipped(SHIPPED_CATALOGUE_DIR, NOW);
  let position = 0;
  const h: Harness = {
    dir,
    eventStore,
    documents,
    areas: { eventStore, documents },
    deliveries,
    indicators,
    async pump() {
      let handled = 0;
      for (;;) {
        const events = await eventStore.readAll({ after: position, maxCount: 500 });
        if (events.length === 0) return handled;
        position = events[events.length - 1]!.position;
        const records = events
          .filter((e) => codec.isIntegrationEvent(e.type) && codec.contextOf(e.type as never) === 'ingestion')
          .map((e) => toRecord(e))
          .filter((r): r is NonNullable<typeof r> => r !== undefined)
          .map((r) => r.record);
        await indicators.handle(records);
        handled += records.length;
      }
    },
    async deliver(file, profileId, tenant, extra = {}) {
      const stored = await deliveries.service.localFile(file);
      const result = await deliveries.service.submit({ profileId, tenant, period: extra.period, file: stored, actor: 'user:test', access: { owners: [tenant], prefixes: tenant.length === 5 ? [tenant] : [] } });
      await result.decided;
      await deliveries.projector.catchUp();
      const view = (await deliveries.service.getDelivery(result.deliveryId))!;
      await h.pump();
      return { deliveryId: result.deliveryId, status: view.status };
    },
    async close() {
      await deliveries.stop();
      await documents.close();
      await eventStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}

async function importWithProfile(ctx: AreasContext, schemeId: string, file: string, profile: string, validFrom: string, mode: 'merge' | 'replace' = 'merge') {
  const p = await loadAreaImportProfile(profile);
  return importAreaFile(ctx, { schemeId, file: await areaFileFromDisk(file), mapping: p.mapping, validFrom, reason: p.description, mode }, actor);
}

/**
 * Berlin's LOR as the register keeps it: version 1 (12 Bezirke + 448 Planungsräume, from 2015),
 * version 2 (542 Planungsräume, from 2021) with the crosswalk derived from the published match
 * table and both populations.
 */
export async function berlinRegister(ctx: AreasContext, options: { onlyNew?: boolean } = {}): Promise<void> {
  await createScheme(ctx, { schemeId: BERLIN_SCHEME, name: 'Berlin LOR-Planungsräume', tenant: '11000' }, actor);
  await importWithProfile(ctx, BERLIN_SCHEME, path.join(BERLIN, 'geometry/bezirke.geojson'), 'berlin-bezirke', '2015-01-01');
  await importWithProfile(ctx, BERLIN_SCHEME, path.join(BERLIN, 'geometry/lor_planungsraeume_bis_2020.geojson'), 'berlin-lor-bis-2020', '2015-01-01');
  await publishVersion(ctx, BERLIN_SCHEME, { validFrom: '2015-01-01', reason: 'LOR-Planungsräume bis 2020' }, actor);
  await importWithProfile(ctx, BERLIN_SCHEME, path.join(BERLIN, 'geometry/lor_planungsraeume_2021.shp'), 'berlin-lor-2021', '2021-01-01', 'replace');
  if (!options.onlyNew) {
    const population = async (file: string) => readPopulationCsv(await readFile(path.join(BERLIN, 'population', file)), file, { code: 'id', population: 'inhabitants' });
    await deriveCrosswalk(
      ctx,
      BERLIN_SCHEME,
      {
        matchTable: JSON.parse(await readFile(path.join(BERLIN, 'geometry/lor_matches_2020_2021.json'), 'utf8')) as Record<string, unknown>,
        corrections: await loadMatchCorrections('berlin-lor-matches-corrections'),
        fromPopulation: await population('berlin-lor-population-2020-02-t2-planning-areas.csv'),
        toPopulation: await population('berlin-lor-population-2021-01-t2-planning-areas.csv'),
        populationSource: 'Einwohnerregister 2020-02 (alte LOR) und 2021-01 (neue LOR)',
      },
      actor,
    );
  }
  await publishVersion(ctx, BERLIN_SCHEME, { validFrom: '2021-01-01', reason: 'LOR-Reform 2021' }, actor);
}

export const HAMBURG_SCHEME = 'hamburg-stadtteile';

/** Hamburg's 104 Stadtteile under their 7 Bezirke, with the name table for the merged names of the Stadtteilprofile. */
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
