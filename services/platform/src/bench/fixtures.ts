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

/**
 * Bulk events like the ingestion's ObservationsRecorded: `perEvent` observations each (area code,
 * variable, dimensions, reference period, value, status, source line) plus the batch's fields,
 * shaped like a monthly delivery for Berlin's 542 Planungsräume and 20 variables. As in the
 * ingestion, the observations share their period, dimension and code objects.
 */
export function makeObservationBatches(observations: number, perEvent: number): NewEvent[] {
  const areas = Array.from({ length: 542 }, (_, i) => `${String(1100101 + i * 7).padStart(8, '0')}`);
  const variables = Array.from({ length: 20 }, (_, i) => (i < 10 ? `ew_gruppe_${i}` : `quote_${i}`));
  const dimensions: Record<string, string> = {};
  const periods = Array.from({ length: 240 }, (_, m) => {
    const end = `${2001 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-28`;
    return { kind: 'STICHTAG', start: end, end };
  });
  const deliveryId = randomUUID();
  const events: NewEvent[] = [];
  for (let first = 0, batch = 1; first < observations; first += perEvent, batch += 1) {
    const count = Math.min(perEvent, observations - first);
    const list = new Array<unknown>(count);
    for (let i = 0; i < count; i += 1) {
      const n = first + i;
      list[i] = {
        areaCode: areas[Math.floor(n / 20) % areas.length],
        variable: variables[n % 20],
        dimensions,
        period: periods[Math.floor(n / (20 * areas.length)) % periods.length],
        value: n % 20 < 10 ? n % 5000 : (n % 1000) / 10,
        status: 'VALUE',
        sourceLine: n + 2,
      };
    }
    events.push({
      id: randomUUID(),
      type: 'ObservationsRecorded',
      data: {
        deliveryId,
        batchNumber: batch,
        isLastBatch: first + count >= observations,
        datasetId: 'bench-berlin',
        schemeId: 'berlin-lor-planungsraeume',
        schemeVersion: 1,
        source: { name: 'Generiert', provider: null, fileName: 'berlin.csv', fileSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', extractedOn: null },
        sensitivity: 'INTERNAL',
        supersedesDeliveryId: null,
        observations: list,
      },
      metadata: {
        tenant: '11000',
        occurredAt: '2025-01-15T08:30:00.000Z',
        actor: 'user:datenlieferung-7',
        correlationId: deliveryId,
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
