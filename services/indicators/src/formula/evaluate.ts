/**
 * Evaluation of a FormulaNode by walking the tree: no code is generated or run. Missing values
 * (NaN) propagate, and a division by zero gives NaN rather than Infinity, so that a value is
 * either a real number or "not computable".
 */
import type { FormulaNode } from './ast';

/** Values of `code` read `lag` periods earlier, one per area; NaN where missing, undefined when there are none at all. */
export type VectorReader = (code: string, lag: number) => Float64Array | undefined;
export type ScalarReader = (code: string, lag: number) => number | undefined;

function divide(a: number, b: number): number {
  return b === 0 ? Number.NaN : a / b;
}

/**
 * Evaluates `node` for `length` areas at once. Each (variable, lag) pair is read once; arrays
 * returned by the reader are never written to, and the result is always a new array.
 */
export function evaluateVector(node: FormulaNode, reader: VectorReader, length: number): Float64Array {
  const cache = new Map<string, Float64Array>();
  const fromReader = new Set<Float64Array>();
  const read = (code: string, lag: number): Float64Array => {
    const key = `${code}\u0000${lag}`;
    let values = cache.get(key);
    if (!values) {
      const delivered = reader(code, lag);
      if (delivered === undefined) values = new Float64Array(length).fill(Number.NaN);
      else if (delivered.length !== length) {
        throw new RangeError(`Für ${code} (${lag} Perioden zurück) kamen ${delivered.length} Werte, erwartet waren ${length}.`);
      } else {
        values = delivered;
        fromReader.add(values);
      }
      cache.set(key, values);
    }
    return values;
  };
  const map = (a: Float64Array, f: (x: number) => number): Float64Array => {
    const out = new Float64Array(length);
    for (let i = 0; i < length; i += 1) out[i] = f(a[i]!);
    return out;
  };
  const zip = (a: Float64Array, b: Float64Array, f: (x: number, y: number) => number): Float64Array => {
    const out = new Float64Array(length);
    for (let i = 0; i < length; i += 1) out[i] = f(a[i]!, b[i]!);
    return out;
  };
  const evaluate = (n: FormulaNode, lag: number): Float64Array => {
    switch (n.kind) {
      case 'number':
        return new Float64Array(length).fill(n.value);
      case 'variable':
        return read(n.code, lag);
      case 'negate':
        return map(evaluate(n.operand, lag), (x) => -x);
      case 'lag':
        return evaluate(n.operand, lag + n.periods);
      case 'binary': {
        const left = evaluate(n.left, lag);
        const right = evaluate(n.right, lag);
        switch (n.op) {
          case '+':
            return zip(left, right, (x, y) => x + y);
          case '-':
            return zip(left, right, (x, y) => x - y);
          case '*':
            return zip(left, right, (x, y) => x * y);
          case '/':
            return zip(left, right, divide);
          default: {
            const exhaustive: never = n.op;
            return exhaustive;
          }
        }
      }
      case 'sum': {
        const out = new Float64Array(length);
        for (const operand of n.operands) {
          const values = evaluate(operand, lag);
          for (let i = 0; i < length; i += 1) out[i] = out[i]! + values[i]!;
        }
        return out;
      }
      default: {
        const exhaustive: never = n;
        return exhaustive;
      }
    }
  };
  const result = evaluate(node, 0);
  return fromReader.has(result) ? result.slice() : result;
}

/** Evaluates `node` for one area; NaN when an input is missing or a divisor is zero. */
export function evaluateScalar(node: FormulaNode, reader: ScalarReader): number {
  const evaluate = (n: FormulaNode, lag: number): number => {
    switch (n.kind) {
      case 'number':
        return n.value;
      case 'variable':
        return reader(n.code, lag) ?? Number.NaN;
      case 'negate':
        return -evaluate(n.operand, lag);
      case 'lag':
        return evaluate(n.operand, lag + n.periods);
      case 'binary': {
        const left = evaluate(n.left, lag);
        const right = evaluate(n.right, lag);
        switch (n.op) {
          case '+':
            return left + right;
          case '-':
            return left - right;
          case '*':
            return left * right;
          case '/':
            return divide(left, right);
          default: {
            const exhaustive: never = n.op;
            return exhaustive;
          }
        }
      }
      case 'sum':
        return n.operands.reduce((total, operand) => total + evaluate(operand, lag), 0);
      default: {
        const exhaustive: never = n;
        return exhaustive;
      }
    }
  };
  return evaluate(node, 0);
}
