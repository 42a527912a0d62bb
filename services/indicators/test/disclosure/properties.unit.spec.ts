import fc from 'fast-check';
import {
  type CellDecision,
  type DisclosureRules,
  type HierarchyCell,
  disclosedCells,
  primaryRule,
  protect,
} from '../../src/disclosure';
import { byId } from './fixtures';

/** A true count per area; parents are the sums of their children. */
interface Area {
  value: number;
  population: number;
  missing: boolean;
  forced: boolean;
  children: Area[];
}

interface Scenario {
  cells: HierarchyCell[];
  rules: DisclosureRules;
}

// Many small counts (0..6), so that primary suppressions are frequent, and some up to 50.
const count = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 6 }), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 50 }), weight: 2 });
const rarely = (oneIn: number): fc.Arbitrary<boolean> => fc.integer({ min: 1, max: oneIn }).map((k) => k === 1);

/**
 * A tree of 1 to `levels` levels with 1 to 8 children per parent. With gaps, some cells have no
 * value, some carry a reason forced from elsewhere, and populations vary, for min-population.
 */
function area(levels: number, gaps: boolean): fc.Arbitrary<Area> {
  const flags = gaps
    ? fc.record({ missing: rarely(10), forced: rarely(15), population: fc.integer({ min: 0, max: 400 }) })
    : fc.constant({ missing: false, forced: false, population: 1000 });
  const leaf = fc.tuple(count, flags).map(([value, f]): Area => ({ value, ...f, children: [] }));
  if (levels <= 1) return leaf;
  const inner = fc
    .tuple(fc.array(area(levels - 1, gaps), { minLength: 1, maxLength: 8, size: 'max' }), flags)
    .map(([children, f]): Area => ({
      ...f,
      value: children.reduce((s, c) => s + c.value, 0),
      population: children.reduce((s, c) => s + c.population, 0),
      children,
    }));
  // Mostly full depth, sometimes a leaf early (a kreisfreie Stadt beside Kreise with Gemeinden).
  return fc.oneof({ arbitrary: inner, weight: 9 }, { arbitrary: leaf, weight: 1 });
}

function flatten(root: Area): HierarchyCell[] {
  const cells: HierarchyCell[] = [];
  const visit = (a: Area, id: string, parentId: string | null): void => {
    cells.push({
      id,
      parentId,
      value: a.missing ? null : a.value,
      population: a.population,
      forced: a.forced ? 'eingang:gesperrt' : null,
    });
    a.children.forEach((c, i) => visit(c, `${id}.${i + 1}`, id));
  };
  visit(root, '1', null);
  return cells;
}

function scenario(gaps: boolean): fc.Arbitrary<Scenario> {
  return fc.record({
    // 1 to 4 levels, most often 3 or 4, where secondary suppression has the most to do.
    root: fc.constantFrom(1, 2, 2, 3, 3, 3, 4, 4, 4).chain((levels) => area(levels, gaps)),
    minCount: fc.integer({ min: 2, max: 6 }),
    minPopulation: gaps ? fc.constantFrom(0, 0, 50, 100) : fc.constant(0),
    suppressZero: gaps ? fc.boolean() : fc.constant(false),
  }).map(({ root, minCount, minPopulation, suppressZero }) => ({
    cells: flatten(root),
    rules: { minCount, minPopulation, suppressZero },
  }));
}

const isSuppressed = (d: CellDecision | undefined): boolean =>
  d?.status === 'suppressed_primary' || d?.status === 'suppressed_secondary';

describe.each([
  ['complete trees', false],
  ['trees with missing values, forced reasons and small units', true],
])('disclosure control on random %s', (_name, gaps) => {
  const scenarios = scenario(gaps);

  it('publishes nothing from which a suppressed count can be computed', () => {
    fc.assert(
      fc.property(scenarios, ({ cells, rules }) => {
        expect(disclosedCells(cells, protect(cells, rules))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('suppresses every cell a primary rule hits, with that rule, and only those as primary', () => {
    fc.assert(
      fc.property(scenarios, ({ cells, rules }) => {
        const decisions = protect(cells, rules);
        for (const c of cells) {
          const decision = decisions.get(c.id)!;
          const hit = primaryRule(c, rules);
          if (c.value === null) expect(decision).toEqual({ status: 'not_available', rule: null });
          else if (hit !== null) expect(decision).toEqual({ status: 'suppressed_primary', rule: hit });
          else expect(decision.status).not.toBe('suppressed_primary');
          if (decision.status === 'published') expect(decision.rule).toBeNull();
        }
      }),
    );
  });

  it('decides the same whatever the order of the cells', () => {
    fc.assert(
      fc.property(
        scenarios.chain((s) => fc.shuffledSubarray(s.cells, { minLength: s.cells.length }).map((shuffled) => ({ ...s, shuffled }))),
        ({ cells, shuffled, rules }) => {
          const first = byId(protect(cells, rules));
          expect(byId(protect(cells, rules))).toEqual(first);
          expect(byId(protect(shuffled, rules))).toEqual(first);
        },
      ),
    );
  });

  it('changes nothing when run again with its own suppressions forced', () => {
    fc.assert(
      fc.property(scenarios, ({ cells, rules }) => {
        const first = protect(cells, rules);
        const forced = cells.map((c) => ({ ...c, forced: isSuppressed(first.get(c.id)) ? first.get(c.id)!.rule : null }));
        const second = protect(forced, rules);
        for (const c of cells) {
          const before = first.get(c.id)!;
          const after = second.get(c.id)!;
          expect(after.rule).toBe(before.rule);
          expect(isSuppressed(after)).toBe(isSuppressed(before));
          expect(after.status).not.toBe('suppressed_secondary');
        }
      }),
    );
  });

  it('is caught by the audit when one of its secondary suppressions is published', () => {
    fc.assert(
      fc.property(scenarios, ({ cells, rules }) => {
        const decisions = protect(cells, rules);
        const secondary = [...decisions].filter(([, d]) => d.status === 'suppressed_secondary').map(([id]) => id);
        fc.pre(secondary.length > 0);
        // Greedy protection may leave a secondary suppression redundant, but not all of them:
        // the last one it added closed a group that had exactly one unknown.
        const revealing = secondary.filter((id) => {
          const weakened = new Map(decisions).set(id, { status: 'published', rule: null });
          const disclosed = disclosedCells(cells, weakened);
          for (const d of disclosed) expect(isSuppressed(weakened.get(d))).toBe(true);
          return disclosed.length > 0;
        });
        expect(revealing.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});
