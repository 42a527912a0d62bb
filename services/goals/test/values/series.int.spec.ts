/**
 * The values targets are judged on: one document per computed value, written as the indicator
 * service's batches arrive, read back as a series in period order; series stored by an earlier
 * version (one document per area with every period) are rewritten at start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';
import { type GoalsContext, lastValueByIndicator, migrateValueSeries, pointKey, receiveValues, seriesKey, TOTAL_AREA } from '../../src/application';
import { COLLECTIONS, type ValuePointDoc } from '../../src/projections';

const TENANT = '03159016';
let dir: string;
let documents: DocumentStore;
let eventStore: EventStore;
let ctx: GoalsContext;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-goals-values-'));
  documents = createLmdbDocumentStore({ path: dir });
  eventStore = createLmdbEventStore({ path: dir });
  ctx = { documents, eventStore };
});

afterEach(async () => {
  await documents.close();
  await eventStore.close();
  await rm(dir, { recursive: true, force: true });
});

const year = (y: number) => ({ kind: 'STICHTAG' as const, start: `${y}-12-31`, end: `${y}-12-31` });

async function series(areaCode: string | null): Promise<ValuePointDoc[]> {
  return (await documents.scan<ValuePointDoc>(COLLECTIONS.values, { prefix: `${seriesKey(TENANT, 'arbeitslosendichte', 'gv', areaCode)}|` })).map((e) => e.doc);
}

describe('value series of the goals service', () => {
  it('keeps one document per area and period, the later computation winning, the total also under the scheme total, in period order', async () => {
    const batch = (computationId: string, years: number[], value: number) => ({
      tenant: TENANT,
      indicatorId: 'arbeitslosendichte',
      schemeId: 'gv',
      computationId,
      formulaVersion: 1,
      values: years.flatMap((y) => [
        { areaCode: '03159016', unitType: 'Gesamt', period: year(y), value, status: 'COMPUTED' as const },
        { areaCode: '0315901601', unitType: 'Ortsteil', period: year(y), value: null, status: 'SUPPRESSED_PRIMARY' as const },
      ]),
    });
    await receiveValues(ctx, batch('c1', [2021, 2019, 2020], 5.1), null);
    await receiveValues(ctx, batch('c2', [2021], 4.9), null);

    const total = await series(null);
    expect(total.map((p) => [p.end, p.value, p.computationId])).toEqual([
      ['2019-12-31', 5.1, 'c1'],
      ['2020-12-31', 5.1, 'c1'],
      ['2021-12-31', 4.9, 'c2'],
    ]);
    expect((await series('03159016')).length).toBe(3);
    expect((await series('0315901601')).every((p) => p.suppressed && p.value === null)).toBe(true);
    expect((await lastValueByIndicator(documents, TENANT)).get('arbeitslosendichte')).toBe('2021-12-31');
  });

  it('rewrites series of an earlier version as one document per value, once', async () => {
    const old = seriesKey(TENANT, 'arbeitslosendichte', 'gv', null);
    const point = (value: number | null) => ({ kind: 'STICHTAG', start: '', value, suppressed: false, computationId: 'c0', formulaVersion: 1 });
    await documents.put(COLLECTIONS.values, old, {
      tenant: TENANT,
      indicatorId: 'arbeitslosendichte',
      schemeId: 'gv',
      areaCode: TOTAL_AREA,
      points: { '2020-12-31': point(5.5), '2021-12-31': point(null) },
    });

    expect(await migrateValueSeries(documents)).toBe(1);
    expect(await migrateValueSeries(documents)).toBe(0);

    expect(await documents.get(COLLECTIONS.values, old)).toBeUndefined();
    expect(await documents.get(COLLECTIONS.values, pointKey(old, '2020-12-31'))).toMatchObject({ areaCode: TOTAL_AREA, end: '2020-12-31', value: 5.5 });
    expect((await series(null)).map((p) => p.end)).toEqual(['2020-12-31', '2021-12-31']);
    // The latest period without a value does not count as data.
    expect((await lastValueByIndicator(documents, TENANT)).get('arbeitslosendichte')).toBe('2020-12-31');
  });
});
