/**
 * Measures (Maßnahmen, Projekte, Produkte, Angebote) and the Träger register: small aggregates
 * whose events carry their complete state with a revision number.
 */
import { type CommandMetadata, type MeasureData, type MeasureEvent, type RuleIssue, type TraegerData, type TraegerEvent, GoalsRuleViolation, sameJson } from './events';

export interface MeasureState {
  exists: boolean;
  measureId: string;
  current: MeasureData | null;
  ended: { endedOn: string; reason: string } | null;
}

export function foldMeasure(measureId: string, events: readonly MeasureEvent[], from?: MeasureState): MeasureState {
  let state: MeasureState = from ?? { exists: false, measureId, current: null, ended: null };
  for (const e of events) {
    if (e.type === 'MeasureDefined') state = { ...state, exists: true, current: e.data };
    else state = { ...state, ended: { endedOn: e.data.endedOn, reason: e.data.reason } };
  }
  return state;
}

export type MeasureInput = Omit<MeasureData, 'measureId' | 'revision'>;

export type MeasureCommand =
  | { type: 'DefineMeasure'; data: { measure: MeasureInput; knownGoalIds: readonly string[]; knownTraeger: readonly string[] }; metadata: CommandMetadata }
  | { type: 'EndMeasure'; data: { endedOn: string; reason: string }; metadata: CommandMetadata };

export function decideMeasure(command: MeasureCommand, state: MeasureState): MeasureEvent[] {
  if (command.type === 'EndMeasure') {
    if (!state.exists || !state.current) throw new GoalsRuleViolation('not-found', `Die Maßnahme ${state.measureId} gibt es nicht.`);
    if (state.ended) {
      if (state.ended.endedOn === command.data.endedOn) return [];
      throw new GoalsRuleViolation('conflict', `Die Maßnahme „${state.current.title}“ ist bereits beendet.`);
    }
    const issues: RuleIssue[] = [];
    if (state.current.start !== null && command.data.endedOn < state.current.start) issues.push({ path: 'endedOn', message: 'Das Ende liegt vor dem Beginn der Maßnahme.' });
    if (command.data.reason.trim() === '') issues.push({ path: 'reason', message: 'Bitte den Grund angeben.' });
    if (issues.length > 0) throw new GoalsRuleViolation('invalid', 'Die Maßnahme kann so nicht beendet werden.', issues);
    return [{ type: 'MeasureEnded', data: { measureId: state.measureId, endedOn: command.data.endedOn, reason: command.data.reason.trim() } }];
  }
  const { measure, knownGoalIds, knownTraeger } = command.data;
  if (state.ended) throw new GoalsRuleViolation('retired', `Die Maßnahme „${state.current?.title ?? state.measureId}“ ist beendet und kann nicht mehr geändert werden.`);
  const issues: RuleIssue[] = [];
  if (measure.title.trim() === '') issues.push({ path: 'title', message: 'Der Name der Maßnahme fehlt.' });
  if (measure.responsibleUnit.trim() === '') issues.push({ path: 'responsibleUnit', message: 'Die verantwortliche Organisationseinheit fehlt.' });
  measure.goalIds.forEach((g, i) => {
    if (!knownGoalIds.includes(g)) issues.push({ path: `goalIds[${i}]`, message: `Das Ziel ${g} gibt es nicht.` });
  });
  if (measure.traegerId !== null && !knownTraeger.includes(measure.traegerId)) issues.push({ path: 'traegerId', message: `Den Träger ${measure.traegerId} gibt es im Trägerverzeichnis nicht.` });
  if (measure.start !== null && measure.end !== null && measure.end < measure.start) issues.push({ path: 'end', message: 'Das Ende liegt vor dem Beginn.' });
  if (issues.length > 0) throw new GoalsRuleViolation('invalid', `Die Maßnahme „${measure.title}“ kann so nicht festgelegt werden.`, issues);
  if (state.current) {
    const { measureId: _m, revision: _r, reason: _a, ...before } = state.current;
    const { reason: _b, ...after } = measure;
    if (sameJson(before, after)) return [];
  }
  return [{ type: 'MeasureDefined', data: { measureId: state.measureId, revision: (state.current?.revision ?? 0) + 1, ...measure } }];
}

export interface TraegerState {
  exists: boolean;
  traegerId: string;
  current: TraegerData | null;
}

export function foldTraeger(traegerId: string, events: readonly TraegerEvent[], from?: TraegerState): TraegerState {
  let state: TraegerState = from ?? { exists: false, traegerId, current: null };
  for (const e of events) state = { ...state, exists: true, current: e.data };
  return state;
}

export type TraegerInput = Omit<TraegerData, 'traegerId' | 'revision'>;

export type TraegerCommand = { type: 'RecordTraeger'; data: { traeger: TraegerInput; sameNameAs: string | null }; metadata: CommandMetadata };

export const SPITZENVERBAENDE = ['AWO', 'Caritas', 'Diakonie', 'DRK', 'Paritätischer', 'ZWST'] as const;

export function decideTraeger(command: TraegerCommand, state: TraegerState): TraegerEvent[] {
  const { traeger, sameNameAs } = command.data;
  const issues: RuleIssue[] = [];
  if (traeger.name.trim() === '') issues.push({ path: 'name', message: 'Der Name des Trägers fehlt.' });
  if (traeger.legalForm.trim() === '') issues.push({ path: 'legalForm', message: 'Die Rechtsform fehlt (z. B. e.V., gGmbH, Stiftung).' });
  if (traeger.spitzenverband !== null && !(SPITZENVERBAENDE as readonly string[]).includes(traeger.spitzenverband)) {
    issues.push({ path: 'spitzenverband', message: `Unbekannter Spitzenverband „${traeger.spitzenverband}“; erwartet: ${SPITZENVERBAENDE.join(', ')} oder leer.` });
  }
  if (sameNameAs !== null && sameNameAs !== state.traegerId) issues.push({ path: 'name', message: `Einen Träger „${traeger.name}“ gibt es schon (${sameNameAs}).` });
  if (traeger.contact.email !== null && !/^[^\s@]+@[^\s@]+$/.test(traeger.contact.email)) issues.push({ path: 'contact.email', message: `„${traeger.contact.email}“ ist keine E-Mail-Adresse.` });
  if (issues.length > 0) throw new GoalsRuleViolation(sameNameAs !== null && issues.length === 1 ? 'conflict' : 'invalid', `Der Träger „${traeger.name}“ kann so nicht eingetragen werden.`, issues);
  if (state.current) {
    const { traegerId: _t, revision: _r, ...before } = state.current;
    if (sameJson(before, traeger)) return [];
  }
  return [{ type: 'TraegerRecorded', data: { traegerId: state.traegerId, revision: (state.current?.revision ?? 0) + 1, ...traeger } }];
}
