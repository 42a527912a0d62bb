/**
 * Runs one service as its own process (production layout: one deployment per service), with
 * the same routes under `/api/<name>` as in the embedded host.
 */
import { createAuth } from '../runtime/auth';
import { loadPlatformConfig } from '../runtime/config';
import { startHost, type Host } from '../runtime/host';
import { serviceMount } from '../runtime/http';
import { createLogger } from '../runtime/logger';
import { setupTelemetry } from '../runtime/telemetry';
import { openPlatform } from './platform';
import type { ServiceFactory } from './service';

export interface StandaloneOptions {
  name: string;
  createService: ServiceFactory;
  /** Whether this service reads or writes the warehouse (opens chDB embedded). Default false. */
  usesWarehouse?: boolean;
}

export async function runStandalone(options: StandaloneOptions): Promise<Host> {
  const config = loadPlatformConfig();
  const logger = createLogger({ service: options.name, level: config.logLevel });
  const telemetry = setupTelemetry({ serviceName: `lagebild-${options.name}`, otlpEndpoint: config.otlpEndpoint, logger });
  const platform = await openPlatform({ config, logger, warehouse: options.usesWarehouse === true });
  const auth = await createAuth(config, logger);
  const service = await options.createService({ ...platform, logger, auth });
  const host = await startHost({
    name: options.name,
    host: config.host,
    port: config.port,
    logger,
    auth,
    bodyLimit: config.bodyLimit,
    mounts: [serviceMount(service.name, service.router, { openapi: service.openapi })],
    pages: service.pages ?? [],
    readiness: { ...platform.readiness, ...service.readiness },
    onShutdown: async () => {
      await service.stop?.();
      await platform.close();
      await telemetry.shutdown();
    },
  });
  await service.start?.();
  logger.info({ url: host.url }, `${options.name} läuft`);
  return host;
}
