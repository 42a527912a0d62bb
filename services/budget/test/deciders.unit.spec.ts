/**
 * The deciders as given(events).when(command).then(events), without mocks.
 */
import { decideCommitment } from '../src/commitments/decide';
import { evolveCommitment, initialCommitmentState, type CommitmentEvent } from '../src/commitments/model';
import { type BudgetRefusal } from '../src/domain/errors';
import type { BudgetAppropriatedData, BudgetReallocatedData, DeviationDetectedData, ProductDefinedData } from '../src/integration-events';
import { decideStructure } from '../src/structure/decide';
import { evolveStructure, initialStructureState, productDefinition, type StructureEvent } from '../src/structure/model';
import { decideYear } from '../src/years/decide';
import { evolveYear, initialYearState, type YearEvent } from '../src/years/model';

const product = (overrides: Partial<ProductDefinedData> = {}): ProductDefinedData => ({
  productCode: '060301',
  name: 'Hilfen zur Erziehung',
  productArea: '06',
  productGroup: '0603',
  budgetUnit: 'TH 5',
  responsible: 'user-jugendamt',
  costCentres: [],
  prevention: 'NACHSORGEND',
  approach: 'INDIVIDUELL',
  goalIds: ['a6c3e8f1-4b2d-4a7e-9c5f-3e1d8b6a2f70'],
  kennzahlVariables: ['aufwand_hze'],
  validFromYear: null,
  ...overrides,
});

const ref = (productCode: string, costCentre: string | null = null) => ({ productArea: productCode.slice(0, 2), productGroup: productCode.slice(0, 4), productCode, costCentre, account: '533100', accountKind: 'AUFWAND' as const });
const rat = { body: 'Rat der Stadt', reference: 'V/0123/2024', decidedOn: '2024-03-14' };

describe('budget structure', () => {
  const given = (...events: StructureEvent[]) => events.reduce(evolveStructure, initialStructureState());

  it('defines a Produkt with classification and goals', () => {
    expect(decideStructure({ type: 'DefineProduct', data: product() }, given())).toEqual([{ type: 'ProductDefined', data: product() }]);
  });

  it('changes nothing when the same definition comes again', () => {
    expect(decideStructure({ type: 'DefineProduct', data: product() }, given({ type: 'ProductDefined', data: product() }))).toEqual([]);
  });

  it('refuses a Produkt outside its Produktgruppe', () => {
    expect(() => decideStructure({ type: 'DefineProduct', data: product({ productCode: '050101' }) }, given())).toThrow('Das Produkt 050101 gehört nicht zur Produktgruppe 0603: seine Nummer beginnt mit der Produktgruppe.');
  });

  it('keeps a reclassification from rewriting earlier years', () => {
    const state = given({ type: 'ProductDefined', data: product() }, { type: 'ProductDefined', data: product({ prevention: 'PRAEVENTIV', validFromYear: 2025 }) });
    expect(productDefinition(state, '060301', 2024)!.prevention).toBe('NACHSORGEND');
    expect(productDefinition(state, '060301', 2025)!.prevention).toBe('PRAEVENTIV');
  });

  it('refuses two rules for one level', () => {
    const rule = { level: 'PRODUKT' as const, absoluteThresholdCents: 1, relativeThreshold: 0, onlyUnfavourable: false };
    expect(() => decideStructure({ type: 'SetDeviationRules', rules: [rule, rule] }, given())).toThrow('Für die Ebene Produkt ist mehr als eine Regel angegeben.');
  });
});

describe('budget year', () => {
  const given = (...events: YearEvent[]) => events.reduce(evolveYear, initialYearState());
  const ansatz: BudgetAppropriatedData = { budgetYear: 2025, kind: 'ANSATZ', decision: rat, lines: [{ ...ref('060301'), amountCents: 1_000_000_00, prevention: 'NICHT_ZUGEORDNET', approach: 'NICHT_ZUGEORDNET' }] };
  const reallocation: BudgetReallocatedData = { reallocationId: 'u-1', budgetYear: 2025, from: ref('060301'), to: ref('060201'), amountCents: 200_000_00, reason: 'Prävention vor Intervention', decision: rat };

  it('adopts an Ansatz', () => {
    expect(decideYear({ type: 'Appropriate', data: ansatz, ansatzExists: false }, given())).toEqual([{ type: 'BudgetAppropriated', data: ansatz }]);
  });

  it('refuses a Nachtrag before there is an Ansatz', () => {
    expect(() => decideYear({ type: 'Appropriate', data: { ...ansatz, kind: 'NACHTRAG' }, ansatzExists: false }, given())).toThrow('Ein Nachtrag für 2025 setzt einen Ansatz voraus; für 2025 ist noch keiner veranschlagt.');
  });

  it('reallocates within what is still available, with reason and Beschluss', () => {
    expect(decideYear({ type: 'Reallocate', data: reallocation, availableOnFromLine: 1_000_000_00 }, given())).toEqual([{ type: 'BudgetReallocated', data: reallocation }]);
  });

  it('refuses to reallocate more than is available', () => {
    const error = (() => {
      try {
        decideYear({ type: 'Reallocate', data: reallocation, availableOnFromLine: 150_000_00 }, given());
      } catch (e) {
        return e as BudgetRefusal;
      }
      return undefined;
    })();
    expect(error?.kind).toBe('conflict');
    expect(error?.message).toBe('Umschichtung: auf Produkt 060301, Konto 533100 (Aufwand) sind nur 150.000,00 € verfügbar (fortgeschriebener Ansatz abzüglich Ist und Obligo), umgeschichtet werden sollen 200.000,00 €.');
  });

  it('changes nothing when the same reallocation comes again', () => {
    expect(decideYear({ type: 'Reallocate', data: reallocation, availableOnFromLine: 0 }, given({ type: 'BudgetReallocated', data: reallocation }))).toEqual([]);
  });

  it('carries forward only what the previous year left unused', () => {
    const data = { transferId: 't-1', budgetYear: 2025, fromYear: 2024, reason: null, decision: null, lines: ansatz.lines };
    expect(() => decideYear({ type: 'CarryForward', data, availableInFromYear: new Map() }, given())).toThrow(/nicht verbrauchte Ermächtigung \(0,00 €/);
    expect(decideYear({ type: 'CarryForward', data, availableInFromYear: new Map([['060301||533100|AUFWAND', 2_000_000_00]]) }, given())).toHaveLength(1);
  });

  const deviation: DeviationDetectedData = {
    budgetYear: 2025,
    cutOffDate: '2025-06-30',
    level: 'PRODUKT',
    code: '060301',
    name: 'HzE',
    accountKind: 'AUFWAND',
    plannedCents: 1_000_000_00,
    actualToDateCents: 600_000_00,
    forecastCents: 1_200_000_00,
    deviationCents: 200_000_00,
    deviationRatio: 0.2,
    unfavourable: true,
    absoluteThresholdCents: 50_000_00,
    relativeThreshold: 0.05,
  };
  const forecast = { budgetYear: 2025, cutOffDate: '2025-06-30', lines: [] };

  it('records a deviation once per cut-off date while its figures stay the same', () => {
    const first = decideYear({ type: 'RecordDeviationCheck', forecast, deviations: [deviation] }, given());
    expect(first.map((e) => e.type)).toEqual(['ForecastComputed', 'DeviationDetected']);
    expect(decideYear({ type: 'RecordDeviationCheck', forecast, deviations: [deviation] }, given(...first))).toEqual([]);
    expect(decideYear({ type: 'RecordDeviationCheck', forecast, deviations: [{ ...deviation, forecastCents: 1_300_000_00 }] }, given(...first)).map((e) => e.type)).toEqual(['DeviationDetected']);
  });

  it('takes comments only on detected deviations', () => {
    const comment = { budgetYear: 2025, cutOffDate: '2025-06-30', level: 'PRODUKT' as const, code: '060301', accountKind: 'AUFWAND' as const, comment: 'Mehr Fälle § 34', measures: null, author: 'user-jugendamt' };
    expect(() => decideYear({ type: 'CommentDeviation', data: comment }, given())).toThrow('Für Produkt 060301 (Aufwand) ist zum Stichtag 2025-06-30 keine Abweichung festgestellt; kommentiert werden festgestellte Abweichungen.');
    expect(decideYear({ type: 'CommentDeviation', data: comment }, given({ type: 'DeviationDetected', data: deviation }))).toEqual([{ type: 'DeviationCommented', data: comment }]);
  });
});

describe('commitments', () => {
  const given = (...events: CommitmentEvent[]) => events.reduce(evolveCommitment, initialCommitmentState());
  const financing = { annualAmountCents: 120_000_00, productCode: '060201', productArea: '06', productGroup: '0602', costCentre: '5100', account: '531800' };
  const v1 = { version: 1, effectiveFrom: '2025-07-01', termStart: '2025-07-01', termEnd: '2027-06-30', financing };

  it('commits a grant pro rata for every year of its term', () => {
    const events = decideCommitment({ type: 'NoteContractTerms', contractId: 'c1', description: 'Jugendtreff', version: v1, terminatedOn: null }, given());
    const recorded = events.find((e) => e.type === 'CommitmentRecorded')!;
    expect(recorded.data).toMatchObject({ commitmentId: 'contract-c1', source: 'VERTRAG', revision: 1 });
    expect((recorded.data as { lines: Array<{ budgetYear: number; amountCents: number }> }).lines.map((l) => [l.budgetYear, l.amountCents])).toEqual([
      [2025, 60_493_15],
      [2026, 120_000_00],
      [2027, 59_506_85],
    ]);
  });

  it('follows an amendment from its effectiveFrom and a termination after its last day', () => {
    const first = decideCommitment({ type: 'NoteContractTerms', contractId: 'c1', description: 'Jugendtreff', version: v1, terminatedOn: null }, given());
    const amended = decideCommitment({ type: 'NoteContractTerms', contractId: 'c1', description: 'Jugendtreff', version: { ...v1, version: 2, effectiveFrom: '2026-01-01', financing: { ...financing, annualAmountCents: 150_000_00 } }, terminatedOn: null }, given(...first));
    const lines2 = (amended.find((e) => e.type === 'CommitmentRecorded')!.data as { lines: Array<{ budgetYear: number; amountCents: number }> }).lines;
    expect(lines2.map((l) => [l.budgetYear, l.amountCents])).toEqual([
      [2025, 60_493_15],
      [2026, 150_000_00],
      [2027, 74_383_56],
    ]);
    const ended = decideCommitment({ type: 'NoteContractTerms', contractId: 'c1', description: 'Jugendtreff', version: null, terminatedOn: '2026-12-31' }, given(...first, ...amended));
    const lines3 = (ended.find((e) => e.type === 'CommitmentRecorded')!.data as { lines: Array<{ budgetYear: number }>; revision: number });
    expect(lines3.lines.map((l) => l.budgetYear)).toEqual([2025, 2026]);
    expect(lines3.revision).toBe(3);
  });

  it('changes nothing when the same contract version is noted again', () => {
    const first = decideCommitment({ type: 'NoteContractTerms', contractId: 'c1', description: 'Jugendtreff', version: v1, terminatedOn: null }, given());
    expect(decideCommitment({ type: 'NoteContractTerms', contractId: 'c1', description: 'Jugendtreff', version: v1, terminatedOn: null }, given(...first))).toEqual([]);
  });
});
