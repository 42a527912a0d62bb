/**
 * The findings of a budget import: the file-level codes of the platform's file readers (encoding,
 * CSV syntax, columns, numbers: the same reader, the same messages as ingestion's deliveries)
 * plus the budget's own, each with a German message naming file, line, column, the value found
 * and what was expected.
 */
import {
  buildFinding,
  describePlace,
  FILE_FINDING_TEMPLATES,
  FindingCollector,
  type FileErrorCode,
  type FileFinding,
  type FindingFacts,
  type FindingTemplates,
} from '@lagebild/platform';

export const BUDGET_FINDING_CODES = [
  'PRODUCT_EMPTY',
  'AREA_INVALID',
  'YEAR_INVALID',
  'KIND_UNKNOWN',
  'DIRECTION_UNKNOWN',
  'ACCOUNT_CLASS_UNKNOWN',
  'AMOUNT_EMPTY',
  'POSTING_ID_EMPTY',
  'POSTING_DATE_INVALID',
  'POSTING_DUPLICATE',
  'POSTING_CONFLICT',
  'LINE_DUPLICATE',
  'NO_VALUES',
  'TENANT_FORBIDDEN',
] as const;

export type BudgetFindingCode = (typeof BUDGET_FINDING_CODES)[number];
export type FindingCode = BudgetFindingCode | FileErrorCode;

export type BudgetFinding = FileFinding<FindingCode>;

const TEMPLATES: FindingTemplates<FindingCode> = {
  ...FILE_FINDING_TEMPLATES,
  PRODUCT_EMPTY: (f) => `${describePlace(f)}: Das Produkt fehlt.`,
  AREA_INVALID: (f) => `${describePlace(f)}: Der Produktbereich ist keine zweistellige Nummer des Produktrahmens.`,
  YEAR_INVALID: (f) => `${describePlace(f)}: Das Haushaltsjahr ist ungültig.`,
  KIND_UNKNOWN: (f) => `${describePlace(f)}: Die Wertart ist im Importprofil nicht zugeordnet.`,
  DIRECTION_UNKNOWN: (f) => `${describePlace(f)}: Die Richtung (Ertrag oder Aufwand) ist im Importprofil nicht zugeordnet.`,
  ACCOUNT_CLASS_UNKNOWN: (f) => `${describePlace(f)}: Zum Konto ist keine Kontenklasse im Importprofil eingetragen, die Kontenart bleibt offen.`,
  AMOUNT_EMPTY: (f) => `${describePlace(f)}: Der Betrag fehlt${f.severity === 'warning' ? '; die Zeile wird laut Importprofil ohne Wert übergangen' : ''}.`,
  POSTING_ID_EMPTY: (f) => `${describePlace(f)}: Der Buchungsschlüssel (Belegnummer) fehlt.`,
  POSTING_DATE_INVALID: (f) => `${describePlace(f)}: Das Buchungsdatum ist ungültig.`,
  POSTING_DUPLICATE: (f) => `${describePlace(f)}: Die Buchung steht schon in Zeile ${String(f.firstLine)} der Datei.`,
  POSTING_CONFLICT: (f) => `${describePlace(f)}: Die Buchung ${String(f.postingId)} ist für ${String(f.year)} schon mit ${String(f.known)} erfasst, hier steht ${String(f.found)}; eine Korrektur ist eine neue Buchung (Storno und Neubuchung).`,
  LINE_DUPLICATE: (f) => `${describePlace(f)}: ${String(f.what)} für ${String(f.year)} steht schon in Zeile ${String(f.firstLine)} der Datei.`,
  NO_VALUES: (f) => `${describePlace(f)}: Die Datei enthält keinen einzigen Betrag.`,
  TENANT_FORBIDDEN: (f) => `${describePlace(f)}: Das Importprofil gehört dem Mandanten ${String(f.owner)}, nicht ${String(f.tenant)}.`,
};

/** A finding with its German message; `severity` is a fact as well (AMOUNT_EMPTY reads it). */
export function budgetFinding(code: FindingCode, facts: FindingFacts, severity: 'error' | 'warning' = 'error'): BudgetFinding {
  return buildFinding(TEMPLATES, code, { ...facts, severity }, severity);
}

/** Keeps the first `limit` findings in full and counts all of them per code. */
export class Findings extends FindingCollector<BudgetFinding> {}
