/**
 * Bamberg end to end: the Sozialreferat's goal system (scenarios/bamberg.yaml) is imported into
 * a fresh embedded store, then the real INKAR files are delivered for the Stadt Bamberg (09461)
 * through the ingestion, the indicators module computes the Arbeitslosendichte per year, and the
 * goals module receives the values as the indicators publish them and judges the targets.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { queryObservations } from '@lagebild/ingestion';
import type { AttainmentData } from '@lagebild/goals';
import { importGoalSystem, type ImportSummary } from '@lagebild/goals';
import { entryId, targetId } from '@lagebild/goals';
import { COLLECTIONS, listByTenant, type ContractView, type GoalView, type MeasureView, type TraegerView } from '@lagebild/goals';
import { GERMANY, openPipeline, type Pipeline, SCENARIOS } from './pipeline';

const TENANT = '09461';
const BAMBERG = '09461000';
const NOW = new Date('2026-01-15T10:00:00.000Z');
const actor = { subject: 'user:sozialplanung-bamberg' };
const id = (key: string) => entryId(TENANT, 'ziel', key);

let p: Pipeline;
let text: string;
let first: ImportSummary;

async function importScenario(): Promise<ImportSummary> {
  return importGoalSystem(p.goals.ctx, { fileName: 'bamberg.yaml', text, actor });
}

beforeAll(async () => {
  text = await readFile(path.join(SCENARIOS, 'bamberg.yaml'), 'utf8');
  p = await openPipeline(NOW);
  // The goal system first (the catalogue is known from the indicators' seed), the data after.
  first = await importScenario();
  await p.loadGemeindeverzeichnis();
  expect(await p.deliver(path.join(GERMANY, 'inkar_arbeitslose_gemeinden_1998_2021.xls'), 'inkar-arbeitslose-gemeinden', TENANT)).toBe('angenommen');
  expect(await p.deliver(path.join(GERMANY, 'inkar_erwerbsfaehige_gemeinden_2001_2021.xls'), 'inkar-erwerbsfaehige-gemeinden', TENANT)).toBe('angenommen');
}, 120_000);

afterAll(async () => {
  await p?.close();
});

const goals = () => listByTenant<GoalView>(p.documents, COLLECTIONS.goals, TENANT);

/** Arbeitslosendichte of the Stadt Bamberg per year, recomputed from the delivered observations. */
async function rateFromObservations(): Promise<Map<string, number>> {
  const byYear = async (variable: string) => {
    const rows = await queryObservations(p.documents, { tenant: TENANT, datasetId: 'inkar-arbeitsmarkt-gemeinden', schemeId: 'gemeindeverzeichnis', variable, areaCode: BAMBERG });
    return new Map(rows.filter((o) => o.value !== null).map((o) => [o.period.end, o.value!]));
  };
  const unemployed = await byYear('arbeitslose');
  const working = await byYear('erwerbsfaehige_15_bis_unter_65');
  return new Map([...unemployed].filter(([end]) => working.has(end)).map(([end, a]) => [end, (a / working.get(end)!) * 100]));
}

async function verdicts(goalKey: string, targetKey: string): Promise<AttainmentData[]> {
  const docs = await p.documents.scan<AttainmentData>(COLLECTIONS.attainment, { prefix: `${TENANT}|${id(goalKey)}|${targetId(TENANT, goalKey, targetKey)}|` });
  return docs.map((d) => d.doc).sort((a, b) => a.period.end.localeCompare(b.period.end));
}

describe('Bamberg: the strategic goals of the Sozialreferat, measured on the real Arbeitslosendichte', () => {
  it('imports the scenario as a whole', () => {
    expect(first).toMatchObject({ accepted: true, tenant: TENANT, goals: { created: 13 }, targets: { created: 2 }, measures: { created: 4 }, traeger: { created: 1 }, contracts: { created: 1 } });
  });

  it('holds the five strategic goals as published, resting on the Stadtrat’s Beschluss of 26.09.2018, with their strategies', async () => {
    const strategic = (await goals()).filter((g) => g.level === 'STRATEGISCHES_ZIEL');
    expect(strategic.map((g) => g.title).sort()).toEqual(['Der Mensch im Mittelpunkt', 'Prävention stärken', 'Teilhabe für Alle', 'Wir stellen uns der Zukunft', 'Wirkungen erzielen']);
    for (const g of strategic) {
      expect(g).toMatchObject({ parentGoalId: null, responsibleUnit: 'Sozialreferat', decision: { body: 'Stadtrat', reference: 'VO/2018/1878-R5', decidedOn: '2018-09-26' } });
      expect(g.description).toMatch(/\n\nStrategien:\n- /);
    }
    expect(strategic.find((g) => g.title === 'Prävention stärken')!.description).toContain('- Eine kommunale Präventionskette.');
  });

  it('derives operational goals from them, down to a Teilziel measured in the Gemeinde Bamberg', async () => {
    const all = await goals();
    const byId = new Map(all.map((g) => [g.goalId, g]));
    const chain = (key: string) => {
      const out: string[] = [];
      for (let g = byId.get(id(key)); g; g = g.parentGoalId ? byId.get(g.parentGoalId) : undefined) out.push(g.level);
      return out;
    };
    expect(chain('teilhabe-arbeit-2021')).toEqual(['TEILZIEL', 'FACHBEREICHSZIEL', 'STRATEGISCHES_ZIEL']);
    expect(chain('pflegende-angehoerige')).toEqual(['PRODUKTZIEL', 'FACHBEREICHSZIEL', 'STRATEGISCHES_ZIEL']);
    expect(byId.get(id('teilhabe-arbeit-2021'))).toMatchObject({ spatialScope: { schemeId: 'gemeindeverzeichnis', areaCodes: [BAMBERG] }, responsibleUnit: 'Sozialreferat', smart: true });
  });

  it('judges the 2021 target at every year after its baseline on the Arbeitslosendichte computed from the INKAR files', async () => {
    const rate = await rateFromObservations();
    expect(rate.get('2019-12-31')).toBeCloseTo(2.988, 3);
    const judged = await verdicts('teilhabe-arbeit-2021', 'arbeitslosendichte-2021');
    expect(judged.map((v) => [v.period.end, v.status])).toEqual([
      ['2018-12-31', 'ON_TRACK'], // 3,06 % below the path from 3,34 % (2017) to 3,0 % (2021)
      ['2019-12-31', 'ACHIEVED'], // 2,99 %
      ['2020-12-31', 'AT_RISK'], // 3,68 %: behind the path, the trend misses the target
      ['2021-12-31', 'MISSED'], // 3,66 % at the Termin
    ]);
    for (const v of judged) {
      expect(v.actualValue).toBeCloseTo(rate.get(v.period.end)!, 10);
      expect(v).toMatchObject({ areaCode: BAMBERG, baselineValue: 3.34, resolvedTargetValue: 3, deadline: '2021-12-31' });
    }
    expect(judged[0]!.expectedValue).toBeCloseTo(3.34 - (0.34 * 365) / 1461, 6);
  });

  it('judges the 2025 target ten percent below the 2019 value (2,691 %) as at risk after the rise of 2020', async () => {
    const judged = await verdicts('teilhabe-arbeit', 'arbeitslosendichte-2025');
    expect(judged.map((v) => [v.period.end, v.status, v.resolvedTargetValue])).toEqual([
      ['2020-12-31', 'AT_RISK', 2.691],
      ['2021-12-31', 'AT_RISK', 2.691],
    ]);
    expect(judged[1]!.actualValue).toBeCloseTo(3.6576, 4);
  });

  it('watches the Arbeitslosendichte as context of the Sozialmonitoring without judging it', async () => {
    const monitoring = (await goals()).find((g) => g.goalId === id('sozialmonitoring'))!;
    expect(monitoring.contextIndicators.map((c) => c.indicatorId)).toEqual(['arbeitslosendichte', 'arbeitslosendichte_dynamik']);
    expect(monitoring.targets).toEqual([]);
    expect(await p.documents.scan(COLLECTIONS.attainment, { prefix: `${TENANT}|${id('sozialmonitoring')}|` })).toEqual([]);
  });

  it('registers the Träger of the Fachstelle and its Leistungsvereinbarung, whose yearly report becomes overdue after 31 March', async () => {
    const [traeger] = await listByTenant<TraegerView>(p.documents, COLLECTIONS.traeger, TENANT);
    expect(traeger).toMatchObject({ spitzenverband: 'Paritätischer', legalForm: 'e.V.', active: true });
    const [contract] = await listByTenant<ContractView>(p.documents, COLLECTIONS.contracts, TENANT);
    expect(contract!.terms).toMatchObject({
      kind: 'LEISTUNGSVEREINBARUNG',
      traegerId: traeger!.traegerId,
      financing: { mode: 'ZUWENDUNG', annualAmountCents: 4_850_000, grantType: 'Festbetrag', productCode: '31.5.01' },
      reportingDuties: [{ dutyId: 'jahresbericht', rhythm: 'JAEHRLICH', dueDays: 90, kennzahlIds: ['erreichte-angehoerige', 'erstberatung-14-tage'], quantityIds: ['beratungen', 'gespraechskreise'] }],
      goalIds: [id('pflegende-angehoerige'), id('leistungsvereinbarungen')],
    });
    expect(contract!.terms.kennzahlen.map((k) => k.goalId)).toEqual([id('pflegende-angehoerige'), id('pflegende-angehoerige')]);
    const measure = (await listByTenant<MeasureView>(p.documents, COLLECTIONS.measures, TENANT)).find((m) => m.title === 'Fachstelle für pflegende Angehörige');
    expect(measure).toMatchObject({ traegerId: traeger!.traegerId, prevention: 'PRAEVENTIV', approach: 'INDIVIDUELL' });

    await p.goals.advanceClock('2025-04-01');
    const view = (await p.documents.get<ContractView>(COLLECTIONS.contracts, `${TENANT}|${contract!.contractId}`))!;
    expect(view.obligations.map((o) => [o.period.start, o.period.end, o.dueDate, o.status])).toEqual([['2024-01-01', '2024-12-31', '2025-03-31', 'overdue']]);
  });

  it('appends nothing when the scenario is imported again after the data arrived, and reports the latest verdicts', async () => {
    const position = await p.eventStore.lastPosition();
    const again = await importScenario();
    expect(again.accepted && again.events).toBe(0);
    expect(await p.eventStore.lastPosition()).toBe(position);
    expect(again.accepted && again.targetOutcomes.map((t) => [t.targetKey, t.latest?.status, t.latest?.periodEnd])).toEqual([
      ['arbeitslosendichte-2025', 'AT_RISK', '2021-12-31'],
      ['arbeitslosendichte-2021', 'MISSED', '2021-12-31'],
    ]);
  });
});
