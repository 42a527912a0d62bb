/**
 * The lifecycle across deliveries and processes: corrections as new versions readable "as
 * recorded on", what consumers see through the outbox relay (batches only with their
 * acceptance, nothing of a rejected delivery), appends in chunks for large deliveries, and the
 * resumption of a delivery whose process died while recording.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createCodec, outboxMapper } from '@lagebild/contracts';
import { createLmdbEventLog, createOutboxRelay, type ConsumedRecord, type EventStore } from '@lagebild/platform';
import { createDeliveries, datasetsOfVariable, queryObservations, type DeliveryView } from '../../src/deliveries';
import { deliver, openHarness, operator, type Harness } from './support';
import { GOOD_ROWS, TEST_DATASET, TEST_SCHEME, TEST_TENANT, teststadt, teststadtProfile, writeLines } from './synthetic';

const codec = createCodec();

describe('corrections', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
    await teststadt(h);
  });
  afterAll(async () => h?.close());

  it('supersede earlier values as a new version; both stay readable as recorded on', async () => {
    const first = await deliver(h, await writeLines(h.dir, 'ew-2023.csv', GOOD_ROWS), { profileId: 'teststadt-einwohner', tenant: TEST_TENANT });
    expect(first.view).toMatchObject({ status: 'angenommen', supersedesDeliveryId: null, observationCount: 12, valueCount: 12 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const corrected = GOOD_ROWS.map((line) => line.replace('Altstadt;1.234', 'Altstadt;1.240'));
    const second = await deliver(h, await writeLines(h.dir, 'ew-2023-korrektur.csv', corrected), { profileId: 'teststadt-einwohner', tenant: TEST_TENANT });
    expect(second.view).toMatchObject({ status: 'angenommen', supersedesDeliveryId: first.deliveryId });

    const now = await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: TEST_DATASET, schemeId: TEST_SCHEME, variable: 'ew', areaCode: 'SR01' });
    expect(now).toMatchObject([{ value: 1240, deliveryId: second.deliveryId, versionCount: 2 }]);
    const before = await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: TEST_DATASET, schemeId: TEST_SCHEME, variable: 'ew', areaCode: 'SR01', asOf: first.view.acceptedAt! });
    expect(before).toMatchObject([{ value: 1234, deliveryId: first.deliveryId, versionCount: 1 }]);
    const beforeAll = await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: TEST_DATASET, schemeId: TEST_SCHEME, variable: 'ew', asOf: '2000-01-01' });
    expect(beforeAll).toEqual([]);
    // Westliche Höhe's "-" is a zero by definition, not a missing value.
    const quote = await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: TEST_DATASET, schemeId: TEST_SCHEME, variable: 'quote_sgb2', areaCode: 'SR04' });
    expect(quote).toMatchObject([{ value: 0, status: 'ZERO_BY_DEFINITION' }]);
  });

  it('keeps the same variable code of two data sets apart: neither corrects nor hides the other', async () => {
    // A second data set of the same tenant with its own `ew` (e.g. Einwohner mit Hauptwohnsitz from another source).
    const context = { actor: 'user:test', tenant: TEST_TENANT, now: new Date() };
    await h.deliveries.catalog.saveDataset('teststadt-hauptwohnsitz', { name: 'Hauptwohnsitz Teststadt', source: { name: 'Statistikstelle' }, sensitivity: 'INTERNAL', variables: [{ code: 'ew', name: 'Einwohner mit Hauptwohnsitz', unit: 'Personen', kind: 'count' }] }, context);
    await h.deliveries.catalog.saveProfile(
      'teststadt-hauptwohnsitz',
      teststadtProfile({ dataset: 'teststadt-hauptwohnsitz', variables: { layout: 'wide', values: [{ column: { header: 'Einwohner' }, variable: 'ew' }] }, plausibility: { missingAreas: 'warning' } }),
      context,
    );
    const before = await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: TEST_DATASET, schemeId: TEST_SCHEME, variable: 'ew', areaCode: 'SR01' });
    const other = await deliver(h, await writeLines(h.dir, 'hauptwohnsitz-2023.csv', ['Sozialraum;Einwohner', 'Altstadt;1.100', 'Neustadt;4.600']), { profileId: 'teststadt-hauptwohnsitz', tenant: TEST_TENANT });
    expect(other.view).toMatchObject({ status: 'angenommen', datasetId: 'teststadt-hauptwohnsitz', supersedesDeliveryId: null });

    expect(await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: 'teststadt-hauptwohnsitz', schemeId: TEST_SCHEME, variable: 'ew', areaCode: 'SR01' })).toMatchObject([
      { datasetId: 'teststadt-hauptwohnsitz', value: 1100, deliveryId: other.deliveryId, versionCount: 1 },
    ]);
    expect(await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: TEST_DATASET, schemeId: TEST_SCHEME, variable: 'ew', areaCode: 'SR01' })).toEqual(before);
    expect(await datasetsOfVariable(h.documents, TEST_TENANT, TEST_SCHEME, 'ew')).toEqual([TEST_DATASET, 'teststadt-hauptwohnsitz']);
  });
});

describe('what consumers see', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
    await teststadt(h);
  });
  afterAll(async () => h?.close());

  it('gets every batch of an accepted delivery before its DeliveryAccepted, and nothing of a rejected one', async () => {
    const ok = await deliver(h, await writeLines(h.dir, 'gut.csv', GOOD_ROWS), { profileId: 'teststadt-einwohner', tenant: TEST_TENANT });
    const bad = await deliver(h, await writeLines(h.dir, 'schlecht.csv', [...GOOD_ROWS, 'Südstadt;1;1;1']), { profileId: 'teststadt-einwohner', tenant: TEST_TENANT });
    expect([ok.view.status, bad.view.status]).toEqual(['angenommen', 'abgelehnt']);

    const log = createLmdbEventLog({ path: path.join(h.dir, 'lmdb') });
    const relay = createOutboxRelay({ store: h.eventStore, log, checkpoints: h.documents, name: 'test', toRecord: outboxMapper(codec) });
    await relay.runOnce();
    const received: Array<{ type: string; deliveryId: string; batchNumber?: number }> = [];
    const done = new Promise<void>((resolve) => {
      void log.subscribe({ group: 'test-consumer', topics: ['lagebild.ingestion'] }, async (batch: readonly ConsumedRecord[]) => {
        for (const record of batch) {
          const event = codec.decode(record.value);
          const data = event.data as { deliveryId: string; batchNumber?: number };
          received.push({ type: event.type, deliveryId: data.deliveryId, ...(data.batchNumber ? { batchNumber: data.batchNumber } : {}) });
          if (event.type === 'DeliveryAccepted') resolve();
        }
      });
    });
    await done;
    await log.close();
    expect(received.filter((r) => r.deliveryId === bad.deliveryId)).toEqual([]);
    expect(received.filter((r) => r.deliveryId === ok.deliveryId).map((r) => r.type)).toEqual(['ObservationsRecorded', 'DeliveryAccepted']);
  });
});

describe('large deliveries', () => {
  it('are appended in chunks ending with DeliveryAccepted, and resumed after the process died while recording', async () => {
    // Tiny batches and chunks stand in for millions of rows.
    const limits = { batchSize: 2, appendObservations: 4 };
    const h = await openHarness({ limits });
    try {
      await teststadt(h);
      // The first process dies after its first chunk of batches.
      let appends = 0;
      const dying: EventStore = {
        ...h.eventStore,
        appendToStream: async (stream, events, options) => {
          if (events.some((e) => e.type === 'ObservationsRecorded')) {
            appends += 1;
            if (appends === 2) throw new Error('Prozess beendet');
          }
          return h.eventStore.appendToStream(stream, events, options);
        },
      };
      const first = createDeliveries({ eventStore: dying, documents: h.documents }, { workDir: path.join(h.dir, 'ingestion'), background: false, limits });
      const file = await writeLines(h.dir, 'gross.csv', GOOD_ROWS);
      const upload = await first.service.receiveUpload(createReadStream(file), 'gross.csv');
      const submitted = await first.service.submit({ file: upload, profileId: 'teststadt-einwohner', tenant: TEST_TENANT, actor: 'user:test', access: operator(TEST_TENANT) });
      await expect(submitted.decided).rejects.toThrow('Prozess beendet');
      const stream = `delivery-${submitted.deliveryId}`;
      expect((await h.eventStore.readStream(stream)).map((e) => e.type)).toEqual(['DeliveryReceived', 'DeliveryValidated', 'ObservationsRecorded', 'ObservationsRecorded']);
      await h.deliveries.projector.catchUp();
      expect(((await h.deliveries.service.getDelivery(submitted.deliveryId)) as DeliveryView).status).toBe('wird_erfasst');

      // The next start resumes it from the kept upload.
      expect(await h.deliveries.service.recover()).toBe(1);
      await h.deliveries.service.idle();
      const events = await h.eventStore.readStream(stream);
      expect(events.map((e) => e.type)).toEqual([
        'DeliveryReceived',
        'DeliveryValidated',
        ...Array.from({ length: 6 }, () => 'ObservationsRecorded'),
        'DeliveryAccepted',
      ]);
      expect(events.filter((e) => e.type === 'ObservationsRecorded').map((e) => (e.data as { batchNumber: number }).batchNumber)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      await h.deliveries.projector.catchUp();
      expect(await h.deliveries.service.getDelivery(submitted.deliveryId)).toMatchObject({ status: 'angenommen', recordedBatches: 6, batchCount: 6 });
      const values = await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: TEST_DATASET, schemeId: TEST_SCHEME, variable: 'ew' });
      expect(values.map((v) => v.value).sort((a, b) => a! - b!)).toEqual([1234, 4725, 6002, 12291]);
    } finally {
      await h.close();
    }
  });
});
