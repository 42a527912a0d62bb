/**
 * Opens the four ports for one process, choosing adapters from the configuration
 * (ARCHITECTURE.md 4): without KAFKA_BROKERS / MONGODB_URL / CLICKHOUSE_URL everything runs
 * embedded under LAGEBILD_DATA_DIR (LMDB for store, log and documents; chDB for the warehouse).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MongoClient } from 'mongodb';
import { createLmdbDocumentStore, createMongoDocumentStore } from '../documents';
import { type AvroSchemaCatalog, createKafkaEventLog, createLmdbEventLog } from '../log';
import { type AuditTrail, createAuditTrail } from '../runtime/audit';
import { type ReadinessChecks } from '../runtime/http';
import { ConfigError, selectAdapters, type PlatformConfig } from '../runtime/config';
import { type Logger } from '../runtime/logger';
import { connectMongo, createLmdbEventStore, createMongoEventStore } from '../store';
import { createChdbWarehouse, createClickHouseWarehouse } from '../warehouse';
import type { PlatformPorts } from './service';

export interface Platform extends PlatformPorts {
  /** Readiness checks of the ports, for `/ready`. */
  readiness: ReadinessChecks;
  /**
   * The access records of this process's requests, kept in its event store (runtime/audit.ts);
   * hosts bind it with `auditedServiceMount`. Flushed by `close` before the store closes.
   */
  audit: AuditTrail;
  /** Closes every port (after the services have stopped). */
  close(): Promise<void>;
}

export interface OpenPlatformOptions {
  config: Pick<
    PlatformConfig,
    | 'dataDir'
    | 'kafkaBrokers'
    | 'kafkaSsl'
    | 'kafkaSasl'
    | 'kafkaTopicPartitions'
    | 'kafkaReplicationFactor'
    | 'schemaRegistryUrl'
    | 'mongodbUrl'
    | 'mongodbDatabase'
    | 'clickhouseUrl'
    | 'clickhouseReadonly'
    | 'auth'
    | 'otlpEndpoint'
  >;
  logger: Logger;
  /** Open the warehouse too (only the process that projects and serves the FIS needs it). Default true. */
  warehouse?: boolean;
  /** Names this process at the Kafka brokers (client id). @default 'lagebild' */
  name?: string;
  /** Envelope schemas by fingerprint (contracts' `envelopeSchemaCatalog()`); needed with SCHEMA_REGISTRY_URL. */
  schemaCatalog?: AvroSchemaCatalog;
}

/** Sub-folders of the data dir, one per embedded engine. */
export function embeddedPaths(dataDir: string): { lmdb: string; warehouse: string } {
  return { lmdb: join(dataDir, 'lmdb'), warehouse: join(dataDir, 'warehouse') };
}

/**
 * Each port gets the adapter its variable selects (KAFKA_BROKERS, MONGODB_URL, CLICKHOUSE_URL);
 * the others stay embedded under the data directory, so a partial setup (say, a ClickHouse server
 * with everything else embedded) works too. Servers are checked as they are opened: an
 * unreachable one, or a MongoDB without replica set, stops the start with a German message.
 */
export async function openPlatform(options: OpenPlatformOptions): Promise<Platform & { warehouse: PlatformPorts['warehouse'] }> {
  const { config, logger } = options;
  const selection = selectAdapters(config);
  if (config.schemaRegistryUrl && !config.kafkaBrokers) {
    throw new ConfigError([{ variable: 'SCHEMA_REGISTRY_URL', message: 'gilt nur mit KAFKA_BROKERS (das eingebettete Log kennt keine Schema Registry)' }]);
  }
  if (config.schemaRegistryUrl && !options.schemaCatalog) {
    throw new ConfigError([{ variable: 'SCHEMA_REGISTRY_URL', message: 'dieser Prozess kennt die Schemas der Ereignisse nicht (schemaCatalog fehlt); bitte einen Dienst-Einstiegspunkt verwenden' }]);
  }
  const opened: Array<{ close(): Promise<void> }> = [];
  const paths = embeddedPaths(config.dataDir);
  const needsLmdb = selection.eventStore === 'lmdb' || selection.eventLog === 'lmdb';
  if (needsLmdb) assertWritable(paths.lmdb, config.dataDir);
  try {
    let mongo: MongoClient | undefined;
    if (config.mongodbUrl) {
      mongo = await connectMongo(config.mongodbUrl);
      opened.push({ close: () => mongo!.close() });
    }
    const eventStore = mongo
      ? await createMongoEventStore({ client: mongo, database: config.mongodbDatabase, logger: logger.child({ component: 'event-store' }) })
      : createLmdbEventStore({ path: paths.lmdb });
    const documents = mongo
      ? await createMongoDocumentStore({ client: mongo, database: config.mongodbDatabase, logger: logger.child({ component: 'documents' }) })
      : createLmdbDocumentStore({ path: paths.lmdb });
    opened.push(eventStore, documents);
    const eventLog = config.kafkaBrokers
      ? await createKafkaEventLog({
          brokers: [...config.kafkaBrokers],
          clientId: options.name ?? 'lagebild',
          logger: logger.child({ component: 'event-log' }),
          ssl: config.kafkaSsl,
          ...(config.kafkaSasl ? { sasl: { ...config.kafkaSasl } } : {}),
          topicPartitions: config.kafkaTopicPartitions,
          ...(config.kafkaReplicationFactor ? { replicationFactor: config.kafkaReplicationFactor } : {}),
          ...(config.schemaRegistryUrl ? { schemaRegistryUrl: config.schemaRegistryUrl, schemaCatalog: options.schemaCatalog! } : {}),
        })
      : createLmdbEventLog({ path: paths.lmdb, logger: logger.child({ component: 'event-log' }) });
    opened.push(eventLog);
    let warehouse: PlatformPorts['warehouse'];
    if (options.warehouse === false) warehouse = closedWarehouse();
    else if (config.clickhouseUrl) {
      warehouse = await createClickHouseWarehouse({
        url: config.clickhouseUrl,
        logger: logger.child({ component: 'warehouse' }),
        ...(config.clickhouseReadonly ? { readonlyUsername: config.clickhouseReadonly.username, readonlyPassword: config.clickhouseReadonly.password } : {}),
      });
    } else {
      assertWritable(paths.warehouse, config.dataDir);
      warehouse = await createChdbWarehouse({ path: paths.warehouse, logger: logger.child({ component: 'warehouse' }) });
    }
    logger.info({ dataDir: config.dataDir, adapters: selection }, selection.embedded ? 'platform opened (embedded)' : 'platform opened');
    const audit = createAuditTrail({ eventStore, documents, logger: logger.child({ component: 'audit' }) });

    return {
      eventStore,
      eventLog,
      documents,
      warehouse,
      audit,
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
        // The audit buffer goes to the store while it is still open.
        await audit.close();
        // Log and documents first: they may still flush consumer commits that reference the store.
        await eventLog.close();
        await documents.close();
        await eventStore.close();
        await warehouse.close();
        await mongo?.close();
      },
    };
  } catch (error) {
    // Nothing half-open stays behind when one server is unreachable.
    for (const port of opened.reverse()) await port.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The embedded engines need to write their directory (LMDB even to read: it keeps a lock file).
 * A read-only or foreign-owned data directory is refused before any engine opens it, in German,
 * naming the directory, instead of the engines' own errors.
 */
function assertWritable(dir: string, dataDir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.schreibprobe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unbekannt';
    const why = code === 'ENOSPC' ? 'der Datenträger ist voll' : code === 'EROFS' ? 'das Dateisystem ist schreibgeschützt' : code === 'EACCES' || code === 'EPERM' ? 'keine Schreibrechte' : `Fehler ${code}`;
    throw new ConfigError([{ variable: 'LAGEBILD_DATA_DIR', message: `in das Datenverzeichnis ${dataDir} kann nicht geschrieben werden (${why}, bei ${dir}); Schreibrechte geben, Platz schaffen oder ein anderes Verzeichnis wählen` }]);
  }
}

/** Stands in for the warehouse in processes that do not open it; any use is a wiring error. */
function closedWarehouse(): PlatformPorts['warehouse'] {
  const refuse = async (): Promise<never> => {
    throw new Error('Dieser Prozess hat das Warehouse nicht geöffnet (openPlatform mit warehouse: false).');
  };
  return { command: refuse, insert: refuse, query: refuse, close: async () => undefined };
}
