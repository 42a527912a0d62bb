/**
 * The consumer's side of deliveries: events as they arrive from the log (Avro), a correction
 * replacing the delivery it supersedes, and replays that change nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createCodec, type IntegrationEvent } from '@lagebild/contracts';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';
import { SHIPPED_CATALOGUE_DIR } from '../../src/catalogue/registry';
import type { ValuesDoc } from '../../src/computation';
import { createIndicators, type IndicatorsModule } from '../../src/service';

const codec = createCodec();
let dir: string;
let eventStore: EventStore;
let documents: DocumentStore;
let indicators: IndicatorsModule;
const TENANT = '01001';
const stichtag = { kind: 'STICHTAG' as const, start: '2022-12-31', end: '2022-12-31' };

function encoded(type: IntegrationEvent['type'], data: unknown): { value: Buffer } {
  const envelope = { id: randomUUID(), tenant: TENANT, stream: 'test', version: 1, occurredAt: '2026-01-01T00:00:00.000Z', recordedAt: '2026-01-01T00:00:00.000Z', actor: 'user:test', correlationId: randomUUID(), causationId: null, traceparent: null };
  return { value: codec.encode({ type, data, envelope } as unknown as IntegrationEvent) };
}

function delivery(deliveryId: string, values: Record<string, number>, supersedesDeliveryId: string | null = null) {
  return encoded('ObservationsRecorded', {
    deliveryId,
    batchNumber: 1,
    isLastBatch: true,
    datasetId: 'einwohner',
    schemeId: 'stadtteile',
    schemeVersion: 1,
    source: { name: 'Melderegister', provider: null, fileName: null, fileSha256: null, extractedOn: null },
    sensitivity: 'INTERNAL',
    supersedesDeliveryId,
    observations: Object.entries(values).map(([areaCode, value]) => ({ areaCode, variable: 'ew_insgesamt', dimensions: {}, period: stichtag, value, status: 'VALUE', sourceLine: null })),
  });
}

const scheme = encoded('AreaSchemeVersionPublished', {
  schemeId: 'stadtteile',
  schemeName: 'Stadtteile',
  version: 1,
  validFrom: '2011-01-01',
  reason: 'Test',
  previousVersion: null,
  units: ['1', '2', '3'].map((code) => ({ code, name: `Stadtteil ${code}`, unitType: 'Stadtteil', parentCode: null, officialKey: null, validFrom: '2011-01-01', validTo: null, designations: [] })),
  crosswalk: [],
});

async function ew(): Promise<Map<string, number | null>> {
  const docs = (await documents.scan<ValuesDoc>('indicators.values', { prefix: `${TENANT}|ew|` })).map((e) => e.doc);
  return new Map(docs[0]!.values.map((v) => [v.areaCode, v.value]));
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-ind-store-'));
  eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  indicators = createIndicators({ eventStore, documents }, codec);
  await indicators.catalogue.seedShipped(SHIPPED_CATALOGUE_DIR, new Date('2026-01-01T00:00:00.000Z'));
  await indicators.handle([scheme]);
});

afterEach(async () => {
  await documents.close();
  await eventStore.close();
  await rm(dir, { recursive: true, force: true });
});

describe('observations from the log', () => {
  it('computes when a delivery is complete, with the city total', async () => {
    await indicators.handle([delivery(randomUUID(), { '1': 1000, '2': 2000, '3': 3000 })]);
    expect(await ew()).toEqual(new Map([['1', 1000], ['2', 2000], ['3', 3000], [TENANT, 6000]]));
  });

  it('lets a correction replace the superseded delivery, including cells it no longer carries', async () => {
    const first = randomUUID();
    await indicators.handle([delivery(first, { '1': 1000, '2': 2000, '3': 3000 })]);
    await indicators.handle([delivery(randomUUID(), { '1': 1100, '2': 2000 }, first)]);
    const values = await ew();
    expect(values.get('1')).toBe(1100);
    expect(values.has('3')).toBe(false);
    expect(values.has(TENANT)).toBe(false);
  });

  it('gives the same values when the same events are handled again', async () => {
    const events = [delivery(randomUUID(), { '1': 1000, '2': 2000, '3': 3000 })];
    await indicators.handle(events);
    const before = await ew();
    await indicators.handle(events);
    await indicators.handle([scheme]);
    expect(await ew()).toEqual(before);
  });
});
