import { indexHierarchy } from './hierarchy';
import { type CellDecision, type CellStatus, type DisclosureRules, type HierarchyCell } from './model';
import { assertValidRules, primaryRuleUnchecked } from './primary';

/**
 * One equation parent = sum(children) an outsider can use. Cells without a value are eliminated
 * rather than trusted to break the equation: counts stay additive whether or not a level was
 * delivered, so a missing Bezirk between a published Gesamtstadt and its published Planungsräume
 * is just an intermediate sum, and its Planungsräume take its place in the Gesamtstadt's equation.
 * A missing cell with no children of its own is an unknown term: that equation tells nothing.
 */
interface Group {
  parent: number;
  children: number[];
}

/**
 * Primary and secondary suppression of one additive figure over an area hierarchy.
 *
 * Secondary suppression keeps every group equation at zero or at least two suppressed terms,
 * working top-down (a suppressed total decided above changes what a group below needs) until
 * nothing changes. It first hides a child, the smallest published one (ties by area code), and
 * hides the parent only when no child is left, as in a group with one child. Because each cell is
 * a child in at most one group and a parent in at most one, the groups form a tree, and on a tree
 * "no equation with exactly one unknown" already means that no combination of equations isolates
 * a suppressed cell either (disclosedCells checks this with exact linear algebra).
 *
 * Runs in O(n log n): each group is inspected once per time it reaches exactly one suppression,
 * which happens at most once, since suppressions are never withdrawn.
 */
export function protect(cells: readonly HierarchyCell[], rules: DisclosureRules): Map<string, CellDecision> {
  assertValidRules(rules);
  const hierarchy = indexHierarchy(cells);
  const { children, depth } = hierarchy;
  const n = cells.length;

  const status: CellStatus[] = new Array<CellStatus>(n);
  const rule: (string | null)[] = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const cell = cells[i]!;
    if (cell.value === null) {
      status[i] = 'not_available';
      rule[i] = null;
      continue;
    }
    const primary = primaryRuleUnchecked(cell, rules);
    status[i] = primary === null ? 'published' : 'suppressed_primary';
    rule[i] = primary;
  }
  const hasValue = (i: number): boolean => cells[i]!.value !== null;
  const isSuppressed = (i: number): boolean => status[i] === 'suppressed_primary' || status[i] === 'suppressed_secondary';

  const groups: Group[] = [];
  const ownGroup = new Int32Array(n).fill(-1);
  const memberOf = new Int32Array(n).fill(-1);
  for (let p = 0; p < n; p++) {
    if (!hasValue(p) || children[p]!.length === 0) continue;
    const effective: number[] = [];
    const pending = [...children[p]!];
    let useful = true;
    while (pending.length > 0) {
      const c = pending.pop()!;
      if (hasValue(c)) effective.push(c);
      else if (children[c]!.length > 0) pending.push(...children[c]!);
      else {
        useful = false;
        break;
      }
    }
    if (!useful) continue;
    const g = groups.length;
    groups.push({ parent: p, children: effective });
    ownGroup[p] = g;
    for (const c of effective) memberOf[c] = g;
  }

  const suppressedTerms = new Int32Array(groups.length);
  const queue = new GroupQueue((a, b) => {
    const pa = groups[a]!.parent;
    const pb = groups[b]!.parent;
    if (depth[pa] !== depth[pb]) return depth[pa]! - depth[pb]!;
    return compareIds(cells[pa]!.id, cells[pb]!.id);
  });
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    let count = isSuppressed(group.parent) ? 1 : 0;
    for (const c of group.children) if (isSuppressed(c)) count++;
    suppressedTerms[g] = count;
    if (count === 1) queue.push(g);
  }

  const suppress = (i: number, reason: string): void => {
    status[i] = 'suppressed_secondary';
    rule[i] = reason;
    for (const g of [memberOf[i]!, ownGroup[i]!]) {
      if (g < 0) continue;
      suppressedTerms[g]! += 1;
      if (suppressedTerms[g] === 1) queue.push(g);
    }
  };

  for (let g = queue.pop(); g !== undefined; g = queue.pop()) {
    if (suppressedTerms[g] !== 1) continue;
    const group = groups[g]!;
    // The single suppressed term is the parent or one child; every other term is published.
    let complement = -1;
    for (const c of group.children) {
      if (isSuppressed(c)) continue;
      if (complement === -1 || compareCells(cells[c]!, cells[complement]!) < 0) complement = c;
    }
    if (complement !== -1) suppress(complement, 'secondary:complement');
    else suppress(group.parent, 'secondary:total');
  }

  const decisions = new Map<string, CellDecision>();
  for (let i = 0; i < n; i++) decisions.set(cells[i]!.id, { status: status[i]!, rule: rule[i]! });
  return decisions;
}

/** Code-point order: the same on every machine and locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Smallest value first (least information lost), ties by area code. Only for cells with a value. */
function compareCells(a: HierarchyCell, b: HierarchyCell): number {
  const va = a.value!;
  const vb = b.value!;
  return va !== vb ? va - vb : compareIds(a.id, b.id);
}

/** A binary min-heap of group indices. */
class GroupQueue {
  private readonly heap: number[] = [];
  constructor(private readonly before: (a: number, b: number) => number) {}

  push(g: number): void {
    const heap = this.heap;
    heap.push(g);
    let i = heap.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (this.before(heap[i]!, heap[up]!) >= 0) break;
      [heap[i], heap[up]] = [heap[up]!, heap[i]!];
      i = up;
    }
  }

  pop(): number | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.before(heap[left]!, heap[smallest]!) < 0) smallest = left;
      if (right < heap.length && this.before(heap[right]!, heap[smallest]!) < 0) smallest = right;
      if (smallest === i) return top;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}
