import {
  DEFAULT_DISCLOSURE_RULES,
  DisclosureInputError,
  disclosedCells,
  protect,
  type HierarchyCell,
} from '../../src/disclosure';
import { byId, cell, decisionsWith, suppressed } from './fixtures';

const rules = DEFAULT_DISCLOSURE_RULES;
const published = { status: 'published', rule: null };
const complement = { status: 'suppressed_secondary', rule: 'secondary:complement' };
const total = { status: 'suppressed_secondary', rule: 'secondary:total' };

describe('secondary suppression', () => {
  it('hides the smallest published sibling when one child of a published total is suppressed', () => {
    // Gesamtstadt 30 = 2 + 5 + 9 + 14: with only the 2 hidden, 30 - 5 - 9 - 14 gives it back.
    const cells = [cell('g', null, 30), cell('a', 'g', 2), cell('d', 'g', 14), cell('c', 'g', 9), cell('b', 'g', 5)];
    expect(byId(protect(cells, rules))).toEqual({
      a: { status: 'suppressed_primary', rule: 'min-count:3' },
      b: complement,
      c: published,
      d: published,
      g: published,
    });
  });

  it('breaks a tie between equally small siblings by area code, whatever the input order', () => {
    const cells = [cell('g', null, 15), cell('x', 'g', 1), cell('m2', 'g', 7), cell('m1', 'g', 7)];
    expect(protect(cells, rules).get('m1')).toEqual(complement);
    expect(protect(cells, rules).get('m2')).toEqual(published);
    expect(protect([...cells].reverse(), rules).get('m1')).toEqual(complement);
  });

  it('adds nothing when two children of a total are already suppressed', () => {
    const cells = [cell('g', null, 13), cell('a', 'g', 1), cell('b', 'g', 2), cell('c', 'g', 10)];
    expect(suppressed(protect(cells, rules))).toEqual(['a', 'b']);
  });

  it('hides a child, not the total, when the total itself is suppressed', () => {
    // The total is suppressed for a reason from elsewhere; 10 + 12 + 18 would give it back.
    const cells = [cell('g', null, 40, { forced: 'eingang:gesperrt' }), cell('a', 'g', 12), cell('b', 'g', 10), cell('c', 'g', 18)];
    expect(byId(protect(cells, rules))).toEqual({
      a: published,
      b: complement,
      c: published,
      g: { status: 'suppressed_primary', rule: 'eingang:gesperrt' },
    });
  });

  it('treats a group with one child as parent = child: both or neither', () => {
    const child = [cell('kreis', null, 20), cell('stadt', 'kreis', 20, { forced: 'eingang:gesperrt' })];
    expect(protect(child, rules).get('kreis')).toEqual(total);
    const parent = [cell('kreis', null, 20, { forced: 'eingang:gesperrt' }), cell('stadt', 'kreis', 20)];
    expect(protect(parent, rules).get('stadt')).toEqual(complement);
    const neither = [cell('kreis', null, 20), cell('stadt', 'kreis', 20)];
    expect(suppressed(protect(neither, rules))).toEqual([]);
  });

  it('carries a suppression up through a single-child group and down again into the sibling chosen above', () => {
    // Land 100 = K1 20 + K2 30 + K3 50; K1 is a kreisfreie Stadt (one Gemeinde g1, suppressed).
    // K1 must go with g1; then K1 is alone in the Land's group, so K2 (smallest) goes; then K2 is
    // alone in its own group, so its smallest Gemeinde g2a goes.
    const cells = [
      cell('L', null, 100),
      cell('K1', 'L', 20),
      cell('g1', 'K1', 20, { forced: 'eingang:gesperrt' }),
      cell('K2', 'L', 30),
      cell('g2a', 'K2', 12),
      cell('g2b', 'K2', 18),
      cell('K3', 'L', 50),
      cell('g3a', 'K3', 25),
      cell('g3b', 'K3', 25),
    ];
    const decisions = protect(cells, rules);
    expect(byId(decisions)).toEqual({
      L: published,
      K1: total,
      g1: { status: 'suppressed_primary', rule: 'eingang:gesperrt' },
      K2: complement,
      g2a: complement,
      g2b: published,
      K3: published,
      g3a: published,
      g3b: published,
    });
    expect(disclosedCells(cells, decisions)).toEqual([]);
  });

  it('carries a suppression down through several levels', () => {
    // The Gesamtstadt is hidden for a reason from elsewhere: 30 + 60 would give it back, so its
    // smallest Bezirk B1 goes; then 12 + 18 would give B1 back, so its smallest Planungsraum goes.
    const cells = [
      cell('S', null, 90, { forced: 'eingang:gesperrt' }),
      cell('B1', 'S', 30),
      cell('p1', 'B1', 12),
      cell('p2', 'B1', 18),
      cell('B2', 'S', 60),
      cell('p3', 'B2', 25),
      cell('p4', 'B2', 35),
    ];
    const decisions = protect(cells, rules);
    expect(suppressed(decisions)).toEqual(['B1', 'S', 'p1']);
    expect(decisions.get('B1')).toEqual(complement);
    expect(decisions.get('p1')).toEqual(complement);
    expect(disclosedCells(cells, decisions)).toEqual([]);
  });

  it('lets a total hidden from above serve as the partner of a small cell below', () => {
    // Same tree, but p1 is small. Hiding B1 for the Gesamtstadt already leaves two unknowns in
    // B1 = p1 + p2, so p2 stays published: totals are settled before the groups below them.
    const cells = [
      cell('S', null, 90, { forced: 'eingang:gesperrt' }),
      cell('B1', 'S', 30),
      cell('p1', 'B1', 2),
      cell('p2', 'B1', 28),
      cell('B2', 'S', 60),
      cell('p3', 'B2', 25),
      cell('p4', 'B2', 35),
    ];
    const decisions = protect(cells, rules);
    expect(suppressed(decisions)).toEqual(['B1', 'S', 'p1']);
    expect(decisions.get('p2')).toEqual(published);
    expect(disclosedCells(cells, decisions)).toEqual([]);
  });

  it('never withdraws a primary suppression', () => {
    const cells = [cell('g', null, 7), cell('a', 'g', 1), cell('b', 'g', 1), cell('c', 'g', 5)];
    const decisions = protect(cells, rules);
    expect(decisions.get('a')?.status).toBe('suppressed_primary');
    expect(decisions.get('b')?.status).toBe('suppressed_primary');
    expect(decisions.get('c')).toEqual(published);
  });

  describe('cells without a value', () => {
    it('adds nothing in a group where a child has no value: the equation has an unknown term', () => {
      const cells = [cell('g', null, 30), cell('a', 'g', 2), cell('b', 'g', null), cell('c', 'g', 9)];
      const decisions = protect(cells, rules);
      expect(suppressed(decisions)).toEqual(['a']);
      expect(decisions.get('b')).toEqual({ status: 'not_available', rule: null });
      expect(disclosedCells(cells, decisions)).toEqual([]);
    });

    it('adds nothing in a group whose parent has no value and no parent of its own', () => {
      const cells = [cell('g', null, null), cell('a', 'g', 2), cell('c', 'g', 9)];
      expect(suppressed(protect(cells, rules))).toEqual(['a']);
    });

    it('protects through a level without values: its children take its place in the total above', () => {
      // Gesamtstadt 50, Bezirk X not delivered, Bezirk Y 40. p1 = 50 - 40 - 8 = 2 although X is
      // missing, because counts add up whether or not X was delivered.
      const cells = [
        cell('S', null, 50),
        cell('X', 'S', null),
        cell('p1', 'X', 2),
        cell('p2', 'X', 8),
        cell('Y', 'S', 40),
        cell('y1', 'Y', 15),
        cell('y2', 'Y', 25),
      ];
      expect(disclosedCells(cells, decisionsWith(cells, { p1: 'min-count:3' }))).toEqual(['p1']);
      const decisions = protect(cells, rules);
      expect(decisions.get('p2')).toEqual(complement);
      expect(suppressed(decisions)).toEqual(['p1', 'p2']);
      expect(disclosedCells(cells, decisions)).toEqual([]);
    });
  });

  describe('refused input', () => {
    it('refuses an area given twice, naming it', () => {
      const cells = [cell('g', null, 30), cell('a', 'g', 2), cell('a', 'g', 28)];
      expect(() => protect(cells, rules)).toThrow(DisclosureInputError);
      expect(() => protect(cells, rules)).toThrow(/Gebiet "a" kommt mehrfach vor/);
    });

    it('refuses a parent chain that loops, naming the areas in the loop', () => {
      const cells = [cell('a', 'c', 3), cell('b', 'a', 3), cell('c', 'b', 3)];
      expect(() => protect(cells, rules)).toThrow(/Kreis: (a|b|c) → .* → .*/);
      expect(() => protect([cell('a', 'a', 3)], rules)).toThrow(/Kreis: a → a/);
    });

    it('refuses a value that is not a finite number', () => {
      expect(() => protect([cell('a', null, Number.NaN)], rules)).toThrow(/Gebiet "a": Wert NaN/);
    });
  });

  // How fast this is at Germany scale is measured by `npm run bench` (indicator recompute), not asserted here.
  it('protects a Germany-sized hierarchy (11,200 Gemeinden) with a decision for every cell', () => {
    const cells = germanyLike();
    const decisions = protect(cells, { minCount: 5, minPopulation: 300 });
    expect(decisions.size).toBe(cells.length);
    const hidden = [...decisions.values()].filter((d) => d.status !== 'published');
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.length).toBeLessThan(cells.length);
    // No suppressed value can be recomputed from the published ones.
    expect(disclosedCells(cells, decisions)).toEqual([]);
  });
});

/** 16 Länder x 25 Kreise x 4 Verbände x 7 Gemeinden, many small counts (fixed pseudo-random). */
function germanyLike(): HierarchyCell[] {
  let seed = 20240601;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cells: HierarchyCell[] = [];
  const add = (id: string, parentId: string | null, childIds: (parent: string) => HierarchyCell[]): HierarchyCell => {
    const kids = childIds(id);
    const self = cell(
      id,
      parentId,
      kids.reduce((s, k) => s + k.value!, 0),
      { population: kids.reduce((s, k) => s + k.population!, 0) },
    );
    cells.push(self);
    return self;
  };
  const gemeinde = (id: string, parentId: string): HierarchyCell => {
    const small = next() < 0.4;
    const self = cell(id, parentId, Math.floor(next() * (small ? 6 : 400)), { population: Math.floor(next() * 5000) });
    cells.push(self);
    return self;
  };
  const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i + 1);
  for (const l of range(16)) {
    add(`${l}`, null, (land) =>
      range(25).map((k) =>
        add(`${land}-${k}`, land, (kreis) =>
          range(4).map((v) => add(`${kreis}-${v}`, kreis, (verband) => range(7).map((g) => gemeinde(`${verband}-${g}`, verband)))),
        ),
      ),
    );
  }
  return cells;
}
