/**
 * The goal decider, given / when / then: events in, command, events out or a German refusal.
 */
import { decideGoal, evolveGoal, foldGoal, initialGoal, type GoalCommand, type GoalContent, type GoalFacts, type TargetInput } from '../../src/domain/goals';
import type { GoalEvent } from '../../src/domain/events';
import { refusal } from '../support/refusal';

const NOW = { now: '2024-03-01T10:00:00.000Z' };
const GOAL = '11111111-1111-4111-8111-111111111111';
const PARENT = '22222222-2222-4222-8222-222222222222';
const TARGET = '33333333-3333-4333-8333-333333333333';

const content = (over: Partial<GoalContent> = {}): GoalContent => ({
  parentGoalId: null,
  field: 'WIRKUNGEN',
  title: 'Prävention stärken',
  description: null,
  smart: false,
  targetGroup: null,
  spatialScope: null,
  responsibleUnit: 'Sozialreferat',
  horizon: null,
  effectHypothesis: null,
  decision: { body: 'Stadtrat', reference: 'VO/2018/1878-R5', decidedOn: '2018-09-26' },
  linkedProducts: [],
  ...over,
});

const parent = (over: Partial<GoalFacts> = {}): GoalFacts => ({ goalId: PARENT, tenant: '09461', level: 'STRATEGISCHES_ZIEL', retired: false, horizon: '2030-12-31', ancestors: [], ...over });

function given(events: GoalEvent[]) {
  const state = foldGoal(GOAL, events);
  return {
    when: (command: GoalCommand) => decideGoal(command, state),
  };
}


const created = (over: Partial<GoalContent> = {}): GoalEvent => ({
  type: 'GoalCreated',
  data: { goalId: GOAL, level: 'STRATEGISCHES_ZIEL', ...content(over), parentGoalId: null, priority: null },
});

const target = (over: Partial<TargetInput> = {}): TargetInput => ({
  targetId: TARGET,
  indicatorId: 'arbeitslosendichte',
  schemeId: 'gemeindeverzeichnis',
  areaCode: '09461000',
  baseline: { value: 5.2, period: { kind: 'ZEITRAUM', start: '2018-01-01', end: '2018-12-31' } },
  targetKind: 'PERCENT_CHANGE_FROM_BASELINE',
  targetValue: -10,
  comparator: 'AT_MOST',
  deadline: '2021-12-31',
  reason: null,
  decision: null,
  ...over,
});

describe('creating and deriving goals', () => {
  it('creates a strategic goal without parent as GoalCreated', () => {
    const events = given([]).when({ type: 'CreateGoal', data: { tenant: '09461', level: 'STRATEGISCHES_ZIEL', content: content(), priority: 2, derivation: null, parent: null }, metadata: NOW });
    expect(events).toEqual([expect.objectContaining({ type: 'GoalCreated', data: expect.objectContaining({ goalId: GOAL, title: 'Prävention stärken', priority: 2, parentGoalId: null }) })]);
  });

  it('derives a goal from its parent as GoalDerived, carrying the derivation', () => {
    const events = given([]).when({
      type: 'CreateGoal',
      data: { tenant: '09461', level: 'FACHBEREICHSZIEL', content: content({ parentGoalId: PARENT, title: 'Präventionskette beschreiben' }), priority: null, derivation: 'Lücken an Übergängen finden', parent: parent() },
      metadata: NOW,
    });
    expect(events[0]).toMatchObject({ type: 'GoalDerived', data: { parentGoalId: PARENT, derivation: 'Lücken an Übergängen finden', level: 'FACHBEREICHSZIEL' } });
  });

  it('refuses a goal on a higher level than its parent, a Leitbild with a parent and a foreign or retired parent, all at once', () => {
    const error = refusal(() =>
      given([]).when({
        type: 'CreateGoal',
        data: { tenant: '09461', level: 'LEITBILD', content: content({ parentGoalId: PARENT, title: ' ', responsibleUnit: '' }), priority: 0, derivation: null, parent: parent({ tenant: '03159', retired: true }) },
        metadata: NOW,
      }),
    );
    const messages = error.issues.map((i) => i.message).join('\n');
    expect(error.code).toBe('invalid');
    expect(messages).toContain('Die Formulierung des Ziels fehlt');
    expect(messages).toContain('verantwortliche Organisationseinheit fehlt');
    expect(messages).toContain('hat kein Oberziel');
    expect(messages).toContain('anderen Mandanten');
    expect(messages).toContain('nicht mehr in Kraft');
    expect(messages).toContain('kann nicht aus einem strategisches Ziel abgeleitet werden');
    expect(messages).toContain('Priorität');
  });

  it('refuses to derive a goal from one of its own descendants', () => {
    const error = refusal(() =>
      given([created()]).when({ type: 'ReviseGoal', data: { tenant: '09461', content: content({ parentGoalId: PARENT }), reason: 'Umhängen', parent: parent({ level: 'LEITBILD', ancestors: [GOAL] }) }, metadata: NOW }),
    );
    expect(error.issues[0]?.message).toContain('aus sich selbst oder einem seiner Unterziele');
  });

  it('refuses to create the same goal twice', () => {
    expect(refusal(() => given([created()]).when({ type: 'CreateGoal', data: { tenant: '09461', level: 'STRATEGISCHES_ZIEL', content: content(), priority: null, derivation: null, parent: null }, metadata: NOW })).code).toBe('conflict');
  });
});

describe('revising, prioritising and retiring', () => {
  it('revises with the complete new state and a counted revision, keeping history', () => {
    const events = given([created()]).when({ type: 'ReviseGoal', data: { tenant: '09461', content: content({ title: 'Prävention stärken und Präventionskette aufbauen', horizon: '2028-12-31' }), reason: 'Fortschreibung 2024', parent: null }, metadata: NOW });
    expect(events).toEqual([{ type: 'GoalRevised', data: expect.objectContaining({ revision: 2, title: 'Prävention stärken und Präventionskette aufbauen', horizon: '2028-12-31', reason: 'Fortschreibung 2024' }) }]);
    const state = events.reduce(evolveGoal, foldGoal(GOAL, [created()]));
    expect(state.revision).toBe(2);
  });

  it('appends nothing when a revision changes nothing (idempotent re-import)', () => {
    expect(given([created()]).when({ type: 'ReviseGoal', data: { tenant: '09461', content: content(), reason: 'gleich', parent: null }, metadata: NOW })).toEqual([]);
  });

  it('prioritises, and ignores the same priority again', () => {
    const first = given([created()]).when({ type: 'PrioritiseGoal', data: { priority: 1, reason: 'Sozialplanungskonferenz', decision: null }, metadata: NOW });
    expect(first).toEqual([{ type: 'GoalPrioritised', data: { goalId: GOAL, priority: 1, reason: 'Sozialplanungskonferenz', decision: null } }]);
    expect(given([created(), ...first]).when({ type: 'PrioritiseGoal', data: { priority: 1, reason: null, decision: null }, metadata: NOW })).toEqual([]);
  });

  it('retires a goal; afterwards it cannot be changed', () => {
    const retired = given([created()]).when({ type: 'RetireGoal', data: { retiredOn: '2025-12-31', outcome: 'ERREICHT', successor: null, reason: 'Ziel erreicht', decision: null, tenant: '09461' }, metadata: NOW });
    expect(retired[0]).toMatchObject({ type: 'GoalRetired', data: { outcome: 'ERREICHT', retiredOn: '2025-12-31' } });
    const error = refusal(() => given([created(), ...retired]).when({ type: 'PrioritiseGoal', data: { priority: 3, reason: null, decision: null }, metadata: NOW }));
    expect(error.code).toBe('retired');
    expect(error.message).toContain('seit 31.12.2025 nicht mehr in Kraft');
  });

  it('needs a successor to mark a goal as replaced', () => {
    const error = refusal(() => given([created()]).when({ type: 'RetireGoal', data: { retiredOn: '2025-12-31', outcome: 'ERSETZT', successor: null, reason: 'neu gefasst', decision: null, tenant: '09461' }, metadata: NOW }));
    expect(error.issues[0]?.path).toBe('successorGoalId');
  });
});

describe('targets', () => {
  const known = { indicatorId: 'arbeitslosendichte', known: true };

  it('sets a target relative to the baseline', () => {
    const events = given([created()]).when({ type: 'SetTarget', data: { target: target(), indicator: known }, metadata: NOW });
    expect(events[0]).toMatchObject({ type: 'TargetValueSet', data: { targetKind: 'PERCENT_CHANGE_FROM_BASELINE', targetValue: -10, deadline: '2021-12-31' } });
  });

  it('refuses an unknown indicator with a suggestion, a relative target without baseline and a deadline before the baseline', () => {
    const error = refusal(() =>
      given([created()]).when({
        type: 'SetTarget',
        data: { target: target({ indicatorId: 'arbeitslosendichten', deadline: '2017-12-31' }), indicator: { indicatorId: 'arbeitslosendichten', known: false, suggestions: ['arbeitslosendichte'] } },
        metadata: NOW,
      }),
    );
    const messages = error.issues.map((i) => i.message);
    expect(messages[0]).toBe('Die Kennzahl „arbeitslosendichten“ gibt es im Katalog des Mandanten nicht. Meinten Sie „arbeitslosendichte“?');
    expect(messages.some((m) => m.includes('liegt nicht nach dem Zeitraum des Ausgangswerts'))).toBe(true);
    const noBaseline = refusal(() => given([created()]).when({ type: 'SetTarget', data: { target: target({ baseline: null }), indicator: known }, metadata: NOW }));
    expect(noBaseline.issues[0]?.message).toContain('braucht einen Ausgangswert');
  });

  it('refuses a direction that is already met at the baseline', () => {
    const error = refusal(() => given([created()]).when({ type: 'SetTarget', data: { target: target({ comparator: 'AT_LEAST' }), indicator: known }, metadata: NOW }));
    expect(error.issues[0]?.path).toBe('comparator');
  });

  it('sets the same target again without a new event, a changed one with a new event', () => {
    const first = given([created()]).when({ type: 'SetTarget', data: { target: target(), indicator: known }, metadata: NOW });
    expect(given([created(), ...first]).when({ type: 'SetTarget', data: { target: target(), indicator: known }, metadata: NOW })).toEqual([]);
    expect(given([created(), ...first]).when({ type: 'SetTarget', data: { target: target({ targetValue: -15 }), indicator: known }, metadata: NOW })).toHaveLength(1);
  });

  it('withdraws a target; its verdicts are no longer recorded', () => {
    const set = given([created()]).when({ type: 'SetTarget', data: { target: target(), indicator: known }, metadata: NOW });
    const withdrawn = given([created(), ...set]).when({ type: 'WithdrawTarget', data: { targetId: TARGET, reason: 'ersetzt' }, metadata: NOW });
    expect(withdrawn).toEqual([{ type: 'TargetWithdrawn', data: { goalId: GOAL, targetId: TARGET, reason: 'ersetzt' } }]);
    const verdict = { goalId: GOAL, targetId: TARGET, indicatorId: 'arbeitslosendichte', areaCode: null, period: { kind: 'ZEITRAUM' as const, start: '2019-01-01', end: '2019-12-31' }, actualValue: 5, resolvedTargetValue: 4.68, baselineValue: 5.2, attainment: 0.38, status: 'ON_TRACK' as const, computationId: null, deadline: '2021-12-31', expectedValue: 5.03, projectedValue: 4.6, valueSuppressed: false, method: 'x' };
    expect(given([created(), ...set, ...withdrawn]).when({ type: 'RecordAttainment', data: { evaluations: [verdict] }, metadata: NOW })).toEqual([]);
    const recorded = given([created(), ...set]).when({ type: 'RecordAttainment', data: { evaluations: [verdict] }, metadata: NOW });
    expect(recorded).toHaveLength(1);
    // The same verdict on the same value again is no news.
    expect(given([created(), ...set, ...recorded]).when({ type: 'RecordAttainment', data: { evaluations: [verdict] }, metadata: NOW })).toEqual([]);
  });

  it('keeps context indicators apart from targets', () => {
    const events = given([created()]).when({ type: 'SetContextIndicators', data: { indicators: [{ indicatorId: 'ew_unter_18', schemeId: null, areaCodes: [], note: 'Zielgruppe' }], facts: [{ indicatorId: 'ew_unter_18', known: true }] }, metadata: NOW });
    const state = events.reduce(evolveGoal, foldGoal(GOAL, [created()]));
    expect(state.contextIndicators.map((c) => c.indicatorId)).toEqual(['ew_unter_18']);
    expect(Object.keys(state.targets)).toEqual([]);
  });

  it('refuses commands on a goal that does not exist', () => {
    expect(refusal(() => decideGoal({ type: 'PrioritiseGoal', data: { priority: 1, reason: null, decision: null }, metadata: NOW }, initialGoal(GOAL))).code).toBe('not-found');
  });
});
