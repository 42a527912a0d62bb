/**
 * Consistency checks of a tenant's goal system, the questions Sozialplanung asks before a
 * Zielvereinbarungsgespräch or a report: goals without indicators, targets without deadlines,
 * children contradicting their parents, indicators whose data never arrive, measures without
 * goals. Pure: works on the read models handed in.
 */
import { germanDate } from './events';
import { LEVEL_NAMES } from './goals';

export interface CheckedGoal {
  goalId: string;
  title: string;
  level: keyof typeof LEVEL_NAMES;
  parentGoalId: string | null;
  smart: boolean;
  horizon: string | null;
  spatialScope: { schemeId: string; areaCodes: string[] } | null;
  retired: unknown;
  targets: ReadonlyArray<{ targetId: string; indicatorId: string; deadline: string; comparator: 'AT_LEAST' | 'AT_MOST' }>;
  contextIndicators: ReadonlyArray<{ indicatorId: string }>;
}

export interface CheckedMeasure {
  measureId: string;
  title: string;
  goalIds: readonly string[];
  ended: unknown;
}

export type FindingKind =
  | 'ziel-ohne-kennzahl'
  | 'smart-ohne-zielwert'
  | 'ohne-termin'
  | 'termin-nach-horizont'
  | 'horizont-nach-oberziel'
  | 'gebiet-ausserhalb-oberziel'
  | 'richtung-widerspricht-oberziel'
  | 'oberziel-beendet'
  | 'ohne-oberziel'
  | 'keine-daten'
  | 'daten-veraltet'
  | 'massnahme-ohne-ziel';

export interface ConsistencyFinding {
  kind: FindingKind;
  severity: 'fehler' | 'hinweis';
  goalId?: string;
  measureId?: string;
  indicatorId?: string;
  message: string;
}

export interface ConsistencyInput {
  goals: readonly CheckedGoal[];
  measures: readonly CheckedMeasure[];
  /** Latest period end with a value, per indicator id the tenant has data for. */
  lastValueOf: ReadonlyMap<string, string>;
  today: string;
  /** Data older than this many days counts as stale. @default 730 (two years) */
  staleAfterDays?: number;
}

export function checkConsistency(input: ConsistencyInput): ConsistencyFinding[] {
  const findings: ConsistencyFinding[] = [];
  const live = input.goals.filter((g) => !g.retired);
  const byId = new Map(input.goals.map((g) => [g.goalId, g]));
  const hasChildren = new Set(live.map((g) => g.parentGoalId).filter((p): p is string => p !== null));
  const staleDays = input.staleAfterDays ?? 730;
  const staleBefore = new Date(Date.parse(`${input.today}T00:00:00Z`) - staleDays * 86_400_000).toISOString().slice(0, 10);

  for (const g of live) {
    const name = `„${g.title}“`;
    if (g.smart && g.targets.length === 0) {
      findings.push({ kind: 'smart-ohne-zielwert', severity: 'fehler', goalId: g.goalId, message: `${name} ist als SMART-Ziel angelegt, hat aber keinen Zielwert mit Kennzahl und Termin.` });
    } else if (g.level !== 'LEITBILD' && g.targets.length === 0 && g.contextIndicators.length === 0 && !hasChildren.has(g.goalId)) {
      findings.push({ kind: 'ziel-ohne-kennzahl', severity: 'hinweis', goalId: g.goalId, message: `${name} (${LEVEL_NAMES[g.level]}) hat weder Kennzahlen noch Unterziele: woran wird es gemessen?` });
    }
    if (g.smart && g.horizon === null && g.targets.length === 0) {
      findings.push({ kind: 'ohne-termin', severity: 'fehler', goalId: g.goalId, message: `${name} ist als SMART-Ziel angelegt, hat aber weder Zielhorizont noch einen Zielwert mit Termin.` });
    }
    for (const t of g.targets) {
      if (!t.deadline) findings.push({ kind: 'ohne-termin', severity: 'fehler', goalId: g.goalId, indicatorId: t.indicatorId, message: `Der Zielwert für „${t.indicatorId}“ in ${name} hat keinen Termin.` });
      else if (g.horizon !== null && t.deadline > g.horizon) {
        findings.push({ kind: 'termin-nach-horizont', severity: 'hinweis', goalId: g.goalId, indicatorId: t.indicatorId, message: `Der Termin ${germanDate(t.deadline)} für „${t.indicatorId}“ liegt nach dem Zielhorizont ${germanDate(g.horizon)} von ${name}.` });
      }
    }
    if (g.parentGoalId === null) {
      if (g.level !== 'LEITBILD' && g.level !== 'STRATEGISCHES_ZIEL') {
        findings.push({ kind: 'ohne-oberziel', severity: 'hinweis', goalId: g.goalId, message: `${name} ist ein ${LEVEL_NAMES[g.level]} ohne Oberziel: aus welchem strategischen Ziel leitet es sich ab?` });
      }
    } else {
      const parent = byId.get(g.parentGoalId);
      if (parent) {
        const parentName = `„${parent.title}“`;
        if (parent.retired) findings.push({ kind: 'oberziel-beendet', severity: 'fehler', goalId: g.goalId, message: `Das Oberziel ${parentName} von ${name} ist nicht mehr in Kraft.` });
        if (parent.horizon !== null && g.horizon !== null && g.horizon > parent.horizon) {
          findings.push({ kind: 'horizont-nach-oberziel', severity: 'hinweis', goalId: g.goalId, message: `${name} soll bis ${germanDate(g.horizon)} erreicht sein, sein Oberziel ${parentName} aber schon bis ${germanDate(parent.horizon)}.` });
        }
        if (parent.spatialScope && g.spatialScope && parent.spatialScope.schemeId === g.spatialScope.schemeId) {
          const outside = g.spatialScope.areaCodes.filter((a) => !parent.spatialScope?.areaCodes.includes(a));
          if (outside.length > 0) {
            findings.push({ kind: 'gebiet-ausserhalb-oberziel', severity: 'fehler', goalId: g.goalId, message: `${name} bezieht sich auf ${outside.join(', ')}, das Oberziel ${parentName} nur auf ${parent.spatialScope.areaCodes.join(', ')}.` });
          }
        }
        for (const t of g.targets) {
          const opposite = parent.targets.find((p) => p.indicatorId === t.indicatorId && p.comparator !== t.comparator);
          if (opposite) {
            findings.push({
              kind: 'richtung-widerspricht-oberziel',
              severity: 'fehler',
              goalId: g.goalId,
              indicatorId: t.indicatorId,
              message: `${name} will „${t.indicatorId}“ ${t.comparator === 'AT_LEAST' ? 'erhöhen' : 'senken'}, das Oberziel ${parentName} will sie ${opposite.comparator === 'AT_LEAST' ? 'erhöhen' : 'senken'}.`,
            });
          }
        }
      }
    }
  }

  const indicatorUse = new Map<string, string[]>();
  for (const g of live) {
    for (const id of [...g.targets.map((t) => t.indicatorId), ...g.contextIndicators.map((c) => c.indicatorId)]) {
      indicatorUse.set(id, [...new Set([...(indicatorUse.get(id) ?? []), g.title])]);
    }
  }
  for (const [indicatorId, titles] of indicatorUse) {
    const last = input.lastValueOf.get(indicatorId);
    const used = titles.map((t) => `„${t}“`).join(', ');
    if (!last) findings.push({ kind: 'keine-daten', severity: 'fehler', indicatorId, message: `Für die Kennzahl „${indicatorId}“ (genutzt in ${used}) sind noch keine Werte eingegangen.` });
    else if (last < staleBefore) findings.push({ kind: 'daten-veraltet', severity: 'hinweis', indicatorId, message: `Der jüngste Wert der Kennzahl „${indicatorId}“ (genutzt in ${used}) ist vom ${germanDate(last)}.` });
  }

  for (const m of input.measures) {
    if (!m.ended && m.goalIds.length === 0) findings.push({ kind: 'massnahme-ohne-ziel', severity: 'hinweis', measureId: m.measureId, message: `Die Maßnahme „${m.title}“ ist keinem Ziel zugeordnet.` });
  }
  return findings;
}
