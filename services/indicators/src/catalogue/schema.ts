/**
 * Validation of catalogue entries (shipped file and API bodies) with German messages: the
 * shapes of model.ts as zod schemas, strict (unknown fields are refused, so a typo does not
 * silently drop a threshold).
 */
import { z } from 'zod';
import { INDICATOR_TYPES, PERIODICITIES, SENSITIVITIES, SPATIAL_LEVELS } from './model';

export const CATALOGUE_ID = /^[a-z][a-z0-9_]{0,63}$/;
const id = z.string().regex(CATALOGUE_ID, 'erwartet Kleinbuchstaben, Ziffern und „_“, beginnend mit einem Buchstaben (höchstens 64 Zeichen)');
const text = (max: number) => z.string().trim().min(1).max(max);

export const VariableBody = z.strictObject({
  code: id,
  name: text(200),
  unit: text(40),
  additive: z.boolean(),
  sources: z.array(text(500)).min(1).max(20),
  description: text(2000).optional(),
});

export const ThresholdsBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('absolute'), green: z.number().finite(), yellow: z.number().finite() }),
  z.strictObject({
    kind: z.literal('relative'),
    reference: z.literal('parent'),
    yellowFromPercent: z.number().finite().min(0),
    redFromPercent: z.number().finite().min(0),
  }),
]);

export const IndicatorBody = z.strictObject({
  id,
  number: z.number().int().min(1).max(999).optional(),
  name: text(200),
  description: text(4000),
  population: text(500).optional(),
  formula: text(2000),
  scale: z.number().finite().refine((v) => v !== 0, 'darf nicht 0 sein'),
  unit: text(40),
  polarity: z.enum(['+', '-', '0']),
  type: z.enum(INDICATOR_TYPES),
  source: text(500),
  levels: z.array(z.enum(SPATIAL_LEVELS)).min(1),
  periodicity: z.enum(PERIODICITIES),
  stichtag: z.string().regex(/^\d{2}\.\d{2}\.$/, 'erwartet TT.MM., z. B. 31.12.').optional(),
  sensitivity: z.enum(SENSITIVITIES),
  thresholds: ThresholdsBody.optional(),
  disclosure: z
    .strictObject({ minNumerator: z.number().int().min(0).optional(), minDenominator: z.number().min(0).optional() })
    .optional(),
});

export const IndexBody = z.strictObject({
  id,
  name: text(200),
  description: text(4000),
  method: z.literal('z-sum'),
  inputs: z.array(z.strictObject({ indicator: id, weight: z.number().finite().optional() })).min(2).max(30),
  classes: z
    .array(z.strictObject({ code: z.number().int(), label: text(100), upTo: z.number().finite().optional() }))
    .min(2)
    .max(12),
  minPopulation: z.number().int().min(0).optional(),
  periodicity: z.enum(PERIODICITIES),
  sensitivity: z.enum(SENSITIVITIES),
});

export const CatalogueFileBody = z.strictObject({
  formatVersion: z.literal(1),
  variables: z.array(VariableBody),
  indicators: z.array(IndicatorBody),
  indices: z.array(IndexBody),
});
