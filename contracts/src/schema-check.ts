import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkFullTransitive } from './compatibility';
import { type AvroSchema, type AvroSchemaObject, fingerprintToHex } from './fingerprint';
import { readSchemaRepository, type SchemaHistory, type SchemaRepository, defaultSchemasDir } from './schemas';

/**
 * The check behind `npm run check:schemas` and the schema test of `npm test`:
 * - layout: schemas/<context>/<EventName>/v<N>.avsc, valid Avro, names fit the folders;
 * - house rules for the current version of each schema: every record, enum and field has a
 *   doc; a field that may be absent is ["null", T] with default null (unions have exactly
 *   these two branches, which keeps avsc's value representation and the generated TypeScript
 *   types in agreement);
 * - FULL_TRANSITIVE compatibility of every schema with all its earlier versions;
 * - the lock file: a shipped version must never change (its fingerprint is what old messages
 *   carry, so an edited v1 would make them unreadable while every other check still passes).
 */

/** NOT_LOCKED: a new version that `npm run schemas:lock` will record; LOCK: a shipped version changed. */
export type SchemaCheckKind = 'LAYOUT' | 'STYLE' | 'COMPATIBILITY' | 'LOCK' | 'NOT_LOCKED';

export interface SchemaCheckProblem {
  kind: SchemaCheckKind;
  /** Path relative to the schemas directory. */
  file: string;
  /** German, names schema and field where there is one. */
  message: string;
}

export const SCHEMA_LOCK_FILE = 'schema-lock.json';

interface SchemaLock {
  description: string;
  /** Relative file path -> fingerprint (16 hex digits). */
  versions: Record<string, string>;
}

const LOCK_DESCRIPTION =
  'Fingerprints (CRC-64-AVRO) of every shipped schema version. A listed version must never change: ' +
  'messages on the log carry these fingerprints. New versions are added with `npm run schemas:lock`.';

export function checkSchemaRepository(dir: string = defaultSchemasDir): SchemaCheckProblem[] {
  const { repository, problems: layoutProblems } = readSchemaRepository(dir);
  const problems: SchemaCheckProblem[] = layoutProblems.map((p) => ({ kind: 'LAYOUT', ...p }));
  if (!repository) return problems;

  const histories = [repository.envelope, ...repository.events];
  for (const history of histories) {
    // Only the current version: shipped versions are frozen, a rule added later must not
    // demand edits to them.
    for (const message of styleProblems(history.current.schema)) {
      problems.push({ kind: 'STYLE', file: history.current.file, message: `${history.fullName}: ${message}` });
    }
    for (const problem of checkFullTransitive(history.versions)) {
      problems.push({ kind: 'COMPATIBILITY', file: `${history.context}/${history.name}`, message: problem.message });
    }
  }
  problems.push(...lockProblems(repository));
  return problems;
}

/**
 * Adds versions that are not in the lock file yet. Refuses (and changes nothing) when a locked
 * version changed or disappeared, or when the schemas do not pass the other checks.
 */
export function lockSchemaVersions(dir: string = defaultSchemasDir): { added: string[]; problems: SchemaCheckProblem[] } {
  const problems = checkSchemaRepository(dir).filter((p) => p.kind !== 'NOT_LOCKED');
  const repository = readSchemaRepository(dir).repository;
  if (problems.length > 0 || !repository) return { added: [], problems };
  const lock = readLock(dir) ?? { description: LOCK_DESCRIPTION, versions: {} as Record<string, string> };
  const added: string[] = [];
  for (const version of allVersions(repository)) {
    if (lock.versions[version.file] === undefined) {
      lock.versions[version.file] = fingerprintToHex(version.fingerprint);
      added.push(version.file);
    }
  }
  const sorted = Object.fromEntries(Object.entries(lock.versions).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(path.join(dir, SCHEMA_LOCK_FILE), `${JSON.stringify({ description: LOCK_DESCRIPTION, versions: sorted }, null, 2)}\n`);
  return { added, problems: [] };
}

function lockProblems(repository: SchemaRepository): SchemaCheckProblem[] {
  const lockFile = path.join(repository.dir, SCHEMA_LOCK_FILE);
  const lock = existsSync(lockFile) ? readLock(repository.dir) : { description: LOCK_DESCRIPTION, versions: {} };
  if (!lock) {
    return [{ kind: 'LOCK', file: SCHEMA_LOCK_FILE, message: `${SCHEMA_LOCK_FILE} ist kein gültiges JSON; bitte aus der Versionsverwaltung wiederherstellen.` }];
  }
  const problems: SchemaCheckProblem[] = [];
  const present = new Map(allVersions(repository).map((v) => [v.file, v]));
  for (const [file, fingerprint] of Object.entries(lock.versions)) {
    const version = present.get(file);
    if (!version) {
      problems.push({ kind: 'LOCK', file, message: `Die ausgelieferte Version ${file} ist verschwunden. Ausgelieferte Versionen bleiben für immer im Repository.` });
    } else if (fingerprintToHex(version.fingerprint) !== fingerprint) {
      problems.push({
        kind: 'LOCK',
        file,
        message:
          `${file} wurde nach der Auslieferung verändert (Fingerprint ${fingerprintToHex(version.fingerprint)} statt ${fingerprint}). ` +
          'Änderungen gehören in eine neue Version v<N+1>.avsc; die alte muss bleiben, wie sie war.',
      });
    }
  }
  for (const file of present.keys()) {
    if (lock.versions[file] === undefined) {
      problems.push({ kind: 'NOT_LOCKED', file, message: `${file} ist noch nicht in ${SCHEMA_LOCK_FILE} eingetragen; eintragen mit \`npm run schemas:lock\`.` });
    }
  }
  return problems;
}

function readLock(dir: string): SchemaLock | undefined {
  const file = path.join(dir, SCHEMA_LOCK_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SchemaLock>;
    if (typeof parsed.versions !== 'object' || parsed.versions === null) return undefined;
    return { description: String(parsed.description ?? LOCK_DESCRIPTION), versions: parsed.versions };
  } catch {
    return undefined;
  }
}

function allVersions(repository: SchemaRepository) {
  return [repository.envelope, ...repository.events].flatMap((h: SchemaHistory) => h.versions);
}

/** House rules for one schema; messages name the record and field. */
export function styleProblems(schema: AvroSchema): string[] {
  const problems: string[] = [];
  visit(schema, problems, new Set());
  return problems;
}

function visit(schema: AvroSchema, problems: string[], seen: Set<unknown>): void {
  if (typeof schema === 'string' || seen.has(schema)) return;
  seen.add(schema);
  if (Array.isArray(schema)) {
    for (const branch of schema as readonly AvroSchema[]) visit(branch, problems, seen);
    return;
  }
  const object = schema as AvroSchemaObject;
  const { type } = object;
  if (typeof type !== 'string') {
    visit(type, problems, seen);
    return;
  }
  const name = String(object['name'] ?? '');
  if ((type === 'record' || type === 'enum' || type === 'fixed') && !hasDoc(object)) {
    problems.push(`${type} ${name} hat kein "doc".`);
  }
  if (type === 'record') {
    for (const field of (object['fields'] as AvroSchemaObject[] | undefined) ?? []) {
      const fieldName = `${name}.${String(field['name'])}`;
      if (!hasDoc(field)) problems.push(`Feld ${fieldName} hat kein "doc".`);
      if (Array.isArray(field.type)) {
        const branches = field.type as readonly AvroSchema[];
        if (branches.length !== 2 || branches[0] !== 'null') {
          problems.push(`Feld ${fieldName}: eine Union muss genau ["null", T] sein (fehlender Wert = null, an erster Stelle).`);
        } else if (field['default'] !== null) {
          problems.push(`Feld ${fieldName}: ein optionales Feld ["null", T] braucht "default": null.`);
        }
      }
      visit(field.type, problems, seen);
    }
  } else if (type === 'array') {
    rejectNestedUnion(object['items'], `array in ${name || 'Schema'}`, problems);
    visit(object['items'] as AvroSchema, problems, seen);
  } else if (type === 'map') {
    rejectNestedUnion(object['values'], `map in ${name || 'Schema'}`, problems);
    visit(object['values'] as AvroSchema, problems, seen);
  }
}

function rejectNestedUnion(schema: unknown, where: string, problems: string[]): void {
  if (Array.isArray(schema) && (schema.length !== 2 || schema[0] !== 'null')) {
    problems.push(`${where}: eine Union muss genau ["null", T] sein.`);
  }
}

function hasDoc(object: AvroSchemaObject): boolean {
  return typeof object['doc'] === 'string' && object['doc'].trim() !== '';
}
