/**
 * Deviation rules and the aggregation of the report (pure).
 */
import { emptyLedgerLine, type LedgerLine } from '../src/domain/lines';
import { breaches, computeReport, monthEnd, type DeviationRule, type UnitFigures } from '../src/domain/report';

function ledger(productCode: string, kind: 'AUFWAND' | 'ERTRAG', ansatz: number, monthly: number[], year = 2025): LedgerLine {
  const line = emptyLedgerLine('03159016', year, { productArea: productCode.slice(0, 2), productGroup: productCode.slice(0, 4), productCode, costCentre: null, account: '*', accountKind: kind });
  line.ansatz = { cents: ansatz, position: 1 };
  line.actuals['i#1'] = { cents: monthly.reduce((s, x) => s + x, 0), months: [...monthly, ...new Array(12 - monthly.length).fill(0)], count: monthly.length };
  return line;
}

const unit = (overrides: Partial<UnitFigures>): UnitFigures => ({
  level: 'PRODUKT',
  code: '060301',
  name: 'HzE',
  accountKind: 'AUFWAND',
  adoptedCents: 1_000_000_00,
  plannedCents: 1_000_000_00,
  planungCents: null,
  commitmentCents: 0,
  actualToDateCents: 0,
  forecastCents: 1_000_000_00,
  deviationCents: 0,
  deviationRatio: 0,
  unfavourable: false,
  ...overrides,
});
const rule: DeviationRule = { level: 'PRODUKT', absoluteThresholdCents: 50_000_00, relativeThreshold: 0.05, onlyUnfavourable: false };

describe('deviation rules', () => {
  it('needs both the absolute and the relative threshold', () => {
    expect(breaches(unit({ deviationCents: 60_000_00, deviationRatio: 0.06 }), [rule])).toBe(rule);
    expect(breaches(unit({ deviationCents: 40_000_00, deviationRatio: 0.2 }), [rule])).toBeUndefined();
    expect(breaches(unit({ plannedCents: 10_000_000_00, deviationCents: 60_000_00, deviationRatio: 0.006 }), [rule])).toBeUndefined();
  });

  it('flags a deviation without a plan on the absolute threshold alone', () => {
    expect(breaches(unit({ plannedCents: 0, deviationCents: 60_000_00, deviationRatio: null }), [rule])).toBe(rule);
  });

  it('can be limited to unfavourable deviations, and applies only to its level', () => {
    const strict = { ...rule, onlyUnfavourable: true };
    expect(breaches(unit({ deviationCents: -60_000_00, deviationRatio: -0.06, unfavourable: false }), [strict])).toBeUndefined();
    expect(breaches(unit({ level: 'PRODUKTGRUPPE', deviationCents: 60_000_00, deviationRatio: 0.06 }), [rule])).toBeUndefined();
  });
});

describe('the report', () => {
  it('sums Produkte into Produktgruppe and Produktbereich and calls less Ertrag unfavourable', () => {
    const lines = [ledger('060301', 'AUFWAND', 1_200_00, [100_00, 100_00, 100_00]), ledger('060302', 'AUFWAND', 600_00, [50_00, 50_00, 50_00]), ledger('060301', 'ERTRAG', 1_200_00, [50_00, 50_00, 50_00])];
    const units = computeReport({ year: 2025, month: 3, lines, history: [], names: new Map([['0603', 'Hilfen für junge Menschen']]) });
    const find = (level: string, code: string, kind = 'AUFWAND') => units.find((u) => u.level === level && u.code === code && u.accountKind === kind)!;
    expect(find('PRODUKT', '060301')).toMatchObject({ actualToDateCents: 300_00, forecastCents: 1_200_00, deviationCents: 0 });
    expect(find('PRODUKTGRUPPE', '0603')).toMatchObject({ name: 'Hilfen für junge Menschen', plannedCents: 1_800_00, actualToDateCents: 450_00, forecastCents: 1_800_00 });
    expect(find('PRODUKTBEREICH', '06')).toMatchObject({ plannedCents: 1_800_00 });
    expect(find('PRODUKT', '060301', 'ERTRAG')).toMatchObject({ forecastCents: 600_00, deviationCents: -600_00, deviationRatio: -0.5, unfavourable: true });
  });

  it('counts only the Ist up to the cut-off month', () => {
    const units = computeReport({ year: 2025, month: 2, lines: [ledger('060301', 'AUFWAND', 1_200_00, [100_00, 100_00, 100_00])], history: [], names: new Map() });
    expect(units.find((u) => u.level === 'PRODUKT')!.actualToDateCents).toBe(200_00);
    expect(monthEnd(2024, 2)).toBe('2024-02-29');
  });
});
