import { type HierarchyCell, DisclosureInputError } from './model';

/** The cells of one figure as a tree of positions, built once in O(n). */
export interface Hierarchy {
  readonly cells: readonly HierarchyCell[];
  /** Position of the parent cell, -1 at the top (also when the parent is not among the cells). */
  readonly parent: Int32Array;
  readonly children: readonly (readonly number[])[];
  /** 0 at the top. */
  readonly depth: Int32Array;
}

/**
 * Indexes the cells and refuses what would make the group equations meaningless: an area twice
 * (two values for one area), a value that is not a finite number, a parent chain that loops.
 */
export function indexHierarchy(cells: readonly HierarchyCell[]): Hierarchy {
  const n = cells.length;
  const position = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const cell = cells[i]!;
    if (position.has(cell.id)) {
      throw new DisclosureInputError(
        `Gebiet "${cell.id}" kommt mehrfach vor (Zeilen ${position.get(cell.id)! + 1} und ${i + 1}). Jedes Gebiet darf je Kennzahl nur einen Wert haben.`,
      );
    }
    if (cell.value !== null && !Number.isFinite(cell.value)) {
      throw new DisclosureInputError(
        `Gebiet "${cell.id}": Wert ${String(cell.value)} ist keine endliche Zahl. Erwartet wird eine Zahl oder null (nicht verfügbar).`,
      );
    }
    position.set(cell.id, i);
  }

  const parent = new Int32Array(n).fill(-1);
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const parentId = cells[i]!.parentId;
    if (parentId === null) continue;
    const p = position.get(parentId);
    if (p === undefined) continue;
    parent[i] = p;
    children[p]!.push(i);
  }

  // Depths by walking up each chain once; a chain that meets itself is a cycle.
  const UNKNOWN = -1;
  const ON_PATH = -2;
  const depth = new Int32Array(n).fill(UNKNOWN);
  const path: number[] = [];
  for (let start = 0; start < n; start++) {
    let i = start;
    while (depth[i] === UNKNOWN && parent[i] !== -1) {
      depth[i] = ON_PATH;
      path.push(i);
      i = parent[i]!;
    }
    if (depth[i] === ON_PATH) {
      const loop = path.slice(path.indexOf(i)).map((j) => cells[j]!.id);
      throw new DisclosureInputError(
        `Die Gebietshierarchie enthält einen Kreis: ${[...loop, cells[i]!.id].join(' → ')}. Jedes Gebiet braucht eine Kette von Obergebieten, die oben endet.`,
      );
    }
    if (depth[i] === UNKNOWN) depth[i] = 0; // a top cell
    let d = depth[i]!;
    while (path.length > 0) {
      d += 1;
      depth[path.pop()!] = d;
    }
  }
  return { cells, parent, children, depth };
}
