/**
 * Bad deliveries: each is rejected with every finding in German (file, line, column, value,
 * expectation), and nothing is recorded.
 */
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { DeliveryRefusedError, OBSERVATIONS_COLLECTION } from '../../src/deliveries';
import { deliver, openHarness, type Harness } from './support';
import { GOOD_ROWS, TEST_TENANT, teststadt, teststadtProfile, writeLines, zipWithZeros } from './synthetic';

let h: Harness;
let n = 0;

beforeAll(async () => {
  h = await openHarness();
  await teststadt(h);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

async function rejected(lines: readonly string[] | Buffer, options: { name?: string; profileId?: string; encoding?: 'utf8' | 'latin1'; period?: string } = {}) {
  n += 1;
  const name = options.name ?? `lieferung-${n}.csv`;
  const file = Buffer.isBuffer(lines) ? path.join(h.dir, name) : await writeLines(h.dir, name, lines, options.encoding);
  if (Buffer.isBuffer(lines)) await writeFile(file, lines);
  const result = await deliver(h, file, { profileId: options.profileId ?? 'teststadt-einwohner', tenant: TEST_TENANT, ...(options.period ? { period: options.period } : {}) });
  expect(result.view.status).toBe('abgelehnt');
  const events = await h.eventStore.readStream(`delivery-${result.deliveryId}`);
  expect(events.map((e) => e.type)).toEqual(['DeliveryReceived', 'DeliveryRejected']);
  return { ...result, findings: result.report!.findings, file: name };
}

async function saveProfile(id: string, overrides: Parameters<typeof teststadtProfile>[0]) {
  await h.deliveries.catalog.saveProfile(id, teststadtProfile(overrides), { actor: 'user:test', tenant: TEST_TENANT, now: new Date() });
}

describe('a rejected delivery', () => {
  it('lists every error, not just the first, each with file, line, column, value and expectation', async () => {
    const { findings, file } = await rejected([GOOD_ROWS[0]!, 'Altstadt;1.234;210;12,5', 'Südstadt;100;10;1,0', 'Neustadt;viele;801;8,1', 'Nordstadt;12.291;2.310;15,0', 'Nordstadt;12.291;2.310;15,0', 'Westliche Höhe;6.002;-5;-']);
    expect(findings.map((f) => [f.code, f.line, f.column?.letter ?? null])).toEqual([
      ['AREA_UNKNOWN', 3, 'A'],
      ['NUMBER_INVALID', 4, 'B'],
      ['DUPLICATE', 6, 'B'],
      ['DUPLICATE', 6, 'C'],
      ['DUPLICATE', 6, 'D'],
      ['NEGATIVE_COUNT', 7, 'C'],
    ]);
    expect(findings[1]).toMatchObject({ file, value: 'viele', column: { number: 2, letter: 'B', header: 'Einwohner' } });
    expect(findings[1]!.message).toBe(
      `Datei „${file}“, Zeile 4, Spalte B („Einwohner“): Der Wert ist keine Zahl. Gefunden: „viele“. Erwartet: eine Zahl mit Dezimaltrennzeichen „,“, Tausendertrennzeichen „.“ oder eines der Zeichen „-“, „.“, „...“, „x“, „•“, „/“.`,
    );
    expect(findings[0]!.message).toContain('„Südstadt“');
    expect(findings[0]!.message).toContain('unbekannt');
    expect(findings[2]!.message).toContain('schon in Zeile 5 geliefert');
  });

  it('refuses a part larger than its total', async () => {
    const { findings } = await rejected([GOOD_ROWS[0]!, 'Altstadt;200;210;12,5', ...GOOD_ROWS.slice(2)]);
    expect(findings.map((f) => f.code)).toEqual(['PART_EXCEEDS_TOTAL']);
    expect(findings[0]!.message).toContain('Gebiet „SR01“: ew_unter_18 (210) ist größer als ew (200)');
  });

  it('names a Windows-1252 file delivered as UTF-8 with the line of the first umlaut', async () => {
    await saveProfile('teststadt-utf8', { format: { type: 'csv', encoding: 'utf-8', delimiter: ';', headerRows: 1 } });
    const { findings } = await rejected(GOOD_ROWS, { profileId: 'teststadt-utf8', encoding: 'latin1' });
    expect(findings).toMatchObject([{ code: 'ENCODING_INVALID', line: 5 }]);
    expect(findings[0]!.message).toContain('nicht in der Zeichenkodierung UTF-8');
  });

  it('recognises a comma file delivered to a semicolon profile', async () => {
    const { findings } = await rejected(GOOD_ROWS.map((l) => l.replace(/;/g, ',').replace(/(\d),(\d)/g, '$1.$2')));
    expect(findings).toMatchObject([{ code: 'DELIMITER_MISMATCH', line: 1 }]);
    expect(findings[0]!.message).toContain('vermutlich „,“');
  });

  it('reports shifted columns, a missing column, an empty file and a header without data', async () => {
    const shifted = await rejected([GOOD_ROWS[0]!, 'Altstadt;1.234;210;12,5', 'Neustadt;;4.725;801;8,1', ...GOOD_ROWS.slice(3)]);
    expect(shifted.findings.filter((f) => f.severity === 'error')).toMatchObject([{ code: 'ROW_LENGTH', line: 3 }]);
    expect(shifted.findings[0]!.message).toContain('5 Spalten, die Kopfzeile 4');
    const missing = await rejected(['Sozialraum;Einwohner;SGB-II-Quote', 'Altstadt;1.234;12,5']);
    expect(missing.findings).toMatchObject([{ code: 'COLUMN_MISSING', line: 1 }]);
    expect(missing.findings[0]!.message).toContain('„unter 18“');
    expect(missing.findings[0]!.message).toContain('A „Sozialraum“, B „Einwohner“, C „SGB-II-Quote“');
    expect((await rejected(Buffer.alloc(0))).findings).toMatchObject([{ code: 'FILE_EMPTY' }]);
    expect((await rejected([GOOD_ROWS[0]!])).findings).toMatchObject([{ code: 'HEADER_ONLY', line: 1 }]);
  });

  it('keeps formula text as text and refuses it in a number column, in CSV and in XLSX', async () => {
    const csv = await rejected([GOOD_ROWS[0]!, 'Altstadt;"=HYPERLINK(""http://example.org"";""1234"")";210;12,5', ...GOOD_ROWS.slice(2)]);
    expect(csv.findings).toMatchObject([{ code: 'FORMULA_IN_NUMBER', line: 2, column: { letter: 'B' }, value: '=HYPERLINK("http://example.org";"1234")' }]);

    await saveProfile('teststadt-xlsx', { format: { type: 'xlsx', headerRows: 1 } });
    const sheet = XLSX.utils.aoa_to_sheet([
      ['Sozialraum', 'Einwohner', 'unter 18', 'SGB-II-Quote'],
      ['Altstadt', 1234, 210, 12.5],
      ['Neustadt', 4725, 801, 8.1],
      ['Nordstadt', 12291, 2310, 15],
      ['Westliche Höhe', 6002, 1100, 9],
    ]);
    sheet['C3'] = { t: 's', v: '=HYPERLINK("http://example.org","801")' };
    sheet['D4'] = { t: 's', v: 'ca. 15', f: 'CONCAT("ca. ";15)' };
    const workbook = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(workbook, sheet, 'Daten');
    const xlsx = await rejected(XLSX.write(workbook, { type: 'buffer', bookType: 'xlsx' }) as Buffer, { name: 'einwohner.xlsx', profileId: 'teststadt-xlsx' });
    expect(xlsx.findings.map((f) => [f.code, f.line, f.column?.letter])).toEqual([
      ['FORMULA_IN_NUMBER', 3, 'C'],
      ['FORMULA_IN_NUMBER', 4, 'D'],
    ]);
    expect(xlsx.findings[1]!.value).toBe('=CONCAT("ca. ";15)');
  });

  it('does not open a zip bomb or a file that only pretends to be a workbook', async () => {
    await saveProfile('teststadt-xlsx', { format: { type: 'xlsx', headerRows: 1 } });
    const bomb = await rejected(zipWithZeros('xl/worksheets/sheet1.xml', 20 * 1024 * 1024), { name: 'bombe.xlsx', profileId: 'teststadt-xlsx' });
    expect(bomb.findings).toMatchObject([{ code: 'ZIP_BOMB' }]);
    expect(bomb.findings[0]!.message).toContain('entpackt wäre sie 20 MB groß');
    const fake = await rejected(GOOD_ROWS, { name: 'tabelle.xlsx', profileId: 'teststadt-xlsx' });
    expect(fake.findings).toMatchObject([{ code: 'FILE_UNREADABLE' }]);
  });

  it('caps the stored list at 1,000 findings and still counts every one', async () => {
    const lines = [GOOD_ROWS[0]!];
    for (let i = 0; i < 1500; i += 1) lines.push(`Altstadt;x${i};1;1`);
    const { report } = await rejected(lines);
    expect(report!.findings).toHaveLength(1000);
    expect(report!.truncated).toBe(true);
    // Per row: the bad number, and the two other cells of a row already delivered (from row 2 on).
    expect(report!.countsByCode).toEqual({ NUMBER_INVALID: 1500, DUPLICATE: 2998, AREA_MISSING: 1 });
    expect(report!.errorCount).toBe(4498);
    expect(report!.warningCount).toBe(1);
  });

  it('refuses a 1 GB-class file before reading it', async () => {
    const file = path.join(h.dir, 'riesig.csv');
    const handle = await open(file, 'w');
    await handle.truncate(1100 * 1024 * 1024);
    await handle.close();
    const stored = await h.deliveries.service.localFile(file);
    const attempt = h.deliveries.service.submit({ file: stored, profileId: 'teststadt-einwohner', tenant: TEST_TENANT, actor: 'user:test', access: { owners: [TEST_TENANT], prefixes: [] } });
    await expect(attempt).rejects.toThrow(DeliveryRefusedError);
    const error = (await attempt.catch((e: unknown) => e)) as DeliveryRefusedError;
    expect(error.status).toBe(413);
    expect(error.finding).toMatchObject({ code: 'FILE_TOO_LARGE', file: 'riesig.csv' });
    expect(error.finding.message).toContain('höchstens 512 MB');
  });

  it('recorded nothing for any of them', async () => {
    expect(await h.documents.scan(OBSERVATIONS_COLLECTION)).toEqual([]);
    const all = await h.eventStore.readAll();
    expect(all.filter((e) => e.type === 'ObservationsRecorded' || e.type === 'DeliveryAccepted')).toEqual([]);
  });
});
