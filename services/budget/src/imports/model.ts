/**
 * The import aggregate (stream `actuals-<importId>`, as ActualPosted's contract names it): one
 * append decides an import. A rejected import is BudgetImportRejected alone (nothing recorded);
 * an accepted one is its BudgetAppropriated (plan values of the file), ActualPosted batches (Ist)
 * and BudgetImportAccepted, all in ONE append, so no reader ever sees part of an import.
 * BudgetImportRejected and BudgetImportAccepted are private to the budget service.
 */
import type { BudgetFinding, FindingCode } from './findings';

export interface ImportReport {
  errorCount: number;
  warningCount: number;
  countsByCode: Partial<Record<FindingCode, number>>;
  findings: BudgetFinding[];
  truncated: boolean;
}

export interface ImportHead {
  importId: string;
  tenant: string;
  profileId: string;
  profileVersion: number;
  fileName: string;
  fileSha256: string;
  importedBy: string;
}

export interface BudgetImportRejectedData extends ImportHead, ImportReport {
  rowCount: number;
}

export interface BudgetImportAcceptedData extends ImportHead, ImportReport {
  rowCount: number;
  years: number[];
  /** Postings recorded (new), and postings of the file already recorded by an earlier import. */
  postingCount: number;
  skippedPostingCount: number;
  actualCents: number;
  appropriationCount: number;
  batchCount: number;
  /** Names of Produktbereiche, -gruppen and Produkte as the file writes them. */
  names: Record<string, string>;
}

export function importStream(importId: string): string {
  return `actuals-${importId}`;
}
