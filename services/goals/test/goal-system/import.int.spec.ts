/**
 * Importing a goal-system file into a fresh embedded store: all or nothing, idempotent, and a
 * changed file revises exactly what changed, as new events beside the old ones.
 */
import { parse } from 'yaml';
import { runGoalCommand } from '../../src/application';
import { STREAM } from '../../src/domain/events';
import { entryId, targetId } from '../../src/goal-system/ids';
import { COLLECTIONS, listByTenant, type GoalView } from '../../src/projections';
import { edit, SAMPLE } from './sample';
import { accepted, ACTOR, openStore, rejected, type Store } from './support';

let store: Store;

beforeEach(async () => {
  store = await openStore();
});

afterEach(async () => {
  await store.close();
});

const TENANT = '09461';
const goalId = (key: string) => entryId(TENANT, 'ziel', key);
const types = async (stream: string) => (await store.ctx.eventStore.readStream(stream)).map((e) => e.type);
const goalView = async (key: string) => (await store.ctx.documents.get<GoalView>(COLLECTIONS.goals, `${TENANT}|${goalId(key)}`))!;

describe('importing a goal system', () => {
  it('writes nothing at all when one entry has a problem', async () => {
    await rejected(store, edit(SAMPLE, 'rhythmus: jährlich', 'rhythmus: jedes Jahr'));
    expect(await store.ctx.eventStore.lastPosition()).toBe(0);
    expect(await listByTenant(store.ctx.documents, COLLECTIONS.goals, TENANT)).toEqual([]);
  });

  it('writes no part of a changed file that has a problem', async () => {
    await accepted(store, SAMPLE);
    const before = await store.ctx.eventStore.lastPosition();
    let text = edit(SAMPLE, 'titel: Arbeitslosendichte senken', 'titel: Arbeitslosigkeit senken');
    text = edit(text, 'kennzahlen: [beratene] }', 'kennzahlen: [beratene, wartezeit] }');
    await rejected(store, text);
    expect(await store.ctx.eventStore.lastPosition()).toBe(before);
    expect((await goalView('arbeit')).title).toBe('Arbeitslosendichte senken');
  });

  it('creates Träger, goals top-down with targets and context indicators, measures and contracts', async () => {
    const summary = await accepted(store, SAMPLE);
    expect(summary.ids.goals).toEqual({ teilhabe: goalId('teilhabe'), arbeit: goalId('arbeit') });
    expect(await types(STREAM.traeger(summary.ids.traeger.verein!))).toEqual(['TraegerRecorded']);
    expect(await types(STREAM.goal(goalId('teilhabe')))).toEqual(['GoalCreated']);
    expect(await types(STREAM.goal(goalId('arbeit')))).toEqual(['GoalDerived', 'TargetValueSet', 'GoalContextIndicatorsSet']);
    expect(await types(STREAM.measure(summary.ids.measures.beratung!))).toEqual(['MeasureDefined']);
    expect(await types(STREAM.contract(summary.ids.contracts.lv!))).toEqual(['ContractConcluded']);
    expect(summary.events).toBe(7);

    const arbeit = await goalView('arbeit');
    expect(arbeit).toMatchObject({ parentGoalId: goalId('teilhabe'), level: 'FACHBEREICHSZIEL', responsibleUnit: 'Sozialreferat', smart: true, derivation: null });
    expect(arbeit.targets).toEqual([
      expect.objectContaining({ targetId: targetId(TENANT, 'arbeit', 'ald'), indicatorId: 'arbeitslosendichte', targetKind: 'ABSOLUTE', targetValue: 3, comparator: 'AT_MOST', deadline: '2021-12-31', baseline: { value: 3.34, period: { kind: 'ZEITRAUM', start: '2017-01-01', end: '2017-12-31' } } }),
    ]);
    const contract = (await store.ctx.eventStore.readStream(STREAM.contract(summary.ids.contracts.lv!)))[0]!.data as Record<string, unknown>;
    expect(contract).toMatchObject({ kind: 'LEISTUNGSVEREINBARUNG', traegerId: summary.ids.traeger.verein, financing: { mode: 'ZUWENDUNG', annualAmountCents: 4850050, productCode: '31.5' }, goalIds: [] });
    expect((contract.kennzahlen as Array<{ goalId: string }>)[0]!.goalId).toBe(goalId('arbeit'));
  });

  it('appends nothing when the same file is imported again, in YAML or as JSON', async () => {
    await accepted(store, SAMPLE);
    const position = await store.ctx.eventStore.lastPosition();
    const again = await accepted(store, SAMPLE);
    expect(again.events).toBe(0);
    expect(again).toMatchObject({ goals: { created: 0, changed: 0, unchanged: 2 }, targets: { unchanged: 1 }, measures: { unchanged: 1 }, traeger: { unchanged: 1 }, contracts: { unchanged: 1 } });
    const asJson = await accepted(store, JSON.stringify(parse(SAMPLE.replace('mandant: 09461', 'mandant: "09461"').replace('[09461000]', '["09461000"]'))), 'ziele.json');
    expect(asJson.events).toBe(0);
    expect(await store.ctx.eventStore.lastPosition()).toBe(position);
  });

  it('revises exactly what a changed file changes, as new revisions beside the old', async () => {
    await accepted(store, SAMPLE);
    let text = edit(SAMPLE, 'titel: Beispiel\n', 'titel: Beispiel\nanlass: Fortschreibung 2025 (Beschluss des Sozialausschusses)\n');
    text = edit(text, 'titel: Arbeitslosendichte senken', 'titel: Arbeitslosigkeit senken');
    text = edit(text, '    prioritaet: 1\n', '    prioritaet: 2\n');
    text = edit(text, 'zielwert: 3.0', 'zielwert: 2.8');
    text = edit(text, 'ansatz: individuell\n    traeger: verein', 'ansatz: strukturell\n    traeger: verein');
    text = edit(text, 'jahresbetrag: 48500.5 }', 'jahresbetrag: 50000 }\n    aenderung: { gueltig_ab: 2025-01-01, grund: Tarifsteigerung }');
    const summary = await accepted(store, text);
    expect(summary).toMatchObject({ goals: { changed: 2, unchanged: 0 }, targets: { changed: 1 }, measures: { changed: 1 }, traeger: { unchanged: 1 }, contracts: { changed: 1 } });

    expect(await types(STREAM.goal(goalId('teilhabe')))).toEqual(['GoalCreated', 'GoalPrioritised']);
    const arbeit = await store.ctx.eventStore.readStream(STREAM.goal(goalId('arbeit')));
    expect(arbeit.map((e) => e.type)).toEqual(['GoalDerived', 'TargetValueSet', 'GoalContextIndicatorsSet', 'GoalRevised', 'TargetValueSet']);
    expect(arbeit[3]!.data).toMatchObject({ revision: 2, title: 'Arbeitslosigkeit senken', reason: 'Fortschreibung 2025 (Beschluss des Sozialausschusses)' });
    expect(arbeit[4]!.data).toMatchObject({ targetValue: 2.8 });
    expect(arbeit[3]!.metadata.actor).toBe(ACTOR.subject);
    const contract = await store.ctx.eventStore.readStream(STREAM.contract(summary.ids.contracts.lv!));
    expect(contract.map((e) => e.data)).toEqual([
      expect.objectContaining({ version: 1, financing: expect.objectContaining({ annualAmountCents: 4850050 }) }),
      expect.objectContaining({ version: 2, effectiveFrom: '2025-01-01', reason: 'Tarifsteigerung', financing: expect.objectContaining({ annualAmountCents: 5000000 }) }),
    ]);
    const measure = await store.ctx.eventStore.readStream(STREAM.measure(summary.ids.measures.beratung!));
    expect(measure.at(-1)!.data).toMatchObject({ revision: 2, approach: 'STRUKTURELL', reason: 'Fortschreibung 2025 (Beschluss des Sozialausschusses)' });
  });

  it('amends a changed contract from the day of the import when the file names no date', async () => {
    await accepted(store, SAMPLE);
    const summary = await accepted(store, edit(SAMPLE, 'jahresbetrag: 48500.5', 'jahresbetrag: 49000'));
    const amended = (await store.ctx.eventStore.readStream(STREAM.contract(summary.ids.contracts.lv!))).at(-1)!.data;
    expect(amended).toMatchObject({ version: 2, effectiveFrom: '2026-01-15', reason: 'Änderung aus der Datei ziele.yaml' });
  });

  it('lists goals and targets that the file no longer names, without retiring or withdrawing them', async () => {
    const extended = edit(
      SAMPLE,
      '        kontextkennzahlen:',
      '          - schluessel: kinderarmut\n            kennzahl: kinderarmut\n            zielwert: 15\n            richtung: höchstens\n            termin: 2027-12-31\n        kontextkennzahlen:',
    );
    const withExtraGoal = edit(extended, 'massnahmen:\n', '  - schluessel: extra\n    ebene: strategisches Ziel\n    titel: Ein weiteres Ziel\n    verantwortlich: Sozialreferat\nmassnahmen:\n');
    await accepted(store, withExtraGoal);
    const summary = await accepted(store, SAMPLE);
    expect(summary.events).toBe(0);
    expect(summary.notInFile.goals).toEqual([{ goalId: goalId('extra'), title: 'Ein weiteres Ziel' }]);
    expect(summary.notInFile.targets).toEqual([{ goalKey: 'arbeit', targetId: targetId(TENANT, 'arbeit', 'kinderarmut'), indicatorId: 'kinderarmut' }]);
    expect((await goalView('extra')).retired).toBeNull();
    expect((await goalView('arbeit')).targets.map((t) => t.indicatorId).sort()).toEqual(['arbeitslosendichte', 'kinderarmut']);
  });

  it('leaves a retired goal as it is, and refuses a file that would change it', async () => {
    await accepted(store, SAMPLE);
    await runGoalCommand(store.ctx, TENANT, goalId('arbeit'), ACTOR, () => ({
      type: 'RetireGoal',
      data: { retiredOn: '2025-12-31', outcome: 'AUFGEGEBEN', successor: null, reason: 'Neu gefasst', decision: null, tenant: TENANT },
      metadata: { now: '2026-01-10T00:00:00.000Z' },
    }));
    expect((await accepted(store, SAMPLE)).events).toBe(0);
    const { problems } = await rejected(store, edit(SAMPLE, 'titel: Arbeitslosendichte senken', 'titel: Arbeitslosigkeit senken'));
    expect(problems).toEqual([expect.objectContaining({ path: 'ziele[0].ziele[0].schluessel', message: expect.stringMatching(/^Das Ziel „Arbeitslosendichte senken“ ist seit 31\.12\.2025 nicht mehr in Kraft/) })]);
  });

  it('keeps the level of an existing goal', async () => {
    await accepted(store, SAMPLE);
    const { problems } = await rejected(store, edit(SAMPLE, 'ebene: Fachbereichsziel', 'ebene: Produktziel'));
    expect(problems).toEqual([expect.objectContaining({ path: 'ziele[0].ziele[0].ebene', message: expect.stringMatching(/^Das Ziel steht als Dezernats-\/Fachbereichsziel im Zielsystem; die Ebene eines Ziels bleibt/) })]);
  });

  it('gives the same keys of another tenant their own ids', async () => {
    await accepted(store, SAMPLE);
    // Same file for another tenant: other ids, nothing shared.
    const other = await accepted(store, SAMPLE.replace('mandant: 09461\n', ''), 'ziele.yaml', '09462');
    expect(other.goals.created).toBe(2);
    expect(other.ids.goals.arbeit).not.toBe(goalId('arbeit'));
  });
});
