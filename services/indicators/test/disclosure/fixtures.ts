import { type CellDecision, type CellStatus, type HierarchyCell } from '../../src/disclosure';

/** A cell as tests write it: area code, parent code, value, and any further fields. */
export function cell(id: string, parentId: string | null, value: number | null, extra: Partial<HierarchyCell> = {}): HierarchyCell {
  return { id, parentId, value, ...extra };
}

/** Decisions as a plain object sorted by area code, so that failures print readably. */
export function byId(decisions: ReadonlyMap<string, CellDecision>): Record<string, CellDecision> {
  return Object.fromEntries([...decisions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The area codes with the given status, sorted. */
export function withStatus(decisions: ReadonlyMap<string, CellDecision>, ...statuses: CellStatus[]): string[] {
  return [...decisions.entries()]
    .filter(([, d]) => statuses.includes(d.status))
    .map(([id]) => id)
    .sort();
}

export function suppressed(decisions: ReadonlyMap<string, CellDecision>): string[] {
  return withStatus(decisions, 'suppressed_primary', 'suppressed_secondary');
}

/** Decisions as a user writes them down: everything published except the suppressed ones named. */
export function decisionsWith(cells: readonly HierarchyCell[], hidden: Record<string, string>): Map<string, CellDecision> {
  return new Map(
    cells.map((c): [string, CellDecision] => {
      if (c.value === null) return [c.id, { status: 'not_available', rule: null }];
      const rule = hidden[c.id];
      return [c.id, rule === undefined ? { status: 'published', rule: null } : { status: 'suppressed_primary', rule }];
    }),
  );
}
