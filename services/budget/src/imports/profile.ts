/**
 * Import profile ("Importprofil") of a finance system export: how a file of plan or actual
 * figures looks, written once per system and reused every month. Shipped profiles live in
 * services/budget/profiles/ (the Münster file of ../shared/data/budget); a tenant writes its own
 * for its system (generic mapping: columns for Produkt, Konto, Jahr, Betrag, Art Plan/Ist,
 * Richtung Ertrag/Aufwand, sign conventions; long and wide layouts). The file format part (CSV or
 * XLSX, encoding, delimiter, header rows) and the column references are the platform's
 * (@lagebild/platform, files/), so one reader and one way of naming columns serve every service.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ColumnRef, FormatSpec, NumberSpec } from '@lagebild/platform';
import { z } from 'zod';

export const VALUE_KINDS = ['IST', 'ANSATZ', 'NACHTRAG', 'PLANUNG'] as const;
export const ValueKind = z.enum(VALUE_KINDS, { error: 'Wertart erwartet: IST, ANSATZ, NACHTRAG oder PLANUNG' });
export type ValueKind = z.infer<typeof ValueKind>;

export const AccountKindSchema = z.enum(['AUFWAND', 'ERTRAG', 'AUSZAHLUNG', 'EINZAHLUNG'], { error: 'Kontenart erwartet: AUFWAND, ERTRAG, AUSZAHLUNG oder EINZAHLUNG' });

/** A wide layout's value column: which year and value kind it holds. */
const WideColumn = z.strictObject({
  column: ColumnRef,
  year: z.number().int().min(1990).max(2100),
  kind: ValueKind,
});

export const ImportProfileBody = z.strictObject({
  name: z.string().min(1),
  /** Mandant the profile belongs to; null for a profile any tenant may use. */
  tenant: z.string().regex(/^(\d{5}|\d{8})$/, { message: 'AGS mit 5 oder 8 Ziffern erwartet' }).nullable().default(null),
  /** Finance system, e.g. SAP, newsystem, H&H proDoppik; goes into ActualPosted.sourceSystem. */
  sourceSystem: z.string().min(1),
  format: FormatSpec,
  numbers: NumberSpec.optional(),
  /**
   * BUCHUNGEN: every row is a posting (Beleg) with its own key; a posting already recorded is
   * skipped. SALDEN: every row is the balance of a line for a year (annual results such as
   * Münster's): the difference to what is recorded for that line is posted, so a corrected file
   * posts only the correction.
   */
  mode: z.enum(['BUCHUNGEN', 'SALDEN'], { error: 'mode erwartet: BUCHUNGEN oder SALDEN' }),
  /** long: one amount column, year and kind per row; wide: one column per year and kind. */
  layout: z.enum(['long', 'wide'], { error: 'layout erwartet: long oder wide' }),
  columns: z.strictObject({
    productArea: ColumnRef.optional(),
    productAreaName: ColumnRef.optional(),
    productGroup: ColumnRef.optional(),
    productGroupName: ColumnRef.optional(),
    product: ColumnRef.optional(),
    productName: ColumnRef.optional(),
    costCentre: ColumnRef.optional(),
    account: ColumnRef.optional(),
    /** Long layout: year, amount and value kind per row. */
    year: ColumnRef.optional(),
    amount: ColumnRef.optional(),
    valueKind: ColumnRef.optional(),
    /** Richtung Ertrag/Aufwand as a column (else from the account's Kontenklasse). */
    direction: ColumnRef.optional(),
    /** BUCHUNGEN: posting key (Belegnummer/Position) and Buchungsdatum. */
    postingId: ColumnRef.optional(),
    postingDate: ColumnRef.optional(),
    text: ColumnRef.optional(),
  }),
  /** Wide layout: the value columns. */
  wide: z.array(WideColumn).optional(),
  /** The year when the file has no year column (long layout), e.g. a monthly export of one year. */
  year: z.number().int().min(1990).max(2100).optional(),
  /** Cell text of the value kind column -> value kind, e.g. {"Ergebnis": "IST", "Plan": "ANSATZ"}. */
  valueKinds: z.record(z.string(), ValueKind).default({}),
  /** The value kind of every row when the file has no value kind column. */
  valueKind: ValueKind.optional(),
  /** Cell text of the direction column -> Kontenart, e.g. {"Aufwendungen": "AUFWAND", "Erträge": "ERTRAG"}. */
  directions: z.record(z.string(), AccountKindSchema).default({}),
  /** Kontenart from the account's leading digits (NKF Kontenrahmen: 4 Erträge, 5 Aufwendungen, 6 Einzahlungen, 7 Auszahlungen). */
  accountClasses: z.array(z.strictObject({ prefix: z.string().min(1), kind: AccountKindSchema })).default([]),
  /** How the file signs amounts; stored are positive amounts per Kontenart (negative = reduction, Storno). */
  signs: z.strictObject({
    aufwand: z.enum(['positiv', 'negativ']).default('positiv'),
    ertrag: z.enum(['positiv', 'negativ']).default('positiv'),
  }).default({ aufwand: 'positiv', ertrag: 'positiv' }),
  /** Produkt = Produktgruppe where the budget has no Produkt level (Münster). */
  productFromGroup: z.boolean().default(false),
  /** Produktbereich from the first two digits of the Produktgruppe or Produkt when there is no column. */
  areaFromCode: z.boolean().default(true),
  /** An empty amount cell: an error, or a row without a value that is skipped with a note (Hinweis). */
  emptyAmount: z.enum(['fehler', 'hinweis']).default('fehler'),
}).superRefine((p, ctx) => {
  const need = (ok: boolean, message: string, field: string) => {
    if (!ok) ctx.addIssue({ code: 'custom', message, path: [field] });
  };
  need(p.columns.product !== undefined || (p.productFromGroup && p.columns.productGroup !== undefined), 'Eine Spalte für das Produkt (columns.product) fehlt, oder productFromGroup mit columns.productGroup.', 'columns');
  need(p.columns.direction !== undefined || p.accountClasses.length > 0, 'Die Kontenart braucht eine Spalte (columns.direction) oder Kontenklassen (accountClasses).', 'columns');
  if (p.layout === 'long') {
    need(p.columns.amount !== undefined, 'Im langen Format fehlt die Betragsspalte (columns.amount).', 'columns');
    need(p.columns.year !== undefined || p.year !== undefined, 'Das Haushaltsjahr braucht eine Spalte (columns.year) oder eine Angabe (year).', 'year');
    need(p.columns.valueKind !== undefined || p.valueKind !== undefined, 'Die Wertart braucht eine Spalte (columns.valueKind) oder eine Angabe (valueKind).', 'valueKind');
  } else {
    need((p.wide ?? []).length > 0, 'Im breiten Format fehlen die Wertspalten (wide).', 'wide');
  }
  if (p.mode === 'BUCHUNGEN') need(p.columns.postingId !== undefined, 'Buchungen brauchen eine Spalte mit dem Buchungsschlüssel (columns.postingId).', 'columns');
});
export type ImportProfileBody = z.infer<typeof ImportProfileBody>;
export type ImportProfileInput = z.input<typeof ImportProfileBody>;

export interface ImportProfile extends ImportProfileBody {
  id: string;
  version: number;
}

/** The profiles shipped with the service. */
export const SHIPPED_PROFILES_DIR = path.resolve(__dirname, '..', '..', 'profiles');

export async function loadShippedProfiles(dir: string = SHIPPED_PROFILES_DIR): Promise<ImportProfile[]> {
  const out: ImportProfile[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const body = ImportProfileBody.parse(JSON.parse(await readFile(path.join(dir, file), 'utf8')));
    out.push({ ...body, id: file.replace(/\.json$/, ''), version: 1 });
  }
  return out;
}
