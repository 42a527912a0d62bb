/**
 * Area import profiles and name mapping tables shipped in services/ingestion/profiles/areas/
 * (JSON, one per source): which fields hold code, name, type and parent, corrections of known
 * errors in the source, name matching options. Looked up by name (`berlin-lor-2021`) or path.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AreaRuleViolation } from './decide';
import type { ImportMapping } from './mapping';
import type { NameGroup } from './model';

/** The shipped profiles (src/areas and dist/areas are both two levels below the package). */
export const AREA_PROFILES_DIR = path.resolve(__dirname, '../../profiles/areas');

const Correction = z.object({ featureIndex: z.number().int().min(0), expect: z.record(z.string(), z.string()), set: z.record(z.string(), z.string()), reason: z.string().min(3) });

const Mapping = z
  .object({
    codeField: z.string(),
    nameField: z.string(),
    typeField: z.string(),
    unitType: z.string(),
    parentField: z.string(),
    parentCodePrefix: z.number().int().positive(),
    parentNameField: z.string(),
    parentType: z.string(),
    officialKeyField: z.string(),
    aliasFields: z.array(z.string()),
    attributeFields: z.array(z.string()),
    codeTransform: z.enum(['none', 'leading-number']),
    nameTransform: z.enum(['none', 'strip-leading-number']),
    corrections: z.array(Correction),
  })
  .partial()
  .strict();

const AreaProfile = z
  .object({
    description: z.string(),
    source: z.string().optional(),
    mapping: Mapping,
    readOptions: z.object({ encoding: z.string().optional(), crs: z.string().optional() }).strict().optional(),
    nameMatching: z.object({ stripPrefixes: z.array(z.string()) }).strict().optional(),
  })
  .strict();

export type AreaImportProfile = z.output<typeof AreaProfile> & { mapping: ImportMapping };

const NameMappingFile = z.object({
  source: z.string().min(1),
  groups: z.array(z.object({ name: z.string().min(1), codes: z.array(z.string().min(1)).min(1), note: z.string().nullable().default(null) })).min(1),
});

const MatchCorrections = z.object({
  description: z.string().optional(),
  corrections: z.array(z.object({ key: z.string(), replace: z.record(z.string(), z.string()), reason: z.string().min(3) })),
});

function resolve(nameOrPath: string): string {
  return nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes(path.sep) ? path.resolve(nameOrPath) : path.join(AREA_PROFILES_DIR, `${nameOrPath}.json`);
}

async function readJson(nameOrPath: string, what: string): Promise<{ file: string; json: unknown }> {
  const file = resolve(nameOrPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AreaRuleViolation('invalid-input', `${what} "${nameOrPath}" gibt es nicht (gesucht: ${path.basename(file)}${file.startsWith(AREA_PROFILES_DIR) ? ' unter profiles/areas' : ''}).`);
    }
    throw error;
  }
  try {
    return { file, json: JSON.parse(text) };
  } catch (error) {
    throw new AreaRuleViolation('unparsable-file', `${what} ${path.basename(file)} ist kein gültiges JSON: ${(error as Error).message}`);
  }
}

function parsed<S extends z.ZodType>(schema: S, json: unknown, file: string, what: string): z.output<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  throw new AreaRuleViolation(
    'invalid-input',
    `${what} ${path.basename(file)} ist fehlerhaft.`,
    result.error.issues.map((i) => ({ where: i.path.join('.') || '/', detail: i.message })),
  );
}

export async function loadAreaImportProfile(nameOrPath: string): Promise<AreaImportProfile> {
  const { file, json } = await readJson(nameOrPath, 'Das Importprofil');
  return parsed(AreaProfile, json, file, 'Das Importprofil') as AreaImportProfile;
}

export async function loadNameMappingTable(nameOrPath: string): Promise<{ source: string; groups: NameGroup[] }> {
  const { file, json } = await readJson(nameOrPath, 'Die Namenszuordnung');
  return parsed(NameMappingFile, json, file, 'Die Namenszuordnung');
}

export async function loadMatchCorrections(nameOrPath: string): Promise<Array<{ key: string; replace: Record<string, string>; reason: string }>> {
  const { file, json } = await readJson(nameOrPath, 'Die Korrekturliste');
  return parsed(MatchCorrections, json, file, 'Die Korrekturliste').corrections;
}
