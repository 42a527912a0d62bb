import fc from 'fast-check';
import { checkFormula, compileFormula, formatFormula, type FormulaNode, type VariableInfo } from '../../src/formula';
import { num, vocabulary } from './support';

const canonical = (text: string) => formatFormula(compileFormula(text, vocabulary).node);

describe('formatFormula', () => {
  it.each([
    ['((ew))+(zuzuege*2)', 'ew + zuzuege * 2'],
    ['(ew - zuzuege) - fortzuege', 'ew - zuzuege - fortzuege'],
    ['ew - (zuzuege - fortzuege)', 'ew - (zuzuege - fortzuege)'],
    ['ew - (zuzuege + fortzuege)', 'ew - (zuzuege + fortzuege)'],
    ['(ew + zuzuege) / fortzuege', '(ew + zuzuege) / fortzuege'],
    ['ew * zuzuege / fortzuege', 'ew * zuzuege / fortzuege'],
    ['ew * (zuzuege / fortzuege)', 'ew * (zuzuege / fortzuege)'],
    ['-(ew*2)', '-(ew * 2)'],
    ['--ew', '-(-ew)'],
    ['ew--zuzuege', 'ew - -zuzuege'],
    ['sum( hze_33 ,hze_34 )', 'sum(hze_33, hze_34)'],
    ['lag(ew,12)', 'lag(ew, 12)'],
    ['change(ew, 1) / lag(ew, 1)', '(ew - lag(ew, 1)) / lag(ew, 1)'],
    ['ew * 0.50', 'ew * 0.5'],
    ['ew * 1000000000000000000000', 'ew * 1000000000000000000000'],
    ['ew * 0.00000015', 'ew * 0.00000015'],
  ])('writes %j as %j', (text, expected) => {
    expect(canonical(text)).toBe(expected);
  });

  it('writes numbers without exponent notation', () => {
    expect(formatFormula(num(1e21))).toBe('1000000000000000000000');
    expect(formatFormula(num(1.25e22))).toBe('12500000000000000000000');
    expect(formatFormula(num(1.5e-7))).toBe('0.00000015');
    expect(formatFormula(num(0.1))).toBe('0.1');
  });

  it('refuses values no formula can hold', () => {
    expect(() => formatFormula(num(Number.NaN))).toThrow(RangeError);
    expect(() => formatFormula(num(Number.POSITIVE_INFINITY))).toThrow(RangeError);
  });
});

describe('formatFormula round trip', () => {
  // Variables without unit: the property is about syntax, not about the unit check.
  const codes = ['a', 'b_2', 'ew'];
  const variables = new Map<string, VariableInfo>(codes.map((c) => [c, { unit: '', additive: true }]));
  const variable = fc.constantFrom(...codes).map((code): FormulaNode => ({ kind: 'variable', code }));
  const number = fc
    .oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.double({ min: 1e20, max: 1e25, noNaN: true }))
    .map((value): FormulaNode => ({ kind: 'number', value }));
  const leaf = fc.oneof(variable, number);
  const tree: fc.Memo<FormulaNode> = fc.memo((depth) =>
    depth <= 1
      ? leaf
      : fc.oneof(
          leaf,
          tree(depth - 1).map((operand): FormulaNode => ({ kind: 'negate', operand })),
          fc
            .tuple(fc.constantFrom('+', '-', '*', '/' as const), tree(depth - 1), tree(depth - 1))
            .map(([op, left, right]): FormulaNode => ({ kind: 'binary', op, left, right })),
          fc.tuple(tree(depth - 1), fc.integer({ min: 1, max: 24 })).map(([operand, periods]): FormulaNode => ({ kind: 'lag', operand, periods })),
          fc.array(tree(depth - 1), { minLength: 1, maxLength: 4 }).map((operands): FormulaNode => ({ kind: 'sum', operands })),
        ),
  );
  // Every formula needs a variable: put one next to the generated tree.
  const formula = fc
    .tuple(variable, tree(6), fc.constantFrom('+', '-', '*', '/' as const), fc.boolean())
    .map(([v, t, op, first]): FormulaNode => ({ kind: 'binary', op, left: first ? v : t, right: first ? t : v }));

  it('reads the canonical text back into an equal node', () => {
    fc.assert(
      fc.property(formula, (node) => {
        const text = formatFormula(node);
        // A generated constant divisor may be zero, which the check rightly refuses.
        fc.pre(!checkFormula(text, variables).some((i) => i.code === 'division-by-zero'));
        expect(compileFormula(text, variables).node).toEqual(node);
      }),
      { numRuns: 500 },
    );
  });
});
