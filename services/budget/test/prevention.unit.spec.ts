/**
 * The preventive share (pure): the basis per year, and which classification a line carries.
 */
import { emptyLedgerLine, type LedgerLine } from '../src/domain/lines';
import { classificationOf, preventiveShare, type ProductClassification } from '../src/domain/prevention';

function line(productCode: string, year: number, monthly: number[] | null, planned: number): LedgerLine {
  const l = emptyLedgerLine('03159016', year, { productArea: '06', productGroup: productCode.slice(0, 4), productCode, costCentre: null, account: '*', accountKind: 'AUFWAND' });
  l.ansatz = { cents: planned, position: 1 };
  if (monthly) l.actuals['i#1'] = { cents: monthly.reduce((s, x) => s + x, 0), months: [...monthly, ...new Array(12 - monthly.length).fill(0)], count: monthly.length };
  return l;
}

const definitions: ProductClassification[] = [
  { productCode: '060501', validFromYear: null, classification: { prevention: 'PRAEVENTIV', approach: 'INDIVIDUELL' } },
  { productCode: '060301', validFromYear: null, classification: { prevention: 'NACHSORGEND', approach: 'INDIVIDUELL' } },
];

describe('Präventionsanteil', () => {
  it('counts a closed year with its Ist and a year in progress with its plan', () => {
    const rows = preventiveShare(
      [line('060501', 2024, new Array(12).fill(10), 100), line('060301', 2024, new Array(12).fill(30), 400), line('060501', 2025, [50, 50], 200), line('060301', 2025, [10, 10], 600)],
      definitions,
    );
    expect(rows.map((r) => [r.year, r.basis, r.praeventionsanteil])).toEqual([
      [2024, 'IST', 0.25],
      [2025, 'ANSATZ', 0.25],
    ]);
    expect(rows[1]!.changePoints).toBe(0);
  });

  it('lets a budget line classify more finely than its Produkt', () => {
    const l = line('060301', 2025, null, 100);
    l.classification = { prevention: 'PRAEVENTIV', approach: 'NICHT_ZUGEORDNET', position: 2 };
    expect(classificationOf(l, definitions)).toEqual({ prevention: 'PRAEVENTIV', approach: 'INDIVIDUELL' });
    expect(classificationOf(line('060301', 2025, null, 100), definitions)).toEqual({ prevention: 'NACHSORGEND', approach: 'INDIVIDUELL' });
  });

  it('has no share where nothing is classified', () => {
    expect(preventiveShare([line('999999', 2024, new Array(12).fill(1), 12)], definitions)[0]!.praeventionsanteil).toBeNull();
  });
});
