/**
 * Header texts and column references. Headers of real files carry soft hyphens, line breaks and
 * padding ("Bevölkerungs-\ndichte", "Unter 18-Jährige "); a profile names the column as a person
 * reads it. Both sides are compared by a key: soft hyphens removed, hyphenation at a line break
 * joined, blanks collapsed, case folded.
 */
import { columnLetter, columnPosition, type ColumnPosition } from './findings';
import type { ColumnRef } from './spec';
import type { Cell } from './types';

/** Display form: soft hyphens removed, line breaks and blank runs collapsed to one blank. */
export function cleanHeader(text: string): string {
  return text.replace(/\u00ad/g, '').replace(/[\s\u00a0\u202f]+/gu, ' ').trim();
}

/**
 * Comparison key: soft hyphens removed, a hyphen at a line break joined to the next word
 * ("Bevölkerungs-\ndichte"), a hyphen directly before a lower-case letter dropped
 * ("Migrations-hintergrund" = "Migrationshintergrund"; "Ein- und" keeps its hyphen), blanks
 * collapsed, case folded.
 */
export function headerKey(text: string): string {
  return cleanHeader(text.replace(/\u00ad/g, '').replace(/-[ \t]*\r?\n\s*/g, '-'))
    .replace(/-(?=\p{Ll})/gu, '')
    .toLocaleLowerCase('de-DE');
}

export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'number' ? String(cell) : cell;
}

/** The header of a table: per column the text of each header row, and the joined form. */
export interface Header {
  /** Per header row (1-based index - 1), per column: the cleaned text. */
  rows: string[][];
  /** Per column: header texts of all rows joined by a blank (merged group headers filled). */
  joined: string[];
  width: number;
}

export function buildHeader(rows: ReadonlyArray<readonly Cell[]>): Header {
  const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
  const cleaned = rows.map((row) => {
    const texts: string[] = [];
    for (let c = 0; c < width; c += 1) texts.push(cleanHeader(cellText(row[c])));
    return texts;
  });
  // Upper header rows of a multi-row header are often merged group cells ("Arbeitslose" over
  // many years): an empty cell takes the text to its left, within the first rows only.
  const filled = cleaned.map((texts, index) => {
    if (index === cleaned.length - 1 || cleaned.length === 1) return texts;
    const out = [...texts];
    for (let c = 1; c < width; c += 1) if (out[c] === '' && out[c - 1] !== '' && (cleaned[index + 1]?.[c] ?? '') !== '') out[c] = out[c - 1]!;
    return out;
  });
  const joined: string[] = [];
  for (let c = 0; c < width; c += 1) joined.push(filled.map((texts) => texts[c] ?? '').filter((t) => t !== '').join(' '));
  return { rows: filled, joined, width };
}

/** Display name of a column for messages: joined header text, or empty without header. */
export function positionOf(header: Header | undefined, index: number): ColumnPosition {
  return columnPosition(index + 1, header?.joined[index]);
}

export function letterToIndex(letter: string): number {
  let n = 0;
  for (const char of letter) n = n * 26 + (char.charCodeAt(0) - 64);
  return n - 1;
}

export function describeRef(ref: ColumnRef): string {
  if ('header' in ref) return `„${ref.header}“${ref.headerRow ? ` (Kopfzeile ${ref.headerRow})` : ''}`;
  if ('headerPattern' in ref) return `mit Überschrift nach dem Muster /${ref.headerPattern}/${ref.headerRow ? ` (Kopfzeile ${ref.headerRow})` : ''}`;
  if ('letter' in ref) return ref.letter;
  return `Nr. ${ref.index}`;
}

export type Resolution = { ok: true; indices: number[] } | { ok: false; reason: 'missing' | 'ambiguous'; matches: number[] };

/**
 * Column indices (0-based) a reference selects. A header or letter selects exactly one column
 * (several matches are ambiguous); a pattern selects every matching column.
 */
export function resolveColumn(ref: ColumnRef, header: Header | undefined): Resolution {
  if ('letter' in ref) {
    const index = letterToIndex(ref.letter);
    return !header || index < header.width ? { ok: true, indices: [index] } : { ok: false, reason: 'missing', matches: [] };
  }
  if ('index' in ref) {
    const index = ref.index - 1;
    return !header || index < header.width ? { ok: true, indices: [index] } : { ok: false, reason: 'missing', matches: [] };
  }
  if (!header) return { ok: false, reason: 'missing', matches: [] };
  const texts = ref.headerRow !== undefined ? header.rows[ref.headerRow - 1] ?? [] : header.joined;
  if ('header' in ref) {
    const wanted = headerKey(ref.header);
    const matches: number[] = [];
    texts.forEach((text, index) => {
      if (headerKey(text) === wanted) matches.push(index);
    });
    if (matches.length === 0 && ref.headerRow === undefined) {
      // A one-row reference may name the last header row of a multi-row header.
      const last = header.rows[header.rows.length - 1] ?? [];
      last.forEach((text, index) => {
        if (headerKey(text) === wanted) matches.push(index);
      });
    }
    if (matches.length === 1) return { ok: true, indices: matches };
    return { ok: false, reason: matches.length === 0 ? 'missing' : 'ambiguous', matches };
  }
  const pattern = new RegExp(ref.headerPattern, 'u');
  const matches: number[] = [];
  texts.forEach((text, index) => {
    if (pattern.test(text)) matches.push(index);
  });
  return matches.length > 0 ? { ok: true, indices: matches } : { ok: false, reason: 'missing', matches };
}

export function describeColumns(header: Header, limit = 12): string {
  const names = header.joined.map((text, index) => `${columnLetter(index + 1)} „${text}“`).filter((_, index) => header.joined[index] !== '');
  return names.length > limit ? `${names.slice(0, limit).join(', ')} … (${names.length} Spalten)` : names.join(', ') || 'keine';
}
