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
import type { IndicatorValue, IndicatorValuesComputed } from '@lagebild/contracts';
import type { DocumentStore, DocumentWrite, EventStore, Logger, NewEvent } from '@lagebild/platform';
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
import { periodOfStep, stepLabel, type ReferencePeriod, type StepNumber } from './engine/periods';
import type { DeliveryDoc, ObservationStore } from './store/observations';

export const VALUES_COLLECTION = 'indicators.values';
export const DISCLOSURE_COLLECTION = 'indicators.disclosure';
/** Values per IndicatorValuesComputed event. */
export const BATCH_SIZE = 2_000;
/**
 * IndicatorValuesComputed events per append: 50,000 values (RAW or PROTECTED), a few tens of MB
 * of objects and encoded bytes at most, whatever the size of the run (emitRun).
 */
export const EVENTS_PER_APPEND = 25;
/** Values of read-model documents per document write (whole periods: a document is never split). */
const VALUES_PER_DOCUMENT_WRITE = 50_000;

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
  /**
   * Aborted when the service stops: the recompute gives up before its next indicator or append.
   * What it appended so far is a computation without its last batch, which the redo of the same
   * delivery (its record is not committed) supersedes, as after a crash (see emitRun).
   */
  signal?: AbortSignal;
}

/** The stream every computation of a tenant's indicator appends its events to (the read model's version, see http/values-cache.ts). */
export const valuesStream = (tenant: string, indicatorId: string): string => `indicator-values-${tenant}-${indicatorId}`;

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

  // Inputs of the indices to emit: their results are kept until the indices are computed; every
  // other indicator's run is emitted and dropped as soon as it is computed, so a recompute holds
  // one run's results (and the index inputs), not every affected indicator's at once.
  const indexInputs = new Set<string>();
  for (const id of target.indices) for (const input of prepared.indices.get(id)!.def.inputs) indexInputs.add(input.indicator);

  /** Computes indicators and indices one at a time over one cube. */
  const calculator = (cube: MemoryCube, deliveries: Map<string, DeliveryDoc>, crosswalkFrom: number | null) => {
    const datasetsInCube = new Set<string>();
    for (const code of cube.codes()) for (const key of cube.periodKeys(code)) for (const d of cube.slice(code, key)!.deliveries) datasetsInCube.add(deliveries.get(d)?.datasetId ?? '');
    const overrides = settings.datasets ?? {};
    // Strictest rules of the data sets present: a data set's own minimums protect its cells wherever they are used.
    const rules = strictest(settings, [...datasetsInCube].map((d) => overrides[d] ?? {}));
    const ctx = new ComputationContext(cube, prepared.vocabulary, rules);
    const kept = new Map<string, StepResult[]>();
    return {
      /** The run of an indicator to emit; undefined when it is only an index input or has no values. */
      indicator(id: string): Run | undefined {
        const ind = prepared.indicators.get(id);
        if (!ind) return undefined;
        const results = computeIndicator(ctx, ind);
        if (indexInputs.has(id)) kept.set(id, results);
        if (!target.indicators.has(id) || results.length === 0) return undefined;
        return { indicatorId: id, formulaVersion: ind.version, periodicity: ind.def.periodicity, stichtag: ind.def.stichtag, crosswalkFromVersion: crosswalkFrom, results };
      },
      /** The run of an index, from its inputs' results (computed before by `indicator`). */
      index(id: string): Run | undefined {
        const { def, version } = prepared.indices.get(id)!;
        const inputs = def.inputs.map((i) => kept.get(i.indicator) ?? []);
        const steps = inputs.reduce<Set<StepNumber> | undefined>((acc, list) => {
          const s = new Set(list.map((r) => r.step));
          return acc ? new Set([...acc].filter((x) => s.has(x))) : s;
        }, undefined);
        const results: StepResult[] = [];
        for (const step of [...(steps ?? [])].sort((a, b) => a - b)) {
          const atStep = inputs.map((list) => list.find((r) => r.step === step)!);
          results.push(computeIndexStep(cube.hierarchy, def, atStep, ctx.resolve('ew', step, def.periodicity, undefined)?.values));
        }
        return results.length > 0 ? { indicatorId: id, formulaVersion: version, periodicity: def.periodicity, stichtag: undefined, crosswalkFromVersion: crosswalkFrom, results } : undefined;
      },
    };
  };

  for (const version of versions) {
    const loaded = await observations.cube(request.tenant, request.schemeId, version);
    if (!loaded) continue;
    const scheme = await observations.scheme(request.schemeId, version);
    const own = calculator(loaded.cube, loaded.deliveries, null);
    const h = loaded.cube.hierarchy;
    const previous = scheme?.previousVersion;
    const predecessorHasData = !!previous && versions.includes(previous);
    let old: Awaited<ReturnType<ObservationStore['cube']>>;
    let bridging: ReturnType<typeof calculator> | undefined;
    if (predecessorHasData && scheme && scheme.crosswalk.length > 0) {
      old = await observations.cube(request.tenant, request.schemeId, previous);
      if (old) bridging = calculator(crosswalkCube(old.cube, h, scheme.crosswalk, prepared.additiveCodes), old.deliveries, previous);
    }
    /** Emits an indicator's (or index's) carried-over run, then its own, linked to each other. */
    const finish = async (ownRun: Run | undefined, bridged: Run | undefined) => {
      // Only periods before the new version's own data are carried over.
      if (bridged && ownRun) {
        const ownSteps = new Set(ownRun.results.map((r) => r.step));
        bridged.results = bridged.results.filter((r) => !ownSteps.has(r.step));
      }
      // Link the first own period to the carried-over one, or mark the break.
      const first = ownRun?.results[0];
      if (first && predecessorHasData) {
        const bridge = bridged?.results.find((r) => r.step === first.step - 1);
        for (let i = 0; i < h.codes.length; i += 1) {
          if (!first.covered[i]) continue;
          if (bridge && bridge.status[i] === STATUS.COMPUTED && bridge.covered[i]) {
            if (first.status[i] === STATUS.COMPUTED) first.previousValue[i] = bridge.value[i]!;
          } else first.seriesBreak[i] = 1;
        }
      }
      if (bridged && bridged.results.length > 0) summaries.push(await emitRun(deps, request, bridged, h, version, old!.deliveries));
      if (ownRun) summaries.push(await emitRun(deps, request, ownRun, h, version, loaded.deliveries));
    };
    for (const id of needed) {
      request.signal?.throwIfAborted();
      await finish(own.indicator(id), bridging?.indicator(id));
    }
    for (const id of target.indices) {
      request.signal?.throwIfAborted();
      await finish(own.index(id), bridging?.index(id));
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

const periodOf = (run: Run, r: StepResult) => periodOfStep(r.step, run.periodicity, r.zeitraum ? 'ZEITRAUM' : 'STICHTAG', run.stichtag);

/** The read-model document of one period of a run. */
function valuesDoc(c: RunContext, r: StepResult): ValuesDoc {
  const { run, hierarchy: h } = c;
  return {
    tenant: c.tenant,
    indicatorId: run.indicatorId,
    formulaVersion: run.formulaVersion,
    schemeId: h.schemeId,
    schemeVersion: c.schemeVersion,
    crosswalkFromVersion: run.crosswalkFromVersion,
    periodLabel: stepLabel(r.step, run.periodicity),
    period: periodOf(run, r),
    computationId: c.computationId,
    computedAt: c.computedAt,
    sensitivity: maxSensitivity(r.deliveries, c.deliveries),
    sourceDeliveryIds: [...r.deliveries].sort(),
    values: toStoredValues(h, r),
  };
}

/** The read-model documents of a run, one per period, built one at a time as they are consumed. */
export function* runDocs(c: RunContext): Generator<ValuesDoc> {
  for (const r of c.run.results) yield valuesDoc(c, r);
}

/** How many values a run reports (covered units over all periods) and how many of them are suppressed. */
export function countValues(run: Run): { values: number; suppressed: number } {
  let values = 0;
  let suppressed = 0;
  for (const r of run.results) {
    const { covered, status } = r;
    for (let i = 0; i < covered.length; i += 1) {
      if (!covered[i]) continue;
      values += 1;
      if (status[i] === STATUS.SUPPRESSED_PRIMARY || status[i] === STATUS.SUPPRESSED_SECONDARY) suppressed += 1;
    }
  }
  return { values, suppressed };
}

/**
 * One value as the event carries it: no area name, the period with the value. PROTECTED drops the
 * numbers of suppressed values (as protectedValue; their comparison, Ampel and class are null
 * already, since only COMPUTED values have them). One literal with every field in the same order,
 * straight from the typed arrays: no intermediate StoredValue, rest or spread copies per value.
 */
function eventValue(h: Hierarchy, r: StepResult, i: number, period: ReferencePeriod, protect: boolean): IndicatorValue {
  const status = r.status[i]!;
  const shown = status === STATUS.COMPUTED;
  const hide = protect && (status === STATUS.SUPPRESSED_PRIMARY || status === STATUS.SUPPRESSED_SECONDARY);
  return {
    areaCode: h.codes[i]!,
    unitType: h.unitTypes[i]!,
    numerator: hide ? null : finite(r.numerator[i]!),
    denominator: hide || !r.denominator ? null : finite(r.denominator[i]!),
    value: hide ? null : finite(r.value[i]!),
    status: STATUS_NAMES[status]!,
    disclosureRule: r.rule[i] ?? null,
    comparison: shown ? { parentValue: finite(r.parentValue[i]!), previousValue: finite(r.previousValue[i]!), rank: r.rank[i]! > 0 ? r.rank[i]! : null, zScore: finite(r.zScore[i]!) } : null,
    seriesBreak: r.seriesBreak[i] === 1,
    ampel: shown ? (r.ampel[i] ?? null) : null,
    indexClass: shown ? (r.indexClass[i] ?? null) : null,
    period,
  };
}

/**
 * The IndicatorValuesComputed batches of a run, built one at a time as they are consumed: the RAW
 * values (for audiences allowed to see raw counts) in batches 1..n, then the PROTECTED ones in
 * n+1..2n, the last of which is the run's last batch. Values run period by period, unit by unit
 * in hierarchy order; at least one batch per protection, empty if the run reports no value.
 * Source deliveries and sensitivity are those of the whole run, on every batch.
 */
export function* runEventData(c: RunContext): Generator<IndicatorValuesComputed> {
  const { run, hierarchy: h } = c;
  const allDeliveries = new Set<string>();
  for (const r of run.results) for (const d of r.deliveries) allDeliveries.add(d);
  const sourceDeliveryIds = [...allDeliveries].sort();
  const sensitivity = maxSensitivity(allDeliveries, c.deliveries);
  const batches = Math.max(1, Math.ceil(countValues(run).values / BATCH_SIZE));
  const periods = run.results.map((r) => periodOf(run, r));
  for (const protection of ['RAW', 'PROTECTED'] as const) {
    const protect = protection === 'PROTECTED';
    let batchNumber = protect ? batches : 0;
    const batch = (values: IndicatorValue[]): IndicatorValuesComputed => {
      batchNumber += 1;
      return {
        computationId: c.computationId,
        batchNumber,
        isLastBatch: protect && batchNumber === 2 * batches,
        indicatorId: run.indicatorId,
        formulaVersion: run.formulaVersion,
        schemeId: h.schemeId,
        schemeVersion: c.schemeVersion,
        sourceDeliveryIds: [...sourceDeliveryIds],
        protection,
        sensitivity,
        crosswalkFromVersion: run.crosswalkFromVersion,
        values,
      };
    };
    let values: IndicatorValue[] = [];
    let yielded = false;
    for (let s = 0; s < run.results.length; s += 1) {
      const r = run.results[s]!;
      const period = periods[s]!;
      const covered = r.covered;
      for (let i = 0; i < covered.length; i += 1) {
        if (!covered[i]) continue;
        values.push(eventValue(h, r, i, period, protect));
        if (values.length === BATCH_SIZE) {
          yield batch(values);
          yielded = true;
          values = [];
        }
      }
    }
    if (values.length > 0 || !yielded) yield batch(values);
  }
}

/**
 * Writes one run: its IndicatorValuesComputed events, then its read-model documents, built and
 * written a chunk at a time, so the heap holds one append's batches (EVENTS_PER_APPEND x
 * BATCH_SIZE values) or one document write, never the run. A single indicator of a large city
 * (Berlin's Planungsräume x 100, 20 half-years: a million values, RAW and PROTECTED) built as a
 * whole was several GB of small objects, and ran the process out of heap.
 *
 * Atomicity: the run is several appends, not one. One append cannot be fed a run without
 * materialising it: appendToStream takes an array of events and encodes every one of them before
 * its write transaction, so one append holds the whole run twice (objects and encoded bytes);
 * streaming into one append would need a change of the EventStore port. What several appends
 * give up, and why that is safe:
 * - A crash (or a failed append) between chunks leaves a partial computation in the stream: some
 *   RAW batches, maybe some PROTECTED ones, never the batch with isLastBatch (it is in the last
 *   chunk), and the read model still the previous computation's (it is written after all events).
 * - The consumer redoes the whole recompute: the delivery's last ObservationsRecorded record is
 *   committed (and its event id marked processed) only after its handler returned, and a failing
 *   handler is retried. The redo computes the same values (same observations) under a new
 *   computationId and appends them after the partial ones, so every value of the partial run
 *   gets a newer computation at a higher stream version: the warehouse's current values pick the
 *   highest stream_version per tenant, indicator, scheme, protection, area and period; the goals
 *   service keeps per area and period the value of the batch it received last; the read model is
 *   keyed without computationId (valuesKey) and overwritten. Only between the crash and the redo
 *   can readers see values of two computations side by side, as they already could across the
 *   indicators of one recompute, each of which was always an append of its own.
 * - Two computations of one indicator and scheme never interleave: recomputes are serialised per
 *   tenant and scheme (service.ts), and computations of other schemes in the same stream have
 *   other value identities.
 */
export async function emitRun(deps: Pick<RecomputeDeps, 'eventStore' | 'documents' | 'logger'>, request: RecomputeRequest, run: Run, h: Hierarchy, schemeVersion: number, deliveries: ReadonlyMap<string, DeliveryDoc>): Promise<ComputationSummary> {
  const context: RunContext = { tenant: request.tenant, computationId: randomUUID(), computedAt: request.now.toISOString(), run, hierarchy: h, schemeVersion, deliveries };
  const correlationId = request.correlationId ?? randomUUID();
  const occurredAt = request.now.toISOString();
  const stream = valuesStream(request.tenant, run.indicatorId);
  let events: NewEvent[] = [];
  for (const data of runEventData(context)) {
    events.push({ id: randomUUID(), type: 'IndicatorValuesComputed', data, metadata: { tenant: request.tenant, occurredAt, actor: request.actor, correlationId } });
    if (events.length === EVENTS_PER_APPEND) {
      request.signal?.throwIfAborted();
      await deps.eventStore.appendToStream(stream, events, { expectedVersion: 'any' });
      events = [];
    }
  }
  if (events.length > 0) await deps.eventStore.appendToStream(stream, events, { expectedVersion: 'any' });
  events = [];
  let writes: DocumentWrite[] = [];
  let pending = 0;
  for (const doc of runDocs(context)) {
    writes.push({ collection: VALUES_COLLECTION, key: valuesKey(doc), doc });
    pending += doc.values.length;
    if (pending >= VALUES_PER_DOCUMENT_WRITE) {
      await deps.documents.write(writes);
      writes = [];
      pending = 0;
    }
  }
  if (writes.length > 0) await deps.documents.write(writes);
  const { values, suppressed } = countValues(run);
  deps.logger?.debug?.(`Kennzahl ${run.indicatorId} v${run.formulaVersion}: ${values} Werte (${suppressed} geheim gehalten), ${h.schemeId} v${schemeVersion}`);
  return { indicatorId: run.indicatorId, formulaVersion: run.formulaVersion, schemeVersion, crosswalkFromVersion: run.crosswalkFromVersion, steps: run.results.length, values, suppressed };
}
