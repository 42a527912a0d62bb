/**
 * The events of the goals context. Every one is an integration event (contracts/schemas/goals):
 * the warehouse projects goal tree, targets, attainment, contracts and duties from them, and the
 * budget service commits contract grants. The types are generated from the Avro schemas, so a
 * schema change the deciders do not follow fails the build.
 */
import type {
  Complete,
  ContractAmended,
  ContractConcluded,
  ContractTerminated,
  GoalContextIndicatorsSet,
  GoalCreated,
  GoalDerived,
  GoalPrioritised,
  GoalRetired,
  GoalRevised,
  MeasureDefined,
  MeasureEnded,
  ReportingObligationDue,
  ReportingObligationFulfilled,
  ReportingObligationOverdue,
  TargetAttainmentEvaluated,
  TargetValueSet,
  TargetWithdrawn,
  TraegerRecorded,
  TraegerReportSubmitted,
} from '@lagebild/contracts';

type E<T extends string, D> = { type: T; data: Complete<D> };

export type GoalEvent =
  | E<'GoalCreated', GoalCreated>
  | E<'GoalDerived', GoalDerived>
  | E<'GoalRevised', GoalRevised>
  | E<'GoalPrioritised', GoalPrioritised>
  | E<'GoalRetired', GoalRetired>
  | E<'GoalContextIndicatorsSet', GoalContextIndicatorsSet>
  | E<'TargetValueSet', TargetValueSet>
  | E<'TargetWithdrawn', TargetWithdrawn>
  | E<'TargetAttainmentEvaluated', TargetAttainmentEvaluated>;

export type ContractEvent =
  | E<'ContractConcluded', ContractConcluded>
  | E<'ContractAmended', ContractAmended>
  | E<'ContractTerminated', ContractTerminated>
  | E<'TraegerReportSubmitted', TraegerReportSubmitted>
  | E<'ReportingObligationDue', ReportingObligationDue>
  | E<'ReportingObligationFulfilled', ReportingObligationFulfilled>
  | E<'ReportingObligationOverdue', ReportingObligationOverdue>;

export type MeasureEvent = E<'MeasureDefined', MeasureDefined> | E<'MeasureEnded', MeasureEnded>;

export type TraegerEvent = E<'TraegerRecorded', TraegerRecorded>;

export type GoalsContextEvent = GoalEvent | ContractEvent | MeasureEvent | TraegerEvent;

export type GoalLevel = GoalCreated['level'];
export type GoalField = GoalCreated['field'];
export type Decision = NonNullable<Complete<GoalCreated>['decision']>;
export type SpatialScope = NonNullable<Complete<GoalCreated>['spatialScope']>;
export type ReferencePeriod = Complete<TargetAttainmentEvaluated>['period'];
export type TargetKind = TargetValueSet['targetKind'];
export type Comparator = TargetValueSet['comparator'];
export type AttainmentStatus = TargetAttainmentEvaluated['status'];
export type AttainmentData = Complete<TargetAttainmentEvaluated>;
export type TargetData = Complete<TargetValueSet>;
export type ContractTerms = Omit<Complete<ContractConcluded>, 'contractId' | 'version'>;
export type ReportData = Complete<TraegerReportSubmitted>;
export type MeasureData = Complete<MeasureDefined>;
export type TraegerData = Complete<TraegerRecorded>;
export type PreventionClass = MeasureDefined['prevention'] & string;
export type ApproachClass = MeasureDefined['approach'] & string;

export const STREAM = {
  goal: (id: string) => `goal-${id}`,
  contract: (id: string) => `contract-${id}`,
  measure: (id: string) => `measure-${id}`,
  traeger: (id: string) => `traeger-${id}`,
} as const;

export interface CommandMetadata {
  /** ISO instant of the command: the clock is read by the caller, never by a decider. */
  now: string;
}

export interface RuleIssue {
  /** Field or entry the issue is about, e.g. `targets[2].deadline`. */
  path?: string;
  message: string;
}

export type GoalsErrorCode = 'not-found' | 'conflict' | 'invalid' | 'retired' | 'forbidden';

/** A refusal of a decider, in German, with every reason at once. Routes map `code` to a status. */
export class GoalsRuleViolation extends Error {
  override readonly name = 'GoalsRuleViolation';
  constructor(
    readonly code: GoalsErrorCode,
    readonly detail: string,
    readonly issues: readonly RuleIssue[] = [],
  ) {
    super(issues.length > 0 ? `${detail}\n${issues.map((i) => `- ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}` : detail);
  }
}

/** `2024-12-31` -> `31.12.2024`. */
export function germanDate(day: string): string {
  const [y, m, d] = day.split('-');
  return `${d}.${m}.${y}`;
}

export function dayOf(instant: string): string {
  return instant.slice(0, 10);
}

/** Days between two ISO days (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Deep equality of JSON-like values, independent of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
