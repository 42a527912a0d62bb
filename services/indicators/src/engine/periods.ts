/**
 * Period keys of an indicator's periodicity. Observations carry a ReferencePeriod (kind, start,
 * end); an indicator computes per step of its periodicity (jährlich: `2021`, halbjährlich:
 * `2021-H2`, vierteljährlich: `2021-Q4`, monatlich: `2021-12`). An observation belongs to a step
 * when it is a Stichtag on the indicator's Stichtag within the step (default: the step's last day),
 * or a Zeitraum covering exactly the step. A lag of n is n steps back.
 */
import type { Periodicity } from '../catalogue/model';

export interface ReferencePeriod {
  kind: 'STICHTAG' | 'ZEITRAUM';
  start: string;
  end: string;
}

const STEPS_PER_YEAR: Record<Periodicity, number> = { jährlich: 1, halbjährlich: 2, vierteljährlich: 4, monatlich: 12 };

/** A step as a number: year * stepsPerYear + index (0-based). Keys compare and subtract as numbers. */
export type StepNumber = number;

const pad = (n: number) => String(n).padStart(2, '0');

function lastDay(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function stepsPerYear(periodicity: Periodicity): number {
  return STEPS_PER_YEAR[periodicity];
}

/** `2021`, `2021-H2`, `2021-Q4`, `2021-12`. */
export function stepLabel(step: StepNumber, periodicity: Periodicity): string {
  const per = STEPS_PER_YEAR[periodicity];
  const year = Math.floor(step / per);
  const index = step - year * per;
  switch (periodicity) {
    case 'jährlich':
      return String(year);
    case 'halbjährlich':
      return `${year}-H${index + 1}`;
    case 'vierteljährlich':
      return `${year}-Q${index + 1}`;
    case 'monatlich':
      return `${year}-${pad(index + 1)}`;
    default: {
      const exhaustive: never = periodicity;
      return exhaustive;
    }
  }
}

/** Parses a label of stepLabel back; undefined when it is none of the periodicity. */
export function parseStepLabel(label: string, periodicity: Periodicity): StepNumber | undefined {
  const per = STEPS_PER_YEAR[periodicity];
  const patterns: Record<Periodicity, RegExp> = {
    jährlich: /^(\d{4})$/,
    halbjährlich: /^(\d{4})-H([12])$/,
    vierteljährlich: /^(\d{4})-Q([1-4])$/,
    monatlich: /^(\d{4})-(0[1-9]|1[0-2])$/,
  };
  const m = patterns[periodicity].exec(label);
  if (!m) return undefined;
  return Number(m[1]) * per + (m[2] ? Number(m[2]) - 1 : 0);
}

/** First and last month (1-based) of a step. */
function monthsOf(step: StepNumber, periodicity: Periodicity): { year: number; first: number; last: number } {
  const per = STEPS_PER_YEAR[periodicity];
  const year = Math.floor(step / per);
  const months = 12 / per;
  const index = step - year * per;
  return { year, first: index * months + 1, last: (index + 1) * months };
}

/** The ReferencePeriod of a step: a Stichtag (on `stichtag` DD.MM. if given and inside the step, else the last day) or the whole range. */
export function periodOfStep(step: StepNumber, periodicity: Periodicity, kind: 'STICHTAG' | 'ZEITRAUM', stichtag?: string): ReferencePeriod {
  const { year, first, last } = monthsOf(step, periodicity);
  const end = `${year}-${pad(last)}-${pad(lastDay(year, last))}`;
  if (kind === 'ZEITRAUM') return { kind, start: `${year}-${pad(first)}-01`, end };
  const day = stichtagInStep(step, periodicity, stichtag);
  return { kind, start: day ?? end, end: day ?? end };
}

function stichtagInStep(step: StepNumber, periodicity: Periodicity, stichtag: string | undefined): string | undefined {
  if (!stichtag || periodicity !== 'jährlich') return undefined;
  const m = /^(\d{2})\.(\d{2})\.?$/.exec(stichtag);
  if (!m) return undefined;
  const { year } = monthsOf(step, periodicity);
  return `${year}-${m[2]}-${m[1]}`;
}

/**
 * The step an observation's period belongs to, or undefined when it does not fit the
 * periodicity (a Stichtag 30.06. for a yearly indicator on 31.12., a Zeitraum of a quarter for a
 * yearly one).
 */
export function stepOfPeriod(period: ReferencePeriod, periodicity: Periodicity, stichtag?: string): StepNumber | undefined {
  const per = STEPS_PER_YEAR[periodicity];
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period.end);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const step = year * per + Math.floor((month - 1) / (12 / per));
  const expected = periodOfStep(step, periodicity, period.kind, stichtag);
  return expected.start === period.start && expected.end === period.end ? step : undefined;
}

/** Canonical text of a ReferencePeriod, used as a storage key: `S:2021-12-31`, `Z:2021-01-01/2021-12-31`. */
export function periodKey(period: ReferencePeriod): string {
  return period.kind === 'STICHTAG' ? `S:${period.end}` : `Z:${period.start}/${period.end}`;
}

export function parsePeriodKey(key: string): ReferencePeriod {
  if (key.startsWith('S:')) return { kind: 'STICHTAG', start: key.slice(2), end: key.slice(2) };
  const [start, end] = key.slice(2).split('/');
  return { kind: 'ZEITRAUM', start: start ?? '', end: end ?? '' };
}
