/**
 * The goals service's application layer: load an aggregate's stream, fold, decide, append with
 * the expected version (retrying when someone else appended in between), then update the read
 * models. Used by the HTTP routes, the goal-system file import, the consumer of indicator values
 * and the reporting scheduler.
 */
import { randomUUID } from 'node:crypto';
import { currentTraceparent, type DocumentStore, type DocumentWrite, type EventStore, isWrongExpectedVersionError, type Logger, suggestNames, withSpan } from '@lagebild/platform';
import { evaluateTarget, type SeriesPoint } from './domain/attainment';
import { type ContractCommand, type ContractState, decideContract, evolveContract, foldContract } from './domain/contracts';
import {
  type AttainmentData,
  type ContractEvent,
  type GoalEvent,
  type GoalsContextEvent,
  GoalsRuleViolation,
  type MeasureEvent,
  STREAM,
  type TraegerEvent,
  dayOf,
} from './domain/events';
import { decideGoal, evolveGoal, foldGoal, type GoalCommand, type GoalFacts, type GoalState, type IndicatorFacts, type TargetState } from './domain/goals';
import { decideMeasure, decideTraeger, foldMeasure, foldTraeger, type MeasureCommand, type MeasureState, type TraegerCommand, type TraegerState } from './domain/register';
import { COLLECTIONS, projectContract, projectGoal, projectMeasure, projectTraeger, type ContractView, type GoalView, type ValuePointDoc } from './projections';

export interface GoalsContext {
  eventStore: EventStore;
  documents: DocumentStore;
  logger?: Logger;
  /** The shell's clock (deciders get time with the command). @default system clock */
  now?: () => Date;
}

export interface Actor {
  /** `user:<sub>` or `system:<component>`. */
  subject: string;
  correlationId?: string;
  causationId?: string | null;
}

const MAX_ATTEMPTS = 5;

export function nowOf(ctx: GoalsContext): string {
  return (ctx.now?.() ?? new Date()).toISOString();
}

interface Loaded<S> {
  state: S;
  version: number;
  tenant: string | null;
}

async function load<S, E>(ctx: GoalsContext, stream: string, fold: (events: E[]) => S): Promise<Loaded<S>> {
  const stored = await ctx.eventStore.readStream(stream);
  return { state: fold(stored.map((e) => ({ type: e.type, data: e.data }) as E)), version: stored.at(-1)?.version ?? 0, tenant: stored[0]?.metadata.tenant ?? null };
}

interface Outcome<S, E> {
  state: S;
  events: E[];
  tenant: string;
}

/**
 * One command on one aggregate. `tenant` is the caller's tenant: an existing aggregate of another
 * tenant is reported as not found (never as forbidden: its existence is not the caller's business).
 */
async function execute<S, E extends GoalsContextEvent, C>(
  ctx: GoalsContext,
  spec: { stream: string; tenant: string; fold: (events: E[]) => S; decide: (command: C, state: S) => E[]; evolve: (state: S, events: E[]) => S; notFound: string },
  actor: Actor,
  build: (state: S) => C | Promise<C>,
  project: (state: S, tenant: string, events: E[]) => Promise<void>,
): Promise<Outcome<S, E>> {
  return withSpan('goals.command', { 'lagebild.stream': spec.stream }, async () => {
    for (let attempt = 1; ; attempt += 1) {
      const { state, version, tenant } = await load(ctx, spec.stream, spec.fold);
      if (tenant !== null && tenant !== spec.tenant) throw new GoalsRuleViolation('not-found', spec.notFound);
      const command = await build(state);
      const events = spec.decide(command, state);
      if (events.length === 0) return { state, events, tenant: spec.tenant };
      const metadata = {
        tenant: spec.tenant,
        occurredAt: nowOf(ctx),
        actor: actor.subject,
        correlationId: actor.correlationId ?? randomUUID(),
        causationId: actor.causationId ?? null,
        traceparent: currentTraceparent(),
      };
      try {
        await ctx.eventStore.appendToStream(
          spec.stream,
          events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata })),
          { expectedVersion: version === 0 ? 'no_stream' : version },
        );
      } catch (error) {
        if (isWrongExpectedVersionError(error) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      const after = spec.evolve(state, events);
      await project(after, spec.tenant, events);
      return { state: after, events, tenant: spec.tenant };
    }
  });
}

// ---- goals ----

const goalSpec = (goalId: string, tenant: string) => ({
  stream: STREAM.goal(goalId),
  tenant,
  fold: (events: GoalEvent[]) => foldGoal(goalId, events),
  decide: decideGoal,
  evolve: (state: GoalState, events: GoalEvent[]) => events.reduce(evolveGoal, state),
  notFound: `Das Ziel ${goalId} gibt es nicht.`,
});

export async function loadGoal(ctx: GoalsContext, goalId: string): Promise<Loaded<GoalState>> {
  return load(ctx, STREAM.goal(goalId), (events: GoalEvent[]) => foldGoal(goalId, events));
}

/** Facts about a goal for commands on other goals (parent, successor); null when absent or foreign. */
export async function goalFacts(ctx: GoalsContext, tenant: string, goalId: string): Promise<GoalFacts | null> {
  const view = await ctx.documents.get<GoalView>(COLLECTIONS.goals, `${tenant}|${goalId}`);
  if (!view) return null;
  const ancestors: string[] = [];
  let parent = view.parentGoalId;
  while (parent !== null && !ancestors.includes(parent)) {
    ancestors.push(parent);
    const p = await ctx.documents.get<GoalView>(COLLECTIONS.goals, `${tenant}|${parent}`);
    parent = p?.parentGoalId ?? null;
  }
  return { goalId, tenant, level: view.level, retired: view.retired !== null, horizon: view.horizon, ancestors };
}

export async function indicatorFacts(ctx: GoalsContext, tenant: string, indicatorId: string): Promise<IndicatorFacts> {
  for (const scope of [tenant, tenant.slice(0, 5), '00000']) {
    if (await ctx.documents.get(COLLECTIONS.indicators, `${scope}|${indicatorId}`)) return { indicatorId, known: true };
  }
  const known = (await ctx.documents.scan<{ indicatorId: string; scope: string }>(COLLECTIONS.indicators)).map((e) => e.doc).filter((d) => d.scope === '00000' || d.scope === tenant);
  return { indicatorId, known: false, suggestions: suggestNames(indicatorId, known.map((d) => d.indicatorId)) };
}

export async function runGoalCommand(ctx: GoalsContext, tenant: string, goalId: string, actor: Actor, build: (state: GoalState) => GoalCommand | Promise<GoalCommand>): Promise<Outcome<GoalState, GoalEvent>> {
  const outcome = await execute(ctx, goalSpec(goalId, tenant), actor, build, (state, t, events) => projectGoal(ctx.documents, t, state, events));
  // A new or changed target is judged at once against the values already received.
  const changedTargets = outcome.events.filter((e) => e.type === 'TargetValueSet').map((e) => (e.type === 'TargetValueSet' ? e.data.targetId : ''));
  if (changedTargets.length > 0) await evaluateStoredValues(ctx, tenant, goalId, changedTargets, { subject: 'system:goals-attainment', correlationId: actor.correlationId });
  return outcome;
}

// ---- attainment ----

/** Key of the value series of a target: its area, or the scheme's total when it has none. */
export const TOTAL_AREA = '@gesamt';

export function seriesKey(tenant: string, indicatorId: string, schemeId: string, areaCode: string | null): string {
  return `${tenant}|${indicatorId}|${schemeId}|${areaCode ?? TOTAL_AREA}`;
}

/** The scheme a target is read in: its own, the goal's scope's, else the latest the tenant has data in. */
async function schemeOfTarget(ctx: GoalsContext, tenant: string, goal: GoalState, target: TargetState): Promise<string | null> {
  const own = target.schemeId ?? goal.content.spatialScope?.schemeId ?? null;
  if (own) return own;
  const schemes = await ctx.documents.get<{ schemes: Array<{ schemeId: string; lastPeriodEnd: string }> }>(COLLECTIONS.valueSchemes, `${tenant}|${target.indicatorId}`);
  const sorted = [...(schemes?.schemes ?? [])].sort((a, b) => (a.lastPeriodEnd < b.lastPeriodEnd ? 1 : -1));
  return sorted[0]?.schemeId ?? null;
}

/** The area a target is about: its own, the goal's single scope area, else the total. */
export function areaOfTarget(goal: GoalState, target: TargetState): string | null {
  if (target.areaCode) return target.areaCode;
  const scope = goal.content.spatialScope;
  return scope && scope.areaCodes.length === 1 ? (scope.areaCodes[0] as string) : null;
}

/** Key of one value of a series (the period's end day sorts a series in period order). */
export function pointKey(series: string, periodEnd: string): string {
  return `${series}|${periodEnd}`;
}

/** The series of a target's indicator in one area, in period order. */
async function seriesOf(ctx: GoalsContext, key: string): Promise<SeriesPoint[]> {
  const entries = await ctx.documents.scan<ValuePointDoc>(COLLECTIONS.values, { prefix: `${key}|` });
  return entries.map(({ doc: p }) => ({ period: { kind: p.kind, start: p.start, end: p.end }, value: p.value, suppressed: p.suppressed, computationId: p.computationId }));
}

/** The end of the latest period with a value (not suppressed to nothing, not uncomputable), per indicator of a tenant. */
export async function lastValueByIndicator(documents: DocumentStore, tenant: string): Promise<Map<string, string>> {
  const last = new Map<string, string>();
  for (const { doc } of await documents.scan<ValuePointDoc>(COLLECTIONS.values, { prefix: `${tenant}|` })) {
    if (doc.value !== null && (last.get(doc.indicatorId) ?? '') < doc.end) last.set(doc.indicatorId, doc.end);
  }
  return last;
}

const VALUE_POINTS_MIGRATION = 'value-points';

/**
 * Rewrites value series stored by an earlier version (one document per area with every period
 * in it, key tenant|indicator|scheme|area) as one document per value. Run at start; once done, a
 * marker document says so and later starts skip the scan. Returns the number of series rewritten.
 */
export async function migrateValueSeries(documents: DocumentStore): Promise<number> {
  if (await documents.get(COLLECTIONS.migrations, VALUE_POINTS_MIGRATION)) return 0;
  interface OldSeries {
    tenant: string;
    indicatorId: string;
    schemeId: string;
    areaCode: string;
    points: Record<string, Omit<ValuePointDoc, 'tenant' | 'indicatorId' | 'schemeId' | 'areaCode' | 'end'>>;
  }
  let migrated = 0;
  let writes: DocumentWrite[] = [];
  for (const { key, doc } of await documents.scan<OldSeries | ValuePointDoc>(COLLECTIONS.values, {})) {
    if (!('points' in doc)) continue;
    for (const [end, p] of Object.entries(doc.points)) {
      writes.push({ collection: COLLECTIONS.values, key: pointKey(key, end), doc: { tenant: doc.tenant, indicatorId: doc.indicatorId, schemeId: doc.schemeId, areaCode: doc.areaCode, end, ...p } satisfies ValuePointDoc });
    }
    writes.push({ collection: COLLECTIONS.values, key, doc: null });
    migrated += 1;
    if (writes.length >= 10_000) {
      await documents.write(writes);
      writes = [];
    }
  }
  writes.push({ collection: COLLECTIONS.migrations, key: VALUE_POINTS_MIGRATION, doc: { done: true, series: migrated } });
  await documents.write(writes);
  return migrated;
}

async function evaluationsFor(ctx: GoalsContext, tenant: string, goal: GoalState, targetIds: readonly string[], onlyPeriodEnds: ReadonlySet<string> | null): Promise<AttainmentData[]> {
  const out: AttainmentData[] = [];
  for (const targetId of targetIds) {
    const target = goal.targets[targetId];
    if (!target) continue;
    const schemeId = await schemeOfTarget(ctx, tenant, goal, target);
    if (!schemeId) continue;
    const series = await seriesOf(ctx, seriesKey(tenant, target.indicatorId, schemeId, areaOfTarget(goal, target)));
    const baselineEnd = target.baseline?.period.end ?? null;
    const candidates = series
      .filter((p) => (baselineEnd === null || p.period.end > baselineEnd) && (onlyPeriodEnds === null || onlyPeriodEnds.has(p.period.end)))
      .sort((a, b) => (a.period.end < b.period.end ? -1 : 1));
    for (const at of candidates) out.push({ ...evaluateTarget(goal.goalId, target, series, at), areaCode: areaOfTarget(goal, target) });
  }
  return out;
}

async function recordEvaluations(ctx: GoalsContext, tenant: string, goalId: string, actor: Actor, compute: (goal: GoalState) => Promise<AttainmentData[]>): Promise<number> {
  const outcome = await execute(
    ctx,
    goalSpec(goalId, tenant),
    actor,
    async (state) => ({ type: 'RecordAttainment' as const, data: { evaluations: await compute(state) }, metadata: { now: nowOf(ctx) } }),
    (state, t, events) => projectGoal(ctx.documents, t, state, events),
  );
  return outcome.events.length;
}

export async function evaluateStoredValues(ctx: GoalsContext, tenant: string, goalId: string, targetIds: readonly string[], actor: Actor): Promise<number> {
  return recordEvaluations(ctx, tenant, goalId, actor, (goal) => evaluationsFor(ctx, tenant, goal, targetIds, null));
}

export interface ValuesBatch {
  tenant: string;
  indicatorId: string;
  schemeId: string;
  computationId: string;
  formulaVersion: number;
  values: ReadonlyArray<{ areaCode: string; unitType: string | null; period: { kind: 'STICHTAG' | 'ZEITRAUM'; start: string; end: string }; value: number | null; status: string }>;
}

/**
 * Keeps the values of a RAW IndicatorValuesComputed batch as series per area, then judges every
 * target on the indicator at each new value. Returns the number of verdicts recorded.
 */
export async function receiveValues(ctx: GoalsContext, batch: ValuesBatch, causationId: string | null): Promise<number> {
  // One document per value (a later value of the same area and period in the batch wins).
  const points = new Map<string, DocumentWrite>();
  let lastPeriodEnd = '';
  for (const v of batch.values) {
    const suppressed = v.status === 'SUPPRESSED_PRIMARY' || v.status === 'SUPPRESSED_SECONDARY';
    const areas = v.unitType === 'Gesamt' ? [v.areaCode, TOTAL_AREA] : [v.areaCode];
    for (const areaCode of areas) {
      const key = pointKey(seriesKey(batch.tenant, batch.indicatorId, batch.schemeId, areaCode), v.period.end);
      const doc: ValuePointDoc = {
        tenant: batch.tenant,
        indicatorId: batch.indicatorId,
        schemeId: batch.schemeId,
        areaCode,
        end: v.period.end,
        kind: v.period.kind,
        start: v.period.start,
        value: v.status === 'NOT_COMPUTABLE' ? null : v.value,
        suppressed,
        computationId: batch.computationId,
        formulaVersion: batch.formulaVersion,
      };
      points.set(key, { collection: COLLECTIONS.values, key, doc });
    }
    if (v.period.end > lastPeriodEnd) lastPeriodEnd = v.period.end;
  }
  const writes: DocumentWrite[] = [...points.values()];
  const schemesKey = `${batch.tenant}|${batch.indicatorId}`;
  const schemes = (await ctx.documents.get<{ schemes: Array<{ schemeId: string; lastPeriodEnd: string }> }>(COLLECTIONS.valueSchemes, schemesKey)) ?? { schemes: [] };
  const entry = schemes.schemes.find((s) => s.schemeId === batch.schemeId);
  if (!entry) schemes.schemes.push({ schemeId: batch.schemeId, lastPeriodEnd });
  else if (lastPeriodEnd > entry.lastPeriodEnd) entry.lastPeriodEnd = lastPeriodEnd;
  writes.push({ collection: COLLECTIONS.valueSchemes, key: schemesKey, doc: schemes });
  await ctx.documents.write(writes);

  const index = await ctx.documents.get<{ targets: Array<{ goalId: string; targetId: string }> }>(COLLECTIONS.targetIndex, `${batch.tenant}|${batch.indicatorId}`);
  if (!index || index.targets.length === 0) return 0;
  const periodEnds = new Set(batch.values.map((v) => v.period.end));
  const byGoal = new Map<string, string[]>();
  for (const t of index.targets) byGoal.set(t.goalId, [...(byGoal.get(t.goalId) ?? []), t.targetId]);
  let recorded = 0;
  for (const [goalId, targetIds] of byGoal) {
    recorded += await recordEvaluations(ctx, batch.tenant, goalId, { subject: 'system:goals-attainment', causationId }, async (goal) =>
      (await evaluationsFor(ctx, batch.tenant, goal, targetIds, periodEnds)).filter((e) => e.computationId === batch.computationId || e.actualValue === null),
    );
  }
  return recorded;
}

// ---- contracts ----

const contractSpec = (contractId: string, tenant: string) => ({
  stream: STREAM.contract(contractId),
  tenant,
  fold: (events: ContractEvent[]) => foldContract(contractId, events),
  decide: decideContract,
  evolve: (state: ContractState, events: ContractEvent[]) => events.reduce(evolveContract, state),
  notFound: `Den Vertrag ${contractId} gibt es nicht.`,
});

export async function runContractCommand(ctx: GoalsContext, tenant: string, contractId: string, actor: Actor, build: (state: ContractState) => ContractCommand | Promise<ContractCommand>): Promise<Outcome<ContractState, ContractEvent>> {
  return execute(ctx, contractSpec(contractId, tenant), actor, build, (state, t, events) => projectContract(ctx.documents, t, state, events, nowOf(ctx)));
}

export async function loadContract(ctx: GoalsContext, contractId: string): Promise<Loaded<ContractState>> {
  return load(ctx, STREAM.contract(contractId), (events: ContractEvent[]) => foldContract(contractId, events));
}

/**
 * The reporting scheduler's round: every contract of every tenant is told today's date and
 * emits what became due or overdue. Contracts that ended more than a year before today are
 * skipped once nothing is open.
 */
export async function advanceClock(ctx: GoalsContext, today = dayOf(nowOf(ctx))): Promise<{ contracts: number; events: number }> {
  const contracts = await ctx.documents.scan<ContractView>(COLLECTIONS.contracts);
  let events = 0;
  for (const { doc } of contracts) {
    const end = doc.effectiveEnd;
    if (end !== null && end < today && doc.obligations.every((o) => o.status === 'fulfilled') && allObligationsCovered(doc)) continue;
    const outcome = await runContractCommand(ctx, doc.tenant, doc.contractId, { subject: 'system:goals-scheduler' }, () => ({ type: 'AdvanceClock', data: { today }, metadata: { now: nowOf(ctx) } }));
    events += outcome.events.length;
  }
  return { contracts: contracts.length, events };
}

function allObligationsCovered(doc: ContractView): boolean {
  return doc.expectedObligations <= doc.obligations.length;
}


// ---- measures and Träger ----

export async function runMeasureCommand(ctx: GoalsContext, tenant: string, measureId: string, actor: Actor, build: (state: MeasureState) => MeasureCommand | Promise<MeasureCommand>): Promise<Outcome<MeasureState, MeasureEvent>> {
  return execute(
    ctx,
    {
      stream: STREAM.measure(measureId),
      tenant,
      fold: (events: MeasureEvent[]) => foldMeasure(measureId, events),
      decide: decideMeasure,
      evolve: (state: MeasureState, events: MeasureEvent[]) => foldMeasure(measureId, events, state),
      notFound: `Die Maßnahme ${measureId} gibt es nicht.`,
    },
    actor,
    build,
    (state, t) => projectMeasure(ctx.documents, t, state),
  );
}

export async function runTraegerCommand(ctx: GoalsContext, tenant: string, traegerId: string, actor: Actor, build: (state: TraegerState) => TraegerCommand | Promise<TraegerCommand>): Promise<Outcome<TraegerState, TraegerEvent>> {
  return execute(
    ctx,
    {
      stream: STREAM.traeger(traegerId),
      tenant,
      fold: (events: TraegerEvent[]) => foldTraeger(traegerId, events),
      decide: decideTraeger,
      evolve: (state: TraegerState, events: TraegerEvent[]) => foldTraeger(traegerId, events, state),
      notFound: `Den Träger ${traegerId} gibt es nicht.`,
    },
    actor,
    build,
    (state, t) => projectTraeger(ctx.documents, t, state),
  );
}
