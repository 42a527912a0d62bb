/**
 * Zielerreichung: judging a target at a value of its indicator (Evaluation und Controlling).
 *
 * Method (documented for users in services/goals/README.md):
 * 1. The Zielwert is resolved to an indicator value (absolute, baseline + change, or baseline
 *    x (1 + percent/100)).
 * 2. ERREICHT (ACHIEVED): the value meets the Zielwert in the target's direction (at least /
 *    at most).
 * 3. VERFEHLT (MISSED): not met, and the evaluated period ends on or after the Termin.
 * 4. Before the Termin the verdict is AUF KURS (ON_TRACK) when either
 *    - the value is at least as good as the linear path from the baseline (its period's end) to
 *      the Zielwert (the Termin) expects at the end of the evaluated period, or
 *    - the least-squares trend through the baseline and every value since, extended to the
 *      Termin, reaches the Zielwert;
 *    otherwise GEFÄHRDET (AT_RISK).
 * 5. NICHT BEWERTBAR (NOT_EVALUABLE): no value for the period (not delivered, not computable),
 *    or neither a baseline nor a second value to draw a path or a trend from.
 * The inputs (actual, baseline, resolved target, path value, projection) travel with the
 * verdict, so every Ampel in the FIS can be traced back.
 */
import type { AttainmentData, AttainmentStatus, Comparator, ReferencePeriod } from './events';
import { resolveTargetValue, type TargetState } from './goals';

export interface SeriesPoint {
  period: ReferencePeriod;
  value: number | null;
  /** Suppressed by disclosure control for audiences without raw access. */
  suppressed: boolean;
  computationId: string | null;
}

export const STATUS_NAMES: Record<AttainmentStatus, string> = {
  ACHIEVED: 'erreicht',
  ON_TRACK: 'auf Kurs',
  AT_RISK: 'gefährdet',
  MISSED: 'verfehlt',
  NOT_EVALUABLE: 'nicht bewertbar',
};

const EPSILON = 1e-9;
const DAY = 86_400_000;

function time(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / DAY;
}

function meets(value: number, target: number, comparator: Comparator): boolean {
  return comparator === 'AT_LEAST' ? value >= target - EPSILON : value <= target + EPSILON;
}

function round(value: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Least-squares line through (t, v); null for fewer than two distinct times. */
export function linearTrend(points: ReadonlyArray<{ t: number; v: number }>): { slope: number; intercept: number } | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mv = points.reduce((s, p) => s + p.v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.t - mt) ** 2;
    sxy += (p.t - mt) * (p.v - mv);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: mv - slope * mt };
}

/**
 * Judges `target` at the value of `at` (a point of `series`); `series` is the indicator's series
 * for the target's area, any order. Pure: the same inputs always give the same verdict.
 */
export function evaluateTarget(goalId: string, target: TargetState, series: readonly SeriesPoint[], at: SeriesPoint): AttainmentData {
  const resolved = resolveTargetValue(target) ?? target.targetValue;
  const baseline = target.baseline;
  const base: Omit<AttainmentData, 'status' | 'method' | 'attainment' | 'expectedValue' | 'projectedValue'> = {
    goalId,
    targetId: target.targetId,
    indicatorId: target.indicatorId,
    areaCode: target.areaCode,
    period: at.period,
    actualValue: at.value,
    resolvedTargetValue: round(resolved),
    baselineValue: baseline?.value ?? null,
    computationId: at.computationId,
    deadline: target.deadline,
    valueSuppressed: at.suppressed,
  };
  const tAt = time(at.period.end);
  const tDeadline = time(target.deadline);
  const tBase = baseline ? time(baseline.period.end) : null;
  const expected = baseline && tBase !== null && tDeadline > tBase ? baseline.value + ((resolved - baseline.value) * (tAt - tBase)) / (tDeadline - tBase) : null;

  // Trend: the baseline and every value after it up to the evaluated period.
  const points = series
    .filter((p) => p.value !== null && (tBase === null || time(p.period.end) > tBase) && time(p.period.end) <= tAt)
    .map((p) => ({ t: time(p.period.end), v: p.value as number }));
  if (baseline && tBase !== null) points.push({ t: tBase, v: baseline.value });
  const trend = linearTrend(points);
  const projected = trend ? trend.intercept + trend.slope * tDeadline : null;

  const attainment = at.value !== null && baseline && Math.abs(resolved - baseline.value) > EPSILON ? round((at.value - baseline.value) / (resolved - baseline.value)) : null;
  const result = (status: AttainmentStatus, method: string): AttainmentData => ({
    ...base,
    status,
    method,
    attainment,
    expectedValue: expected === null ? null : round(expected),
    projectedValue: projected === null ? null : round(projected),
  });

  if (at.value === null) return result('NOT_EVALUABLE', 'Für diesen Zeitraum liegt kein Wert der Kennzahl vor.');
  if (meets(at.value, resolved, target.comparator)) return result('ACHIEVED', `Wert ${fmt(at.value)} ${target.comparator === 'AT_LEAST' ? 'erreicht mindestens' : 'liegt höchstens bei'} dem Zielwert ${fmt(resolved)}.`);
  if (tAt >= tDeadline) return result('MISSED', `Termin erreicht, Zielwert ${fmt(resolved)} mit ${fmt(at.value)} nicht erreicht.`);
  if (expected === null && projected === null) {
    return result('NOT_EVALUABLE', 'Ohne Ausgangswert und mit nur einem Wert lässt sich weder ein Zielpfad noch ein Trend bestimmen.');
  }
  if (expected !== null && meets(at.value, expected, target.comparator)) {
    return result('ON_TRACK', `Wert ${fmt(at.value)} liegt auf oder vor dem linearen Zielpfad (${fmt(expected)} erwartet).`);
  }
  if (projected !== null && meets(projected, resolved, target.comparator)) {
    return result('ON_TRACK', `Trend erreicht den Zielwert bis zum Termin (Hochrechnung ${fmt(projected)}).`);
  }
  const behind = expected !== null ? `hinter dem Zielpfad (${fmt(expected)} erwartet)` : 'ohne Zielpfad';
  const trendText = projected !== null ? `, Trend bis zum Termin ${fmt(projected)}` : '';
  return result('AT_RISK', `Wert ${fmt(at.value)} liegt ${behind}${trendText}; Zielwert ${fmt(resolved)}.`);
}

const numberFormat = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 2 });

function fmt(value: number): string {
  return numberFormat.format(value);
}
