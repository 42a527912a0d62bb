/**
 * Findings about a delivered file, in German: a stable machine code (tests, corpora and clients
 * key on it: codes are never renamed or reused, only added) and a message that names file, line,
 * column, value and what was expected, so a Sachbearbeiterin can fix the cell without asking
 * anyone. This module holds what every service reading tabular files shares: the codes of the
 * file itself (encoding, syntax, size, header, columns, numbers), their templates, the way a
 * place in the file is written, and the collector that keeps a report bounded. A service adds
 * its own codes and templates (ingestion: areas, periods, plausibility; budget: products,
 * postings) and renders them through the same `buildFinding`.
 *
 * Lines are 1-based as a spreadsheet shows them (header lines counted); columns carry the header
 * text and the spreadsheet letter (CSV: the position as well).
 */

export const FILE_ERROR_CODES = [
  // The file as a whole
  'FILE_EMPTY',
  'FILE_TOO_LARGE',
  'FILE_UNREADABLE',
  'ENCODING_INVALID',
  'ZIP_BOMB',
  'SHEET_NOT_FOUND',
  'HEADER_ONLY',
  'JSON_INVALID',
  'JSON_NOT_ARRAY',
  'JSON_ROW_NOT_OBJECT',
  'CSV_SYNTAX',
  'DELIMITER_MISMATCH',
  // Columns
  'COLUMN_MISSING',
  'COLUMN_AMBIGUOUS',
  'ROW_LENGTH',
  // Cells
  'NUMBER_INVALID',
  'FORMULA_IN_NUMBER',
] as const;

export type FileErrorCode = (typeof FILE_ERROR_CODES)[number];

export type FindingSeverity = 'error' | 'warning';

/** A column as the user sees it. */
export interface ColumnPosition {
  /** 1-based position. */
  number: number;
  /** Spreadsheet letter (A, B, ..., AA). */
  letter: string;
  /** Header text (normalised), when the file has a header. */
  header?: string;
}

/** One finding of a validation report. */
export interface FileFinding<Code extends string = FileErrorCode> {
  code: Code;
  severity: FindingSeverity;
  /** German, complete: names file, line, column, value and the expectation. */
  message: string;
  file: string;
  line?: number;
  column?: ColumnPosition;
  /** The offending cell text (or area, variable), cut to 200 characters. */
  value?: string;
  /** What was expected, in German. */
  expected?: string;
}

/** Facts a template can use. Only the ones a code needs are set. */
export interface FindingFacts {
  file: string;
  line?: number;
  column?: ColumnPosition;
  value?: string;
  expected?: string;
  /** Free facts: limits, counts, variables, codes. */
  [fact: string]: unknown;
}

/** German message templates, one per code. */
export type FindingTemplates<Code extends string> = Record<Code, (f: FindingFacts) => string>;

const MAX_VALUE_LENGTH = 200;

export function columnLetter(number: number): string {
  let n = number;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

export function columnPosition(number: number, header?: string): ColumnPosition {
  return header === undefined || header === '' ? { number, letter: columnLetter(number) } : { number, letter: columnLetter(number), header };
}

/** "Spalte C („Einwohner“)" */
export function describeColumn(column: ColumnPosition): string {
  return column.header ? `Spalte ${column.letter} („${column.header}“)` : `Spalte ${column.letter} (Nr. ${column.number})`;
}

/** Where a finding is: "Datei „x.csv“, Zeile 4, Spalte C („Einwohner“)". */
export function describePlace(facts: FindingFacts): string {
  const parts = [`Datei „${facts.file}“`];
  if (facts.line !== undefined) parts.push(`Zeile ${facts.line}`);
  if (facts.column) parts.push(describeColumn(facts.column));
  return parts.join(', ');
}

/** „text“ in German quotation marks. */
export function quoted(value: unknown): string {
  return `„${String(value)}“`;
}

/**
 * A quantity as a German reader writes it: `85.413,039`, `1.234`. Line numbers, years and
 * version numbers are identifiers, not quantities: they stay as a spreadsheet shows them.
 * Six decimals at most, so float artefacts of sums (`85413.03900000001`) do not show.
 */
export function formatNumber(n: unknown): string {
  const value = typeof n === 'number' ? n : typeof n === 'string' && n.trim() !== '' ? Number(n) : Number.NaN;
  return Number.isFinite(value) ? value.toLocaleString('de-DE', { maximumFractionDigits: 6 }) : String(n);
}

/** A size in bytes for people: `512 MB`, `1,5 GB`, `300 Bytes`. */
export function formatBytes(n: unknown): string {
  const value = Number(n);
  if (value >= 1024 * 1024 * 1024) return `${(value / 1024 / 1024 / 1024).toLocaleString('de-DE', { maximumFractionDigits: 1 })} GB`;
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toLocaleString('de-DE', { maximumFractionDigits: 1 })} MB`;
  if (value >= 1024) return `${(value / 1024).toLocaleString('de-DE', { maximumFractionDigits: 1 })} KB`;
  return `${formatNumber(value)} Bytes`;
}

/** Why the zip guard (zip-guard.ts) stopped: only what it really saw or read. */
function zipBombReason(f: FindingFacts): string {
  switch (f.reason) {
    case 'forged':
      return `Der Teil ${quoted(f.entry)} ergab beim Entpacken mehr als erlaubt (${formatBytes(f.inflatedBytes)} bis zum Abbruch, Grenze ${formatBytes(f.declaredBytes)}: so groß ist er laut Inhaltsverzeichnis des Archivs); das Inhaltsverzeichnis ist gefälscht oder beschädigt (Zip-Bombe)`;
    case 'inflated':
      return `Sie ergab beim Entpacken mehr als erlaubt (${formatBytes(f.inflatedBytes)} bis zum Abbruch, Grenze ${formatBytes(f.limit)})`;
    case 'entries':
      return `Sie enthält mehr als ${formatNumber(f.maxEntries)} Teile (Grenze)`;
    default:
      return `entpackt wäre sie ${formatBytes(f.uncompressedBytes)} groß (Verhältnis ${formatNumber(f.ratio)}:1, laut Inhaltsverzeichnis des Archivs); erlaubt sind höchstens ${formatBytes(f.limit)} und ein Verhältnis von ${formatNumber(f.maxRatio)}:1`;
  }
}

/**
 * German message per file code. `f.value` and `f.expected` are set by the caller where the code
 * has them; `buildFinding` adds both at the end in a fixed form, so every message reads
 * "<wo>: <was>. Gefunden: „…“. Erwartet: …".
 */
export const FILE_FINDING_TEMPLATES: FindingTemplates<FileErrorCode> = {
  FILE_EMPTY: (f) => `${describePlace(f)}: Die Datei ist leer${f.reason ? ` (${String(f.reason)})` : ''}.`,
  FILE_TOO_LARGE: (f) => `${describePlace(f)}: Die Datei ist größer als erlaubt (höchstens ${formatBytes(f.limit)}).`,
  FILE_UNREADABLE: (f) =>
    f.actual !== undefined
      ? `${describePlace(f)}: Die Datei ist keine Excel-Datei (${String(f.format)}), sondern ${String(f.actual)}.`
      : `${describePlace(f)}: Die Datei lässt sich nicht als ${String(f.format ?? 'Datei')} lesen${f.reason ? ` (${String(f.reason)})` : ''}.`,
  ENCODING_INVALID: (f) => `${describePlace(f)}: Die Datei ist nicht in der Zeichenkodierung ${String(f.encoding)} gespeichert (ungültige Bytefolge).`,
  ZIP_BOMB: (f) => `${describePlace(f)}: Die XLSX-Datei wird nicht geöffnet: ${zipBombReason(f)}.`,
  SHEET_NOT_FOUND: (f) => `${describePlace(f)}: Das Tabellenblatt ${quoted(f.sheet)} fehlt; vorhanden: ${String(f.available)}.`,
  HEADER_ONLY: (f) => `${describePlace(f)}: Die Datei enthält nur die Kopfzeile und keine Daten.`,
  // A JSON text has no spreadsheet columns: the column is the character position in the line.
  JSON_INVALID: (f) =>
    `${describePlace(f)}${f.textColumn !== undefined ? `, Spalte ${String(f.textColumn)}` : ''}: Die Datei ist kein gültiges JSON${f.reason ? ` (${String(f.reason)})` : ''}${f.hint ? `; ${String(f.hint)}` : ''}.`,
  JSON_NOT_ARRAY: (f) => `${describePlace(f)}: Erwartet wird eine JSON-Liste von Objekten (eine Zeile je Objekt).`,
  JSON_ROW_NOT_OBJECT: (f) => `${describePlace(f)}: Der Eintrag ist kein JSON-Objekt.`,
  CSV_SYNTAX: (f) => `${describePlace(f)}: Die Zeile ist kein gültiges CSV${f.reason ? ` (${String(f.reason)})` : ''}.`,
  DELIMITER_MISMATCH: (f) =>
    `${describePlace(f)}: Die Kopfzeile wird mit dem Trennzeichen ${quoted(f.delimiter)} nicht in Spalten geteilt; die Datei verwendet vermutlich ${quoted(f.detected)}.`,
  COLUMN_MISSING: (f) => `${describePlace(f)}: Die Spalte ${String(f.wanted)} fehlt in der Kopfzeile; vorhanden: ${String(f.available)}.`,
  COLUMN_AMBIGUOUS: (f) => `${describePlace(f)}: Die Angabe ${String(f.wanted)} passt auf mehrere Spalten (${String(f.matches)}).`,
  ROW_LENGTH: (f) => `${describePlace(f)}: Die Zeile hat ${formatNumber(f.actual)} Spalten, die Kopfzeile ${formatNumber(f.wantedLength)} (verschobene Spalten?).`,
  NUMBER_INVALID: (f) => `${describePlace(f)}: Der Wert ist keine Zahl.`,
  FORMULA_IN_NUMBER: (f) => `${describePlace(f)}: Die Zelle enthält eine Formel; Formeln werden nicht ausgewertet, erwartet wird der Zahlenwert.`,
};

function cut(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH)}…` : value;
}

/** The complete message: the template's text, then "Gefunden: „…“." and "Erwartet: …." where the facts have them. */
export function renderMessage<Code extends string>(templates: FindingTemplates<Code>, code: Code, facts: FindingFacts): string {
  let message = templates[code](facts);
  if (facts.value !== undefined && !message.includes(quoted(facts.value))) message += ` Gefunden: ${quoted(cut(facts.value))}.`;
  if (facts.expected !== undefined) message += ` Erwartet: ${facts.expected}.`;
  return message;
}

/** Builds a finding with its rendered German message from a service's templates. */
export function buildFinding<Code extends string>(templates: FindingTemplates<Code>, code: Code, facts: FindingFacts, severity: FindingSeverity = 'error'): FileFinding<Code> {
  const result: FileFinding<Code> = { code, severity, message: renderMessage(templates, code, facts), file: facts.file };
  if (facts.line !== undefined) result.line = facts.line;
  if (facts.column !== undefined) result.column = facts.column;
  if (facts.value !== undefined) result.value = cut(facts.value);
  if (facts.expected !== undefined) result.expected = facts.expected;
  return result;
}

/** A finding of the file itself (the codes of FILE_ERROR_CODES). */
export function fileFinding(code: FileErrorCode, facts: FindingFacts, severity: FindingSeverity = 'error'): FileFinding {
  return buildFinding(FILE_FINDING_TEMPLATES, code, facts, severity);
}

/**
 * Keeps a report bounded: the first `limit` findings in full, and a count per code of all of
 * them, so a file with a million bad cells neither blows up the event nor hides how bad it is.
 */
export class FindingCollector<F extends { code: string; severity: FindingSeverity } = FileFinding> {
  readonly stored: F[] = [];
  readonly countsByCode: Partial<Record<F['code'], number>> = {};
  errorCount = 0;
  warningCount = 0;

  constructor(private readonly limit = 1000) {}

  add(entry: F): void {
    const code: F['code'] = entry.code;
    this.countsByCode[code] = (this.countsByCode[code] ?? 0) + 1;
    if (entry.severity === 'error') this.errorCount += 1;
    else this.warningCount += 1;
    if (this.stored.length < this.limit) this.stored.push(entry);
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  get truncated(): boolean {
    return this.errorCount + this.warningCount > this.stored.length;
  }
}
