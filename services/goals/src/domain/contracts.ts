/**
 * Contracts (Kontrakte, Ziel-, Leistungs-, Service- und interkommunale Vereinbarungen,
 * Zuwendungen; DOMAIN.md 5) with their reporting duties and the Träger reports on them.
 *
 * Reporting obligations are derived from time passing: the scheduler sends `AdvanceClock` with
 * today's date, and the decider emits ReportingObligationDue once a reporting period has ended and
 * ReportingObligationOverdue once its due date has passed without a report. The clock is an
 * input, so tests move time by hand.
 */
import {
  type CommandMetadata,
  type ContractEvent,
  type ContractTerms,
  type ReferencePeriod,
  type RuleIssue,
  GoalsRuleViolation,
  addDays,
  dayOf,
  daysBetween,
  germanDate,
  sameJson,
} from './events';

export type ReportingDuty = ContractTerms['reportingDuties'][number];
export type ContractQuantity = ContractTerms['quantities'][number];
export type ContractKennzahl = ContractTerms['kennzahlen'][number];

export const CONTRACT_KIND_NAMES: Record<ContractTerms['kind'], string> = {
  KONTRAKT: 'Kontrakt',
  ZIELVEREINBARUNG: 'Zielvereinbarung',
  LEISTUNGSVEREINBARUNG: 'Leistungsvereinbarung',
  ZUWENDUNG: 'Zuwendung',
  SERVICEVEREINBARUNG: 'Servicevereinbarung',
  INTERKOMMUNALE_VEREINBARUNG: 'interkommunale Vereinbarung',
};

export interface ContractVersion {
  version: number;
  /** First day this version applies (termStart for version 1). */
  effectiveFrom: string;
  terms: ContractTerms;
  reason: string | null;
}

export type ObligationStatus = 'due' | 'fulfilled' | 'overdue';

export interface Obligation {
  dutyId: string;
  period: ReferencePeriod;
  dueDate: string;
  status: ObligationStatus;
  reportId: string | null;
  submittedOn: string | null;
  late: boolean;
}

export interface SubmittedReport {
  reportId: string;
  revision: number;
  dutyId: string;
  period: ReferencePeriod;
}

export interface ContractState {
  exists: boolean;
  contractId: string;
  versions: ContractVersion[];
  terminated: { effectiveOn: string; kind: string; reason: string } | null;
  /** Key: `${dutyId}|${period.start}`. */
  obligations: Record<string, Obligation>;
  reports: Record<string, SubmittedReport>;
}

export function initialContract(contractId: string): ContractState {
  return { exists: false, contractId, versions: [], terminated: null, obligations: {}, reports: {} };
}

export function obligationKey(dutyId: string, periodStart: string): string {
  return `${dutyId}|${periodStart}`;
}

function termsOf(data: ContractTerms & Record<string, unknown>): ContractTerms {
  const { contractId: _c, version: _v, effectiveFrom: _e, reason: _r, ...terms } = data as ContractTerms & { contractId?: string; version?: number; effectiveFrom?: string; reason?: string };
  return structuredClone(terms);
}

export function evolveContract(state: ContractState, event: ContractEvent): ContractState {
  switch (event.type) {
    case 'ContractConcluded':
      return { ...state, exists: true, versions: [{ version: 1, effectiveFrom: event.data.termStart, terms: termsOf(event.data), reason: null }] };
    case 'ContractAmended':
      return { ...state, versions: [...state.versions, { version: event.data.version, effectiveFrom: event.data.effectiveFrom, terms: termsOf(event.data), reason: event.data.reason }] };
    case 'ContractTerminated':
      return { ...state, terminated: { effectiveOn: event.data.effectiveOn, kind: event.data.kind, reason: event.data.reason } };
    case 'ReportingObligationDue': {
      const d = event.data;
      const key = obligationKey(d.dutyId, d.period.start);
      return { ...state, obligations: { ...state.obligations, [key]: { dutyId: d.dutyId, period: d.period, dueDate: d.dueDate, status: 'due', reportId: null, submittedOn: null, late: false } } };
    }
    case 'ReportingObligationOverdue': {
      const d = event.data;
      const key = obligationKey(d.dutyId, d.period.start);
      const current = state.obligations[key] ?? { dutyId: d.dutyId, period: d.period, dueDate: d.dueDate, status: 'due' as const, reportId: null, submittedOn: null, late: false };
      return { ...state, obligations: { ...state.obligations, [key]: { ...current, status: 'overdue' } } };
    }
    case 'ReportingObligationFulfilled': {
      const d = event.data;
      const key = obligationKey(d.dutyId, d.period.start);
      return {
        ...state,
        obligations: { ...state.obligations, [key]: { dutyId: d.dutyId, period: d.period, dueDate: d.dueDate, status: 'fulfilled', reportId: d.reportId, submittedOn: d.submittedOn, late: d.late } },
      };
    }
    case 'TraegerReportSubmitted': {
      const d = event.data;
      const key = obligationKey(d.dutyId, d.period.start);
      return { ...state, reports: { ...state.reports, [key]: { reportId: d.reportId, revision: d.revision, dutyId: d.dutyId, period: d.period } } };
    }
  }
}

export function foldContract(contractId: string, events: readonly ContractEvent[]): ContractState {
  return events.reduce(evolveContract, initialContract(contractId));
}

export function currentTerms(state: ContractState): ContractTerms {
  const last = state.versions.at(-1);
  if (!last) throw new GoalsRuleViolation('not-found', `Den Vertrag ${state.contractId} gibt es nicht.`);
  return last.terms;
}

/** Last day the contract applies: termination, else the term's end, else null (open-ended). */
export function contractEnd(state: ContractState): string | null {
  const termEnd = state.versions.at(-1)?.terms.termEnd ?? null;
  if (state.terminated) return termEnd !== null && termEnd < state.terminated.effectiveOn ? termEnd : state.terminated.effectiveOn;
  return termEnd;
}

// ---- reporting periods ----

const MONTHS_PER: Record<ReportingDuty['rhythm'], number> = { JAEHRLICH: 12, HALBJAEHRLICH: 6, QUARTALSWEISE: 3, MONATLICH: 1, EINMALIG: 0 };

function monthStart(year: number, month0: number): string {
  const y = year + Math.floor(month0 / 12);
  const m = ((month0 % 12) + 12) % 12;
  return `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/**
 * The reporting periods of a duty within [from, to] (inclusive), calendar-aligned (years,
 * half-years, quarters, months) and cut to the range; EINMALIG is the range itself. An open
 * range (to = null) is cut at `horizon`.
 */
export function reportingPeriods(rhythm: ReportingDuty['rhythm'], from: string, to: string | null, horizon: string): ReferencePeriod[] {
  const end = to ?? horizon;
  if (end < from) return [];
  if (rhythm === 'EINMALIG') return to === null ? [] : [{ kind: 'ZEITRAUM', start: from, end: to }];
  const step = MONTHS_PER[rhythm];
  const year = Number(from.slice(0, 4));
  const month0 = Number(from.slice(5, 7)) - 1;
  let blockStart0 = Math.floor(month0 / step) * step;
  const periods: ReferencePeriod[] = [];
  for (;;) {
    const blockStart = monthStart(year, blockStart0);
    if (blockStart > end) break;
    const blockEnd = addDays(monthStart(year, blockStart0 + step), -1);
    const start = blockStart < from ? from : blockStart;
    const last = blockEnd > end ? end : blockEnd;
    if (start <= last) periods.push({ kind: 'ZEITRAUM', start, end: last });
    blockStart0 += step;
  }
  return periods;
}

export interface DueObligation {
  dutyId: string;
  period: ReferencePeriod;
  dueDate: string;
  duty: ReportingDuty;
  version: number;
}

/**
 * Every reporting period of every version's duties, each version applying from its
 * effectiveFrom to the day before the next version's; up to the contract's end, or for an
 * open-ended contract up to `horizon`.
 */
export function allObligations(state: ContractState, horizon: string): DueObligation[] {
  const end = contractEnd(state);
  const out: DueObligation[] = [];
  state.versions.forEach((version, i) => {
    const next = state.versions[i + 1];
    const from = version.effectiveFrom;
    let to: string | null = next ? addDays(next.effectiveFrom, -1) : end;
    if (to !== null && end !== null && to > end) to = end;
    for (const duty of version.terms.reportingDuties) {
      for (const period of reportingPeriods(duty.rhythm, from, to, horizon)) {
        out.push({ dutyId: duty.dutyId, period, dueDate: addDays(period.end, duty.dueDays), duty, version: version.version });
      }
    }
  });
  return out;
}

/** The agreed amount of a quantity for a reporting period (pro rata by months, else by days). */
export function agreedForPeriod(quantity: ContractQuantity, period: ReferencePeriod, term: { start: string; end: string | null }): number | null {
  const days = daysBetween(period.start, period.end) + 1;
  const wholeMonths = period.start.endsWith('-01') && addDays(period.end, 1).endsWith('-01');
  const months = wholeMonths ? (Number(period.end.slice(0, 4)) - Number(period.start.slice(0, 4))) * 12 + Number(period.end.slice(5, 7)) - Number(period.start.slice(5, 7)) + 1 : days / (365.2425 / 12);
  const perMonths: Record<ContractQuantity['per'], number | null> = { JAHR: 12, HALBJAHR: 6, QUARTAL: 3, MONAT: 1, LAUFZEIT: null };
  const unit = perMonths[quantity.per];
  if (unit !== null) return Math.round((quantity.amount * months * 100) / unit) / 100;
  if (term.end === null) return null;
  const termDays = daysBetween(term.start, term.end) + 1;
  return Math.round((quantity.amount * days * 100) / termDays) / 100;
}

// ---- commands ----

export interface TraegerFacts {
  traegerId: string;
  exists: boolean;
  active: boolean;
}

export interface ReportInput {
  reportId: string;
  dutyId: string;
  period: { start: string; end: string };
  submittedBy: string;
  values: Array<{ kennzahlId: string; value: number | null; comment: string | null }>;
  quantities: Array<{ quantityId: string; delivered: number }>;
  comment: string | null;
}

export type ContractCommand =
  | { type: 'ConcludeContract'; data: { terms: ContractTerms; traeger: TraegerFacts | null; knownGoalIds: readonly string[] }; metadata: CommandMetadata }
  | { type: 'AmendContract'; data: { terms: ContractTerms; effectiveFrom: string; reason: string; traeger: TraegerFacts | null; knownGoalIds: readonly string[] }; metadata: CommandMetadata }
  | { type: 'TerminateContract'; data: { effectiveOn: string; kind: 'ORDENTLICH' | 'AUSSERORDENTLICH' | 'EINVERNEHMLICH'; reason: string }; metadata: CommandMetadata }
  | { type: 'SubmitReport'; data: ReportInput; metadata: CommandMetadata }
  | { type: 'AdvanceClock'; data: { today: string }; metadata: CommandMetadata };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function checkTerms(terms: ContractTerms, traeger: TraegerFacts | null, knownGoalIds: readonly string[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const external = terms.kind === 'LEISTUNGSVEREINBARUNG' || terms.kind === 'ZUWENDUNG';
  if (terms.title.trim() === '') issues.push({ path: 'title', message: 'Der Titel fehlt.' });
  if (terms.service.trim() === '') issues.push({ path: 'service', message: 'Die vereinbarte Leistung fehlt.' });
  if (!ISO_DAY.test(terms.termStart)) issues.push({ path: 'termStart', message: `Laufzeitbeginn „${terms.termStart}“ ist kein Datum (JJJJ-MM-TT).` });
  if (terms.termEnd !== null && terms.termEnd < terms.termStart) issues.push({ path: 'termEnd', message: `Das Laufzeitende ${germanDate(terms.termEnd)} liegt vor dem Beginn ${germanDate(terms.termStart)}.` });
  if (external && terms.traegerId === null) issues.push({ path: 'traegerId', message: `Eine ${CONTRACT_KIND_NAMES[terms.kind]} wird mit einem Träger geschlossen: traegerId fehlt.` });
  if (terms.traegerId !== null && (!traeger || !traeger.exists)) issues.push({ path: 'traegerId', message: `Den Träger ${terms.traegerId} gibt es im Trägerverzeichnis des Mandanten nicht.` });
  if (traeger && traeger.exists && !traeger.active) issues.push({ path: 'traegerId', message: 'Der Träger ist im Trägerverzeichnis als nicht mehr aktiv geführt.' });
  if (terms.kind === 'INTERKOMMUNALE_VEREINBARUNG' && terms.partnerTenant === null) issues.push({ path: 'partnerTenant', message: 'Eine interkommunale Vereinbarung braucht die Partnerkommune (AGS).' });
  if ((terms.kind === 'KONTRAKT' || terms.kind === 'SERVICEVEREINBARUNG') && terms.partnerUnit === null && terms.traegerId === null) {
    issues.push({ path: 'partnerUnit', message: `Ein ${CONTRACT_KIND_NAMES[terms.kind]} braucht den internen Partner (Fachbereich, Amt).` });
  }
  const unique = (ids: string[], path: string, what: string) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id)) issues.push({ path: `${path}[${i}]`, message: `${what} „${id}“ ist doppelt vergeben.` });
      seen.add(id);
    });
  };
  unique(terms.quantities.map((q) => q.quantityId), 'quantities', 'Die Leistungsmenge');
  unique(terms.kennzahlen.map((k) => k.kennzahlId), 'kennzahlen', 'Die Kennzahl');
  unique(terms.reportingDuties.map((d) => d.dutyId), 'reportingDuties', 'Die Berichtspflicht');
  terms.quantities.forEach((q, i) => {
    if (!(q.amount >= 0)) issues.push({ path: `quantities[${i}].amount`, message: 'Eine Leistungsmenge kann nicht negativ sein.' });
  });
  terms.kennzahlen.forEach((k, i) => {
    if (k.targetValue !== null && k.comparator === null) issues.push({ path: `kennzahlen[${i}].comparator`, message: 'Zu einem Zielwert gehört die Richtung (AT_LEAST: mindestens, AT_MOST: höchstens).' });
    if (k.minimum !== null && k.maximum !== null && k.minimum > k.maximum) issues.push({ path: `kennzahlen[${i}]`, message: 'Das Minimum liegt über dem Maximum.' });
    if (k.goalId !== null && !knownGoalIds.includes(k.goalId)) issues.push({ path: `kennzahlen[${i}].goalId`, message: `Das Ziel ${k.goalId} gibt es nicht.` });
  });
  terms.goalIds.forEach((g, i) => {
    if (!knownGoalIds.includes(g)) issues.push({ path: `goalIds[${i}]`, message: `Das Ziel ${g} gibt es nicht.` });
  });
  const kennzahlIds = new Set(terms.kennzahlen.map((k) => k.kennzahlId));
  const quantityIds = new Set(terms.quantities.map((q) => q.quantityId));
  terms.reportingDuties.forEach((d, i) => {
    if (!Number.isInteger(d.dueDays) || d.dueDays < 0 || d.dueDays > 365) issues.push({ path: `reportingDuties[${i}].dueDays`, message: 'Die Frist ist eine ganze Zahl von Tagen zwischen 0 und 365 nach Ende des Berichtszeitraums.' });
    if (d.rhythm === 'EINMALIG' && terms.termEnd === null) issues.push({ path: `reportingDuties[${i}].rhythm`, message: 'Ein einmaliger Bericht braucht ein Laufzeitende.' });
    d.kennzahlIds.forEach((k) => {
      if (!kennzahlIds.has(k)) issues.push({ path: `reportingDuties[${i}].kennzahlIds`, message: `Die Kennzahl „${k}“ ist im Vertrag nicht vereinbart.` });
    });
    d.quantityIds.forEach((q) => {
      if (!quantityIds.has(q)) issues.push({ path: `reportingDuties[${i}].quantityIds`, message: `Die Leistungsmenge „${q}“ ist im Vertrag nicht vereinbart.` });
    });
  });
  if (terms.financing) {
    if (terms.financing.annualAmountCents < 0) issues.push({ path: 'financing.annualAmountCents', message: 'Der Betrag kann nicht negativ sein.' });
    if (terms.financing.priceQuantityId !== null && !quantityIds.has(terms.financing.priceQuantityId)) {
      issues.push({ path: 'financing.priceQuantityId', message: `Der Preis bezieht sich auf die Leistungsmenge „${terms.financing.priceQuantityId}“, die nicht vereinbart ist.` });
    }
  }
  terms.reviewDates.forEach((d, i) => {
    if (d < terms.termStart || (terms.termEnd !== null && d > terms.termEnd)) issues.push({ path: `reviewDates[${i}]`, message: `Der Prüftermin ${germanDate(d)} liegt außerhalb der Laufzeit.` });
  });
  return issues;
}

function findDuty(state: ContractState, dutyId: string, periodStart: string): { duty: ReportingDuty; obligation: DueObligation } | null {
  for (const o of allObligations(state, '9999-12-31')) {
    if (o.dutyId === dutyId && o.period.start === periodStart) return { duty: o.duty, obligation: o };
  }
  return null;
}

export function decideContract(command: ContractCommand, state: ContractState): ContractEvent[] {
  const today = dayOf(command.metadata.now);
  switch (command.type) {
    case 'ConcludeContract': {
      if (state.exists) throw new GoalsRuleViolation('conflict', `Den Vertrag ${state.contractId} gibt es bereits.`);
      const { terms, traeger, knownGoalIds } = command.data;
      const issues = checkTerms(terms, traeger, knownGoalIds);
      if (issues.length > 0) throw new GoalsRuleViolation('invalid', `Der Vertrag „${terms.title}“ kann so nicht geschlossen werden.`, issues);
      return [{ type: 'ContractConcluded', data: { contractId: state.contractId, version: 1, ...terms } }];
    }
    case 'AmendContract': {
      if (!state.exists) throw new GoalsRuleViolation('not-found', `Den Vertrag ${state.contractId} gibt es nicht.`);
      if (state.terminated) throw new GoalsRuleViolation('retired', `Der Vertrag ist zum ${germanDate(state.terminated.effectiveOn)} beendet und kann nicht mehr geändert werden.`);
      const { terms, effectiveFrom, reason, traeger, knownGoalIds } = command.data;
      if (sameJson(terms, currentTerms(state))) return [];
      const issues = checkTerms(terms, traeger, knownGoalIds);
      const last = state.versions.at(-1) as ContractVersion;
      if (!ISO_DAY.test(effectiveFrom) || effectiveFrom <= last.effectiveFrom) {
        issues.push({ path: 'effectiveFrom', message: `Die Änderung muss nach dem Beginn der geltenden Fassung (${germanDate(last.effectiveFrom)}) wirksam werden.` });
      }
      if (terms.termEnd !== null && effectiveFrom > terms.termEnd) issues.push({ path: 'effectiveFrom', message: 'Die Änderung wird erst nach dem Laufzeitende wirksam.' });
      if (terms.termStart !== currentTerms(state).termStart) issues.push({ path: 'termStart', message: 'Der Laufzeitbeginn eines geschlossenen Vertrags bleibt; für eine neue Laufzeit einen neuen Vertrag schließen.' });
      if (reason.trim() === '') issues.push({ path: 'reason', message: 'Bitte den Grund der Änderung angeben.' });
      if (issues.length > 0) throw new GoalsRuleViolation('invalid', `Der Vertrag „${last.terms.title}“ kann so nicht geändert werden.`, issues);
      return [{ type: 'ContractAmended', data: { contractId: state.contractId, version: last.version + 1, ...terms, effectiveFrom, reason: reason.trim() } }];
    }
    case 'TerminateContract': {
      if (!state.exists) throw new GoalsRuleViolation('not-found', `Den Vertrag ${state.contractId} gibt es nicht.`);
      const { effectiveOn, kind, reason } = command.data;
      if (state.terminated) {
        if (state.terminated.effectiveOn === effectiveOn) return [];
        throw new GoalsRuleViolation('conflict', `Der Vertrag ist bereits zum ${germanDate(state.terminated.effectiveOn)} beendet.`);
      }
      const terms = currentTerms(state);
      const issues: RuleIssue[] = [];
      if (!ISO_DAY.test(effectiveOn) || effectiveOn < terms.termStart) issues.push({ path: 'effectiveOn', message: `Das Vertragsende muss ein Datum ab Laufzeitbeginn (${germanDate(terms.termStart)}) sein.` });
      if (reason.trim() === '') issues.push({ path: 'reason', message: 'Bitte den Grund angeben.' });
      if (issues.length > 0) throw new GoalsRuleViolation('invalid', 'Der Vertrag kann so nicht beendet werden.', issues);
      return [{ type: 'ContractTerminated', data: { contractId: state.contractId, effectiveOn, kind, reason: reason.trim() } }];
    }
    case 'SubmitReport':
      return submitReport(state, command.data, today);
    case 'AdvanceClock': {
      if (!state.exists) return [];
      const events: ContractEvent[] = [];
      const day = command.data.today;
      for (const o of allObligations(state, day)) {
        if (o.period.end >= day) continue; // the period has not ended yet
        const key = obligationKey(o.dutyId, o.period.start);
        const current = state.obligations[key];
        if (!current) {
          events.push({ type: 'ReportingObligationDue', data: { contractId: state.contractId, dutyId: o.dutyId, period: o.period, dueDate: o.dueDate } });
          if (day > o.dueDate) events.push({ type: 'ReportingObligationOverdue', data: { contractId: state.contractId, dutyId: o.dutyId, period: o.period, dueDate: o.dueDate, overdueSince: addDays(o.dueDate, 1) } });
        } else if (current.status === 'due' && day > current.dueDate) {
          events.push({ type: 'ReportingObligationOverdue', data: { contractId: state.contractId, dutyId: o.dutyId, period: o.period, dueDate: current.dueDate, overdueSince: addDays(current.dueDate, 1) } });
        }
      }
      return events;
    }
  }
}

function submitReport(state: ContractState, input: ReportInput, today: string): ContractEvent[] {
  if (!state.exists) throw new GoalsRuleViolation('not-found', `Den Vertrag ${state.contractId} gibt es nicht.`);
  const found = findDuty(state, input.dutyId, input.period.start);
  if (!found || found.obligation.period.end !== input.period.end) {
    const duties = new Set(state.versions.flatMap((v) => v.terms.reportingDuties.map((d) => d.dutyId)));
    const detail = duties.has(input.dutyId)
      ? `Der Zeitraum ${germanDate(input.period.start)} bis ${germanDate(input.period.end)} ist kein Berichtszeitraum der Berichtspflicht „${input.dutyId}“.`
      : `Der Vertrag kennt keine Berichtspflicht „${input.dutyId}“; vereinbart: ${[...duties].join(', ') || 'keine'}.`;
    throw new GoalsRuleViolation('invalid', 'Der Bericht passt nicht zum Vertrag.', [{ path: 'dutyId', message: detail }]);
  }
  const { duty, obligation } = found;
  if (input.period.end >= today) {
    throw new GoalsRuleViolation('invalid', 'Der Bericht ist zu früh.', [{ path: 'period', message: `Der Berichtszeitraum endet erst am ${germanDate(input.period.end)}; berichtet wird danach.` }]);
  }
  const version = state.versions.find((v) => v.version === obligation.version) as ContractVersion;
  const terms = version.terms;
  const issues: RuleIssue[] = [];
  const findings: Array<{ code: string; message: string }> = [];
  const byKennzahl = new Map(input.values.map((v) => [v.kennzahlId, v]));
  input.values.forEach((v, i) => {
    const k = terms.kennzahlen.find((x) => x.kennzahlId === v.kennzahlId);
    if (!k) {
      issues.push({ path: `values[${i}].kennzahlId`, message: `Die Kennzahl „${v.kennzahlId}“ ist im Vertrag nicht vereinbart; vereinbart: ${terms.kennzahlen.map((x) => x.kennzahlId).join(', ') || 'keine'}.` });
      return;
    }
    if (v.value === null) {
      if (!v.comment) issues.push({ path: `values[${i}].comment`, message: `Für „${k.name}“ fehlt der Wert; bitte begründen, warum er nicht berichtet werden kann.` });
      return;
    }
    if (!Number.isFinite(v.value)) issues.push({ path: `values[${i}].value`, message: `„${k.name}“: der Wert muss eine Zahl sein.` });
    if (k.minimum !== null && v.value < k.minimum) issues.push({ path: `values[${i}].value`, message: `„${k.name}“: ${v.value} liegt unter dem plausiblen Minimum ${k.minimum}.` });
    if (k.maximum !== null && v.value > k.maximum) issues.push({ path: `values[${i}].value`, message: `„${k.name}“: ${v.value} liegt über dem plausiblen Maximum ${k.maximum}.` });
    if (k.targetValue !== null && k.comparator !== null) {
      const met = k.comparator === 'AT_LEAST' ? v.value >= k.targetValue : v.value <= k.targetValue;
      if (!met) findings.push({ code: 'target-missed', message: `„${k.name}“: ${v.value} ${k.unit} verfehlt den Zielwert ${k.comparator === 'AT_LEAST' ? 'von mindestens' : 'von höchstens'} ${k.targetValue} ${k.unit}.` });
    }
  });
  duty.kennzahlIds.forEach((id) => {
    if (!byKennzahl.has(id)) {
      const k = terms.kennzahlen.find((x) => x.kennzahlId === id);
      issues.push({ path: 'values', message: `Die Kennzahl „${k?.name ?? id}“ (${id}) gehört zum Bericht „${duty.content}“ und fehlt.` });
    }
  });
  const quantities: Array<{ quantityId: string; delivered: number; agreed: number | null }> = [];
  const byQuantity = new Map(input.quantities.map((q) => [q.quantityId, q]));
  input.quantities.forEach((q, i) => {
    const agreedQuantity = terms.quantities.find((x) => x.quantityId === q.quantityId);
    if (!agreedQuantity) {
      issues.push({ path: `quantities[${i}].quantityId`, message: `Die Leistungsmenge „${q.quantityId}“ ist im Vertrag nicht vereinbart.` });
      return;
    }
    if (!(q.delivered >= 0)) {
      issues.push({ path: `quantities[${i}].delivered`, message: `„${agreedQuantity.label}“: eine erbrachte Menge kann nicht negativ sein.` });
      return;
    }
    const agreed = agreedForPeriod(agreedQuantity, obligation.period, { start: terms.termStart, end: terms.termEnd });
    quantities.push({ quantityId: q.quantityId, delivered: q.delivered, agreed });
    if (agreed !== null && agreed > 0) {
      const share = q.delivered / agreed;
      if (share < 0.9) findings.push({ code: 'quantity-shortfall', message: `${agreedQuantity.label}: ${fmt(q.delivered)} von ${fmt(agreed)} vereinbarten (${fmt(share * 100)} %).` });
      if (share > 1.1) findings.push({ code: 'quantity-excess', message: `${agreedQuantity.label}: ${fmt(q.delivered)} statt ${fmt(agreed)} vereinbarten (${fmt(share * 100)} %).` });
    }
  });
  duty.quantityIds.forEach((id) => {
    if (!byQuantity.has(id)) {
      const q = terms.quantities.find((x) => x.quantityId === id);
      issues.push({ path: 'quantities', message: `Die Leistungsmenge „${q?.label ?? id}“ (${id}) gehört zum Bericht „${duty.content}“ und fehlt.` });
    }
  });
  if (issues.length > 0) throw new GoalsRuleViolation('invalid', `Der Bericht „${duty.content}“ für ${germanDate(obligation.period.start)} bis ${germanDate(obligation.period.end)} wurde nicht angenommen.`, issues);

  const key = obligationKey(obligation.dutyId, obligation.period.start);
  const previous = state.reports[key];
  const events: ContractEvent[] = [
    {
      type: 'TraegerReportSubmitted',
      data: {
        contractId: state.contractId,
        dutyId: obligation.dutyId,
        period: obligation.period,
        reportId: input.reportId,
        revision: (previous?.revision ?? 0) + 1,
        contractVersion: version.version,
        submittedBy: input.submittedBy,
        values: input.values.map((v) => ({ kennzahlId: v.kennzahlId, value: v.value, comment: v.comment })),
        quantities,
        comment: input.comment,
        findings,
      },
    },
  ];
  const current = state.obligations[key];
  if (!current || current.status !== 'fulfilled') {
    events.push({
      type: 'ReportingObligationFulfilled',
      data: { contractId: state.contractId, dutyId: obligation.dutyId, period: obligation.period, dueDate: current?.dueDate ?? obligation.dueDate, reportId: input.reportId, submittedOn: today, late: today > (current?.dueDate ?? obligation.dueDate) },
    });
  }
  return events;
}

const numberFormat = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 1 });
function fmt(n: number): string {
  return numberFormat.format(n);
}
