/**
 * Unit algebra for the plausibility check: a unit is a product of base units with integer
 * exponents (Personen, EUR/m², Personen/Haushalte), so `a / b + c / d` is fine when both
 * quotients have the same unit and Personen/Personen has none. Numbers are neutral: they fit any
 * unit in sums (`ew + 5`) and are plain factors in products. A variable without a unit, or any
 * part of a formula that is already wrong, is unknown and never reported again.
 */

export type UnitValue =
  | { kind: 'neutral' }
  | { kind: 'unknown' }
  /** Base unit -> exponent, zero exponents left out; empty for a ratio without unit. */
  | { kind: 'known'; dims: ReadonlyMap<string, number> };

export const NEUTRAL: UnitValue = { kind: 'neutral' };
export const UNKNOWN: UnitValue = { kind: 'unknown' };

/**
 * Reads a unit as the vocabulary writes it: one name (`Personen`, `m²`, `%`) or a quotient
 * (`EUR/m²`, `Euro je m²`). Empty means unknown.
 */
export function parseUnit(unit: string): UnitValue {
  const text = unit.trim();
  if (text === '') return UNKNOWN;
  for (const separator of ['/', ' je ']) {
    const parts = text.split(separator).map((p) => p.trim());
    if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') {
      return known(
        new Map([
          [parts[0]!, 1],
          [parts[1]!, -1],
        ]),
      );
    }
  }
  return known(new Map([[text, 1]]));
}

function known(dims: Map<string, number>): UnitValue {
  for (const [name, exponent] of [...dims]) if (exponent === 0) dims.delete(name);
  return { kind: 'known', dims };
}

/** Unit of a * b (sign 1) or a / b (sign -1). */
export function combineProduct(a: UnitValue, b: UnitValue, sign: 1 | -1): UnitValue {
  if (a.kind === 'unknown' || b.kind === 'unknown') return UNKNOWN;
  if (b.kind === 'neutral') return a;
  const dims = new Map(a.kind === 'known' ? a.dims : []);
  for (const [name, exponent] of b.dims) dims.set(name, (dims.get(name) ?? 0) + sign * exponent);
  return known(dims);
}

export function sameUnit(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, exponent] of a) if (b.get(name) !== exponent) return false;
  return true;
}

function term(name: string, exponent: number): string {
  return exponent === 1 ? name : `${name}^${exponent}`;
}

/** "Personen", "EUR/m²", "EUR/(Personen·m²)", "1/Personen", "ohne Einheit". */
export function formatDims(dims: ReadonlyMap<string, number>): string {
  const entries = [...dims].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const upper = entries.filter(([, e]) => e > 0).map(([n, e]) => term(n, e));
  const lower = entries.filter(([, e]) => e < 0).map(([n, e]) => term(n, -e));
  if (upper.length === 0 && lower.length === 0) return 'ohne Einheit';
  const top = upper.length > 0 ? upper.join('·') : '1';
  if (lower.length === 0) return top;
  return `${top}/${lower.length > 1 ? `(${lower.join('·')})` : lower[0]!}`;
}

/** For sentences such as "addiert Personen und Werte ohne Einheit". */
export function describeDims(dims: ReadonlyMap<string, number>): string {
  return dims.size === 0 ? 'Werte ohne Einheit' : formatDims(dims);
}
