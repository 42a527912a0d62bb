/**
 * Numbers as German offices write them: decimal comma, dot or blank as thousands separator
 * ("1 675", "26 493", "1.374"), padding blanks ("  162    "), negative numbers with blanks
 * after the sign ("-  23", Hamburg), a trailing percent sign ("53,40%", Flensburg), and float
 * artefacts of exports ("109.00000000000001"). Grouping is checked (groups of three digits), so
 * with thousands "." and decimal "," the text "1.5" is an error instead of silently 15.
 */
import type { NumberSpec } from './spec';

export type NumberParser = (text: string) => number;

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds a parser for one profile's number format; returns NaN for text that is not a number in
 * that format. Built once per delivery, called once per cell.
 */
export function numberParser(spec: NumberSpec): NumberParser {
  const separators = spec.thousands.flatMap((t) => (t === ' ' ? [' ', '\u00a0', '\u202f'] : [t]));
  const group = separators.length > 0 ? `[${separators.map(escape).join('')}]` : undefined;
  const integer = group ? `(?:\\d{1,3}(?:${group}\\d{3})+|\\d+)` : '\\d+';
  const fraction = `(?:${escape(spec.decimal)}\\d+)?`;
  // An exponent only where the decimal is a dot: "1,5e3" is no German notation.
  const exponent = spec.decimal === '.' ? '(?:[eE][+-]?\\d+)?' : '';
  const percent = spec.percentSign ? '\\s*%?' : '';
  const pattern = new RegExp(`^([+-]?)\\s*(${integer}${fraction}|${escape(spec.decimal)}\\d+)${exponent}${percent}$`);
  const stripGroups = group ? new RegExp(group, 'g') : undefined;
  const plain = /^-?\d+$/;

  return (text: string) => {
    // Fast path: most cells of a large file are plain integers.
    if (plain.test(text)) return Number(text);
    const trimmed = text.trim();
    if (trimmed === '') return Number.NaN;
    if (plain.test(trimmed)) return Number(trimmed);
    const match = pattern.exec(trimmed);
    if (!match) return Number.NaN;
    let body = trimmed.slice(trimmed.indexOf(match[2]!));
    if (spec.percentSign) body = body.replace(/\s*%$/, '');
    if (stripGroups) body = body.replace(stripGroups, '');
    if (spec.decimal === ',') body = body.replace(',', '.');
    const value = Number(body);
    return match[1] === '-' ? -value : value;
  };
}

/** What a number column expects, in German, for the error message. */
export function describeNumberFormat(spec: NumberSpec): string {
  const parts = [`eine Zahl mit Dezimaltrennzeichen „${spec.decimal}“`];
  if (spec.thousands.length > 0) parts.push(`Tausendertrennzeichen ${spec.thousands.map((t) => (t === ' ' ? 'Leerzeichen' : `„${t}“`)).join(' oder ')}`);
  return parts.join(', ');
}

/**
 * Spreadsheet formula or injection text: "=HYPERLINK(...)", "@SUM(...)", "+cmd|...". A leading
 * minus followed by a digit is a negative number, not a formula.
 */
export function looksLikeFormula(text: string): boolean {
  const first = text.trimStart()[0];
  if (first === '=' || first === '@') return true;
  if (first === '+' || first === '-') return /^[+-]\s*[A-Za-z(]/.test(text.trimStart());
  return false;
}
