import { randomUUID } from 'node:crypto';
import { silentLogger, type Logger } from '../consumer/logger';
import { LmdbClosedError, openLmdbEnvironment } from '../lmdb/environment';
import type { BatchHandler, ConsumedRecord, EventLog, LogRecord, SubscribeOptions, Subscription } from '../ports/event-log';
import { decodeRecord, RecordEncoder } from './record-codec';
import { validateGroup, validateRecords, validateSubscribeOptions, validateTopic } from './validation';
import { Waker } from './waker';

export interface LmdbEventLogOptions {
  /** Data dir of the LMDB environment (shared with the other embedded adapters). */
  path: string;
  /**
   * How often an idle subscription looks for records. Publishes of the same process wake it at
   * once; those of other processes are seen at the next poll. Default 50 ms.
   */
  pollIntervalMs?: number;
  /** Pause before a batch whose handler rejected is delivered again. Default 1000 ms. */
  redeliveryDelayMs?: number;
  /**
   * How long a subscription's claim on a (group, topic) lasts without renewal. A claim of a
   * process that no longer runs is taken over at once. Default 10 000 ms.
   */
  sessionTimeoutMs?: number;
  /**
   * Bytes of record values per batch handed to a handler: a batch ends after the record that
   * reaches it (so at least one record), even below maxBatchSize. Records of thousands of
   * observations each would otherwise make a batch of 1,000 records several hundred MB. Kafka
   * bounds its fetches the same way (maxBytes). Default 16 MiB.
   */
  maxBatchBytes?: number;
  logger?: Logger;
}

/*
 * Layout (sub-databases of the shared environment):
 *
 * - `log.records`: [topic, offset] -> the record in the layout of record-codec.ts. One
 *   partition per topic: on one machine a single ordered sequence per topic is enough, and
 *   ConsumedRecord.partition is always 0, so the Kafka adapter's partitions fit the same port.
 * - `log.offsets`: [group, topic, partition] -> next offset to read (the committed offset).
 * - `log.claims`: [group, topic] -> [member id, pid, expires at]. A topic partition is consumed
 *   by one member of a group at a time, as in Kafka: the claim keeps two subscriptions of one
 *   group (in one process or in two) from handling the same records in parallel.
 */
type RecordKey = [topic: string, offset: number];
type OffsetKey = [group: string, topic: string, partition: number];
type ClaimKey = [group: string, topic: string];
type Claim = [member: string, pid: number, expiresAt: number];

const RECORDS_DB = 'log.records';
const OFFSETS_DB = 'log.offsets';
const CLAIMS_DB = 'log.claims';
const PARTITION = 0;
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

export function createLmdbEventLog(options: LmdbEventLogOptions): EventLog {
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 1000;
  const maxBatchBytes = options.maxBatchBytes ?? 16 * 1024 * 1024;
  if (!(maxBatchBytes > 0)) throw new RangeError(`maxBatchBytes muss eine Zahl über 0 sein, nicht ${String(maxBatchBytes)}.`);
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  const logger = options.logger ?? silentLogger;
  for (const [name, value] of Object.entries({ pollIntervalMs, redeliveryDelayMs })) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} muss eine Zahl ab 0 sein, nicht ${String(value)}.`);
  }
  if (!Number.isFinite(sessionTimeoutMs) || sessionTimeoutMs <= 0) {
    throw new RangeError(`sessionTimeoutMs muss eine Zahl größer 0 sein, nicht ${String(sessionTimeoutMs)}.`);
  }

  const env = openLmdbEnvironment(options.path);
  const recordsDb = env.database<Buffer, RecordKey>(RECORDS_DB, { binary: true });
  const encoder = new RecordEncoder();
  const offsetsDb = env.database<number, OffsetKey>(OFFSETS_DB);
  const claimsDb = env.database<Claim, ClaimKey>(CLAIMS_DB);
  const subscriptions = new Set<Subscription>();
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new LmdbClosedError(env.path);
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    const forget = () => pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  function endOffsetSync(topic: string): number {
    for (const key of recordsDb.getKeys({ start: [topic, MAX_OFFSET], end: [topic], reverse: true, limit: 1 })) return key[1] + 1;
    return 0;
  }

  function committedSync(group: string, topic: string): number | undefined {
    return offsetsDb.get([group, topic, PARTITION]);
  }

  async function publish(topic: string, records: readonly LogRecord[]): Promise<void> {
    ensureOpen();
    validateTopic(topic);
    validateRecords(topic, records);
    if (records.length === 0) return;
    const timestamp = Date.now();
    // A child transaction: concurrent publishes of one event turn share a commit and a flush,
    // and a publish is all or nothing. Offsets are assigned inside the write transaction, which
    // LMDB serialises across processes, so two publishing processes never collide.
    await track(
      recordsDb.childTransaction(() => {
        let offset = endOffsetSync(topic);
        for (const record of records) {
          // Written synchronously inside the transaction, so the encoder's buffer is free again after.
          recordsDb.put([topic, offset], encoder.encode(timestamp, record.key, record.headers, record.value));
          offset += 1;
        }
      }),
    );
    await env.flushed();
    env.signals.emit(publishSignal(topic));
  }

  function readBatch(topic: string, from: number, maxCount: number): ConsumedRecord[] {
    const batch: ConsumedRecord[] = [];
    let size = 0;
    for (const { key, value } of recordsDb.getRange({ start: [topic, from], end: [topic, from + maxCount] })) {
      const { timestamp, key: recordKey, headers, value: bytes } = decodeRecord(value);
      batch.push({ topic, partition: PARTITION, offset: key[1], timestamp, key: recordKey, value: bytes, headers });
      size += bytes.length;
      if (size >= maxBatchBytes) break;
    }
    return batch;
  }

  async function subscribe(subscribeOptions: SubscribeOptions, eachBatch: BatchHandler): Promise<Subscription> {
    ensureOpen();
    const { group, topics, fromBeginning, maxBatchSize } = validateSubscribeOptions(subscribeOptions);
    if (typeof eachBatch !== 'function') throw new TypeError('eachBatch muss eine Funktion sein.');

    if (!fromBeginning) {
      // A group without committed offsets starts at the current end; committing that start
      // right away keeps it stable when the subscription is restarted before any record arrives.
      await track(
        offsetsDb.childTransaction(() => {
          for (const topic of topics) {
            if (committedSync(group, topic) === undefined) offsetsDb.put([group, topic, PARTITION], endOffsetSync(topic));
          }
        }),
      );
    }

    const member = `${process.pid}:${randomUUID()}`;
    const owned = new Set<string>();
    /** Next offset to read per owned topic; the committed offset may lag behind it briefly. */
    const positions = new Map<string, number>();
    const commits = new Set<Promise<void>>();
    const waker = new Waker();
    const pause = new Waker();
    let stopping = false;

    const onPublish = () => waker.notify();
    for (const topic of topics) env.signals.on(publishSignal(topic), onPublish);

    /** Whether this member may take the topic: unclaimed, its own, expired, or its owner is gone. */
    function claimable(topic: string, now: number): boolean {
      const claim = claimsDb.get([group, topic]);
      return claim === undefined || claim[0] === member || claim[2] <= now || !isProcessAlive(claim[1]);
    }

    /**
     * Claims the topics that are free. Checked by a read first, so a member that waits for a
     * busy topic does not write on every poll.
     */
    async function claimFreeTopics(): Promise<void> {
      const wanted = topics.filter((topic) => !owned.has(topic) && claimable(topic, Date.now()));
      if (wanted.length === 0) return;
      await track(
        claimsDb.childTransaction(() => {
          const now = Date.now();
          for (const topic of wanted) {
            const previous = claimsDb.get([group, topic]);
            if (!claimable(topic, now)) continue;
            claimsDb.put([group, topic], [member, process.pid, now + sessionTimeoutMs]);
            owned.add(topic);
            positions.delete(topic);
            if (previous !== undefined && previous[0] !== member) logger.info({ group, topic, previous: previous[0] }, 'Verwaiste Zuordnung übernommen');
          }
        }),
      );
    }

    /** Extends the own claims; a claim someone else took over (after expiry) is given up. */
    async function renewClaims(): Promise<void> {
      await track(
        claimsDb.childTransaction(() => {
          const now = Date.now();
          for (const topic of owned) {
            const claim = claimsDb.get([group, topic]);
            if (claim !== undefined && claim[0] === member) {
              claimsDb.put([group, topic], [member, process.pid, now + sessionTimeoutMs]);
            } else {
              owned.delete(topic);
              positions.delete(topic);
              logger.warn({ group, topic, owner: claim?.[0] }, 'Zuordnung an ein anderes Mitglied der Gruppe verloren');
            }
          }
        }),
      );
    }

    async function releaseClaims(): Promise<void> {
      await track(
        claimsDb.childTransaction(() => {
          for (const topic of owned) {
            const claim = claimsDb.get([group, topic]);
            if (claim !== undefined && claim[0] === member) claimsDb.remove([group, topic]);
          }
        }),
      );
      owned.clear();
    }

    /** Commits only while the claim is still ours, so a member that lost it cannot move the offset back. */
    async function commit(topic: string, nextOffset: number): Promise<boolean> {
      return (await track(
        offsetsDb.childTransaction(() => {
          const claim = claimsDb.get([group, topic]);
          if (claim === undefined || claim[0] !== member) return false;
          offsetsDb.put([group, topic, PARTITION], nextOffset);
          return true;
        }),
      )) as boolean;
    }

    // Renew claims in the background, also while a long batch runs, so they do not lapse.
    const heartbeat = setInterval(() => {
      if (!stopping && owned.size > 0) {
        renewClaims().catch((error: unknown) => logger.warn({ err: error, group }, 'Zuordnung konnte nicht erneuert werden'));
      }
    }, Math.max(10, sessionTimeoutMs / 3));
    heartbeat.unref();

    async function run(): Promise<void> {
      while (!stopping) {
        let delivered = false;
        try {
          if (owned.size < topics.length) await claimFreeTopics();
          for (const topic of topics) {
            if (stopping) break;
            if (!owned.has(topic)) continue;
            const from = positions.get(topic) ?? committedSync(group, topic) ?? 0;
            const batch = readBatch(topic, from, maxBatchSize);
            if (batch.length === 0) continue;
            delivered = true;
            try {
              await eachBatch(batch);
            } catch (error) {
              const fields = { err: error, group, topic, fromOffset: from, records: batch.length };
              if (stopping) {
                logger.info(fields, 'Stapel beim Beenden abgebrochen, er wird beim nächsten Start erneut zugestellt');
                break;
              }
              logger.warn(fields, 'Verarbeitung eines Stapels fehlgeschlagen, er wird erneut zugestellt');
              await pause.wait(redeliveryDelayMs);
              continue;
            }
            const next = batch[batch.length - 1]!.offset + 1;
            positions.set(topic, next);
            // The commit is not awaited before the next batch is read: at-least-once needs the
            // offset to move forward eventually, not before the next batch (a crash in between
            // redelivers both), and the next batch is handled while the commit is flushed. A
            // commit shares its transaction with other writes queued at the same time.
            // stop() awaits the commits.
            const committing = commit(topic, next).then((committed) => {
              if (!committed) {
                owned.delete(topic);
                positions.delete(topic);
                logger.warn({ group, topic }, 'Offset nicht bestätigt: die Zuordnung gehört inzwischen einem anderen Mitglied');
              }
            });
            commits.add(committing);
            committing.then(
              () => commits.delete(committing),
              (error: unknown) => {
                commits.delete(committing);
                positions.delete(topic);
                logger.error({ err: error, group, topic }, 'Offset konnte nicht bestätigt werden; der Stapel wird erneut zugestellt');
              },
            );
          }
        } catch (error) {
          if (closed && error instanceof LmdbClosedError) break;
          logger.error({ err: error, group }, 'Fehler beim Lesen des Ereignisprotokolls');
          if (!stopping) await pause.wait(redeliveryDelayMs);
          continue;
        }
        if (!delivered && !stopping) await waker.wait(pollIntervalMs);
      }
    }

    const running = run()
      .catch((error: unknown) => logger.error({ err: error, group }, 'Abonnement unerwartet beendet'))
      .finally(async () => {
        clearInterval(heartbeat);
        await Promise.allSettled([...commits]);
        for (const topic of topics) env.signals.off(publishSignal(topic), onPublish);
        try {
          await releaseClaims();
        } catch (error) {
          logger.warn({ err: error, group }, 'Zuordnung konnte nicht freigegeben werden');
        }
      });

    const subscription: Subscription = {
      async stop() {
        stopping = true;
        waker.notify();
        pause.notify();
        await running;
        subscriptions.delete(subscription);
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  return {
    publish,
    subscribe,
    async committedOffsets(group: string, topic: string) {
      ensureOpen();
      validateGroup(group);
      validateTopic(topic);
      const offset = committedSync(group, topic);
      return new Map(offset === undefined ? [] : [[PARTITION, offset]]);
    },
    async endOffsets(topic: string) {
      ensureOpen();
      validateTopic(topic);
      return new Map([[PARTITION, endOffsetSync(topic)]]);
    },
    async close() {
      if (closed) return;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      closed = true;
      await Promise.allSettled([...pending]);
      await env.release();
    },
  };
}

function publishSignal(topic: string): string {
  return `log.publish:${topic}`;
}

/** Same machine by construction (LMDB is shared memory), so the owner's pid can be probed. */
function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** For tests and tools that inspect the raw layout. */
export const lmdbEventLogLayout = { recordsDb: RECORDS_DB, offsetsDb: OFFSETS_DB, claimsDb: CLAIMS_DB } as const;
