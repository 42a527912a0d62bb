/**
 * Landkreis Göttingen end to end: the six Leitlinien of the Sozialstrategie, the
 * Präventionsketten pilot in one member Gemeinde and the classified measures
 * (scenarios/goettingen.yaml), imported into a fresh embedded store beside the real INKAR data
 * of the Landkreis, delivered through the ingestion and computed by the indicators module.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ValuesDoc } from '@lagebild/indicators';
import { checkConsistency } from '@lagebild/goals';
import { importGoalSystem, type ImportSummary } from '@lagebild/goals';
import { entryId } from '@lagebild/goals';
import { COLLECTIONS, lastValueByIndicator, listByTenant, type ContractView, type GoalView, type MeasureView } from '@lagebild/goals';
import { GERMANY, openPipeline, type Pipeline, SCENARIOS } from './pipeline';

const TENANT = '03159';
const PILOT = '03159017';
const FRIEDLAND = '03159013';
const NOW = new Date('2026-01-15T10:00:00.000Z');
const id = (key: string) => entryId(TENANT, 'ziel', key);

let p: Pipeline;
let summary: ImportSummary;

beforeAll(async () => {
  p = await openPipeline(NOW);
  await p.loadGemeindeverzeichnis();
  expect(await p.deliver(path.join(GERMANY, 'inkar_arbeitslose_gemeinden_1998_2021.xls'), 'inkar-arbeitslose-gemeinden', TENANT)).toBe('angenommen');
  expect(await p.deliver(path.join(GERMANY, 'inkar_erwerbsfaehige_gemeinden_2001_2021.xls'), 'inkar-erwerbsfaehige-gemeinden', TENANT)).toBe('angenommen');
  summary = await importGoalSystem(p.goals.ctx, { fileName: 'goettingen.yaml', text: await readFile(path.join(SCENARIOS, 'goettingen.yaml'), 'utf8'), actor: { subject: 'user:sozialplanung-goettingen' } });
}, 120_000);

afterAll(async () => {
  await p?.close();
});

const goals = () => listByTenant<GoalView>(p.documents, COLLECTIONS.goals, TENANT);

/** The Landkreis's Arbeitslosendichte for 2021 as the indicators module computed it (only its own Gemeinden). */
async function rates2021(): Promise<ValuesDoc['values']> {
  const docs = (await p.documents.scan<ValuesDoc>('indicators.values', { prefix: `${TENANT}|arbeitslosendichte|` })).map((d) => d.doc);
  return docs.find((d) => d.periodLabel === '2021')!.values;
}

describe('Landkreis Göttingen: Leitlinien einer Sozialstrategie and the Präventionskette', () => {
  it('imports the scenario as a whole', () => {
    expect(summary).toMatchObject({ accepted: true, tenant: TENANT, goals: { created: 12 }, measures: { created: 7 }, contracts: { created: 1 } });
  });

  it('puts the six Leitlinien of the Kreistag (07.03.2018) at the top of the goal system', async () => {
    const leitbild = (await goals()).filter((g) => g.level === 'LEITBILD');
    expect(leitbild).toHaveLength(6);
    for (const g of leitbild) expect(g).toMatchObject({ parentGoalId: null, decision: { body: 'Kreistag', decidedOn: '2018-03-07' } });
    expect(leitbild.map((g) => g.title)).toEqual(expect.arrayContaining(['Prävention vor Intervention', 'Strukturell vor Individuell']));
  });

  it('places the pilot in a member Gemeinde of the Landkreis, for children from 4.5 to under 7, under Prävention vor Intervention', async () => {
    const all = new Map((await goals()).map((g) => [g.goalId, g]));
    const pilot = all.get(id('gesund-aufwachsen'))!;
    expect(pilot).toMatchObject({ level: 'FACHBEREICHSZIEL', targetGroup: 'Kinder von 4,5 bis unter 7 Jahren und ihre Familien', spatialScope: { schemeId: 'gemeindeverzeichnis', areaCodes: [PILOT] }, smart: false });
    expect(all.get(pilot.parentGoalId!)).toMatchObject({ title: expect.stringContaining('Präventionskette'), horizon: '2020-09-30' });
    expect(all.get(all.get(pilot.parentGoalId!)!.parentGoalId!)!.title).toBe('Prävention vor Intervention');
    // The Gemeinde is one of the Landkreis's own: the INKAR data of the tenant cover it.
    const pilotRate = (await rates2021()).find((v) => v.areaCode === PILOT);
    expect(pilotRate).toMatchObject({ unitType: 'Gemeinde', status: 'COMPUTED' });
    expect(pilot.contextIndicators.map((c) => c.indicatorId)).toEqual(['auffaelligkeiten', 'sprachstand', 'kinderarmut', 'arbeitslosendichte']);
  });

  it('classifies the measures so the preventive share can be tracked', async () => {
    const measures = await listByTenant<MeasureView>(p.documents, COLLECTIONS.measures, TENANT);
    const count = (f: (m: MeasureView) => boolean) => measures.filter(f).length;
    expect([count((m) => m.prevention === 'PRAEVENTIV'), count((m) => m.prevention === 'NACHSORGEND')]).toEqual([5, 2]);
    expect([count((m) => m.approach === 'STRUKTURELL'), count((m) => m.approach === 'INDIVIDUELL')]).toEqual([5, 2]);
    // Nachsorgend and individuell are the same two measures: the Einzelfallhilfen.
    expect(measures.filter((m) => m.prevention === 'NACHSORGEND').every((m) => m.approach === 'INDIVIDUELL' && m.goalIds.length === 0)).toBe(true);
    expect(measures.find((m) => m.title.startsWith('Koordinierungsstelle'))).toMatchObject({ spatialScope: { areaCodes: [PILOT] }, start: '2017-10-01', end: '2020-09-30' });
  });

  it('finds in the consistency check the context indicators still without data, but not the Arbeitslosendichte', async () => {
    const lastValueOf = await lastValueByIndicator(p.documents, TENANT);
    expect(lastValueOf.get('arbeitslosendichte')).toBe('2021-12-31');
    const findings = checkConsistency({ goals: await goals(), measures: await listByTenant<MeasureView>(p.documents, COLLECTIONS.measures, TENANT), lastValueOf, today: '2026-01-15' });
    const withoutData = findings.filter((f) => f.kind === 'keine-daten').map((f) => f.indicatorId).sort();
    expect(withoutData).toEqual(['ambulantisierung', 'anteil_u18', 'auffaelligkeiten', 'hze_dichte', 'kinderarmut', 'praeventionsanteil', 'sprachstand']);
    expect(findings.filter((f) => f.kind === 'massnahme-ohne-ziel')).toHaveLength(2);
  });

  it('records the interkommunale Vereinbarung with the member Gemeinde Friedland', async () => {
    const [contract] = await listByTenant<ContractView>(p.documents, COLLECTIONS.contracts, TENANT);
    expect(contract!.terms).toMatchObject({ kind: 'INTERKOMMUNALE_VEREINBARUNG', partnerTenant: FRIEDLAND, traegerId: null, termStart: '2025-01-01', termEnd: '2028-12-31', goalIds: [id('praevention-ausbauen')], prevention: 'PRAEVENTIV' });
    expect((await rates2021()).some((v) => v.areaCode === FRIEDLAND && v.unitType === 'Gemeinde')).toBe(true);
  });
});
