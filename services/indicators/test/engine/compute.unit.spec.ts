/**
 * The engine on small, hand-checkable data: a city of two Bezirke with two and three
 * Sozialräume, observations per Sozialraum, totals summed up the hierarchy.
 */
import type { IndicatorDefinition, VariableDefinition } from '../../src/catalogue/model';
import { compileSources } from '../../src/catalogue/registry';
import { DEFAULT_DISCLOSURE_RULES, disclosedCells, type DisclosureRules } from '../../src/disclosure';
import { MemoryCube } from '../../src/engine/cube';
import { ComputationContext, computeIndicator, fmt, STATUS, type StepResult, type VocabularyEntry } from '../../src/engine/compute';
import { buildHierarchy, crosswalkValues } from '../../src/engine/hierarchy';
import { compileFormula, type VariableInfo } from '../../src/formula';

const h = buildHierarchy(
  'sozialraeume',
  1,
  [
    { code: 'B1', name: 'Nord', unitType: 'Bezirk', parentCode: null },
    { code: 'B2', name: 'Süd', unitType: 'Bezirk', parentCode: null },
    { code: 'S11', name: 'Hafen', unitType: 'Sozialraum', parentCode: 'B1' },
    { code: 'S12', name: 'Altstadt', unitType: 'Sozialraum', parentCode: 'B1' },
    { code: 'S21', name: 'Feld', unitType: 'Sozialraum', parentCode: 'B2' },
    { code: 'S22', name: 'Wald', unitType: 'Sozialraum', parentCode: 'B2' },
    { code: 'S23', name: 'Heide', unitType: 'Sozialraum', parentCode: 'B2' },
  ],
  { code: '01001', name: 'Musterstadt' },
);

const variables: VariableDefinition[] = [
  { code: 'ew', name: 'Einwohner', unit: 'Personen', additive: true, sources: ['ew_insgesamt', 'bevoelkerung'] },
  { code: 'ew_unter_15', name: 'Einwohner unter 15', unit: 'Personen', additive: true, sources: ['ew_unter_6 + ew_6_bis_unter_15'] },
  { code: 'kinder_sgb2', name: 'Kinder in SGB II', unit: 'Personen', additive: true, sources: ['kinder_sgb2'] },
  { code: 'quote_geliefert', name: 'Gelieferte Quote', unit: '%', additive: false, sources: ['quote_geliefert'] },
];
const vocabulary = new Map<string, VocabularyEntry>(variables.map((v) => [v.code, { def: v, sources: compileSources(v) }]));
const info = new Map<string, VariableInfo>(variables.map((v) => [v.code, { unit: v.unit, additive: v.additive }]));


function indicator(id: string, formula: string, extra: Partial<IndicatorDefinition> = {}) {
  const def: IndicatorDefinition = {
    id,
    name: id,
    description: id,
    formula,
    scale: 100,
    unit: '%',
    polarity: '-',
    type: 'Kontext',
    source: 'Test',
    levels: ['Sozialraum'],
    periodicity: 'jährlich',
    stichtag: '31.12.',
    sensitivity: 'INTERNAL',
    ...extra,
  };
  return { def, version: 1, formula: compileFormula(formula, info) };
}

const stichtag = (year: number) => `S:${year}-12-31`;

function cube(data: Record<string, Record<number, Record<string, number | null>>>) {
  const c = new MemoryCube(h);
  for (const [code, byYear] of Object.entries(data)) {
    for (const [year, cells] of Object.entries(byYear)) for (const [area, v] of Object.entries(cells)) c.set(code, stichtag(Number(year)), area, v, `d-${code}-${year}`);
  }
  return c;
}

const at = (r: StepResult, code: string) => {
  const i = h.index.get(code)!;
  return { value: r.value[i]!, numerator: r.numerator[i]!, denominator: r.denominator?.[i], status: r.status[i]!, rule: r.rule[i], parent: r.parentValue[i]!, previous: r.previousValue[i]!, rank: r.rank[i]!, z: r.zScore[i]!, ampel: r.ampel[i], covered: r.covered[i] };
};

const noSuppression: DisclosureRules = { minCount: 0, minPopulation: 0 };

const base = {
  ew_insgesamt: { 2022: { S11: 1000, S12: 3000, S21: 2000, S22: 500, S23: 1500 } },
  ew_unter_6: { 2022: { S11: 60, S12: 150, S21: 100, S22: 40, S23: 90 } },
  ew_6_bis_unter_15: { 2022: { S11: 90, S12: 250, S21: 200, S22: 60, S23: 110 } },
  kinder_sgb2: { 2022: { S11: 45, S12: 40, S21: 30, S22: 25, S23: 20 } },
};

describe('aggregation up the hierarchy', () => {
  it('sums numerators and denominators for Bezirk and city, never averaging the rates', () => {
    const ctx = new ComputationContext(cube(base), vocabulary, noSuppression);
    const [r] = computeIndicator(ctx, indicator('kinderarmut', 'kinder_sgb2 / ew_unter_15'));
    // Hafen 45/150 = 30 %, Altstadt 40/400 = 10 %: Nord = 85/550, not the mean 20 %.
    expect(at(r!, 'S11').value).toBeCloseTo(30);
    expect(at(r!, 'B1')).toMatchObject({ numerator: 85, denominator: 550 });
    expect(at(r!, 'B1').value).toBeCloseTo((85 / 550) * 100);
    expect(at(r!, '01001')).toMatchObject({ numerator: 160, denominator: 1150 });
    expect(h.unitTypes[h.index.get('01001')!]).toBe('Gesamt');
  });

  it('takes a variable from the first source that the data provide, per area', () => {
    const c = cube({ ew_insgesamt: { 2022: { S11: 1000, S12: 3000 } }, bevoelkerung: { 2022: { S21: 2000, S22: 500, S23: 1500, S11: 99 } } });
    const ctx = new ComputationContext(c, vocabulary, noSuppression);
    const [r] = computeIndicator(ctx, indicator('ew_count', 'ew', { scale: 1, unit: 'Personen' }));
    expect(at(r!, 'S11').value).toBe(1000);
    expect(at(r!, 'S21').value).toBe(2000);
    expect(at(r!, '01001').value).toBe(8000);
  });

  it('leaves a parent without a value when one of its children is missing, and keeps a delivered total', () => {
    const c = cube({ ew_insgesamt: { 2022: { S11: 1000, S12: 3000, S21: 2000, S22: 500, B2: 4100 } } });
    const ctx = new ComputationContext(c, vocabulary, noSuppression);
    const [r] = computeIndicator(ctx, indicator('ew_count', 'ew', { scale: 1, unit: 'Personen' }));
    expect(at(r!, 'B2').value).toBe(4100);
    expect(at(r!, 'B1').value).toBe(4000);
    expect(at(r!, '01001').value).toBe(8100);
    const c2 = cube({ ew_insgesamt: { 2022: { S11: 1000, S12: 3000, S21: 2000, S22: 500 } } });
    const [r2] = computeIndicator(new ComputationContext(c2, vocabulary, noSuppression), indicator('ew_count', 'ew', { scale: 1, unit: 'Personen' }));
    expect(Number.isNaN(at(r2!, 'B2').value)).toBe(true);
    expect(at(r2!, 'B2').covered).toBe(0);
    expect(Number.isNaN(at(r2!, '01001').value)).toBe(true);
  });

  it('never sums a delivered rate: parents of a non-additive variable stay empty', () => {
    const c = cube({ quote_geliefert: { 2022: { S11: 10, S12: 20, S21: 30, S22: 40, S23: 50 } } });
    const [r] = computeIndicator(new ComputationContext(c, vocabulary, noSuppression), indicator('q', 'quote_geliefert', { scale: 1 }));
    expect(at(r!, 'S22').value).toBe(40);
    expect(at(r!, 'B1').covered).toBe(0);
  });
});

describe('comparisons and Ampel', () => {
  it('stores parent value, rank among siblings, z-score within the unit type and the previous year', () => {
    const data = {
      ...base,
      ew_insgesamt: { ...base.ew_insgesamt, 2021: { S11: 900, S12: 3100, S21: 2000, S22: 450, S23: 1500 } },
    };
    const ctx = new ComputationContext(cube(data), vocabulary, noSuppression);
    const results = computeIndicator(ctx, indicator('ew_entw', 'change(ew, 1) / lag(ew, 1)', { polarity: '0' }));
    expect(results.map((r) => r.step)).toEqual([2022]);
    const r = results[0]!;
    expect(at(r, 'S11').value).toBeCloseTo((100 / 900) * 100);
    const kinder = computeIndicator(ctx, indicator('kinderarmut', 'kinder_sgb2 / ew_unter_15'))[0]!;
    expect(at(kinder, 'S11').parent).toBeCloseTo(at(kinder, 'B1').value);
    // Sozialräume of Süd: Feld 10 %, Wald 25 %, Heide 10 % -> Wald first.
    expect(at(kinder, 'S22').rank).toBe(1);
    const zs = ['S11', 'S12', 'S21', 'S22', 'S23'].map((c) => at(kinder, c).z);
    expect(zs.reduce((a, b) => a + b, 0)).toBeCloseTo(0);
    expect(Number.isNaN(at(kinder, 'B1').z)).toBe(false);
  });

  it('rates each value against its parent with the rule shown', () => {
    const ctx = new ComputationContext(cube(base), vocabulary, noSuppression);
    const r = computeIndicator(ctx, indicator('kinderarmut', 'kinder_sgb2 / ew_unter_15', { thresholds: { kind: 'relative', reference: 'parent', yellowFromPercent: 10, redFromPercent: 25 } }))[0]!;
    // Hafen 30 % against Nord 15.5 %: far worse -> red; Altstadt 10 %: better -> green.
    expect(at(r, 'S11').ampel).toMatchObject({ color: 'RED' });
    expect(at(r, 'S11').ampel?.rule).toMatch(/Abweichung vom Wert der übergeordneten Einheit: \+\d+,\d %.*rot ab 25 %/);
    expect(at(r, 'S12').ampel?.color).toBe('GREEN');
    const abs = computeIndicator(ctx, indicator('kinderarmut', 'kinder_sgb2 / ew_unter_15', { thresholds: { kind: 'absolute', green: 12, yellow: 20 } }))[0]!;
    expect(at(abs, 'S12').ampel?.color).toBe('GREEN');
    expect(at(abs, 'B1').ampel?.color).toBe('YELLOW');
    expect(at(abs, 'S11').ampel?.color).toBe('RED');
  });
});

describe('disclosure control in the computation', () => {
  const small = {
    ...base,
    kinder_sgb2: { 2022: { S11: 45, S12: 40, S21: 2, S22: 25, S23: 20 } },
  };

  it('suppresses a small numerator and a sibling so the Bezirk total does not reveal it', () => {
    const ctx = new ComputationContext(cube(small), vocabulary, DEFAULT_DISCLOSURE_RULES);
    const r = computeIndicator(ctx, indicator('kinderarmut', 'kinder_sgb2 / ew_unter_15'))[0]!;
    expect(at(r, 'S21')).toMatchObject({ status: STATUS.SUPPRESSED_PRIMARY, rule: 'min-count:3' });
    const süd = ['S21', 'S22', 'S23'].map((c) => at(r, c).status);
    expect(süd.filter((s) => s === STATUS.SUPPRESSED_SECONDARY)).toHaveLength(1);
    expect(at(r, 'B2').status).toBe(STATUS.COMPUTED);
    // The audit of the published numerators finds nothing recomputable.
    const cells = h.codes.map((code, i) => ({ id: code, parentId: h.parent[i]! >= 0 ? h.codes[h.parent[i]!]! : null, value: r.numerator[i]! }));
    const decisions = new Map(
      h.codes.map((code, i) => [code, { status: r.status[i] === STATUS.COMPUTED ? ('published' as const) : r.status[i] === STATUS.SUPPRESSED_PRIMARY ? ('suppressed_primary' as const) : ('suppressed_secondary' as const), rule: r.rule[i] ?? null }]),
    );
    expect(disclosedCells(cells, decisions)).toEqual([]);
  });

  it('protects the same cell the same way in every indicator that reads it, and in the change to the next year', () => {
    const data = { ...small, kinder_sgb2: { ...small.kinder_sgb2, 2023: { S11: 44, S12: 41, S21: 12, S22: 26, S23: 19 } }, ew_unter_6: { ...small.ew_unter_6, 2023: small.ew_unter_6[2022] }, ew_6_bis_unter_15: { ...small.ew_6_bis_unter_15, 2023: small.ew_6_bis_unter_15[2022] } };
    const ctx = new ComputationContext(cube(data), vocabulary, DEFAULT_DISCLOSURE_RULES);
    const count = computeIndicator(ctx, indicator('kinder', 'kinder_sgb2', { scale: 1, unit: 'Personen' }));
    const change = computeIndicator(ctx, indicator('kinder_veraenderung', 'change(kinder_sgb2, 1)', { scale: 1, unit: 'Personen' }));
    const c2022 = count.find((r) => r.step === 2022)!;
    const c2023 = count.find((r) => r.step === 2023)!;
    expect(at(c2022, 'S21').status).toBe(STATUS.SUPPRESSED_PRIMARY);
    // 2023 is published for Feld (12), but its change from the hidden 2022 value would reveal it.
    expect(at(c2023, 'S21').status).toBe(STATUS.COMPUTED);
    expect(Number.isNaN(at(c2023, 'S21').previous)).toBe(true);
    const ch = change.find((r) => r.step === 2023)!;
    expect(at(ch, 'S21').status).not.toBe(STATUS.COMPUTED);
  });

  it('suppresses every value of a unit below the population minimum (Hamburg: 300)', () => {
    const ctx = new ComputationContext(cube({ ...base, ew_insgesamt: { 2022: { ...base.ew_insgesamt[2022], S22: 250 } } }), vocabulary, { minCount: 3, minPopulation: 300 });
    const r = computeIndicator(ctx, indicator('kinderarmut', 'kinder_sgb2 / ew_unter_15'))[0]!;
    expect(at(r, 'S22')).toMatchObject({ status: STATUS.SUPPRESSED_PRIMARY, rule: 'min-population:300' });
  });
});

describe('crosswalk between scheme versions', () => {
  it('carries old values to the new units by weight and leaves unreached units empty', () => {
    const newH = buildHierarchy('sozialraeume', 2, [
      { code: 'N1', name: 'Neu 1', unitType: 'Sozialraum', parentCode: null },
      { code: 'N2', name: 'Neu 2', unitType: 'Sozialraum', parentCode: null },
      { code: 'N3', name: 'Neu 3', unitType: 'Sozialraum', parentCode: null },
    ], { code: '01001', name: 'Musterstadt' });
    const old = new Float64Array(h.codes.length).fill(Number.NaN);
    old[h.index.get('S11')!] = 1000;
    old[h.index.get('S12')!] = 3000;
    const out = crosswalkValues(h, newH, [
      { fromCode: 'S11', toCode: 'N1', weight: 1 },
      { fromCode: 'S12', toCode: 'N1', weight: 0.25 },
      { fromCode: 'S12', toCode: 'N2', weight: 0.75 },
    ], old);
    expect(out[newH.index.get('N1')!]).toBe(1750);
    expect(out[newH.index.get('N2')!]).toBe(2250);
    expect(Number.isNaN(out[newH.index.get('N3')!]!)).toBe(true);
  });
});

describe('numbers in Ampel rules', () => {
  it('writes German number text as Intl does', () => {
    for (const v of [0, 1.25, -0.66, 999.95, 1234.5, -98765432.1, 12, 1e6]) {
      for (const digits of [0, 1] as const) {
        expect(fmt(v, digits)).toBe(v.toLocaleString('de-DE', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
      }
    }
  });
});
