/**
 * Berlin's Monitoring Soziale Stadtentwicklung 2021, recomputed: the published index indicators
 * (S1 Arbeitslosigkeit, S3 Transferbezug, S4 Kinderarmut and their two-year changes D1, D3, D4)
 * go through the real ingestion into the indicator service, which computes the Statusindex and
 * Dynamikindex of the tenant's catalogue (catalogue/tenants/11000.json: z-standardisation over
 * the valid Planungsräume, sum, z-standardisation of the sum, classes at -1 / +1 / +1.5 standard
 * deviations). The classes are compared with the official ones in mss_2021_indizes.csv.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ValuesDoc } from '../../src/computation';
import { BERLIN, BERLIN_SCHEME, berlinRegister, openHarness, type Harness } from '../support/harness';

let h: Harness;
let official: Map<string, { si: number; di: number; valid: boolean }>;

beforeAll(async () => {
  h = await openHarness();
  await berlinRegister(h.areas, { onlyNew: true });
  await h.pump();
  const rows = parse(await readFile(path.join(BERLIN, 'mss-2021/mss_2021_indizes.csv')), { columns: true }) as Array<Record<string, string>>;
  official = new Map(rows.map((r) => [r.PLR_ID!, { si: Number(r.SI_N), di: Number(r.DI_N), valid: r.KOM === 'gültig' }]));
  const delivered = await h.deliver(path.join(BERLIN, 'mss-2021/mss_2021_index_indikatoren.csv'), 'berlin-mss-2021-indexindikatoren', '11000');
  expect(delivered.status).toBe('angenommen');
}, 240_000);

afterAll(async () => {
  await h?.close();
});

async function values(indicator: string): Promise<ValuesDoc> {
  const docs = (await h.documents.scan<ValuesDoc>('indicators.values', { prefix: `11000|${indicator}|` })).map((e) => e.doc);
  expect(docs).toHaveLength(1);
  return docs[0]!;
}

function matchRate(doc: ValuesDoc, pick: (o: { si: number; di: number }) => number) {
  let valid = 0;
  let matched = 0;
  const mismatches: string[] = [];
  for (const [code, o] of official) {
    if (!o.valid) continue;
    valid += 1;
    const v = doc.values.find((x) => x.areaCode === code);
    if (v?.indexClass?.code === pick(o)) matched += 1;
    else mismatches.push(`${code}: amtlich ${pick(o)}, berechnet ${v?.indexClass?.code ?? '–'}`);
  }
  return { valid, matched, mismatches };
}

describe('Berlin MSS 2021 recomputed from the published index indicators', () => {
  it('reproduces the official Statusindex class of every valid Planungsraum', async () => {
    const doc = await values('mss_statusindex');
    expect(doc).toMatchObject({ schemeId: BERLIN_SCHEME, schemeVersion: 2, periodLabel: '2020', period: { kind: 'STICHTAG', end: '2020-12-31' } });
    const { valid, matched, mismatches } = matchRate(doc, (o) => o.si);
    console.log(`MSS 2021 Statusindex: ${matched} von ${valid} gültigen Planungsräumen in der amtlichen Klasse (${((matched / valid) * 100).toFixed(1)} %)`);
    expect(valid).toBe(536);
    expect(mismatches).toEqual([]);
  });

  it('reproduces the official Dynamikindex class of every valid Planungsraum', async () => {
    const doc = await values('mss_dynamikindex');
    const { valid, matched, mismatches } = matchRate(doc, (o) => o.di);
    console.log(`MSS 2021 Dynamikindex: ${matched} von ${valid} gültigen Planungsräumen in der amtlichen Klasse (${((matched / valid) * 100).toFixed(1)} %)`);
    expect(mismatches).toEqual([]);
  });

  it('gives the Planungsräume without published indicators (under 300 inhabitants, outliers) no class', async () => {
    const doc = await values('mss_statusindex');
    for (const [code, o] of official) {
      if (o.valid) continue;
      const v = doc.values.find((x) => x.areaCode === code);
      expect(v?.indexClass ?? null).toBeNull();
    }
  });

  it('traces the index values to the delivery and the definition version they were computed from', async () => {
    const doc = await values('mss_statusindex');
    expect(doc.sourceDeliveryIds).toHaveLength(1);
    expect(doc.formulaVersion).toBe(1);
    const events = (await h.eventStore.readStream('indicator-values-11000-mss_statusindex')).map((e) => e.data as { protection: string; sourceDeliveryIds: string[]; formulaVersion: number; schemeVersion: number });
    expect(events.map((e) => e.protection)).toEqual(['RAW', 'PROTECTED']);
    expect(events[0]).toMatchObject({ sourceDeliveryIds: doc.sourceDeliveryIds, formulaVersion: 1, schemeVersion: 2 });
  });
});
