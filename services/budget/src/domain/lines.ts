/**
 * Budget lines and the value kinds on them (DOMAIN.md 6). A line is Produkt x Kostenstelle x
 * Konto (with its Kontenart); every value kind arrives as events and is kept per source, so the
 * figures of a line are a pure function of what happened to it:
 *
 *   Ansatz (adopted) -> replaced by a Nachtrag where one was adopted
 *   + Übertragungen from the previous year + Umschichtungen in and out = fortgeschriebener Ansatz
 *   Planung: the value of the rolling Finanzplanung for a later year
 *   Obligo: commitments not yet paid; Ist: the sum of the postings, per month of the Buchungsdatum
 *
 * Money is integer euro cents throughout; sums of integers stay exact.
 */
import type { AccountKind, ApproachClass, PreventionClass } from '../integration-events';

export interface LineRef {
  productArea: string;
  productGroup: string | null;
  productCode: string;
  costCentre: string | null;
  account: string;
  accountKind: AccountKind;
}

/** Stable key of a line within a tenant and year. */
export function lineKey(line: LineRef): string {
  return `${line.productCode}|${line.costCentre ?? ''}|${line.account}|${line.accountKind}`;
}

export function sameLine(a: LineRef, b: LineRef): boolean {
  return lineKey(a) === lineKey(b);
}

export function lineRefOf(line: LineRef): LineRef {
  return {
    productArea: line.productArea,
    productGroup: line.productGroup ?? null,
    productCode: line.productCode,
    costCentre: line.costCentre ?? null,
    account: line.account,
    accountKind: line.accountKind,
  };
}

/** "Produkt 060301, Kostenstelle 5100, Konto 533100 (Aufwand)" */
export function describeLine(line: LineRef): string {
  const parts = [`Produkt ${line.productCode}`];
  if (line.costCentre) parts.push(`Kostenstelle ${line.costCentre}`);
  parts.push(line.account === '*' ? 'alle Konten' : `Konto ${line.account}`);
  return `${parts.join(', ')} (${ACCOUNT_KIND_LABEL[line.accountKind]})`;
}

export const ACCOUNT_KIND_LABEL: Record<AccountKind, string> = {
  AUFWAND: 'Aufwand',
  ERTRAG: 'Ertrag',
  AUSZAHLUNG: 'Auszahlung',
  EINZAHLUNG: 'Einzahlung',
};

/** Aufwand and Auszahlung are spending: more than planned is the unfavourable direction. */
export function isSpending(kind: AccountKind): boolean {
  return kind === 'AUFWAND' || kind === 'AUSZAHLUNG';
}

export interface Classification {
  prevention: PreventionClass;
  approach: ApproachClass;
}

export const UNCLASSIFIED: Classification = { prevention: 'NICHT_ZUGEORDNET', approach: 'NICHT_ZUGEORDNET' };

/** A value that the latest event replaces; `position` orders events across streams. */
export interface Positioned {
  cents: number;
  position: number;
}

/** One line of one budget year with every value kind by its source. */
export interface LedgerLine extends LineRef {
  tenant: string;
  budgetYear: number;
  ansatz: Positioned | null;
  nachtrag: Positioned | null;
  planung: Positioned | null;
  /** Classification stated on the latest appropriation line; null = the Produkt's. */
  classification: (Classification & { position: number }) | null;
  /** Übertragungen by transferId. */
  transfers: Record<string, number>;
  /** Umschichtungen by reallocationId (negative on the giving line). */
  reallocations: Record<string, number>;
  /** Obligo by commitmentId. */
  commitments: Record<string, number>;
  /** Ist by import: sum, per month (index 0 = January), number of postings. */
  actuals: Record<string, { cents: number; months: number[]; count: number }>;
}

export function emptyLedgerLine(tenant: string, budgetYear: number, ref: LineRef): LedgerLine {
  return {
    tenant,
    budgetYear,
    ...lineRefOf(ref),
    ansatz: null,
    nachtrag: null,
    planung: null,
    classification: null,
    transfers: {},
    reallocations: {},
    commitments: {},
    actuals: {},
  };
}

/** The figures of a line as reports show them. */
export interface LineFigures {
  /** Adopted plan: the Nachtrag where there is one, else the Ansatz (null: nothing adopted). */
  adoptedCents: number | null;
  ansatzCents: number | null;
  nachtragCents: number | null;
  transferCents: number;
  reallocationCents: number;
  /** Fortgeschriebener Ansatz: adopted + transfers + reallocations. */
  plannedCents: number;
  planungCents: number | null;
  commitmentCents: number;
  actualCents: number;
  /** Ist per month, index 0 = January. */
  actualMonths: number[];
  postingCount: number;
}

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

export function figuresOf(line: LedgerLine): LineFigures {
  const months = new Array<number>(12).fill(0);
  let actual = 0;
  let count = 0;
  for (const entry of Object.values(line.actuals)) {
    actual += entry.cents;
    count += entry.count;
    for (let m = 0; m < 12; m += 1) months[m]! += entry.months[m] ?? 0;
  }
  const adopted = line.nachtrag?.cents ?? line.ansatz?.cents ?? null;
  const transfers = sum(Object.values(line.transfers));
  const reallocations = sum(Object.values(line.reallocations));
  return {
    adoptedCents: adopted,
    ansatzCents: line.ansatz?.cents ?? null,
    nachtragCents: line.nachtrag?.cents ?? null,
    transferCents: transfers,
    reallocationCents: reallocations,
    plannedCents: (adopted ?? 0) + transfers + reallocations,
    planungCents: line.planung?.cents ?? null,
    commitmentCents: sum(Object.values(line.commitments)),
    actualCents: actual,
    actualMonths: months,
    postingCount: count,
  };
}

/** Ist up to and including a month (1-12). */
export function actualThroughMonth(months: readonly number[], month: number): number {
  let total = 0;
  for (let m = 0; m < month && m < 12; m += 1) total += months[m] ?? 0;
  return total;
}

/** Euro cents from a decimal amount text or number, rounded half away from zero. */
export function toCents(euros: number): number {
  return Math.sign(euros) * Math.round(Math.abs(euros) * 100);
}

/** "1.234.567,89 €" */
export function formatEuro(cents: number): string {
  return `${(cents / 100).toLocaleString('de-DE', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;
}
