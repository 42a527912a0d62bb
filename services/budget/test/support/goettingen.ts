/**
 * A small Produkthaushalt after Göttingen's rule "Prävention vor Intervention": two preventive
 * Produkte (Kinder- und Jugendarbeit, Frühe Hilfen), two nachsorgende (Hilfen zur Erziehung,
 * Grundsicherung), monthly postings as a finance system exports them (SAP-like: Belegnummer,
 * Buchungsdatum, Sachkonto, Ertrag with a minus sign, decimal comma), and a wide plan file.
 */
import type { ImportProfileInput } from '../../src/imports/profile';

export const GOETTINGEN = '03159016';
export const HZE_GOAL = 'a6c3e8f1-4b2d-4a7e-9c5f-3e1d8b6a2f70';

export const PRODUCTS = [
  { productCode: '060201', name: 'Kinder- und Jugendarbeit', productArea: '06', productGroup: '0602', prevention: 'PRAEVENTIV', approach: 'STRUKTURELL', goalIds: [], kennzahlVariables: [] },
  { productCode: '060501', name: 'Frühe Hilfen', productArea: '06', productGroup: '0605', prevention: 'PRAEVENTIV', approach: 'INDIVIDUELL', goalIds: [HZE_GOAL], kennzahlVariables: [] },
  { productCode: '060301', name: 'Hilfen zur Erziehung', productArea: '06', productGroup: '0603', prevention: 'NACHSORGEND', approach: 'INDIVIDUELL', goalIds: [HZE_GOAL], kennzahlVariables: ['aufwand_hze'], responsible: 'user-jugendamt' },
  { productCode: '050101', name: 'Grundsicherung im Alter', productArea: '05', productGroup: '0501', prevention: 'NACHSORGEND', approach: 'INDIVIDUELL', goalIds: [], kennzahlVariables: [] },
] as const;

/** Annual Aufwand in euro per Produkt and year (multiples of 12 euro cents x 100: monthly postings stay exact). */
export const AUFWAND: Record<string, Record<number, number>> = {
  '060201': { 2022: 3_000_000, 2023: 3_000_000, 2024: 3_000_000 },
  '060501': { 2022: 1_200_000, 2023: 1_800_000, 2024: 2_400_000 },
  '060301': { 2022: 12_000_000, 2023: 12_000_000, 2024: 10_800_000 },
  '050101': { 2022: 19_200_000, 2023: 19_200_000, 2024: 19_200_000 },
};
/** Annual Ertrag (Bundeserstattung Grundsicherung). */
export const ERTRAG_050101: Record<number, number> = { 2022: 18_000_000, 2023: 18_000_000, 2024: 19_200_000, 2025: 19_800_000 };

export const POSTINGS_PROFILE: ImportProfileInput = {
  name: 'Göttingen: Buchungen aus dem Finanzverfahren (CSV)',
  tenant: GOETTINGEN,
  sourceSystem: 'SAP',
  format: { type: 'csv', encoding: 'auto', delimiter: ';', headerRows: 1 },
  numbers: { decimal: ',', thousands: ['.'] },
  mode: 'BUCHUNGEN',
  layout: 'long',
  columns: {
    product: { header: 'Produkt' },
    costCentre: { header: 'Kostenstelle' },
    account: { header: 'Sachkonto' },
    year: { header: 'Geschäftsjahr' },
    amount: { header: 'Betrag' },
    postingId: { header: 'Beleg' },
    postingDate: { header: 'Buchungsdatum' },
    text: { header: 'Text' },
  },
  valueKind: 'IST',
  accountClasses: [
    { prefix: '4', kind: 'ERTRAG' },
    { prefix: '5', kind: 'AUFWAND' },
  ],
  signs: { aufwand: 'positiv', ertrag: 'negativ' },
};

export const PLAN_PROFILE: ImportProfileInput = {
  name: 'Göttingen: Haushaltsplan (Ansatz und Finanzplanung, breit)',
  tenant: GOETTINGEN,
  sourceSystem: 'SAP',
  format: { type: 'csv', encoding: 'auto', delimiter: ';', headerRows: 1 },
  numbers: { decimal: ',', thousands: ['.'] },
  mode: 'SALDEN',
  layout: 'wide',
  columns: { product: { header: 'Produkt' }, productName: { header: 'Bezeichnung' }, account: { header: 'Konto' } },
  wide: [
    { column: { header: 'Ansatz 2025' }, year: 2025, kind: 'ANSATZ' },
    { column: { header: 'Planung 2026' }, year: 2026, kind: 'PLANUNG' },
    { column: { header: 'Planung 2027' }, year: 2027, kind: 'PLANUNG' },
  ],
  accountClasses: [
    { prefix: '4', kind: 'ERTRAG' },
    { prefix: '5', kind: 'AUFWAND' },
  ],
};

const de = (euro: number) => euro.toLocaleString('de-DE', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const account = (productCode: string) => (productCode === '060301' || productCode === '050101' ? '533100' : '531800');

/** Monthly postings of whole years, or of the first `months` months. */
export function postingsCsv(years: readonly number[], amounts: Record<string, Record<number, number>> = AUFWAND, months = 12): string {
  const rows = ['Beleg;Geschäftsjahr;Buchungsdatum;Produkt;Kostenstelle;Sachkonto;Betrag;Text'];
  for (const year of years) {
    for (const [product, byYear] of Object.entries(amounts)) {
      const annual = byYear[year];
      if (annual === undefined) continue;
      for (let m = 1; m <= months; m += 1) {
        rows.push(`${year}-${product}-${m};${year};28.${String(m).padStart(2, '0')}.${year};${product};;${account(product)};${de(annual / 12)};Zahlung ${m}/${year}`);
      }
    }
    const ertrag = ERTRAG_050101[year];
    if (ertrag !== undefined) for (let m = 1; m <= months; m += 1) rows.push(`${year}-E-${m};${year};15.${String(m).padStart(2, '0')}.${year};050101;;414100;-${de(ertrag / 12)};Erstattung Bund`);
  }
  return `${rows.join('\r\n')}\r\n`;
}

export function planCsv(): string {
  return [
    'Produkt;Bezeichnung;Konto;Ansatz 2025;Planung 2026;Planung 2027',
    `060201;Kinder- und Jugendarbeit;531800;${de(3_000_000)};${de(3_100_000)};${de(3_200_000)}`,
    `060501;Frühe Hilfen;531800;${de(2_000_000)};${de(2_500_000)};${de(3_000_000)}`,
    `060301;Hilfen zur Erziehung;533100;${de(12_000_000)};${de(11_500_000)};${de(11_000_000)}`,
    `050101;Grundsicherung im Alter;533100;${de(21_000_000)};${de(21_500_000)};${de(22_000_000)}`,
    `050101;Grundsicherung im Alter;414100;${de(19_500_000)};${de(20_000_000)};${de(20_500_000)}`,
    '',
  ].join('\r\n');
}
