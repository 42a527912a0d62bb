/**
 * The findings of a budget import: the file-level codes of the ingestion service (encoding, CSV
 * syntax, columns, numbers: the same reader, the same messages) plus the budget's own, each with
 * a German message naming file, line, column, the value found and what was expected.
 */
import { describeColumn, finding as ingestionFinding, type ColumnPosition, type DeliveryErrorCode, type FindingFacts } from '@lagebild/ingestion';

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
export type FindingCode = BudgetFindingCode | DeliveryErrorCode;

export interface BudgetFinding {
  code: FindingCode;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line?: number;
  column?: ColumnPosition;
  value?: string;
  expected?: string;
}

function where(f: FindingFacts): string {
  const parts = [`Datei „${f.file}“`];
  if (f.line !== undefined) parts.push(`Zeile ${f.line}`);
  if (f.column) parts.push(describeColumn(f.column));
  return parts.join(', ');
}

const TEMPLATES: Record<BudgetFindingCode, (f: FindingFacts) => string> = {
  PRODUCT_EMPTY: (f) => `${where(f)}: Das Produkt fehlt.`,
  AREA_INVALID: (f) => `${where(f)}: Der Produktbereich ist keine zweistellige Nummer des Produktrahmens.`,
  YEAR_INVALID: (f) => `${where(f)}: Das Haushaltsjahr ist ungültig.`,
  KIND_UNKNOWN: (f) => `${where(f)}: Die Wertart ist im Importprofil nicht zugeordnet.`,
  DIRECTION_UNKNOWN: (f) => `${where(f)}: Die Richtung (Ertrag oder Aufwand) ist im Importprofil nicht zugeordnet.`,
  ACCOUNT_CLASS_UNKNOWN: (f) => `${where(f)}: Zum Konto ist keine Kontenklasse im Importprofil eingetragen, die Kontenart bleibt offen.`,
  AMOUNT_EMPTY: (f) => `${where(f)}: Der Betrag fehlt${f.severity === 'warning' ? '; die Zeile wird laut Importprofil ohne Wert übergangen' : ''}.`,
  POSTING_ID_EMPTY: (f) => `${where(f)}: Der Buchungsschlüssel (Belegnummer) fehlt.`,
  POSTING_DATE_INVALID: (f) => `${where(f)}: Das Buchungsdatum ist ungültig.`,
  POSTING_DUPLICATE: (f) => `${where(f)}: Die Buchung steht schon in Zeile ${String(f.firstLine)} der Datei.`,
  POSTING_CONFLICT: (f) => `${where(f)}: Die Buchung ${String(f.postingId)} ist für ${String(f.year)} schon mit ${String(f.known)} erfasst, hier steht ${String(f.found)}; eine Korrektur ist eine neue Buchung (Storno und Neubuchung).`,
  LINE_DUPLICATE: (f) => `${where(f)}: ${String(f.what)} für ${String(f.year)} steht schon in Zeile ${String(f.firstLine)} der Datei.`,
  NO_VALUES: (f) => `${where(f)}: Die Datei enthält keinen einzigen Betrag.`,
  TENANT_FORBIDDEN: (f) => `${where(f)}: Das Importprofil gehört dem Mandanten ${String(f.owner)}, nicht ${String(f.tenant)}.`,
};

const quoted = (value: unknown) => `„${String(value)}“`;

export function budgetFinding(code: FindingCode, facts: FindingFacts, severity: 'error' | 'warning' = 'error'): BudgetFinding {
  if (!(code in TEMPLATES)) {
    const f = ingestionFinding(code as DeliveryErrorCode, facts, severity);
    return { ...f };
  }
  let message = TEMPLATES[code as BudgetFindingCode]({ ...facts, severity });
  const value = facts.value === undefined ? undefined : facts.value.length > 200 ? `${facts.value.slice(0, 200)}…` : facts.value;
  if (value !== undefined && !message.includes(quoted(value))) message += ` Gefunden: ${quoted(value)}.`;
  if (facts.expected !== undefined) message += ` Erwartet: ${facts.expected}.`;
  const out: BudgetFinding = { code, severity, message, file: facts.file };
  if (facts.line !== undefined) out.line = facts.line;
  if (facts.column !== undefined) out.column = facts.column;
  if (value !== undefined) out.value = value;
  if (facts.expected !== undefined) out.expected = facts.expected;
  return out;
}

/** Keeps the first `limit` findings in full and counts all of them per code. */
export class Findings {
  readonly stored: BudgetFinding[] = [];
  readonly countsByCode: Partial<Record<FindingCode, number>> = {};
  errorCount = 0;
  warningCount = 0;

  constructor(private readonly limit = 1000) {}

  add(f: BudgetFinding): void {
    this.countsByCode[f.code] = (this.countsByCode[f.code] ?? 0) + 1;
    if (f.severity === 'error') this.errorCount += 1;
    else this.warningCount += 1;
    if (this.stored.length < this.limit) this.stored.push(f);
  }

  get truncated(): boolean {
    return this.errorCount + this.warningCount > this.stored.length;
  }
}
