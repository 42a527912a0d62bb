import { parsePeriod } from '../../src/deliveries';

describe('reference periods', () => {
  it('takes the Stichtag of a period as its last day', () => {
    expect(parsePeriod('2024-02', 'halfYear', 'STICHTAG')).toEqual({ kind: 'STICHTAG', start: '2024-12-31', end: '2024-12-31' });
    expect(parsePeriod('2024-01', 'halfYear', 'STICHTAG')).toEqual({ kind: 'STICHTAG', start: '2024-06-30', end: '2024-06-30' });
    expect(parsePeriod('202012', 'month', 'STICHTAG')).toEqual({ kind: 'STICHTAG', start: '2020-12-31', end: '2020-12-31' });
    expect(parsePeriod('2024-02', 'month', 'STICHTAG')).toEqual({ kind: 'STICHTAG', start: '2024-02-29', end: '2024-02-29' });
    expect(parsePeriod('31.12.2013', 'date', 'STICHTAG')).toEqual({ kind: 'STICHTAG', start: '2013-12-31', end: '2013-12-31' });
  });

  it('covers the whole period as a Zeitraum', () => {
    expect(parsePeriod('1998', 'year', 'ZEITRAUM')).toEqual({ kind: 'ZEITRAUM', start: '1998-01-01', end: '1998-12-31' });
    expect(parsePeriod('2024-Q3', 'quarter', 'ZEITRAUM')).toEqual({ kind: 'ZEITRAUM', start: '2024-07-01', end: '2024-09-30' });
    expect(parsePeriod('3. Quartal 2024', 'quarter', 'ZEITRAUM')).toEqual({ kind: 'ZEITRAUM', start: '2024-07-01', end: '2024-09-30' });
    expect(parsePeriod('2024-H1', 'halfYear', 'ZEITRAUM')).toEqual({ kind: 'ZEITRAUM', start: '2024-01-01', end: '2024-06-30' });
  });

  it('refuses what is not a period of the granularity', () => {
    expect(parsePeriod('2024-13', 'month', 'STICHTAG')).toBeUndefined();
    expect(parsePeriod('31.02.2024', 'date', 'STICHTAG')).toBeUndefined();
    expect(parsePeriod('2024-12', 'halfYear', 'STICHTAG')).toBeUndefined();
    expect(parsePeriod('Jahr 2024', 'year', 'STICHTAG')).toBeUndefined();
  });
});
