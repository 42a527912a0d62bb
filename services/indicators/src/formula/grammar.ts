/** Limits and names of the formula language, shared by the parser, the compiler and messages. */

/** Longer texts are refused before parsing; no indicator definition needs more. */
export const MAX_FORMULA_LENGTH = 2000;
/** Deepest nesting of parentheses (groups and function calls) the parser is given. */
export const MAX_NESTING_DEPTH = 40;
/** lag(x, n) and change(x, n) accept n from 1 to this (two years of monthly data). */
export const MAX_LAG_PERIODS = 24;
/** sum(...) takes 1 to this many arguments. */
export const MAX_SUM_ARGUMENTS = 50;
/**
 * change(x, n) copies x, so nested change() doubles the tree with each level; past this many nodes
 * the formula is refused instead of growing exponentially.
 */
export const MAX_EXPANDED_NODES = 10_000;

export const FUNCTION_NAMES = ['lag', 'change', 'sum'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export function isFunctionName(name: string): name is FunctionName {
  return (FUNCTION_NAMES as readonly string[]).includes(name);
}

/** Identifiers that name variables. */
export const VARIABLE_NAME = /^[a-z][a-z0-9_]*$/;

/** Appended to syntax messages: what the language consists of. */
export const ALLOWED_SUMMARY = 'erlaubt sind Zahlen, Variablen, + - * /, Klammern und die Funktionen lag, change, sum.';
