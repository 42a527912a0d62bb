/**
 * Composition of the indicators service: createService(deps) -> { router, openapi, start, stop }.
 *
 * - Catalogue: the shipped file is seeded at start; tenants add and revise entries via the API.
 * - Consumer (group `indicators`, topic lagebild.ingestion): keeps the scheme versions and the
 *   observations, and when a delivery is complete recomputes what it affects.
 * - Values: IndicatorValuesComputed events (RAW and PROTECTED) and a read model for the API.
 */
import { createCodec, type IntegrationEventCodec } from '@lagebild/contracts';
import { createTenancyDirectory, runConsumer, type ConsumedRecord, type ServiceFactory, type Subscription, type TenancyDirectory } from '@lagebild/platform';
import { createCatalogueRegistry, SHIPPED_CATALOGUE_DIR, type CatalogueRegistry } from './catalogue/registry';
import { recompute, type ComputationSummary, type RecomputeDeps, type RecomputeRequest } from './computation';
import { createIndicatorApi } from './http/routes';
import { createObservationStore, type ObservationStore } from './store/observations';

export const SERVICE_NAME = 'indicators';
export const CONSUMER_GROUP = 'indicators';
const INGESTION_TOPIC = 'lagebild.ingestion';

export interface IndicatorsModule {
  catalogue: CatalogueRegistry;
  observations: ObservationStore;
  /** The tenant register and releases (from lagebild.ingestion): who may read whose values. */
  tenancy: TenancyDirectory;
  /** Serialised per tenant and scheme, so a delivery and an API request never compute over each other. */
  recompute(request: RecomputeRequest): Promise<ComputationSummary[]>;
  /**
   * Handles ingestion records (exposed for tests that feed events without a log). With an aborted
   * `signal` (the service is stopping) it gives up before the next record; what it recorded so far
   * is recorded again, idempotently, when the batch comes again.
   */
  handle(records: readonly Pick<ConsumedRecord, 'value'>[], signal?: AbortSignal): Promise<void>;
}

export function createIndicators(deps: Omit<RecomputeDeps, 'observations' | 'catalogue'>, codec: IntegrationEventCodec = createCodec()): IndicatorsModule {
  const catalogue = createCatalogueRegistry(deps);
  const observations = createObservationStore(deps.documents);
  const tenancy = createTenancyDirectory(deps.documents);
  const locks = new Map<string, Promise<unknown>>();
  const full: RecomputeDeps = { ...deps, catalogue, observations };

  const module: IndicatorsModule = {
    catalogue,
    observations,
    tenancy,
    recompute(request) {
      const key = `${request.tenant}|${request.schemeId}`;
      const previous = locks.get(key) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => recompute(full, request));
      locks.set(key, next);
      void next.finally(() => {
        if (locks.get(key) === next) locks.delete(key);
      });
      return next;
    },
    async handle(records, signal) {
      for (const record of records) {
        signal?.throwIfAborted();
        const event = codec.decode(record.value);
        const tenant = event.envelope.tenant;
        switch (event.type) {
          case 'AreaSchemeVersionPublished': {
            const d = event.data;
            await observations.saveScheme({
              schemeId: d.schemeId,
              schemeName: d.schemeName,
              version: d.version,
              validFrom: d.validFrom,
              previousVersion: d.previousVersion ?? null,
              tenant,
              units: d.units.map((u) => ({ code: u.code, name: u.name, unitType: u.unitType, parentCode: u.parentCode ?? null })),
              crosswalk: (d.crosswalk ?? []).map((w) => ({ fromCode: w.fromCode, toCode: w.toCode, weight: w.weight })),
            });
            // A new version with a crosswalk carries the owner's older series over.
            if (d.previousVersion && (d.crosswalk ?? []).length > 0 && tenant !== '00000') {
              const summaries = await module.recompute({ tenant, schemeId: d.schemeId, indicators: [...(await catalogue.forTenant(tenant)).indicators.keys()], actor: 'system:indicators', now: new Date(event.envelope.occurredAt), ...(signal && { signal }) });
              if (summaries.length > 0) deps.logger?.info(`Gebietsreform ${d.schemeId} v${d.version}: ${summaries.length} Kennzahlen neu berechnet`);
            }
            break;
          }
          case 'ObservationsRecorded': {
            const d = event.data;
            const { codes } = await observations.record({
              tenant,
              deliveryId: d.deliveryId,
              datasetId: d.datasetId,
              schemeId: d.schemeId,
              schemeVersion: d.schemeVersion,
              sensitivity: d.sensitivity ?? 'SEALED',
              supersedesDeliveryId: d.supersedesDeliveryId ?? null,
              isLastBatch: d.isLastBatch,
              observations: d.observations.map((o) => ({
                areaCode: o.areaCode,
                variable: o.variable,
                dimensions: o.dimensions ?? {},
                period: o.period,
                value: o.value ?? null,
                status: o.status ?? 'MISSING',
              })),
            });
            if (d.isLastBatch) {
              const delivery = await observations.delivery(d.deliveryId);
              const all = new Set([...codes, ...(delivery?.slices ?? []).map((s) => s.split('|')[0]!)]);
              const summaries = await module.recompute({
                tenant,
                schemeId: d.schemeId,
                codes: all,
                actor: 'system:indicators',
                now: new Date(event.envelope.occurredAt),
                correlationId: event.envelope.correlationId ?? undefined,
                ...(signal && { signal }),
              });
              deps.logger?.info(`Lieferung ${d.deliveryId} (${d.datasetId}): ${summaries.length} Berechnungen, ${summaries.reduce((s, x) => s + x.values, 0)} Werte`);
            }
            break;
          }
          case 'TenantConfigured':
          case 'ReleaseGranted':
          case 'ReleaseWithdrawn':
            await tenancy.apply([event]);
            break;
          default:
            break;
        }
      }
    },
  };
  return module;
}

export const createService: ServiceFactory = (deps) => {
  const module = createIndicators(deps);
  // Every route, GET / included, is declared in http/routes.ts with the roles that may call it.
  const api = createIndicatorApi(module, deps);
  let subscription: Subscription | undefined;
  return {
    name: SERVICE_NAME,
    router: api.router,
    openapi: () => api.document(),
    consumers: [{ group: CONSUMER_GROUP, topics: [INGESTION_TOPIC] }],
    start: async () => {
      await module.tenancy.load();
      const seeded = await module.catalogue.seedShipped(SHIPPED_CATALOGUE_DIR, new Date());
      deps.logger.info(`Kennzahlenkatalog: ${seeded.entries} Einträge, ${seeded.changed.length} neu oder geändert`);
      subscription = await runConsumer({
        log: deps.eventLog,
        group: CONSUMER_GROUP,
        topics: [INGESTION_TOPIC],
        documents: deps.documents,
        logger: deps.logger.child({ component: 'indicators-consumer' }),
        handle: (records, { signal }) => module.handle(records, signal),
      });
    },
    stop: async () => {
      await subscription?.stop();
    },
  };
};
