/**
 * The same figures in every format and layout a profile can describe: XLSX with typed numbers,
 * JSON, a Windows-1252 CSV found by detection, and a long layout whose variable is combined from
 * two columns with a breakdown column and quarters in a column.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { queryObservations } from '../../src/deliveries';
import { deliver, openHarness, type Harness } from './support';
import { GOOD_ROWS, TEST_DATASET, TEST_SCHEME, TEST_TENANT, teststadt, teststadtProfile, writeLines } from './synthetic';

let h: Harness;
const context = { actor: 'user:test', tenant: TEST_TENANT, now: new Date() };

beforeAll(async () => {
  h = await openHarness();
  await teststadt(h);
});

afterAll(async () => h?.close());

async function accepted(file: string, profileId: string, period?: string) {
  const result = await deliver(h, file, { profileId, tenant: TEST_TENANT, ...(period ? { period } : {}) });
  expect(result.report?.findings.filter((f) => f.severity === 'error')).toEqual([]);
  expect(result.view.status).toBe('angenommen');
  return result;
}

describe('formats', () => {
  it('reads an XLSX sheet by name after title rows, numbers typed by the spreadsheet', async () => {
    await h.deliveries.catalog.saveProfile('teststadt-xlsx-ok', teststadtProfile({ format: { type: 'xlsx', sheet: 'Einwohner', skipRows: 2, headerRows: 1 }, period: { granularity: 'year', kind: 'STICHTAG', from: 'delivery' } }), context);
    const workbook = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet([['Hinweise']]), 'Hinweise');
    XLSX.utils.book_append_sheet(
      workbook,
      XLSX.utils.aoa_to_sheet([['Einwohner nach Sozialräumen'], [], ['Sozialraum', 'Einwohner', 'unter 18', 'SGB-II-Quote'], ['Altstadt', 1234, 210, 12.5], ['Neustadt', 4725, 801, 8.1], ['Nordstadt', 12291, 2310, 15], ['Westliche Höhe', 6002, 1100, '-']]),
      'Einwohner',
    );
    const file = path.join(h.dir, 'einwohner-2022.xlsx');
    await writeFile(file, XLSX.write(workbook, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
    const { view } = await accepted(file, 'teststadt-xlsx-ok', '2022');
    expect(view).toMatchObject({ rowCount: 4, observationCount: 12, periods: [{ kind: 'STICHTAG', start: '2022-12-31', end: '2022-12-31' }] });
    // Line 4 as the spreadsheet shows it: two title rows, then the header.
    expect(await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: TEST_DATASET, schemeId: TEST_SCHEME, variable: 'quote_sgb2', areaCode: 'SR01', periodOn: '2022-12-31' })).toMatchObject([{ value: 12.5, sourceLine: 4 }]);
  });

  it('reads a JSON list of objects', async () => {
    await h.deliveries.catalog.saveProfile('teststadt-json', teststadtProfile({ format: { type: 'json' }, period: { granularity: 'year', kind: 'STICHTAG', from: 'profile', value: '2021' } }), context);
    const rows = [
      { Sozialraum: 'Altstadt', Einwohner: 1200, 'unter 18': 200, 'SGB-II-Quote': '12,0' },
      { Sozialraum: 'Neustadt', Einwohner: 4700, 'unter 18': 800, 'SGB-II-Quote': 8 },
      { Sozialraum: 'Nordstadt', Einwohner: 12000, 'unter 18': 2300, 'SGB-II-Quote': null },
      { Sozialraum: 'Westliche Höhe', Einwohner: 6000, 'unter 18': 1100, 'SGB-II-Quote': 9.5 },
    ];
    const file = path.join(h.dir, 'einwohner-2021.json');
    await writeFile(file, JSON.stringify(rows, null, 2));
    const { view } = await accepted(file, 'teststadt-json');
    expect(view).toMatchObject({ rowCount: 4, observationCount: 12, valueCount: 11 });
  });

  it('detects Windows-1252 and matches "Westliche Höhe"', async () => {
    const file = await writeLines(h.dir, 'einwohner-2020.csv', GOOD_ROWS, 'latin1');
    const { view } = await accepted(file, 'teststadt-einwohner', '2020');
    expect(view).toMatchObject({ encoding: 'Windows-1252', areaCount: 4 });
  });

  it('reads a long layout: variable combined from two columns, a breakdown column, quarters in a column', async () => {
    await h.deliveries.catalog.saveDataset(
      'teststadt-sgb2',
      { name: 'SGB II', source: { name: 'Bundesagentur für Arbeit' }, sensitivity: 'SEALED', variables: [{ code: 'sgb2_personen', name: 'Personen in Bedarfsgemeinschaften', unit: 'Personen', kind: 'count' }, { code: 'sgb2_bg', name: 'Bedarfsgemeinschaften', unit: 'BG', kind: 'count' }] },
      context,
    );
    await h.deliveries.catalog.saveProfile(
      'teststadt-sgb2-quartal',
      {
        name: 'SGB II je Sozialraum und Quartal',
        tenant: TEST_TENANT,
        dataset: 'teststadt-sgb2',
        source: { name: 'Bundesagentur für Arbeit' },
        scheme: { schemeId: TEST_SCHEME },
        format: { type: 'csv', delimiter: ';' },
        numbers: { decimal: ',', thousands: ['.'] },
        specialValues: [{ token: '*', meaning: 'suppressed' }],
        area: { column: { header: 'Gebiet' }, by: 'name', nameMap: { 'Westl. Höhe': 'SR04' } },
        period: { granularity: 'quarter', kind: 'STICHTAG', from: 'column', column: { header: 'Quartal' } },
        variables: {
          layout: 'long',
          valueColumn: { header: 'Anzahl' },
          variableColumns: [{ header: 'Merkmal' }, { header: 'Einheit' }],
          variableMap: { 'SGB II_Personen': 'sgb2_personen', 'SGB II_BG': 'sgb2_bg' },
          dimensionColumns: { geschlecht: { header: 'Geschlecht' } },
        },
        plausibility: { missingAreas: 'off' },
      },
      context,
    );
    const file = await writeLines(h.dir, 'sgb2.csv', [
      'Quartal;Gebiet;Merkmal;Einheit;Geschlecht;Anzahl',
      '2024-Q1;Altstadt;SGB II;Personen;;1.020',
      '2024-Q1;Altstadt;SGB II;Personen;w;530',
      '2024-Q1;Altstadt;SGB II;BG;;*',
      '2024-Q2;Westl. Höhe;SGB II;Personen;;2',
    ]);
    const { view } = await accepted(file, 'teststadt-sgb2-quartal');
    expect(view).toMatchObject({ rowCount: 4, observationCount: 4, valueCount: 3, variables: ['sgb2_bg', 'sgb2_personen'], areaCount: 2 });
    expect(view.periods.map((p) => p.end)).toEqual(['2024-03-31', '2024-06-30']);
    await h.deliveries.projector.catchUp();
    const women = await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: 'teststadt-sgb2', schemeId: TEST_SCHEME, variable: 'sgb2_personen', areaCode: 'SR01' });
    expect(women.map((o) => [o.dimensions, o.value])).toEqual([
      [{}, 1020],
      [{ geschlecht: 'w' }, 530],
    ]);
    const bg = await queryObservations(h.documents, { tenant: TEST_TENANT, datasetId: 'teststadt-sgb2', schemeId: TEST_SCHEME, variable: 'sgb2_bg' });
    expect(bg).toMatchObject([{ value: null, status: 'SUPPRESSED' }]);
  });
});
