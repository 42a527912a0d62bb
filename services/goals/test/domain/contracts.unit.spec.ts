/**
 * Contracts: conclusion, amendment as new version, termination, Träger reports with plausibility,
 * and reporting obligations derived from time passing (the clock is the command's input).
 */
import { agreedForPeriod, decideContract, evolveContract, foldContract, reportingPeriods, type ContractCommand, type ContractState } from '../../src/domain/contracts';
import type { ContractEvent, ContractTerms } from '../../src/domain/events';
import { refusal } from '../support/refusal';

const C = '44444444-4444-4444-8444-444444444444';
const T = '55555555-5555-4555-8555-555555555555';
const at = (day: string) => ({ now: `${day}T08:00:00.000Z` });

const terms = (over: Partial<ContractTerms> = {}): ContractTerms => ({
  kind: 'LEISTUNGSVEREINBARUNG',
  title: 'Fachstelle für pflegende Angehörige',
  reference: null,
  principalUnit: 'Sozialreferat',
  traegerId: T,
  partnerTenant: null,
  partnerUnit: null,
  termStart: '2023-01-01',
  termEnd: '2025-12-31',
  legalBasis: null,
  service: 'Beratung pflegender Angehöriger',
  productCode: '3150',
  targetGroup: 'pflegende Angehörige',
  spatialScope: null,
  quantities: [{ quantityId: 'beratungen', kind: 'FAELLE', label: 'Beratungsfälle', amount: 200, per: 'JAHR' }],
  financing: { mode: 'ZUWENDUNG', annualAmountCents: 6_500_000, unitPriceCents: null, priceQuantityId: null, grantType: 'Fehlbedarf', productCode: '3150', costCentre: null, account: null },
  qualityStandards: [],
  kennzahlen: [{ kennzahlId: 'erreichte', name: 'Erreichte Angehörige', unit: 'Anzahl', targetValue: 150, comparator: 'AT_LEAST', goalId: null, indicatorId: null, minimum: 0, maximum: 5000 }],
  reportingDuties: [{ dutyId: 'jahresbericht', content: 'Jahresbericht', rhythm: 'JAEHRLICH', dueDays: 90, kennzahlIds: ['erreichte'], quantityIds: ['beratungen'] }],
  reviewDates: ['2024-06-30'],
  goalIds: [],
  prevention: 'PRAEVENTIV',
  approach: 'INDIVIDUELL',
  decision: null,
  ...over,
});

const traeger = { traegerId: T, exists: true, active: true };

function run(events: ContractEvent[], command: ContractCommand): { events: ContractEvent[]; state: ContractState } {
  const state = foldContract(C, events);
  const out = decideContract(command, state);
  return { events: [...events, ...out], state: out.reduce(evolveContract, state) };
}


const concluded = () => run([], { type: 'ConcludeContract', data: { terms: terms(), traeger, knownGoalIds: [] }, metadata: at('2022-12-15') }).events;

describe('concluding and amending', () => {
  it('concludes version 1 with the agreed terms', () => {
    const events = concluded();
    expect(events).toEqual([{ type: 'ContractConcluded', data: expect.objectContaining({ contractId: C, version: 1, title: 'Fachstelle für pflegende Angehörige' }) }]);
  });

  it('refuses a Leistungsvereinbarung without Träger, duties naming unknown Kennzahlen and an end before the start, all at once', () => {
    const error = refusal(() =>
      run([], {
        type: 'ConcludeContract',
        data: {
          terms: terms({ traegerId: null, termEnd: '2022-06-30', reportingDuties: [{ dutyId: 'x', content: 'x', rhythm: 'JAEHRLICH', dueDays: 90, kennzahlIds: ['unbekannt'], quantityIds: [] }] }),
          traeger: null,
          knownGoalIds: [],
        },
        metadata: at('2022-12-15'),
      }),
    );
    const messages = error.issues.map((i) => i.message).join('\n');
    expect(messages).toContain('traegerId fehlt');
    expect(messages).toContain('liegt vor dem Beginn');
    expect(messages).toContain('Die Kennzahl „unbekannt“ ist im Vertrag nicht vereinbart');
  });

  it('amends as a new version valid from a date; the same terms again change nothing', () => {
    const amended = run(concluded(), { type: 'AmendContract', data: { terms: terms({ quantities: [{ quantityId: 'beratungen', kind: 'FAELLE', label: 'Beratungsfälle', amount: 240, per: 'JAHR' }] }), effectiveFrom: '2024-01-01', reason: 'Mehrbedarf', traeger, knownGoalIds: [] }, metadata: at('2023-11-01') });
    expect(amended.state.versions.map((v) => [v.version, v.effectiveFrom])).toEqual([
      [1, '2023-01-01'],
      [2, '2024-01-01'],
    ]);
    expect(run(amended.events, { type: 'AmendContract', data: { terms: amended.state.versions[1]!.terms, effectiveFrom: '2024-06-01', reason: 'x', traeger, knownGoalIds: [] }, metadata: at('2024-05-01') }).events).toHaveLength(amended.events.length);
  });
});

describe('reporting obligations over time', () => {
  it('cuts calendar periods to the term', () => {
    expect(reportingPeriods('QUARTALSWEISE', '2024-02-15', '2024-08-31', '2030-01-01').map((p) => `${p.start}..${p.end}`)).toEqual(['2024-02-15..2024-03-31', '2024-04-01..2024-06-30', '2024-07-01..2024-08-31']);
    expect(reportingPeriods('JAEHRLICH', '2023-01-01', null, '2024-05-01').map((p) => p.start)).toEqual(['2023-01-01', '2024-01-01']);
  });

  it('derives nothing before a period has ended, Due after, Overdue after the due date, once each', () => {
    let events = concluded();
    expect(run(events, { type: 'AdvanceClock', data: { today: '2023-12-31' }, metadata: at('2023-12-31') }).events).toHaveLength(events.length);
    let r = run(events, { type: 'AdvanceClock', data: { today: '2024-01-01' }, metadata: at('2024-01-01') });
    expect(r.events.slice(events.length)).toEqual([{ type: 'ReportingObligationDue', data: { contractId: C, dutyId: 'jahresbericht', period: { kind: 'ZEITRAUM', start: '2023-01-01', end: '2023-12-31' }, dueDate: '2024-03-30' } }]);
    events = r.events;
    // Same day again: nothing new (the scheduler may run as often as it likes).
    expect(run(events, { type: 'AdvanceClock', data: { today: '2024-01-01' }, metadata: at('2024-01-01') }).events).toHaveLength(events.length);
    expect(run(events, { type: 'AdvanceClock', data: { today: '2024-03-30' }, metadata: at('2024-03-30') }).events).toHaveLength(events.length);
    r = run(events, { type: 'AdvanceClock', data: { today: '2024-03-31' }, metadata: at('2024-03-31') });
    expect(r.events.slice(events.length)).toEqual([{ type: 'ReportingObligationOverdue', data: expect.objectContaining({ dueDate: '2024-03-30', overdueSince: '2024-03-31' }) }]);
    expect(r.state.obligations['jahresbericht|2023-01-01']?.status).toBe('overdue');
  });

  it('catches up on every ended period after a long pause, and stops at the contract end', () => {
    const r = run(concluded(), { type: 'AdvanceClock', data: { today: '2027-01-01' }, metadata: at('2027-01-01') });
    const due = r.events.filter((e) => e.type === 'ReportingObligationDue').map((e) => (e.type === 'ReportingObligationDue' ? e.data.period.start : ''));
    expect(due).toEqual(['2023-01-01', '2024-01-01', '2025-01-01']);
    expect(r.events.filter((e) => e.type === 'ReportingObligationOverdue')).toHaveLength(3);
  });

  it('ends duties with a termination', () => {
    const terminated = run(concluded(), { type: 'TerminateContract', data: { effectiveOn: '2024-06-30', kind: 'EINVERNEHMLICH', reason: 'Träger gibt Angebot auf' }, metadata: at('2024-05-01') });
    const r = run(terminated.events, { type: 'AdvanceClock', data: { today: '2026-01-01' }, metadata: at('2026-01-01') });
    expect(r.events.filter((e) => e.type === 'ReportingObligationDue').map((e) => (e.type === 'ReportingObligationDue' ? `${e.data.period.start}..${e.data.period.end}` : ''))).toEqual(['2023-01-01..2023-12-31', '2024-01-01..2024-06-30']);
  });
});

describe('Träger reports', () => {
  const report = (over: Partial<{ values: Array<{ kennzahlId: string; value: number | null; comment: string | null }>; quantities: Array<{ quantityId: string; delivered: number }>; period: { start: string; end: string } }> = {}) => ({
    reportId: '66666666-6666-4666-8666-666666666666',
    dutyId: 'jahresbericht',
    period: { start: '2023-01-01', end: '2023-12-31' },
    submittedBy: 'user:traeger-1',
    values: [{ kennzahlId: 'erreichte', value: 163, comment: null }],
    quantities: [{ quantityId: 'beratungen', delivered: 170 }],
    comment: null,
    ...over,
  });

  it('accepts a report in time, fulfils the duty and notes a quantity shortfall', () => {
    const due = run(concluded(), { type: 'AdvanceClock', data: { today: '2024-01-02' }, metadata: at('2024-01-02') });
    const r = run(due.events, { type: 'SubmitReport', data: report(), metadata: at('2024-03-01') });
    const [submitted, fulfilled] = r.events.slice(due.events.length);
    expect(submitted).toMatchObject({ type: 'TraegerReportSubmitted', data: { revision: 1, quantities: [{ quantityId: 'beratungen', delivered: 170, agreed: 200 }] } });
    expect(submitted?.type === 'TraegerReportSubmitted' && submitted.data.findings.map((f) => f.code)).toEqual(['quantity-shortfall']);
    expect(fulfilled).toMatchObject({ type: 'ReportingObligationFulfilled', data: { dueDate: '2024-03-30', submittedOn: '2024-03-01', late: false } });
    // A resubmission supersedes (revision 2) without fulfilling twice.
    const again = run(r.events, { type: 'SubmitReport', data: report(), metadata: at('2024-03-05') });
    expect(again.events.slice(r.events.length).map((e) => e.type)).toEqual(['TraegerReportSubmitted']);
    expect(again.state.reports['jahresbericht|2023-01-01']?.revision).toBe(2);
  });

  it('marks a late report as late', () => {
    const r = run(concluded(), { type: 'SubmitReport', data: report(), metadata: at('2024-05-01') });
    expect(r.events.at(-1)).toMatchObject({ type: 'ReportingObligationFulfilled', data: { late: true } });
  });

  it('refuses an implausible or incomplete report with every reason, and reports before the period ended', () => {
    const error = refusal(() => run(concluded(), { type: 'SubmitReport', data: report({ values: [{ kennzahlId: 'erreichte', value: 9000, comment: null }, { kennzahlId: 'fremd', value: 1, comment: null }], quantities: [] }), metadata: at('2024-03-01') }));
    const messages = error.issues.map((i) => i.message);
    expect(messages).toEqual([
      '„Erreichte Angehörige“: 9000 liegt über dem plausiblen Maximum 5000.',
      'Die Kennzahl „fremd“ ist im Vertrag nicht vereinbart; vereinbart: erreichte.',
      'Die Leistungsmenge „Beratungsfälle“ (beratungen) gehört zum Bericht „Jahresbericht“ und fehlt.',
    ]);
    const early = refusal(() => run(concluded(), { type: 'SubmitReport', data: report({ period: { start: '2024-01-01', end: '2024-12-31' } }), metadata: at('2024-06-01') }));
    expect(early.issues[0]?.message).toBe('Der Berichtszeitraum endet erst am 31.12.2024; berichtet wird danach.');
    const wrongPeriod = refusal(() => run(concluded(), { type: 'SubmitReport', data: report({ period: { start: '2023-01-01', end: '2023-06-30' } }), metadata: at('2024-03-01') }));
    expect(wrongPeriod.issues[0]?.message).toContain('ist kein Berichtszeitraum');
  });

  it('prorates agreed quantities to the reporting period', () => {
    const q = { quantityId: 'p', kind: 'PLAETZE' as const, label: 'Plätze', amount: 120, per: 'JAHR' as const };
    expect(agreedForPeriod(q, { kind: 'ZEITRAUM', start: '2024-01-01', end: '2024-03-31' }, { start: '2024-01-01', end: null })).toBe(30);
    expect(agreedForPeriod({ ...q, per: 'LAUFZEIT' }, { kind: 'ZEITRAUM', start: '2024-01-01', end: '2024-12-31' }, { start: '2024-01-01', end: '2025-12-31' })).toBeCloseTo(60.08, 1);
  });
});
