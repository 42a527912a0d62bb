/**
 * From a stored event to the record the outbox relay publishes. Lives here, not in the
 * platform, so the platform stays free of contracts at runtime (it takes this as `toRecord`).
 * Private events (types without a schema in contracts/) map to `undefined` and stay inside
 * their service (STYLE.md 3).
 */
import type { IntegrationEvent, IntegrationEventCodec } from './codec';

/** The shape of a stored event as the platform's EventStore returns it (structural, no import). */
export interface StoredEventLike {
  id: string;
  type: string;
  stream: string;
  version: number;
  recordedAt: string;
  data: unknown;
  metadata: {
    tenant: string;
    occurredAt: string;
    actor: string;
    correlationId: string;
    causationId?: string | null;
    traceparent?: string | null;
  };
}

export interface OutboxRecordLike {
  topic: string;
  /** Headers (event-id, event-type, tenant, traceparent) are added by the platform's relay. */
  record: { key: string; value: Buffer };
}

/** Returns the relay's `toRecord`: envelope + body in single-object encoding, keyed by stream. */
export function outboxMapper(codec: IntegrationEventCodec): (event: StoredEventLike) => OutboxRecordLike | undefined {
  return (event) => {
    if (!codec.isIntegrationEvent(event.type)) return undefined;
    const { metadata } = event;
    const integrationEvent = {
      type: event.type,
      data: event.data,
      envelope: {
        id: event.id,
        tenant: metadata.tenant,
        stream: event.stream,
        version: event.version,
        occurredAt: metadata.occurredAt,
        recordedAt: event.recordedAt,
        actor: metadata.actor,
        correlationId: metadata.correlationId,
        causationId: metadata.causationId ?? null,
        traceparent: metadata.traceparent ?? null,
      },
    } as IntegrationEvent;
    return { topic: codec.topicOf(event.type), record: { key: event.stream, value: codec.encode(integrationEvent) } };
  };
}
