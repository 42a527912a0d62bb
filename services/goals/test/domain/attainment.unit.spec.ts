/**
 * Attainment: the verdict of a target at a value, by the documented method (linear path from the
 * baseline, least-squares trend, deadline).
 */
import { evaluateTarget, linearTrend, type SeriesPoint } from '../../src/domain/attainment';
import type { TargetState } from '../../src/domain/goals';

const year = (y: number, value: number | null, suppressed = false): SeriesPoint => ({ period: { kind: 'ZEITRAUM', start: `${y}-01-01`, end: `${y}-12-31` }, value, suppressed, computationId: null });

const target = (over: Partial<TargetState> = {}): TargetState => ({
  targetId: 't',
  indicatorId: 'kinderarmut',
  schemeId: 's',
  areaCode: 'A',
  baseline: { value: 30, period: { kind: 'ZEITRAUM', start: '2020-01-01', end: '2020-12-31' } },
  targetKind: 'ABSOLUTE',
  targetValue: 25,
  comparator: 'AT_MOST',
  deadline: '2025-12-31',
  reason: null,
  decision: null,
  evaluations: {},
  ...over,
});

describe('evaluateTarget', () => {
  it('is on track on or ahead of the linear path from baseline to target', () => {
    const series = [year(2021, 28.9)];
    const r = evaluateTarget('g', target(), series, series[0]!);
    // Path: 30 -> 25 over five years, one year in: 29.0 expected.
    expect(r.expectedValue).toBeCloseTo(29.0, 1);
    expect(r.status).toBe('ON_TRACK');
    expect(r.attainment).toBeCloseTo(0.22, 2);
    expect(r.method).toContain('linearen Zielpfad');
  });

  it('is at risk behind the path when the trend does not reach the target either', () => {
    const series = [year(2021, 29.9), year(2022, 29.8)];
    const r = evaluateTarget('g', target(), series, series[1]!);
    expect(r.status).toBe('AT_RISK');
    expect(r.projectedValue).toBeGreaterThan(25);
    expect(r.method).toContain('hinter dem Zielpfad');
  });

  it('is on track behind the path when the trend reaches the target by the deadline', () => {
    // A strong first year, a setback in 2022: behind the path (28.0), but the fitted line still reaches 25 by 2025.
    const series = [year(2021, 27), year(2022, 28.1)];
    const r = evaluateTarget('g', target(), series, series[1]!);
    expect(r.expectedValue).toBeCloseTo(28.0, 1);
    expect(r.projectedValue).toBeLessThanOrEqual(25);
    expect(r.status).toBe('ON_TRACK');
    expect(r.method).toContain('Trend erreicht');
  });

  it('is achieved as soon as the value meets the target, also before the deadline', () => {
    const series = [year(2023, 24.8)];
    expect(evaluateTarget('g', target(), series, series[0]!).status).toBe('ACHIEVED');
  });

  it('is missed when the deadline has come and the target is not met', () => {
    const series = [year(2025, 26)];
    const r = evaluateTarget('g', target(), series, series[0]!);
    expect(r.status).toBe('MISSED');
    expect(r.method).toContain('Termin erreicht');
  });

  it('works upwards for AT_LEAST targets with relative Zielwerte', () => {
    const t = target({ comparator: 'AT_LEAST', targetKind: 'PERCENT_CHANGE_FROM_BASELINE', targetValue: 20, baseline: { value: 50, period: { kind: 'STICHTAG', start: '2020-12-31', end: '2020-12-31' } } });
    const series = [year(2021, 52.5)];
    const r = evaluateTarget('g', t, series, series[0]!);
    expect(r.resolvedTargetValue).toBe(60);
    expect(r.status).toBe('ON_TRACK');
    expect(evaluateTarget('g', t, [year(2021, 50.5)], year(2021, 50.5)).status).toBe('AT_RISK');
  });

  it('cannot judge without a value, or without baseline and a second value', () => {
    expect(evaluateTarget('g', target(), [year(2021, null)], year(2021, null)).status).toBe('NOT_EVALUABLE');
    const noBaseline = target({ baseline: null });
    expect(evaluateTarget('g', noBaseline, [year(2021, 27)], year(2021, 27)).status).toBe('NOT_EVALUABLE');
    const two = [year(2021, 28), year(2022, 27)];
    expect(evaluateTarget('g', noBaseline, two, two[1]!).status).toBe('ON_TRACK');
  });

  it('passes on that the value is suppressed for other audiences', () => {
    const r = evaluateTarget('g', target(), [year(2021, 28.9, true)], year(2021, 28.9, true));
    expect(r.valueSuppressed).toBe(true);
    expect(r.status).toBe('ON_TRACK');
  });

  it('fits the least-squares line', () => {
    expect(linearTrend([{ t: 0, v: 1 }, { t: 1, v: 3 }, { t: 2, v: 5 }])).toEqual({ slope: 2, intercept: 1 });
    expect(linearTrend([{ t: 1, v: 1 }])).toBeNull();
  });
});
