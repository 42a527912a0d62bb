/**
 * The real pipeline behind the goals service, in one process on a fresh embedded data dir (LMDB
 * event store and document store): the ingestion (Gemeindeverzeichnis, deliveries of the INKAR
 * files beside the repository, ../shared/data), the indicators module with the shipped
 * catalogue, and the goals module. `pump()` plays the outbox relay and the consumers: every
 * integration event appended since the last call goes, Avro-encoded as on the log, to the
 * module that consumes its context (ingestion -> indicators, indicators -> goals), in store
 * order, until nothing new is appended.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCodec, outboxMapper } from '@lagebild/contracts';
import { createDeliveries, loadGemeindeverzeichnis, type DeliveriesModule } from '@lagebild/ingestion';
// The indicators package exports only its service factory; the module and the catalogue path
// are taken from its build output, as the CLI's host would compose them.
import { createIndicators, type IndicatorsModule, SHIPPED_CATALOGUE_DIR } from '@lagebild/indicators';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';
import { createGoals, type GoalsModule } from '@lagebild/goals';

export const DATA = path.resolve(__dirname, '../../../../shared/data');
export const GERMANY = path.join(DATA, 'germany');
export const SCENARIOS = path.resolve(__dirname, '../../../services/goals/scenarios');

export interface Pipeline {
  dir: string;
  eventStore: EventStore;
  documents: DocumentStore;
  deliveries: DeliveriesModule;
  indicators: IndicatorsModule;
  goals: GoalsModule;
  pump(): Promise<{ toIndicators: number; toGoals: number }>;
  loadGemeindeverzeichnis(): Promise<void>;
  deliver(file: string, profileId: string, tenant: string): Promise<string>;
  close(): Promise<void>;
}

export async function openPipeline(now: Date): Promise<Pipeline> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-goals-'));
  const eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  const documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  const deliveries = createDeliveries({ eventStore, documents }, { workDir: path.join(dir, 'ingestion'), background: false });
  await deliveries.start();
  const codec = createCodec();
  const toRecord = outboxMapper(codec);
  const indicators = createIndicators({ eventStore, documents }, codec);
  await indicators.catalogue.seedShipped(SHIPPED_CATALOGUE_DIR, now);
  const goals = createGoals({ eventStore, documents, now: () => now }, codec);
  let position = 0;
  const p: Pipeline = {
    dir,
    eventStore,
    documents,
    deliveries,
    indicators,
    goals,
    async pump() {
      const handled = { toIndicators: 0, toGoals: 0 };
      for (;;) {
        const events = await eventStore.readAll({ after: position, maxCount: 500 });
        if (events.length === 0) return handled;
        position = events[events.length - 1]!.position;
        for (const event of events) {
          if (!codec.isIntegrationEvent(event.type)) continue;
          const record = toRecord(event)?.record;
          if (!record) continue;
          const context = codec.contextOf(event.type as never);
          if (context === 'ingestion') {
            await indicators.handle([record]);
            handled.toIndicators += 1;
          } else if (context === 'indicators') {
            await goals.handle([record]);
            handled.toGoals += 1;
          }
        }
      }
    },
    async loadGemeindeverzeichnis() {
      const fileName = 'GV100AD_301123.txt';
      await loadGemeindeverzeichnis({ eventStore, documents }, { fileName, bytes: await readFile(path.join(GERMANY, fileName)) }, { subject: 'system:test' });
      await p.pump();
    },
    async deliver(file, profileId, tenant) {
      const stored = await deliveries.service.localFile(file);
      const result = await deliveries.service.submit({ profileId, tenant, file: stored, actor: 'user:test', access: { owners: [tenant], prefixes: tenant.length === 5 ? [tenant] : [] } });
      await result.decided;
      await deliveries.projector.catchUp();
      const view = await deliveries.service.getDelivery(result.deliveryId);
      await p.pump();
      return view?.status ?? 'unbekannt';
    },
    async close() {
      await deliveries.stop();
      await documents.close();
      await eventStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await p.pump();
  return p;
}
