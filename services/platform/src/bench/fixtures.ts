import { randomUUID } from 'node:crypto';
import { Type } from 'avsc';
import type { NewEvent } from '../ports/event-store';

/**
 * Realistic small events: one observation each, with the full envelope metadata. (Real
 * deliveries carry thousands of observations per event; small events are the hard case for
 * per-event overhead, which is what these benchmarks are about.)
 */
export function makeNewEvents(count: number): NewEvent[] {
  const events: NewEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    events.push({
      id: randomUUID(),
      type: 'ObservationRecorded',
      data: { areaCode: `05315${String(i % 1000).padStart(3, '0')}`, indicator: 'sgb2-quote', period: '2024-12-31', value: (i % 997) / 10, unit: 'percent' },
      metadata: {
        tenant: '05315000',
        occurredAt: '2025-01-15T08:30:00.000Z',
        actor: 'user:datenlieferung-7',
        correlationId: randomUUID(),
        causationId: null,
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
  }
  return events;
}

/** An envelope like the integration events of contracts/ (same field kinds, one payload). */
export const observationRecordedType = Type.forSchema({
  type: 'record',
  name: 'ObservationRecorded',
  namespace: 'de.lagebild.bench',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'type', type: 'string' },
    { name: 'tenant', type: 'string' },
    { name: 'stream', type: 'string' },
    { name: 'version', type: 'int' },
    { name: 'occurredAt', type: 'string' },
    { name: 'recordedAt', type: 'string' },
    { name: 'actor', type: 'string' },
    { name: 'correlationId', type: 'string' },
    { name: 'causationId', type: ['null', 'string'], default: null },
    { name: 'traceparent', type: ['null', 'string'], default: null },
    {
      name: 'payload',
      type: {
        type: 'record',
        name: 'Observation',
        fields: [
          { name: 'areaCode', type: 'string' },
          { name: 'indicator', type: 'string' },
          { name: 'period', type: 'string' },
          { name: 'value', type: 'double' },
          { name: 'unit', type: 'string' },
        ],
      },
    },
  ],
});

export interface ObservationRecorded {
  id: string;
  type: string;
  tenant: string;
  stream: string;
  version: number;
  occurredAt: string;
  recordedAt: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
  traceparent: string | null;
  payload: { areaCode: string; indicator: string; period: string; value: number; unit: string };
}

export function makeObservations(count: number, perStream: number): ObservationRecorded[] {
  return makeNewEvents(count).map((event, i) => ({
    id: event.id,
    type: event.type,
    tenant: event.metadata.tenant,
    stream: `delivery-${Math.floor(i / perStream)}`,
    version: (i % perStream) + 1,
    occurredAt: event.metadata.occurredAt,
    recordedAt: '2025-01-15T08:30:01.000Z',
    actor: event.metadata.actor,
    correlationId: event.metadata.correlationId,
    causationId: null,
    traceparent: event.metadata.traceparent ?? null,
    payload: event.data as ObservationRecorded['payload'],
  }));
}
