/** Problems found in a formula: each names its column and is worded for the person who wrote it. */

export type FormulaIssueCode =
  | 'empty'
  | 'too-long'
  | 'too-deep'
  | 'too-large'
  | 'unexpected-character'
  | 'unbalanced-parenthesis'
  | 'syntax'
  | 'invalid-number'
  | 'invalid-name'
  | 'not-allowed'
  | 'unknown-variable'
  | 'unknown-function'
  | 'argument-count'
  | 'lag-periods'
  | 'division-by-zero'
  | 'unit-mismatch'
  | 'no-variable';

export interface FormulaIssue {
  /** Stable machine-readable kind, e.g. `unknown-variable`. */
  code: FormulaIssueCode;
  /** German, starting with "Spalte <column>: ". */
  message: string;
  /** 1-based column (in characters) of the offending text. */
  column: number;
}

/** Thrown by compileFormula with every issue found, not only the first. */
export class FormulaError extends Error {
  override readonly name = 'FormulaError';
  readonly issues: readonly FormulaIssue[];
  readonly formula: string;

  constructor(formula: string, issues: readonly FormulaIssue[]) {
    super(`Ungültige Formel ${quote(String(formula))}: ${issues.map((i) => i.message).join(' ')}`);
    this.formula = formula;
    this.issues = issues;
  }
}

/** 1-based column of a UTF-16 index, counted in characters (a character outside the BMP counts once). */
export function columnAt(text: string, index: number): number {
  let column = 1;
  for (let i = 0; i < index && i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    column += 1;
  }
  return column + Math.max(0, index - text.length);
}

export function issueAt(code: FormulaIssueCode, text: string, index: number, message: string): FormulaIssue {
  const column = columnAt(text, index);
  return { code, column, message: `Spalte ${column}: ${message}` };
}

const QUOTE_LIMIT = 60;

/** German quotation marks around a piece of formula text, shortened when long. */
export function quote(piece: string): string {
  const chars = Array.from(piece);
  const shown = chars.length > QUOTE_LIMIT ? `${chars.slice(0, QUOTE_LIMIT - 1).join('')}…` : piece;
  return `„${shown}“`;
}

/** "a", "a und b", "a, b und c". */
export function listGerman(items: readonly string[], conjunction = 'und'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]!}`;
}
