/**
 * Deliveries of data sets: profiles and data set definitions (catalogs), the checking pass,
 * the lifecycle events, read models, HTTP routes, and the wiring into the service.
 */
import { join, resolve } from 'node:path';
import { platformSettings, type Api, type DocumentStore, type EventStore, type Logger } from '@lagebild/platform';
import { createAreaRegister } from '../areas/projections';
import type { AreaRegister } from '../areas/register';
import { createCatalog, SYSTEM_TENANT, type Catalog } from '../profiles/catalog';
import { declareCatalogRoutes } from '../profiles/routes';
import { createDeliveryService, type DeliveryLimits, type DeliveryService } from './application';
import { createIngestionProjector, type IngestionProjector } from './projector';
import { declareDeliveryRoutes } from './routes';

export * from './application';
export * from './errors';
export { DeliveryCheck, type CheckConfig, type CheckResult } from './check';
export { decideDelivery, DeliveryStateError, type DeliveryCommand } from './decide';
export * from './model';
export * from './periods';
export {
  DELIVERIES_COLLECTION,
  OBSERVATIONS_COLLECTION,
  REPORTS_COLLECTION,
  SERIES_COLLECTION,
  datasetsOfVariable,
  observationKey,
  queryObservations,
  type DeliveryReportView,
  type DeliveryView,
  type DeliveryViewStatus,
  type ObservationDoc,
  type ObservationQuery,
  type ObservationResult,
} from './projections';
export { createIngestionProjector, type IngestionProjector } from './projector';
export { accessOf, createDeliveriesRouter, declareDeliveryRoutes, DELIVERING_ROLES, OBSERVATION_ROLES, REPORT_ROLES, type DeliveryRoutesContext } from './routes';
export { loadSchemeContext, type SchemeContext, type VersionContext } from './scheme-context';

/** The profiles and data set definitions shipped with the service (services/ingestion/profiles). */
export const SHIPPED_PROFILES_DIR = resolve(__dirname, '..', '..', 'profiles');

export interface DeliveriesModule {
  catalog: Catalog;
  service: DeliveryService;
  projector: IngestionProjector;
  register: AreaRegister;
  /** Seeds the shipped catalogs, starts the projector, resumes interrupted deliveries. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface DeliveriesOptions {
  /** Work directory for uploads and spool files. @default <LAGEBILD_DATA_DIR>/ingestion */
  workDir?: string;
  register?: AreaRegister;
  limits?: Partial<DeliveryLimits>;
  /** Seed the shipped profiles at start. @default true */
  seedShipped?: boolean;
  /** Run the projector in the background (services); one-shot commands catch up explicitly. @default true */
  background?: boolean;
  /** Resume deliveries a previous process left undecided (the service does; a one-shot CLI import does not). @default true */
  recover?: boolean;
}

/** The data directory of this process, as the platform configuration reads it. */
export function defaultWorkDir(env: NodeJS.ProcessEnv = process.env): string {
  const read = platformSettings.dataDir.read(env);
  return join(read.ok ? read.value : resolve('.lagebild'), 'ingestion');
}

export function createDeliveries(deps: { eventStore: EventStore; documents: DocumentStore; logger?: Logger }, options: DeliveriesOptions = {}): DeliveriesModule {
  const logger = deps.logger?.child({ feature: 'deliveries' });
  const catalog = createCatalog(deps);
  const projector = createIngestionProjector({ ...deps, ...(logger ? { logger } : {}) });
  const register = options.register ?? createAreaRegister(deps.documents);
  const service = createDeliveryService({
    eventStore: deps.eventStore,
    documents: deps.documents,
    register,
    catalog,
    projector,
    workDir: options.workDir ?? defaultWorkDir(),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(logger ? { logger } : {}),
  });
  return {
    catalog,
    service,
    projector,
    register,
    async start() {
      if (options.seedShipped !== false) {
        const seeded = await catalog.seedShipped(SHIPPED_PROFILES_DIR, { actor: 'system:ingestion', tenant: SYSTEM_TENANT, now: new Date() });
        if (seeded.changed.length > 0) {
          logger?.info({ count: seeded.changed.length }, 'Mitgelieferte Lieferprofile und Datensätze gespeichert');
          logger?.debug({ changed: seeded.changed }, 'shipped profiles and datasets saved');
        }
      }
      await projector.catchUpStatus();
      if (options.background !== false) projector.start();
      const resumed = options.recover === false ? 0 : await service.recover();
      if (resumed > 0) logger?.info({ resumed }, 'Unterbrochene Lieferungen werden fortgesetzt');
    },
    async stop() {
      await service.idle();
      await projector.stop();
    },
  };
}

/** Declares the catalog and delivery routes on the service's Api. */
export function mountDeliveries(api: Api, deps: { eventStore: EventStore; documents: DocumentStore; logger?: Logger }, options: DeliveriesOptions = {}): DeliveriesModule {
  const module = createDeliveries(deps, options);
  declareCatalogRoutes(api, module.catalog);
  declareDeliveryRoutes(api, { service: module.service, catalog: module.catalog, documents: deps.documents });
  return module;
}
