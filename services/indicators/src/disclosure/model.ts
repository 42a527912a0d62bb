/**
 * Statistische Geheimhaltung (DOMAIN.md 7): the shapes of disclosure rules, of the cells of one
 * indicator over an area hierarchy, and of the decision taken for each cell. Pure types.
 */

/**
 * The minimums a tenant (and an indicator, see catalogue IndicatorDisclosure) sets. A rule that is
 * absent or 0 never applies.
 */
export interface DisclosureRules {
  /** A count c with 0 < c < minCount is suppressed (`min-count:N`); commonly 3, often 5 or 10. */
  minCount: number;
  /** A unit with fewer inhabitants gets all its values suppressed (`min-population:N`; Hamburg: 300). */
  minPopulation: number;
  /** A rate whose numerator n has 0 < n < minNumerator is suppressed (`min-numerator:N`). */
  minNumerator?: number;
  /** A rate whose denominator is below this is suppressed (`min-denominator:N`). */
  minDenominator?: number;
  /**
   * Zero is published by default: official statistics print it as "-" and it reveals no person.
   * True suppresses it as well (`suppress-zero`), for tables where "nobody" is itself sensitive.
   */
  suppressZero?: boolean;
}

/** Minimum count 3, no population minimum (DOMAIN.md 7). */
export const DEFAULT_DISCLOSURE_RULES: DisclosureRules = Object.freeze({ minCount: 3, minPopulation: 0 });

/**
 * published: the value may be shown. suppressed_primary: a rule hit the cell itself.
 * suppressed_secondary: the cell is hidden so that a suppressed cell cannot be recomputed from
 * totals. not_available: the cell has no value (shown as "." in official tables).
 */
export type CellStatus = 'published' | 'suppressed_primary' | 'suppressed_secondary' | 'not_available';

export interface CellDecision {
  status: CellStatus;
  /**
   * The rule that decided a suppression, for the figure's provenance (DOMAIN.md 7): `min-count:3`,
   * `min-population:300`, `min-numerator:5`, `min-denominator:20`, `suppress-zero`, a forced
   * reason, `secondary:complement` (a child hidden to protect a sibling or the parent) or
   * `secondary:total` (a parent hidden because no child is left to hide). Null when not suppressed.
   */
  rule: string | null;
}

/**
 * One area's value of one additive figure (a count, or the numerator of a rate). Pass every area
 * of the hierarchy, with value null where there is none: an area left out makes its parent look
 * like the sum of the remaining children, and its children lose their place in the totals above.
 */
export interface HierarchyCell {
  /** Area code. */
  id: string;
  /** Area code of the parent, null at the top. A parent that is not among the cells counts as no parent. */
  parentId: string | null;
  /** The additive count (for a rate: its numerator); null = not available (kept in the equations as an unknown). */
  value: number | null;
  /** Inhabitants of the area, for the min-population rule. */
  population?: number | null;
  /** For rates: the denominator, for the min-denominator rule. */
  denominator?: number | null;
  /** A primary reason decided elsewhere (e.g. an input cell was suppressed), or null. */
  forced?: string | null;
}

/** Input that cannot be protected: the message says, in German, what was found and where. */
export class DisclosureInputError extends Error {
  override readonly name = 'DisclosureInputError';
}
