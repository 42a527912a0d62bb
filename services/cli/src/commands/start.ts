/**
 * `lagebild start`: every service in one process on the embedded adapters (or the production
 * ones the configuration selects), one HTTP port, one outbox relay.
 */
import { createService as createBudget } from '@lagebild/budget';
import { createCodec, envelopeSchemaCatalog, outboxMapper } from '@lagebild/contracts';
import { createService as createGoals } from '@lagebild/goals';
import { createService as createIndicators } from '@lagebild/indicators';
import { createService as createIngestion } from '@lagebild/ingestion';
import {
  auditedServiceMount,
  type Authenticator,
  createAuth,
  createLogger,
  createOutboxRelay,
  loadPlatformConfig,
  openPlatform,
  setupTelemetry,
  startHost,
  type Host,
  type Platform,
  type ServiceFactory,
  type ServiceModule,
} from '@lagebild/platform';
import { createService as createWarehouse } from '@lagebild/warehouse';

/** All services of the platform, in the order they start. */
export const SERVICES: readonly ServiceFactory[] = [createIngestion, createIndicators, createGoals, createBudget, createWarehouse];

export interface StartedPlatform {
  host: Host;
  services: readonly ServiceModule[];
  /** The opened ports (for commands and tests that work beside the running services). */
  platform: Platform;
  /** Checks bearer tokens; in embedded mode it also issues them (`issueToken`). */
  auth: Authenticator;
  /** Position of the last event the outbox relay has published to the log. */
  relayCheckpoint(): Promise<number>;
  /** The data directory (embedded adapters, spool, keys). */
  dataDir: string;
}

export interface StartOptions {
  handleSignals?: boolean;
  /**
   * Runs on the opened ports before any service is created (e.g. loading the demo): nothing else
   * writes the stores or their read models yet, so a loader may use its own modules on them.
   */
  prepare?: (ctx: { platform: Platform; dataDir: string }) => Promise<void>;
}

export async function start(env: NodeJS.ProcessEnv = process.env, options: StartOptions = {}): Promise<StartedPlatform> {
  const config = loadPlatformConfig(env);
  const logger = createLogger({ service: 'lagebild', level: config.logLevel });
  const telemetry = setupTelemetry({ serviceName: 'lagebild', otlpEndpoint: config.otlpEndpoint, logger });
  const platform = await openPlatform({ config, logger, name: 'lagebild', ...(config.schemaRegistryUrl ? { schemaCatalog: envelopeSchemaCatalog() } : {}) });
  const auth = await createAuth(config, logger);
  const codec = createCodec();
  // One relay per event store: it publishes every integration event, in store order, to the log.
  const relay = createOutboxRelay({
    store: platform.eventStore,
    log: platform.eventLog,
    checkpoints: platform.documents,
    name: 'lagebild',
    toRecord: outboxMapper(codec),
    logger: logger.child({ component: 'outbox-relay' }),
  });

  try {
    await options.prepare?.({ platform, dataDir: config.dataDir });
  } catch (error) {
    await platform.close();
    throw error;
  }

  const deps = { ...platform, logger, auth };
  const services: ServiceModule[] = [];
  for (const create of SERVICES) services.push(await create({ ...deps, logger }));

  const host = await startHost({
    name: 'lagebild',
    host: config.host,
    port: config.port,
    logger,
    auth,
    bodyLimit: config.bodyLimit,
    handleSignals: options.handleSignals ?? true,
    mounts: services.map((s) => auditedServiceMount(s, platform.audit)),
    pages: services.flatMap((s) => s.pages ?? []),
    readiness: Object.assign({}, platform.readiness, ...services.map((s) => s.readiness ?? {})),
    onShutdown: async () => {
      for (const service of [...services].reverse()) await service.stop?.();
      await relay.stop();
      await platform.close();
      await telemetry.shutdown();
    },
  });
  relay.start();
  for (const service of services) await service.start?.();
  return { host, services, platform, auth, relayCheckpoint: () => relay.checkpoint(), dataDir: config.dataDir };
}
