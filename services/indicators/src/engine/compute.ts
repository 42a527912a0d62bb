/**
 * The indicator engine: resolves vocabulary variables from delivered ones, sums additive ones up
 * the hierarchy (numerators and denominators are summed, rates never averaged), evaluates the
 * formula for every unit at once, applies disclosure control (primary, then secondary so that no
 * suppressed cell can be recomputed from its parent and siblings) and adds comparisons and the
 * Ampel. Pure and synchronous: the service feeds it a cube and turns its results into events.
 */
import type { IndexDefinition, IndicatorDefinition, Periodicity, Thresholds, VariableDefinition } from '../catalogue/model';
import { primaryRule, protect, type DisclosureRules, type HierarchyCell } from '../disclosure';
import { evaluateVector, inputsOf, type CompiledFormula, type FormulaNode } from '../formula';
import type { ObservationCube } from './cube';
import { aggregateUp, type Hierarchy } from './hierarchy';
import { parsePeriodKey, stepOfPeriod, type StepNumber } from './periods';

export const STATUS = { COMPUTED: 0, NOT_COMPUTABLE: 1, SUPPRESSED_PRIMARY: 2, SUPPRESSED_SECONDARY: 3 } as const;
export type StatusCode = (typeof STATUS)[keyof typeof STATUS];
export const STATUS_NAMES = ['COMPUTED', 'NOT_COMPUTABLE', 'SUPPRESSED_PRIMARY', 'SUPPRESSED_SECONDARY'] as const;

/** Units whose values are never counted people or cases: no disclosure control on them. */
const UNCOUNTED_UNITS = new Set(['EUR', 'm²', '%', 'km²', 'Index', 'Wert', 'Stunden']);

export interface VocabularyEntry {
  def: VariableDefinition;
  /** Compiled `sources`, in order of preference, over delivered variable codes. */
  sources: FormulaNode[];
}

export interface CompiledIndicator {
  def: IndicatorDefinition;
  version: number;
  formula: CompiledFormula;
}

export interface AmpelResult {
  color: 'GREEN' | 'YELLOW' | 'RED';
  rule: string;
}

/** The result of one indicator for one step over all units of the hierarchy (columnar). */
export interface StepResult {
  step: StepNumber;
  /** True when any input of the step was a Zeitraum (a flow or an average), false for pure stocks. */
  zeitraum: boolean;
  numerator: Float64Array;
  denominator: Float64Array | null;
  value: Float64Array;
  status: Uint8Array;
  rule: Array<string | null>;
  /** Units that have any input for the step: only these are reported. */
  covered: Uint8Array;
  parentValue: Float64Array;
  previousValue: Float64Array;
  rank: Int32Array;
  zScore: Float64Array;
  ampel: Array<AmpelResult | null>;
  indexClass: Array<{ code: number; label: string } | null>;
  seriesBreak: Uint8Array;
  deliveries: Set<string>;
}

interface Resolved {
  values: Float64Array;
  deliveries: ReadonlySet<string>;
  zeitraum: boolean;
}

interface Protection {
  status: Uint8Array;
  rule: Array<string | null>;
}

const nanArray = (n: number) => new Float64Array(n).fill(Number.NaN);

/**
 * One computation over one cube: memoises resolved variables and their protection, so that
 * many indicators over the same inputs share the work.
 */
export class ComputationContext {
  readonly hierarchy: Hierarchy;
  private readonly stepIndexes = new Map<string, Map<string, Map<StepNumber, { key: string; zeitraum: boolean }>>>();
  private readonly resolved = new Map<string, Resolved | null>();
  private readonly protections = new Map<string, Protection>();

  constructor(
    readonly cube: ObservationCube,
    readonly vocabulary: ReadonlyMap<string, VocabularyEntry>,
    readonly rules: DisclosureRules,
  ) {
    this.hierarchy = cube.hierarchy;
  }

  /** Delivered period keys of each code by step of a periodicity; a Stichtag wins over a Zeitraum of the same step. */
  private stepIndex(periodicity: Periodicity, stichtag: string | undefined) {
    const id = `${periodicity}|${stichtag ?? ''}`;
    let index = this.stepIndexes.get(id);
    if (index) return index;
    index = new Map();
    for (const code of this.cube.codes()) {
      const bySteps = new Map<StepNumber, { key: string; zeitraum: boolean }>();
      for (const key of this.cube.periodKeys(code)) {
        const period = parsePeriodKey(key);
        const step = stepOfPeriod(period, periodicity, stichtag);
        if (step === undefined) continue;
        const known = bySteps.get(step);
        if (!known || (known.zeitraum && period.kind === 'STICHTAG')) bySteps.set(step, { key, zeitraum: period.kind === 'ZEITRAUM' });
      }
      index.set(code, bySteps);
    }
    this.stepIndexes.set(id, index);
    return index;
  }

  /** Steps at which a delivered code has values. */
  deliveredSteps(code: string, periodicity: Periodicity, stichtag: string | undefined): StepNumber[] {
    return [...(this.stepIndex(periodicity, stichtag).get(code)?.keys() ?? [])];
  }

  /** Steps at which a vocabulary variable can be resolved (any source alternative complete). */
  variableSteps(code: string, periodicity: Periodicity, stichtag: string | undefined): Set<StepNumber> {
    const entry = this.vocabulary.get(code);
    const steps = new Set<StepNumber>();
    if (!entry) return steps;
    for (const source of entry.sources) {
      let candidate: Set<StepNumber> | undefined;
      for (const input of inputsOf(source)) {
        const shifted = new Set(this.deliveredSteps(input.code, periodicity, stichtag).map((s) => s + input.lag));
        candidate = candidate ? new Set([...candidate].filter((s) => shifted.has(s))) : shifted;
      }
      for (const s of candidate ?? []) steps.add(s);
    }
    return steps;
  }

  /** A vocabulary variable at a step, over all units; additive ones summed up the hierarchy. */
  resolve(code: string, step: StepNumber, periodicity: Periodicity, stichtag: string | undefined): Resolved | undefined {
    const id = `${code}|${periodicity}|${stichtag ?? ''}|${step}`;
    const known = this.resolved.get(id);
    if (known !== undefined) return known ?? undefined;
    const entry = this.vocabulary.get(code);
    let result: Resolved | null = null;
    if (entry) {
      const n = this.hierarchy.codes.length;
      const index = this.stepIndex(periodicity, stichtag);
      const out = nanArray(n);
      const deliveries = new Set<string>();
      let zeitraum = false;
      let any = false;
      for (const source of entry.sources) {
        let complete = true;
        const used: string[] = [];
        const values = evaluateVector(
          source,
          (delivered, lag) => {
            const at = index.get(delivered)?.get(step - lag);
            const slice = at ? this.cube.slice(delivered, at.key) : undefined;
            if (!slice || !at) {
              complete = false;
              return undefined;
            }
            if (at.zeitraum) zeitraum = true;
            used.push(`${delivered}|${at.key}`);
            for (const d of slice.deliveries) deliveries.add(d);
            return slice.values;
          },
          n,
        );
        if (!complete) continue;
        any = true;
        for (let i = 0; i < n; i += 1) if (Number.isNaN(out[i]!) && !Number.isNaN(values[i]!)) out[i] = values[i]!;
      }
      if (any) {
        if (entry.def.additive) aggregateUp(this.hierarchy, out);
        result = { values: out, deliveries, zeitraum };
      }
    }
    this.resolved.set(id, result);
    return result ?? undefined;
  }

  /** Whether a vocabulary variable counts people or cases (additive and not money or area). */
  isCounted(code: string): boolean {
    const entry = this.vocabulary.get(code);
    return !!entry && entry.def.additive && !UNCOUNTED_UNITS.has(entry.def.unit);
  }

  /** Population of each unit at a step (vocabulary variable `ew`), for the min-population rule. */
  population(step: StepNumber, periodicity: Periodicity, stichtag: string | undefined): Float64Array | undefined {
    if (this.rules.minPopulation <= 0) return undefined;
    return this.resolve('ew', step, periodicity, stichtag)?.values;
  }

  /**
   * Disclosure control of a counted variable's cells at a step: primary (small counts, small
   * units) and secondary over the hierarchy. Shared by every indicator that reads the variable,
   * so the same cell is protected the same way wherever it appears.
   */
  protection(code: string, step: StepNumber, periodicity: Periodicity, stichtag: string | undefined): Protection | undefined {
    const id = `${code}|${periodicity}|${stichtag ?? ''}|${step}`;
    const known = this.protections.get(id);
    if (known) return known;
    const resolved = this.resolve(code, step, periodicity, stichtag);
    if (!resolved) return undefined;
    const population = this.population(step, periodicity, stichtag);
    const result = protectCells(this.hierarchy, resolved.values, this.rules, { population });
    this.protections.set(id, result);
    return result;
  }
}

export { inputsOf };

/** Whether a node is a sum/difference of variables that pass `counted` (coefficients 1/-1, no constants). */
export function isAdditiveSum(node: FormulaNode, counted: (code: string) => boolean): boolean {
  switch (node.kind) {
    case 'variable':
      return counted(node.code);
    case 'binary':
      return (node.op === '+' || node.op === '-') && isAdditiveSum(node.left, counted) && isAdditiveSum(node.right, counted);
    case 'sum':
      return node.operands.every((o) => isAdditiveSum(o, counted));
    case 'lag':
      return isAdditiveSum(node.operand, counted);
    default:
      return false;
  }
}

const STATUS_OF_DECISION: Record<string, StatusCode> = {
  published: STATUS.COMPUTED,
  not_available: STATUS.NOT_COMPUTABLE,
  suppressed_primary: STATUS.SUPPRESSED_PRIMARY,
  suppressed_secondary: STATUS.SUPPRESSED_SECONDARY,
};

/** Runs disclosure control over one additive array of the hierarchy. */
export function protectCells(
  h: Hierarchy,
  values: Float64Array,
  rules: DisclosureRules,
  extra: { population?: Float64Array; denominator?: Float64Array | null; forced?: Array<string | null>; forcedStatus?: Uint8Array; additive?: boolean } = {},
): Protection {
  const n = h.codes.length;
  const status = new Uint8Array(n).fill(STATUS.NOT_COMPUTABLE);
  const rule: Array<string | null> = new Array<string | null>(n).fill(null);
  const cells: HierarchyCell[] = [];
  for (let i = 0; i < n; i += 1) {
    // Every unit takes part, a missing one with value null: the disclosure module then replaces
    // it by its children in the equation above (a missing Bezirk between a published city total
    // and its Planungsräume must not let a hidden Planungsraum be recomputed).
    const v = values[i]!;
    const p = h.parent[i]!;
    const pop = extra.population?.[i];
    const den = extra.denominator?.[i];
    cells.push({
      id: h.codes[i]!,
      parentId: p >= 0 ? h.codes[p]! : null,
      value: Number.isNaN(v) ? null : v,
      population: pop === undefined || Number.isNaN(pop) ? null : pop,
      denominator: den === undefined || Number.isNaN(den) ? null : den,
      forced: extra.forced?.[i] ?? null,
    });
  }
  if (extra.additive === false) {
    // Not a count: only the primary rules (small units, suppressed inputs) apply; nothing to complement.
    for (const cell of cells) {
      const i = h.index.get(cell.id)!;
      const r = cell.forced ?? primaryRule(cell, rules);
      status[i] = r ? (extra.forcedStatus?.[i] ?? STATUS.SUPPRESSED_PRIMARY) : cell.value === null ? STATUS.NOT_COMPUTABLE : STATUS.COMPUTED;
      rule[i] = r;
    }
    return { status, rule };
  }
  const decisions = protect(cells, rules);
  for (const [id, decision] of decisions) {
    const i = h.index.get(id)!;
    let s = STATUS_OF_DECISION[decision.status] ?? STATUS.NOT_COMPUTABLE;
    // A cell forced because an input cell was only secondarily suppressed keeps that status.
    if (s === STATUS.SUPPRESSED_PRIMARY && extra.forced?.[i] && extra.forcedStatus?.[i] === STATUS.SUPPRESSED_SECONDARY && decision.rule === extra.forced[i]) {
      s = STATUS.SUPPRESSED_SECONDARY;
    }
    status[i] = s;
    rule[i] = decision.rule;
  }
  return { status, rule };
}

export interface ComputeOptions {
  /** Steps to compute; default: every step at which all inputs have data. */
  steps?: readonly StepNumber[];
}

/** Computes one indicator over the cube for its steps. */
export function computeIndicator(ctx: ComputationContext, indicator: CompiledIndicator, options: ComputeOptions = {}): StepResult[] {
  const { def, formula } = indicator;
  const h = ctx.hierarchy;
  const n = h.codes.length;
  const { periodicity, stichtag } = def;
  const inputs = formula.inputs;
  let steps: StepNumber[];
  if (options.steps) steps = [...options.steps];
  else {
    let candidate: Set<StepNumber> | undefined;
    for (const input of inputs) {
      const shifted = new Set([...ctx.variableSteps(input.code, periodicity, stichtag)].map((s) => s + input.lag));
      candidate = candidate ? new Set([...candidate].filter((s) => shifted.has(s))) : shifted;
    }
    steps = [...(candidate ?? [])].sort((a, b) => a - b);
  }
  const counted = (code: string) => ctx.isCounted(code);
  const numeratorCounted = isAdditiveSum(formula.numerator, counted);
  const scale = def.scale;
  const results: StepResult[] = [];
  const byStep = new Map<StepNumber, StepResult>();
  for (const step of steps) {
    const deliveries = new Set<string>();
    let zeitraum = false;
    const covered = new Uint8Array(n);
    const reader = (code: string, lag: number) => {
      const r = ctx.resolve(code, step - lag, periodicity, stichtag);
      if (!r) return undefined;
      for (const d of r.deliveries) deliveries.add(d);
      if (r.zeitraum) zeitraum = true;
      for (let i = 0; i < n; i += 1) if (!Number.isNaN(r.values[i]!)) covered[i] = 1;
      return r.values;
    };
    const numerator = evaluateVector(formula.numerator, reader, n);
    const denominator = formula.denominator ? evaluateVector(formula.denominator, reader, n) : null;
    const value = new Float64Array(n);
    for (let i = 0; i < n; i += 1) {
      const num = numerator[i]!;
      if (denominator) {
        const den = denominator[i]!;
        value[i] = den === 0 || Number.isNaN(den) || Number.isNaN(num) ? Number.NaN : (num / den) * scale;
      } else value[i] = Number.isNaN(num) ? Number.NaN : num * scale;
    }

    // Disclosure: a value is suppressed when a counted input cell it reads is suppressed ...
    const forced: Array<string | null> = new Array<string | null>(n).fill(null);
    const forcedStatus = new Uint8Array(n);
    for (const input of inputs) {
      if (!counted(input.code)) continue;
      const p = ctx.protection(input.code, step - input.lag, periodicity, stichtag);
      if (!p) continue;
      for (let i = 0; i < n; i += 1) {
        const s = p.status[i]!;
        if ((s === STATUS.SUPPRESSED_PRIMARY || s === STATUS.SUPPRESSED_SECONDARY) && (!forced[i] || forcedStatus[i] === STATUS.SUPPRESSED_SECONDARY)) {
          forced[i] = p.rule[i] ?? null;
          forcedStatus[i] = s;
        }
      }
    }
    // ... or by its own minimums; then secondary suppression over the additive numerator.
    const indicatorRules: DisclosureRules = {
      ...ctx.rules,
      minCount: numeratorCounted ? (def.disclosure?.minNumerator ?? ctx.rules.minCount) : 0,
      minDenominator: def.disclosure?.minDenominator ?? ctx.rules.minDenominator,
    };
    const population = ctx.population(step, periodicity, stichtag);
    const protection = protectCells(h, numeratorCounted ? numerator : value, indicatorRules, {
      population,
      denominator,
      forced,
      forcedStatus,
      additive: numeratorCounted,
    });
    const status = protection.status;
    for (let i = 0; i < n; i += 1) {
      if (Number.isNaN(value[i]!) && status[i] === STATUS.COMPUTED) status[i] = STATUS.NOT_COMPUTABLE;
      if (!covered[i]) status[i] = STATUS.NOT_COMPUTABLE;
    }
    const result: StepResult = {
      step,
      zeitraum,
      numerator,
      denominator,
      value,
      status,
      rule: protection.rule,
      covered,
      parentValue: nanArray(n),
      previousValue: nanArray(n),
      rank: new Int32Array(n),
      zScore: nanArray(n),
      ampel: new Array<AmpelResult | null>(n).fill(null),
      indexClass: new Array<{ code: number; label: string } | null>(n).fill(null),
      seriesBreak: new Uint8Array(n),
      deliveries,
    };
    addComparisons(h, result, byStep.get(step - 1));
    addAmpel(h, result, def.thresholds, def.polarity);
    byStep.set(step, result);
    results.push(result);
  }
  return results;
}

/** Parent value, previous value, rank among siblings and z-score among units of the same type; only published values take part. */
export function addComparisons(h: Hierarchy, r: StepResult, previous: StepResult | undefined): void {
  const n = h.codes.length;
  const shown = (i: number) => r.status[i] === STATUS.COMPUTED && r.covered[i] === 1;
  for (let i = 0; i < n; i += 1) {
    if (!shown(i)) continue;
    const p = h.parent[i]!;
    if (p >= 0 && shown(p)) r.parentValue[i] = r.value[p]!;
    if (previous && previous.status[i] === STATUS.COMPUTED && previous.covered[i] === 1) r.previousValue[i] = previous.value[i]!;
  }
  // Rank among siblings (1 = highest value).
  for (let p = 0; p < n; p += 1) {
    const siblings = h.children[p]!.filter(shown).sort((a, b) => r.value[b]! - r.value[a]! || a - b);
    siblings.forEach((i, k) => (r.rank[i] = k + 1));
  }
  // z-scores per unit type.
  const byType = new Map<string, number[]>();
  for (let i = 0; i < n; i += 1) {
    if (!shown(i)) continue;
    const t = h.unitTypes[i]!;
    let list = byType.get(t);
    if (!list) byType.set(t, (list = []));
    list.push(i);
  }
  for (const list of byType.values()) {
    if (list.length < 2) continue;
    const { mean, sd } = meanSd(list.map((i) => r.value[i]!));
    if (sd === 0) continue;
    for (const i of list) r.zScore[i] = (r.value[i]! - mean) / sd;
  }
}

export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return { mean, sd: Math.sqrt(sq / values.length) };
}

/**
 * German number text (1.234,5) for Ampel rules. Written by hand because Intl formatting costs
 * microseconds per call, and a Germany-scale recompute writes tens of millions of rules.
 */
export function fmt(v: number, digits: 0 | 1 = 1): string {
  const fixed = Math.abs(v).toFixed(digits);
  const dot = fixed.indexOf('.');
  const int = dot < 0 ? fixed : fixed.slice(0, dot);
  const frac = dot < 0 ? '' : `,${fixed.slice(dot + 1)}`;
  let grouped = int;
  if (int.length > 3) {
    grouped = '';
    for (let i = int.length; i > 0; i -= 3) grouped = int.slice(Math.max(0, i - 3), i) + (grouped ? `.${grouped}` : '');
  }
  return `${v < 0 && Number(fixed) !== 0 ? '-' : ''}${grouped}${frac}`;
}

/** Ampel per published value (DOMAIN.md 4: thresholds, absolute or relative to the parent area). */
export function addAmpel(h: Hierarchy, r: StepResult, thresholds: Thresholds | undefined, polarity: '+' | '-' | '0'): void {
  if (!thresholds) return;
  for (let i = 0; i < h.codes.length; i += 1) {
    if (r.status[i] !== STATUS.COMPUTED || !r.covered[i]) continue;
    r.ampel[i] = rateAmpel(r.value[i]!, r.parentValue[i]!, thresholds, polarity, h.unitTypes[h.parent[i]!] ?? null);
  }
}

export function rateAmpel(value: number, parentValue: number, t: Thresholds, polarity: '+' | '-' | '0', parentType: string | null): AmpelResult | null {
  if (t.kind === 'absolute') {
    if (polarity === '0') return null;
    const better = polarity === '+' ? value >= t.green : value <= t.green;
    const ok = polarity === '+' ? value >= t.yellow : value <= t.yellow;
    const sign = polarity === '+' ? '≥' : '≤';
    if (better) return { color: 'GREEN', rule: `Wert ${fmt(value)} ${sign} ${fmt(t.green)} (grün)` };
    if (ok) return { color: 'YELLOW', rule: `Wert ${fmt(value)} ${sign} ${fmt(t.yellow)} (gelb), grün ab ${fmt(t.green)}` };
    return { color: 'RED', rule: `Wert ${fmt(value)} verfehlt ${fmt(t.yellow)} (rot)` };
  }
  if (Number.isNaN(parentValue) || parentValue === 0) return null;
  const deviation = ((value - parentValue) / Math.abs(parentValue)) * 100;
  const unfavourable = polarity === '+' ? -deviation : polarity === '-' ? deviation : Math.abs(deviation);
  const reference = parentType === 'Gesamt' ? 'der Gesamtheit' : 'der übergeordneten Einheit';
  const text = `Abweichung vom Wert ${reference}: ${deviation >= 0 ? '+' : ''}${fmt(deviation)} %`;
  if (unfavourable >= t.redFromPercent) return { color: 'RED', rule: `${text} (rot ab ${fmt(t.redFromPercent, 0)} %)` };
  if (unfavourable >= t.yellowFromPercent) return { color: 'YELLOW', rule: `${text} (gelb ab ${fmt(t.yellowFromPercent, 0)} %)` };
  return { color: 'GREEN', rule: `${text} (grün unter ${fmt(t.yellowFromPercent, 0)} %)` };
}

/**
 * A composite index (z-sum) at one step from its inputs' results: each input z-standardised
 * across the valid units of the same type (all inputs shown, population at least minPopulation),
 * weighted and summed; the sum z-standardised again and classified by the class bounds.
 * Berlin MSS: Statusindex classes at -1, +1, +1.5 standard deviations; Dynamikindex at -1, +1.
 */
export function computeIndexStep(h: Hierarchy, def: IndexDefinition, inputs: ReadonlyArray<StepResult>, population: Float64Array | undefined): StepResult {
  const n = h.codes.length;
  const step = inputs[0]!.step;
  const value = nanArray(n);
  const status = new Uint8Array(n).fill(STATUS.NOT_COMPUTABLE);
  const rule: Array<string | null> = new Array<string | null>(n).fill(null);
  const covered = new Uint8Array(n);
  const deliveries = new Set<string>();
  for (const input of inputs) for (const d of input.deliveries) deliveries.add(d);
  const valid: number[] = [];
  for (let i = 0; i < n; i += 1) {
    if (inputs.some((r) => r.covered[i])) covered[i] = 1;
    const suppressed = inputs.find((r) => r.status[i] === STATUS.SUPPRESSED_PRIMARY || r.status[i] === STATUS.SUPPRESSED_SECONDARY);
    if (suppressed) {
      status[i] = STATUS.SUPPRESSED_SECONDARY;
      rule[i] = `eingang:${suppressed.rule[i] ?? 'geheim'}`;
      continue;
    }
    if (!inputs.every((r) => r.status[i] === STATUS.COMPUTED && r.covered[i])) continue;
    if (def.minPopulation && population && !(population[i]! >= def.minPopulation)) {
      rule[i] = `min-population:${def.minPopulation}`;
      continue;
    }
    valid.push(i);
  }
  const byType = new Map<string, number[]>();
  for (const i of valid) {
    const t = h.unitTypes[i]!;
    let list = byType.get(t);
    if (!list) byType.set(t, (list = []));
    list.push(i);
  }
  const indexClass: Array<{ code: number; label: string } | null> = new Array<{ code: number; label: string } | null>(n).fill(null);
  const zScore = nanArray(n);
  for (const list of byType.values()) {
    if (list.length < 3) continue;
    const sums = new Float64Array(list.length);
    def.inputs.forEach((input, k) => {
      const r = inputs[k]!;
      const { mean, sd } = meanSd(list.map((i) => r.value[i]!));
      if (sd === 0) return;
      list.forEach((i, j) => (sums[j] = sums[j]! + (input.weight ?? 1) * ((r.value[i]! - mean) / sd)));
    });
    const { mean, sd } = meanSd([...sums]);
    list.forEach((i, j) => {
      const z = sd === 0 ? 0 : (sums[j]! - mean) / sd;
      value[i] = z;
      zScore[i] = z;
      status[i] = STATUS.COMPUTED;
      const cls = def.classes.find((c) => c.upTo === undefined || z <= c.upTo) ?? def.classes[def.classes.length - 1]!;
      indexClass[i] = { code: cls.code, label: cls.label };
    });
  }
  const result: StepResult = {
    step,
    zeitraum: inputs.some((r) => r.zeitraum),
    numerator: nanArray(n),
    denominator: null,
    value,
    status,
    rule,
    covered,
    parentValue: nanArray(n),
    previousValue: nanArray(n),
    rank: new Int32Array(n),
    zScore,
    ampel: new Array<AmpelResult | null>(n).fill(null),
    indexClass,
    seriesBreak: new Uint8Array(n),
    deliveries,
  };
  return result;
}
