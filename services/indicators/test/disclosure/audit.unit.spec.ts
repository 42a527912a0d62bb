import { DisclosureInputError, disclosedCells } from '../../src/disclosure';
import { cell, decisionsWith } from './fixtures';

describe('disclosure audit', () => {
  it('finds the one suppressed child of a published total', () => {
    const cells = [cell('g', null, 30), cell('a', 'g', 2), cell('b', 'g', 5), cell('c', 'g', 23)];
    expect(disclosedCells(cells, decisionsWith(cells, { a: 'min-count:3' }))).toEqual(['a']);
  });

  it('finds a suppressed total whose children are all published', () => {
    const cells = [cell('g', null, 30), cell('a', 'g', 7), cell('b', 'g', 23)];
    expect(disclosedCells(cells, decisionsWith(cells, { g: 'x' }))).toEqual(['g']);
  });

  it('accepts two suppressed children of a published total', () => {
    const cells = [cell('g', null, 30), cell('a', 'g', 2), cell('b', 'g', 5), cell('c', 'g', 23)];
    expect(disclosedCells(cells, decisionsWith(cells, { a: 'min-count:3', b: 'secondary:complement' }))).toEqual([]);
  });

  it('combines equations across levels', () => {
    // B1 = p1 + p2 gives B1 back; then S = B1 + B2 gives B2 back, though S's own group has two
    // suppressed terms. Reported in input order.
    const cells = [
      cell('S', null, 90),
      cell('B2', 'S', 60),
      cell('B1', 'S', 30),
      cell('p1', 'B1', 12),
      cell('p2', 'B1', 18),
      cell('q1', 'B2', 20),
      cell('q2', 'B2', 40),
    ];
    expect(disclosedCells(cells, decisionsWith(cells, { B1: 'x', B2: 'x' }))).toEqual(['B2', 'B1']);
  });

  it('accepts suppressions linked across levels when every equation keeps a second unknown', () => {
    // S = B1 + B2, B1 = p1 + p2, B2 = q1 + q2 with B1, B2, p1, q1 hidden: four unknowns, three
    // equations, and each unknown can move (B1 +1, B2 -1, p1 +1, q1 -1) without changing anything
    // published.
    const cells = [
      cell('S', null, 90),
      cell('B1', 'S', 30),
      cell('B2', 'S', 60),
      cell('p1', 'B1', 12),
      cell('p2', 'B1', 18),
      cell('q1', 'B2', 20),
      cell('q2', 'B2', 40),
    ];
    expect(disclosedCells(cells, decisionsWith(cells, { B1: 'x', B2: 'x', p1: 'x', q1: 'x' }))).toEqual([]);
    // Publish q1 and the chain unravels: B2 = q1 + q2, then B1 = S - B2, then p1 = B1 - p2.
    expect(disclosedCells(cells, decisionsWith(cells, { B1: 'x', B2: 'x', p1: 'x' }))).toEqual(['B1', 'B2', 'p1']);
  });

  it('treats cells without a value as unknowns, not as published zeros, and does not report them', () => {
    const cells = [cell('g', null, 30), cell('a', 'g', 2), cell('b', 'g', null), cell('c', 'g', 28)];
    expect(disclosedCells(cells, decisionsWith(cells, { a: 'min-count:3' }))).toEqual([]);
    const derivable = [cell('g', null, 30), cell('a', 'g', null), cell('b', 'g', 28)];
    expect(disclosedCells(derivable, decisionsWith(derivable, {}))).toEqual([]);
  });

  it('refuses decisions that leave a cell out, naming it', () => {
    const cells = [cell('g', null, 30), cell('a', 'g', 30)];
    const decisions = decisionsWith(cells, {});
    decisions.delete('a');
    expect(() => disclosedCells(cells, decisions)).toThrow(DisclosureInputError);
    expect(() => disclosedCells(cells, decisions)).toThrow(/Gebiet "a"/);
  });
});
