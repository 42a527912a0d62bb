import { silentLogger, type Logger } from '../consumer/logger';
import { Waker } from '../log/waker';
import type { DocumentStore } from '../ports/document-store';
import type { EventLog, LogRecord } from '../ports/event-log';
import type { EventStore, StoredEvent } from '../ports/event-store';

/** Where an event goes: the topic and the record (key, encoded value, headers). */
export interface OutboxRecord {
  topic: string;
  record: LogRecord;
}

export interface OutboxRelayOptions {
  store: EventStore;
  log: EventLog;
  /** Keeps the relay's checkpoint (the position of the last relayed event). */
  checkpoints: DocumentStore;
  /** Names the checkpoint. Run one relay per name: two would publish everything twice. */
  name: string;
  /**
   * Maps a stored event to its record, or to `undefined` for a private event that other
   * services never see. The service wiring plugs the Avro codec of contracts/ in here, so the
   * platform does not depend on the contracts at runtime. If it throws, the relay stops at that
   * event and retries: the outbox never skips an event.
   */
  toRecord: (event: StoredEvent) => OutboxRecord | undefined;
  /** Most events read and published per round. Default 1000. */
  batchSize?: number;
  /**
   * Bytes of records aimed at per round. Rounds of large events (a computation's batches of
   * 2,000 values) hold fewer of them: after each round the next one reads as many events as fit
   * this budget at the last round's average size (at least one, at most batchSize), so memory
   * stays bounded whatever the events carry. Default 16 MiB.
   */
  maxRoundBytes?: number;
  /** Pause between rounds when there is nothing to relay. Default 100 ms. */
  pollIntervalMs?: number;
  /** Pause after a failed round. Default 1000 ms. */
  retryDelayMs?: number;
  logger?: Logger;
}

export interface OutboxRelay {
  /** Relay in the background until `stop()`. */
  start(): void;
  /** Let the round in progress finish (publish and checkpoint), then resolve; a backlog is left for the next start. */
  stop(): Promise<void>;
  /** Relay everything committed so far; resolves with the number of records published. */
  runOnce(): Promise<number>;
  /** Position of the last relayed event (0 before the first round). */
  checkpoint(): Promise<number>;
}

export const OUTBOX_CHECKPOINTS = 'outbox.checkpoints';

interface CheckpointDocument {
  position: number;
  updatedAt: string;
}

/**
 * Transactional outbox: the event store append is the commit point, and this relay copies the
 * appended events to the event log in store order.
 *
 * Guarantee: at-least-once. A round publishes, then saves the checkpoint. If the process dies
 * between the two (or the checkpoint write fails), the next round publishes that batch again,
 * so consumers deduplicate by the `event-id` header (see consumer/runner.ts). Nothing is lost:
 * the checkpoint only moves past events whose publish has resolved, i.e. is durable in the log.
 *
 * Order: records of one topic are published in store order (one publish call per topic and
 * round, records in position order), so the events of one stream keep their order per key.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { store, log, checkpoints, name, toRecord } = options;
  const batchSize = options.batchSize ?? 1000;
  const maxRoundBytes = options.maxRoundBytes ?? 16 * 1024 * 1024;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const logger = options.logger ?? silentLogger;
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('Der Outbox-Relay braucht einen Namen.');
  if (typeof toRecord !== 'function') throw new TypeError('toRecord muss eine Funktion sein.');
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize muss eine ganze Zahl ab 1 sein, nicht ${String(batchSize)}.`);
  if (!(maxRoundBytes > 0)) throw new RangeError(`maxRoundBytes muss eine Zahl über 0 sein, nicht ${String(maxRoundBytes)}.`);

  let position: number | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let loop: Promise<void> | undefined;
  let stopping = false;
  /** Events to read in the next round (adapted to the size of the events, see maxRoundBytes). */
  let roundSize = batchSize;
  const waker = new Waker();

  async function loadCheckpoint(): Promise<number> {
    if (position === undefined) {
      const doc = await checkpoints.get<CheckpointDocument>(OUTBOX_CHECKPOINTS, name);
      position = doc?.position ?? 0;
    }
    return position;
  }

  /** One round; `more` when it read as many events as it asked for (there may be further ones). */
  async function relayBatch(): Promise<{ more: boolean; published: number }> {
    const after = await loadCheckpoint();
    const asked = roundSize;
    const events = await store.readAll({ after, maxCount: asked });
    if (events.length === 0) return { more: false, published: 0 };

    const byTopic = new Map<string, LogRecord[]>();
    let published = 0;
    let bytes = 0;
    for (const event of events) {
      const mapped = toRecord(event);
      if (mapped === undefined) continue;
      let records = byTopic.get(mapped.topic);
      if (!records) {
        records = [];
        byTopic.set(mapped.topic, records);
      }
      records.push(withEnvelopeHeaders(event, mapped.record));
      bytes += mapped.record.value.length;
      published += 1;
    }
    for (const [topic, records] of byTopic) await log.publish(topic, records);

    const last = events[events.length - 1]!.position;
    await checkpoints.put<CheckpointDocument>(OUTBOX_CHECKPOINTS, name, { position: last, updatedAt: new Date().toISOString() });
    position = last;
    roundSize = Math.max(1, Math.min(batchSize, Math.floor(maxRoundBytes / Math.max(1, bytes / events.length))));
    return { more: events.length === asked, published };
  }

  /** Relays until nothing is left, or until stop() was called (then after the round in progress). */
  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { more, published } = await relayBatch();
      total += published;
      if (!more || (stopping && loop !== undefined)) return total;
    }
  }

  /** Rounds never overlap, whether started by the loop or by a caller of runOnce. */
  function runOnce(): Promise<number> {
    const round = queue.then(drain);
    queue = round.catch(() => undefined);
    return round;
  }

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        const published = await runOnce();
        if (published > 0) logger.info({ relay: name, published, position }, 'Ereignisse veröffentlicht');
      } catch (error) {
        logger.error({ err: error, relay: name, position }, 'Outbox-Relay: Veröffentlichen fehlgeschlagen, neuer Versuch folgt');
        // The checkpoint write itself may have failed after publishing; reload it next round.
        position = undefined;
        if (!stopping) await waker.wait(retryDelayMs);
        continue;
      }
      if (!stopping) await waker.wait(pollIntervalMs);
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      waker.notify();
      await loop;
      loop = undefined;
    },
    runOnce,
    async checkpoint() {
      const doc = await checkpoints.get<CheckpointDocument>(OUTBOX_CHECKPOINTS, name);
      return doc?.position ?? 0;
    },
  };
}

/** The envelope headers consumers rely on (dedupe, routing, tracing), unless the mapper set them. */
function withEnvelopeHeaders(event: StoredEvent, record: LogRecord): LogRecord {
  const headers: Record<string, string> = {
    'event-id': event.id,
    'event-type': event.type,
    tenant: event.metadata.tenant,
  };
  if (event.metadata.traceparent) headers.traceparent = event.metadata.traceparent;
  return { key: record.key, value: record.value, headers: { ...headers, ...record.headers } };
}
