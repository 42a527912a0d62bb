/**
 * Checking a goal-system file completely before anything is written: first its structure (zod,
 * entry by entry), then its content, by running the deciders on the aggregates' current state in
 * memory (dry run) with the facts the file itself provides (parents, Träger, goal keys) and the
 * catalogue's indicator ids. Every problem is collected with its place in the file; the plan is
 * executable only when there is none. The dry run also tells which commands change something, so
 * the import issues exactly those, and a second import of the same file issues none.
 */
import type { z } from 'zod';
import { germanIssueMessage, suggestNames } from '@lagebild/platform';
import { type Actor, type GoalsContext, indicatorFacts, loadContract, loadGoal, nowOf } from '../application';
import { type ContractCommand, type ContractState, decideContract, evolveContract } from '../domain/contracts';
import { type ContractTerms, type Decision, dayOf, germanDate, GoalsRuleViolation, type MeasureEvent, STREAM, type SpatialScope, type TraegerEvent } from '../domain/events';
import { decideGoal, evolveGoal, type GoalCommand, type GoalContent, type GoalFacts, type GoalState, type IndicatorFacts, type TargetInput, LEVEL_NAMES } from '../domain/goals';
import { decideMeasure, decideTraeger, foldMeasure, foldTraeger, type MeasureCommand, type MeasureInput, type MeasureState, type TraegerCommand, type TraegerInput, type TraegerState } from '../domain/register';
import { COLLECTIONS, listByTenant, type GoalView, type MeasureView, type TraegerView, type ContractView } from '../projections';
import {
  allowedKeys,
  type BeschlussInput,
  MassnahmeSchema,
  type RaumInput,
  TraegerSchema,
  VertragSchema,
  type VertragInput,
  ZielSchema,
  type ZielInput,
  ZielsystemSchema,
} from './format';
import { entryId, targetId } from './ids';
import { type DocPath, type Problem, readSource, type SourceFile } from './source';

export interface GoalSystemInput {
  fileName: string;
  text: string;
  /** The tenant imported for (the CLI's --tenant); must match the file's `mandant` when both are given. */
  tenant?: string;
  actor: Actor;
}

/** A command that the dry run found to change something; built again at write time with the facts of then. */
type Step<C> = { command: (facts: { parent: GoalFacts | null; now: string }) => C };

export interface PlannedGoal {
  key: string;
  goalId: string;
  title: string;
  parentGoalId: string | null;
  existed: boolean;
  /** Commands that change the goal, in order; empty when the file says what the store says. */
  steps: Array<Step<GoalCommand>>;
  targets: Array<{ key: string; targetId: string; indicatorId: string; status: 'created' | 'changed' | 'unchanged' }>;
}

export interface PlannedEntry<C> {
  key: string;
  id: string;
  title: string;
  existed: boolean;
  steps: Array<Step<C>>;
}

export interface Plan {
  tenant: string;
  fileName: string;
  title: string | null;
  now: string;
  traeger: Array<PlannedEntry<TraegerCommand>>;
  goals: PlannedGoal[];
  measures: Array<PlannedEntry<MeasureCommand>>;
  contracts: Array<PlannedEntry<ContractCommand>>;
  notInFile: {
    goals: Array<{ goalId: string; title: string }>;
    targets: Array<{ goalKey: string; targetId: string; indicatorId: string }>;
    measures: Array<{ measureId: string; title: string }>;
    traeger: Array<{ traegerId: string; name: string }>;
    contracts: Array<{ contractId: string; title: string }>;
  };
  notes: string[];
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; tenant: string | null; problems: Problem[] };

/** Where each word of the deciders' issue paths stands in the file. */
const FILE_WORDS: Record<string, DocPath> = {
  // goals and targets
  title: ['titel'],
  responsibleUnit: ['verantwortlich'],
  horizon: ['horizont'],
  spatialScope: ['raum'],
  areaCodes: ['gebiete'],
  parentGoalId: ['ebene'],
  level: ['ebene'],
  priority: ['prioritaet'],
  indicatorId: ['kennzahl'],
  indicators: ['kontextkennzahlen'],
  deadline: ['termin'],
  targetValue: ['zielwert'],
  baseline: ['ausgangswert'],
  value: ['wert'],
  comparator: ['richtung'],
  schemeId: ['gliederung'],
  // contracts
  service: ['leistung'],
  termStart: ['laufzeit', 'von'],
  termEnd: ['laufzeit', 'bis'],
  traegerId: ['traeger'],
  partnerTenant: ['partnerkommune'],
  partnerUnit: ['partnereinheit'],
  quantities: ['mengen'],
  amount: ['menge'],
  kennzahlen: ['kennzahlen'],
  goalId: ['ziel'],
  goalIds: ['ziele'],
  reportingDuties: ['berichtspflichten'],
  dueDays: ['frist_tage'],
  rhythm: ['rhythmus'],
  kennzahlIds: ['kennzahlen'],
  quantityIds: ['mengen'],
  financing: ['finanzierung'],
  annualAmountCents: ['jahresbetrag'],
  priceQuantityId: ['preis_menge'],
  reviewDates: ['prueftermine'],
  effectiveFrom: ['aenderung', 'gueltig_ab'],
  reason: ['aenderung', 'grund'],
  // measures and Träger
  end: ['ende'],
  endedOn: ['ende'],
  name: ['name'],
  legalForm: ['rechtsform'],
  spitzenverband: ['spitzenverband'],
  contact: ['kontakt'],
  email: ['email'],
};

/** `reportingDuties[0].dueDays` -> `berichtspflichten[0].frist_tage` (as far as the words are known). */
function fileSubPath(issuePath: string | undefined, base: DocPath): DocPath {
  if (!issuePath) return base;
  const out: Array<string | number> = [...base];
  for (const part of issuePath.split('.')) {
    const m = /^([A-Za-z]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) break;
    const words = FILE_WORDS[m[1] as string];
    if (!words) break;
    out.push(...words);
    for (const index of (m[2] as string).matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function messageFor(issue: z.core.$ZodRawIssue): string {
  // An empty YAML value (`titel:`) is null; nulls inside lists reach the schema as such.
  if (issue.code === 'invalid_type' && issue.input === null) return 'Pflichtangabe fehlt (leer)';
  return germanIssueMessage(issue);
}

function toDecision(b: BeschlussInput | undefined): Decision | null {
  return b ? { body: b.gremium, reference: b.nummer, decidedOn: b.datum } : null;
}

function toScope(r: RaumInput | undefined): SpatialScope | null {
  return r ? { schemeId: r.gliederung, areaCodes: [...r.gebiete] } : null;
}

/** The goal's description: its text, then its strategies as a list (Bamberg names strategies per goal). */
export function describe(beschreibung: string | undefined, strategien: readonly string[]): string | null {
  const parts = [beschreibung ?? null, strategien.length > 0 ? `Strategien:\n${strategien.map((s) => `- ${s}`).join('\n')}` : null].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join('\n\n') : null;
}

interface ParsedGoal {
  goal: ZielInput;
  path: DocPath;
  /** The parent's key; null at the top; undefined when the parent itself is broken. */
  parentKey: string | null | undefined;
  /** The nearest ancestor's `verantwortlich` (read from the raw entries, so a broken parent still passes it on). */
  inheritedResponsible: string | null;
}

interface Checker {
  src: SourceFile;
  problems: Problem[];
  add(path: DocPath, message: string, options?: { atKey?: boolean }): void;
}

function parseEntry<S extends z.ZodType>(schema: S, value: unknown, path: DocPath, c: Checker): z.output<S> | undefined {
  const result = schema.safeParse(value, { error: messageFor });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const at = [...path, ...(issue.path as Array<string | number>)];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path);
      for (const k of issue.keys) {
        const hint = suggestNames(k, allowed);
        c.add([...at, k], `Unbekannte Angabe „${k}“.${hint.length > 0 ? ` Meinten Sie ${hint.map((h) => `„${h}“`).join(' oder ')}?` : ''} Erlaubt sind: ${allowed.join(', ')}.`, { atKey: true });
      }
    } else {
      c.add(at, issue.message);
    }
  }
  return undefined;
}

function keyOfRaw(raw: unknown): string | undefined {
  return raw !== null && typeof raw === 'object' && typeof (raw as { schluessel?: unknown }).schluessel === 'string' ? (raw as { schluessel: string }).schluessel : undefined;
}

function childrenOfRaw(raw: unknown): unknown[] {
  const children = raw !== null && typeof raw === 'object' ? (raw as { ziele?: unknown }).ziele : undefined;
  return Array.isArray(children) ? children : [];
}

/** Applies a decider to a state in memory, returning the new state and whether anything changed. */
function dryRun<S, C, E>(decide: (command: C, state: S) => E[], evolve: (state: S, event: E) => S, state: S, command: C): { state: S; events: E[] } {
  const events = decide(command, state);
  return { state: events.reduce(evolve, state), events };
}

async function loadStream<S, E>(ctx: GoalsContext, stream: string, fold: (events: E[]) => S): Promise<{ state: S; tenant: string | null }> {
  const stored = await ctx.eventStore.readStream(stream);
  return { state: fold(stored.map((e) => ({ type: e.type, data: e.data }) as E)), tenant: stored[0]?.metadata.tenant ?? null };
}

export async function planGoalSystem(ctx: GoalsContext, input: GoalSystemInput): Promise<PlanResult> {
  const src = readSource(input.fileName, input.text);
  if (src.syntaxProblems.length > 0) return { ok: false, tenant: input.tenant ?? null, problems: src.syntaxProblems };
  const problems: Problem[] = [];
  const c: Checker = { src, problems, add: (path, message, options) => problems.push(src.problemAt(path, message, options)) };
  const rejected = (tenant: string | null): PlanResult => ({ ok: false, tenant, problems: sortProblems(problems) });

  // ---- structure ----
  const top = parseEntry(ZielsystemSchema, src.value, [], c);
  if (!top && (src.value === null || typeof src.value !== 'object' || Array.isArray(src.value))) return rejected(input.tenant ?? null);
  const raw = src.value as Record<string, unknown>;
  const list = (name: 'ziele' | 'massnahmen' | 'traeger' | 'vertraege'): unknown[] => (top ? top[name] : Array.isArray(raw[name]) ? (raw[name] as unknown[]) : []);

  const goals: ParsedGoal[] = [];
  const mentionedGoalKeys = new Set<string>();
  const walk = (entries: unknown[], base: DocPath, parentKey: string | null | undefined, inheritedResponsible: string | null) => {
    entries.forEach((entry, i) => {
      const path = [...base, i];
      const goal = parseEntry(ZielSchema, entry, path, c);
      const rawKey = keyOfRaw(entry);
      if (rawKey) mentionedGoalKeys.add(rawKey);
      if (goal) goals.push({ goal, path, parentKey, inheritedResponsible });
      const own = entry !== null && typeof entry === 'object' ? (entry as { verantwortlich?: unknown }).verantwortlich : undefined;
      walk(goal ? goal.ziele : childrenOfRaw(entry), [...path, 'ziele'], goal ? goal.schluessel : undefined, typeof own === 'string' && own.trim() !== '' ? own.trim() : inheritedResponsible);
    });
  };
  walk(list('ziele'), ['ziele'], null, null);

  const parseList = <S extends z.ZodType>(name: 'massnahmen' | 'traeger' | 'vertraege', schema: S) => {
    const mentioned = new Set<string>();
    const parsed: Array<{ value: z.output<S>; path: DocPath }> = [];
    list(name).forEach((entry, i) => {
      const k = keyOfRaw(entry);
      if (k) mentioned.add(k);
      const value = parseEntry(schema, entry, [name, i], c);
      if (value !== undefined) parsed.push({ value, path: [name, i] });
    });
    return { parsed, mentioned };
  };
  const traegerList = parseList('traeger', TraegerSchema);
  const measureList = parseList('massnahmen', MassnahmeSchema);
  const contractList = parseList('vertraege', VertragSchema);

  // ---- tenant ----
  // A mistake elsewhere at the top must not hide the tenant: it is read on its own then.
  const fileTenant = top ? top.mandant : ZielsystemSchema.shape.mandant.safeParse(raw.mandant).data;
  if (input.tenant !== undefined && !/^(\d{5}|\d{8})$/.test(input.tenant)) {
    problems.push({ file: input.fileName, line: 0, column: 0, path: '', message: `Der Mandant „${input.tenant}“ ist kein AGS (5 oder 8 Ziffern).` });
    return rejected(null);
  }
  if (input.tenant !== undefined && fileTenant !== undefined && fileTenant !== input.tenant) {
    c.add(['mandant'], `Die Datei gilt für den Mandanten ${fileTenant}, importiert wird für ${input.tenant}; eins von beiden anpassen.`);
    return rejected(input.tenant);
  }
  const tenant = input.tenant ?? fileTenant;
  if (tenant === undefined) {
    if (!top || raw.mandant === undefined) problems.push({ file: input.fileName, line: 0, column: 0, path: 'mandant', message: 'Für welchen Mandanten? In der Datei `mandant: "09461"` angeben oder beim Import --tenant.' });
    return rejected(null);
  }

  // ---- keys and references ----
  const goalByKey = new Map<string, ParsedGoal>();
  for (const g of goals) {
    const first = goalByKey.get(g.goal.schluessel);
    if (first) c.add([...g.path, 'schluessel'], `Der Schlüssel „${g.goal.schluessel}“ ist schon an das Ziel in Zeile ${src.problemAt(first.path, '').line} vergeben.`);
    else goalByKey.set(g.goal.schluessel, g);
  }
  const uniqueKeys = <T extends { schluessel: string }>(entries: Array<{ value: T; path: DocPath }>, what: string) => {
    const byKey = new Map<string, { value: T; path: DocPath }>();
    for (const e of entries) {
      const first = byKey.get(e.value.schluessel);
      if (first) c.add([...e.path, 'schluessel'], `Der Schlüssel „${e.value.schluessel}“ ist schon an ${what} in Zeile ${src.problemAt(first.path, '').line} vergeben.`);
      else byKey.set(e.value.schluessel, e);
    }
    return byKey;
  };
  const traegerByKey = uniqueKeys(traegerList.parsed, 'den Träger');
  const measureByKey = uniqueKeys(measureList.parsed, 'die Maßnahme');
  const contractByKey = uniqueKeys(contractList.parsed, 'den Vertrag');

  const goalKeys = [...goalByKey.keys()];
  const goalRef = (key: string, path: DocPath) => {
    if (goalByKey.has(key) || mentionedGoalKeys.has(key)) return;
    const hint = suggestNames(key, goalKeys);
    c.add(path, `Ein Ziel mit dem Schlüssel „${key}“ steht nicht in der Datei.${hint.length > 0 ? ` Meinten Sie ${hint.map((h) => `„${h}“`).join(' oder ')}?` : ''}`);
  };
  const traegerRef = (key: string, path: DocPath) => {
    if (traegerByKey.has(key) || traegerList.mentioned.has(key)) return;
    const hint = suggestNames(key, [...traegerByKey.keys()]);
    c.add(path, `Einen Träger mit dem Schlüssel „${key}“ gibt es unter \`traeger:\` nicht.${hint.length > 0 ? ` Meinten Sie ${hint.map((h) => `„${h}“`).join(' oder ')}?` : ''}`);
  };

  const goalId = (key: string) => entryId(tenant, 'ziel', key);
  const idLabels = new Map<string, string>();
  for (const k of goalByKey.keys()) idLabels.set(goalId(k), `„${k}“`);
  for (const k of traegerByKey.keys()) idLabels.set(entryId(tenant, 'traeger', k), `„${k}“`);
  const withKeys = (message: string) => message.replace(UUID, (id) => idLabels.get(id.toLowerCase()) ?? id);
  const refused = (error: unknown, base: DocPath) => {
    if (!(error instanceof GoalsRuleViolation)) throw error;
    if (error.issues.length === 0) c.add(base, withKeys(error.detail));
    for (const issue of error.issues) c.add(fileSubPath(issue.path, base), withKeys(issue.message));
  };

  // ---- catalogue ----
  const facts = new Map<string, IndicatorFacts>();
  const catalogueEmpty = (await ctx.documents.scan(COLLECTIONS.indicators, { limit: 1 })).length === 0;
  const indicator = async (id: string): Promise<IndicatorFacts> => {
    let f = facts.get(id);
    if (!f) {
      f = await indicatorFacts(ctx, tenant, id);
      facts.set(id, f);
    }
    return f;
  };
  const unknownIndicator = (id: string, f: IndicatorFacts) =>
    `Die Kennzahl „${id}“ gibt es im Katalog des Mandanten nicht.${f.suggestions && f.suggestions.length > 0 ? ` Meinten Sie ${f.suggestions.map((s) => `„${s}“`).join(' oder ')}?` : ''}${
      catalogueEmpty ? ' Der Zieldienst kennt noch keinen Kennzahlenkatalog: er übernimmt ihn, sobald der Dienst einmal läuft (lagebild start).' : ''
    }`;

  const now = nowOf(ctx);
  const metadata = { now };
  const anlass = top?.anlass;
  const revisionReason = anlass ?? `Fortschreibung aus der Datei ${input.fileName}`;
  const notes: string[] = [];

  // ---- Träger ----
  const storedTraeger = await listByTenant<TraegerView>(ctx.documents, COLLECTIONS.traeger, tenant);
  const plannedTraeger: Array<PlannedEntry<TraegerCommand>> = [];
  const traegerActive = new Map<string, boolean>();
  const namesSeen = new Map<string, DocPath>();
  for (const { value: t, path } of traegerByKey.values()) {
    const id = entryId(tenant, 'traeger', t.schluessel);
    traegerActive.set(t.schluessel, t.aktiv);
    const lower = t.name.trim().toLowerCase();
    const sameInFile = namesSeen.get(lower);
    if (sameInFile) c.add([...path, 'name'], `Einen Träger „${t.name}“ gibt es in der Datei schon (Zeile ${src.problemAt(sameInFile, '').line}).`);
    namesSeen.set(lower, path);
    const traeger: TraegerInput = {
      name: t.name,
      legalForm: t.rechtsform,
      spitzenverband: t.spitzenverband ?? null,
      contact: { person: t.kontakt?.person ?? null, email: t.kontakt?.email ?? null, phone: t.kontakt?.telefon ?? null, address: t.kontakt?.adresse ?? null },
      active: t.aktiv,
    };
    const sameName = storedTraeger.find((s) => s.traegerId !== id && s.name.trim().toLowerCase() === lower);
    const loaded = await loadStream(ctx, STREAM.traeger(id), (events: TraegerEvent[]) => foldTraeger(id, events));
    if (loaded.tenant !== null && loaded.tenant !== tenant) {
      c.add([...path, 'schluessel'], `Der Schlüssel „${t.schluessel}“ ist bei einem anderen Mandanten vergeben.`);
      continue;
    }
    const command = (): TraegerCommand => ({ type: 'RecordTraeger', data: { traeger, sameNameAs: sameName?.traegerId ?? null }, metadata });
    try {
      const { events } = dryRun(decideTraeger, (s: TraegerState, e: TraegerEvent) => foldTraeger(id, [e], s), loaded.state, command());
      plannedTraeger.push({ key: t.schluessel, id, title: t.name, existed: loaded.state.exists, steps: events.length > 0 ? [{ command }] : [] });
    } catch (error) {
      refused(error, path);
    }
  }

  // ---- goals, top-down ----
  const plannedGoals: PlannedGoal[] = [];
  const notInFileTargets: Plan['notInFile']['targets'] = [];
  const after = new Map<string, { state: GoalState; ancestors: string[] }>();
  for (const { goal: g, path, parentKey, inheritedResponsible } of goals) {
    if (goalByKey.get(g.schluessel)?.path !== path) continue; // a duplicate key, reported above
    const id = goalId(g.schluessel);
    const parent = parentKey ? after.get(parentKey) : undefined;
    if (parentKey === null && g.ableitung !== undefined) c.add([...path, 'ableitung'], 'Eine Ableitung beschreibt, wie ein Unterziel aus seinem Oberziel folgt; dieses Ziel steht oben und hat keins.');
    const responsible = g.verantwortlich ?? inheritedResponsible;
    const content: GoalContent = {
      // A goal under a broken parent is checked as if it stood alone: its own problems still show.
      parentGoalId: parent ? parent.state.goalId : null,
      field: g.zielfeld,
      title: g.titel,
      description: describe(g.beschreibung, g.strategien),
      smart: g.smart ?? g.zielwerte.length > 0,
      targetGroup: g.zielgruppe ?? null,
      spatialScope: toScope(g.raum),
      responsibleUnit: responsible ?? '',
      horizon: g.horizont ?? null,
      effectHypothesis: g.wirkungsannahme ?? null,
      decision: toDecision(g.beschluss),
      linkedProducts: [...g.produkte],
    };
    const parentFacts: GoalFacts | null = parent
      ? { goalId: parent.state.goalId, tenant, level: parent.state.level, retired: parent.state.retired !== null, horizon: parent.state.content.horizon, ancestors: parent.ancestors }
      : null;
    const loaded = await loadGoal(ctx, id);
    if (loaded.tenant !== null && loaded.tenant !== tenant) {
      c.add([...path, 'schluessel'], `Der Schlüssel „${g.schluessel}“ ist bei einem anderen Mandanten vergeben.`);
      continue;
    }
    const stored = loaded.state;
    if (stored.exists && stored.level !== g.ebene) {
      c.add([...path, 'ebene'], `Das Ziel steht als ${LEVEL_NAMES[stored.level]} im Zielsystem; die Ebene eines Ziels bleibt. Für eine andere Ebene ein neues Ziel mit eigenem Schlüssel anlegen.`);
      continue;
    }
    if (stored.exists && g.ableitung !== undefined && stored.derivation !== null && stored.derivation !== g.ableitung) {
      notes.push(`Ziel „${g.schluessel}“: die Ableitung wird beim Anlegen festgehalten; der geänderte Text wird nicht übernommen.`);
    }

    const steps: Array<Step<GoalCommand>> = [];
    const stepTargets: PlannedGoal['targets'] = [];
    // A retired goal is judged as if live: if the file would change it, that is a problem.
    let state: GoalState = stored.retired ? { ...stored, retired: null } : stored;
    let ok = true;
    const attempt = (command: (f: { parent: GoalFacts | null; now: string }) => GoalCommand, base: DocPath): boolean => {
      try {
        const result = dryRun(decideGoal, evolveGoal, state, command({ parent: parentFacts, now }));
        state = result.state;
        if (result.events.length > 0) steps.push({ command });
        return result.events.length > 0;
      } catch (error) {
        ok = false;
        refused(error, base);
        return false;
      }
    };
    if (!stored.exists) {
      attempt((f) => ({ type: 'CreateGoal', data: { tenant, level: g.ebene, content, priority: g.prioritaet ?? null, derivation: g.ableitung ?? null, parent: f.parent }, metadata: { now: f.now } }), path);
      // Refused: its targets and context indicators are still checked, as if it existed.
      if (!state.exists) state = { ...state, exists: true, level: g.ebene, content };
    } else {
      attempt((f) => ({ type: 'ReviseGoal', data: { tenant, content, reason: revisionReason, parent: f.parent }, metadata: { now: f.now } }), path);
      if ((g.prioritaet ?? null) !== stored.priority) {
        attempt((f) => ({ type: 'PrioritiseGoal', data: { priority: g.prioritaet ?? null, reason: anlass ?? null, decision: null }, metadata: { now: f.now } }), path);
      }
    }
    if (state.exists) {
      const targetKeys = new Map<string, number>();
      for (const [i, zw] of g.zielwerte.entries()) {
        const tPath = [...path, 'zielwerte', i];
        const first = targetKeys.get(zw.schluessel);
        if (first !== undefined) {
          c.add([...tPath, 'schluessel'], `Der Schlüssel „${zw.schluessel}“ ist in diesem Ziel schon vergeben (Zeile ${src.problemAt([...path, 'zielwerte', first], '').line}).`);
          ok = false;
          continue;
        }
        targetKeys.set(zw.schluessel, i);
        const tId = targetId(tenant, g.schluessel, zw.schluessel);
        const target: TargetInput = {
          targetId: tId,
          indicatorId: zw.kennzahl,
          // An area without a scheme is read in the goal's scheme.
          schemeId: zw.gliederung ?? (zw.gebiet !== undefined ? (g.raum?.gliederung ?? null) : null),
          areaCode: zw.gebiet ?? null,
          baseline: zw.ausgangswert ?? null,
          targetKind: zw.art,
          targetValue: zw.zielwert,
          comparator: zw.richtung,
          deadline: zw.termin,
          reason: zw.begruendung ?? null,
          decision: toDecision(zw.beschluss),
        };
        const f = await indicator(zw.kennzahl);
        if (!f.known) {
          c.add([...tPath, 'kennzahl'], unknownIndicator(zw.kennzahl, f));
          ok = false;
          continue;
        }
        const existed = state.targets[tId] !== undefined;
        const changed = attempt((m) => ({ type: 'SetTarget', data: { target, indicator: f }, metadata: { now: m.now } }), tPath);
        stepTargets.push({ key: zw.schluessel, targetId: tId, indicatorId: zw.kennzahl, status: !existed ? 'created' : changed ? 'changed' : 'unchanged' });
      }
      const context = g.kontextkennzahlen.map((k) => ({ indicatorId: k.kennzahl, schemeId: k.gliederung ?? null, areaCodes: [...k.gebiete], note: k.notiz ?? null }));
      const contextFacts: IndicatorFacts[] = [];
      for (const [i, k] of g.kontextkennzahlen.entries()) {
        const f = await indicator(k.kennzahl);
        if (!f.known) {
          c.add([...path, 'kontextkennzahlen', i, 'kennzahl'], unknownIndicator(k.kennzahl, f));
          ok = false;
        }
        contextFacts.push(f);
      }
      if (contextFacts.every((f) => f.known)) {
        attempt((m) => ({ type: 'SetContextIndicators', data: { indicators: context, facts: contextFacts }, metadata: { now: m.now } }), path);
      }
      for (const t of Object.values(stored.targets)) {
        if (!stepTargets.some((s) => s.targetId === t.targetId)) notInFileTargets.push({ goalKey: g.schluessel, targetId: t.targetId, indicatorId: t.indicatorId });
      }
    }
    if (stored.retired && steps.length > 0) {
      c.add(
        [...path, 'schluessel'],
        `Das Ziel „${stored.content.title}“ ist seit ${germanDate(stored.retired.retiredOn)} nicht mehr in Kraft und kann nicht mehr geändert werden; die Änderung zurücknehmen oder für ein neues Ziel einen neuen Schlüssel vergeben.`,
      );
      ok = false;
    }
    after.set(g.schluessel, { state: stored.retired ? { ...state, retired: stored.retired } : state, ancestors: parent ? [parent.state.goalId, ...parent.ancestors] : [] });
    if (ok) plannedGoals.push({ key: g.schluessel, goalId: id, title: g.titel, parentGoalId: content.parentGoalId, existed: stored.exists, steps, targets: stepTargets });
  }

  // ---- measures ----
  // Keys are checked above with their place in the file; the deciders are told every key the
  // file names (also broken or unknown ones, already reported) so they do not report them again.
  // Only an accepted file is written, and there every named key is an entry of the file.
  const knownGoalIds = [
    ...new Set([...goalByKey.keys(), ...mentionedGoalKeys, ...measureList.parsed.flatMap((m) => m.value.ziele), ...contractList.parsed.flatMap((v) => [...v.value.ziele, ...v.value.kennzahlen.flatMap((k) => (k.ziel ? [k.ziel] : []))])]),
  ].map(goalId);
  const traegerNamed = new Set([...traegerByKey.keys(), ...traegerList.mentioned, ...measureList.parsed.flatMap((m) => (m.value.traeger ? [m.value.traeger] : [])), ...contractList.parsed.flatMap((v) => (v.value.traeger ? [v.value.traeger] : []))]);
  const knownTraeger = [...traegerNamed].map((k) => entryId(tenant, 'traeger', k));
  const plannedMeasures: Array<PlannedEntry<MeasureCommand>> = [];
  for (const { value: m, path } of measureByKey.values()) {
    m.ziele.forEach((k, j) => goalRef(k, [...path, 'ziele', j]));
    if (m.traeger !== undefined) traegerRef(m.traeger, [...path, 'traeger']);
    const id = entryId(tenant, 'massnahme', m.schluessel);
    const loaded = await loadStream(ctx, STREAM.measure(id), (events: MeasureEvent[]) => foldMeasure(id, events));
    if (loaded.tenant !== null && loaded.tenant !== tenant) {
      c.add([...path, 'schluessel'], `Der Schlüssel „${m.schluessel}“ ist bei einem anderen Mandanten vergeben.`);
      continue;
    }
    const measure = (reason: string | null): MeasureInput => ({
      kind: m.art,
      title: m.titel,
      description: m.beschreibung ?? null,
      goalIds: m.ziele.map(goalId),
      prevention: m.praevention,
      approach: m.ansatz,
      responsibleUnit: m.verantwortlich,
      productCode: m.produkt ?? null,
      costCentre: m.kostenstelle ?? null,
      targetGroup: m.zielgruppe ?? null,
      spatialScope: toScope(m.raum),
      traegerId: m.traeger !== undefined ? entryId(tenant, 'traeger', m.traeger) : null,
      start: m.beginn ?? null,
      end: m.ende ?? null,
      reason,
    });
    const existed = loaded.state.exists;
    const command = (): MeasureCommand => ({ type: 'DefineMeasure', data: { measure: measure(existed ? revisionReason : (anlass ?? null)), knownGoalIds, knownTraeger }, metadata });
    try {
      const live: MeasureState = loaded.state.ended ? { ...loaded.state, ended: null } : loaded.state;
      const { events } = dryRun(decideMeasure, (s: MeasureState, e: MeasureEvent) => foldMeasure(id, [e], s), live, command());
      if (loaded.state.ended && events.length > 0) {
        c.add([...path, 'schluessel'], `Die Maßnahme „${m.titel}“ ist seit ${germanDate(loaded.state.ended.endedOn)} beendet und kann nicht mehr geändert werden.`);
        continue;
      }
      plannedMeasures.push({ key: m.schluessel, id, title: m.titel, existed, steps: events.length > 0 ? [{ command }] : [] });
    } catch (error) {
      refused(error, path);
    }
  }

  // ---- contracts ----
  const plannedContracts: Array<PlannedEntry<ContractCommand>> = [];
  for (const { value: v, path } of contractByKey.values()) {
    v.ziele.forEach((k, j) => goalRef(k, [...path, 'ziele', j]));
    v.kennzahlen.forEach((k, j) => {
      if (k.ziel !== undefined) goalRef(k.ziel, [...path, 'kennzahlen', j, 'ziel']);
    });
    if (v.traeger !== undefined) traegerRef(v.traeger, [...path, 'traeger']);
    for (const [j, k] of v.kennzahlen.entries()) {
      if (k.kennzahl === undefined) continue;
      const f = await indicator(k.kennzahl);
      if (!f.known) c.add([...path, 'kennzahlen', j, 'kennzahl'], unknownIndicator(k.kennzahl, f));
    }
    if (v.finanzierung && v.finanzierung.produkt === undefined && v.produkt === undefined) {
      c.add([...path, 'finanzierung'], 'Aus welchem Produkt wird gezahlt? `produkt:` beim Vertrag oder in der Finanzierung angeben.');
      continue;
    }
    const id = entryId(tenant, 'vertrag', v.schluessel);
    const terms = contractTerms(v, tenant, goalId);
    const traegerKey = v.traeger;
    const traegerFacts = traegerKey !== undefined ? { traegerId: entryId(tenant, 'traeger', traegerKey), exists: true, active: traegerActive.get(traegerKey) ?? true } : null;
    const loaded = await loadContract(ctx, id);
    if (loaded.tenant !== null && loaded.tenant !== tenant) {
      c.add([...path, 'schluessel'], `Der Schlüssel „${v.schluessel}“ ist bei einem anderen Mandanten vergeben.`);
      continue;
    }
    const existed = loaded.state.exists;
    const command = (): ContractCommand =>
      existed
        ? { type: 'AmendContract', data: { terms, effectiveFrom: v.aenderung?.gueltig_ab ?? dayOf(now), reason: v.aenderung?.grund ?? anlass ?? `Änderung aus der Datei ${input.fileName}`, traeger: traegerFacts, knownGoalIds }, metadata }
        : { type: 'ConcludeContract', data: { terms, traeger: traegerFacts, knownGoalIds }, metadata };
    try {
      const live: ContractState = loaded.state.terminated ? { ...loaded.state, terminated: null } : loaded.state;
      const { events } = dryRun(decideContract, evolveContract, live, command());
      if (loaded.state.terminated && events.length > 0) {
        c.add([...path, 'schluessel'], `Der Vertrag „${v.titel}“ ist zum ${germanDate(loaded.state.terminated.effectiveOn)} beendet und kann nicht mehr geändert werden.`);
        continue;
      }
      plannedContracts.push({ key: v.schluessel, id, title: v.titel, existed, steps: events.length > 0 ? [{ command }] : [] });
    } catch (error) {
      refused(error, path);
    }
  }

  if (problems.length > 0) return rejected(tenant);

  // ---- what the store has and the file does not ----
  const inFile = (ids: string[]) => new Set(ids);
  const fileGoals = inFile(plannedGoals.map((g) => g.goalId));
  const fileMeasures = inFile(plannedMeasures.map((m) => m.id));
  const fileTraeger = inFile(plannedTraeger.map((t) => t.id));
  const fileContracts = inFile(plannedContracts.map((t) => t.id));
  const notInFile: Plan['notInFile'] = {
    goals: (await listByTenant<GoalView>(ctx.documents, COLLECTIONS.goals, tenant)).filter((g) => !g.retired && !fileGoals.has(g.goalId)).map((g) => ({ goalId: g.goalId, title: g.title })),
    targets: notInFileTargets,
    measures: (await listByTenant<MeasureView>(ctx.documents, COLLECTIONS.measures, tenant)).filter((m) => !m.ended && !fileMeasures.has(m.measureId)).map((m) => ({ measureId: m.measureId, title: m.title })),
    traeger: storedTraeger.filter((t) => !fileTraeger.has(t.traegerId)).map((t) => ({ traegerId: t.traegerId, name: t.name })),
    contracts: (await listByTenant<ContractView>(ctx.documents, COLLECTIONS.contracts, tenant)).filter((v) => !v.terminated && !fileContracts.has(v.contractId)).map((v) => ({ contractId: v.contractId, title: v.terms.title })),
  };
  return {
    ok: true,
    plan: { tenant, fileName: input.fileName, title: top?.titel ?? null, now, traeger: plannedTraeger, goals: plannedGoals, measures: plannedMeasures, contracts: plannedContracts, notInFile, notes },
  };
}

function contractTerms(v: VertragInput, tenant: string, goalId: (key: string) => string): ContractTerms {
  const f = v.finanzierung;
  return {
    kind: v.art,
    title: v.titel,
    reference: v.aktenzeichen ?? null,
    principalUnit: v.auftraggeber,
    traegerId: v.traeger !== undefined ? entryId(tenant, 'traeger', v.traeger) : null,
    partnerTenant: v.partnerkommune ?? null,
    partnerUnit: v.partnereinheit ?? null,
    termStart: v.laufzeit.von,
    termEnd: v.laufzeit.bis ?? null,
    legalBasis: v.rechtsgrundlage ?? null,
    service: v.leistung,
    productCode: v.produkt ?? null,
    targetGroup: v.zielgruppe ?? null,
    spatialScope: toScope(v.raum),
    quantities: v.mengen.map((m) => ({ quantityId: m.schluessel, kind: m.art, label: m.bezeichnung, amount: m.menge, per: m.je })),
    financing: f
      ? {
          mode: f.art,
          annualAmountCents: f.jahresbetrag,
          unitPriceCents: f.einheitspreis ?? null,
          priceQuantityId: f.preis_menge ?? null,
          grantType: f.zuwendungsart ?? null,
          productCode: (f.produkt ?? v.produkt) as string,
          costCentre: f.kostenstelle ?? null,
          account: f.konto ?? null,
        }
      : null,
    qualityStandards: [...v.qualitaetsstandards],
    kennzahlen: v.kennzahlen.map((k) => ({
      kennzahlId: k.schluessel,
      name: k.name,
      unit: k.einheit,
      targetValue: k.zielwert ?? null,
      comparator: k.richtung ?? null,
      goalId: k.ziel !== undefined ? goalId(k.ziel) : null,
      indicatorId: k.kennzahl ?? null,
      minimum: k.minimum ?? null,
      maximum: k.maximum ?? null,
    })),
    reportingDuties: v.berichtspflichten.map((d) => ({ dutyId: d.schluessel, content: d.inhalt, rhythm: d.rhythmus, dueDays: d.frist_tage, kennzahlIds: [...d.kennzahlen], quantityIds: [...d.mengen] })),
    reviewDates: [...v.prueftermine],
    goalIds: v.ziele.map(goalId),
    prevention: v.praevention,
    approach: v.ansatz,
    decision: toDecision(v.beschluss),
  };
}

function sortProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const k = `${p.line}:${p.column}:${p.path}:${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
