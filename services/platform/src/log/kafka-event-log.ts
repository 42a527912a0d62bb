/**
 * The EventLog port over Apache Kafka (kafkajs): the production event log (ARCHITECTURE.md 4).
 * It passes the same port suite as the embedded LMDB log (test/suites/event-log.ts).
 *
 * Delivery guarantee: at-least-once, in order per key. Consumers make the effect exactly-once by
 * deduplicating on the `event-id` header (consumer/runner.ts) and by writing idempotently (the
 * projector's rows replace themselves). In detail:
 *
 * - `publish` resolves when every record is acknowledged by all in-sync replicas (acks = -1).
 *   kafkajs retries a failed request (`retries`, exponential backoff). One produce request is in
 *   flight at a time (the batcher sends requests one after another, `maxInFlightRequests: 1`),
 *   so a retry can duplicate records but never reorder the records of a partition. A publish
 *   that rejects may have written part of its records; the outbox relay publishes them again.
 * - A record's partition follows its key, the aggregate id (murmur2 like the Java client), so an
 *   aggregate's events sit in one partition in publish order.
 * - A group commits a partition's offset only after the handler resolved for every record before
 *   it (`eachBatchAutoResolve: false`, `resolveOffset`, then a commit). A crash, a rebalance or
 *   a failed commit in between delivers those records again, to this or another member.
 *
 * Why not kafkajs' idempotent producer or transactions (exactly-once semantics, EOS): the
 * kafkajs documentation marks `idempotent` as experimental, and its transactions build on it.
 * The gain would be small as well: the idempotent producer suppresses duplicates of producer
 * retries only within one producer session, while a restarted relay republishes from its
 * checkpoint anyway; and EOS covers writes to Kafka plus offset commits, not the effects
 * consumers have in MongoDB or ClickHouse. Deduplication by event id is needed regardless, and
 * it covers every source of duplicates at once. (STYLE.md 5 asks adapters to refuse a
 * non-idempotent producer; for this reason the guarantee rests on idempotent consumers.)
 *
 * Rebalances: the handler sees records of one partition at a time (`partitionsConsumedConcurrently`
 * 1, like the embedded log). Before an offset is resolved and committed the adapter checks that
 * the batch is not stale (`isStale()`) and that the partition is still assigned to this member
 * (from the latest group join); otherwise nothing is committed and the new owner reads the
 * records again. While a handler runs, a timer sends heartbeats, so a long batch does not cost
 * the member its session; a heartbeat that reports a rebalance ends the batch after the running
 * handler call, commits what is done while the generation is still valid, and lets kafkajs rejoin.
 *
 * Failed handlers: the port promises redelivery after a pause. The adapter retries the same
 * records in place after `redeliveryDelayMs` (heartbeating meanwhile) until the handler succeeds,
 * the subscription stops or the partition moves. Nothing is committed before. The consumer
 * runner (consumer/runner.ts) already retries per record and parks a record that keeps failing
 * in `<topic>.dlq` with `dlq-*` headers (attempts, error, origin), so a rejection reaching this
 * adapter means an infrastructure failure. This adapter creates the dead-letter topic along
 * with each subscribed topic. There is deliberately no `<topic>.retry` topic: re-queuing a
 * failed record would let later events of the same aggregate overtake it, and the projector
 * relies on per-aggregate order.
 *
 * Topics are created on first use through the admin client with `topicPartitions` and
 * `replicationFactor` (idempotent: an existing topic is left unchanged). Producer and consumers
 * never auto-create topics, so a typo cannot create a one-partition topic. Headers pass through
 * unchanged, `traceparent` included (runtime/telemetry.ts), and `publish` runs in a producer span.
 * `close()` (the SIGTERM path) stops every subscription (the running batch finishes and commits),
 * flushes queued records and disconnects.
 *
 * kafkajs is loaded by the factory, so processes on the embedded log never load it.
 */
import type { Admin, Consumer, EachBatchPayload, KafkaMessage, Producer, SASLOptions } from 'kafkajs';
import { silentLogger } from '../consumer/logger';
import { defaultDeadLetterTopic } from '../consumer/runner';
import type { BatchHandler, EventLog, LogRecord, SubscribeOptions, Subscription } from '../ports/event-log';
import { SpanKind, withSpan } from '../runtime/telemetry';
import { PublishBatcher, type TopicBatch } from './kafka/batcher';
import { describeKafkaError, isKafkaAuthenticationError, isRetriableKafkaError, KafkaEventLogError } from './kafka/errors';
import { kafkaLogCreator } from './kafka/logging';
import { kafkaSettings, type KafkaEventLogOptions } from './kafka/options';
import { assertKafkaTopicName, messageSize, nextOffset, toConsumedRecord, toOutgoingMessage, type IncomingMessage, type OutgoingMessage } from './kafka/records';
import { confluentWireFormat, createSchemaRegistryClient, plainWireFormat, type ValueWireFormat } from './kafka/schema-registry';
import { validateGroup, validateRecords, validateSubscribeOptions, validateTopic } from './validation';
import { Waker } from './waker';

export type { KafkaEventLogOptions, KafkaSaslOptions } from './kafka/options';
export type { AvroSchemaCatalog } from './kafka/schema-registry';

const EMPTY = Buffer.alloc(0);
const DEAD_LETTER_SUFFIX = defaultDeadLetterTopic('');

export async function createKafkaEventLog(options: KafkaEventLogOptions): Promise<EventLog> {
  const settings = kafkaSettings(options);
  const logger = options.logger ?? silentLogger;
  const kafkajs = await import('kafkajs');
  const wire: ValueWireFormat = settings.schemaRegistry
    ? confluentWireFormat({ registry: createSchemaRegistryClient({ url: settings.schemaRegistry.url }), catalog: settings.schemaRegistry.catalog })
    : plainWireFormat;
  const brokersText = settings.brokers.join(', ');

  const kafka = new kafkajs.Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    ...(settings.sasl && { sasl: settings.sasl as SASLOptions }),
    retry: { retries: settings.retries, initialRetryTime: 300, maxRetryTime: 30_000 },
    logLevel: kafkajs.logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: false,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  const admin: Admin = kafka.admin();
  try {
    await Promise.all([producer.connect(), admin.connect()]);
  } catch (error) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    if (isKafkaAuthenticationError(error)) {
      throw new KafkaEventLogError(
        `Kafka unter ${brokersText} lehnt die Anmeldung ab (${describeKafkaError(error)}). Benutzer, Passwort und SASL-Verfahren prüfen.`,
        { retriable: false, cause: error },
      );
    }
    throw new KafkaEventLogError(
      `Kafka ist unter ${brokersText} nicht erreichbar (${describeKafkaError(error)}). KAFKA_BROKERS prüfen und ob die Broker laufen.`,
      { retriable: true, cause: error },
    );
  }

  const batcher = new PublishBatcher<OutgoingMessage>({
    limits: settings.batch,
    sizeOf: messageSize,
    send: async (batch: ReadonlyArray<TopicBatch<OutgoingMessage>>) => {
      try {
        await producer.sendBatch({ topicMessages: batch.map(({ topic, messages }) => ({ topic, messages })), acks: -1, timeout: 30_000 });
      } catch (error) {
        const count = batch.reduce((sum, { messages }) => sum + messages.length, 0);
        throw new KafkaEventLogError(
          `Kafka hat ${count} Datensätze für ${batch.map(({ topic }) => topic).join(', ')} nicht bestätigt (${describeKafkaError(error)}).`,
          { retriable: isRetriableKafkaError(error), cause: error },
        );
      }
    },
  });

  const subscriptions = new Set<Subscription>();
  /** Topics known to exist, with the creation in progress. */
  const topicsReady = new Map<string, Promise<void>>();
  let closed = false;
  let closing: Promise<void> | undefined;

  function ensureOpen(): void {
    if (closed) throw new KafkaEventLogError('Das Kafka-Ereignisprotokoll ist bereits geschlossen.', { retriable: false });
  }

  async function createTopic(topic: string): Promise<void> {
    try {
      const created = await admin.createTopics({
        waitForLeaders: true,
        // Event topics are the system of record for replays: kept forever, never compacted.
        topics: [
          {
            topic,
            numPartitions: settings.topicPartitions,
            ...(settings.replicationFactor !== undefined && { replicationFactor: settings.replicationFactor }),
            configEntries: [
              { name: 'retention.ms', value: '-1' },
              { name: 'retention.bytes', value: '-1' },
              { name: 'cleanup.policy', value: 'delete' },
            ],
          },
        ],
      });
      if (created) logger.info({ topic, partitions: settings.topicPartitions, replicationFactor: settings.replicationFactor ?? 'broker' }, 'Kafka-Topic angelegt');
    } catch (error) {
      throw new KafkaEventLogError(
        `Das Kafka-Topic "${topic}" konnte nicht angelegt werden (${describeKafkaError(error)}). ` +
          'Rechte des Kafka-Benutzers (CREATE) und replicationFactor gegen die Zahl der Broker prüfen.',
        { retriable: isRetriableKafkaError(error), cause: error },
      );
    }
  }

  /** Creates missing topics once per process; a failed creation is tried again next time. */
  function ensureTopics(topics: readonly string[]): Promise<void> {
    return Promise.all(
      topics.map((topic) => {
        let ready = topicsReady.get(topic);
        if (!ready) {
          ready = createTopic(topic);
          topicsReady.set(topic, ready);
          ready.catch(() => topicsReady.delete(topic));
        }
        return ready;
      }),
    ).then(() => undefined);
  }

  /** Whether a topic exists, without creating it (the admin client never auto-creates). */
  async function topicExists(topic: string): Promise<boolean> {
    const ready = topicsReady.get(topic);
    if (ready && (await ready.then(() => true, () => false))) return true;
    const exists = (await adminCall(`Topics auflisten`, () => admin.listTopics())).includes(topic);
    if (exists && !topicsReady.has(topic)) topicsReady.set(topic, Promise.resolve());
    return exists;
  }

  async function adminCall<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new KafkaEventLogError(`Kafka-Verwaltungsanfrage fehlgeschlagen (${what}): ${describeKafkaError(error)}.`, {
        retriable: isRetriableKafkaError(error),
        cause: error,
      });
    }
  }

  async function publish(topic: string, records: readonly LogRecord[]): Promise<void> {
    ensureOpen();
    validateTopic(topic);
    assertKafkaTopicName(topic);
    validateRecords(topic, records);
    if (records.length === 0) return;
    await withSpan(
      'eventlog.publish',
      { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.batch.message_count': records.length },
      async () => {
        await ensureTopics([topic]);
        const messages = await Promise.all(records.map(async (record) => toOutgoingMessage(record, await wire.toWire(topic, asBuffer(record.value)))));
        await batcher.add(topic, messages);
      },
      { kind: SpanKind.PRODUCER },
    );
  }

  /** For a group without committed offsets on some partitions: their current end offsets. */
  async function startOffsetsAtEnd(group: string, topics: readonly string[]): Promise<Map<string, string>> {
    const starts = new Map<string, string>();
    const committed = await adminCall(`Offsets der Gruppe "${group}"`, () => admin.fetchOffsets({ groupId: group, topics: [...topics] }));
    for (const { topic, partitions } of committed) {
      const missing = partitions.filter(({ offset }) => Number(offset) < 0);
      if (missing.length === 0) continue;
      const ends = await adminCall(`End-Offsets von "${topic}"`, () => admin.fetchTopicOffsets(topic));
      for (const { partition } of missing) {
        const end = ends.find((entry) => entry.partition === partition);
        if (end) starts.set(partitionKey(topic, partition), end.high);
      }
    }
    return starts;
  }

  async function subscribe(subscribeOptions: SubscribeOptions, eachBatch: BatchHandler): Promise<Subscription> {
    ensureOpen();
    const { group, topics, fromBeginning, maxBatchSize } = validateSubscribeOptions(subscribeOptions);
    for (const topic of topics) assertKafkaTopicName(topic);
    if (typeof eachBatch !== 'function') throw new TypeError('eachBatch muss eine Funktion sein.');

    // The dead-letter topics too: the consumer runner publishes there when a record keeps failing.
    // (Not for a dead-letter topic itself: its reader does not dead-letter again.)
    const deadLetterTopics = topics.filter((topic) => !topic.endsWith(DEAD_LETTER_SUFFIX)).map(defaultDeadLetterTopic);
    await ensureTopics([...topics, ...deadLetterTopics]);
    // A new group that starts at the end starts at the end as of now, not as of its first fetch
    // a moment later: records published right after subscribe() resolved are delivered. The start
    // is committed with the first fetch, so a restart before any record arrives keeps it.
    const startAtEnd = fromBeginning ? new Map<string, string>() : await startOffsetsAtEnd(group, topics);

    const consumer: Consumer = kafka.consumer({
      groupId: group,
      allowAutoTopicCreation: false,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: settings.maxWaitTimeMs,
      retry: { retries: settings.retries, initialRetryTime: 300, maxRetryTime: 30_000 },
    });
    /** Partitions per topic assigned to this member at the latest join; empty during a rebalance. */
    const assignment = new Map<string, Set<number>>();
    const pause = new Waker();
    let stopping = false;

    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      assignment.clear();
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        assignment.set(topic, new Set(partitions));
        for (const partition of partitions) {
          const start = startAtEnd.get(partitionKey(topic, partition));
          if (start === undefined) continue;
          consumer.seek({ topic, partition, offset: start });
          startAtEnd.delete(partitionKey(topic, partition));
        }
      }
      logger.info({ group, assignment: payload.memberAssignment }, 'Kafka-Consumer der Gruppe beigetreten');
    });
    consumer.on(consumer.events.REBALANCING, () => assignment.clear());
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const fields = { err: payload.error, group };
      if (payload.restart) logger.warn(fields, 'Kafka-Consumer nach einem Fehler neu gestartet');
      else logger.error(fields, 'Kafka-Consumer nach einem nicht behebbaren Fehler beendet; das Abonnement liest nicht mehr');
    });

    const owns = (topic: string, partition: number) => assignment.get(topic)?.has(partition) === true;

    /**
     * Hands the records to the handler until it succeeds. Returns false when it gave up
     * (stopping, stale batch, partition moved), leaving the records uncommitted.
     */
    async function deliver(topic: string, partition: number, messages: readonly KafkaMessage[], mayRetry: () => boolean): Promise<boolean> {
      for (;;) {
        try {
          const records = await Promise.all(
            messages.map(async (message) => {
              const incoming = message as IncomingMessage;
              return toConsumedRecord(topic, partition, incoming, await wire.fromWire(topic, incoming.value ?? EMPTY));
            }),
          );
          await eachBatch(records);
          return true;
        } catch (error) {
          const fields = { err: error, group, topic, partition, fromOffset: messages[0]?.offset, records: messages.length };
          if (!mayRetry()) {
            logger.info(fields, 'Stapel abgebrochen (Abonnement endet oder Partition neu verteilt), er wird erneut zugestellt');
            return false;
          }
          logger.warn(fields, 'Verarbeitung eines Stapels fehlgeschlagen, er wird erneut zugestellt');
          await pause.wait(settings.redeliveryDelayMs);
          if (!mayRetry()) return false;
        }
      }
    }

    async function handleBatch(payload: EachBatchPayload): Promise<void> {
      const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
      const { topic, partition } = batch;
      let rebalance: unknown;
      // kafkajs heartbeats only when asked; a long handler call would otherwise exceed the session.
      const keepAlive = setInterval(() => {
        heartbeat().catch((error: unknown) => {
          rebalance ??= error;
        });
      }, settings.heartbeatIntervalMs);
      const mayRetry = () => !stopping && isRunning() && !isStale() && owns(topic, partition) && rebalance === undefined;
      try {
        for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
          if (!mayRetry()) break;
          const messages = batch.messages.slice(start, start + maxBatchSize);
          if (!(await deliver(topic, partition, messages, mayRetry))) break;
          // Done, so commit, also when stopping (stop lets the running batch finish and commit),
          // but never for a batch a seek made stale or a partition this member no longer owns.
          if (isStale() || !owns(topic, partition)) break;
          const last = messages[messages.length - 1]!.offset;
          resolveOffset(last);
          await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: nextOffset(last) }] }] });
          if (rebalance !== undefined) break;
          await heartbeat();
        }
      } finally {
        clearInterval(keepAlive);
      }
      // kafkajs rejoins the group when the batch ends with the rebalance error (not when it stops).
      if (rebalance !== undefined && !stopping) throw rebalance;
    }

    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning });
      await consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: handleBatch,
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw new KafkaEventLogError(`Das Abonnement der Gruppe "${group}" auf ${topics.join(', ')} konnte nicht starten (${describeKafkaError(error)}).`, {
        retriable: isRetriableKafkaError(error),
        cause: error,
      });
    }

    let stopped: Promise<void> | undefined;
    const subscription: Subscription = {
      stop() {
        stopped ??= (async () => {
          stopping = true;
          pause.notify();
          try {
            // Waits for the running batch (which commits what it finished), then leaves the group.
            await consumer.disconnect();
          } catch (error) {
            logger.warn({ err: error, group }, 'Kafka-Consumer konnte nicht sauber getrennt werden');
          }
          subscriptions.delete(subscription);
        })();
        return stopped;
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
      assertKafkaTopicName(topic);
      const offsets = new Map<number, number>();
      if (!(await topicExists(topic))) return offsets;
      const answer = await adminCall(`Offsets der Gruppe "${group}"`, () => admin.fetchOffsets({ groupId: group, topics: [topic] }));
      for (const entry of answer) {
        if (entry.topic !== topic) continue;
        // -1: the group has committed nothing for the partition.
        for (const { partition, offset } of entry.partitions) if (Number(offset) >= 0) offsets.set(partition, Number(offset));
      }
      return offsets;
    },
    async endOffsets(topic: string) {
      ensureOpen();
      validateTopic(topic);
      assertKafkaTopicName(topic);
      const offsets = new Map<number, number>();
      if (!(await topicExists(topic))) return offsets;
      for (const { partition, high } of await adminCall(`End-Offsets von "${topic}"`, () => admin.fetchTopicOffsets(topic))) offsets.set(partition, Number(high));
      return offsets;
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await Promise.allSettled([...subscriptions].map((subscription) => subscription.stop()));
        await batcher.close();
        await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      })();
      return closing;
    },
  };
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
