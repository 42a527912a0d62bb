import { parseStepLabel, periodKey, periodOfStep, stepLabel, stepOfPeriod } from '../../src/engine/periods';

describe('periods of an indicator', () => {
  it('puts a Stichtag 31.12. and a calendar-year Zeitraum into the same year, and nothing else', () => {
    expect(stepOfPeriod({ kind: 'STICHTAG', start: '2021-12-31', end: '2021-12-31' }, 'jährlich')).toBe(2021);
    expect(stepOfPeriod({ kind: 'ZEITRAUM', start: '2021-01-01', end: '2021-12-31' }, 'jährlich')).toBe(2021);
    expect(stepOfPeriod({ kind: 'STICHTAG', start: '2021-06-30', end: '2021-06-30' }, 'jährlich')).toBeUndefined();
    expect(stepOfPeriod({ kind: 'ZEITRAUM', start: '2021-07-01', end: '2021-12-31' }, 'jährlich')).toBeUndefined();
  });

  it('honours another Stichtag of a yearly indicator (e.g. 30.06.)', () => {
    expect(stepOfPeriod({ kind: 'STICHTAG', start: '2021-06-30', end: '2021-06-30' }, 'jährlich', '30.06.')).toBe(2021);
    expect(periodOfStep(2021, 'jährlich', 'STICHTAG', '30.06.')).toEqual({ kind: 'STICHTAG', start: '2021-06-30', end: '2021-06-30' });
  });

  it('counts half-years, quarters and months so that a lag of one step is the previous one', () => {
    const h2 = stepOfPeriod({ kind: 'STICHTAG', start: '2021-12-31', end: '2021-12-31' }, 'halbjährlich')!;
    const h1 = stepOfPeriod({ kind: 'STICHTAG', start: '2021-06-30', end: '2021-06-30' }, 'halbjährlich')!;
    expect(h2 - h1).toBe(1);
    expect(stepLabel(h2, 'halbjährlich')).toBe('2021-H2');
    expect(stepLabel(h2 - 2, 'halbjährlich')).toBe('2020-H2');
    const q1 = stepOfPeriod({ kind: 'ZEITRAUM', start: '2022-01-01', end: '2022-03-31' }, 'vierteljährlich')!;
    expect(stepLabel(q1 - 1, 'vierteljährlich')).toBe('2021-Q4');
    expect(stepLabel(parseStepLabel('2024-02', 'monatlich')!, 'monatlich')).toBe('2024-02');
    expect(periodOfStep(parseStepLabel('2024-02', 'monatlich')!, 'monatlich', 'ZEITRAUM')).toEqual({ kind: 'ZEITRAUM', start: '2024-02-01', end: '2024-02-29' });
  });

  it('keys periods canonically', () => {
    expect(periodKey({ kind: 'STICHTAG', start: '2020-12-31', end: '2020-12-31' })).toBe('S:2020-12-31');
    expect(periodKey({ kind: 'ZEITRAUM', start: '2020-01-01', end: '2020-12-31' })).toBe('Z:2020-01-01/2020-12-31');
  });
});
