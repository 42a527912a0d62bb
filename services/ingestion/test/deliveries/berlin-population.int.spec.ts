/**
 * Berlin population, the real files: 20 half-years, one profile, and the LOR reform in the
 * middle of the series. The profile picks the scheme version by the Stichtag in the file name.
 */
import path from 'node:path';
import { createCodec } from '@lagebild/contracts';
import type { DeliveryAcceptedData, ObservationsRecordedData } from '../../src/deliveries';
import { queryObservations } from '../../src/deliveries';
import { BERLIN, BERLIN_SCHEME, berlinRegister, deliver, openHarness, type Harness } from './support';

const codec = createCodec();
let h: Harness;

const file = (halfYear: string) => path.join(BERLIN, 'population', `berlin-lor-population-${halfYear}-t2-planning-areas.csv`);

beforeAll(async () => {
  h = await openHarness();
  await berlinRegister(h.areas);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('Berlin Einwohner je Planungsraum', () => {
  it('accepts 2015-01 in the 447 old LOR ids (scheme version 1) with every value and the Stichtag 30.06.2015', async () => {
    const { view, report } = await deliver(h, file('2015-01'), { profileId: 'berlin-einwohner-lor', tenant: '11000' });
    expect(report?.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(view.status).toBe('angenommen');
    expect(view.rowCount).toBe(447);
    expect(view.observationCount).toBe(447 * 21);
    expect(view.schemeVersion).toBe(1);
    expect(view.periods).toEqual([{ kind: 'STICHTAG', start: '2015-06-30', end: '2015-06-30' }]);
    // 09041403 (Allende II) exists in the register from 2015, the files list it only from 2019.
    expect(report?.countsByCode).toEqual({ AREA_MISSING: 1 });
    expect(report?.findings[0]!.message).toContain('09041403');

    const [first] = await queryObservations(h.documents, { tenant: '11000', datasetId: 'berlin-einwohner', schemeId: BERLIN_SCHEME, variable: 'ew_insgesamt', areaCode: '01011101' });
    expect(first).toMatchObject({ value: 3126, status: 'VALUE', sourceLine: 2, schemeVersion: 1 });
  });

  it('accepts 2021-01 in the 542 new ids (scheme version 2), as one append ending with DeliveryAccepted', async () => {
    const { deliveryId, view } = await deliver(h, file('2021-01'), { profileId: 'berlin-einwohner-lor', tenant: '11000' });
    expect(view.status).toBe('angenommen');
    expect(view.rowCount).toBe(542);
    expect(view.schemeVersion).toBe(2);
    expect(view.warningCount).toBe(0);

    const events = await h.eventStore.readStream(`delivery-${deliveryId}`);
    expect(events.map((e) => e.type)).toEqual(['DeliveryReceived', 'DeliveryValidated', 'ObservationsRecorded', 'ObservationsRecorded', 'ObservationsRecorded', 'DeliveryAccepted']);
    // Batches, validation and acceptance were committed together: one recordedAt, consecutive positions.
    expect(new Set(events.slice(1).map((e) => e.recordedAt)).size).toBe(1);
    const batches = events.filter((e) => e.type === 'ObservationsRecorded').map((e) => e.data as ObservationsRecordedData);
    expect(batches.map((b) => [b.batchNumber, b.isLastBatch, b.observations.length])).toEqual([
      [1, false, 5000],
      [2, false, 5000],
      [3, true, 542 * 21 - 10000],
    ]);
    const accepted = events.at(-1)!.data as DeliveryAcceptedData;
    expect(accepted).toMatchObject({ tenant: '11000', datasetId: 'berlin-einwohner', schemeId: BERLIN_SCHEME, schemeVersion: 2, batchCount: 3, observationCount: 542 * 21, areaCount: 542 });
    // The integration events fit their Avro contracts (ObservationsRecorded v2, DeliveryAccepted v1).
    for (const event of events.filter((e) => codec.isIntegrationEvent(e.type))) {
      const envelope = { id: event.id, tenant: event.metadata.tenant, stream: event.stream, version: event.version, occurredAt: event.metadata.occurredAt, recordedAt: event.recordedAt, actor: event.metadata.actor, correlationId: event.metadata.correlationId, causationId: event.metadata.causationId ?? null, traceparent: null };
      const decoded = codec.decode(codec.encode({ type: event.type, data: event.data, envelope } as never));
      expect(decoded.data).toEqual(event.data);
    }
  });

  it('reads 2020-02 (Stichtag 31.12.2020) in the old ids and 2024-02 in the new ones: 20 half-years, one profile', async () => {
    const halfYears = ['2015-02', '2016-01', '2016-02', '2017-01', '2017-02', '2018-01', '2018-02', '2019-01', '2019-02', '2020-01', '2020-02', '2021-02', '2022-01', '2022-02', '2023-01', '2023-02', '2024-01', '2024-02'];
    const results = [];
    for (const halfYear of halfYears) results.push(await deliver(h, file(halfYear), { profileId: 'berlin-einwohner-lor', tenant: '11000' }));
    expect(results.map((r) => r.view.status)).toEqual(halfYears.map(() => 'angenommen'));
    expect(results.map((r) => r.view.schemeVersion)).toEqual(halfYears.map((y) => (y < '2021' ? 1 : 2)));
    expect(results.find((r) => r.view.fileName.includes('2020-02'))!.view.periods[0]!.end).toBe('2020-12-31');
    const series = await queryObservations(h.documents, { tenant: '11000', datasetId: 'berlin-einwohner', schemeId: BERLIN_SCHEME, variable: 'ew_insgesamt', areaCode: '01011101' });
    expect(series).toHaveLength(12);
  });

  it('recognises the same file delivered again and changes nothing', async () => {
    const before = await h.eventStore.lastPosition();
    const again = await deliver(h, file('2015-01'), { profileId: 'berlin-einwohner-lor', tenant: '11000' });
    expect(again.duplicate).toBe(true);
    expect(await h.eventStore.lastPosition()).toBe(before);
  });
});
