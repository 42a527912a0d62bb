/**
 * Opens the four ports for one process, choosing adapters from the configuration
 * (ARCHITECTURE.md 4): without KAFKA_BROKERS / MONGODB_URL / CLICKHOUSE_URL everything runs
 * embedded under LAGEBILD_DATA_DIR (LMDB for store, log and documents; chDB for the warehouse).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLmdbDocumentStore } from '../documents';
import { createLmdbEventLog } from '../log';
import { type ReadinessChecks } from '../runtime/http';
import { ConfigError, selectAdapters, type PlatformConfig } from '../runtime/config';
import { type Logger } from '../runtime/logger';
import { createLmdbEventStore } from '../store';
import { createChdbWarehouse } from '../warehouse';
import type { PlatformPorts } from './service';

export interface Platform extends PlatformPorts {
  /** Readiness checks of the ports, for `/ready`. */
  readiness: ReadinessChecks;
  /** Closes every port (after the services have stopped). */
  close(): Promise<void>;
}

export interface OpenPlatformOptions {
  config: Pick<PlatformConfig, 'dataDir' | 'kafkaBrokers' | 'mongodbUrl' | 'clickhouseUrl' | 'auth' | 'otlpEndpoint'>;
  logger: Logger;
  /** Open the warehouse too (only the process that projects and serves the FIS needs it). Default true. */
  warehouse?: boolean;
}

/** Sub-folders of the data dir, one per embedded engine. */
export function embeddedPaths(dataDir: string): { lmdb: string; warehouse: string } {
  return { lmdb: join(dataDir, 'lmdb'), warehouse: join(dataDir, 'warehouse') };
}

export async function openPlatform(options: OpenPlatformOptions): Promise<Platform & { warehouse: PlatformPorts['warehouse'] }> {
  const { config, logger } = options;
  const selection = selectAdapters(config);
  const production: Array<[string, string]> = [];
  if (selection.eventLog === 'kafka') production.push(['KAFKA_BROKERS', 'Kafka']);
  if (selection.eventStore === 'mongodb') production.push(['MONGODB_URL', 'MongoDB']);
  if (selection.warehouse === 'clickhouse') production.push(['CLICKHOUSE_URL', 'ClickHouse-Server']);
  if (production.length > 0) {
    // Refuse rather than silently run embedded: an operator who set the variable expects the server.
    throw new ConfigError(
      production.map(([variable, server]) => ({
        variable,
        message: `der ${server}-Adapter ist in dieser Version noch nicht enthalten; Variable entfernen, um eingebettet zu laufen`,
      })),
    );
  }

  const paths = embeddedPaths(config.dataDir);
  mkdirSync(paths.lmdb, { recursive: true });
  mkdirSync(paths.warehouse, { recursive: true });
  const eventStore = createLmdbEventStore({ path: paths.lmdb });
  const eventLog = createLmdbEventLog({ path: paths.lmdb, logger: logger.child({ component: 'event-log' }) });
  const documents = createLmdbDocumentStore({ path: paths.lmdb });
  const warehouse = options.warehouse === false ? closedWarehouse() : await createChdbWarehouse({ path: paths.warehouse, logger: logger.child({ component: 'warehouse' }) });
  logger.info({ dataDir: config.dataDir, adapters: selection }, 'platform opened (embedded)');

  return {
    eventStore,
    eventLog,
    documents,
    warehouse,
    readiness: {
      eventStore: async () => {
        await eventStore.lastPosition();
      },
      documents: async () => {
        await documents.get('platform.meta', 'ready-probe');
      },
      eventLog: async () => {
        await eventLog.endOffsets('lagebild.ingestion');
      },
      ...(options.warehouse === false
        ? {}
        : {
            warehouse: async () => {
              await warehouse.query('SELECT 1 AS ok');
            },
          }),
    },
    async close() {
      // Log and documents first: they may still flush consumer commits that reference the store.
      await eventLog.close();
      await documents.close();
      await eventStore.close();
      await warehouse.close();
    },
  };
}

/** Stands in for the warehouse in processes that do not open it; any use is a wiring error. */
function closedWarehouse(): PlatformPorts['warehouse'] {
  const refuse = async (): Promise<never> => {
    throw new Error('Dieser Prozess hat das Warehouse nicht geöffnet (openPlatform mit warehouse: false).');
  };
  return { command: refuse, insert: refuse, query: refuse, close: async () => undefined };
}
