/**
 * Reference periods as deliveries write them, to the contract's ReferencePeriod (kind, start,
 * end as ISO dates). A STICHTAG of a period is its last day (Einwohner "2024-02" = the second
 * half-year = 31.12.2024; MSS "202012" = 31.12.2020); a ZEITRAUM covers the whole period.
 */
import type { ReferencePeriod, ReferencePeriodKind } from '../integration-events';
import type { PeriodGranularity } from '../profiles/schema';

export type { ReferencePeriod };
export type PeriodKind = ReferencePeriodKind;

const pad = (n: number) => String(n).padStart(2, '0');

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function range(kind: PeriodKind, year: number, firstMonth: number, lastMonth: number): ReferencePeriod {
  const end = `${year}-${pad(lastMonth)}-${pad(lastDayOfMonth(year, lastMonth))}`;
  if (kind === 'STICHTAG') return { kind, start: end, end };
  return { kind, start: `${year}-${pad(firstMonth)}-01`, end };
}

function validYear(year: number): boolean {
  return year >= 1900 && year <= 2200;
}

function day(kind: PeriodKind, year: number, month: number, dayOfMonth: number): ReferencePeriod | undefined {
  if (!validYear(year) || month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > lastDayOfMonth(year, month)) return undefined;
  const date = `${year}-${pad(month)}-${pad(dayOfMonth)}`;
  // A day is a day: as ZEITRAUM it is the one-day range.
  return { kind, start: date, end: date };
}

/** Parses one period text; undefined when it is not a period of the granularity. */
export function parsePeriod(raw: string, granularity: PeriodGranularity, kind: PeriodKind): ReferencePeriod | undefined {
  const text = raw.trim();
  let m: RegExpExecArray | null;
  switch (granularity) {
    case 'year': {
      m = /^(\d{4})$/.exec(text);
      if (!m || !validYear(Number(m[1]))) return undefined;
      return range(kind, Number(m[1]), 1, 12);
    }
    case 'halfYear': {
      // 2024-02, 2024-2, 2024-H2, 2024 H2, H2/2024, 2. Halbjahr 2024
      m = /^(\d{4})[-_/ ]?(?:0|H|HJ)?([12])$/i.exec(text) ?? null;
      let year: number | undefined;
      let half: number | undefined;
      if (m) {
        year = Number(m[1]);
        half = Number(m[2]);
      } else {
        m = /^(?:H|HJ)?([12])(?:\.\s*Halbjahr)?\s*[-/ ]\s*(\d{4})$/i.exec(text) ?? /^([12])\.\s*Halbjahr\s+(\d{4})$/i.exec(text);
        if (m) {
          half = Number(m[1]);
          year = Number(m[2]);
        }
      }
      if (year === undefined || half === undefined || !validYear(year)) return undefined;
      return half === 1 ? range(kind, year, 1, 6) : range(kind, year, 7, 12);
    }
    case 'quarter': {
      m = /^(\d{4})[-_/ ]?(?:Q|0)?([1-4])$/i.exec(text);
      let year: number | undefined;
      let quarter: number | undefined;
      if (m) {
        year = Number(m[1]);
        quarter = Number(m[2]);
      } else {
        m = /^(?:Q([1-4])|([1-4])\.\s*Quartal)\s*[-/ ]?\s*(\d{4})$/i.exec(text);
        if (m) {
          quarter = Number(m[1] ?? m[2]);
          year = Number(m[3]);
        }
      }
      if (year === undefined || quarter === undefined || !validYear(year)) return undefined;
      return range(kind, year, quarter * 3 - 2, quarter * 3);
    }
    case 'month': {
      m = /^(\d{4})-?(\d{2})$/.exec(text);
      let year: number | undefined;
      let month: number | undefined;
      if (m) {
        year = Number(m[1]);
        month = Number(m[2]);
      } else {
        m = /^(\d{1,2})[./](\d{4})$/.exec(text);
        if (m) {
          month = Number(m[1]);
          year = Number(m[2]);
        }
      }
      if (year === undefined || month === undefined || !validYear(year) || month < 1 || month > 12) return undefined;
      return range(kind, year, month, month);
    }
    case 'date': {
      m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (m) return day(kind, Number(m[1]), Number(m[2]), Number(m[3]));
      m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
      if (m) return day(kind, Number(m[3]), Number(m[2]), Number(m[1]));
      return undefined;
    }
    default: {
      const _exhaustive: never = granularity;
      return _exhaustive;
    }
  }
}

export function describeGranularity(granularity: PeriodGranularity): string {
  switch (granularity) {
    case 'year':
      return 'ein Jahr wie „2024“';
    case 'halfYear':
      return 'ein Halbjahr wie „2024-02“ (2. Halbjahr 2024) oder „2024-H1“';
    case 'quarter':
      return 'ein Quartal wie „2024-Q3“';
    case 'month':
      return 'ein Monat wie „2024-05“ oder „202405“';
    case 'date':
      return 'ein Stichtag wie „31.12.2024“ oder „2024-12-31“';
    default: {
      const _exhaustive: never = granularity;
      return _exhaustive;
    }
  }
}

export function periodKey(period: ReferencePeriod): string {
  return `${period.kind === 'STICHTAG' ? 'S' : 'Z'}${period.start}_${period.end}`;
}

/** "31.12.2024" or "01.01.2024–31.12.2024" for messages. */
export function describePeriod(period: ReferencePeriod): string {
  const german = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
  return period.start === period.end ? german(period.end) : `${german(period.start)}–${german(period.end)}`;
}

export function periodsOverlap(a: ReferencePeriod, b: ReferencePeriod): boolean {
  return a.start <= b.end && b.start <= a.end;
}
