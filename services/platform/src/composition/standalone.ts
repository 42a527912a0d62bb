/**
 * Runs one service as its own process (production layout: one deployment per service), with
 * the same routes under `/api/<name>` as in the embedded host.
 */
import type { AvroSchemaCatalog } from '../log';
import { createOutboxRelay, type OutboxRelayOptions } from '../outbox';
import { auditedServiceMount } from '../runtime/audit-api';
import { createAuth } from '../runtime/auth';
import { loadPlatformConfig } from '../runtime/config';
import { startHost, type Host } from '../runtime/host';
import { createLogger } from '../runtime/logger';
import { setupTelemetry } from '../runtime/telemetry';
import { openPlatform } from './platform';
import type { ServiceFactory } from './service';

export interface StandaloneOptions {
  name: string;
  createService: ServiceFactory;
  /** Whether this service reads or writes the warehouse (opens chDB embedded). Default false. */
  usesWarehouse?: boolean;
  /** Envelope schemas for the Schema Registry wire format (contracts' `envelopeSchemaCatalog()`). */
  schemaCatalog?: AvroSchemaCatalog;
  /**
   * Maps the service's stored events to log records (contracts' `outboxMapper(codec)`): the
   * process runs the outbox relay of its own event store. Each standalone service therefore needs
   * a store of its own (MONGODB_DATABASE or LAGEBILD_DATA_DIR per service); a relay over a shared
   * store would publish the other services' events again (harmless to idempotent consumers, but
   * wasted work).
   */
  toRecord?: OutboxRelayOptions['toRecord'];
}

export async function runStandalone(options: StandaloneOptions): Promise<Host> {
  const config = loadPlatformConfig();
  const logger = createLogger({ service: options.name, level: config.logLevel });
  const telemetry = setupTelemetry({ serviceName: `lagebild-${options.name}`, otlpEndpoint: config.otlpEndpoint, logger });
  const platform = await openPlatform({ config, logger, warehouse: options.usesWarehouse === true, name: `lagebild-${options.name}`, ...(options.schemaCatalog ? { schemaCatalog: options.schemaCatalog } : {}) });
  const auth = await createAuth(config, logger);
  const service = await options.createService({ ...platform, logger, auth });
  const relay = options.toRecord
    ? createOutboxRelay({
        store: platform.eventStore,
        log: platform.eventLog,
        checkpoints: platform.documents,
        name: options.name,
        toRecord: options.toRecord,
        logger: logger.child({ component: 'outbox-relay' }),
      })
    : undefined;
  const host = await startHost({
    name: options.name,
    host: config.host,
    port: config.port,
    logger,
    auth,
    bodyLimit: config.bodyLimit,
    mounts: [auditedServiceMount(service, platform.audit)],
    pages: service.pages ?? [],
    readiness: { ...platform.readiness, ...service.readiness },
    onShutdown: async () => {
      await service.stop?.();
      await relay?.stop();
      await platform.close();
      await telemetry.shutdown();
    },
  });
  relay?.start();
  await service.start?.();
  logger.info({ url: host.url }, `${options.name} läuft`);
  return host;
}
