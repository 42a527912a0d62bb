/**
 * The units of one scheme version as arrays for vectorised computation: unit i has a code, a
 * type and a parent index. Above the scheme's top units sits an implicit total (the city for a
 * Sozialraum scheme, Germany for the Gemeindeverzeichnis) with the owning tenant's key as code
 * and the type `Gesamt`: a city total is the sum of its Sozialräume like any other parent.
 */

export interface SchemeUnit {
  code: string;
  name: string;
  unitType: string;
  parentCode: string | null;
}

export const TOTAL_UNIT_TYPE = 'Gesamt';

export interface Hierarchy {
  schemeId: string;
  version: number;
  codes: string[];
  names: string[];
  unitTypes: string[];
  /** Parent index, -1 for the total. */
  parent: Int32Array;
  index: ReadonlyMap<string, number>;
  /** Unit indices ordered deepest first: summing children into parents in this order is one pass. */
  bottomUp: Int32Array;
  /** Children of each unit. */
  children: ReadonlyArray<readonly number[]>;
  totalIndex: number;
}

export function buildHierarchy(schemeId: string, version: number, units: readonly SchemeUnit[], total: { code: string; name: string }): Hierarchy {
  const codes: string[] = [];
  const names: string[] = [];
  const unitTypes: string[] = [];
  const index = new Map<string, number>();
  for (const unit of units) {
    if (index.has(unit.code)) continue;
    index.set(unit.code, codes.length);
    codes.push(unit.code);
    names.push(unit.name);
    unitTypes.push(unit.unitType);
  }
  const totalIndex = codes.length;
  // A unit code equal to the total's key would make the total ambiguous; the total then takes a suffix.
  const totalCode = index.has(total.code) ? `${total.code}-gesamt` : total.code;
  index.set(totalCode, totalIndex);
  codes.push(totalCode);
  names.push(total.name);
  unitTypes.push(TOTAL_UNIT_TYPE);

  const parent = new Int32Array(codes.length).fill(-1);
  const children: number[][] = codes.map(() => []);
  for (const unit of units) {
    const i = index.get(unit.code)!;
    const p = unit.parentCode !== null ? index.get(unit.parentCode) : undefined;
    // A parent outside the version (should not happen) attaches the unit to the total.
    parent[i] = p ?? totalIndex;
    children[parent[i]!]!.push(i);
  }
  const depth = new Int32Array(codes.length).fill(-1);
  const depthOf = (i: number): number => {
    const known = depth[i]!;
    if (known >= 0) return known;
    const chain: number[] = [];
    let cursor = i;
    const seen = new Set<number>();
    while (cursor !== -1 && depth[cursor]! < 0) {
      if (seen.has(cursor)) throw new Error(`Gebietsgliederung ${schemeId} v${version}: Zyklus in den übergeordneten Einheiten bei ${codes[cursor]}.`);
      seen.add(cursor);
      chain.push(cursor);
      cursor = parent[cursor]!;
    }
    let d = cursor === -1 ? -1 : depth[cursor]!;
    for (let k = chain.length - 1; k >= 0; k -= 1) {
      d += 1;
      depth[chain[k]!] = d;
    }
    return depth[i]!;
  };
  for (let i = 0; i < codes.length; i += 1) depthOf(i);
  const order = Array.from({ length: codes.length }, (_, i) => i).sort((a, b) => depth[b]! - depth[a]! || a - b);
  return { schemeId, version, codes, names, unitTypes, parent, index, bottomUp: Int32Array.from(order), children, totalIndex };
}

/**
 * Sums an additive array up the hierarchy where a unit has no value of its own: a parent gets
 * the sum of its children when every child has a value; a delivered parent value (e.g. the city
 * total of the file) is kept as delivered. Modifies `values` in place; NaN means missing.
 */
export function aggregateUp(h: Hierarchy, values: Float64Array): void {
  const sums = new Float64Array(values.length);
  const counts = new Int32Array(values.length);
  const missing = new Uint8Array(values.length);
  for (let k = 0; k < h.bottomUp.length; k += 1) {
    const i = h.bottomUp[k]!;
    if (Number.isNaN(values[i]!) && counts[i]! > 0 && missing[i] === 0) values[i] = sums[i]!;
    const p = h.parent[i]!;
    if (p < 0) continue;
    const v = values[i]!;
    if (Number.isNaN(v)) missing[p] = 1;
    else {
      sums[p] = sums[p]! + v;
      counts[p] = counts[p]! + 1;
    }
  }
}

/**
 * Re-aggregates leaf values of an older version to the units of the newer one over crosswalk
 * weights (new = sum of weight x old). New units that receive no weight stay NaN: their series
 * breaks. An old unit with a weight but no value makes its new units NaN (incomplete).
 */
export function crosswalkValues(
  from: Hierarchy,
  to: Hierarchy,
  weights: ReadonlyArray<{ fromCode: string; toCode: string; weight: number }>,
  values: Float64Array,
): Float64Array {
  const out = new Float64Array(to.codes.length).fill(Number.NaN);
  const incomplete = new Uint8Array(to.codes.length);
  for (const w of weights) {
    const f = from.index.get(w.fromCode);
    const t = to.index.get(w.toCode);
    if (f === undefined || t === undefined) continue;
    const v = values[f]!;
    if (Number.isNaN(v)) {
      incomplete[t] = 1;
      continue;
    }
    out[t] = (Number.isNaN(out[t]!) ? 0 : out[t]!) + w.weight * v;
  }
  for (let t = 0; t < out.length; t += 1) if (incomplete[t]) out[t] = Number.NaN;
  return out;
}
