import { DEFAULT_DISCLOSURE_RULES, DisclosureInputError, primaryRule, protect, type DisclosureRules } from '../../src/disclosure';
import { cell } from './fixtures';

const rules = (extra: Partial<DisclosureRules> = {}): DisclosureRules => ({ ...DEFAULT_DISCLOSURE_RULES, ...extra });

describe('primary suppression', () => {
  it('defaults to a minimum count of 3 and no population minimum', () => {
    expect(DEFAULT_DISCLOSURE_RULES).toEqual({ minCount: 3, minPopulation: 0 });
  });

  it('suppresses counts of 1 and 2 under the default minimum and names the rule', () => {
    expect(primaryRule(cell('a', null, 1), rules())).toBe('min-count:3');
    expect(primaryRule(cell('a', null, 2), rules())).toBe('min-count:3');
    expect(primaryRule(cell('a', null, 3), rules())).toBeNull();
    expect(primaryRule(cell('a', null, 250), rules())).toBeNull();
  });

  it('uses the configured minimum count', () => {
    expect(primaryRule(cell('a', null, 4), rules({ minCount: 5 }))).toBe('min-count:5');
    expect(primaryRule(cell('a', null, 5), rules({ minCount: 5 }))).toBeNull();
    expect(primaryRule(cell('a', null, 9), rules({ minCount: 10 }))).toBe('min-count:10');
  });

  it('publishes zero unless the rules ask to suppress it', () => {
    expect(primaryRule(cell('a', null, 0), rules())).toBeNull();
    expect(primaryRule(cell('a', null, 0), rules({ suppressZero: false }))).toBeNull();
    expect(primaryRule(cell('a', null, 0), rules({ suppressZero: true }))).toBe('suppress-zero');
  });

  it('suppresses every value of a unit below the minimum population, however large the value', () => {
    const hamburg = rules({ minPopulation: 300 });
    expect(primaryRule(cell('a', null, 120, { population: 299 }), hamburg)).toBe('min-population:300');
    expect(primaryRule(cell('a', null, 0, { population: 12 }), hamburg)).toBe('min-population:300');
    expect(primaryRule(cell('a', null, 120, { population: 300 }), hamburg)).toBeNull();
  });

  it('does not apply the population minimum where the population is unknown or no minimum is set', () => {
    expect(primaryRule(cell('a', null, 120, { population: null }), rules({ minPopulation: 300 }))).toBeNull();
    expect(primaryRule(cell('a', null, 120), rules({ minPopulation: 300 }))).toBeNull();
    expect(primaryRule(cell('a', null, 120, { population: 5 }), rules())).toBeNull();
  });

  it('suppresses a rate whose numerator is below the minimum numerator', () => {
    const r = rules({ minNumerator: 5 });
    expect(primaryRule(cell('a', null, 4, { denominator: 800 }), r)).toBe('min-numerator:5');
    expect(primaryRule(cell('a', null, 5, { denominator: 800 }), r)).toBeNull();
    // The numerator is a count too: the minimum count still applies first.
    expect(primaryRule(cell('a', null, 2, { denominator: 800 }), r)).toBe('min-count:3');
  });

  it('suppresses a rate whose denominator is below the minimum denominator, even with a zero numerator', () => {
    const r = rules({ minDenominator: 20 });
    expect(primaryRule(cell('a', null, 7, { denominator: 19 }), r)).toBe('min-denominator:20');
    expect(primaryRule(cell('a', null, 0, { denominator: 19 }), r)).toBe('min-denominator:20');
    expect(primaryRule(cell('a', null, 7, { denominator: 20 }), r)).toBeNull();
    expect(primaryRule(cell('a', null, 7, { denominator: null }), r)).toBeNull();
  });

  it('publishes a zero rate with a large enough denominator', () => {
    expect(primaryRule(cell('a', null, 0, { denominator: 500 }), rules({ minNumerator: 5, minDenominator: 20 }))).toBeNull();
  });

  it('keeps a reason decided elsewhere as the rule', () => {
    expect(primaryRule(cell('a', null, 40, { forced: 'eingang:sgb2_personen' }), rules())).toBe('eingang:sgb2_personen');
    expect(primaryRule(cell('a', null, 40, { forced: null }), rules())).toBeNull();
  });

  it('has nothing to suppress in a cell without a value', () => {
    expect(primaryRule(cell('a', null, null, { population: 3, forced: 'x' }), rules({ minPopulation: 300 }))).toBeNull();
  });

  it('refuses rules that are negative or not numbers, naming the rule', () => {
    expect(() => primaryRule(cell('a', null, 1), rules({ minCount: -1 }))).toThrow(DisclosureInputError);
    expect(() => primaryRule(cell('a', null, 1), rules({ minCount: -1 }))).toThrow(/minCount: -1/);
    expect(() => primaryRule(cell('a', null, 1), rules({ minDenominator: Number.NaN }))).toThrow(/minDenominator: NaN/);
    expect(() => protect([cell('a', null, 1)], { minCount: 3 } as DisclosureRules)).toThrow(/minPopulation: undefined/);
  });
});

describe('protect, primary part', () => {
  it('marks what the primary rules hit, with the rule, and leaves cells without a value unavailable', () => {
    const decisions = protect(
      [
        cell('stadt', null, 64, { population: 9000 }),
        cell('pr-1', 'stadt', 2, { population: 1500 }),
        cell('pr-2', 'stadt', 40, { population: 250 }),
        cell('pr-3', 'stadt', 22, { population: 7250 }),
        cell('pr-4', 'stadt', 0, { population: 0 }),
        cell('alt', null, null),
      ],
      rules({ minPopulation: 300 }),
    );
    expect(decisions.get('pr-1')).toEqual({ status: 'suppressed_primary', rule: 'min-count:3' });
    expect(decisions.get('pr-2')).toEqual({ status: 'suppressed_primary', rule: 'min-population:300' });
    expect(decisions.get('pr-4')).toEqual({ status: 'suppressed_primary', rule: 'min-population:300' });
    expect(decisions.get('alt')).toEqual({ status: 'not_available', rule: null });
    expect(decisions.get('stadt')).toEqual({ status: 'published', rule: null });
  });
});
