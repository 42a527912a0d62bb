/**
 * The goal-system file (Zielsystem als Datei): its structure as zod schemas with German keys,
 * because Sozialplanerinnen and Sozialplaner write and review these files. Documented for users in
 * services/goals/README.md, section "Zielsystem als Datei"; a change here changes that section.
 *
 * Every object is strict (an unknown key is a typo until proven otherwise). Enumerations accept
 * the German words of the domain and the event vocabulary (`strategisches Ziel` or
 * `STRATEGISCHES_ZIEL`), case and umlaut spelling aside. Goals nest under `ziele:` of their
 * parent; the nested list is parsed one goal at a time (plan.ts) so that one broken goal does not
 * hide the problems of its siblings and children.
 */
import { z } from 'zod';
import { suggestNames } from '@lagebild/platform';
import type { ContractTerms, GoalField, GoalLevel, MeasureData, TargetKind, Comparator, PreventionClass, ApproachClass } from '../domain/events';
import type { ContractQuantity, ReportingDuty } from '../domain/contracts';
import { SPITZENVERBAENDE } from '../domain/register';

function fail<T>(ctx: z.core.$RefinementCtx<T>, input: unknown, message: string, path?: PropertyKey[]): never {
  ctx.issues.push({ code: 'custom', message, input, ...(path ? { path } : {}) });
  return z.NEVER;
}

/** How an input is named in a message: „Text“ in quotes, else its kind. */
export function shown(input: unknown): string {
  if (typeof input === 'string') return `„${input}“`;
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  if (input === null) return 'eine leere Angabe';
  if (Array.isArray(input)) return 'eine Liste';
  if (typeof input === 'object') return 'ein Objekt';
  return 'nichts';
}

function normalised(word: string): string {
  return word
    .trim()
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/[\s_\-.]+/g, ' ');
}

/**
 * A closed list of words, each naming one value of the event vocabulary. `names[value][0]` is
 * the word shown in messages and in the documentation.
 */
function vocabulary<T extends string>(what: string, names: Record<T, readonly string[]>) {
  const lookup = new Map<string, T>();
  for (const [value, words] of Object.entries(names) as Array<[T, readonly string[]]>) {
    lookup.set(normalised(value), value);
    for (const w of words) lookup.set(normalised(w), value);
  }
  const shownWords = (Object.values(names) as Array<readonly string[]>).map((w) => w[0] as string);
  return z.string({ error: (iss) => (iss.input === undefined ? undefined : `${what} als Text erwartet (${shownWords.join(', ')}), erhalten ${shown(iss.input)}`) }).transform((word, ctx) => {
    const value = lookup.get(normalised(word));
    if (value !== undefined) return value;
    const hint = suggestNames(word, shownWords);
    return fail(ctx, word, `„${word}“ ist als ${what} nicht vorgesehen; erlaubt: ${shownWords.join(', ')}.${hint.length > 0 ? ` Meinten Sie ${hint.map((h) => `„${h}“`).join(' oder ')}?` : ''}`);
  });
}

export const LEVEL_WORDS: Record<GoalLevel, readonly string[]> = {
  LEITBILD: ['Leitbild', 'Leitlinie'],
  STRATEGISCHES_ZIEL: ['strategisches Ziel', 'Stadtziel', 'Kreisziel'],
  FACHBEREICHSZIEL: ['Fachbereichsziel', 'Dezernatsziel'],
  PRODUKTZIEL: ['Produktziel', 'Produktgruppenziel'],
  TEILZIEL: ['Teilziel'],
};
export const FIELD_WORDS: Record<GoalField, readonly string[]> = {
  WIRKUNGEN: ['Wirkungen', 'Wirkung'],
  PROGRAMME_PRODUKTE: ['Programme/Produkte', 'Programm/Produkt'],
  PROZESSE_STRUKTUREN: ['Prozesse/Strukturen', 'Prozess/Struktur'],
  RESSOURCEN: ['Ressourcen'],
};
const TARGET_KIND_WORDS: Record<TargetKind, readonly string[]> = {
  ABSOLUTE: ['absolut'],
  CHANGE_FROM_BASELINE: ['veränderung', 'veraenderung'],
  PERCENT_CHANGE_FROM_BASELINE: ['prozent', 'prozentuale veränderung'],
};
const COMPARATOR_WORDS: Record<Comparator, readonly string[]> = { AT_LEAST: ['mindestens'], AT_MOST: ['höchstens', 'hoechstens'] };
const PREVENTION_WORDS: Record<PreventionClass, readonly string[]> = {
  PRAEVENTIV: ['präventiv'],
  NACHSORGEND: ['nachsorgend'],
  NICHT_ZUGEORDNET: ['nicht zugeordnet'],
};
const APPROACH_WORDS: Record<ApproachClass, readonly string[]> = {
  STRUKTURELL: ['strukturell'],
  INDIVIDUELL: ['individuell'],
  NICHT_ZUGEORDNET: ['nicht zugeordnet'],
};
const MEASURE_KIND_WORDS: Record<MeasureData['kind'], readonly string[]> = { MASSNAHME: ['Maßnahme'], PROJEKT: ['Projekt'], PRODUKT: ['Produkt'], ANGEBOT: ['Angebot'] };
const CONTRACT_KIND_WORDS: Record<ContractTerms['kind'], readonly string[]> = {
  KONTRAKT: ['Kontrakt'],
  ZIELVEREINBARUNG: ['Zielvereinbarung'],
  LEISTUNGSVEREINBARUNG: ['Leistungsvereinbarung'],
  ZUWENDUNG: ['Zuwendung'],
  SERVICEVEREINBARUNG: ['Servicevereinbarung'],
  INTERKOMMUNALE_VEREINBARUNG: ['interkommunale Vereinbarung'],
};
const QUANTITY_KIND_WORDS: Record<ContractQuantity['kind'], readonly string[]> = {
  PLAETZE: ['Plätze'],
  FACHLEISTUNGSSTUNDEN: ['Fachleistungsstunden'],
  FAELLE: ['Fälle'],
  TEILNEHMENDE: ['Teilnehmende'],
  SONSTIGE: ['Sonstige'],
};
const QUANTITY_PER_WORDS: Record<ContractQuantity['per'], readonly string[]> = { JAHR: ['Jahr'], HALBJAHR: ['Halbjahr'], QUARTAL: ['Quartal'], MONAT: ['Monat'], LAUFZEIT: ['Laufzeit'] };
const RHYTHM_WORDS: Record<ReportingDuty['rhythm'], readonly string[]> = {
  JAEHRLICH: ['jährlich'],
  HALBJAEHRLICH: ['halbjährlich'],
  QUARTALSWEISE: ['quartalsweise'],
  MONATLICH: ['monatlich'],
  EINMALIG: ['einmalig'],
};
const FINANCING_WORDS: Record<NonNullable<ContractTerms['financing']>['mode'], readonly string[]> = { ENTGELT: ['Entgelt'], ZUWENDUNG: ['Zuwendung'], BUDGET: ['Budget'] };
const GRANT_TYPE_WORDS = { Festbetrag: ['Festbetrag', 'Festbetragsfinanzierung'], Fehlbedarf: ['Fehlbedarf', 'Fehlbedarfsfinanzierung'], Anteil: ['Anteil', 'Anteilfinanzierung'] } as const;
const SPITZENVERBAND_WORDS = Object.fromEntries(SPITZENVERBAENDE.map((s) => [s, [s]])) as unknown as Record<(typeof SPITZENVERBAENDE)[number], readonly string[]>;

const KEY = /^[a-z0-9][a-z0-9_-]{0,79}$/;

/** A stable key (Schlüssel) of an entry: the import derives the entry's id from it. */
const key = () =>
  z
    .string({ error: (iss) => (iss.input === undefined ? undefined : `Schlüssel als Text erwartet, erhalten ${shown(iss.input)}`) })
    .regex(KEY, { error: (iss) => `${shown(iss.input)} taugt nicht als Schlüssel: Kleinbuchstaben a–z, Ziffern, - und _, höchstens 80 Zeichen, z. B. „teilhabe-arbeit“.` });

const text = () => z.string().trim().min(1, { error: 'darf nicht leer sein' });

/**
 * A code (Gebiets-, Produkt-, Kostenstellennummer, AGS). YAML reads `09461` as a number; the
 * parser keeps digit strings with a leading zero as text (source.ts), and a whole number
 * without one is taken as its digits.
 */
const code = (what: string) =>
  z.unknown().transform((input, ctx) => {
    if (typeof input === 'string' && input.trim() !== '') return input.trim();
    if (typeof input === 'number' && Number.isSafeInteger(input) && input >= 0) return String(input);
    if (input === undefined) return fail(ctx, input, 'Pflichtangabe fehlt');
    return fail(ctx, input, `${what} als Text erwartet, erhalten ${shown(input)}${typeof input === 'number' ? ' (Nummern mit Punkt oder führender Null in Anführungszeichen schreiben)' : ''}`);
  });

const ags = () =>
  code('Amtlicher Gemeindeschlüssel').transform((value, ctx) => (/^(\d{5}|\d{8})$/.test(value) ? value : fail(ctx, value, `„${value}“ ist kein AGS: 5 Ziffern (Kreis, kreisfreie Stadt) oder 8 Ziffern (Gemeinde), in Anführungszeichen, z. B. "09461".`)));

const number = () =>
  z.number({
    error: (iss) => {
      if (typeof iss.input === 'string' && /^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$/.test(iss.input.trim())) {
        return `Zahl erwartet, erhalten „${iss.input}“: Dezimalzahlen mit Punkt schreiben (${iss.input.trim().replace(/\./g, '').replace(',', '.')})`;
      }
      return undefined;
    },
  });

/** Euro as a decimal number (48500.5), at most two decimals; converted to cents. */
const euro = () =>
  number().transform((value, ctx) => {
    const cents = Math.round(value * 100);
    if (Math.abs(value * 100 - cents) > 1e-6) return fail(ctx, value, `${value} hat mehr als zwei Nachkommastellen; Beträge in Euro mit Cent angeben, z. B. 48500.50`);
    if (cents < 0) return fail(ctx, value, 'Ein Betrag kann nicht negativ sein.');
    return cents;
  });

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const GERMAN_DAY = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/** A day as `JJJJ-MM-TT` or `TT.MM.JJJJ`, normalised to ISO. */
const day = () =>
  z
    .string({ error: (iss) => (iss.input === undefined ? undefined : `Datum erwartet (JJJJ-MM-TT oder TT.MM.JJJJ), erhalten ${shown(iss.input)}`) })
    .transform((input, ctx) => {
      const s = input.trim();
      const iso = ISO_DAY.exec(s);
      const german = GERMAN_DAY.exec(s);
      const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : german ? [german[3], german[2]!.padStart(2, '0'), german[1]!.padStart(2, '0')] : [];
      if (y === undefined) return fail(ctx, input, `Datum erwartet (JJJJ-MM-TT oder TT.MM.JJJJ), erhalten „${input}“`);
      const value = `${y}-${m}-${d}`;
      const parsed = new Date(`${value}T00:00:00Z`);
      if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) return fail(ctx, input, `„${input}“ ist kein Kalenderdatum.`);
      return value;
    });

const Raum = z.strictObject({ gliederung: text(), gebiete: z.array(code('Gebietsschlüssel')).min(1, { error: 'mindestens ein Gebiet angeben; für das ganze Gebiet des Mandanten `raum` weglassen' }) });
export type RaumInput = z.output<typeof Raum>;

const Beschluss = z.strictObject({ gremium: text(), nummer: code('Vorlagen- oder Drucksachennummer'), datum: day() });
export type BeschlussInput = z.output<typeof Beschluss>;

/** The baseline: a value and its period, given as `jahr`, `stichtag`, or `von`/`bis`. */
const Ausgangswert = z
  .strictObject({ wert: number(), jahr: z.number().int().min(1900).max(2200).optional(), stichtag: day().optional(), von: day().optional(), bis: day().optional() })
  .transform((b, ctx) => {
    const forms = [b.jahr !== undefined, b.stichtag !== undefined, b.von !== undefined || b.bis !== undefined].filter(Boolean).length;
    if (forms !== 1) return fail(ctx, b, 'Den Zeitraum des Ausgangswerts genau einmal angeben: `jahr: 2019`, `stichtag: 2019-12-31` oder `von:` und `bis:`.');
    if (b.jahr !== undefined) return { value: b.wert, period: { kind: 'ZEITRAUM' as const, start: `${b.jahr}-01-01`, end: `${b.jahr}-12-31` } };
    if (b.stichtag !== undefined) return { value: b.wert, period: { kind: 'STICHTAG' as const, start: b.stichtag, end: b.stichtag } };
    if (b.von === undefined || b.bis === undefined) return fail(ctx, b, 'Ein Zeitraum braucht `von:` und `bis:`.');
    return { value: b.wert, period: { kind: 'ZEITRAUM' as const, start: b.von, end: b.bis } };
  });

const Zielwert = z.strictObject({
  schluessel: key(),
  kennzahl: text(),
  gliederung: text().optional(),
  gebiet: code('Gebietsschlüssel').optional(),
  ausgangswert: Ausgangswert.optional(),
  art: vocabulary('Art des Zielwerts', TARGET_KIND_WORDS).default('ABSOLUTE'),
  zielwert: number(),
  richtung: vocabulary('Richtung', COMPARATOR_WORDS),
  termin: day(),
  begruendung: text().optional(),
  beschluss: Beschluss.optional(),
});
export type ZielwertInput = z.output<typeof Zielwert>;

const Kontextkennzahl = z.strictObject({ kennzahl: text(), gliederung: text().optional(), gebiete: z.array(code('Gebietsschlüssel')).default([]), notiz: text().optional() });

/** One goal; its children stay unparsed here (`ziele`) and are parsed one by one. */
export const ZielSchema = z.strictObject({
  schluessel: key(),
  ebene: vocabulary('Ebene', LEVEL_WORDS),
  zielfeld: vocabulary('Zielfeld', FIELD_WORDS).default('WIRKUNGEN'),
  titel: text(),
  beschreibung: text().optional(),
  strategien: z.array(text()).default([]),
  smart: z.boolean().optional(),
  zielgruppe: text().optional(),
  raum: Raum.optional(),
  prioritaet: z.number().int().min(1, { error: 'Die Priorität ist eine ganze Zahl ab 1 (1 = höchste).' }).optional(),
  verantwortlich: text().optional(),
  horizont: day().optional(),
  wirkungsannahme: text().optional(),
  beschluss: Beschluss.optional(),
  produkte: z.array(code('Produktnummer')).default([]),
  ableitung: text().optional(),
  zielwerte: z.array(Zielwert).default([]),
  kontextkennzahlen: z.array(Kontextkennzahl).default([]),
  ziele: z.array(z.unknown()).default([]),
});
export type ZielInput = z.output<typeof ZielSchema>;

export const MassnahmeSchema = z.strictObject({
  schluessel: key(),
  art: vocabulary('Art der Maßnahme', MEASURE_KIND_WORDS).default('MASSNAHME'),
  titel: text(),
  beschreibung: text().optional(),
  ziele: z.array(key()).default([]),
  praevention: vocabulary('Prävention', PREVENTION_WORDS).default('NICHT_ZUGEORDNET'),
  ansatz: vocabulary('Ansatz', APPROACH_WORDS).default('NICHT_ZUGEORDNET'),
  verantwortlich: text(),
  produkt: code('Produktnummer').optional(),
  kostenstelle: code('Kostenstelle').optional(),
  zielgruppe: text().optional(),
  raum: Raum.optional(),
  traeger: key().optional(),
  beginn: day().optional(),
  ende: day().optional(),
});
export type MassnahmeInput = z.output<typeof MassnahmeSchema>;

export const TraegerSchema = z.strictObject({
  schluessel: key(),
  name: text(),
  rechtsform: text(),
  spitzenverband: vocabulary('Spitzenverband', SPITZENVERBAND_WORDS).optional(),
  kontakt: z.strictObject({ person: text().optional(), email: text().optional(), telefon: code('Telefonnummer').optional(), adresse: text().optional() }).optional(),
  aktiv: z.boolean().default(true),
});
export type TraegerFileInput = z.output<typeof TraegerSchema>;

const Menge = z.strictObject({
  schluessel: key(),
  art: vocabulary('Art der Leistungsmenge', QUANTITY_KIND_WORDS),
  bezeichnung: text(),
  menge: number().min(0, { error: 'Eine Leistungsmenge kann nicht negativ sein.' }),
  je: vocabulary('Bezugszeitraum der Menge', QUANTITY_PER_WORDS).default('JAHR'),
});

const Finanzierung = z.strictObject({
  art: vocabulary('Finanzierungsart', FINANCING_WORDS),
  jahresbetrag: euro(),
  einheitspreis: euro().optional(),
  preis_menge: key().optional(),
  zuwendungsart: vocabulary('Zuwendungsart', GRANT_TYPE_WORDS).optional(),
  produkt: code('Produktnummer').optional(),
  kostenstelle: code('Kostenstelle').optional(),
  konto: code('Konto').optional(),
});

const VertragsKennzahl = z.strictObject({
  schluessel: key(),
  name: text(),
  einheit: text(),
  zielwert: number().optional(),
  richtung: vocabulary('Richtung', COMPARATOR_WORDS).optional(),
  ziel: key().optional(),
  kennzahl: text().optional(),
  minimum: number().optional(),
  maximum: number().optional(),
});

const Berichtspflicht = z.strictObject({
  schluessel: key(),
  inhalt: text(),
  rhythmus: vocabulary('Rhythmus', RHYTHM_WORDS),
  frist_tage: z.number().int().min(0).max(365).default(90),
  kennzahlen: z.array(key()).default([]),
  mengen: z.array(key()).default([]),
});

export const VertragSchema = z.strictObject({
  schluessel: key(),
  art: vocabulary('Vertragsart', CONTRACT_KIND_WORDS),
  titel: text(),
  aktenzeichen: code('Aktenzeichen').optional(),
  auftraggeber: text(),
  traeger: key().optional(),
  partnerkommune: ags().optional(),
  partnereinheit: text().optional(),
  laufzeit: z.strictObject({ von: day(), bis: day().optional() }),
  rechtsgrundlage: text().optional(),
  leistung: text(),
  produkt: code('Produktnummer').optional(),
  zielgruppe: text().optional(),
  raum: Raum.optional(),
  mengen: z.array(Menge).default([]),
  finanzierung: Finanzierung.optional(),
  qualitaetsstandards: z.array(text()).default([]),
  kennzahlen: z.array(VertragsKennzahl).default([]),
  berichtspflichten: z.array(Berichtspflicht).default([]),
  prueftermine: z.array(day()).default([]),
  ziele: z.array(key()).default([]),
  praevention: vocabulary('Prävention', PREVENTION_WORDS).default('NICHT_ZUGEORDNET'),
  ansatz: vocabulary('Ansatz', APPROACH_WORDS).default('NICHT_ZUGEORDNET'),
  beschluss: Beschluss.optional(),
  aenderung: z.strictObject({ gueltig_ab: day(), grund: text() }).optional(),
});
export type VertragInput = z.output<typeof VertragSchema>;

const entries = (what: string) => z.array(z.unknown(), { error: (iss) => (iss.input === undefined ? undefined : `Liste von ${what} erwartet, erhalten ${shown(iss.input)}`) }).default([]);

/** The top of the file; the lists are parsed entry by entry. */
export const ZielsystemSchema = z.strictObject({
  mandant: ags().optional(),
  titel: text().optional(),
  anlass: text().optional(),
  ziele: entries('Zielen'),
  massnahmen: entries('Maßnahmen'),
  traeger: entries('Trägern'),
  vertraege: entries('Verträgen'),
});

/** The keys an object at `path` (relative to `schema`) allows, for "Meinten Sie …?" hints. */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    let node = s as { _zod?: { def: Record<string, unknown> } };
    for (let i = 0; i < 10 && node?._zod; i += 1) {
      const def = node._zod.def;
      if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'prefault' || def.type === 'readonly' || def.type === 'catch') node = def.innerType as typeof node;
      else if (def.type === 'pipe') node = def.in as typeof node;
      else break;
    }
    return node;
  };
  for (const segment of path) {
    const node = unwrap(current) as { _zod?: { def: Record<string, unknown> } };
    const def = node?._zod?.def;
    if (!def) return [];
    if (def.type === 'object' && typeof segment === 'string') current = (def.shape as Record<string, unknown>)[segment];
    else if (def.type === 'array' && typeof segment === 'number') current = def.element;
    else return [];
  }
  const node = unwrap(current) as { _zod?: { def: Record<string, unknown> } };
  return node?._zod?.def.type === 'object' ? Object.keys(node._zod.def.shape as Record<string, unknown>) : [];
}
