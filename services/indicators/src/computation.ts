/**
 * Recomputation: from the tenant's observations in every version of a scheme to indicator
 * values, events and the read model. Recomputes only what a change affects: the indicators whose
 * variables a delivery touched (and the indices over them), or the indicators a user names.
 *
 * Per scheme version the engine computes in the version's own boundaries; where the version has
 * a crosswalk from its predecessor, the predecessor's additive observations are also carried
 * over to the new units, so a series continues across a boundary reform (a batch with
 * crosswalkFromVersion); units that no crosswalk reaches mark a series break instead.
 */
import { randomUUID } from 'node:crypto';
import type { IndicatorValuesComputed } from '@lagebild/contracts';
import type { DocumentStore, EventStore, Logger, NewEvent } from '@lagebild/platform';
import type { IndexDefinition, Periodicity } from './catalogue/model';
import { checkIndicator, compileSources, vocabularyInfo, type CatalogueRegistry, type TenantCatalogue } from './catalogue/registry';
import { DEFAULT_DISCLOSURE_RULES, type DisclosureRules } from './disclosure';
import { MemoryCube } from './engine/cube';
import {
  STATUS,
  STATUS_NAMES,
  ComputationContext,
  computeIndexStep,
  computeIndicator,
  inputsOf,
  isAdditiveSum,
  type CompiledIndicator,
  type StepResult,
  type VocabularyEntry,
} from './engine/compute';
import { crosswalkValues, type Hierarchy } from './engine/hierarchy';
import { periodOfStep, stepLabel, type StepNumber } from './engine/periods';
import type { DeliveryDoc, ObservationStore } from './store/observations';

export const VALUES_COLLECTION = 'indicators.values';
export const DISCLOSURE_COLLECTION = 'indicators.disclosure';
/** Values per IndicatorValuesComputed event. */
export const BATCH_SIZE = 2_000;

const SENSITIVITY_ORDER = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'SEALED'] as const;
type Sensitivity = (typeof SENSITIVITY_ORDER)[number];

/** Disclosure settings of a tenant, with stricter ones per data set. */
export interface DisclosureSettings extends DisclosureRules {
  datasets?: Record<string, Partial<DisclosureRules>>;
}

export interface StoredValue {
  areaCode: string;
  areaName: string;
  unitType: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  status: (typeof STATUS_NAMES)[number];
  disclosureRule: string | null;
  comparison: { parentValue: number | null; previousValue: number | null; rank: number | null; zScore: number | null } | null;
  seriesBreak: boolean;
  ampel: { color: 'GREEN' | 'YELLOW' | 'RED'; rule: string } | null;
  indexClass: { code: number; label: string } | null;
}

/** Read model of one indicator, scheme version and step (key: tenant|indicator|vN|scheme|version|step[|cw]). */
export interface ValuesDoc {
  tenant: string;
  indicatorId: string;
  formulaVersion: number;
  schemeId: string;
  schemeVersion: number;
  crosswalkFromVersion: number | null;
  periodLabel: string;
  period: { kind: 'STICHTAG' | 'ZEITRAUM'; start: string; end: string };
  computationId: string;
  computedAt: string;
  sensitivity: Sensitivity;
  sourceDeliveryIds: string[];
  values: StoredValue[];
}

export const valuesKey = (d: Pick<ValuesDoc, 'tenant' | 'indicatorId' | 'formulaVersion' | 'schemeId' | 'schemeVersion' | 'periodLabel' | 'crosswalkFromVersion'>) =>
  `${d.tenant}|${d.indicatorId}|v${String(d.formulaVersion).padStart(4, '0')}|${d.schemeId}|${String(d.schemeVersion).padStart(6, '0')}|${d.periodLabel}${d.crosswalkFromVersion !== null ? `|cw${d.crosswalkFromVersion}` : ''}`;

export interface RecomputeRequest {
  tenant: string;
  schemeId: string;
  /** Delivered variable codes that changed; indicators reading none of them are skipped. */
  codes?: ReadonlySet<string>;
  /** Indicators (or indices) to recompute regardless of codes. */
  indicators?: readonly string[];
  actor: string;
  now: Date;
  correlationId?: string;
}

export interface ComputationSummary {
  indicatorId: string;
  formulaVersion: number;
  schemeVersion: number;
  crosswalkFromVersion: number | null;
  steps: number;
  values: number;
  suppressed: number;
}

export interface RecomputeDeps {
  eventStore: EventStore;
  documents: DocumentStore;
  observations: ObservationStore;
  catalogue: CatalogueRegistry;
  logger?: Logger;
}

export async function disclosureSettings(documents: DocumentStore, tenant: string): Promise<DisclosureSettings> {
  return (await documents.get<DisclosureSettings>(DISCLOSURE_COLLECTION, tenant)) ?? { ...DEFAULT_DISCLOSURE_RULES };
}

/** Strictest of several rule sets (each minimum the largest). */
function strictest(base: DisclosureRules, overrides: ReadonlyArray<Partial<DisclosureRules>>): DisclosureRules {
  const out: DisclosureRules = { ...base };
  for (const o of overrides) {
    out.minCount = Math.max(out.minCount, o.minCount ?? 0);
    out.minPopulation = Math.max(out.minPopulation, o.minPopulation ?? 0);
    if (o.minDenominator !== undefined) out.minDenominator = Math.max(out.minDenominator ?? 0, o.minDenominator);
    if (o.suppressZero) out.suppressZero = true;
  }
  return out;
}

export interface PreparedCatalogue {
  catalogue: TenantCatalogue;
  vocabulary: Map<string, VocabularyEntry>;
  indicators: Map<string, CompiledIndicator>;
  indices: Map<string, { def: IndexDefinition; version: number }>;
  /** Delivered codes that may be summed (they feed additive variables linearly). */
  additiveCodes: Set<string>;
  problems: string[];
}

export function prepareCatalogue(catalogue: TenantCatalogue): PreparedCatalogue {
  const vocabulary = new Map<string, VocabularyEntry>();
  const additiveCodes = new Set<string>();
  const problems: string[] = [];
  for (const v of catalogue.variables.values()) {
    const sources = compileSources(v.definition);
    vocabulary.set(v.id, { def: v.definition, sources });
    if (v.definition.additive) for (const s of sources) if (isAdditiveSum(s, () => true)) for (const i of inputsOf(s)) additiveCodes.add(i.code);
  }
  const info = vocabularyInfo(catalogue);
  const indicators = new Map<string, CompiledIndicator>();
  for (const entry of catalogue.indicators.values()) {
    const { formula, problems: p } = checkIndicator(entry.definition, info);
    if (formula) indicators.set(entry.id, { def: entry.definition, version: entry.version, formula });
    else problems.push(`${entry.id}: ${p.map((x) => x.detail).join('; ')}`);
  }
  const indices = new Map<string, { def: IndexDefinition; version: number }>();
  for (const entry of catalogue.indices.values()) indices.set(entry.id, { def: entry.definition, version: entry.version });
  return { catalogue, vocabulary, indicators, indices, additiveCodes, problems };
}

/** Which indicators and indices a set of changed delivered codes affects. */
export function affected(prepared: PreparedCatalogue, codes: ReadonlySet<string> | undefined, named: readonly string[] | undefined): { indicators: Set<string>; indices: Set<string> } {
  const indicators = new Set<string>();
  const indices = new Set<string>();
  if (codes) {
    const variables = new Set<string>();
    for (const [code, entry] of prepared.vocabulary) if (entry.sources.some((s) => inputsOf(s).some((i) => codes.has(i.code)))) variables.add(code);
    for (const [id, ind] of prepared.indicators) if (ind.formula.variables.some((v) => variables.has(v))) indicators.add(id);
  }
  for (const id of named ?? []) {
    if (prepared.indicators.has(id)) indicators.add(id);
    if (prepared.indices.has(id)) indices.add(id);
  }
  for (const [id, index] of prepared.indices) if (index.def.inputs.some((i) => indicators.has(i.indicator))) indices.add(id);
  return { indicators, indices };
}

/** Carries the additive observations of an older version over to a newer one's units. */
export function crosswalkCube(from: MemoryCube, to: Hierarchy, weights: ReadonlyArray<{ fromCode: string; toCode: string; weight: number }>, additiveCodes: ReadonlySet<string>): MemoryCube {
  const out = new MemoryCube(to);
  for (const code of from.codes()) {
    if (!additiveCodes.has(code)) continue;
    for (const key of from.periodKeys(code)) {
      const slice = from.slice(code, key)!;
      out.setColumn(code, key, crosswalkValues(from.hierarchy, to, weights, slice.values), slice.deliveries);
    }
  }
  return out;
}

function maxSensitivity(deliveries: Iterable<string>, docs: ReadonlyMap<string, DeliveryDoc>): Sensitivity {
  let rank = 0;
  for (const id of deliveries) {
    const s = docs.get(id)?.sensitivity as Sensitivity | undefined;
    rank = Math.max(rank, s ? SENSITIVITY_ORDER.indexOf(s) : SENSITIVITY_ORDER.length - 1);
  }
  return SENSITIVITY_ORDER[rank]!;
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

function toStoredValues(h: Hierarchy, r: StepResult): StoredValue[] {
  const out: StoredValue[] = [];
  for (let i = 0; i < h.codes.length; i += 1) {
    if (!r.covered[i]) continue;
    const status = r.status[i]!;
    const shown = status === STATUS.COMPUTED;
    out.push({
      areaCode: h.codes[i]!,
      areaName: h.names[i]!,
      unitType: h.unitTypes[i]!,
      numerator: finite(r.numerator[i]!),
      denominator: r.denominator ? finite(r.denominator[i]!) : null,
      value: finite(r.value[i]!),
      status: STATUS_NAMES[status]!,
      disclosureRule: r.rule[i] ?? null,
      comparison: shown
        ? { parentValue: finite(r.parentValue[i]!), previousValue: finite(r.previousValue[i]!), rank: r.rank[i]! > 0 ? r.rank[i]! : null, zScore: finite(r.zScore[i]!) }
        : null,
      seriesBreak: r.seriesBreak[i] === 1,
      ampel: shown ? r.ampel[i] ?? null : null,
      indexClass: shown ? r.indexClass[i] ?? null : null,
    });
  }
  return out;
}

/** The PROTECTED form of a value: suppressed ones keep status and rule, but no numbers. */
export function protectedValue(v: StoredValue): StoredValue {
  if (v.status === 'COMPUTED' || v.status === 'NOT_COMPUTABLE') return v;
  return { ...v, numerator: null, denominator: null, value: null, comparison: null, ampel: null, indexClass: null };
}

export interface Run {
  indicatorId: string;
  formulaVersion: number;
  periodicity: Periodicity;
  stichtag: string | undefined;
  crosswalkFromVersion: number | null;
  results: StepResult[];
}

export async function recompute(deps: RecomputeDeps, request: RecomputeRequest): Promise<ComputationSummary[]> {
  const { observations, documents } = deps;
  const prepared = prepareCatalogue(await deps.catalogue.forTenant(request.tenant));
  const target = affected(prepared, request.codes, request.indicators);
  if (target.indicators.size === 0 && target.indices.size === 0) return [];
  // Indices need their inputs, computed even if they did not change (but then not re-emitted).
  const needed = new Set(target.indicators);
  for (const id of target.indices) for (const input of prepared.indices.get(id)!.def.inputs) needed.add(input.indicator);
  const settings = await disclosureSettings(documents, request.tenant);
  const versions = await observations.versionsWithData(request.tenant, request.schemeId);
  const summaries: ComputationSummary[] = [];

  const computeAll = async (cube: MemoryCube, deliveries: Map<string, DeliveryDoc>, crosswalkFrom: number | null): Promise<Run[]> => {
    const datasetsOf = new Map<string, Set<string>>();
    for (const code of cube.codes()) {
      const set = new Set<string>();
      for (const key of cube.periodKeys(code)) for (const d of cube.slice(code, key)!.deliveries) set.add(deliveries.get(d)?.datasetId ?? '');
      datasetsOf.set(code, set);
    }
    const overrides = settings.datasets ?? {};
    const datasetsInCube = new Set([...datasetsOf.values()].flatMap((s) => [...s]));
    // Strictest rules of the data sets present: a data set's own minimums protect its cells wherever they are used.
    const rules = strictest(settings, [...datasetsInCube].map((d) => overrides[d] ?? {}));
    const ctx = new ComputationContext(cube, prepared.vocabulary, rules);
    const runs: Run[] = [];
    const byId = new Map<string, StepResult[]>();
    for (const id of needed) {
      const ind = prepared.indicators.get(id);
      if (!ind) continue;
      const results = computeIndicator(ctx, ind);
      byId.set(id, results);
      if (target.indicators.has(id) && results.length > 0) {
        runs.push({ indicatorId: id, formulaVersion: ind.version, periodicity: ind.def.periodicity, stichtag: ind.def.stichtag, crosswalkFromVersion: crosswalkFrom, results });
      }
    }
    for (const id of target.indices) {
      const { def, version } = prepared.indices.get(id)!;
      const inputs = def.inputs.map((i) => byId.get(i.indicator) ?? []);
      const steps = inputs.reduce<Set<StepNumber> | undefined>((acc, list) => {
        const s = new Set(list.map((r) => r.step));
        return acc ? new Set([...acc].filter((x) => s.has(x))) : s;
      }, undefined);
      const results: StepResult[] = [];
      for (const step of [...(steps ?? [])].sort((a, b) => a - b)) {
        const atStep = inputs.map((list) => list.find((r) => r.step === step)!);
        results.push(computeIndexStep(cube.hierarchy, def, atStep, ctx.resolve('ew', step, def.periodicity, undefined)?.values));
      }
      if (results.length > 0) runs.push({ indicatorId: id, formulaVersion: version, periodicity: def.periodicity, stichtag: undefined, crosswalkFromVersion: crosswalkFrom, results });
    }
    return runs;
  };

  for (const version of versions) {
    const loaded = await observations.cube(request.tenant, request.schemeId, version);
    if (!loaded) continue;
    const own = await computeAll(loaded.cube, loaded.deliveries, null);
    const scheme = await observations.scheme(request.schemeId, version);
    let bridged: Run[] = [];
    let bridgedDeliveries = new Map<string, DeliveryDoc>();
    let predecessorHasData = false;
    if (scheme?.previousVersion && versions.includes(scheme.previousVersion)) {
      predecessorHasData = true;
      if (scheme.crosswalk.length > 0) {
        const old = await observations.cube(request.tenant, request.schemeId, scheme.previousVersion);
        if (old) {
          const cw = crosswalkCube(old.cube, loaded.cube.hierarchy, scheme.crosswalk, prepared.additiveCodes);
          bridged = await computeAll(cw, old.deliveries, scheme.previousVersion);
          bridgedDeliveries = old.deliveries;
          // Only periods before the new version's own data are carried over.
          for (const run of bridged) {
            const ownRun = own.find((r) => r.indicatorId === run.indicatorId);
            const ownSteps = new Set(ownRun?.results.map((r) => r.step) ?? []);
            run.results = run.results.filter((r) => !ownSteps.has(r.step));
          }
        }
      }
    }
    // Link the first own period to the carried-over one, or mark the break.
    const h = loaded.cube.hierarchy;
    for (const run of own) {
      const first = run.results[0];
      if (!first || !predecessorHasData) continue;
      const bridge = bridged.find((b) => b.indicatorId === run.indicatorId)?.results.find((r) => r.step === first.step - 1);
      for (let i = 0; i < h.codes.length; i += 1) {
        if (!first.covered[i]) continue;
        if (bridge && bridge.status[i] === STATUS.COMPUTED && bridge.covered[i]) {
          if (first.status[i] === STATUS.COMPUTED) first.previousValue[i] = bridge.value[i]!;
        } else first.seriesBreak[i] = 1;
      }
    }
    const all = [...bridged.filter((b) => b.results.length > 0), ...own];
    for (const run of all) {
      summaries.push(await emit(deps, request, run, h, version, run.crosswalkFromVersion === null ? loaded.deliveries : bridgedDeliveries));
    }
  }
  return summaries;
}

/** What one computation run is about, for its read-model documents and events. */
export interface RunContext {
  tenant: string;
  computationId: string;
  computedAt: string;
  run: Run;
  hierarchy: Hierarchy;
  schemeVersion: number;
  deliveries: ReadonlyMap<string, DeliveryDoc>;
}

/** The read-model documents of a run, one per period. */
export function valuesDocs(c: RunContext): ValuesDoc[] {
  const { run, hierarchy: h } = c;
  return run.results.map((r) => ({
    tenant: c.tenant,
    indicatorId: run.indicatorId,
    formulaVersion: run.formulaVersion,
    schemeId: h.schemeId,
    schemeVersion: c.schemeVersion,
    crosswalkFromVersion: run.crosswalkFromVersion,
    periodLabel: stepLabel(r.step, run.periodicity),
    period: periodOfStep(r.step, run.periodicity, r.zeitraum ? 'ZEITRAUM' : 'STICHTAG', run.stichtag),
    computationId: c.computationId,
    computedAt: c.computedAt,
    sensitivity: maxSensitivity(r.deliveries, c.deliveries),
    sourceDeliveryIds: [...r.deliveries].sort(),
    values: toStoredValues(h, r),
  }));
}

/** The IndicatorValuesComputed batches of a run: the RAW values (for audiences allowed to see raw counts), then the PROTECTED ones. */
export function valuesEventData(c: RunContext, docs: readonly ValuesDoc[]): IndicatorValuesComputed[] {
  const { run } = c;
  const allDeliveries = new Set<string>();
  for (const r of run.results) for (const d of r.deliveries) allDeliveries.add(d);
  const sensitivity = maxSensitivity(allDeliveries, c.deliveries);
  const flat = docs.flatMap((d) => d.values.map((v) => ({ v, period: d.period })));
  const out: IndicatorValuesComputed[] = [];
  const batches = Math.max(1, Math.ceil(flat.length / BATCH_SIZE));
  for (const protection of ['RAW', 'PROTECTED'] as const) {
    for (let b = 0; b < batches; b += 1) {
      const slice = flat.slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE);
      out.push({
        computationId: c.computationId,
        batchNumber: (protection === 'RAW' ? 0 : batches) + b + 1,
        isLastBatch: protection === 'PROTECTED' && b === batches - 1,
        indicatorId: run.indicatorId,
        formulaVersion: run.formulaVersion,
        schemeId: c.hierarchy.schemeId,
        schemeVersion: c.schemeVersion,
        sourceDeliveryIds: [...allDeliveries].sort(),
        protection,
        sensitivity,
        crosswalkFromVersion: run.crosswalkFromVersion,
        values: slice.map(({ v, period }) => {
          const { areaName: _name, ...shown } = protection === 'RAW' ? v : protectedValue(v);
          return { ...shown, period };
        }),
      });
    }
  }
  return out;
}

async function emit(deps: RecomputeDeps, request: RecomputeRequest, run: Run, h: Hierarchy, schemeVersion: number, deliveries: ReadonlyMap<string, DeliveryDoc>): Promise<ComputationSummary> {
  const context: RunContext = { tenant: request.tenant, computationId: randomUUID(), computedAt: request.now.toISOString(), run, hierarchy: h, schemeVersion, deliveries };
  const docs = valuesDocs(context);
  const correlationId = request.correlationId ?? randomUUID();
  const events: NewEvent[] = valuesEventData(context, docs).map((data) => ({
    id: randomUUID(),
    type: 'IndicatorValuesComputed',
    data,
    metadata: { tenant: request.tenant, occurredAt: request.now.toISOString(), actor: request.actor, correlationId },
  }));
  await deps.eventStore.appendToStream(`indicator-values-${request.tenant}-${run.indicatorId}`, events, { expectedVersion: 'any' });
  await deps.documents.write(docs.map((d) => ({ collection: VALUES_COLLECTION, key: valuesKey(d), doc: d })));
  const flat = docs.flatMap((d) => d.values);
  const values = flat.length;
  const suppressed = flat.filter((v) => v.status === 'SUPPRESSED_PRIMARY' || v.status === 'SUPPRESSED_SECONDARY').length;
  deps.logger?.debug?.(`Kennzahl ${run.indicatorId} v${run.formulaVersion}: ${values} Werte (${suppressed} geheim gehalten), ${h.schemeId} v${schemeVersion}`);
  return { indicatorId: run.indicatorId, formulaVersion: run.formulaVersion, schemeVersion, crosswalkFromVersion: run.crosswalkFromVersion, steps: run.results.length, values, suppressed };
}
