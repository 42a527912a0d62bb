/**
 * A goal of the goal system (Zielsystem, DOMAIN.md 5) and its targets: state folded from the
 * goal's stream, and the pure decider that turns commands into events or refuses them with every
 * reason. Facts about other aggregates (the parent goal, the indicator in the catalogue) arrive
 * with the command; the application layer looks them up.
 */
import {
  type AttainmentData,
  type CommandMetadata,
  type Comparator,
  type Decision,
  type GoalEvent,
  type GoalField,
  type GoalLevel,
  type ReferencePeriod,
  type RuleIssue,
  type SpatialScope,
  type TargetKind,
  GoalsRuleViolation,
  germanDate,
  sameJson,
} from './events';

export const GOAL_LEVELS: readonly GoalLevel[] = ['LEITBILD', 'STRATEGISCHES_ZIEL', 'FACHBEREICHSZIEL', 'PRODUKTZIEL', 'TEILZIEL'];
export const LEVEL_NAMES: Record<GoalLevel, string> = {
  LEITBILD: 'Leitbild/Leitlinie',
  STRATEGISCHES_ZIEL: 'strategisches Ziel',
  FACHBEREICHSZIEL: 'Dezernats-/Fachbereichsziel',
  PRODUKTZIEL: 'Produkt(gruppen)ziel',
  TEILZIEL: 'Teilziel',
};
export const FIELD_NAMES: Record<GoalField, string> = {
  WIRKUNGEN: 'Wirkungen',
  PROGRAMME_PRODUKTE: 'Programme/Produkte',
  PROZESSE_STRUKTUREN: 'Prozesse/Strukturen',
  RESSOURCEN: 'Ressourcen',
};

/** What a goal says; the part a revision may change (level and id never change). */
export interface GoalContent {
  parentGoalId: string | null;
  field: GoalField;
  title: string;
  description: string | null;
  smart: boolean;
  targetGroup: string | null;
  spatialScope: SpatialScope | null;
  responsibleUnit: string;
  horizon: string | null;
  effectHypothesis: string | null;
  decision: Decision | null;
  linkedProducts: string[];
}

export interface TargetState {
  targetId: string;
  indicatorId: string;
  schemeId: string | null;
  areaCode: string | null;
  baseline: { value: number; period: ReferencePeriod } | null;
  targetKind: TargetKind;
  targetValue: number;
  comparator: Comparator;
  deadline: string;
  reason: string | null;
  decision: Decision | null;
  /** Latest evaluation per evaluated period end (for idempotent re-evaluation). */
  evaluations: Record<string, { status: AttainmentData['status']; actualValue: number | null }>;
}

export interface ContextIndicatorState {
  indicatorId: string;
  schemeId: string | null;
  areaCodes: string[];
  note: string | null;
}

export interface GoalState {
  exists: boolean;
  goalId: string;
  level: GoalLevel;
  content: GoalContent;
  derivation: string | null;
  priority: number | null;
  revision: number;
  retired: { retiredOn: string; outcome: string; successorGoalId: string | null; reason: string } | null;
  targets: Record<string, TargetState>;
  withdrawnTargets: string[];
  contextIndicators: ContextIndicatorState[];
}

export function initialGoal(goalId: string): GoalState {
  return {
    exists: false,
    goalId,
    level: 'TEILZIEL',
    content: {
      parentGoalId: null,
      field: 'WIRKUNGEN',
      title: '',
      description: null,
      smart: false,
      targetGroup: null,
      spatialScope: null,
      responsibleUnit: '',
      horizon: null,
      effectHypothesis: null,
      decision: null,
      linkedProducts: [],
    },
    derivation: null,
    priority: null,
    revision: 0,
    retired: null,
    targets: {},
    withdrawnTargets: [],
    contextIndicators: [],
  };
}

function contentOf(d: GoalContent): GoalContent {
  return {
    parentGoalId: d.parentGoalId ?? null,
    field: d.field,
    title: d.title,
    description: d.description ?? null,
    smart: d.smart,
    targetGroup: d.targetGroup ?? null,
    spatialScope: d.spatialScope ? { schemeId: d.spatialScope.schemeId, areaCodes: [...d.spatialScope.areaCodes] } : null,
    responsibleUnit: d.responsibleUnit,
    horizon: d.horizon ?? null,
    effectHypothesis: d.effectHypothesis ?? null,
    decision: d.decision ? { body: d.decision.body, reference: d.decision.reference, decidedOn: d.decision.decidedOn } : null,
    linkedProducts: [...d.linkedProducts],
  };
}

export function evolveGoal(state: GoalState, event: GoalEvent): GoalState {
  switch (event.type) {
    case 'GoalCreated':
    case 'GoalDerived': {
      const d = event.data;
      return {
        ...state,
        exists: true,
        level: d.level,
        content: contentOf(d),
        derivation: event.type === 'GoalDerived' ? event.data.derivation : null,
        priority: d.priority,
        revision: 1,
      };
    }
    case 'GoalRevised':
      return { ...state, content: contentOf(event.data), revision: event.data.revision };
    case 'GoalPrioritised':
      return { ...state, priority: event.data.priority };
    case 'GoalRetired': {
      const d = event.data;
      return { ...state, retired: { retiredOn: d.retiredOn, outcome: d.outcome, successorGoalId: d.successorGoalId, reason: d.reason } };
    }
    case 'GoalContextIndicatorsSet':
      return { ...state, contextIndicators: event.data.indicators.map((i) => ({ indicatorId: i.indicatorId, schemeId: i.schemeId, areaCodes: [...i.areaCodes], note: i.note })) };
    case 'TargetValueSet': {
      const d = event.data;
      const target: TargetState = {
        targetId: d.targetId,
        indicatorId: d.indicatorId,
        schemeId: d.schemeId,
        areaCode: d.areaCode,
        baseline: d.baseline ? { value: d.baseline.value, period: { ...d.baseline.period } } : null,
        targetKind: d.targetKind,
        targetValue: d.targetValue,
        comparator: d.comparator,
        deadline: d.deadline,
        reason: d.reason,
        decision: d.decision,
        // A changed target is judged anew: earlier verdicts were about the old Zielwert.
        evaluations: {},
      };
      return { ...state, targets: { ...state.targets, [d.targetId]: target }, withdrawnTargets: state.withdrawnTargets.filter((t) => t !== d.targetId) };
    }
    case 'TargetWithdrawn': {
      const targets = { ...state.targets };
      delete targets[event.data.targetId];
      return { ...state, targets, withdrawnTargets: [...state.withdrawnTargets, event.data.targetId] };
    }
    case 'TargetAttainmentEvaluated': {
      const d = event.data;
      const target = state.targets[d.targetId];
      if (!target) return state;
      const evaluations = { ...target.evaluations, [d.period.end]: { status: d.status, actualValue: d.actualValue } };
      return { ...state, targets: { ...state.targets, [d.targetId]: { ...target, evaluations } } };
    }
  }
}

export function foldGoal(goalId: string, events: readonly GoalEvent[]): GoalState {
  return events.reduce(evolveGoal, initialGoal(goalId));
}

/** What the application knows about another goal named by a command. */
export interface GoalFacts {
  goalId: string;
  tenant: string;
  level: GoalLevel;
  retired: boolean;
  horizon: string | null;
  /** Ancestors' ids, nearest first (to refuse cycles). */
  ancestors: readonly string[];
}

/** What the application knows about an indicator named by a target. */
export interface IndicatorFacts {
  indicatorId: string;
  /** False when the tenant's catalogue does not know the indicator. */
  known: boolean;
  /** Catalogue ids for a "Meinten Sie …?" hint when unknown. */
  suggestions?: readonly string[];
}

export interface TargetInput {
  targetId: string;
  indicatorId: string;
  schemeId: string | null;
  areaCode: string | null;
  baseline: { value: number; period: ReferencePeriod } | null;
  targetKind: TargetKind;
  targetValue: number;
  comparator: Comparator;
  deadline: string;
  reason: string | null;
  decision: Decision | null;
}

export type GoalCommand =
  | {
      type: 'CreateGoal';
      data: { tenant: string; level: GoalLevel; content: GoalContent; priority: number | null; derivation: string | null; parent: GoalFacts | null };
      metadata: CommandMetadata;
    }
  | { type: 'ReviseGoal'; data: { tenant: string; content: GoalContent; reason: string; parent: GoalFacts | null }; metadata: CommandMetadata }
  | { type: 'PrioritiseGoal'; data: { priority: number | null; reason: string | null; decision: Decision | null }; metadata: CommandMetadata }
  | {
      type: 'RetireGoal';
      data: { retiredOn: string; outcome: 'ERREICHT' | 'AUFGEGEBEN' | 'ERSETZT'; successor: GoalFacts | null; reason: string; decision: Decision | null; tenant: string };
      metadata: CommandMetadata;
    }
  | { type: 'SetTarget'; data: { target: TargetInput; indicator: IndicatorFacts }; metadata: CommandMetadata }
  | { type: 'WithdrawTarget'; data: { targetId: string; reason: string }; metadata: CommandMetadata }
  | { type: 'SetContextIndicators'; data: { indicators: ContextIndicatorState[]; facts: readonly IndicatorFacts[] }; metadata: CommandMetadata }
  | { type: 'RecordAttainment'; data: { evaluations: readonly AttainmentData[] }; metadata: CommandMetadata };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function levelIndex(level: GoalLevel): number {
  return GOAL_LEVELS.indexOf(level);
}

function checkContent(goalId: string, tenant: string, level: GoalLevel, content: GoalContent, parent: GoalFacts | null): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (content.title.trim().length === 0) issues.push({ path: 'title', message: 'Die Formulierung des Ziels fehlt.' });
  if (content.responsibleUnit.trim().length === 0) issues.push({ path: 'responsibleUnit', message: 'Die verantwortliche Organisationseinheit fehlt.' });
  if (content.horizon !== null && !ISO_DAY.test(content.horizon)) issues.push({ path: 'horizon', message: `Zielhorizont „${content.horizon}“ ist kein Datum (JJJJ-MM-TT).` });
  if (content.spatialScope && content.spatialScope.areaCodes.length === 0) issues.push({ path: 'spatialScope.areaCodes', message: 'Ein räumlicher Bezug braucht mindestens ein Gebiet; für das ganze Gebiet des Mandanten den Bezug weglassen.' });
  if (level === 'LEITBILD' && content.parentGoalId !== null) issues.push({ path: 'parentGoalId', message: 'Ein Leitbild bzw. eine Leitlinie steht an der Spitze des Zielsystems und hat kein Oberziel.' });
  if (content.parentGoalId !== null) {
    if (!parent) {
      issues.push({ path: 'parentGoalId', message: `Das Oberziel ${content.parentGoalId} gibt es nicht.` });
    } else {
      if (parent.tenant !== tenant) issues.push({ path: 'parentGoalId', message: `Das Oberziel ${parent.goalId} gehört zu einem anderen Mandanten.` });
      if (parent.retired) issues.push({ path: 'parentGoalId', message: `Das Oberziel ${parent.goalId} ist nicht mehr in Kraft; ein Ziel lässt sich nur aus einem geltenden Ziel ableiten.` });
      if (parent.goalId === goalId || parent.ancestors.includes(goalId)) issues.push({ path: 'parentGoalId', message: 'Das Ziel kann nicht aus sich selbst oder einem seiner Unterziele abgeleitet werden.' });
      const li = levelIndex(level);
      const pi = levelIndex(parent.level);
      if (li < pi || (li === pi && level !== 'TEILZIEL')) {
        issues.push({
          path: 'level',
          message: `Ein ${LEVEL_NAMES[level]} kann nicht aus einem ${LEVEL_NAMES[parent.level]} abgeleitet werden: Ziele leiten sich aus einer höheren Ebene ab (Leitbild > strategisches Ziel > Fachbereichsziel > Produktziel > Teilziel).`,
        });
      }
    }
  }
  return issues;
}

function checkTarget(t: TargetInput, indicator: IndicatorFacts): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (!indicator.known) {
    const hint = indicator.suggestions && indicator.suggestions.length > 0 ? ` Meinten Sie ${indicator.suggestions.map((s) => `„${s}“`).join(' oder ')}?` : '';
    issues.push({ path: 'indicatorId', message: `Die Kennzahl „${t.indicatorId}“ gibt es im Katalog des Mandanten nicht.${hint}` });
  }
  if (!ISO_DAY.test(t.deadline)) issues.push({ path: 'deadline', message: `Termin „${t.deadline}“ ist kein Datum (JJJJ-MM-TT).` });
  if (!Number.isFinite(t.targetValue)) issues.push({ path: 'targetValue', message: 'Der Zielwert muss eine Zahl sein.' });
  if (t.targetKind !== 'ABSOLUTE' && t.baseline === null) {
    issues.push({ path: 'baseline', message: 'Ein Zielwert relativ zum Ausgangswert braucht einen Ausgangswert (Wert und Zeitraum).' });
  }
  if (t.targetKind === 'PERCENT_CHANGE_FROM_BASELINE' && t.baseline?.value === 0) {
    issues.push({ path: 'baseline.value', message: 'Eine prozentuale Veränderung lässt sich von einem Ausgangswert 0 nicht berechnen; bitte absoluten Zielwert angeben.' });
  }
  if (t.baseline) {
    if (!Number.isFinite(t.baseline.value)) issues.push({ path: 'baseline.value', message: 'Der Ausgangswert muss eine Zahl sein.' });
    if (t.baseline.period.end < t.baseline.period.start) issues.push({ path: 'baseline.period', message: 'Der Zeitraum des Ausgangswerts endet vor seinem Beginn.' });
    if (ISO_DAY.test(t.deadline) && t.deadline <= t.baseline.period.end) {
      issues.push({ path: 'deadline', message: `Der Termin ${germanDate(t.deadline)} liegt nicht nach dem Zeitraum des Ausgangswerts (bis ${germanDate(t.baseline.period.end)}).` });
    }
    const resolved = resolveTargetValue(t);
    if (resolved !== null && Number.isFinite(resolved)) {
      const direction = resolved - t.baseline.value;
      if ((t.comparator === 'AT_LEAST' && direction < 0) || (t.comparator === 'AT_MOST' && direction > 0)) {
        issues.push({
          path: 'comparator',
          message: `Zielwert ${resolved} und Richtung passen nicht zusammen: „${t.comparator === 'AT_LEAST' ? 'mindestens' : 'höchstens'}“ ${resolved} wäre beim Ausgangswert ${t.baseline.value} schon erreicht.`,
        });
      }
    }
  }
  if ((t.schemeId === null) !== (t.areaCode === null) && t.areaCode !== null) {
    issues.push({ path: 'schemeId', message: 'Ein Zielwert für ein Gebiet braucht die Gebietsgliederung (schemeId).' });
  }
  return issues;
}

/** The Zielwert as an indicator value: targetKind applied to the baseline. */
export function resolveTargetValue(t: Pick<TargetInput, 'targetKind' | 'targetValue' | 'baseline'>): number | null {
  switch (t.targetKind) {
    case 'ABSOLUTE':
      return t.targetValue;
    case 'CHANGE_FROM_BASELINE':
      return t.baseline ? t.baseline.value + t.targetValue : null;
    case 'PERCENT_CHANGE_FROM_BASELINE':
      return t.baseline ? t.baseline.value * (1 + t.targetValue / 100) : null;
  }
}

function refuse(detail: string, issues: RuleIssue[]): never {
  throw new GoalsRuleViolation('invalid', detail, issues);
}

function requireLive(state: GoalState): void {
  if (!state.exists) throw new GoalsRuleViolation('not-found', `Das Ziel ${state.goalId} gibt es nicht.`);
  if (state.retired) throw new GoalsRuleViolation('retired', `Das Ziel „${state.content.title}“ ist seit ${germanDate(state.retired.retiredOn)} nicht mehr in Kraft und kann nicht mehr geändert werden.`);
}

export function decideGoal(command: GoalCommand, state: GoalState): GoalEvent[] {
  switch (command.type) {
    case 'CreateGoal': {
      const { tenant, level, content, priority, derivation, parent } = command.data;
      if (state.exists) throw new GoalsRuleViolation('conflict', `Das Ziel ${state.goalId} gibt es bereits.`);
      const issues = checkContent(state.goalId, tenant, level, content, parent);
      if (priority !== null && (!Number.isInteger(priority) || priority < 1)) issues.push({ path: 'priority', message: 'Die Priorität ist eine ganze Zahl ab 1 (1 = höchste).' });
      if (issues.length > 0) refuse(`Das Ziel „${content.title}“ kann so nicht angelegt werden.`, issues);
      const base = {
        goalId: state.goalId,
        level,
        field: content.field,
        title: content.title.trim(),
        description: content.description,
        smart: content.smart,
        targetGroup: content.targetGroup,
        spatialScope: content.spatialScope,
        priority,
        responsibleUnit: content.responsibleUnit.trim(),
        horizon: content.horizon,
        effectHypothesis: content.effectHypothesis,
        decision: content.decision,
        linkedProducts: content.linkedProducts,
      };
      if (content.parentGoalId !== null) return [{ type: 'GoalDerived', data: { ...base, parentGoalId: content.parentGoalId, derivation } }];
      return [{ type: 'GoalCreated', data: { ...base, parentGoalId: null } }];
    }
    case 'ReviseGoal': {
      requireLive(state);
      const { tenant, content, reason, parent } = command.data;
      const issues = checkContent(state.goalId, tenant, state.level, content, parent);
      if (reason.trim().length === 0) issues.push({ path: 'reason', message: 'Bitte den Grund der Fortschreibung angeben.' });
      const next = contentOf({ ...content, title: content.title.trim(), responsibleUnit: content.responsibleUnit.trim() });
      if (sameJson(next, state.content)) return [];
      if (issues.length > 0) refuse(`Das Ziel „${state.content.title}“ kann so nicht fortgeschrieben werden.`, issues);
      return [{ type: 'GoalRevised', data: { goalId: state.goalId, revision: state.revision + 1, ...next, reason: reason.trim() } }];
    }
    case 'PrioritiseGoal': {
      requireLive(state);
      const { priority, reason, decision } = command.data;
      if (priority !== null && (!Number.isInteger(priority) || priority < 1)) refuse('Priorität ungültig.', [{ path: 'priority', message: 'Die Priorität ist eine ganze Zahl ab 1 (1 = höchste).' }]);
      if (priority === state.priority) return [];
      return [{ type: 'GoalPrioritised', data: { goalId: state.goalId, priority, reason, decision } }];
    }
    case 'RetireGoal': {
      requireLive(state);
      const { retiredOn, outcome, successor, reason, decision, tenant } = command.data;
      const issues: RuleIssue[] = [];
      if (!ISO_DAY.test(retiredOn)) issues.push({ path: 'retiredOn', message: `„${retiredOn}“ ist kein Datum (JJJJ-MM-TT).` });
      if (reason.trim().length === 0) issues.push({ path: 'reason', message: 'Bitte den Grund angeben.' });
      if (outcome === 'ERSETZT' && !successor) issues.push({ path: 'successorGoalId', message: 'Ein ersetztes Ziel braucht das Ziel, das es ersetzt.' });
      if (successor && (successor.tenant !== tenant || successor.goalId === state.goalId || successor.retired)) {
        issues.push({ path: 'successorGoalId', message: 'Das Nachfolgeziel muss ein anderes, geltendes Ziel desselben Mandanten sein.' });
      }
      if (issues.length > 0) refuse(`Das Ziel „${state.content.title}“ kann so nicht beendet werden.`, issues);
      return [{ type: 'GoalRetired', data: { goalId: state.goalId, retiredOn, outcome, successorGoalId: successor?.goalId ?? null, reason: reason.trim(), decision } }];
    }
    case 'SetTarget': {
      requireLive(state);
      const { target, indicator } = command.data;
      const issues = checkTarget(target, indicator);
      if (issues.length > 0) refuse(`Der Zielwert für „${target.indicatorId}“ kann so nicht gesetzt werden.`, issues);
      const current = state.targets[target.targetId];
      const data = {
        goalId: state.goalId,
        targetId: target.targetId,
        indicatorId: target.indicatorId,
        schemeId: target.schemeId,
        areaCode: target.areaCode,
        baseline: target.baseline,
        targetKind: target.targetKind,
        targetValue: target.targetValue,
        comparator: target.comparator,
        deadline: target.deadline,
        reason: target.reason,
        decision: target.decision,
      };
      if (current) {
        const { evaluations: _e, targetId: _t, ...before } = current;
        const { goalId: _g, targetId: _u, ...after } = data;
        if (sameJson(before, after)) return [];
      }
      return [{ type: 'TargetValueSet', data }];
    }
    case 'WithdrawTarget': {
      requireLive(state);
      const { targetId, reason } = command.data;
      if (!state.targets[targetId]) {
        if (state.withdrawnTargets.includes(targetId)) return [];
        throw new GoalsRuleViolation('not-found', `Das Ziel „${state.content.title}“ hat keinen Zielwert ${targetId}.`);
      }
      if (reason.trim().length === 0) refuse('Grund fehlt.', [{ path: 'reason', message: 'Bitte den Grund angeben, warum der Zielwert entfällt.' }]);
      return [{ type: 'TargetWithdrawn', data: { goalId: state.goalId, targetId, reason: reason.trim() } }];
    }
    case 'SetContextIndicators': {
      requireLive(state);
      const { indicators, facts } = command.data;
      const issues: RuleIssue[] = [];
      indicators.forEach((indicator, i) => {
        const f = facts.find((x) => x.indicatorId === indicator.indicatorId);
        if (!f?.known) issues.push({ path: `indicators[${i}].indicatorId`, message: `Die Kennzahl „${indicator.indicatorId}“ gibt es im Katalog des Mandanten nicht.` });
      });
      if (issues.length > 0) refuse('Die Kontextkennzahlen können so nicht gesetzt werden.', issues);
      if (sameJson(indicators, state.contextIndicators)) return [];
      return [{ type: 'GoalContextIndicatorsSet', data: { goalId: state.goalId, indicators } }];
    }
    case 'RecordAttainment': {
      if (!state.exists || state.retired) return [];
      const events: GoalEvent[] = [];
      for (const d of command.data.evaluations) {
        const target = state.targets[d.targetId];
        // A verdict about a target that went away meanwhile is not recorded.
        if (!target) continue;
        const previous = target.evaluations[d.period.end];
        // The same verdict on the same value again (a recomputation that changed nothing) is no news.
        if (previous && previous.status === d.status && previous.actualValue === d.actualValue) continue;
        events.push({ type: 'TargetAttainmentEvaluated', data: d });
      }
      return events;
    }
  }
}
