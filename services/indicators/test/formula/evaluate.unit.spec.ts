import fc from 'fast-check';
import { compileFormula, evaluateScalar, evaluateVector, type FormulaNode } from '../../src/formula';
import { vocabulary } from './support';

const node = (text: string): FormulaNode => compileFormula(text, vocabulary).node;

/** A reader over a table "code@lag" -> values; records what was read. */
function tableReader(table: Record<string, number[]>) {
  const reads: string[] = [];
  const reader = (code: string, lag: number) => {
    reads.push(`${code}@${lag}`);
    const values = table[`${code}@${lag}`];
    return values ? Float64Array.from(values) : undefined;
  };
  return { reader, reads };
}

const NaN_ = Number.NaN;

describe('evaluateVector', () => {
  it('computes a ratio per area; a missing input gives NaN for that area only', () => {
    const { reader } = tableReader({ 'arbeitslose@0': [10, 0, 5, NaN_], 'ew@0': [100, 200, NaN_, 50] });
    expect(Array.from(evaluateVector(node('arbeitslose / ew'), reader, 4))).toEqual([0.1, 0, NaN_, NaN_]);
  });

  it('gives NaN, not Infinity, for a division by zero, also 0 / 0', () => {
    const { reader } = tableReader({ 'zuzuege@0': [5, 0, 3], 'ew@0': [0, 0, 4] });
    expect(Array.from(evaluateVector(node('zuzuege / ew'), reader, 3))).toEqual([NaN_, NaN_, 0.75]);
  });

  it('reads lagged values at the lag and computes the change rate', () => {
    const { reader, reads } = tableReader({ 'ew@0': [110, 90, 100], 'ew@1': [100, 100, 0] });
    const result = evaluateVector(node('change(ew, 1) / lag(ew, 1)'), reader, 3);
    expect(result[0]).toBeCloseTo(0.1, 12);
    expect(result[1]).toBeCloseTo(-0.1, 12);
    expect(result[2]).toBeNaN();
    expect([...new Set(reads)].sort()).toEqual(['ew@0', 'ew@1']);
  });

  it('reads the variable under nested lags at the sum of the lags', () => {
    const { reader, reads } = tableReader({ 'ew@5': [7], 'zuzuege@3': [2] });
    expect(Array.from(evaluateVector(node('lag(lag(ew, 2) + zuzuege, 3)'), reader, 1))).toEqual([9]);
    expect(reads.sort()).toEqual(['ew@5', 'zuzuege@3']);
  });

  it('treats a variable without any values as missing everywhere', () => {
    const { reader } = tableReader({ 'ew@0': [1, 2] });
    expect(Array.from(evaluateVector(node('ew + zuzuege'), reader, 2))).toEqual([NaN_, NaN_]);
  });

  it('adds the arguments of sum(), NaN when one is missing', () => {
    const { reader } = tableReader({ 'hze_33@0': [1, 2, NaN_], 'hze_34@0': [10, 20, 30] });
    expect(Array.from(evaluateVector(node('sum(hze_33, hze_34, 100)'), reader, 3))).toEqual([111, 122, NaN_]);
  });

  it('applies numbers, unary minus and precedence', () => {
    const { reader } = tableReader({ 'zuzuege@0': [30], 'fortzuege@0': [10], 'ew@0': [400] });
    // (30 - 10) / 400 * 1000 = 50; -30 + 10 * 2 = -10
    expect(Array.from(evaluateVector(node('(zuzuege - fortzuege) / ew * 1000'), reader, 1))).toEqual([50]);
    expect(Array.from(evaluateVector(node('-zuzuege + fortzuege * 2'), reader, 1))).toEqual([-10]);
  });

  it('reads each (variable, lag) pair once', () => {
    const { reader, reads } = tableReader({ 'ew@0': [2], 'ew@1': [1] });
    evaluateVector(node('ew + ew * 2 - lag(ew, 1) + lag(ew, 1) / ew * ew'), reader, 1);
    expect(reads.sort()).toEqual(['ew@0', 'ew@1']);
  });

  it('never writes into the arrays of the reader and returns a new array', () => {
    const values = Float64Array.from([1, 2, 3]);
    const reader = () => values;
    const result = evaluateVector(node('ew'), reader, 3);
    expect(result).not.toBe(values);
    result[0] = 99;
    evaluateVector(node('-ew * 2 + ew'), reader, 3);
    expect(Array.from(values)).toEqual([1, 2, 3]);
  });

  it('refuses reader arrays of the wrong length', () => {
    expect(() => evaluateVector(node('ew'), () => new Float64Array(2), 3)).toThrow(RangeError);
  });
});

describe('evaluateScalar', () => {
  const reader = (values: Record<string, number>) => (code: string, lag: number) => values[`${code}@${lag}`];

  it('computes a value from hand-checked inputs', () => {
    // (120 - 100) / 100 = 0.2
    expect(evaluateScalar(node('change(ew, 2) / lag(ew, 2)'), reader({ 'ew@0': 120, 'ew@2': 100 }))).toBeCloseTo(0.2, 12);
    expect(evaluateScalar(node('sum(hze_33, hze_34) / 2'), reader({ 'hze_33@0': 3, 'hze_34@0': 5 }))).toBe(4);
  });

  it('is NaN when an input is missing or a divisor is zero', () => {
    expect(evaluateScalar(node('arbeitslose / ew'), reader({ 'ew@0': 10 }))).toBeNaN();
    expect(evaluateScalar(node('arbeitslose / ew'), reader({ 'arbeitslose@0': 1, 'ew@0': 0 }))).toBeNaN();
    expect(evaluateScalar(node('arbeitslose / ew'), reader({ 'arbeitslose@0': NaN_, 'ew@0': 5 }))).toBeNaN();
  });
});

describe('evaluateVector and evaluateScalar', () => {
  const codes = ['ew', 'zuzuege', 'fortzuege'];
  const leaf = fc.oneof(
    fc.constantFrom(...codes).map((code): FormulaNode => ({ kind: 'variable', code })),
    fc.integer({ min: 0, max: 5 }).map((value): FormulaNode => ({ kind: 'number', value })),
  );
  const tree: fc.Memo<FormulaNode> = fc.memo((depth) =>
    depth <= 1
      ? leaf
      : fc.oneof(
          leaf,
          tree(depth - 1).map((operand): FormulaNode => ({ kind: 'negate', operand })),
          fc
            .tuple(fc.constantFrom('+', '-', '*', '/' as const), tree(depth - 1), tree(depth - 1))
            .map(([op, left, right]): FormulaNode => ({ kind: 'binary', op, left, right })),
          fc.tuple(tree(depth - 1), fc.integer({ min: 1, max: 3 })).map(([operand, periods]): FormulaNode => ({ kind: 'lag', operand, periods })),
          fc.array(tree(depth - 1), { minLength: 1, maxLength: 3 }).map((operands): FormulaNode => ({ kind: 'sum', operands })),
        ),
  );
  const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(NaN_));

  it('agree area by area (the vector is the scalar applied to each area)', () => {
    fc.assert(
      fc.property(tree(5), fc.array(value, { minLength: 3 * 7 * 3, maxLength: 3 * 7 * 3 }), (formula, flat) => {
        const length = 3;
        // flat holds values by code, lag 0..6 and area; deeper lags are missing.
        const at = (code: string, lag: number, area: number) => (lag <= 6 ? flat[(codes.indexOf(code) * 7 + lag) * length + area]! : NaN_);
        const vector = evaluateVector(formula, (code, lag) => Float64Array.from({ length }, (_, area) => at(code, lag, area)), length);
        for (let area = 0; area < length; area += 1) {
          expect(vector[area]).toBe(evaluateScalar(formula, (code, lag) => at(code, lag, area)));
        }
      }),
    );
  });
});
