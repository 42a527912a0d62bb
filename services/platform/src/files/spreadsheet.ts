/**
 * XLSX and legacy XLS (BIFF8) through SheetJS. SheetJS reads a workbook whole, so these formats
 * have their own size limit, and XLSX passes the zip-bomb guard first.
 *
 * The file's signature decides what it is, not its name: SheetJS also reads HTML tables, CSV and
 * plain text as a one-sheet "workbook", so a web export or a CSV named `.xls` would be read with
 * the wrong expectations and fail with follow-on errors (a period turned into a date, one column
 * only). Before SheetJS sees a file it must be a zip container (XLSX) or an OLE2 compound file or
 * BIFF stream (XLS); anything else is refused with what it really is. Either Excel container is
 * read whatever the profile says (a workbook saved as .xls under a .xlsx profile is still the
 * city's table); a zip always passes the zip-bomb guard.
 *
 * Formulas are never evaluated (SheetJS does not evaluate them either): a formula cell with a
 * numeric cached result is that number, as Excel showed it; a formula with a text result, and
 * any text like `=HYPERLINK(...)`, arrives as text, so in a number column it is an error naming
 * the cell.
 */
import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import * as XLSX from '@e965/xlsx';
import { formatBytes } from './findings';
import type { FileFormat } from './spec';
import { DEFAULT_ZIP_LIMITS, inspectZip, type ZipLimits } from './zip-guard';
import { FatalParseError, type Cell, type TableReadResult, type RowSink } from './types';

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

const OLE2_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** Local file header, empty archive, spanned archive. */
const ZIP_SIGNATURES = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1'), Buffer.from('PK\x07\x08', 'latin1')];
/** The stream name of an encrypted (password-protected) OOXML package inside its OLE2 container. */
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

export type SpreadsheetContainer = 'zip' | 'ole2' | 'biff' | 'html' | 'xml' | 'pdf' | 'text' | 'binary';

/** What a file is by its first bytes. */
export function sniffContainer(bytes: Buffer): SpreadsheetContainer {
  if (bytes.subarray(0, 8).equals(OLE2_SIGNATURE)) return 'ole2';
  if (ZIP_SIGNATURES.some((signature) => bytes.subarray(0, 4).equals(signature))) return 'zip';
  // Excel 2.x-4.0 worksheets: a bare BIFF stream starting with its BOF record (0x0009, 0x0209, 0x0409).
  if (bytes[0] === 0x09 && (bytes[1] === 0x00 || bytes[1] === 0x02 || bytes[1] === 0x04) && (bytes[2] === 4 || bytes[2] === 6 || bytes[2] === 8) && bytes[3] === 0) return 'biff';
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  const head = bytes.subarray(0, 4096);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'text';
  if (head.includes(0)) return 'binary';
  const text = new StringDecoder('utf8').write(head).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (text.startsWith('<?xml')) return /<html|<table/.test(text) ? 'html' : 'xml';
  if (text.startsWith('<') && /<html|<table|<!doctype html|<body/.test(text)) return 'html';
  return 'text';
}

const CONTAINER_DESCRIPTION: Record<Exclude<SpreadsheetContainer, 'zip' | 'ole2' | 'biff'>, string> = {
  html: 'HTML (eine Webseite oder ein Tabellenexport aus einem Webprogramm, den Excel nur anzeigt)',
  xml: 'XML (z. B. eine „XML-Kalkulationstabelle 2003“)',
  pdf: 'ein PDF-Dokument',
  text: 'Text (vermutlich CSV mit der falschen Dateiendung)',
  binary: 'eine Datei eines anderen Formats',
};

function notAWorkbook(format: SpreadsheetReadOptions['format'], container: keyof typeof CONTAINER_DESCRIPTION): FatalParseError {
  const label = format === 'xlsx' ? 'XLSX' : 'XLS';
  return new FatalParseError({
    code: 'FILE_UNREADABLE',
    fatal: true,
    facts: { format: label, actual: CONTAINER_DESCRIPTION[container] },
    expected: `eine Excel-Arbeitsmappe; die Datei in Excel öffnen und als Excel-Arbeitsmappe (.${format}) speichern${container === 'text' ? ' oder mit einem Lieferprofil für CSV liefern' : ''}`,
  });
}

export async function readSpreadsheet(options: SpreadsheetReadOptions, sink: RowSink): Promise<TableReadResult> {
  const bytes = await readFile(options.path);
  const container = sniffContainer(bytes);
  if (container !== 'zip' && container !== 'ole2' && container !== 'biff') throw notAWorkbook(options.format, container);
  if (container === 'ole2' && bytes.includes(ENCRYPTED_PACKAGE)) {
    throw new FatalParseError({
      code: 'FILE_UNREADABLE',
      fatal: true,
      facts: { format: options.format.toUpperCase(), reason: 'die Arbeitsmappe ist mit einem Kennwort geschützt' },
      expected: 'eine Arbeitsmappe ohne Kennwortschutz',
    });
  }
  if (container === 'zip') {
    const verdict = await inspectZip(options.path, options.zipLimits ?? DEFAULT_ZIP_LIMITS);
    if (!verdict.ok && verdict.kind === 'bomb') {
      const limits = options.zipLimits ?? DEFAULT_ZIP_LIMITS;
      throw new FatalParseError({
        code: 'ZIP_BOMB',
        fatal: true,
        facts: { ...verdict, limit: limits.maxUncompressedBytes, maxRatio: limits.maxRatio, maxEntries: limits.maxEntries },
        expected: `eine unveränderte Arbeitsmappe aus Excel oder LibreOffice, entpackt höchstens ${formatBytes(limits.maxUncompressedBytes)}`,
      });
    }
    if (!verdict.ok) {
      throw new FatalParseError({ code: 'FILE_UNREADABLE', fatal: true, facts: { format: 'XLSX', reason: verdict.reason }, expected: 'eine XLSX-Arbeitsmappe' });
    }
  }
  let workbook: XLSX.WorkBook;
  try {
    workbook = XLSX.read(bytes, { type: 'buffer', dense: true, cellDates: true, cellFormula: true, cellHTML: false, cellNF: false, cellStyles: false });
  } catch {
    throw new FatalParseError({
      code: 'FILE_UNREADABLE',
      fatal: true,
      facts: { format: options.format.toUpperCase(), reason: 'die Arbeitsmappe ist beschädigt oder unvollständig' },
      expected: options.format === 'xlsx' ? 'eine XLSX-Arbeitsmappe' : 'eine Excel-97-2003-Arbeitsmappe (XLS)',
    });
  }
  // A container that holds no sheet (another Office document) is not a workbook.
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
