/**
 * A Controller's year on the real embedded engines: the structure, the plan from a wide file
 * (Ansatz and Finanzplanung), three years of Ist and half a year of the current one from monthly
 * postings, Nachtrag, Übertragung, Umschichtung, Obligo from a contract of the goals service,
 * the Hochrechnung and the deviations of the quarterly report with the responsible person's
 * comment, the preventive share over the years, and the financial Kennzahlen as observations.
 */
import { createCodec, outboxMapper, type IntegrationEvent } from '@lagebild/contracts';
import { handleBudgetRecords } from '../src/consumer';
import { figuresOf } from '../src/domain/lines';
import type { ProductDefinedData } from '../src/integration-events';
import { AUFWAND, GOETTINGEN, HZE_GOAL, PLAN_PROFILE, planCsv, POSTINGS_PROFILE, postingsCsv, PRODUCTS } from './support/goettingen';
import { openHarness, type Harness } from './support/harness';

let h: Harness;
const controlling = { tenant: GOETTINGEN, subject: 'user-controlling' };
const codec = createCodec();
const rat = { body: 'Rat der Stadt Göttingen', reference: 'DS 2025/0815', decidedOn: '2025-05-20' };
const CONTRACT = '5e8a2c4f-7d1b-4e9a-b2c6-8f3d5a7e1c04';

const unit = async (year: number, month: number, level: string, code: string, kind = 'AUFWAND') => (await h.service.planActual(GOETTINGEN, year, month)).find((u) => u.level === level && u.code === code && u.accountKind === kind)!;
const line = async (year: number, productCode: string, account: string) => {
  const l = (await h.service.lines(GOETTINGEN, year)).find((x) => x.productCode === productCode && x.account === account)!;
  return figuresOf(l);
};

function contractEvent(type: 'ContractConcluded' | 'ContractTerminated', data: unknown, index: number): Buffer {
  const event = {
    type,
    data,
    envelope: {
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      tenant: GOETTINGEN,
      stream: `contract-${CONTRACT}`,
      version: index,
      occurredAt: '2025-01-10T09:00:00.000Z',
      recordedAt: '2025-01-10T09:00:00.250Z',
      actor: 'user-sozialplanung',
      correlationId: `11111111-1111-4111-8111-${String(index).padStart(12, '0')}`,
      causationId: null,
      traceparent: null,
    },
  } as IntegrationEvent;
  return codec.encode(event);
}

const concluded = {
  contractId: CONTRACT,
  version: 1,
  kind: 'ZUWENDUNG',
  title: 'Frühe Hilfen im Stadtteil Grone',
  reference: 'JA-51/2024',
  principalUnit: 'Fachbereich Jugend',
  traegerId: '9c1e3a5f-2b7d-4f8e-a4c2-6d8f0b2e4a63',
  partnerTenant: null,
  partnerUnit: null,
  termStart: '2025-01-01',
  termEnd: '2026-12-31',
  legalBasis: '§ 16 SGB VIII',
  service: 'Frühe Hilfen',
  productCode: '060501',
  targetGroup: 'Familien mit Kindern unter 3 Jahren',
  spatialScope: null,
  quantities: [],
  financing: { mode: 'ZUWENDUNG', annualAmountCents: 240_000_00, unitPriceCents: null, priceQuantityId: null, grantType: 'Festbetrag', productCode: '060501', costCentre: null, account: '531800' },
  qualityStandards: [],
  kennzahlen: [],
  reportingDuties: [],
  reviewDates: [],
  goalIds: [HZE_GOAL],
  prevention: 'PRAEVENTIV',
  approach: 'INDIVIDUELL',
  decision: null,
};

beforeAll(async () => {
  h = await openHarness();
  for (const p of PRODUCTS) {
    const data: ProductDefinedData = { budgetUnit: null, responsible: null, costCentres: [], validFromYear: null, ...p, goalIds: [...p.goalIds], kennzahlVariables: [...p.kennzahlVariables] };
    await h.service.defineProduct(controlling, data);
  }
  const now = new Date('2025-07-01T08:00:00Z');
  await h.service.profiles.save('goettingen-buchungen', POSTINGS_PROFILE as never, { tenant: GOETTINGEN, actor: 'user-controlling', now });
  await h.service.profiles.save('goettingen-plan', PLAN_PROFILE as never, { tenant: GOETTINGEN, actor: 'user-controlling', now });
  const history = await h.service.importFile({ tenant: GOETTINGEN, profileId: 'goettingen-buchungen', filePath: await h.file('buchungen_2022_2024.csv', postingsCsv([2022, 2023, 2024])), actor: 'user-controlling' });
  expect(history.view.status).toBe('angenommen');
  const plan = await h.service.importFile({ tenant: GOETTINGEN, profileId: 'goettingen-plan', filePath: await h.file('haushaltsplan_2025.csv', planCsv()), actor: 'user-controlling' });
  expect(plan.view.status).toBe('angenommen');
  // The first half of 2025: Hilfen zur Erziehung run 20 % above the previous year's pace.
  const half = await h.service.importFile({
    tenant: GOETTINGEN,
    profileId: 'goettingen-buchungen',
    filePath: await h.file('buchungen_2025_h1.csv', postingsCsv([2025], { ...AUFWAND, '060301': { 2025: 14_400_000 }, '060201': { 2025: 3_000_000 }, '060501': { 2025: 2_400_000 }, '050101': { 2025: 21_000_000 } }, 6)),
    actor: 'user-controlling',
  });
  expect(half.view.status).toBe('angenommen');
}, 60_000);
afterAll(() => h.close());

describe('value kinds', () => {
  it('reads Ansatz and the Finanzplanung years from the wide plan file', async () => {
    expect(await line(2025, '060301', '533100')).toMatchObject({ ansatzCents: 12_000_000_00, plannedCents: 12_000_000_00 });
    expect(await line(2026, '060301', '533100')).toMatchObject({ planungCents: 11_500_000_00, ansatzCents: null });
    expect(await line(2027, '050101', '414100')).toMatchObject({ planungCents: 20_500_000_00 });
  });

  it('sums the Ist of the postings per month, with Erträge turned positive', async () => {
    const hze = await line(2025, '060301', '533100');
    expect(hze.actualCents).toBe(7_200_000_00);
    expect(hze.actualMonths.slice(0, 7)).toEqual([1_200_000_00, 1_200_000_00, 1_200_000_00, 1_200_000_00, 1_200_000_00, 1_200_000_00, 0]);
    expect((await line(2024, '050101', '414100')).actualCents).toBe(19_200_000_00);
  });

  it('skips postings an earlier import recorded, when a cumulative export comes again', async () => {
    const again = await h.service.importFile({ tenant: GOETTINGEN, profileId: 'goettingen-buchungen', filePath: await h.file('buchungen_2024_nochmal.csv', postingsCsv([2024])), actor: 'user-controlling' });
    expect(again.view).toMatchObject({ status: 'angenommen', postingCount: 0, skippedPostingCount: 60 });
    expect((await line(2024, '060301', '533100')).actualCents).toBe(10_800_000_00);
  });

  it('replaces the Ansatz by a Nachtrag and adds Übertragung and Umschichtung to the fortgeschriebener Ansatz', async () => {
    await h.service.appropriate(controlling, { budgetYear: 2025, kind: 'NACHTRAG', decision: rat, lines: [{ productArea: '05', productGroup: '0501', productCode: '050101', costCentre: null, account: '533100', accountKind: 'AUFWAND', amountCents: 21_600_000_00, prevention: 'NICHT_ZUGEORDNET', approach: 'NICHT_ZUGEORDNET' }] });
    // 2024 left 0 € of the Jugendarbeit unused: nothing to carry forward; Frühe Hilfen had no Ansatz at all.
    await expect(
      h.service.carryForward(controlling, { transferId: 'ue-2025-1', budgetYear: 2025, fromYear: 2024, reason: 'Maßnahme begonnen', decision: null, lines: [{ productArea: '06', productGroup: '0602', productCode: '060201', costCentre: null, account: '531800', accountKind: 'AUFWAND', amountCents: 50_000_00, prevention: 'NICHT_ZUGEORDNET', approach: 'NICHT_ZUGEORDNET' }] }),
    ).rejects.toThrow(/nicht verbrauchte Ermächtigung/);
    await h.service.appropriate(controlling, { budgetYear: 2024, kind: 'ANSATZ', decision: null, lines: [{ productArea: '06', productGroup: '0602', productCode: '060201', costCentre: null, account: '531800', accountKind: 'AUFWAND', amountCents: 3_100_000_00, prevention: 'NICHT_ZUGEORDNET', approach: 'NICHT_ZUGEORDNET' }] });
    await h.service.carryForward(controlling, { transferId: 'ue-2025-1', budgetYear: 2025, fromYear: 2024, reason: 'Maßnahme begonnen', decision: null, lines: [{ productArea: '06', productGroup: '0602', productCode: '060201', costCentre: null, account: '531800', accountKind: 'AUFWAND', amountCents: 50_000_00, prevention: 'NICHT_ZUGEORDNET', approach: 'NICHT_ZUGEORDNET' }] });
    await h.service.reallocate(controlling, {
      reallocationId: 'um-2025-1',
      budgetYear: 2025,
      from: { productArea: '06', productGroup: '0603', productCode: '060301', costCentre: null, account: '533100', accountKind: 'AUFWAND' },
      to: { productArea: '06', productGroup: '0605', productCode: '060501', costCentre: null, account: '531800', accountKind: 'AUFWAND' },
      amountCents: 500_000_00,
      reason: 'Prävention vor Intervention: Ausbau Frühe Hilfen',
      decision: rat,
    });
    expect(await line(2025, '050101', '533100')).toMatchObject({ ansatzCents: 21_000_000_00, nachtragCents: 21_600_000_00, adoptedCents: 21_600_000_00, plannedCents: 21_600_000_00 });
    expect(await line(2025, '060201', '531800')).toMatchObject({ transferCents: 50_000_00, plannedCents: 3_050_000_00 });
    expect(await line(2025, '060301', '533100')).toMatchObject({ reallocationCents: -500_000_00, plannedCents: 11_500_000_00 });
    expect(await line(2025, '060501', '531800')).toMatchObject({ reallocationCents: 500_000_00, plannedCents: 2_500_000_00 });
  });

  it('commits the grant of a contract as Obligo, and releases the later year when it is terminated', async () => {
    await handleBudgetRecords(h.service, codec, [{ value: contractEvent('ContractConcluded', concluded, 1) }]);
    // Delivered twice (at-least-once): nothing changes.
    await handleBudgetRecords(h.service, codec, [{ value: contractEvent('ContractConcluded', concluded, 1) }]);
    expect((await line(2025, '060501', '531800')).commitmentCents).toBe(240_000_00);
    expect((await line(2026, '060501', '531800')).commitmentCents).toBe(240_000_00);
    const state = await h.service.commitment(GOETTINGEN, `contract-${CONTRACT}`);
    expect(state.revision).toBe(1);
    await handleBudgetRecords(h.service, codec, [{ value: contractEvent('ContractTerminated', { contractId: CONTRACT, effectiveOn: '2025-12-31', kind: 'ORDENTLICH', reason: 'Förderung endet' }, 2) }]);
    expect((await line(2025, '060501', '531800')).commitmentCents).toBe(240_000_00);
    expect((await line(2026, '060501', '531800')).commitmentCents).toBe(0);
  });
});

describe('Hochrechnung and deviations', () => {
  it('forecasts Hilfen zur Erziehung from the seasonal profile of 2022-2024', async () => {
    const hze = await unit(2025, 6, 'PRODUKT', '060301');
    expect(hze.forecast).toMatchObject({ method: 'SAISONPROFIL', basisYears: [2024, 2023, 2022], share: 0.5 });
    expect(hze).toMatchObject({ plannedCents: 11_500_000_00, actualToDateCents: 7_200_000_00, forecastCents: 14_400_000_00, deviationCents: 2_900_000_00, unfavourable: true });
  });

  it('detects the deviation of the Produkt and of its Produktbereich, records it once, and takes the comment of the responsible person', async () => {
    const checked = await h.service.checkDeviations(controlling, 2025, 6);
    expect(checked.detected.map((d) => `${d.level} ${d.code} ${d.accountKind}`)).toEqual(expect.arrayContaining(['PRODUKT 060301 AUFWAND', 'PRODUKTGRUPPE 0603 AUFWAND', 'PRODUKTBEREICH 06 AUFWAND']));
    expect(checked.detected.some((d) => d.code === '060201')).toBe(false);
    expect(checked.recorded).toBe(checked.detected.length);
    expect((await h.service.checkDeviations(controlling, 2025, 6)).recorded).toBe(0);
    await h.service.commentDeviation({ tenant: GOETTINGEN, subject: 'user-jugendamt' }, { budgetYear: 2025, cutOffDate: '2025-06-30', level: 'PRODUKT', code: '060301', accountKind: 'AUFWAND', comment: 'Mehr stationäre Unterbringungen nach § 34 SGB VIII.', measures: 'Fallkonferenzen, Ausbau ambulanter Hilfen' });
    const report = await h.service.abweichungsbericht(GOETTINGEN, 2025, 6);
    const row = report.rows.find((r) => r.level === 'PRODUKT' && r.code === '060301' && r.accountKind === 'AUFWAND')!;
    expect(report.cutOffDate).toBe('2025-06-30');
    expect(row).toMatchObject({ name: 'Hilfen zur Erziehung', plannedCents: 11_500_000_00, actualToDateCents: 7_200_000_00, forecastCents: 14_400_000_00, flagged: true, detected: true, responsible: 'user-jugendamt', goalIds: [HZE_GOAL] });
    expect(row.comment).toEqual({ text: 'Mehr stationäre Unterbringungen nach § 34 SGB VIII.', measures: 'Fallkonferenzen, Ausbau ambulanter Hilfen', author: 'user-jugendamt' });
  });

  it('applies the tenant\'s own thresholds per level', async () => {
    await h.service.setRules(controlling, [{ level: 'PRODUKT', absoluteThresholdCents: 5_000_000_00, relativeThreshold: 0.05, onlyUnfavourable: true }]);
    const report = await h.service.abweichungsbericht(GOETTINGEN, 2025, 6);
    expect(report.rows.filter((r) => r.flagged).map((r) => [r.level, r.code, r.accountKind, r.deviationCents])).toEqual([]);
    await h.service.setRules(controlling, [{ level: 'PRODUKT', absoluteThresholdCents: 1_000_000_00, relativeThreshold: 0.2, onlyUnfavourable: true }]);
    expect((await h.service.abweichungsbericht(GOETTINGEN, 2025, 6)).rows.filter((r) => r.flagged).map((r) => r.code)).toEqual(['060301']);
  });
});

describe('preventive share over the years', () => {
  it('computes the Präventionsanteil per year and its change in percentage points', async () => {
    const years = await h.service.preventiveShare(GOETTINGEN);
    const byYear = Object.fromEntries(years.map((y) => [y.year, y]));
    // 2022: präventiv 3 + 1,2 Mio. €, Einzelfallhilfe 12 + 19,2 Mio. €
    expect(byYear[2022]!.basis).toBe('IST');
    expect(byYear[2022]!.byPrevention.PRAEVENTIV).toBe(4_200_000_00);
    expect(byYear[2022]!.einzelfallhilfeCents).toBe(31_200_000_00);
    expect(byYear[2022]!.praeventionsanteil).toBeCloseTo(4.2 / 35.4, 10);
    expect(byYear[2023]!.praeventionsanteil).toBeCloseTo(4.8 / 36, 10);
    expect(byYear[2024]!.praeventionsanteil).toBeCloseTo(5.4 / 35.4, 10);
    // 11,86 % -> 13,33 % -> 15,25 %
    expect(byYear[2023]!.changePoints).toBe(1.47);
    expect(byYear[2024]!.changePoints).toBe(1.92);
    // 2026 and 2027 are plan years: the share of the Finanzplanung.
    expect(byYear[2027]!.basis).toBe('ANSATZ');
    expect(byYear[2027]!.praeventionsanteil).toBeCloseTo(6.2 / (6.2 + 11 + 22), 10);
  });

  it('keeps earlier years when a Produkt is reclassified from a later year on', async () => {
    const hze = PRODUCTS.find((p) => p.productCode === '060301')!;
    await h.service.defineProduct(controlling, { budgetUnit: null, costCentres: [], ...hze, goalIds: [HZE_GOAL], kennzahlVariables: ['aufwand_hze'], prevention: 'PRAEVENTIV', validFromYear: 2027 });
    const byYear = Object.fromEntries((await h.service.preventiveShare(GOETTINGEN)).map((y) => [y.year, y]));
    expect(byYear[2022]!.praeventionsanteil).toBeCloseTo(4.2 / 35.4, 10);
    expect(byYear[2027]!.byPrevention.PRAEVENTIV).toBe(17_200_000_00);
  });
});

describe('links', () => {
  it('finds the Produkte that serve a goal, with their money', async () => {
    const s = await h.service.structure(GOETTINGEN);
    const serving = [...s.products.values()].filter((defs) => defs[defs.length - 1]!.goalIds.includes(HZE_GOAL)).map((defs) => defs[0]!.productCode);
    expect(serving.sort()).toEqual(['060301', '060501']);
  });
});

describe('financial Kennzahlen', () => {
  it('publishes them as observations of the ingestion contract, which the outbox puts on lagebild.ingestion', async () => {
    await h.service.noteSchemeVersion('gemeindeverzeichnis', 1);
    const published = await h.service.publishKennzahlen(controlling, 2024);
    expect(published.duplicate).toBe(false);
    expect((await h.service.publishKennzahlen(controlling, 2024)).duplicate).toBe(true);
    const events = await h.eventStore.readStream(`budget-kennzahlen-${published.deliveryId}`);
    expect(events.map((e) => e.type)).toEqual(['ObservationsRecorded', 'DeliveryAccepted']);
    const batch = events[0]!.data as { observations: Array<{ variable: string; dimensions: Record<string, string>; value: number; areaCode: string }> };
    const value = (variable: string, dimensions: Record<string, string> = {}) => batch.observations.find((o) => o.variable === variable && JSON.stringify(o.dimensions) === JSON.stringify(dimensions))?.value;
    expect(value('aufwand')).toBe(35_400_000);
    expect(value('aufwand_gesamt')).toBe(35_400_000);
    expect(value('aufwand', { produktgruppe: '0603' })).toBe(10_800_000);
    expect(value('ertrag', { produktbereich: '05' })).toBe(19_200_000);
    expect(value('aufwand_praevention')).toBe(5_400_000);
    expect(value('aufwand_einzelfallhilfe')).toBe(30_000_000);
    expect(value('aufwand_hze')).toBe(10_800_000);
    expect(batch.observations.every((o) => o.areaCode === GOETTINGEN)).toBe(true);
    const toRecord = outboxMapper(codec);
    for (const e of events) {
      const mapped = toRecord({ ...e, metadata: e.metadata })!;
      expect(mapped.topic).toBe('lagebild.ingestion');
      expect(codec.decode(mapped.record.value).type).toBe(e.type);
    }
  });

  it('puts the budget events on lagebild.budget in their Avro form', async () => {
    const toRecord = outboxMapper(codec);
    const all = await h.eventStore.readAll({ maxCount: 10_000 });
    const budgetTypes = new Set(['ProductDefined', 'BudgetAppropriated', 'ActualPosted', 'BudgetCarriedForward', 'BudgetReallocated', 'CommitmentRecorded', 'ForecastComputed', 'DeviationDetected', 'DeviationCommented']);
    const seen = new Set<string>();
    for (const e of all.filter((x) => budgetTypes.has(x.type))) {
      const mapped = toRecord(e)!;
      expect(mapped.topic).toBe('lagebild.budget');
      seen.add(codec.decode(mapped.record.value).type);
    }
    expect([...seen].sort()).toEqual([...budgetTypes].sort());
    // Private events stay inside the service.
    expect(all.filter((x) => x.type === 'BudgetImportAccepted').map((e) => toRecord(e))).toEqual(expect.arrayContaining([undefined]));
  });
});
