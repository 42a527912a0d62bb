/**
 * Reading tabular files that people deliver (CSV, XLSX/XLS, JSON): the readers, encodings,
 * headers and column references, German number formats, the zip-bomb guard, the profile parts
 * that say how a file is written, and the German findings that name file, line and column. One
 * module for every service that imports files (ingestion's deliveries, budget's imports), so a
 * file is read, and a problem with it reported, the same way everywhere.
 *
 * The entry is `readTable`: the profile's format decides which reader a file goes through.
 */
import type { FormatSpec } from './spec';
import { readCsv } from './csv';
import { readJson } from './json';
import { readSpreadsheet } from './spreadsheet';
import type { ProgressListener, TableReadResult, RowSink } from './types';
import type { ZipLimits } from './zip-guard';

export * from './types';
export * from './findings';
export * from './spec';
export { derivedUuid } from './ids';
export { readCsv, resolveEncoding, guessDelimiter } from './csv';
export { readSpreadsheet } from './spreadsheet';
export { readJson } from './json';
export { inspectZip, DEFAULT_ZIP_LIMITS, type ZipLimits, type ZipVerdict } from './zip-guard';
export { detectEncoding, describeEncoding, type ConcreteEncoding } from './encoding';
export { numberParser, describeNumberFormat, looksLikeFormula, type NumberParser } from './numbers';
export { buildHeader, cleanHeader, headerKey, resolveColumn, cellText, describeRef, describeColumns, positionOf, type Header } from './headers';

export interface ReadTableOptions {
  path: string;
  format: FormatSpec;
  onProgress?: ProgressListener;
  zipLimits?: ZipLimits;
}

export function readTable(options: ReadTableOptions, sink: RowSink): Promise<TableReadResult> {
  const { format } = options;
  switch (format.type) {
    case 'csv':
      return readCsv(
        { path: options.path, encoding: format.encoding, delimiter: format.delimiter, quote: format.quote, skipRows: format.skipRows, onProgress: options.onProgress },
        sink,
      );
    case 'xlsx':
    case 'xls':
      return readSpreadsheet({ path: options.path, format: format.type, sheet: format.sheet, skipRows: format.skipRows, zipLimits: options.zipLimits }, sink);
    case 'json':
      return readJson({ path: options.path }, sink);
    default: {
      const _exhaustive: never = format.type;
      return _exhaustive;
    }
  }
}
