/**
 * The formula language's own syntax tree and the shapes compileFormula hands out. Independent of
 * the parser library: nothing outside src/formula sees a jsep node.
 */

/** What a formula needs to know about a variable of the vocabulary (catalogue/model.ts VariableDefinition). */
export interface VariableInfo {
  /** Unit of a value, e.g. Personen, Haushalte, EUR, m², %; a quotient may be written `EUR/m²`. Empty: unknown, not checked. */
  unit: string;
  /** Counts and sums (true) or rates and averages (false); formulas accept both, the engine decides how to aggregate. */
  additive: boolean;
  /** German name, shown next to a suggested code. */
  name?: string;
}

export type BinaryOperator = '+' | '-' | '*' | '/';

export type FormulaNode =
  | { kind: 'number'; value: number }
  | { kind: 'variable'; code: string }
  | { kind: 'negate'; operand: FormulaNode }
  | { kind: 'binary'; op: BinaryOperator; left: FormulaNode; right: FormulaNode }
  /** The operand as it was `periods` periods earlier; nested lags add up. */
  | { kind: 'lag'; operand: FormulaNode; periods: number }
  | { kind: 'sum'; operands: FormulaNode[] };

export interface CompiledFormula {
  /** The text as given. */
  text: string;
  /** The whole formula; change(x, n) is expanded to x - lag(x, n). */
  node: FormulaNode;
  /**
   * The top-level split decides what the engine sums up the area hierarchy: for `A / B` it is A,
   * otherwise the whole node. Only the outermost operator counts, so `a / b * 100` has no split
   * (its top level is `*`): the scale belongs into the indicator's `scale` field, not the formula.
   */
  numerator: FormulaNode;
  /** B of a top-level `A / B`, else null. */
  denominator: FormulaNode | null;
  /** Sorted unique variable codes. */
  variables: string[];
  /** Every (variable, total lag) pair the formula reads, sorted by code and lag. */
  inputs: Array<{ code: string; lag: number }>;
  /** Largest total lag of any input, 0 without lag(). */
  maxLag: number;
  /** Unit of the numerator for messages, e.g. "Personen" or "EUR/m²"; null when numbers only or unknown. */
  unit: string | null;
}
