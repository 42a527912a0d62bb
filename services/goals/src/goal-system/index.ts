/**
 * `importGoalSystem`: loads a goal system written as a YAML or JSON file (format in format.ts,
 * documented in services/goals/README.md, "Zielsystem als Datei") into the goals service.
 *
 * All or nothing: the file is checked completely first (plan.ts); with any problem nothing is
 * written and every problem is returned with file, line and column. Then the commands the check
 * found to change something are issued in order: Träger, goals top-down (create or revise,
 * priority, targets, context indicators), measures, contracts (conclude, or amend when changed).
 * Ids derive from tenant and key, so importing the same file again writes nothing. What the
 * store has and the file does not (goals, targets, measures, Träger, contracts) is listed, never
 * retired or withdrawn: ending things is a decision of its own (API).
 *
 * Between check and write another user may change the same goal; the deciders then refuse or
 * the command retries on the new state. A write that fails after the check leaves the commands
 * before it applied; importing the file again completes the rest (it is idempotent).
 */
import { type Actor, goalFacts, type GoalsContext, runContractCommand, runGoalCommand, runMeasureCommand, runTraegerCommand } from '../application';
import type { AttainmentStatus } from '../domain/events';
import { COLLECTIONS, type GoalView } from '../projections';
import { type GoalSystemInput, type Plan, planGoalSystem } from './plan';
import type { Problem } from './source';

export { formatProblem, type Problem as GoalSystemProblem } from './source';
export type { GoalSystemInput } from './plan';

export interface ImportCounts {
  created: number;
  changed: number;
  unchanged: number;
}

export interface TargetOutcome {
  goalKey: string;
  targetKey: string;
  targetId: string;
  indicatorId: string;
  /** The verdict at the latest value received so far; null before the first value. */
  latest: { status: AttainmentStatus; periodEnd: string; actualValue: number | null; resolvedTargetValue: number } | null;
}

export interface ImportAccepted {
  accepted: true;
  tenant: string;
  fileName: string;
  /** The file's `titel`. */
  title: string | null;
  /** Events the import appended (without the attainment verdicts they triggered). */
  events: number;
  traeger: ImportCounts;
  goals: ImportCounts;
  targets: ImportCounts;
  measures: ImportCounts;
  contracts: ImportCounts;
  /** Key -> id of every entry of the file. */
  ids: { goals: Record<string, string>; traeger: Record<string, string>; measures: Record<string, string>; contracts: Record<string, string> };
  targetOutcomes: TargetOutcome[];
  notInFile: Plan['notInFile'];
  /** Hints that did not stop the import. */
  notes: string[];
}

export interface ImportRejected {
  accepted: false;
  tenant: string | null;
  fileName: string;
  /** Every problem, ordered by line. */
  problems: Problem[];
}

export type ImportSummary = ImportAccepted | ImportRejected;

function counts(entries: ReadonlyArray<{ existed: boolean; steps: readonly unknown[] }>): ImportCounts {
  return {
    created: entries.filter((e) => !e.existed).length,
    changed: entries.filter((e) => e.existed && e.steps.length > 0).length,
    unchanged: entries.filter((e) => e.existed && e.steps.length === 0).length,
  };
}

export async function importGoalSystem(ctx: GoalsContext, input: GoalSystemInput): Promise<ImportSummary> {
  const planned = await planGoalSystem(ctx, input);
  if (!planned.ok) return { accepted: false, tenant: planned.tenant, fileName: input.fileName, problems: planned.problems };
  const plan = planned.plan;
  const { tenant } = plan;
  const actor: Actor = input.actor;
  const at = { parent: null, now: plan.now };
  let events = 0;

  for (const t of plan.traeger) {
    for (const step of t.steps) events += (await runTraegerCommand(ctx, tenant, t.id, actor, () => step.command(at))).events.length;
  }
  for (const g of plan.goals) {
    for (const step of g.steps) {
      // The parent as the store has it now (written just before, when new in this file).
      const parent = g.parentGoalId === null ? null : await goalFacts(ctx, tenant, g.parentGoalId);
      if (g.parentGoalId !== null && parent === null) throw new Error(`Import von ${plan.fileName} unterbrochen: das Oberziel von „${g.key}“ fehlt im Zielsystem; die Datei erneut importieren.`);
      events += (await runGoalCommand(ctx, tenant, g.goalId, actor, () => step.command({ parent, now: plan.now }))).events.length;
    }
  }
  for (const m of plan.measures) {
    for (const step of m.steps) events += (await runMeasureCommand(ctx, tenant, m.id, actor, () => step.command(at))).events.length;
  }
  for (const v of plan.contracts) {
    for (const step of v.steps) events += (await runContractCommand(ctx, tenant, v.id, actor, () => step.command(at))).events.length;
  }

  const targetOutcomes: TargetOutcome[] = [];
  for (const g of plan.goals) {
    if (g.targets.length === 0) continue;
    const view = await ctx.documents.get<GoalView>(COLLECTIONS.goals, `${tenant}|${g.goalId}`);
    for (const t of g.targets) {
      const latest = view?.targets.find((x) => x.targetId === t.targetId)?.latest ?? null;
      targetOutcomes.push({
        goalKey: g.key,
        targetKey: t.key,
        targetId: t.targetId,
        indicatorId: t.indicatorId,
        latest: latest ? { status: latest.status, periodEnd: latest.period.end, actualValue: latest.actualValue, resolvedTargetValue: latest.resolvedTargetValue } : null,
      });
    }
  }
  const allTargets = plan.goals.flatMap((g) => g.targets);
  const byKey = <T extends { key: string }>(entries: readonly T[], id: (e: T) => string) => Object.fromEntries(entries.map((e) => [e.key, id(e)]));
  return {
    accepted: true,
    tenant,
    fileName: plan.fileName,
    title: plan.title,
    events,
    traeger: counts(plan.traeger),
    goals: counts(plan.goals),
    targets: {
      created: allTargets.filter((t) => t.status === 'created').length,
      changed: allTargets.filter((t) => t.status === 'changed').length,
      unchanged: allTargets.filter((t) => t.status === 'unchanged').length,
    },
    measures: counts(plan.measures),
    contracts: counts(plan.contracts),
    ids: { goals: byKey(plan.goals, (g) => g.goalId), traeger: byKey(plan.traeger, (t) => t.id), measures: byKey(plan.measures, (m) => m.id), contracts: byKey(plan.contracts, (v) => v.id) },
    targetOutcomes,
    notInFile: plan.notInFile,
    notes: plan.notes,
  };
}
