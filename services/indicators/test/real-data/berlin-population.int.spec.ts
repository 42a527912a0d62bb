/**
 * Berlin's Einwohnerregister per LOR-Planungsraum, 31.12. of 2015 to 2024, through ingestion
 * into the indicators: totals per Bezirk and for Berlin summed from the Planungsräume, shares
 * from summed numerators and denominators, and the LOR reform of 2021 (447 -> 542 units)
 * bridged by the crosswalk, with series breaks where no crosswalk reaches.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { StoredValue, ValuesDoc } from '../../src/computation';
import { BERLIN, berlinRegister, openHarness, type Harness } from '../support/harness';

let h: Harness;
const YEARS = [2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024];
const file = (year: number) => path.join(BERLIN, `population/berlin-lor-population-${year}-02-t2-planning-areas.csv`);

beforeAll(async () => {
  h = await openHarness();
  await berlinRegister(h.areas);
  await h.pump();
  for (const year of YEARS) expect((await h.deliver(file(year), 'berlin-einwohner-lor', '11000')).status).toBe('angenommen');
}, 600_000);

afterAll(async () => {
  await h?.close();
});

async function series(indicator: string): Promise<ValuesDoc[]> {
  return (await h.documents.scan<ValuesDoc>('indicators.values', { prefix: `11000|${indicator}|` })).map((e) => e.doc);
}

async function doc(indicator: string, period: string, schemeVersion: number, crosswalk = false): Promise<ValuesDoc> {
  const found = (await series(indicator)).find((d) => d.periodLabel === period && d.schemeVersion === schemeVersion && (d.crosswalkFromVersion !== null) === crosswalk);
  expect(found).toBeDefined();
  return found!;
}

const valueOf = (d: ValuesDoc, code: string): StoredValue => {
  const v = d.values.find((x) => x.areaCode === code);
  expect(v).toBeDefined();
  return v!;
};

/** Column sums straight from the published CSV, independent of the pipeline. */
async function columnSums(year: number): Promise<Record<string, number>> {
  const rows = parse(await readFile(file(year)), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const sums: Record<string, number> = {};
  for (const row of rows) for (const [k, v] of Object.entries(row)) if (/^\d+(\.\d+)?$/.test(v)) sums[k] = (sums[k] ?? 0) + Number(v);
  return sums;
}

describe('Berlin population indicators', () => {
  it('computes Einwohner per Planungsraum, Bezirk and for Berlin, the total equal to the file', async () => {
    const d2024 = await doc('ew', '2024', 2);
    const sums = await columnSums(2024);
    expect(valueOf(d2024, '11000')).toMatchObject({ unitType: 'Gesamt', value: sums.inhabitants, status: 'COMPUTED' });
    expect(d2024.values.filter((v) => v.unitType === 'Planungsraum')).toHaveLength(542);
    expect(d2024.values.filter((v) => v.unitType === 'Bezirk')).toHaveLength(12);
    // Before the reform the register has Planungsraum 09041403 with no row in the files (they
    // carry 04030417 instead, which the register does not know): Treptow-Köpenick and Berlin stay
    // without a total rather than showing a sum that lacks a unit; Mitte is complete.
    const d2018 = await doc('ew', '2018', 1);
    expect(d2018.period).toEqual({ kind: 'STICHTAG', start: '2018-12-31', end: '2018-12-31' });
    expect(d2018.values.find((v) => v.areaCode === '09041403')).toBeUndefined();
    expect(d2018.values.find((v) => v.areaCode === '11000')).toBeUndefined();
    const rows = parse(await readFile(file(2018)), { columns: true }) as Array<Record<string, string>>;
    const mitte = rows.filter((r) => r.id!.startsWith('01')).reduce((sum, r) => sum + Number(r.inhabitants), 0);
    const bezirk = d2018.values.find((v) => v.unitType === 'Bezirk' && v.value === mitte);
    expect(bezirk).toMatchObject({ status: 'COMPUTED', numerator: mitte });
  });

  it('computes the share of under-18s for Berlin from summed counts of three age groups', async () => {
    const d = await doc('anteil_u18', '2024', 2);
    const s = await columnSums(2024);
    const young = s.inhabitants_age_below_6! + s.inhabitants_age_6_15! + s.inhabitants_age_15_18!;
    expect(valueOf(d, '11000').numerator).toBe(young);
    expect(valueOf(d, '11000').value).toBeCloseTo((young / s.inhabitants!) * 100, 10);
  });

  it('carries the 2015-2020 series into the 542 new Planungsräume over the crosswalk', async () => {
    const carried = await doc('ew', '2020', 2, true);
    expect(carried.crosswalkFromVersion).toBe(1);
    const reached = carried.values.filter((v) => v.unitType === 'Planungsraum' && v.status === 'COMPUTED');
    expect(reached.length).toBeGreaterThan(400);
    // Weights preserve the population of the units they reach.
    const own2021 = await doc('ew', '2021', 2);
    const sample = reached[0]!;
    expect(Math.abs(sample.value! - valueOf(own2021, sample.areaCode).value!) / valueOf(own2021, sample.areaCode).value!).toBeLessThan(0.2);
  });

  it('links the first year in the new boundaries to the carried-over one, and marks a break where no crosswalk reaches', async () => {
    const d = await doc('ew', '2021', 2);
    const carried = await doc('ew', '2020', 2, true);
    const plr = d.values.filter((v) => v.unitType === 'Planungsraum');
    const linked = plr.filter((v) => v.comparison?.previousValue !== null && v.comparison?.previousValue !== undefined);
    const broken = plr.filter((v) => v.seriesBreak);
    expect(linked.length + broken.length).toBe(542);
    for (const v of linked.slice(0, 20)) expect(v.comparison!.previousValue).toBeCloseTo(valueOf(carried, v.areaCode).value!, 6);
    expect(broken.length).toBeGreaterThan(0);
    for (const v of broken) expect(carried.values.find((c) => c.areaCode === v.areaCode && c.status === 'COMPUTED')).toBeUndefined();
    // Later years compare with the previous year of the same boundaries.
    const d2022 = await doc('ew', '2022', 2);
    expect(d2022.values.some((v) => v.seriesBreak)).toBe(false);
  });

  it('computes the population change from the previous 31.12., also across the reform', async () => {
    const d = await doc('ew_entw', '2022', 2);
    const s21 = (await columnSums(2021)).inhabitants!;
    const s22 = (await columnSums(2022)).inhabitants!;
    expect(valueOf(d, '11000').value).toBeCloseTo(((s22 - s21) / s21) * 100, 10);
  });

  it('names the deliveries and the definition version of every value', async () => {
    const d = await doc('ew', '2024', 2);
    expect(d.sourceDeliveryIds).toHaveLength(1);
    expect(d.formulaVersion).toBe(1);
    const delivery = await h.indicators.observations.delivery(d.sourceDeliveryIds[0]!);
    expect(delivery).toMatchObject({ tenant: '11000', datasetId: 'berlin-einwohner', schemeVersion: 2, complete: true });
  });
});
