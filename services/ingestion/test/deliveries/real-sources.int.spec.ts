/**
 * The other real sources with their shipped profiles: Berlin MSS 2021 (published rates and
 * indices, KOM validity as statuses), Hamburg's Stadtteilprofile (the format torture test) and
 * INKAR per Gemeinde (legacy XLS with two header rows, a national file a Kreis takes its own
 * Gemeinden from).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadGemeindeverzeichnis } from '../../src/areas';
import { queryObservations } from '../../src/deliveries';
import { actor, BERLIN, BERLIN_SCHEME, berlinRegister, DATA, deliver, HAMBURG_SCHEME, hamburgRegister, openHarness, type Harness } from './support';

let h: Harness;

beforeAll(async () => {
  h = await openHarness();
  await berlinRegister(h.areas);
  await hamburgRegister(h.areas);
  await loadGemeindeverzeichnis(h.areas, { fileName: 'GV100AD_301123.txt', bytes: await readFile(path.join(DATA, 'germany/GV100AD_301123.txt')) }, actor);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe('Berlin MSS 2021', () => {
  it('records the index indicators of all 542 Planungsräume in the 2021 boundaries, unpublished rows with their status', async () => {
    const { view, report } = await deliver(h, path.join(BERLIN, 'mss-2021/mss_2021_index_indikatoren.csv'), { profileId: 'berlin-mss-2021-indexindikatoren', tenant: '11000' });
    expect(report?.findings).toEqual([]);
    expect(view).toMatchObject({ status: 'angenommen', rowCount: 542, observationCount: 542 * 7, schemeVersion: 2 });
    expect(view.periods).toEqual([{ kind: 'STICHTAG', start: '2020-12-31', end: '2020-12-31' }]);
    const s1 = await queryObservations(h.documents, { tenant: '11000', datasetId: 'berlin-mss-2021', schemeId: BERLIN_SCHEME, variable: 's1_arbeitslosigkeit' });
    expect(s1.find((o) => o.areaCode === '01100101')).toMatchObject({ value: 4.22594, status: 'VALUE' });
    // KOM "ungültig (EW unter 300)": the -9999 placeholders are not values but SUPPRESSED.
    expect(s1.find((o) => o.areaCode === '03300515')).toMatchObject({ value: null, status: 'SUPPRESSED' });
    // KOM "ungültig (Ausreißer)": UNRELIABLE.
    expect(s1.find((o) => o.areaCode === '10100205')).toMatchObject({ value: null, status: 'UNRELIABLE' });
    const counts = s1.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ VALUE: 536, SUPPRESSED: 5, UNRELIABLE: 1 });
  });

  it('records the official status and dynamics classes and the context indicators', async () => {
    const indices = await deliver(h, path.join(BERLIN, 'mss-2021/mss_2021_indizes.csv'), { profileId: 'berlin-mss-2021-indizes', tenant: '11000' });
    expect(indices.view).toMatchObject({ status: 'angenommen', observationCount: 542 * 3, supersedesDeliveryId: null });
    const status = await queryObservations(h.documents, { tenant: '11000', datasetId: 'berlin-mss-2021', schemeId: BERLIN_SCHEME, variable: 'statusindex_klasse', areaCode: '01100101' });
    expect(status).toMatchObject([{ value: 2, status: 'VALUE' }]);
    const context = await deliver(h, path.join(BERLIN, 'mss-2021/mss_2021_kontext_indikatoren.csv'), { profileId: 'berlin-mss-2021-kontextindikatoren', tenant: '11000' });
    expect(context.report?.findings).toEqual([]);
    expect(context.view).toMatchObject({ status: 'angenommen', observationCount: 542 * 14 });
  });
});

describe('Hamburg Stadtteilprofile 2014', () => {
  it('reads the torture file: all 99 Stadtteile matched or reported, totals rows checked', async () => {
    const { view, report } = await deliver(h, path.join(DATA, 'hamburg/stadtteilprofile_2014.csv'), { profileId: 'hamburg-stadtteilprofile-2014', tenant: '02000' });
    const errors = report!.findings.filter((f) => f.severity === 'error');
    expect(errors).toEqual([]);
    expect(view.status).toBe('angenommen');
    // 95 Stadtteile by name, 4 merged names reported (their 8 Stadtteile are named in the report).
    expect(view.areaCount).toBe(95);
    const merged = report!.findings.filter((f) => f.code === 'AREA_NOT_MAPPED');
    expect(merged.map((f) => f.value)).toEqual(['Kleiner Grasbrook und Steinwerder', 'Waltershof und Finkenwerder', 'Neuland und Gut Moor', 'Moorburg und Altenwerder']);
    expect(merged[0]!.message).toContain('0117, 0118');
    // Neuwerk has no row of its own.
    const missing = report!.findings.filter((f) => f.code === 'AREA_MISSING');
    expect(missing.map((f) => f.message).join(' ')).toContain('0121 Neuwerk');
    expect(view.rowCount).toBe(95);
    // The totals rows are checked, not recorded: Hamburg-Mitte counts 6,777 inhabitants more than its Stadtteile.
    const deviations = report!.findings.filter((f) => f.code === 'TOTALS_MISMATCH');
    expect(deviations.every((f) => f.severity === 'warning')).toBe(true);
    expect(deviations.find((f) => f.line === 101 && f.column?.header === 'Bevölkerung')?.message).toContain('Zeile: 289.876, Summe: 283.099');
    expect(deviations.some((f) => f.message.includes('„Altona“') && f.message.includes('bevoelkerung'))).toBe(false);

    const value = async (variable: string, area: string) =>
      (await queryObservations(h.documents, { tenant: '02000', datasetId: 'hamburg-stadtteilprofile', schemeId: HAMBURG_SCHEME, variable, areaCode: area }))[0];
    expect(await value('bevoelkerung', '0101')).toMatchObject({ value: 1675, status: 'VALUE', sourceLine: 2 });
    expect(await value('personen_je_haushalt', '0101')).toMatchObject({ value: 1.4 });
    expect(await value('wanderungssaldo', '0101')).toMatchObject({ value: -23, period: { kind: 'ZEITRAUM', start: '2013-01-01', end: '2013-12-31' } });
    expect(await value('einkommen_je_steuerpflichtigen', '0101')).toMatchObject({ value: 26493, period: { start: '2010-01-01' } });
    expect(await value('preis_grundstuecke_m2', '0101')).toMatchObject({ value: null, status: 'MISSING' });
  });
});

describe('INKAR per Gemeinde (legacy XLS)', () => {
  it('takes the 133 Gemeinden of Kreis Nordfriesland from the national file, one value per year', async () => {
    const { view, report } = await deliver(h, path.join(DATA, 'germany/inkar_arbeitslose_gemeinden_1998_2021.xls'), { profileId: 'inkar-arbeitslose-gemeinden', tenant: '01054' });
    expect(report?.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(view.status).toBe('angenommen');
    expect(view.areaCount).toBe(133);
    expect(view.periods).toHaveLength(24);
    expect(view.periods[0]).toEqual({ kind: 'ZEITRAUM', start: '1998-01-01', end: '1998-12-31' });
    const husum = await queryObservations(h.documents, { tenant: '01054', datasetId: 'inkar-arbeitsmarkt-gemeinden', schemeId: 'gemeindeverzeichnis', variable: 'arbeitslose', areaCode: '01054056' });
    expect(husum).toHaveLength(24);
    expect(husum.every((o) => o.status === 'VALUE' && o.value! > 0)).toBe(true);
  });

  it('takes the working-age population of the same Gemeinden, 2001 to 2021 at the Stichtag 31.12.', async () => {
    const { view } = await deliver(h, path.join(DATA, 'germany/inkar_erwerbsfaehige_gemeinden_2001_2021.xls'), { profileId: 'inkar-erwerbsfaehige-gemeinden', tenant: '01054' });
    expect(view).toMatchObject({ status: 'angenommen', areaCount: 133, observationCount: 133 * 21 });
    expect(view.periods.at(-1)).toEqual({ kind: 'STICHTAG', start: '2021-12-31', end: '2021-12-31' });
  });
});
