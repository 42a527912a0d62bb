/** Canonical text of a FormulaNode: minimal parentheses, one space around operators. */
import type { BinaryOperator, FormulaNode } from './ast';

const PRECEDENCE: Record<BinaryOperator, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

/**
 * Digits with an optional decimal point, never exponent notation (String(1e21) is "1e+21"), so
 * that the text parses back to the same number.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`Der Wert ${value} lässt sich in einer Formel nicht schreiben.`);
  const text = String(Math.abs(value));
  const match = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  let digits = text;
  if (match) {
    const significant = match[1]! + (match[2] ?? '');
    const point = Number(match[3]) + 1;
    if (point >= significant.length) digits = significant + '0'.repeat(point - significant.length);
    else if (point <= 0) digits = `0.${'0'.repeat(-point)}${significant}`;
    else digits = `${significant.slice(0, point)}.${significant.slice(point)}`;
  }
  return value < 0 || Object.is(value, -0) ? `(-${digits})` : digits;
}

/**
 * Canonical text that compileFormula reads back into an equal node: parentheses exactly where the
 * tree needs them (`a - (b - c)`, `(a + b) / c`, `-(a * b)`), `lag(x, n)` and `sum(a, b)` with a
 * space after each comma. A negative number literal (never produced by the parser) is written
 * `(-5)`, which reads back as the negation of 5.
 */
export function formatFormula(node: FormulaNode): string {
  switch (node.kind) {
    case 'number':
      return formatNumber(node.value);
    case 'variable':
      return node.code;
    case 'negate': {
      const operand = formatFormula(node.operand);
      return node.operand.kind === 'binary' || node.operand.kind === 'negate' ? `-(${operand})` : `-${operand}`;
    }
    case 'binary': {
      const precedence = PRECEDENCE[node.op];
      let left = formatFormula(node.left);
      let right = formatFormula(node.right);
      if (node.left.kind === 'binary' && PRECEDENCE[node.left.op] < precedence) left = `(${left})`;
      // Operators associate to the left: a right operand of equal precedence keeps its parentheses.
      if (node.right.kind === 'binary' && PRECEDENCE[node.right.op] <= precedence) right = `(${right})`;
      return `${left} ${node.op} ${right}`;
    }
    case 'lag':
      return `lag(${formatFormula(node.operand)}, ${node.periods})`;
    case 'sum':
      return `sum(${node.operands.map(formatFormula).join(', ')})`;
    default: {
      const exhaustive: never = node;
      return exhaustive;
    }
  }
}
