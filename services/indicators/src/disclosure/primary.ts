import { type DisclosureRules, type HierarchyCell, DisclosureInputError } from './model';

const RULE_FIELDS = ['minCount', 'minPopulation', 'minNumerator', 'minDenominator'] as const;

/** Refuses rules a tenant or an indicator could not have meant (negative, NaN, text). */
export function assertValidRules(rules: DisclosureRules): void {
  for (const field of RULE_FIELDS) {
    const value: unknown = rules[field];
    if (value === undefined && (field === 'minNumerator' || field === 'minDenominator')) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new DisclosureInputError(
        `Ungültige Geheimhaltungsregel ${field}: ${String(value)}. Erwartet wird eine Zahl größer oder gleich 0 (0 = Regel nicht angewendet).`,
      );
    }
  }
  if (rules.suppressZero !== undefined && typeof rules.suppressZero !== 'boolean') {
    throw new DisclosureInputError(
      `Ungültige Geheimhaltungsregel suppressZero: ${String(rules.suppressZero)}. Erwartet wird true oder false.`,
    );
  }
}

/**
 * The primary rule that hits a cell, or null when the cell may be published as far as its own
 * value goes. A cell without a value has nothing to protect (null). Order of precedence: a reason
 * forced from outside, then the unit (population), then the value, then the rate's denominator.
 * Zero counts and zero numerators are published unless `suppressZero` is set: zero is "-" in
 * official statistics, and hiding it would make every small table a field of suppressions.
 */
export function primaryRule(cell: HierarchyCell, rules: DisclosureRules): string | null {
  assertValidRules(rules);
  return primaryRuleUnchecked(cell, rules);
}

/** primaryRule for rules already checked once (protect checks them once for all cells). */
export function primaryRuleUnchecked(cell: HierarchyCell, rules: DisclosureRules): string | null {
  const value = cell.value;
  if (value === null) return null;
  if (cell.forced !== undefined && cell.forced !== null) return cell.forced;

  const population = cell.population;
  if (population !== undefined && population !== null && population < rules.minPopulation) {
    return `min-population:${rules.minPopulation}`;
  }
  if (value > 0 && value < rules.minCount) return `min-count:${rules.minCount}`;
  if (rules.minNumerator !== undefined && value > 0 && value < rules.minNumerator) {
    return `min-numerator:${rules.minNumerator}`;
  }
  if (value === 0 && rules.suppressZero === true) return 'suppress-zero';

  const denominator = cell.denominator;
  if (
    rules.minDenominator !== undefined &&
    denominator !== undefined &&
    denominator !== null &&
    denominator < rules.minDenominator
  ) {
    return `min-denominator:${rules.minDenominator}`;
  }
  return null;
}
