/**
 * Bad files: every error in German with file, line, column and what was expected; nothing
 * recorded from a file with any error (all or nothing); the same file again changes nothing.
 */
import * as XLSX from '@e965/xlsx';
import iconv from 'iconv-lite';
import { GOETTINGEN, POSTINGS_PROFILE } from './support/goettingen';
import { openHarness, type Harness } from './support/harness';

let h: Harness;
const HEADER = 'Beleg;Geschäftsjahr;Buchungsdatum;Produkt;Kostenstelle;Sachkonto;Betrag;Text';

beforeAll(async () => {
  h = await openHarness();
  await h.service.profiles.save('goettingen-buchungen', POSTINGS_PROFILE as never, { tenant: GOETTINGEN, actor: 'test', now: new Date('2025-01-01T00:00:00Z') });
  await h.service.profiles.save('goettingen-buchungen-xlsx', { ...POSTINGS_PROFILE, format: { type: 'xlsx', headerRows: 1 } } as never, { tenant: GOETTINGEN, actor: 'test', now: new Date('2025-01-01T00:00:00Z') });
});
afterAll(() => h.close());

async function importText(name: string, text: string | Buffer, profileId = 'goettingen-buchungen') {
  return h.service.importFile({ tenant: GOETTINGEN, profileId, filePath: await h.file(name, text), actor: 'user-controlling' });
}

const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;
const good = '2025-1;2025;28.01.2025;060301;;533100;1.000,00;Januar';

describe('a file with errors', () => {
  it('names every bad cell with file, line, column, value and expectation, and records nothing', async () => {
    const before = await h.eventStore.lastPosition();
    const result = await importText(
      'buchungen_fehler.csv',
      csv(
        good,
        '2025-2;2025;28.01.2025;060301;;533100;12,5x;Betrag kaputt',
        '2025-3;20x5;28.01.2025;060301;;533100;10,00;Jahr kaputt',
        '2025-4;2025;31.02.2025;060301;;533100;10,00;Datum kaputt',
        '2025-5;2025;28.01.2025;;;533100;10,00;ohne Produkt',
        '2025-6;2025;28.01.2025;060301;;633100;10,00;Konto ohne Klasse',
        '2025-7;2025;28.01.2025;060301;;533100;=SUMME(G2:G7);Formel',
        '2025-1;2025;28.01.2025;060301;;533100;1.000,00;doppelt',
      ),
    );
    expect(result.view.status).toBe('abgelehnt');
    expect(result.view.findings.map((f) => f.message)).toEqual([
      'Datei „buchungen_fehler.csv“, Zeile 3, Spalte G („Betrag“): Der Wert ist keine Zahl. Gefunden: „12,5x“. Erwartet: ein Betrag mit Dezimaltrennzeichen „,“ und Tausendertrennzeichen „.“.',
      'Datei „buchungen_fehler.csv“, Zeile 4, Spalte B („Geschäftsjahr“): Das Haushaltsjahr ist ungültig. Gefunden: „20x5“. Erwartet: ein Haushaltsjahr mit vier Ziffern, z. B. 2024.',
      'Datei „buchungen_fehler.csv“, Zeile 5, Spalte C („Buchungsdatum“): Das Buchungsdatum ist ungültig. Gefunden: „31.02.2025“. Erwartet: ein Datum wie 31.12.2024 oder 2024-12-31.',
      'Datei „buchungen_fehler.csv“, Zeile 6, Spalte D („Produkt“): Das Produkt fehlt. Erwartet: die Nummer des Produkts im Produkthaushalt.',
      'Datei „buchungen_fehler.csv“, Zeile 7, Spalte F („Sachkonto“): Zum Konto ist keine Kontenklasse im Importprofil eingetragen, die Kontenart bleibt offen. Gefunden: „633100“. Erwartet: ein Konto mit der Kontenklasse 4, 5.',
      'Datei „buchungen_fehler.csv“, Zeile 8, Spalte G („Betrag“): Die Zelle enthält eine Formel; Formeln werden nicht ausgewertet, erwartet wird der Zahlenwert. Gefunden: „=SUMME(G2:G7)“. Erwartet: der Betrag als Zahl.',
      'Datei „buchungen_fehler.csv“, Zeile 9, Spalte A („Beleg“): Die Buchung steht schon in Zeile 2 der Datei. Gefunden: „2025-1“. Erwartet: jede Buchung einmal.',
    ]);
    expect(result.view.findings[0]).toMatchObject({ code: 'NUMBER_INVALID', line: 3, column: { letter: 'G', header: 'Betrag', number: 7 }, value: '12,5x' });
    // One event: the rejection. Nothing of the good first row is recorded.
    expect(await h.eventStore.lastPosition()).toBe(before + 1);
    expect(await h.service.lines(GOETTINGEN, 2025)).toEqual([]);
    const again = await importText('buchungen_fehler.csv', await import('node:fs/promises').then((fs) => fs.readFile(`${h.dir}/buchungen_fehler.csv`)));
    expect(again).toMatchObject({ duplicate: true, importId: result.importId });
    expect(await h.eventStore.lastPosition()).toBe(before + 1);
  });

  it('names a missing column with the columns the file has', async () => {
    const result = await importText('ohne_betrag.csv', 'Beleg;Geschäftsjahr;Buchungsdatum;Produkt;Kostenstelle;Sachkonto;Summe;Text\n1;2025;01.01.2025;060301;;533100;5;x\n');
    expect(result.view.findings.map((f) => f.message)).toEqual([
      'Datei „ohne_betrag.csv“, Zeile 1: Die Spalte „Betrag“ (amount) fehlt in der Kopfzeile; vorhanden: A „Beleg“, B „Geschäftsjahr“, C „Buchungsdatum“, D „Produkt“, E „Kostenstelle“, F „Sachkonto“, G „Summe“, H „Text“.',
    ]);
  });

  it('refuses an empty file and a file with only its header', async () => {
    expect((await importText('leer.csv', '')).view.findings.map((f) => f.message)).toEqual(['Datei „leer.csv“: Die Datei ist leer.']);
    expect((await importText('kopf.csv', `${HEADER}\n`)).view.findings.map((f) => f.message)).toEqual(['Datei „kopf.csv“: Die Datei enthält nur die Kopfzeile und keine Daten.']);
  });

  it('refuses a posting that an earlier import recorded with another amount', async () => {
    expect((await importText('januar.csv', csv(good))).view.status).toBe('angenommen');
    const changed = await importText('januar_geaendert.csv', csv('2025-1;2025;28.01.2025;060301;;533100;1.100,00;Januar'));
    expect(changed.view.status).toBe('abgelehnt');
    expect(changed.view.findings[0]!.message).toBe(
      'Datei „januar_geaendert.csv“, Zeile 2: Die Buchung 2025-1 ist für 2025 schon mit 1.000,00 € auf 060301||533100|AUFWAND erfasst, hier steht 1.100,00 € auf 060301||533100|AUFWAND; eine Korrektur ist eine neue Buchung (Storno und Neubuchung).',
    );
  });

  it('refuses a value kind and a direction the Münster profile does not know', async () => {
    const result = await h.service.importFile({
      tenant: '05515',
      profileId: 'muenster-ergebnisse',
      filePath: await h.file('muenster_plan.csv', 'Produktbereich,Produktgruppe,Produktbereichsname,Produktgruppenbezeichnung,Jahr,Richtung,Betrag,Betrag-Typ\n05,0501,Soziale Leistungen,SGB II,2017,Auszahlungen,100.00,Plan\n'),
      actor: 'x',
    });
    expect(result.view.findings.map((f) => f.message)).toEqual([
      'Datei „muenster_plan.csv“, Zeile 2, Spalte F („Richtung“): Die Richtung (Ertrag oder Aufwand) ist im Importprofil nicht zugeordnet. Gefunden: „Auszahlungen“. Erwartet: „Aufwendungen“ oder „Erträge“.',
      'Datei „muenster_plan.csv“, Zeile 2, Spalte H („Betrag-Typ“): Die Wertart ist im Importprofil nicht zugeordnet. Gefunden: „Plan“. Erwartet: „Ergebnis“ (Wertarten IST, ANSATZ, NACHTRAG, PLANUNG).',
    ]);
  });
});

describe('what a finance system really writes', () => {
  it('reads a Windows-1252 export (Excel\'s plain CSV) without being told', async () => {
    const result = await importText('februar_ansi.csv', iconv.encode(csv('2025-20;2025;28.02.2025;060301;;533100;2.000,00;Gebühr für Prüfung'), 'win1252'));
    expect(result.view.status).toBe('angenommen');
  });

  it('reads the same export as XLSX through the same reader', async () => {
    const sheet = XLSX.utils.aoa_to_sheet([HEADER.split(';'), ['2025-30', 2025, '28.03.2025', '060301', '', '533100', 3000, 'März']]);
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, sheet, 'Buchungen');
    const result = await importText('maerz.xlsx', XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer, 'goettingen-buchungen-xlsx');
    expect(result.view).toMatchObject({ status: 'angenommen', postingCount: 1, actualCents: 3000_00 });
  });
});
