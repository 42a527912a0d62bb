/**
 * Options of the Kafka event log, checked once at construction (STYLE.md 7): a wrong value
 * fails the start with a German message instead of a broker error later.
 */
import type { Logger } from '../../consumer/logger';
import { DEFAULT_BATCH_LIMITS, validateBatchLimits, type BatchLimits } from './batcher';
import type { AvroSchemaCatalog } from './schema-registry';

export interface KafkaSaslOptions {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export interface KafkaEventLogOptions {
  /** Bootstrap brokers as `host:port` (KAFKA_BROKERS). */
  brokers: string[];
  /** Names this process in broker logs and quotas, e.g. the service name. */
  clientId: string;
  logger?: Logger;
  /** TLS to the brokers with the system's CA certificates. @default false */
  ssl?: boolean;
  /** SASL authentication; use together with `ssl` unless the network is trusted. */
  sasl?: KafkaSaslOptions;
  /**
   * Partitions of topics this log creates (event topics and their dead-letter topics). Existing
   * topics are left as they are. The number bounds how many members of one consumer group work
   * in parallel. @default 6
   */
  topicPartitions?: number;
  /** Replicas per partition of created topics. @default the broker's default.replication.factor */
  replicationFactor?: number;
  /** Confluent Schema Registry (SCHEMA_REGISTRY_URL); values then travel in its wire format. */
  schemaRegistryUrl?: string;
  /** Required with `schemaRegistryUrl`: resolves fingerprints and schemas (built from contracts/). */
  schemaCatalog?: AvroSchemaCatalog;
  /** Producer batching. @default { maxRecords: 5000, maxBytes: 1000000, lingerMs: 5 } */
  batch?: Partial<BatchLimits>;
  /** Pause before a batch whose handler rejected is delivered again. @default 1000 */
  redeliveryDelayMs?: number;
  /** A member that sends no heartbeat for this long leaves its group. @default 30000 */
  sessionTimeoutMs?: number;
  /** Retries of a failed request (with exponential backoff from 300 ms) before it fails. @default 8 */
  retries?: number;
  /** How long a fetch waits at the broker for new records; also bounds how long stop() waits for an idle fetch. @default 500 */
  maxWaitTimeMs?: number;
}

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl: KafkaSaslOptions | undefined;
  topicPartitions: number;
  replicationFactor: number | undefined;
  schemaRegistry: { url: string; catalog: AvroSchemaCatalog } | undefined;
  batch: BatchLimits;
  redeliveryDelayMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  retries: number;
  maxWaitTimeMs: number;
}

const BROKER = /^[^\s:/]+:\d{1,5}$/;
const SASL_MECHANISMS: ReadonlyArray<KafkaSaslOptions['mechanism']> = ['plain', 'scram-sha-256', 'scram-sha-512'];

export function kafkaSettings(options: KafkaEventLogOptions): KafkaSettings {
  const { brokers, clientId } = options;
  if (!Array.isArray(brokers) || brokers.length === 0) throw new RangeError('Das Kafka-Ereignisprotokoll braucht mindestens einen Broker (host:port).');
  for (const broker of brokers) {
    if (typeof broker !== 'string' || !BROKER.test(broker)) throw new RangeError(`Der Kafka-Broker "${String(broker)}" ist nicht in der Form host:port.`);
  }
  if (typeof clientId !== 'string' || clientId.length === 0) throw new RangeError('clientId darf nicht leer sein (z. B. der Name des Dienstes).');

  const topicPartitions = options.topicPartitions ?? 6;
  positiveInteger('topicPartitions', topicPartitions);
  if (options.replicationFactor !== undefined) positiveInteger('replicationFactor', options.replicationFactor);

  if (options.sasl !== undefined) {
    const { mechanism, username, password } = options.sasl;
    if (!SASL_MECHANISMS.includes(mechanism)) throw new RangeError(`Das SASL-Verfahren muss ${SASL_MECHANISMS.join(', ')} sein, nicht ${String(mechanism)}.`);
    if (typeof username !== 'string' || username.length === 0 || typeof password !== 'string') {
      throw new RangeError('SASL braucht einen Benutzernamen und ein Passwort.');
    }
  }

  let schemaRegistry: KafkaSettings['schemaRegistry'];
  if (options.schemaRegistryUrl !== undefined) {
    const catalog = options.schemaCatalog;
    if (!catalog || typeof catalog.schemaOf !== 'function' || typeof catalog.fingerprintOf !== 'function') {
      throw new RangeError(
        'Mit einer Schema Registry braucht das Kafka-Ereignisprotokoll einen Schema-Katalog (schemaCatalog), der Fingerprints und Schemas aus contracts/ auflöst.',
      );
    }
    schemaRegistry = { url: options.schemaRegistryUrl, catalog };
  }

  const batch = validateBatchLimits({ ...DEFAULT_BATCH_LIMITS, ...options.batch });
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 1000;
  if (!Number.isFinite(redeliveryDelayMs) || redeliveryDelayMs < 0) throw new RangeError(`redeliveryDelayMs muss eine Zahl ab 0 sein, nicht ${String(redeliveryDelayMs)}.`);
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
  positiveInteger('sessionTimeoutMs', sessionTimeoutMs);
  const retries = options.retries ?? 8;
  if (!Number.isSafeInteger(retries) || retries < 0) throw new RangeError(`retries muss eine ganze Zahl ab 0 sein, nicht ${String(retries)}.`);
  const maxWaitTimeMs = options.maxWaitTimeMs ?? 500;
  positiveInteger('maxWaitTimeMs', maxWaitTimeMs);

  return {
    brokers: [...brokers],
    clientId,
    ssl: options.ssl ?? false,
    sasl: options.sasl,
    topicPartitions,
    replicationFactor: options.replicationFactor,
    schemaRegistry,
    batch,
    redeliveryDelayMs,
    sessionTimeoutMs,
    // Kafka's guidance: at most a third of the session timeout, so two lost heartbeats are survived.
    heartbeatIntervalMs: Math.max(100, Math.min(3000, Math.floor(sessionTimeoutMs / 3))),
    retries,
    maxWaitTimeMs,
  };
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} muss eine ganze Zahl ab 1 sein, nicht ${String(value)}.`);
}
