/**
 * The real Münster file (../shared/data/budget: Ergebnisrechnung, Ist per Produktgruppe
 * 2007-2016, Erträge and Aufwendungen, long format) through the shipped profile.
 */
import { openHarness, MUENSTER, MUENSTER_FILE, type Harness } from './support/harness';

let h: Harness;
let first: Awaited<ReturnType<Harness['service']['importFile']>>;

beforeAll(async () => {
  h = await openHarness();
  first = await h.service.importFile({ tenant: MUENSTER, profileId: 'muenster-ergebnisse', filePath: MUENSTER_FILE, actor: 'controlling-ms' });
});
afterAll(() => h.close());

describe('the Münster import', () => {
  it('accepts the file with its 1,366 rows and notes the one row without an amount', () => {
    expect(first.view.status).toBe('angenommen');
    expect(first.view.rowCount).toBe(1366);
    expect(first.view.years).toEqual([2007, 2008, 2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016]);
    expect(first.view.warningCount).toBe(1);
    const note = first.view.findings[0]!;
    expect(note).toMatchObject({ code: 'AMOUNT_EMPTY', severity: 'warning', line: 129, column: { letter: 'G', header: 'Betrag' } });
    expect(note.message).toBe('Datei „muenster_ergebnisse_2007_2016.csv“, Zeile 129, Spalte G („Betrag“): Der Betrag fehlt; die Zeile wird laut Importprofil ohne Wert übergangen. Erwartet: ein Betrag in Euro.');
  });

  it('records the real figures: SGB II 2016 and the whole Ergebnisrechnung 2016', async () => {
    const units = await h.service.planActual(MUENSTER, 2016, 12);
    const sgb2 = units.filter((u) => u.level === 'PRODUKT' && u.code === '0501');
    expect(sgb2.find((u) => u.accountKind === 'AUFWAND')!.actualToDateCents).toBe(160_954_337_12);
    expect(sgb2.find((u) => u.accountKind === 'ERTRAG')!.actualToDateCents).toBe(125_389_919_84);
    const areas = units.filter((u) => u.level === 'PRODUKTBEREICH');
    const sum = (kind: string) => areas.filter((u) => u.accountKind === kind).reduce((s, u) => s + u.actualToDateCents, 0);
    expect(sum('AUFWAND')).toBe(1_078_845_277_36);
    expect(sum('ERTRAG')).toBe(1_101_522_745_05);
    // Wahlen 2016: a negative Ertrag (a reversal) is kept as written.
    expect(units.find((u) => u.level === 'PRODUKT' && u.code === '0208' && u.accountKind === 'ERTRAG')!.actualToDateCents).toBe(-113_45);
  });

  it('keeps the names of Produktbereiche and Produktgruppen from the file', async () => {
    const units = await h.service.planActual(MUENSTER, 2016, 12);
    expect(units.find((u) => u.level === 'PRODUKTBEREICH' && u.code === '05')!.name).toBe('Soziale Leistungen');
    expect(units.find((u) => u.level === 'PRODUKT' && u.code === '0601')!.name).toBe('Förderung von Kindern in Tagesbetreuung');
  });

  it('changes nothing when the same file comes again', async () => {
    const before = await h.eventStore.lastPosition();
    const again = await h.service.importFile({ tenant: MUENSTER, profileId: 'muenster-ergebnisse', filePath: MUENSTER_FILE, actor: 'controlling-ms' });
    expect(again).toMatchObject({ importId: first.importId, duplicate: true });
    expect(await h.eventStore.lastPosition()).toBe(before);
  });

  it('posts only the difference when a corrected file restates one balance', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = (await readFile(MUENSTER_FILE, 'utf8')).replace('Leistungen der Grundsicherung nach dem SGB II,2016,Aufwendungen,160954337.12', 'Leistungen der Grundsicherung nach dem SGB II,2016,Aufwendungen,161000000.00');
    const corrected = await h.file('muenster_korrigiert.csv', text);
    const result = await h.service.importFile({ tenant: MUENSTER, profileId: 'muenster-ergebnisse', filePath: corrected, actor: 'controlling-ms' });
    expect(result.view).toMatchObject({ status: 'angenommen', postingCount: 1, skippedPostingCount: 1364, actualCents: 161_000_000_00 - 160_954_337_12 });
    const units = await h.service.planActual(MUENSTER, 2016, 12);
    expect(units.find((u) => u.level === 'PRODUKT' && u.code === '0501' && u.accountKind === 'AUFWAND')!.actualToDateCents).toBe(161_000_000_00);
  });

  it('refuses the Münster profile for another tenant', async () => {
    await expect(h.service.importFile({ tenant: '05315', profileId: 'muenster-ergebnisse', filePath: MUENSTER_FILE, actor: 'x' })).rejects.toThrow('Das Importprofil gehört dem Mandanten 05515, nicht 05315.');
  });
});
