/**
 * Data set definitions: what a delivery's variables are (code, name, unit, kind), where they come
 * from and how sensitive they are. Deliveries are checked against them: a variable a profile or a
 * long-layout file names must exist here, counts must not be negative, and the sensitivity travels
 * with every ObservationsRecorded batch.
 */
import { z } from 'zod';
import { SLUG } from '../profiles/schema';

/**
 * count: Anzahl (Einwohner, Fälle), never negative. amount: Betrag/Menge (Euro, m²), may be
 * negative (Saldo). rate: Quote or Anteil (%, je 1.000), rates and shares alike. index: a
 * composite index value or class (MSS Statusindex, GISD).
 */
export const VariableKind = z.enum(['count', 'amount', 'rate', 'index'], {
  error: 'Art erwartet: count (Anzahl), amount (Betrag), rate (Quote/Anteil) oder index',
});
export type VariableKind = z.infer<typeof VariableKind>;

export const Sensitivity = z.enum(['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'SEALED'], {
  error: 'Datensensibilität erwartet: PUBLIC, INTERNAL, CONFIDENTIAL oder SEALED',
});
export type Sensitivity = z.infer<typeof Sensitivity>;

export const VariableDefinition = z.strictObject({
  code: z.string().regex(SLUG, { message: 'Variablencode: Kleinbuchstaben, Ziffern, „-“, „_“, „.“' }),
  name: z.string().min(1),
  /** "Personen", "%", "Euro", "je 1.000 EW", "Indexwert"; optional where the name says it all. */
  unit: z.string().min(1).optional(),
  kind: VariableKind,
  description: z.string().optional(),
});
export type VariableDefinition = z.infer<typeof VariableDefinition>;

export const DatasetBody = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    source: z.strictObject({ name: z.string().min(1), provider: z.string().optional(), licence: z.string().optional() }),
    sensitivity: Sensitivity,
    variables: z.array(VariableDefinition).min(1, { message: 'Mindestens eine Variable erwartet' }),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.variables.forEach((variable, index) => {
      if (seen.has(variable.code)) ctx.addIssue({ code: 'custom', path: ['variables', index, 'code'], message: `Variable „${variable.code}“ ist doppelt` });
      seen.add(variable.code);
    });
  });
export type DatasetBody = z.infer<typeof DatasetBody>;

/** A saved version of a data set. */
export interface Dataset extends DatasetBody {
  id: string;
  version: number;
  savedAt: string;
  savedBy: string;
}
