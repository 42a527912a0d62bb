/**
 * Every finding a delivery can produce: a stable machine code (tests, the bad-input corpus and
 * clients key on it: codes are never renamed or reused, only added) and a German message template
 * that names file, line, column, value and what was expected, so a Sachbearbeiterin can fix the
 * cell without asking anyone.
 *
 * Lines are 1-based as a spreadsheet shows them (header lines counted); columns carry the header
 * text and the spreadsheet letter (CSV: the position as well).
 */

export const DELIVERY_ERROR_CODES = [
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
  'ROW_STATUS_UNKNOWN',
  'VARIABLE_UNKNOWN',
  // Periods and schemes
  'PERIOD_MISSING',
  'PERIOD_INVALID',
  'SCHEME_VERSION_MISSING',
  'SCHEME_UNKNOWN',
  // Areas
  'AREA_EMPTY',
  'AREA_UNKNOWN',
  'AREA_AMBIGUOUS',
  'AREA_NOT_MAPPED',
  'AREA_MISSING',
  'AREA_FORBIDDEN',
  // Plausibility
  'DUPLICATE',
  'NEGATIVE_COUNT',
  'PART_EXCEEDS_TOTAL',
  'RATE_OUT_OF_RANGE',
  'TOTALS_MISMATCH',
  'TOTALS_ROW_EXCLUDED',
  'NO_OBSERVATIONS',
  // Added after the first release of the list: requests
  'PROFILE_UNKNOWN',
] as const;

export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];

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

/** One finding of the validation report. */
export interface DeliveryFinding {
  code: DeliveryErrorCode;
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

function where(facts: FindingFacts): string {
  const parts = [`Datei „${facts.file}“`];
  if (facts.line !== undefined) parts.push(`Zeile ${facts.line}`);
  if (facts.column) parts.push(describeColumn(facts.column));
  return parts.join(', ');
}

function quoted(value: unknown): string {
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

/** Why the zip guard (parsing/zip-guard.ts) stopped: only what it really saw or read. */
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
 * German message per code. `f.value` and `f.expected` are set by the caller where the code has
 * them; templates add both at the end in a fixed form, so every message reads
 * "<wo>: <was>. Gefunden: „…“. Erwartet: …".
 */
const TEMPLATES: Record<DeliveryErrorCode, (f: FindingFacts) => string> = {
  FILE_EMPTY: (f) => `${where(f)}: Die Datei ist leer${f.reason ? ` (${String(f.reason)})` : ''}.`,
  FILE_TOO_LARGE: (f) => `${where(f)}: Die Datei ist größer als erlaubt (höchstens ${formatBytes(f.limit)}).`,
  FILE_UNREADABLE: (f) =>
    f.actual !== undefined
      ? `${where(f)}: Die Datei ist keine Excel-Datei (${String(f.format)}), sondern ${String(f.actual)}.`
      : `${where(f)}: Die Datei lässt sich nicht als ${String(f.format ?? 'Datei')} lesen${f.reason ? ` (${String(f.reason)})` : ''}.`,
  ENCODING_INVALID: (f) => `${where(f)}: Die Datei ist nicht in der Zeichenkodierung ${String(f.encoding)} gespeichert (ungültige Bytefolge).`,
  ZIP_BOMB: (f) => `${where(f)}: Die XLSX-Datei wird nicht geöffnet: ${zipBombReason(f)}.`,
  SHEET_NOT_FOUND: (f) => `${where(f)}: Das Tabellenblatt ${quoted(f.sheet)} fehlt; vorhanden: ${String(f.available)}.`,
  HEADER_ONLY: (f) => `${where(f)}: Die Datei enthält nur die Kopfzeile und keine Daten.`,
  // A JSON text has no spreadsheet columns: the column is the character position in the line.
  JSON_INVALID: (f) =>
    `${where(f)}${f.textColumn !== undefined ? `, Spalte ${String(f.textColumn)}` : ''}: Die Datei ist kein gültiges JSON${f.reason ? ` (${String(f.reason)})` : ''}${f.hint ? `; ${String(f.hint)}` : ''}.`,
  JSON_NOT_ARRAY: (f) => `${where(f)}: Erwartet wird eine JSON-Liste von Objekten (eine Zeile je Objekt).`,
  JSON_ROW_NOT_OBJECT: (f) => `${where(f)}: Der Eintrag ist kein JSON-Objekt.`,
  CSV_SYNTAX: (f) => `${where(f)}: Die Zeile ist kein gültiges CSV${f.reason ? ` (${String(f.reason)})` : ''}.`,
  DELIMITER_MISMATCH: (f) =>
    `${where(f)}: Die Kopfzeile wird mit dem Trennzeichen ${quoted(f.delimiter)} nicht in Spalten geteilt; die Datei verwendet vermutlich ${quoted(f.detected)}.`,
  COLUMN_MISSING: (f) => `${where(f)}: Die Spalte ${String(f.wanted)} fehlt in der Kopfzeile; vorhanden: ${String(f.available)}.`,
  COLUMN_AMBIGUOUS: (f) => `${where(f)}: Die Angabe ${String(f.wanted)} passt auf mehrere Spalten (${String(f.matches)}).`,
  ROW_LENGTH: (f) => `${where(f)}: Die Zeile hat ${formatNumber(f.actual)} Spalten, die Kopfzeile ${formatNumber(f.wantedLength)} (verschobene Spalten?).`,
  NUMBER_INVALID: (f) => `${where(f)}: Der Wert ist keine Zahl.`,
  FORMULA_IN_NUMBER: (f) => `${where(f)}: Die Zelle enthält eine Formel; Formeln werden nicht ausgewertet, erwartet wird der Zahlenwert.`,
  ROW_STATUS_UNKNOWN: (f) => `${where(f)}: Der Gültigkeitsvermerk ist unbekannt.`,
  VARIABLE_UNKNOWN: (f) => `${where(f)}: Die Variable gehört nicht zum Datensatz ${quoted(f.dataset)}.`,
  PERIOD_MISSING: (f) => `${where(f)}: Der Zeitraum der Lieferung fehlt${f.reason ? ` (${String(f.reason)})` : ''}.`,
  PERIOD_INVALID: (f) => `${where(f)}: Der Zeitraum ist ungültig.`,
  SCHEME_VERSION_MISSING: (f) => `${where(f)}: Für den Stichtag ${String(f.date)} gibt es keine Version der Gebietsgliederung ${quoted(f.scheme)}.`,
  SCHEME_UNKNOWN: (f) => `${where(f)}: Die Gebietsgliederung ${quoted(f.scheme)} des Lieferprofils ist nicht angelegt${f.version !== undefined ? ` (Version ${String(f.version)})` : ''}.`,
  AREA_EMPTY: (f) => `${where(f)}: Das Gebiet fehlt.`,
  AREA_UNKNOWN: (f) => `${where(f)}: Das Gebiet ist in der Gebietsgliederung ${quoted(f.scheme)} (Version ${String(f.schemeVersion)}) unbekannt.`,
  AREA_AMBIGUOUS: (f) => `${where(f)}: Der Gebietsname ist mehrdeutig (${String(f.candidates)}); im Lieferprofil eine Zuordnung (nameMap) eintragen.`,
  AREA_NOT_MAPPED: (f) => `${where(f)}: Das Gebiet wird laut Lieferprofil bewusst keinem Gebiet zugeordnet; die Zeile wird nicht übernommen.`,
  AREA_MISSING: (f) =>
    f.count === 1
      ? `Datei „${f.file}“: 1 Gebiet der Gebietsgliederung ${quoted(f.scheme)} fehlt in der Lieferung: ${String(f.list)}.`
      : `Datei „${f.file}“: ${formatNumber(f.count)} Gebiete der Gebietsgliederung ${quoted(f.scheme)} fehlen in der Lieferung: ${String(f.list)}.`,
  AREA_FORBIDDEN: (f) =>
    `${where(f)}: Das Gebiet gehört nicht zum Mandanten ${String(f.tenant)}, sondern zu ${String(f.owner)}; geliefert werden dürfen nur eigene Gebiete (ein Kreis auch die seiner Mitgliedsgemeinden).`,
  DUPLICATE: (f) => `${where(f)}: Gebiet ${quoted(f.area)}, Variable ${quoted(f.variable)}, Zeitraum ${String(f.period)} wurde schon in Zeile ${String(f.firstLine)} geliefert.`,
  NEGATIVE_COUNT: (f) => `${where(f)}: Eine Anzahl (${String(f.variable)}) kann nicht negativ sein.`,
  PART_EXCEEDS_TOTAL: (f) => `${where(f)}: Gebiet ${quoted(f.value)}: ${String(f.part)} (${formatNumber(f.partValue)}) ist größer als ${String(f.total)} (${formatNumber(f.totalValue)}).`,
  RATE_OUT_OF_RANGE: (f) => `${where(f)}: Der Anteil ${String(f.variable)} liegt über ${formatNumber(f.max)}.`,
  TOTALS_MISMATCH: (f) => `${where(f)}: Die Summenzeile ${quoted(f.label)} weicht bei ${String(f.variable)} von der Summe der Teilgebiete ab (Zeile: ${formatNumber(f.stated)}, Summe: ${formatNumber(f.computed)}).`,
  TOTALS_ROW_EXCLUDED: (f) => `${where(f)}: Summenzeile ${quoted(f.label)} erkannt und nicht übernommen.`,
  NO_OBSERVATIONS: (f) => `${where(f)}: Die Lieferung enthält keine einzige Beobachtung.`,
  PROFILE_UNKNOWN: (f) => `${where(f)}: Das Lieferprofil ${quoted(f.profile)} gibt es nicht${f.version !== undefined ? ` in Version ${String(f.version)}` : ''}.`,
};

export function renderFinding(code: DeliveryErrorCode, facts: FindingFacts): string {
  let message = TEMPLATES[code](facts);
  if (facts.value !== undefined && !message.includes(quoted(facts.value))) message += ` Gefunden: ${quoted(cut(facts.value))}.`;
  if (facts.expected !== undefined) message += ` Erwartet: ${facts.expected}.`;
  return message;
}

function cut(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH)}…` : value;
}

/** Builds a finding with its rendered German message. */
export function finding(code: DeliveryErrorCode, facts: FindingFacts, severity: FindingSeverity = 'error'): DeliveryFinding {
  const result: DeliveryFinding = { code, severity, message: renderFinding(code, facts), file: facts.file };
  if (facts.line !== undefined) result.line = facts.line;
  if (facts.column !== undefined) result.column = facts.column;
  if (facts.value !== undefined) result.value = cut(facts.value);
  if (facts.expected !== undefined) result.expected = facts.expected;
  return result;
}

/**
 * Keeps the report bounded: the first `limit` findings in full, and a count per code of all of
 * them, so a file with a million bad cells neither blows up the event nor hides how bad it is.
 */
export class FindingCollector {
  readonly stored: DeliveryFinding[] = [];
  readonly countsByCode: Partial<Record<DeliveryErrorCode, number>> = {};
  errorCount = 0;
  warningCount = 0;

  constructor(private readonly limit = 1000) {}

  add(entry: DeliveryFinding): void {
    this.countsByCode[entry.code] = (this.countsByCode[entry.code] ?? 0) + 1;
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
