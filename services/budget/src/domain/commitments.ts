/**
 * Obligo from contracts: a Leistungsvereinbarung, Zuwendung or Kontrakt of the goals service binds
 * its financing (annualAmountCents on the Produkt, Kostenstelle and Konto named) for every budget
 * year of its term. Partial years are pro rata by days (a grant starting on 1 July binds half a
 * year). An amendment changes the amounts from its effectiveFrom on; a termination ends the
 * commitment after its effectiveOn. An open-ended contract binds the years of the rolling
 * five-year Finanzplanung from its latest version's start.
 */
import type { CommitmentLineData } from '../integration-events';

export interface FinancingTerms {
  annualAmountCents: number;
  productCode: string;
  productArea: string;
  productGroup: string | null;
  costCentre: string | null;
  account: string | null;
}

export interface ContractVersion {
  version: number;
  /** Day the version starts to apply (termStart for version 1, effectiveFrom for amendments). */
  effectiveFrom: string;
  termStart: string;
  termEnd: string | null;
  financing: FinancingTerms | null;
}

export const OPEN_END_YEARS = 5;

const DAY_MS = 86_400_000;

function dayNumber(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}

function yearOf(iso: string): number {
  return Number(iso.slice(0, 4));
}

/** Commitment lines per budget year from the contract's versions and its termination. */
export function commitmentSchedule(versions: readonly ContractVersion[], terminatedOn: string | null): CommitmentLineData[] {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const latest = sorted[sorted.length - 1];
  if (!latest) return [];
  const byLine = new Map<string, CommitmentLineData>();
  for (let i = 0; i < sorted.length; i += 1) {
    const v = sorted[i]!;
    if (!v.financing || v.financing.annualAmountCents === 0) continue;
    const next = sorted[i + 1];
    const start = Math.max(dayNumber(v.termStart), dayNumber(v.effectiveFrom));
    const openEnd = dayNumber(`${yearOf(latest.effectiveFrom) + OPEN_END_YEARS - 1}-12-31`);
    let end = v.termEnd ? dayNumber(v.termEnd) : openEnd;
    if (next) end = Math.min(end, dayNumber(next.effectiveFrom) - 1);
    if (terminatedOn) end = Math.min(end, dayNumber(terminatedOn));
    if (end < start) continue;
    const f = v.financing;
    for (let year = yearOf(new Date(start * DAY_MS).toISOString()); year <= yearOf(new Date(end * DAY_MS).toISOString()); year += 1) {
      const yearStart = dayNumber(`${year}-01-01`);
      const yearEnd = dayNumber(`${year}-12-31`);
      const days = Math.min(end, yearEnd) - Math.max(start, yearStart) + 1;
      if (days <= 0) continue;
      const cents = Math.round((f.annualAmountCents * days) / (yearEnd - yearStart + 1));
      const key = `${year}|${f.productCode}|${f.costCentre ?? ''}|${f.account ?? '*'}`;
      const existing = byLine.get(key);
      if (existing) existing.amountCents += cents;
      else {
        byLine.set(key, {
          budgetYear: year,
          productArea: f.productArea,
          productGroup: f.productGroup,
          productCode: f.productCode,
          costCentre: f.costCentre,
          account: f.account ?? '*',
          accountKind: 'AUFWAND',
          amountCents: cents,
        });
      }
    }
  }
  return [...byLine.values()].sort((a, b) => a.budgetYear - b.budgetYear || a.productCode.localeCompare(b.productCode));
}
