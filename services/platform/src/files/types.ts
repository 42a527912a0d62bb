/**
 * What every reader (CSV, XLSX/XLS, JSON) hands to its caller (a row sink): rows of cells with the
 * line number a user sees in the file, pushed synchronously to a sink. A sink rather than an
 * async iterator because the per-row await of an iterator costs more than the row itself at
 * millions of rows; backpressure stays in the byte stream underneath.
 */
import type { FileErrorCode } from './findings';

/**
 * A cell: the text as written (CSV, text cells), or a number a spreadsheet or JSON typed as one,
 * or null for an absent cell. Formulas of spreadsheets arrive as their text (`=SUM(A1:A3)`),
 * never evaluated.
 */
export type Cell = string | number | null;

/** A problem of the file itself (encoding, syntax, size): reported with its code and facts. */
export interface ParseProblem {
  code: FileErrorCode;
  line?: number;
  /** 1-based column number, where known. */
  column?: number;
  value?: string;
  expected?: string;
  /** Fatal problems end the reading; the others skip one row. */
  fatal: boolean;
  facts?: Record<string, unknown>;
}

export interface RowSink {
  /** One physical row; `line` is 1-based as the user sees it (spreadsheet row, CSV line). */
  row(line: number, cells: readonly Cell[]): void;
  problem(problem: ParseProblem): void;
}

export interface TableReadResult {
  /** The encoding the file was read with (CSV); undefined for binary formats. */
  encoding?: string;
  /** Bytes read. */
  bytes: number;
}

/** Reports read progress (bytes) for progress bars; called at most every few hundred ms. */
export type ProgressListener = (bytesRead: number) => void;

/** Thrown by readers for a problem that ends the reading of the whole file. */
export class FatalParseError extends Error {
  constructor(readonly problem: ParseProblem) {
    super(problem.code);
    this.name = 'FatalParseError';
  }
}
