/**
 * EventStore port: the commit point of every service. Streams are per aggregate
 * (`goal-<uuid>`, `delivery-<uuid>`); every appended event gets a stream version (1, 2, ...)
 * and a global position (1, 2, ... across all streams, in commit order) that the outbox relay
 * and projections follow.
 */

/** Metadata every event carries; the envelope fields of ARCHITECTURE.md section 5. */
export interface EventMetadata {
  /** Tenant = Gebietskörperschaft by AGS (Gemeinde 8 digits, Kreis / kreisfreie Stadt 5). */
  tenant: string;
  /** When it happened in the domain (ISO 8601), supplied with the command. */
  occurredAt: string;
  /** Who caused it (user id, `system:<component>`). */
  actor: string;
  correlationId: string;
  causationId?: string | null;
  /** W3C trace context of the command that produced the event. */
  traceparent?: string | null;
}

/** An event about to be appended. `id` is a UUID chosen by the caller (idempotency key). */
export interface NewEvent<Type extends string = string, Data = unknown> {
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
}

/** An event as committed. */
export interface StoredEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  stream: string;
  /** 1-based version within the stream. */
  version: number;
  /** 1-based global position in commit order. */
  position: number;
  /** When the store committed it (ISO 8601): the "recorded" axis of bitemporal queries. */
  recordedAt: string;
}

/**
 * Optimistic concurrency on append:
 * - `'no_stream'`: the stream must not exist yet (creation),
 * - `'stream_exists'`: it must exist,
 * - `'any'`: no check,
 * - a number: the stream's current version must be exactly this.
 */
export type ExpectedVersion = 'no_stream' | 'stream_exists' | 'any' | number;

export interface AppendResult {
  /** The stream's version after the append (pass it as expectedVersion next time). */
  nextExpectedVersion: number;
  /** Global position of the last appended event. */
  lastPosition: number;
}

export interface ReadStreamOptions {
  /** First version to return (inclusive). Default 1. */
  fromVersion?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Return events with a position strictly greater than this. Default 0 (from the start). */
  after?: number;
  maxCount?: number;
}

export interface EventStore {
  appendToStream(stream: string, events: readonly NewEvent[], options?: { expectedVersion?: ExpectedVersion }): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** Highest committed global position (0 when empty). */
  lastPosition(): Promise<number>;
  close(): Promise<void>;
}
