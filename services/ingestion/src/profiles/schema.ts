/**
 * Delivery profile ("Lieferprofil"): how one source delivers one data set, written once and reused
 * every year. A profile is versioned data (each PUT saves a new version; a delivery records the
 * version it was read with), so this schema is a public format: it only ever grows. Messages are
 * German because the people who write profiles read them.
 *
 * A profile answers, for a file: how to decode it (format, encoding, delimiter, numbers, special
 * values), where the data start (rows to skip, header rows), which column names the area and how
 * (code or name, with a name mapping table), which period the values refer to (fixed, from a
 * column, from the file name or from the column header), which columns hold which variables (wide
 * layout: one column per variable; long layout: a variable column, or several columns combined),
 * which rows are totals (excluded or checked) and which plausibility rules apply. How a file is
 * written (format, encoding, numbers) and how a column is named are the platform's file profile
 * parts (@lagebild/platform, files/spec.ts), shared with the budget's import profiles.
 */
import { ColumnRef, FormatSpec, NumberSpec, regexSource } from '@lagebild/platform';
import { z } from 'zod';

/** Ids of profiles, data sets, variables: lower-case slugs, stable across versions. */
export const SLUG = /^[a-z0-9][a-z0-9_.-]{0,79}$/;
const slug = (what: string) =>
  z.string().regex(SLUG, { message: `${what}: nur Kleinbuchstaben, Ziffern, „-“, „_“ und „.“ (höchstens 80 Zeichen), z. B. „berlin-einwohner“` });

/** AGS of a tenant: 5 digits (Kreis, kreisfreie Stadt) or 8 digits (Gemeinde); 2 for a Land. */
export const AGS = /^(\d{2}|\d{5}|\d{8})$/;
const ags = z.string().regex(AGS, { message: 'AGS erwartet: 2, 5 oder 8 Ziffern, z. B. „11000“ oder „01054021“' });

/** What a special value in a cell means; maps onto ObservationStatus of the contract. */
export const SpecialMeaning = z.enum(['zero', 'missing', 'suppressed', 'not_applicable', 'unreliable'], {
  error: 'Bedeutung erwartet: zero (genau null), missing (fehlt), suppressed (geheim gehalten), not_applicable (entfällt) oder unreliable (nicht sicher genug)',
});
export type SpecialMeaning = z.infer<typeof SpecialMeaning>;

export const SpecialValue = z.strictObject({
  /** The cell text after trimming, e.g. "-", ".", "x", "•", "...", "/" ; "" for an empty cell. */
  token: z.string(),
  meaning: SpecialMeaning,
});

/** The defaults of German official statistics (Zeichenerklärung). */
export const DEFAULT_SPECIAL_VALUES: ReadonlyArray<z.infer<typeof SpecialValue>> = [
  { token: '-', meaning: 'zero' },
  { token: '.', meaning: 'missing' },
  { token: '...', meaning: 'missing' },
  { token: 'x', meaning: 'not_applicable' },
  { token: '•', meaning: 'suppressed' },
  { token: '/', meaning: 'unreliable' },
  { token: '', meaning: 'missing' },
];

export const AreaSpec = z.strictObject({
  column: ColumnRef,
  /** Whether the column holds unit codes of the scheme or unit names. */
  by: z.enum(['code', 'name'], { error: 'Gebietszuordnung erwartet: code oder name' }),
  /**
   * Only units of these types are matched (Hamburg: `["Stadtteil"]`, where the Bezirk Eimsbüttel
   * and the Stadtteil Eimsbüttel share a name). All types when omitted.
   */
  unitTypes: z.array(z.string().min(1)).optional(),
  /** Codes only: left-pad with zeros to this length (Excel dropped the leading zero of "01100101"). */
  padCodeTo: z.number().int().min(1).max(20).optional(),
  /**
   * Delivered name or code -> unit code of the scheme. `null` says "known, deliberately not
   * matched" (e.g. a merged Stadtteil the scheme does not have): such rows are skipped and listed
   * in the report as a warning instead of failing as unknown.
   */
  nameMap: z.record(z.string(), z.string().nullable()).default({}),
  /**
   * Rows of areas the delivering tenant does not own: `error` (default) rejects the delivery;
   * `skip` takes only the tenant's own rows, for national files such as INKAR from which a Kreis
   * takes its member Gemeinden. Skipped rows are counted in the report, not listed.
   */
  foreignAreas: z.enum(['error', 'skip'], { error: 'foreignAreas erwartet: error oder skip' }).default('error'),
});
export type AreaSpec = z.infer<typeof AreaSpec>;

export const PeriodGranularity = z.enum(['year', 'halfYear', 'quarter', 'month', 'date'], {
  error: 'Zeitraumart erwartet: year (2024), halfYear (2024-02), quarter (2024-Q3), month (2024-05) oder date (31.12.2024)',
});
export type PeriodGranularity = z.infer<typeof PeriodGranularity>;

export const PeriodSpec = z.strictObject({
  granularity: PeriodGranularity,
  /**
   * STICHTAG: a stock on the last day of the period (Einwohner am 31.12.); ZEITRAUM: a flow or
   * average over the whole period (Arbeitslose im Jahresdurchschnitt). A `date` is always a Stichtag.
   */
  kind: z.enum(['STICHTAG', 'ZEITRAUM'], { error: 'Art erwartet: STICHTAG oder ZEITRAUM' }),
  /**
   * Where the period comes from. `delivery`: stated with each delivery (`--period`, form field);
   * `profile`: fixed `value`; `column`: a column of each row; `fileName`: `pattern` applied to the
   * file name (group `period`, else the first capture group, else the whole match); `header`: the
   * value column's header (wide layout, see `periodFromHeader` of a value column), with `pattern`
   * applied the same way when the header holds more than the period (`Anzahl_2018`). A period
   * stated with the delivery always wins.
   */
  from: z.enum(['delivery', 'profile', 'column', 'fileName', 'header'], {
    error: 'Herkunft des Zeitraums erwartet: delivery, profile, column, fileName oder header',
  }),
  value: z.string().optional(),
  column: ColumnRef.optional(),
  pattern: regexSource('Muster für den Zeitraum im Dateinamen oder in der Überschrift').optional(),
}).superRefine((spec, ctx) => {
  if (spec.from === 'profile' && !spec.value) ctx.addIssue({ code: 'custom', path: ['value'], message: 'Bei from: profile ist value Pflicht, z. B. „2024“' });
  if (spec.from === 'column' && !spec.column) ctx.addIssue({ code: 'custom', path: ['column'], message: 'Bei from: column ist column Pflicht' });
  if (spec.from === 'fileName' && !spec.pattern) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'Bei from: fileName ist pattern Pflicht, z. B. „(\\d{4}-\\d{2})“' });
});
export type PeriodSpec = z.infer<typeof PeriodSpec>;

const dimensions = z.record(z.string().regex(SLUG), z.string()).default({});

/** Wide layout: one value column per variable (and per period, with periods in the header). */
export const ValueColumn = z.strictObject({
  column: ColumnRef,
  variable: slug('Variable'),
  dimensions,
  /**
   * With `period.from: header`: the period is read from this column's header (the `headerRow`
   * given, else the last header row), e.g. INKAR's year row. A column ref by `headerPattern`
   * then selects every matching column, one period each.
   */
  periodFromHeader: z.boolean().default(false),
  /**
   * A period of its own for this column, when a table mixes Stichtage (Hamburg: Einkommen 2010
   * next to Einwohner 31.12.2013). Wins over the profile's period, but not over one stated with
   * the delivery.
   */
  period: z
    .strictObject({
      granularity: PeriodGranularity,
      kind: z.enum(['STICHTAG', 'ZEITRAUM'], { error: 'Art erwartet: STICHTAG oder ZEITRAUM' }),
      value: z.string().min(1),
    })
    .optional(),
});
export type ValueColumn = z.infer<typeof ValueColumn>;

export const WideLayout = z.strictObject({
  layout: z.literal('wide'),
  values: z.array(ValueColumn).min(1, { message: 'Mindestens eine Wertspalte erwartet' }),
});

/**
 * Long layout: a value column and the variable in a column (mapped through `variableMap`), or
 * combined from several columns joined by `_` (e.g. Merkmal + Geschlecht -> `ew_w`), or fixed.
 */
export const LongLayout = z.strictObject({
  layout: z.literal('long'),
  valueColumn: ColumnRef,
  variableColumns: z.array(ColumnRef).min(1).optional(),
  /** Delivered variable text (after combining) -> variable code; unmapped texts are errors. */
  variableMap: z.record(z.string(), slug('Variable')).optional(),
  /** A fixed variable when the file holds one only. */
  variable: slug('Variable').optional(),
  /** Further breakdown columns, dimension name -> column. */
  dimensionColumns: z.record(z.string().regex(SLUG), ColumnRef).default({}),
}).refine((spec) => Boolean(spec.variableColumns) !== Boolean(spec.variable), {
  message: 'Entweder variableColumns (Variable aus Spalten) oder variable (feste Variable) angeben',
});

export const LayoutSpec = z.discriminatedUnion('layout', [WideLayout, LongLayout], { error: 'layout erwartet: wide oder long' });
export type LayoutSpec = z.infer<typeof LayoutSpec>;

/**
 * A column whose text sets the status of every value in the row (Berlin MSS `KOM`: "ungültig (EW
 * unter 300)" means the row's figures are not published). `null` keeps the cell's own status.
 * A text not listed is an error.
 */
export const RowStatusSpec = z.strictObject({
  column: ColumnRef,
  values: z.record(z.string(), SpecialMeaning.nullable()),
});

/**
 * Totals rows (Bezirk and city sums) in the file. A row is a totals row when its area cell equals
 * one of `labels` (after `fromLabel` has been reached, if given) or matches `pattern`, or when the
 * area resolves to a unit of a `unitTypes` type. `exclude` drops them; `check` also compares each
 * count variable with the sum of the rows of the totals unit's children (or of all rows for a
 * label listed in `grandTotalLabels`) and reports a deviation above `tolerance`.
 */
export const TotalsSpec = z.strictObject({
  action: z.enum(['exclude', 'check'], { error: 'Summenzeilen: exclude (weglassen) oder check (prüfen)' }),
  labels: z.array(z.string()).default([]),
  pattern: regexSource('Muster für Summenzeilen').optional(),
  /** Every row from the first row with this label on is a totals row (blocks at the end of a table). */
  fromLabel: z.string().optional(),
  unitTypes: z.array(z.string()).default([]),
  grandTotalLabels: z.array(z.string()).default([]),
  /** Absolute deviation tolerated in the check (rounding in published tables). */
  tolerance: z.number().min(0).default(0),
  /**
   * A deviation is an `error` (the delivery is rejected) or a `warning` (reported, accepted):
   * official tables often carry persons without a small-area assignment in their Bezirk totals.
   */
  mismatch: z.enum(['error', 'warning'], { error: 'mismatch erwartet: error oder warning' }).default('error'),
  /** Count variables to check; all count variables when omitted (flows such as Zuzüge are not additive). */
  variables: z.array(z.string().regex(SLUG)).optional(),
});
export type TotalsSpec = z.infer<typeof TotalsSpec>;

export const Severity = z.enum(['error', 'warning', 'off'], { error: 'Schwere erwartet: error, warning oder off' });

export const PlausibilitySpec = z.strictObject({
  /** Counts (variable kind `count`) must not be negative. */
  nonNegativeCounts: Severity.default('error'),
  /** part <= total in the same row (e.g. ew_unter_18 <= ew_insgesamt). */
  partOfTotal: z.array(z.strictObject({ part: slug('Teil'), total: slug('Gesamt') })).default([]),
  /** Units of the scheme version with no row in the delivery. */
  missingAreas: Severity.default('warning'),
  /** Area codes/names not in the scheme and not in `nameMap`. */
  unknownAreas: z.enum(['error', 'warning'], { error: 'unknownAreas erwartet: error oder warning' }).default('error'),
  /** Shares/rates (kind `rate`) above this bound are reported; omit for no bound. */
  maxRate: z.number().optional(),
});
export type PlausibilitySpec = z.infer<typeof PlausibilitySpec>;

/**
 * The scheme whose unit codes the delivery uses. Without `version` each period uses the version
 * in force on its last day (the Stichtag): Berlin population 2015-01..2020-02 reads the 447 old
 * LOR ids, 2021-01.. the 542 new ones, from one profile.
 */
export const SchemeRef = z.strictObject({
  schemeId: z.string().min(1),
  /** A fixed version, or `current` for data published in today's boundaries (INKAR: Gebietsstand of the latest year). */
  version: z.union([z.number().int().min(1), z.literal('current')], { error: 'Version erwartet: eine Zahl ab 1 oder „current“' }).optional(),
  /**
   * The version in force on this day (Gebietsstand), for data published in later boundaries than
   * their Stichtag: Berlin MSS 2021 has Stichtag 31.12.2020 but uses the LOR of 2021.
   */
  on: z.iso.date({ message: 'Datum JJJJ-MM-TT erwartet' }).optional(),
}).refine((ref) => ref.version === undefined || ref.on === undefined, { message: 'Entweder version oder on angeben, nicht beides' });

export const DeliveryProfileBody = z.strictObject({
  name: z.string().min(1, { message: 'Name des Profils fehlt' }),
  description: z.string().optional(),
  /** Owning tenant (AGS); null for profiles every tenant may use (INKAR, Gemeindeverzeichnis). */
  tenant: ags.nullable().default(null),
  dataset: slug('Datensatz'),
  source: z.strictObject({ name: z.string().min(1), provider: z.string().optional() }),
  scheme: SchemeRef,
  format: FormatSpec,
  numbers: NumberSpec.default({ decimal: '.', thousands: [], percentSign: false }),
  /** Replaces the defaults (DEFAULT_SPECIAL_VALUES) when given. */
  specialValues: z.array(SpecialValue).optional(),
  area: AreaSpec,
  period: PeriodSpec,
  variables: LayoutSpec,
  rowStatus: RowStatusSpec.optional(),
  totals: TotalsSpec.optional(),
  plausibility: PlausibilitySpec.default({ nonNegativeCounts: 'error', partOfTotal: [], missingAreas: 'warning', unknownAreas: 'error' }),
  /** Rows whose area cell is empty are skipped (blank separator lines) instead of being errors. */
  skipEmptyAreaRows: z.boolean().default(true),
  /** Largest accepted file in bytes (413 / rejection above); the service default applies when omitted. */
  maxFileBytes: z.number().int().min(1).optional(),
});
export type DeliveryProfileBody = z.infer<typeof DeliveryProfileBody>;
export type DeliveryProfileInput = z.input<typeof DeliveryProfileBody>;

/** A file under profiles/ as shipped: the body plus its id. */
export const ShippedProfile = DeliveryProfileBody.extend({ id: slug('Profil-Id') });
export type ShippedProfile = z.infer<typeof ShippedProfile>;

/** A saved version, as the store returns it. */
export interface DeliveryProfile extends DeliveryProfileBody {
  id: string;
  version: number;
  savedAt: string;
  savedBy: string;
}

export function specialValuesOf(profile: Pick<DeliveryProfileBody, 'specialValues'>): ReadonlyArray<{ token: string; meaning: SpecialMeaning }> {
  return profile.specialValues ?? DEFAULT_SPECIAL_VALUES;
}
