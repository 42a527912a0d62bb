/**
 * The delivery decider: given(events).when(command).then(events), no mocks.
 */
import { decideDelivery, DeliveryStateError, evolveDelivery, initialDeliveryState, type DeliveryCommand, type DeliveryEvent, type DeliveryState, type ObservationsRecordedData } from '../../src/deliveries';

const id = '00000000-0000-4000-8000-000000000001';
const received: DeliveryEvent = {
  type: 'DeliveryReceived',
  data: { deliveryId: id, tenant: '11000', datasetId: 'berlin-einwohner', profileId: 'p', profileVersion: 1, fileName: 'f.csv', fileSha256: 'ab', fileBytes: 10, period: null, encoding: null, deliveredBy: 'user:a', access: { owners: ['11000'], prefixes: [] } },
};
const report = { errorCount: 0, warningCount: 0, countsByCode: {}, findings: [], truncated: false };
const validated = (batchCount: number, observationCount: number): DeliveryEvent => ({
  type: 'DeliveryValidated',
  data: { deliveryId: id, rowCount: 1, observationCount, valueCount: observationCount, areaCount: 1, variables: ['ew'], periods: [], schemeId: 's', schemeVersion: 1, schemeVersions: [1], supersedesDeliveryId: null, batchCount, encoding: 'UTF-8', ...report },
});
const batch = (batchNumber: number, isLastBatch: boolean, size = 1): ObservationsRecordedData => ({
  deliveryId: id,
  batchNumber,
  isLastBatch,
  datasetId: 'berlin-einwohner',
  schemeId: 's',
  schemeVersion: 1,
  source: { name: 'x', provider: null, fileName: 'f.csv', fileSha256: 'ab', extractedOn: null },
  sensitivity: 'PUBLIC',
  supersedesDeliveryId: null,
  observations: Array.from({ length: size }, () => ({ areaCode: 'a', variable: 'ew', dimensions: {}, period: { kind: 'STICHTAG' as const, start: '2024-12-31', end: '2024-12-31' }, value: 1, status: 'VALUE' as const, sourceLine: 2 })),
});
const accept = (observationCount: number): DeliveryCommand => ({
  type: 'AcceptDelivery',
  data: { deliveryId: id, tenant: '11000', datasetId: 'berlin-einwohner', schemeId: 's', schemeVersion: 1, schemeVersions: [1], profileId: 'p', profileVersion: 1, fileName: 'f.csv', contentSha256: 'ab', rowCount: 1, observationCount, valueCount: observationCount, areaCount: 1, variables: ['ew'], periods: [], supersedesDeliveryId: null, batchCount: 2, warningCount: 0 },
});

function given(...events: DeliveryEvent[]): DeliveryState {
  return events.reduce(evolveDelivery, initialDeliveryState());
}

describe('the delivery decider', () => {
  it('receives a delivery once; the same delivery again yields nothing', () => {
    expect(decideDelivery({ type: 'ReceiveDelivery', data: received.data as never }, given())).toEqual([received]);
    expect(decideDelivery({ type: 'ReceiveDelivery', data: received.data as never }, given(received))).toEqual([]);
  });

  it('rejects only a received delivery, and only with errors', () => {
    const rejection = { deliveryId: id, rowCount: 0, encoding: null, ...report, errorCount: 1 };
    expect(decideDelivery({ type: 'RejectDelivery', data: rejection }, given(received))).toEqual([{ type: 'DeliveryRejected', data: rejection }]);
    expect(() => decideDelivery({ type: 'RejectDelivery', data: { ...rejection, errorCount: 0 } }, given(received))).toThrow(DeliveryStateError);
    expect(() => decideDelivery({ type: 'RejectDelivery', data: rejection }, given(received, validated(1, 1)))).toThrow(/Zustand „recording“/);
  });

  it('records batches in order and accepts only when all are recorded', () => {
    const state = given(received, validated(2, 2));
    expect(() => decideDelivery({ type: 'RecordObservations', batches: [batch(2, true)] }, state)).toThrow(/außer der Reihe; erwartet wird Stapel 1/);
    expect(() => decideDelivery({ type: 'RecordObservations', batches: [batch(1, true)] }, state)).toThrow(/isLastBatch/);
    const first = decideDelivery({ type: 'RecordObservations', batches: [batch(1, false)] }, state);
    expect(first).toHaveLength(1);
    const afterFirst = first.reduce(evolveDelivery, state);
    expect(() => decideDelivery(accept(2), afterFirst)).toThrow(/Erst 1 von 2 Stapeln/);
    const afterBoth = decideDelivery({ type: 'RecordObservations', batches: [batch(2, true)] }, afterFirst).reduce(evolveDelivery, afterFirst);
    expect(decideDelivery(accept(2), afterBoth).map((e) => e.type)).toEqual(['DeliveryAccepted']);
    expect(() => decideDelivery(accept(3), afterBoth)).toThrow(/Beobachtungen/);
  });

  it('never accepts a rejected delivery', () => {
    const rejected = given(received, { type: 'DeliveryRejected', data: { deliveryId: id, rowCount: 0, encoding: null, ...report, errorCount: 1 } });
    expect(() => decideDelivery(accept(0), rejected)).toThrow(DeliveryStateError);
  });
});
