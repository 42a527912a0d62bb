/**
 * Hochrechnung: the expected Ist at the end of the budget year, from the Ist to a cut-off month.
 *
 * Method (default SAISONPROFIL): money does not flow evenly through a municipal year. Transfer
 * payments are monthly, grants quarterly or half-yearly, Umlagen and year-end bookings land in
 * December. So the Ist to month m is divided by the share of the annual Ist that the same line had
 * reached by month m in the previous years (mean over up to three years with a non-zero annual
 * Ist):   forecast = Ist(1..m) / mean_y( Ist_y(1..m) / Ist_y(1..12) ).
 *
 * Alternatives, kept for comparison and as fallbacks:
 * - LINEAR: Ist(1..m) x 12 / m, when no previous year has monthly Ist;
 * - VORJAHRESANTEIL: the share of the previous year alone (reacts to a changed pattern, but
 *   carries one year's accidents);
 * - KEINE: before the profile says that at least MIN_SHARE of a year is usually reached (e.g.
 *   January of a line paid in December), an extrapolation would divide by almost nothing; the
 *   forecast is then the plan, or the Ist if that is higher already.
 * `forecastAccuracy` measures the three methods on a tenant's own past years (mean absolute
 * percentage error of the year-end forecast over every month 1-11); test/forecast.unit.spec.ts
 * shows on data with municipal payment patterns that the seasonal profile is the most accurate.
 *
 * A commitment already bound (Obligo) will be paid: the forecast of a spending line is at least
 * Ist + Obligo.
 */
import type { ForecastMethod } from '../integration-events';
import { actualThroughMonth } from './lines';

/** Below this share of the annual Ist reached, the profile is not used to extrapolate. */
export const MIN_SHARE = 0.05;
/** Previous years used for the profile. */
export const PROFILE_YEARS = 3;

export interface LineHistory {
  /** Ist per month (index 0 = January) by budget year. */
  monthsByYear: ReadonlyMap<number, readonly number[]>;
}

export interface ForecastInput {
  year: number;
  /** Cut-off month 1-12: Ist of months 1..month counts. */
  month: number;
  /** Ist per month of the year being forecast. */
  months: readonly number[];
  history: LineHistory;
  plannedCents: number;
  commitmentCents: number;
  spending: boolean;
  /** Force a method (comparison); default: SAISONPROFIL with fallbacks. */
  method?: Exclude<ForecastMethod, 'KEINE'>;
}

export interface ForecastResult {
  forecastCents: number;
  method: ForecastMethod;
  basisYears: number[];
  /** The share of the year assumed reached by the cut-off month (null for LINEAR / KEINE). */
  share: number | null;
}

function annual(months: readonly number[]): number {
  return actualThroughMonth(months, 12);
}

/** Mean share of the annual Ist reached by `month` over the given years (those with Ist). */
export function seasonalShare(history: LineHistory, years: readonly number[], month: number): { share: number; years: number[] } | undefined {
  const used: number[] = [];
  let total = 0;
  for (const y of years) {
    const months = history.monthsByYear.get(y);
    if (!months) continue;
    const year = annual(months);
    if (year === 0) continue;
    total += actualThroughMonth(months, month) / year;
    used.push(y);
  }
  return used.length === 0 ? undefined : { share: total / used.length, years: used };
}

function planFallback(input: ForecastInput, actual: number): ForecastResult {
  const spendingFloor = input.spending ? actual + input.commitmentCents : actual;
  return { forecastCents: Math.max(input.plannedCents, spendingFloor), method: 'KEINE', basisYears: [], share: null };
}

export function forecastLine(input: ForecastInput): ForecastResult {
  const month = Math.min(12, Math.max(1, Math.trunc(input.month)));
  const actual = actualThroughMonth(input.months, month);
  const floor = (cents: number) => (input.spending ? Math.max(cents, actual + input.commitmentCents) : cents);
  if (month === 12) return { forecastCents: floor(actual), method: input.method ?? 'SAISONPROFIL', basisYears: [], share: 1 };
  const wanted = input.method ?? 'SAISONPROFIL';

  if (wanted === 'SAISONPROFIL' || wanted === 'VORJAHRESANTEIL') {
    const years = wanted === 'SAISONPROFIL' ? Array.from({ length: PROFILE_YEARS }, (_, i) => input.year - 1 - i) : [input.year - 1];
    const profile = seasonalShare(input.history, years, month);
    if (profile && Math.abs(profile.share) >= MIN_SHARE) {
      return { forecastCents: floor(Math.round(actual / profile.share)), method: wanted, basisYears: profile.years, share: profile.share };
    }
    if (profile) return planFallback(input, actual);
    // No previous year with Ist: extrapolate evenly unless the caller asked for a profile method only.
    if (input.method !== undefined) return planFallback(input, actual);
  }
  if (actual === 0) return planFallback(input, actual);
  return { forecastCents: floor(Math.round((actual * 12) / month)), method: 'LINEAR', basisYears: [], share: null };
}

export interface MethodAccuracy {
  method: Exclude<ForecastMethod, 'KEINE'>;
  /** Mean absolute percentage error of the year-end forecast (0.1 = 10 %). */
  meanAbsolutePercentageError: number;
  /** Forecasts evaluated (line x year x month). */
  forecasts: number;
}

/**
 * Backtest on past years: for every line, every year with at least one previous year of history
 * and a non-zero annual Ist, and every cut-off month 1-11, forecast the year end with each method
 * from that year's months and the years before it, and compare with the real annual Ist.
 */
export function forecastAccuracy(lines: readonly LineHistory[], years: readonly number[]): MethodAccuracy[] {
  const methods: Array<Exclude<ForecastMethod, 'KEINE'>> = ['SAISONPROFIL', 'VORJAHRESANTEIL', 'LINEAR'];
  const errors = new Map(methods.map((m) => [m, { total: 0, count: 0 }]));
  for (const line of lines) {
    for (const year of years) {
      const months = line.monthsByYear.get(year);
      if (!months || !line.monthsByYear.has(year - 1)) continue;
      const truth = annual(months);
      if (truth === 0) continue;
      for (let month = 1; month <= 11; month += 1) {
        for (const method of methods) {
          const result = forecastLine({ year, month, months, history: line, plannedCents: 0, commitmentCents: 0, spending: false, method });
          const e = errors.get(method)!;
          e.total += Math.abs(result.forecastCents - truth) / Math.abs(truth);
          e.count += 1;
        }
      }
    }
  }
  return methods.map((method) => {
    const e = errors.get(method)!;
    return { method, meanAbsolutePercentageError: e.count === 0 ? 0 : e.total / e.count, forecasts: e.count };
  });
}
