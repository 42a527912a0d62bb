/**
 * One entry to the readers: the profile's format decides which reader a file goes through.
 */
import type { FormatSpec } from '../profiles/schema';
import { readCsv } from './csv';
import { readJson } from './json';
import { readSpreadsheet } from './spreadsheet';
import type { ProgressListener, ReadResult, RowSink } from './types';
import type { ZipLimits } from './zip-guard';

export * from './types';
export { readCsv, resolveEncoding, guessDelimiter } from './csv';
export { readSpreadsheet } from './spreadsheet';
export { readJson } from './json';
export { inspectZip, DEFAULT_ZIP_LIMITS, type ZipLimits, type ZipVerdict } from './zip-guard';
export { detectEncoding, describeEncoding, type ConcreteEncoding } from './encoding';
export { numberParser, describeNumberFormat, looksLikeFormula, type NumberParser } from './numbers';
export { buildHeader, cleanHeader, headerKey, resolveColumn, cellText, describeRef, type Header } from './headers';

export interface ReadTableOptions {
  path: string;
  format: FormatSpec;
  onProgress?: ProgressListener;
  zipLimits?: ZipLimits;
}

export function readTable(options: ReadTableOptions, sink: RowSink): Promise<ReadResult> {
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
