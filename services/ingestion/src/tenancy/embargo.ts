/**
 * The Sperrfrist of a release as people write it: a day (`2024-04-01`: from midnight in
 * Germany, the way a Sozialbericht "erscheint am 1. April") or a date-time, with an offset or
 * `Z`, or without one (then German local time, with summer time as it is on that day). Stored
 * as a UTC instant with millisecond precision (the contract's timestamp-millis).
 */
const ZONE = 'Europe/Berlin';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Offset of German local time from UTC at an instant, in milliseconds (1 or 2 hours). */
function berlinOffset(instant: number): number {
  const parts = Object.fromEntries(partsFormat.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return local - Math.floor(instant / 1000) * 1000;
}

const germanFormat = new Intl.DateTimeFormat('de-DE', { timeZone: ZONE, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** An instant as people in Germany read it, e.g. `01.04.2024, 00:00` (for messages). */
export function germanDateTime(iso: string): string {
  return germanFormat.format(new Date(iso));
}

/** The UTC instant of a German wall-clock time. */
export function berlinLocalToInstant(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Two rounds settle the offset at the instant itself (it changes at the summer time switch).
  let instant = wall - berlinOffset(wall);
  instant = wall - berlinOffset(instant);
  return new Date(instant);
}

function validDay(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * Parses a Sperrfrist; returns the ISO instant or throws an Error with a German message naming
 * the accepted forms.
 */
export function parseEmbargo(text: string): string {
  const value = text.trim();
  const refuse = (why: string): never => {
    throw new Error(`Sperrfrist "${text}": ${why} Erwartet ein Datum (JJJJ-MM-TT, ab 0 Uhr deutscher Zeit) oder Datum und Uhrzeit (JJJJ-MM-TTTHH:MM, deutsche Zeit, oder mit Zeitzone wie 2024-04-01T08:00:00Z).`);
  };
  const day = DAY.exec(value);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!validDay(y, m, d)) refuse('diesen Tag gibt es nicht.');
    return berlinLocalToInstant(y, m, d).toISOString();
  }
  const local = LOCAL.exec(value);
  if (local) {
    const [y, m, d, h, min, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(local[i] ?? 0)) as [number, number, number, number, number, number];
    const ms = local[7] ? Number(local[7].padEnd(3, '0')) : 0;
    if (!validDay(y, m, d) || h > 23 || min > 59 || s > 59) refuse('diesen Zeitpunkt gibt es nicht.');
    return berlinLocalToInstant(y, m, d, h, min, s, ms).toISOString();
  }
  if (ZONED.test(value)) {
    const instant = Date.parse(value);
    if (Number.isNaN(instant) || !validDay(Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10)))) refuse('diesen Zeitpunkt gibt es nicht.');
    return new Date(instant).toISOString();
  }
  return refuse('unbekannte Form.');
}
