/**
 * XLSX and legacy XLS (BIFF8) through SheetJS. SheetJS reads a workbook whole, so these formats
 * have their own size limit, and XLSX passes the zip-bomb guard first.
 *
 * Formulas are never evaluated (SheetJS does not evaluate them either): a formula cell with a
 * numeric cached result is that number, as Excel showed it; a formula with a text result, and
 * any text like `=HYPERLINK(...)`, arrives as text, so in a number column it is an error naming
 * the cell.
 */
import { readFile } from 'node:fs/promises';
import * as XLSX from '@e965/xlsx';
import type { FileFormat } from '../profiles/schema';
import { DEFAULT_ZIP_LIMITS, inspectZip, type ZipLimits } from './zip-guard';
import { FatalParseError, type Cell, type ReadResult, type RowSink } from './types';

export interface SpreadsheetReadOptions {
  path: string;
  format: Extract<FileFormat, 'xlsx' | 'xls'>;
  /** Sheet name or 1-based position; the first sheet when undefined. */
  sheet?: string | number;
  skipRows: number;
  zipLimits?: ZipLimits;
}

function isoDate(date: Date): string {
  // SheetJS builds dates in local time from the serial number; keep the calendar day.
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function cellOf(cell: XLSX.CellObject | undefined): Cell {
  if (!cell) return null;
  if (cell.f !== undefined && typeof cell.v !== 'number') return `=${cell.f}`;
  switch (cell.t) {
    case 'n':
      return typeof cell.v === 'number' ? cell.v : null;
    case 'd':
      return cell.v instanceof Date ? isoDate(cell.v) : String(cell.v ?? '');
    case 'b':
      return cell.v ? 'WAHR' : 'FALSCH';
    case 'e':
      return cell.w ?? '#FEHLER';
    case 'z':
      return null;
    case 's':
    default:
      return cell.v === undefined || cell.v === null ? null : String(cell.v);
  }
}

export async function readSpreadsheet(options: SpreadsheetReadOptions, sink: RowSink): Promise<ReadResult> {
  if (options.format === 'xlsx') {
    const verdict = await inspectZip(options.path, options.zipLimits ?? DEFAULT_ZIP_LIMITS);
    if (!verdict.ok && verdict.kind === 'bomb') {
      const limits = options.zipLimits ?? DEFAULT_ZIP_LIMITS;
      throw new FatalParseError({
        code: 'ZIP_BOMB',
        fatal: true,
        facts: { uncompressed: verdict.uncompressedBytes, ratio: verdict.ratio, limit: limits.maxUncompressedBytes, maxRatio: limits.maxRatio },
      });
    }
    if (!verdict.ok) {
      throw new FatalParseError({ code: 'FILE_UNREADABLE', fatal: true, facts: { format: 'XLSX', reason: verdict.reason }, expected: 'eine XLSX-Arbeitsmappe' });
    }
  }
  const bytes = await readFile(options.path);
  let workbook: XLSX.WorkBook;
  try {
    workbook = XLSX.read(bytes, { type: 'buffer', dense: true, cellDates: true, cellFormula: true, cellHTML: false, cellNF: false, cellStyles: false });
  } catch (error) {
    throw new FatalParseError({
      code: 'FILE_UNREADABLE',
      fatal: true,
      facts: { format: options.format.toUpperCase(), reason: error instanceof Error ? error.message.slice(0, 120) : 'unbekannter Fehler' },
      expected: options.format === 'xlsx' ? 'eine XLSX-Arbeitsmappe' : 'eine Excel-97-2003-Arbeitsmappe (XLS)',
    });
  }
  // SheetJS reads plain text as a one-column sheet; a binary format that holds no sheet is not a workbook.
  if (workbook.SheetNames.length === 0) {
    throw new FatalParseError({ code: 'FILE_UNREADABLE', fatal: true, facts: { format: options.format.toUpperCase(), reason: 'keine Tabellenblätter' } });
  }
  const name =
    options.sheet === undefined
      ? workbook.SheetNames[0]!
      : typeof options.sheet === 'number'
        ? workbook.SheetNames[options.sheet - 1]
        : workbook.SheetNames.find((n) => n === options.sheet) ?? workbook.SheetNames.find((n) => n.toLowerCase() === String(options.sheet).toLowerCase());
  const sheet = name === undefined ? undefined : workbook.Sheets[name];
  if (!sheet) {
    throw new FatalParseError({
      code: 'SHEET_NOT_FOUND',
      fatal: true,
      facts: { sheet: options.sheet, available: workbook.SheetNames.map((n) => `„${n}“`).join(', ') },
    });
  }
  const ref = sheet['!ref'];
  if (!ref) return { bytes: bytes.length };
  const range = XLSX.utils.decode_range(ref);
  const data = (sheet as XLSX.DenseSheet)['!data'] ?? [];
  for (let r = range.s.r + options.skipRows; r <= range.e.r; r += 1) {
    const source = data[r];
    const cells: Cell[] = [];
    // Column positions count from A, whatever the used range: "Spalte C" is the user's C.
    for (let c = 0; c <= range.e.c; c += 1) cells.push(cellOf(source?.[c]));
    sink.row(r + 1, cells);
  }
  return { bytes: bytes.length };
}
