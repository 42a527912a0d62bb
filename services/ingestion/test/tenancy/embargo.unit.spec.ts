/**
 * The Sperrfrist as people write it: a day means midnight in Germany (winter and summer time),
 * a date-time without zone is German local time, one with a zone is taken as given; anything
 * else is refused with the accepted forms.
 */
import { parseEmbargo } from '../../src/tenancy';

describe('Sperrfrist', () => {
  it('reads a day as 0:00 German time, in winter and in summer', () => {
    expect(parseEmbargo('2024-01-15')).toBe('2024-01-14T23:00:00.000Z');
    expect(parseEmbargo('2024-07-01')).toBe('2024-06-30T22:00:00.000Z');
  });

  it('reads a date-time without zone as German local time, across the switch to summer time', () => {
    expect(parseEmbargo('2024-03-31T01:30')).toBe('2024-03-31T00:30:00.000Z');
    expect(parseEmbargo('2024-03-31T03:30')).toBe('2024-03-31T01:30:00.000Z');
    expect(parseEmbargo('2024-04-01 08:00:30')).toBe('2024-04-01T06:00:30.000Z');
  });

  it('takes a date-time with zone as it is', () => {
    expect(parseEmbargo('2024-04-01T08:00:00Z')).toBe('2024-04-01T08:00:00.000Z');
    expect(parseEmbargo('2024-04-01T08:00:00+02:00')).toBe('2024-04-01T06:00:00.000Z');
  });

  it('refuses days that do not exist and other forms, naming the accepted ones', () => {
    expect(() => parseEmbargo('2024-02-30')).toThrow('Sperrfrist "2024-02-30": diesen Tag gibt es nicht.');
    expect(() => parseEmbargo('2024-04-01T25:00')).toThrow('diesen Zeitpunkt gibt es nicht.');
    expect(() => parseEmbargo('1. April 2024')).toThrow(/unbekannte Form\. Erwartet ein Datum \(JJJJ-MM-TT, ab 0 Uhr deutscher Zeit\)/);
  });
});
