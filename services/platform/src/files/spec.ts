/**
 * How a tabular file is written, as a profile states it: format, encoding, delimiter, header
 * rows, number format, and how a column is named. These parts are shared by every service's
 * profiles (ingestion's Lieferprofile, budget's Importprofile), so one reader and one way of
 * naming columns serve all of them. Profiles are versioned data, so these schemas are a public
 * format: they only ever grow. Messages are German because the people who write profiles read them.
 */
import { z } from 'zod';

/** A regular expression given as text (Unicode mode); the message names what it is for. */
export const regexSource = (what: string) =>
  z.string().min(1).refine(
    (source) => {
      try {
        new RegExp(source, 'u');
        return true;
      } catch {
        return false;
      }
    },
    { message: `${what}: kein gültiger regulärer Ausdruck` },
  );

/**
 * A column of the file. By header text (compared after normalising: soft hyphens and line breaks
 * removed, blanks collapsed, case-insensitive), by header pattern, by spreadsheet letter (`C`) or
 * by 1-based position. With several header rows, `header` matches the texts of all header rows
 * joined by a blank (empty cells of a merged group header take the text to their left), and
 * `headerRow` restricts the match to one header row (1-based).
 */
export const ColumnRef = z.union([
  z.strictObject({ header: z.string().min(1, { message: 'Spaltenüberschrift darf nicht leer sein' }), headerRow: z.number().int().min(1).optional() }),
  z.strictObject({ headerPattern: regexSource('Spaltenmuster'), headerRow: z.number().int().min(1).optional() }),
  z.strictObject({ letter: z.string().regex(/^[A-Z]{1,3}$/, { message: 'Spaltenbuchstabe erwartet, z. B. „C“ oder „AB“' }) }),
  z.strictObject({ index: z.number().int().min(1, { message: 'Spaltennummer beginnt bei 1' }) }),
], { error: 'Spalte erwartet als { header }, { headerPattern }, { letter } oder { index }' });
export type ColumnRef = z.infer<typeof ColumnRef>;

export const Encoding = z.enum(['auto', 'utf-8', 'utf-8-bom', 'windows-1252'], {
  error: 'Zeichenkodierung erwartet: auto, utf-8, utf-8-bom oder windows-1252',
});
export type Encoding = z.infer<typeof Encoding>;

export const FileFormat = z.enum(['csv', 'xlsx', 'xls', 'json'], { error: 'Dateiformat erwartet: csv, xlsx, xls oder json' });
export type FileFormat = z.infer<typeof FileFormat>;

export const FormatSpec = z.strictObject({
  type: FileFormat,
  /** Detected when `auto` (BOM, then UTF-8 validity, else Windows-1252); a delivery may override it. */
  encoding: Encoding.default('auto'),
  /** CSV only. */
  delimiter: z.enum([',', ';', '\t', '|'], { error: 'Trennzeichen erwartet: „,“, „;“, Tabulator oder „|“' }).default(';'),
  quote: z.string().length(1).default('"'),
  /** XLSX/XLS: sheet by name or 1-based position; the first sheet when omitted. */
  sheet: z.union([z.string().min(1), z.number().int().min(1)]).optional(),
  /** Lines (CSV) or rows (spreadsheets) before the header: titles, notes. */
  skipRows: z.number().int().min(0).default(0),
  /** Number of header rows (INKAR: 2, variable name above, year below). 0 = no header; columns by letter/index. */
  headerRows: z.number().int().min(0).max(5).default(1),
  /** Lines at the end to ignore (footnotes, sources). */
  skipFooterRows: z.number().int().min(0).default(0),
});
export type FormatSpec = z.infer<typeof FormatSpec>;

export const NumberSpec = z.strictObject({
  decimal: z.enum(['.', ','], { error: 'Dezimaltrennzeichen erwartet: „.“ oder „,“' }).default('.'),
  /** Accepted thousands separators, e.g. [".", " "]; an empty list accepts none. */
  thousands: z.array(z.enum(['.', ' ', ',', "'"], { error: 'Tausendertrennzeichen erwartet: „.“, Leerzeichen, „,“ oder „\'“' })).default([]),
  /** Accept a trailing `%` (the number stays as written: "53,40%" is 53.4). */
  percentSign: z.boolean().default(false),
}).refine((spec) => !spec.thousands.includes(spec.decimal), { message: 'Dezimal- und Tausendertrennzeichen müssen verschieden sein' });
export type NumberSpec = z.infer<typeof NumberSpec>;
