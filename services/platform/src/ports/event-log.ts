/**
 * EventLog port: topics of keyed records, consumed by groups with committed offsets.
 * Guarantee: at-least-once. Order is kept per key (the key is the aggregate id, so all events
 * of one aggregate stay in order). Embedded: an LMDB-backed log shared by the processes of one
 * machine. Production: Kafka.
 */

export interface LogRecord {
  /** Partitioning / ordering key: the aggregate (stream) id. */
  key: string;
  /** The encoded event (Avro single-object encoding of the envelope). */
  value: Buffer;
  /** Small string headers: `event-id`, `event-type`, `tenant`, `traceparent`, ... */
  headers?: Record<string, string>;
}

export interface ConsumedRecord extends LogRecord {
  topic: string;
  partition: number;
  /** Offset within the topic partition; the committed offset is the next one to read. */
  offset: number;
  /** Append time in ms since the epoch. */
  timestamp: number;
  headers: Record<string, string>;
}

export interface SubscribeOptions {
  /** Consumer group: each group sees every record; offsets are kept per group. */
  group: string;
  topics: readonly string[];
  /** Where a group without committed offsets starts. Default true (from the beginning). */
  fromBeginning?: boolean;
  /** Upper bound of records handed to one `eachBatch` call. Default 1000. */
  maxBatchSize?: number;
}

/**
 * Called with records of one topic partition in offset order. When it resolves, the adapter
 * commits the offset after the batch's last record. When it rejects, nothing of the batch is
 * committed and the adapter redelivers the batch after a pause (the consumer runner in
 * `consumer/runner.ts` turns per-record failures into retries and dead letters, so a
 * rejection here means an infrastructure failure).
 */
export type BatchHandler = (batch: readonly ConsumedRecord[]) => Promise<void>;

export interface Subscription {
  /** Stop fetching, let the batch in progress finish and commit, then resolve. */
  stop(): Promise<void>;
}

export interface EventLog {
  /** Append records to a topic; resolves when they are durable. */
  publish(topic: string, records: readonly LogRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions, eachBatch: BatchHandler): Promise<Subscription>;
  /** Committed offset of a group (next offset to read) per topic partition; lag monitoring. */
  committedOffsets(group: string, topic: string): Promise<Map<number, number>>;
  /** End offset (next offset to be written) per partition of a topic. */
  endOffsets(topic: string): Promise<Map<number, number>>;
  close(): Promise<void>;
}
