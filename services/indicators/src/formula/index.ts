/**
 * The formula language of indicators (Kennzahlen).
 *
 * A formula is written over the codes of the variable vocabulary:
 * - numbers `1000`, `0.5` (digits, optional decimal point); names `[a-z][a-z0-9_]*` are variables;
 * - `+ - * /` with the usual precedence, unary minus, parentheses;
 * - `lag(x, n)`: x as it was n periods earlier (n an integer 1..24; nested lags add up);
 * - `change(x, n)`: x - lag(x, n);
 * - `sum(a, b, ...)`: a + b + ... (1 to 50 arguments).
 * Nothing else is accepted (no other operators, calls, strings, member access, comparisons).
 *
 * The top-level operator decides numerator and denominator, which the engine sums up the area
 * hierarchy separately: `(zuzuege - fortzuege) / ew` splits into `zuzuege - fortzuege` and `ew`;
 * `a / b * 100` does not split (its top level is `*`) – put 100 into the indicator's `scale`.
 *
 * Parsing uses jsep (a parser without evaluator); evaluation walks the tree. No eval, no Function.
 */
export type { BinaryOperator, CompiledFormula, FormulaNode, VariableInfo } from './ast';
export { FormulaError, type FormulaIssue, type FormulaIssueCode } from './issues';
export { checkFormula, compileFormula, inputsOf } from './compile';
export { evaluateScalar, evaluateVector, type ScalarReader, type VectorReader } from './evaluate';
export { formatFormula } from './format';
export { MAX_FORMULA_LENGTH, MAX_LAG_PERIODS, MAX_NESTING_DEPTH, MAX_SUM_ARGUMENTS } from './grammar';
