/**
 * What a one-shot command (import, areas import, ...) works with: the platform's ports opened
 * in this process, without the warehouse (chDB binds its data dir to one process, and the
 * running `lagebild start` may hold it). Events appended here are relayed to the log by the
 * running host, or at its next start.
 */
import { envelopeSchemaCatalog } from '@lagebild/contracts';
import { createLogger, loadPlatformConfig, openPlatform, type Logger, type Platform, type PlatformConfig } from '@lagebild/platform';

export interface CommandContext {
  config: PlatformConfig;
  logger: Logger;
  platform: Platform;
  close(): Promise<void>;
}

export async function openCommandContext(name: string, env: NodeJS.ProcessEnv = process.env): Promise<CommandContext> {
  const config = loadPlatformConfig(env);
  // Commands talk to people on stdout; their logs stay quiet unless asked for.
  const logger = createLogger({ service: `lagebild-${name}`, level: env.LAGEBILD_LOG_LEVEL ? config.logLevel : 'warn' });
  const platform = await openPlatform({ config, logger, warehouse: false, name: 'lagebild-cli', ...(config.schemaRegistryUrl ? { schemaCatalog: envelopeSchemaCatalog() } : {}) });
  return { config, logger, platform, close: () => platform.close() };
}
