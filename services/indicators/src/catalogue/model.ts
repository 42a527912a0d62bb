/**
 * The indicator catalogue as data (DOMAIN.md 4, INDICATORS.md): the shapes of the shipped file
 * (catalogue/katalog.json) and of definitions users add through the API. Pure types.
 */

/** Polarity as INDICATORS.md writes it: + higher is better, - lower is better, 0 neutral. */
export type Polarity = '+' | '-' | '0';

/** Indicator types of the Bielefeld template (DOMAIN.md 4). */
export const INDICATOR_TYPES = ['Kontext', 'Input', 'Output', 'Wirkung', 'Finanz', 'Qualität'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

/** Spatial levels an indicator is meaningful on (INDICATORS.md: SR, G, K). */
export const SPATIAL_LEVELS = ['Sozialraum', 'Gemeinde', 'Kreis'] as const;
export type SpatialLevel = (typeof SPATIAL_LEVELS)[number];

/** How often an indicator is computed; a lag of n goes back n of these steps. */
export const PERIODICITIES = ['jährlich', 'halbjährlich', 'vierteljährlich', 'monatlich'] as const;
export type Periodicity = (typeof PERIODICITIES)[number];

export const SENSITIVITIES = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'SEALED'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/**
 * A variable of the vocabulary formulas are written in. Deliveries name the same thing
 * differently (Berlin `ew_insgesamt`, Hamburg `bevoelkerung`): `sources` lists the ways to get
 * it from delivered variables, tried in order per area and period; each is a formula over
 * delivered variable codes (usually just one code, sometimes a sum of age groups).
 */
export interface VariableDefinition {
  /** Code used in formulas, e.g. `ew`, `ew_unter_18`, `arbeitslose`. */
  code: string;
  /** German name, e.g. "Einwohner mit Hauptwohnsitz". */
  name: string;
  /** Unit of a value, e.g. Personen, Haushalte, Wohnungen, Fälle, EUR, m². */
  unit: string;
  /**
   * True for counts and sums (Personen, Fälle, EUR), which add up over areas: a parent's value is
   * the sum of its children's. False for rates, averages and indices delivered as such: they are
   * used only on the level they were delivered on and never summed.
   */
  additive: boolean;
  /** Alternatives in order, e.g. ["ew_insgesamt", "bevoelkerung"] or ["ew_unter_6 + ew_6_bis_unter_15 + ew_15_bis_unter_18"]. */
  sources: string[];
  description?: string;
}

/**
 * Ampel (traffic light) thresholds. Absolute: bands on the value, in the order of the
 * polarity (for '-' the lowest band is green). Relative: deviation from the parent area's value
 * (e.g. the city average) in per cent, counted in the unfavourable direction of the polarity (for
 * polarity 0 in both directions).
 */
export type Thresholds =
  | { kind: 'absolute'; green: number; yellow: number }
  | { kind: 'relative'; reference: 'parent'; yellowFromPercent: number; redFromPercent: number };

/** Disclosure minimums an indicator sets beyond the tenant's defaults. */
export interface IndicatorDisclosure {
  /** A rate whose numerator is below this is suppressed (default: the tenant's minimum count). */
  minNumerator?: number;
  /** A rate whose denominator is below this is suppressed (default: none). */
  minDenominator?: number;
}

export interface IndicatorDefinition {
  /** Stable id, e.g. `sgb2_quote`; lower case, digits and underscores. */
  id: string;
  /** Number in the starter catalogue (INDICATORS.md), absent for own indicators. */
  number?: number;
  /** German name, e.g. "SGB II-Quote". */
  name: string;
  /** German definition as a Sozialbericht would print it. */
  description: string;
  /** Grundgesamtheit, e.g. "Einwohner von 0 bis unter 65 Jahren". */
  population?: string;
  /**
   * Formula over vocabulary variables: a count or sum (`ew`), or a ratio whose top-level division
   * gives numerator and denominator (`sgb2_personen / ew_unter_65`), with lag(x, n), change(x, n)
   * and sum(a, b, ...). See src/formula.
   */
  formula: string;
  /** Factor applied to numerator / denominator: 100 for %, 1000 for per 1,000; 1 for counts. */
  scale: number;
  /** Unit shown with the value: %, je 1.000, Personen, EUR, m², Anzahl. */
  unit: string;
  polarity: Polarity;
  type: IndicatorType;
  /** Data source as users name it, e.g. "Bundesagentur für Arbeit". */
  source: string;
  levels: SpatialLevel[];
  periodicity: Periodicity;
  /** For stock figures: the Stichtag as DD.MM. (default 31.12.); flows use the period. */
  stichtag?: string;
  sensitivity: Sensitivity;
  thresholds?: Thresholds;
  disclosure?: IndicatorDisclosure;
}

/** A class of a composite index: sums at or below `upTo` (in standard deviations) fall into it. */
export interface IndexClass {
  code: number;
  /** German label, e.g. "hoch", "sehr niedrig", "stabil". */
  label: string;
  /** Upper bound in standard deviations of the index sum; absent for the last, open class. */
  upTo?: number;
}

export interface IndexInput {
  /** Indicator of the catalogue whose values enter the index. */
  indicator: string;
  /** Weight of the z-score in the sum (default 1). */
  weight?: number;
}

/**
 * A composite index (Berlin MSS Statusindex / Dynamikindex, Köln Sozialindex / Bildungsindex):
 * its inputs are z-standardised across the valid units of one level of a scheme version and
 * period, weighted and summed; the sum is z-standardised again and classified by the bounds.
 */
export interface IndexDefinition {
  id: string;
  name: string;
  description: string;
  method: 'z-sum';
  inputs: IndexInput[];
  classes: IndexClass[];
  /** Units below this population (variable `ew`) take no part and get no class (MSS: 300). */
  minPopulation?: number;
  periodicity: Periodicity;
  sensitivity: Sensitivity;
}

/** The shipped catalogue file. */
export interface CatalogueFile {
  formatVersion: 1;
  variables: VariableDefinition[];
  indicators: IndicatorDefinition[];
  indices: IndexDefinition[];
}
