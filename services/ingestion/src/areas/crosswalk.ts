/**
 * Deriving crosswalk weights honestly from what cities publish: a match table (which old unit
 * became which new units) and the population of both versions at the switch.
 *
 * Method (documented in the weights' `method` text as well):
 * 1. The match pairs form connected groups of old and new units (a split: 1 old, n new; a merge:
 *    n old, 1 new; unchanged: 1:1).
 * 2. A group is only trusted when the old units' population and the new units' population agree
 *    within the tolerance (default 5 %, at least 50 people): then the group is a complete
 *    re-partition of the same territory, up to the half year of population change between the
 *    two Stichtage.
 * 3. Weights: a split gives each new unit the share of the group's new population it holds
 *    (population-based: the old unit's figures are divided as its inhabitants were); a merge or
 *    1:1 gives weight 1. Groups with several old and several new units cannot be divided by
 *    population alone: series break.
 * 4. Every old unit that is in no trusted group is a series break, with the reason.
 * Pure, except for the CSV reader of population files at the end.
 */
import { parse } from 'csv-parse/sync';
import { AreaRuleViolation } from './decide';
import type { CrosswalkWeight, SeriesBreak } from './model';
import { decodeText } from './sources/encoding';

export interface CrosswalkDerivation {
  weights: CrosswalkWeight[];
  seriesBreaks: SeriesBreak[];
  method: string;
  /** Counts for the report: trusted groups by shape, breaks. */
  summary: { groups: number; trustedGroups: number; oneToOne: number; splits: number; merges: number; seriesBreaks: number; ignoredPairs: number };
}

export interface DeriveInput {
  fromCodes: ReadonlySet<string>;
  toCodes: ReadonlySet<string>;
  /** [old code, new code] pairs, in any order and with duplicates. */
  pairs: ReadonlyArray<readonly [string, string]>;
  fromPopulation: ReadonlyMap<string, number>;
  toPopulation: ReadonlyMap<string, number>;
  /** Relative deviation allowed between a group's old and new population. @default 0.05 */
  tolerance?: number;
  /** Absolute deviation always allowed (tiny units). @default 50 */
  slack?: number;
  /** Where the populations come from, for the method text (e.g. "Einwohner 31.12.2020 / 30.06.2021"). */
  populationSource?: string;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1).replace('.', ',')} %`;
}

export function deriveCrosswalkFromMatches(input: DeriveInput): CrosswalkDerivation {
  const tolerance = input.tolerance ?? 0.05;
  const slack = input.slack ?? 50;
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const edges = new Set<string>();
  let ignoredPairs = 0;
  for (const [from, to] of input.pairs) {
    if (!input.fromCodes.has(from) || !input.toCodes.has(to)) {
      ignoredPairs += 1;
      continue;
    }
    const a = `o:${from}`;
    const b = `n:${to}`;
    edges.add(`${from}\u0000${to}`);
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    parent.set(find(a), find(b));
  }
  const groups = new Map<string, { from: string[]; to: string[] }>();
  for (const node of parent.keys()) {
    const root = find(node);
    const group = groups.get(root) ?? { from: [], to: [] };
    if (node.startsWith('o:')) group.from.push(node.slice(2));
    else group.to.push(node.slice(2));
    groups.set(root, group);
  }

  const weights: CrosswalkWeight[] = [];
  const seriesBreaks: SeriesBreak[] = [];
  const covered = new Set<string>();
  const summary = { groups: groups.size, trustedGroups: 0, oneToOne: 0, splits: 0, merges: 0, seriesBreaks: 0, ignoredPairs };
  const byCode = (a: string, b: string) => a.localeCompare(b, 'de', { numeric: true });
  for (const group of [...groups.values()].sort((a, b) => byCode(a.from[0] ?? '', b.from[0] ?? ''))) {
    group.from.sort(byCode);
    group.to.sort(byCode);
    for (const code of group.from) covered.add(code);
    const breakAll = (reason: string) => {
      for (const code of group.from) seriesBreaks.push({ code, reason });
    };
    const unknown = [...group.from.filter((c) => !input.fromPopulation.has(c)), ...group.to.filter((c) => !input.toPopulation.has(c))];
    if (unknown.length > 0) {
      breakAll(`Bevölkerung unbekannt für ${unknown.join(', ')}; kein Gewicht bestimmbar`);
      continue;
    }
    const oldPop = group.from.reduce((s, c) => s + input.fromPopulation.get(c)!, 0);
    const newPop = group.to.reduce((s, c) => s + input.toPopulation.get(c)!, 0);
    const deviation = Math.abs(oldPop - newPop);
    if (deviation > Math.max(tolerance * Math.max(oldPop, newPop), slack)) {
      breakAll(
        `Zuordnung ${group.from.join(', ')} → ${group.to.join(', ')} ist keine vollständige Neugliederung: Bevölkerung alt ${oldPop}, neu ${newPop} (Abweichung ${percent(deviation / Math.max(oldPop, newPop))}, erlaubt ${percent(tolerance)})`,
      );
      continue;
    }
    if (group.from.length > 1 && group.to.length > 1) {
      breakAll(`Zuordnung ${group.from.join(', ')} → ${group.to.join(', ')} (mehrere alte auf mehrere neue Einheiten): Anteile nicht aus der Bevölkerung bestimmbar`);
      continue;
    }
    summary.trustedGroups += 1;
    if (group.to.length === 1) {
      if (group.from.length === 1) summary.oneToOne += 1;
      else summary.merges += 1;
      for (const from of group.from) weights.push({ fromCode: from, toCode: group.to[0]!, weight: 1 });
      continue;
    }
    summary.splits += 1;
    const from = group.from[0]!;
    // An uninhabited old unit (parks, forests) is divided in equal shares: no population to follow.
    const shares = newPop > 0 ? group.to.map((to) => input.toPopulation.get(to)! / newPop) : group.to.map(() => 1 / group.to.length);
    // Rounded shares must still sum to 1: the largest share takes the rounding remainder.
    const rounded = shares.map((s) => Math.round(s * 1e6) / 1e6);
    const largest = rounded.indexOf(Math.max(...rounded));
    rounded[largest] = Math.round((1 - rounded.reduce((s, x, i) => (i === largest ? s : s + x), 0)) * 1e6) / 1e6;
    group.to.forEach((to, i) => {
      if (rounded[i]! > 0) weights.push({ fromCode: from, toCode: to, weight: rounded[i]! });
    });
    // A new unit without inhabitants gets weight 0, which the contract does not carry: it simply receives nothing.
  }
  for (const code of [...input.fromCodes].sort(byCode)) {
    if (!covered.has(code)) seriesBreaks.push({ code, reason: 'in der Zuordnungstabelle nicht enthalten' });
  }
  summary.seriesBreaks = seriesBreaks.length;
  const method =
    `Bevölkerungsgewichte aus einer Zuordnungstabelle (${summary.groups} Gruppen alter und neuer Einheiten; ${input.populationSource ?? 'Bevölkerung beider Stände'}). ` +
    `Eine Gruppe gilt nur, wenn die Bevölkerung der alten und der neuen Einheiten höchstens ${percent(tolerance)} (mindestens ${slack} Personen) voneinander abweicht. ` +
    `Teilungen: Anteil der neuen Einheit an der Bevölkerung der Gruppe; Zusammenlegungen und 1:1: Gewicht 1. ` +
    `Mehrere-auf-mehrere, abweichende Bevölkerung oder fehlende Zuordnung: Bruch der Zeitreihe (${summary.seriesBreaks} Einheiten).`;
  return { weights, seriesBreaks, method, summary };
}

/**
 * Pairs from a match table `{ "<id>": ["<id>", ...] }` whose entries may point either way (old
 * to new or new to old) and may mix levels (Berlin's lor_matches_2020_2021.json holds
 * Prognoseräume, Bezirksregionen and Planungsräume in both directions): each entry is oriented by
 * which version its codes belong to; entries whose codes are not units of the two versions
 * (other levels) are left out and counted.
 */
export function pairsFromMatchTable(
  table: Record<string, unknown>,
  fromCodes: ReadonlySet<string>,
  toCodes: ReadonlySet<string>,
  corrections: ReadonlyArray<{ key: string; replace: Record<string, string>; reason: string }> = [],
): { pairs: Array<[string, string]>; ignoredEntries: number; notes: string[] } {
  const notes: string[] = [];
  const fixed: Record<string, unknown> = { ...table };
  for (const c of corrections) {
    const values = fixed[c.key];
    const stale = !Array.isArray(values) || Object.keys(c.replace).some((v) => !(values as unknown[]).includes(v));
    if (stale) {
      throw new AreaRuleViolation('crosswalk-invalid', `Die Korrektur der Zuordnungstabelle für "${c.key}" passt nicht mehr (${c.reason}): erwartet ${Object.keys(c.replace).join(', ')}, gefunden ${JSON.stringify(values ?? null)}.`);
    }
    fixed[c.key] = (values as string[]).map((v) => c.replace[v] ?? v);
    notes.push(`Zuordnung ${c.key}: ${Object.entries(c.replace).map(([a, b]) => `${a} → ${b}`).join(', ')} (${c.reason}).`);
  }
  const pairs: Array<[string, string]> = [];
  let ignoredEntries = 0;
  for (const [key, raw] of Object.entries(fixed)) {
    const values = Array.isArray(raw) ? raw.map(String) : [];
    if (fromCodes.has(key) && values.every((v) => toCodes.has(v))) for (const v of values) pairs.push([key, v]);
    else if (toCodes.has(key) && values.every((v) => fromCodes.has(v))) for (const v of values) pairs.push([v, key]);
    else ignoredEntries += 1;
  }
  return { pairs, ignoredEntries, notes };
}

/** Population per unit code from a CSV (e.g. Berlin's t2 files: columns `id`, `inhabitants`). */
export function readPopulationCsv(bytes: Buffer, fileName: string, columns: { code: string; population: string }): Map<string, number> {
  const { text } = decodeText(bytes);
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parse(text, { columns: true, delimiter, info: true, skip_empty_lines: true, trim: true }) as unknown as typeof rows;
  } catch (error) {
    throw new AreaRuleViolation('unparsable-file', `${fileName} ist keine lesbare CSV-Datei: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = new Map<string, number>();
  const errors: Array<{ where: string; detail: string }> = [];
  if (rows.length > 0 && (!(columns.code in rows[0]!.record) || !(columns.population in rows[0]!.record))) {
    throw new AreaRuleViolation('invalid-input', `${fileName}: die Spalten "${columns.code}" und "${columns.population}" werden gebraucht (vorhanden: ${Object.keys(rows[0]!.record).join(', ')}).`);
  }
  for (const { record, info } of rows) {
    const code = record[columns.code] ?? '';
    const value = Number((record[columns.population] ?? '').replace(/\s/g, ''));
    if (code === '' || !Number.isFinite(value) || value < 0) {
      errors.push({ where: `Zeile ${info.lines}`, detail: `Code "${code}" / Bevölkerung "${record[columns.population] ?? ''}" ist keine Zahl ab 0` });
      continue;
    }
    result.set(code, value);
  }
  if (errors.length > 0) throw new AreaRuleViolation('unparsable-file', `${fileName} enthält ungültige Bevölkerungszahlen.`, errors);
  return result;
}
