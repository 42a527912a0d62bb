/**
 * Read models of the goals service (document store), written after every command from the
 * aggregate's new state and the events it produced: the goal tree with attainment, contracts with
 * their open duties, reports, measures, the Träger register, and the indicator values the
 * attainment is judged on.
 */
import type { DocumentStore, DocumentWrite } from '@lagebild/platform';
import { allObligations, type ContractState, contractEnd, currentTerms, type Obligation } from './domain/contracts';
import type { AttainmentData, ContractEvent, ContractTerms, GoalEvent, GoalLevel, MeasureData, ReportData, TraegerData } from './domain/events';
import type { GoalContent, GoalState, TargetState } from './domain/goals';
import type { MeasureState, TraegerState } from './domain/register';

export const COLLECTIONS = {
  goals: 'goals.goals',
  attainment: 'goals.attainment',
  targetIndex: 'goals.target-index',
  contracts: 'goals.contracts',
  reports: 'goals.reports',
  measures: 'goals.measures',
  traeger: 'goals.traeger',
  traegerUsers: 'goals.traeger-users',
  values: 'goals.values',
  valueSchemes: 'goals.value-schemes',
  indicators: 'goals.indicators',
  /** Data migrations done in this data directory (key: migration name). */
  migrations: 'goals.migrations',
} as const;

export interface TargetView extends Omit<TargetState, 'evaluations'> {
  /** The verdict at the latest evaluated period, null before the first value. */
  latest: AttainmentData | null;
}

export interface GoalView extends GoalContent {
  tenant: string;
  goalId: string;
  level: GoalLevel;
  derivation: string | null;
  priority: number | null;
  revision: number;
  retired: GoalState['retired'];
  targets: TargetView[];
  contextIndicators: GoalState['contextIndicators'];
}

/**
 * One computed value of an indicator for one area and period, as targets are judged on it (key:
 * tenant|indicator|scheme|area|periodEnd; the area `@gesamt` is the scheme's total). One document
 * per value, so a computation writes what it computed and never rewrites a series (a series
 * document per area grew with every period and was rewritten with every batch: quadratic in the
 * number of periods). A series is the range under its prefix, in period order.
 */
export interface ValuePointDoc {
  tenant: string;
  indicatorId: string;
  schemeId: string;
  areaCode: string;
  /** The period's end day. */
  end: string;
  kind: 'STICHTAG' | 'ZEITRAUM';
  start: string;
  value: number | null;
  suppressed: boolean;
  computationId: string;
  formulaVersion: number;
}

export async function projectGoal(documents: DocumentStore, tenant: string, state: GoalState, events: readonly GoalEvent[]): Promise<void> {
  const key = `${tenant}|${state.goalId}`;
  const before = await documents.get<GoalView>(COLLECTIONS.goals, key);
  const latest = new Map<string, AttainmentData | null>((before?.targets ?? []).map((t) => [t.targetId, t.latest]));
  const writes: DocumentWrite[] = [];
  for (const e of events) {
    if (e.type === 'TargetValueSet') latest.set(e.data.targetId, null);
    if (e.type === 'TargetAttainmentEvaluated') {
      const d = e.data;
      writes.push({ collection: COLLECTIONS.attainment, key: `${tenant}|${state.goalId}|${d.targetId}|${d.period.end}`, doc: { tenant, ...d } });
      const current = latest.get(d.targetId);
      if (!current || current.period.end <= d.period.end) latest.set(d.targetId, d);
    }
  }
  const view: GoalView = {
    ...state.content,
    tenant,
    goalId: state.goalId,
    level: state.level,
    derivation: state.derivation,
    priority: state.priority,
    revision: state.revision,
    retired: state.retired,
    targets: Object.values(state.targets).map(({ evaluations: _e, ...t }) => ({ ...t, latest: latest.get(t.targetId) ?? null })),
    contextIndicators: state.contextIndicators,
  };
  writes.push({ collection: COLLECTIONS.goals, key, doc: view });

  // Which targets a value of an indicator concerns: kept per tenant and indicator.
  const touched = new Set<string>();
  for (const t of before?.targets ?? []) touched.add(t.indicatorId);
  for (const t of Object.values(state.targets)) touched.add(t.indicatorId);
  for (const indicatorId of touched) {
    const indexKey = `${tenant}|${indicatorId}`;
    const index = (await documents.get<{ targets: Array<{ goalId: string; targetId: string }> }>(COLLECTIONS.targetIndex, indexKey)) ?? { targets: [] };
    const others = index.targets.filter((t) => t.goalId !== state.goalId);
    const mine = state.retired ? [] : Object.values(state.targets).filter((t) => t.indicatorId === indicatorId).map((t) => ({ goalId: state.goalId, targetId: t.targetId }));
    writes.push({ collection: COLLECTIONS.targetIndex, key: indexKey, doc: { targets: [...others, ...mine] } });
  }
  await documents.write(writes);
}

export interface ContractView {
  tenant: string;
  contractId: string;
  version: number;
  terms: ContractTerms;
  versions: Array<{ version: number; effectiveFrom: string; reason: string | null }>;
  terminated: ContractState['terminated'];
  /** Last day the contract applies, null when open-ended. */
  effectiveEnd: string | null;
  obligations: Obligation[];
  /** Reporting periods ended by the last projection (the scheduler's catch-up check). */
  expectedObligations: number;
  openDuties: number;
  overdueDuties: number;
}

export interface ReportView extends ReportData {
  tenant: string;
  submittedAt: string;
}

export async function projectContract(documents: DocumentStore, tenant: string, state: ContractState, events: readonly ContractEvent[], now: string): Promise<void> {
  const today = now.slice(0, 10);
  const obligations = Object.values(state.obligations).sort((a, b) => (a.period.start === b.period.start ? (a.dutyId < b.dutyId ? -1 : 1) : a.period.start < b.period.start ? -1 : 1));
  const last = state.versions.at(-1);
  const view: ContractView = {
    tenant,
    contractId: state.contractId,
    version: last?.version ?? 0,
    terms: currentTerms(state),
    versions: state.versions.map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom, reason: v.reason })),
    terminated: state.terminated,
    effectiveEnd: contractEnd(state),
    obligations,
    expectedObligations: allObligations(state, today).filter((o) => o.period.end < today).length,
    openDuties: obligations.filter((o) => o.status !== 'fulfilled').length,
    overdueDuties: obligations.filter((o) => o.status === 'overdue').length,
  };
  const writes: DocumentWrite[] = [{ collection: COLLECTIONS.contracts, key: `${tenant}|${state.contractId}`, doc: view }];
  for (const e of events) {
    if (e.type === 'TraegerReportSubmitted') {
      const report: ReportView = { ...e.data, tenant, submittedAt: now };
      writes.push({ collection: COLLECTIONS.reports, key: `${tenant}|${state.contractId}|${e.data.dutyId}|${e.data.period.start}`, doc: report });
    }
  }
  await documents.write(writes);
}

export interface MeasureView extends MeasureData {
  tenant: string;
  ended: MeasureState['ended'];
}

export async function projectMeasure(documents: DocumentStore, tenant: string, state: MeasureState): Promise<void> {
  if (!state.current) return;
  const view: MeasureView = { ...state.current, tenant, ended: state.ended };
  await documents.put(COLLECTIONS.measures, `${tenant}|${state.measureId}`, view);
}

export interface TraegerView extends TraegerData {
  tenant: string;
}

export async function projectTraeger(documents: DocumentStore, tenant: string, state: TraegerState): Promise<void> {
  if (!state.current) return;
  await documents.put<TraegerView>(COLLECTIONS.traeger, `${tenant}|${state.traegerId}`, { ...state.current, tenant });
}

export async function listByTenant<T>(documents: DocumentStore, collection: string, tenant: string): Promise<T[]> {
  return (await documents.scan<T>(collection, { prefix: `${tenant}|` })).map((e) => e.doc);
}
