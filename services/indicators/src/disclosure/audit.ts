import { indexHierarchy } from './hierarchy';
import { type CellDecision, type HierarchyCell, DisclosureInputError } from './model';

/** A sparse row of integer coefficients: column -> non-zero coefficient. */
type Row = Map<number, bigint>;

/**
 * Audit: the ids of suppressed cells whose value an outsider can compute exactly from the
 * published values and the equations parent = sum(children) of every group, in input order.
 * Empty means safe. Every cell that is not published (suppressed, or without a value) is an
 * unknown; a suppressed cell is disclosed when its unit vector lies in the row space of the
 * equations over the unknowns. Exact Gauss-Jordan elimination over the integers (BigInt), so the
 * verdict never depends on rounding. Independent of how protect() works, and not limited to
 * trees. Meant for tests and audits of a few hundred cells, not for every request.
 *
 * Not covered: bounds an outsider gets from counts being non-negative or from knowing the
 * minimum count (e.g. two suppressed children of a published total 2 must both be 1).
 */
export function disclosedCells(cells: readonly HierarchyCell[], decisions: ReadonlyMap<string, CellDecision>): string[] {
  const { children } = indexHierarchy(cells);
  const n = cells.length;

  const unknown = new Int32Array(n).fill(-1); // column of each unknown cell
  const unknownCells: number[] = [];
  for (let i = 0; i < n; i++) {
    const cell = cells[i]!;
    const decision = decisions.get(cell.id);
    if (decision === undefined) {
      throw new DisclosureInputError(
        `Für Gebiet "${cell.id}" fehlt die Geheimhaltungsentscheidung. Erwartet wird für jede Zelle eine Entscheidung aus protect().`,
      );
    }
    if (decision.status !== 'published' || cell.value === null) {
      unknown[i] = unknownCells.length;
      unknownCells.push(i);
    }
  }

  // Basis in reduced row echelon form, keyed by pivot column.
  const basis = new Map<number, Row>();
  for (let p = 0; p < n; p++) {
    if (children[p]!.length === 0) continue;
    const row: Row = new Map();
    if (unknown[p]! >= 0) row.set(unknown[p]!, 1n);
    for (const c of children[p]!) if (unknown[c]! >= 0) row.set(unknown[c]!, -1n);
    addToBasis(basis, row);
  }

  const disclosed: number[] = [];
  for (const [pivot, row] of basis) {
    if (row.size !== 1) continue;
    const i = unknownCells[pivot]!;
    const status = decisions.get(cells[i]!.id)!.status;
    if (status === 'suppressed_primary' || status === 'suppressed_secondary') disclosed.push(i);
  }
  return disclosed.sort((a, b) => a - b).map((i) => cells[i]!.id);
}

function addToBasis(basis: Map<number, Row>, incoming: Row): void {
  let row = incoming;
  // Basis rows hold no other basis row's pivot, so eliminating one pivot brings in no other.
  for (const column of [...row.keys()]) {
    const pivotRow = basis.get(column);
    const coefficient = row.get(column);
    if (pivotRow === undefined || coefficient === undefined) continue;
    row = eliminate(row, pivotRow, column);
  }
  if (row.size === 0) return;
  let pivot = Number.POSITIVE_INFINITY;
  for (const column of row.keys()) pivot = Math.min(pivot, column);
  for (const [column, other] of basis) {
    if (other.has(pivot)) basis.set(column, eliminate(other, row, pivot));
  }
  basis.set(pivot, row);
}

/** target * a - source * b with the column cancelled, divided by the gcd of what remains. */
function eliminate(target: Row, source: Row, column: number): Row {
  const a = source.get(column)!;
  const b = target.get(column)!;
  const result: Row = new Map();
  for (const [c, v] of target) {
    if (c !== column) result.set(c, v * a);
  }
  for (const [c, v] of source) {
    if (c === column) continue;
    const next = (result.get(c) ?? 0n) - v * b;
    if (next === 0n) result.delete(c);
    else result.set(c, next);
  }
  let divisor = 0n;
  for (const v of result.values()) divisor = gcd(divisor, v < 0n ? -v : v);
  if (divisor > 1n) for (const [c, v] of result) result.set(c, v / divisor);
  return result;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
