/**
 * Collects the records of concurrent `publish` calls into produce requests, bounded by count,
 * bytes and time, the way Kafka's own clients batch (`batch.size`, `linger.ms`): one
 * `sendBatch` carries the records of every caller that published while the previous request
 * was in flight, so throughput does not hinge on one awaited round trip per event.
 *
 * Rules:
 * - A request holds at most `maxRecords` records and, unless a single record is larger,
 *   at most `maxBytes` bytes. A publish larger than that is split over several requests and
 *   resolves when the last of them is acknowledged.
 * - When idle, the first record waits at most `lingerMs` for company; reaching a limit sends
 *   at once. Records that arrive while a request is in flight go out right after it.
 * - One request at a time, in arrival order: records of one topic and key keep their order
 *   even when the client retries a request.
 * - A failed request fails its publishes and every publish queued behind it. They were queued
 *   after the failed records, so sending them would overtake records that their publisher
 *   will publish again (the outbox relay retries from its checkpoint).
 *
 * Pure apart from the injected `send` and timer, so the rules are unit-tested without a broker.
 */

export interface BatchLimits {
  /** Records per request. */
  maxRecords: number;
  /** Bytes per request (keys, values, headers and a fixed overhead per record). */
  maxBytes: number;
  /** How long the first record of an idle batcher waits for more. */
  lingerMs: number;
}

/**
 * Kafka's broker refuses a record batch above `message.max.bytes` (about 1 MB by default) per
 * partition; a request below that fits whatever the partitioning. Raise both together.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxRecords: 5_000, maxBytes: 1_000_000, lingerMs: 5 };

/** Per-record overhead of Kafka's record format (lengths, offsets delta, attributes), rounded up. */
export const RECORD_OVERHEAD_BYTES = 32;

export interface TopicBatch<M> {
  topic: string;
  messages: M[];
}

/** Schedules `run` after `ms`; returns a function that cancels it. */
export type Scheduler = (run: () => void, ms: number) => () => void;

export const timerScheduler: Scheduler = (run, ms) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

export interface PublishBatcherOptions<M> {
  limits: BatchLimits;
  /** Sends one request; resolves when the broker acknowledged all of it. */
  send: (batch: ReadonlyArray<TopicBatch<M>>) => Promise<void>;
  /** Size of one message in bytes, as counted against `maxBytes`. */
  sizeOf: (message: M) => number;
  schedule?: Scheduler;
}

interface Ticket {
  remaining: number;
  settled: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Entry<M> {
  topic: string;
  message: M;
  bytes: number;
  ticket: Ticket;
}

export class BatcherClosedError extends Error {
  readonly code = 'EVENT_LOG_CLOSED';
  readonly retriable = false;

  constructor() {
    super('Das Ereignisprotokoll wird geschlossen; es nimmt keine Datensätze mehr an.');
    this.name = 'BatcherClosedError';
  }
}

export function validateBatchLimits(limits: BatchLimits): BatchLimits {
  const { maxRecords, maxBytes, lingerMs } = limits;
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new RangeError(`batch.maxRecords muss eine ganze Zahl ab 1 sein, nicht ${String(maxRecords)}.`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`batch.maxBytes muss eine ganze Zahl ab 1 sein, nicht ${String(maxBytes)}.`);
  if (!Number.isFinite(lingerMs) || lingerMs < 0) throw new RangeError(`batch.lingerMs muss eine Zahl ab 0 sein, nicht ${String(lingerMs)}.`);
  return limits;
}

export class PublishBatcher<M> {
  private readonly limits: BatchLimits;
  private readonly send: (batch: ReadonlyArray<TopicBatch<M>>) => Promise<void>;
  private readonly sizeOf: (message: M) => number;
  private readonly schedule: Scheduler;
  private queue: Array<Entry<M>> = [];
  private queuedBytes = 0;
  private cancelLinger: (() => void) | undefined;
  private sending = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(options: PublishBatcherOptions<M>) {
    this.limits = validateBatchLimits(options.limits);
    this.send = options.send;
    this.sizeOf = options.sizeOf;
    this.schedule = options.schedule ?? timerScheduler;
  }

  /** Number of records waiting to be sent (not counting a request in flight). */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues the messages for `topic`; resolves when all of them are acknowledged. */
  add(topic: string, messages: readonly M[]): Promise<void> {
    if (this.closed) return Promise.reject(new BatcherClosedError());
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { remaining: messages.length, settled: false, resolve, reject };
      for (const message of messages) {
        const bytes = this.sizeOf(message);
        this.queue.push({ topic, message, bytes, ticket });
        this.queuedBytes += bytes;
      }
      this.wake();
    });
  }

  /** Sends everything queued now, without waiting for the linger time; resolves when idle. */
  flush(): Promise<void> {
    this.startSending();
    return this.whenIdle();
  }

  /** Refuses further records, sends what is queued and resolves when it is acknowledged. */
  close(): Promise<void> {
    this.closed = true;
    return this.flush();
  }

  private wake(): void {
    if (this.sending) return;
    if (this.queue.length >= this.limits.maxRecords || this.queuedBytes >= this.limits.maxBytes) {
      this.startSending();
      return;
    }
    this.cancelLinger ??= this.schedule(() => {
      this.cancelLinger = undefined;
      this.startSending();
    }, this.limits.lingerMs);
  }

  private whenIdle(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private startSending(): void {
    if (this.sending) return;
    if (this.cancelLinger) {
      this.cancelLinger();
      this.cancelLinger = undefined;
    }
    if (this.queue.length === 0) {
      this.notifyIdle();
      return;
    }
    this.sending = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const chunk = this.takeChunk();
      try {
        await this.send(groupByTopic(chunk));
      } catch (error) {
        this.failAll(chunk, error);
        continue;
      }
      for (const entry of chunk) {
        const ticket = entry.ticket;
        ticket.remaining -= 1;
        if (ticket.remaining === 0 && !ticket.settled) {
          ticket.settled = true;
          ticket.resolve();
        }
      }
    }
    this.sending = false;
    this.notifyIdle();
  }

  /** The longest prefix of the queue within the limits; at least one record. */
  private takeChunk(): Array<Entry<M>> {
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < this.limits.maxRecords) {
      const next = this.queue[count]!;
      if (count > 0 && bytes + next.bytes > this.limits.maxBytes) break;
      bytes += next.bytes;
      count += 1;
    }
    const chunk = this.queue.splice(0, count);
    this.queuedBytes -= bytes;
    return chunk;
  }

  private failAll(chunk: ReadonlyArray<Entry<M>>, error: unknown): void {
    const failed = [...chunk, ...this.queue];
    this.queue = [];
    this.queuedBytes = 0;
    for (const entry of failed) {
      if (entry.ticket.settled) continue;
      entry.ticket.settled = true;
      entry.ticket.reject(error);
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Groups a request's records by topic, keeping their order within each topic. */
function groupByTopic<M>(chunk: ReadonlyArray<Entry<M>>): Array<TopicBatch<M>> {
  const byTopic = new Map<string, M[]>();
  for (const entry of chunk) {
    let messages = byTopic.get(entry.topic);
    if (!messages) {
      messages = [];
      byTopic.set(entry.topic, messages);
    }
    messages.push(entry.message);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
