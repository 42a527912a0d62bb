/**
 * A Landkreis and its Gemeinden: Kreis Nordfriesland (01054) takes the INKAR figures of its
 * 133 Gemeinden (BBSR, per Gemeinde) into its tenant; the Arbeitslosendichte is computed per
 * Gemeinde, per Amt (Gemeindeverband) and for the Kreis from summed numerators and
 * denominators, the Kreis total from its member Gemeinden only. The Gemeindeverzeichnis
 * (Destatis GV100AD) gives the hierarchy.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadGemeindeverzeichnis, queryObservations } from '@lagebild/ingestion';
import type { ValuesDoc } from '../../src/computation';
import { DATA, openHarness, type Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await openHarness();
  await loadGemeindeverzeichnis(h.areas, { fileName: 'GV100AD_301123.txt', bytes: await readFile(path.join(DATA, 'germany/GV100AD_301123.txt')) }, { subject: 'system:test' });
  await h.pump();
  expect((await h.deliver(path.join(DATA, 'germany/inkar_arbeitslose_gemeinden_1998_2021.xls'), 'inkar-arbeitslose-gemeinden', '01054')).status).toBe('angenommen');
  expect((await h.deliver(path.join(DATA, 'germany/inkar_erwerbsfaehige_gemeinden_2001_2021.xls'), 'inkar-erwerbsfaehige-gemeinden', '01054')).status).toBe('angenommen');
}, 600_000);

afterAll(async () => {
  await h?.close();
});

async function doc(period: string): Promise<ValuesDoc> {
  const docs = (await h.documents.scan<ValuesDoc>('indicators.values', { prefix: '01054|arbeitslosendichte|' })).map((e) => e.doc);
  const found = docs.find((d) => d.periodLabel === period);
  expect(found).toBeDefined();
  return found!;
}

async function observed(variable: string, year: number): Promise<Map<string, number>> {
  const rows = await queryObservations(h.documents, { tenant: '01054', datasetId: 'inkar-arbeitsmarkt-gemeinden', schemeId: 'gemeindeverzeichnis', variable });
  return new Map(rows.filter((o) => o.period.end === `${year}-12-31` && o.value !== null).map((o) => [o.areaCode, o.value!]));
}

describe('Arbeitslosendichte of Kreis Nordfriesland and its Gemeinden (INKAR)', () => {
  it('computes the years for which both inputs exist (2001-2021)', async () => {
    const labels = new Set((await h.documents.scan<ValuesDoc>('indicators.values', { prefix: '01054|arbeitslosendichte|' })).map((e) => e.doc.periodLabel));
    expect([...labels].sort()).toEqual(Array.from({ length: 21 }, (_, i) => String(2001 + i)));
  });

  it('gives each Gemeinde its own rate and the Kreis the rate of its summed Gemeinden', async () => {
    const d = await doc('2021');
    const unemployed = await observed('arbeitslose', 2021);
    const working = await observed('erwerbsfaehige_15_bis_unter_65', 2021);
    expect(unemployed.size).toBe(133);
    const husum = d.values.find((v) => v.areaCode === '01054056')!;
    expect(husum).toMatchObject({ unitType: 'Gemeinde', status: 'COMPUTED', numerator: unemployed.get('01054056'), denominator: working.get('01054056') });
    expect(husum.value).toBeCloseTo((unemployed.get('01054056')! / working.get('01054056')!) * 100, 10);
    const kreis = d.values.find((v) => v.areaCode === '01054')!;
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(kreis).toMatchObject({ unitType: 'Kreis', numerator: sum(unemployed), denominator: sum(working) });
    expect(husum.comparison?.zScore).not.toBeNull();
  });

  it('does not report Schleswig-Holstein or Germany, whose other Kreise the tenant does not have', async () => {
    const d = await doc('2021');
    expect(d.values.find((v) => v.areaCode === '01')).toBeUndefined();
    expect(d.values.find((v) => v.areaCode === 'DG')).toBeUndefined();
    expect(new Set(d.values.map((v) => v.unitType))).toEqual(new Set(['Gemeinde', 'Gemeindeverband', 'Kreis']));
  });

  it('compares each Gemeinde with its Amt and the Amt with the Kreis', async () => {
    const d = await doc('2021');
    const byCode = new Map(d.values.map((v) => [v.areaCode, v]));
    const gemeinde = d.values.find((v) => v.unitType === 'Gemeinde' && v.status === 'COMPUTED' && v.comparison?.parentValue !== null)!;
    const parent = d.values.find((v) => v.unitType === 'Gemeindeverband' && v.value === gemeinde.comparison!.parentValue);
    expect(parent).toBeDefined();
    expect(byCode.get('01054')).toBeDefined();
  });
});
