import type { DocumentStore } from '../ports/document-store';
import type { ConsumedRecord, EventLog, Subscription } from '../ports/event-log';
import { silentLogger, type Logger } from './logger';
import { createDocumentStoreProcessedEventIds, type ProcessedEventIds } from './processed-ids';

export interface RetryPolicy {
  /** Attempts per batch, and again per record once the batch gave up. */
  maxAttempts: number;
  /** Pause after the first failed attempt; doubles after each further one. */
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 5_000 };

/** Header carrying the event id the relay sets on every record. */
export const EVENT_ID_HEADER = 'event-id';

/** Headers a dead letter carries next to the original record's own headers. */
export const DEAD_LETTER_HEADERS = {
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  consumerGroup: 'dlq-consumer-group',
  error: 'dlq-error',
  attempts: 'dlq-attempts',
  failedAt: 'dlq-failed-at',
} as const;

export function defaultDeadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export interface ConsumerOptions {
  log: EventLog;
  group: string;
  topics: readonly string[];
  /**
   * Handles records of one topic in offset order. Throwing means: these records failed.
   * `signal` aborts when the consumer is stopped: a long handler may give up between its steps
   * (throwing anything); the batch is then neither committed nor dead-lettered but delivered
   * again on the next start, so shutdown need not wait for a large batch to finish.
   */
  handle: (records: readonly ConsumedRecord[], context: HandlerContext) => Promise<void>;
  /**
   * Which event ids the group has processed. Default: a set over `documents` (collection
   * `processed:<group>`). `false` turns deduplication off; only for handlers that are
   * idempotent by themselves.
   */
  idempotency?: ProcessedEventIds | false;
  /** Where the default processed-id set lives; required unless `idempotency` is given. */
  documents?: DocumentStore;
  retry?: Partial<RetryPolicy>;
  /** Topic for records that keep failing. Default `<topic>.dlq`. */
  deadLetterTopic?: (topic: string) => string;
  fromBeginning?: boolean;
  maxBatchSize?: number;
  logger?: Logger;
  /** Clock for the dead letters' failed-at header. Default: the system clock. */
  now?: () => Date;
}

export interface HandlerContext {
  /** Aborted once `stop()` was called. */
  signal: AbortSignal;
}

class ConsumerStoppedError extends Error {
  constructor() {
    super('Der Consumer wird beendet.');
    this.name = 'ConsumerStoppedError';
  }
}

/**
 * Runs a consumer group over the event log with the guarantees every service needs:
 *
 * - Idempotency by event id: records whose `event-id` the group has processed are skipped
 *   (also a duplicate within one batch), ids are marked after the handler succeeded. Records
 *   without an event id are always handled.
 * - Bounded retries: a failing batch is retried with exponential backoff. When it still fails
 *   after `maxAttempts`, its records are handled one by one with the same retries, so one bad
 *   record cannot hold back the others.
 * - Dead letters: a record that still fails alone is published to the dead-letter topic with
 *   its original key and value bytes and headers naming the origin and the error, marked as
 *   processed, and consumption goes on.
 * - Graceful stop: `stop()` ends retry pauses at once, aborts the handler's signal (a handler
 *   that honours it gives up its batch, which is delivered again on the next start; one that
 *   does not is let finish), and commits what was completed. Use `onShutdownSignals` to stop on SIGTERM / SIGINT.
 *
 * Effects of a handler and the marking of its ids are not one transaction: after a crash
 * between the two, the records are handled again, so handlers should be idempotent in effect
 * (the projector writes rows keyed so that a replay overwrites itself).
 */
export async function runConsumer(options: ConsumerOptions): Promise<Subscription> {
  const { log, group, topics, handle } = options;
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const deadLetterTopic = options.deadLetterTopic ?? defaultDeadLetterTopic;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  if (typeof handle !== 'function') throw new TypeError('handle muss eine Funktion sein.');
  if (!Number.isSafeInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts muss eine ganze Zahl ab 1 sein, nicht ${String(retry.maxAttempts)}.`);
  }
  if (!(retry.initialBackoffMs >= 0) || !(retry.maxBackoffMs >= 0)) {
    throw new RangeError('Die Wartezeiten der Wiederholungen müssen Zahlen ab 0 sein.');
  }

  let processedIds: ProcessedEventIds | undefined;
  if (options.idempotency !== undefined) {
    processedIds = options.idempotency === false ? undefined : options.idempotency;
  } else if (options.documents) {
    processedIds = createDocumentStoreProcessedEventIds({ documents: options.documents, group });
  } else {
    throw new TypeError(
      `Der Consumer "${group}" braucht eine Ablage für verarbeitete Ereignis-IDs (documents oder idempotency); ` +
        'idempotency: false schaltet die Deduplizierung ausdrücklich ab.',
    );
  }

  const stopped = new AbortController();
  const context: HandlerContext = { signal: stopped.signal };

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (stopped.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        stopped.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopped.signal.addEventListener('abort', done);
    });
  }

  /** Runs `handle` up to maxAttempts times; returns the last error, or undefined on success. */
  async function attempt(records: readonly ConsumedRecord[]): Promise<{ error?: unknown; attempts: number }> {
    let lastError: unknown;
    for (let attemptNo = 1; attemptNo <= retry.maxAttempts; attemptNo += 1) {
      if (stopped.signal.aborted) throw new ConsumerStoppedError();
      try {
        await handle(records, context);
        return { attempts: attemptNo };
      } catch (error) {
        // Given up because of the stop: not a failure of these records, so no retry and no dead letter.
        if (stopped.signal.aborted) throw new ConsumerStoppedError();
        lastError = error;
        logger.warn(
          { err: error, group, topic: records[0]?.topic, fromOffset: records[0]?.offset, records: records.length, attempt: attemptNo },
          'Verarbeitung fehlgeschlagen',
        );
        if (attemptNo < retry.maxAttempts) {
          await sleep(Math.min(retry.maxBackoffMs, retry.initialBackoffMs * 2 ** (attemptNo - 1)));
        }
      }
    }
    return { error: lastError ?? new Error('Unbekannter Fehler'), attempts: retry.maxAttempts };
  }

  async function markProcessed(records: readonly ConsumedRecord[]): Promise<void> {
    if (!processedIds) return;
    const ids = records.map(eventIdOf).filter((id): id is string => id !== undefined);
    await processedIds.markProcessed(ids);
  }

  async function deadLetter(record: ConsumedRecord, error: unknown, attempts: number): Promise<void> {
    const topic = deadLetterTopic(record.topic);
    await log.publish(topic, [
      {
        key: record.key,
        value: record.value,
        headers: {
          ...record.headers,
          [DEAD_LETTER_HEADERS.originalTopic]: record.topic,
          [DEAD_LETTER_HEADERS.originalPartition]: String(record.partition),
          [DEAD_LETTER_HEADERS.originalOffset]: String(record.offset),
          [DEAD_LETTER_HEADERS.consumerGroup]: group,
          [DEAD_LETTER_HEADERS.error]: describeError(error),
          [DEAD_LETTER_HEADERS.attempts]: String(attempts),
          [DEAD_LETTER_HEADERS.failedAt]: now().toISOString(),
        },
      },
    ]);
    logger.error(
      { err: error, group, topic: record.topic, offset: record.offset, eventId: eventIdOf(record), deadLetterTopic: topic },
      'Datensatz nach wiederholtem Fehlschlag in die Dead-Letter-Queue verschoben',
    );
  }

  async function fresh(batch: readonly ConsumedRecord[]): Promise<ConsumedRecord[]> {
    if (!processedIds) return [...batch];
    const ids = [...new Set(batch.map(eventIdOf).filter((id): id is string => id !== undefined))];
    const done = ids.length > 0 ? await processedIds.processed(ids) : new Set<string>();
    const seen = new Set<string>();
    return batch.filter((record) => {
      const id = eventIdOf(record);
      if (id === undefined) return true;
      if (done.has(id) || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }

  async function eachBatch(batch: readonly ConsumedRecord[]): Promise<void> {
    const records = await fresh(batch);
    if (records.length === 0) return;
    const whole = await attempt(records);
    if (whole.error === undefined) return markProcessed(records);
    if (records.length === 1) {
      await deadLetter(records[0]!, whole.error, whole.attempts);
      return markProcessed(records);
    }
    for (const record of records) {
      const single = await attempt([record]);
      if (single.error !== undefined) await deadLetter(record, single.error, single.attempts);
      await markProcessed([record]);
    }
  }

  const subscription = await log.subscribe(
    { group, topics, ...(options.fromBeginning !== undefined && { fromBeginning: options.fromBeginning }), ...(options.maxBatchSize !== undefined && { maxBatchSize: options.maxBatchSize }) },
    eachBatch,
  );

  return {
    async stop() {
      stopped.abort();
      await subscription.stop();
    },
  };
}

function eventIdOf(record: ConsumedRecord): string | undefined {
  const id = record.headers[EVENT_ID_HEADER];
  return id === undefined || id === '' ? undefined : id;
}

const MAX_ERROR_LENGTH = 2000;

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
