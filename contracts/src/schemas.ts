import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Type, type Schema } from 'avsc';
import { SchemaRepositoryError, type SchemaFileProblem } from './errors';
import { type AvroSchema, type AvroSchemaObject, parsingCanonicalForm, crc64Avro, fingerprintToHex, schemaFingerprint } from './fingerprint';
import { type BoundedContext, isBoundedContext } from './topics';

/**
 * The shipped schemas: `schemas/<context>/<EventName>/v<N>.avsc`. Every version ever shipped
 * stays, the highest is current. Writers always use the current version; readers resolve any
 * version by its fingerprint, so topics can be replayed from the start after any number of
 * schema changes.
 */

/** Where the schemas are, relative to this file: the same from src/ (tests) and dist/ (built). */
export const defaultSchemasDir = path.resolve(__dirname, '..', 'schemas');

export const ENVELOPE_CONTEXT = 'envelope';
export const ENVELOPE_SCHEMA_NAME = 'EventEnvelope';
export const SCHEMA_NAMESPACE_PREFIX = 'de.lagebild';

export type SchemaContext = typeof ENVELOPE_CONTEXT | BoundedContext;

export interface SchemaVersion {
  version: number;
  /** Path relative to the schemas directory, with forward slashes, e.g. `goals/GoalCreated/v1.avsc`. */
  file: string;
  schema: AvroSchemaObject;
  canonicalForm: string;
  fingerprint: bigint;
}

export interface SchemaHistory {
  context: SchemaContext;
  /** Record name = event type name, e.g. `ObservationsRecorded`. */
  name: string;
  /** e.g. `de.lagebild.ingestion.ObservationsRecorded`. */
  fullName: string;
  /** All versions, ascending from 1 without gaps. */
  versions: readonly SchemaVersion[];
  current: SchemaVersion;
}

export interface SchemaRepository {
  dir: string;
  envelope: SchemaHistory;
  /** One history per integration event type, ordered by context and name. */
  events: readonly SchemaHistory[];
}

const VERSION_FILE = /^v([1-9][0-9]*)\.avsc$/;

function directories(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * Reads and checks the layout of a schemas directory. Problems are collected, not thrown, so a
 * check can report all of them at once; `repository` is undefined when the codec could not work
 * with what is there.
 */
export function readSchemaRepository(dir: string = defaultSchemasDir): {
  repository: SchemaRepository | undefined;
  problems: SchemaFileProblem[];
} {
  const problems: SchemaFileProblem[] = [];
  const problem = (file: string, message: string) => problems.push({ file, message });
  const histories: SchemaHistory[] = [];

  let contexts: string[];
  try {
    contexts = directories(dir);
  } catch (error) {
    return { repository: undefined, problems: [{ file: '.', message: `Verzeichnis nicht lesbar (${(error as Error).message}).` }] };
  }

  for (const context of contexts) {
    if (context !== ENVELOPE_CONTEXT && !isBoundedContext(context)) {
      problem(context, `Unbekannter Kontext "${context}": erlaubt sind ${ENVELOPE_CONTEXT} und die Bounded Contexts (src/topics.ts).`);
      continue;
    }
    for (const name of directories(path.join(dir, context))) {
      const history = readHistory(dir, context, name, problem);
      if (history) histories.push(history);
    }
  }

  const envelopes = histories.filter((h) => h.context === ENVELOPE_CONTEXT);
  const envelope = envelopes.find((h) => h.name === ENVELOPE_SCHEMA_NAME);
  if (!envelope || envelopes.length !== 1) {
    problem(ENVELOPE_CONTEXT, `Hier gehört genau ein Schema hin: ${ENVELOPE_SCHEMA_NAME}.`);
  }
  const events = histories.filter((h) => h.context !== ENVELOPE_CONTEXT);

  const byName = new Map<string, SchemaHistory>();
  for (const history of events) {
    const other = byName.get(history.name);
    if (other) problem(`${history.context}/${history.name}`, `Der Ereignistyp ${history.name} gibt es auch in ${other.context}; Typnamen müssen eindeutig sein.`);
    byName.set(history.name, history);
  }

  // The fingerprint is the only thing a reader sees, so it must name exactly one schema version.
  const byFingerprint = new Map<bigint, SchemaVersion>();
  for (const version of histories.flatMap((h) => h.versions)) {
    const other = byFingerprint.get(version.fingerprint);
    if (other) {
      problem(
        version.file,
        `hat dieselbe kanonische Form (Fingerprint ${fingerprintToHex(version.fingerprint)}) wie ${other.file}. ` +
          'Eine neue Version braucht eine Änderung der Struktur; reine Doku- oder Default-Änderungen gehören in die aktuelle Version.',
      );
    }
    byFingerprint.set(version.fingerprint, version);
  }

  const usable = envelope !== undefined && problems.length === 0;
  return { repository: usable ? { dir, envelope, events } : undefined, problems };
}

/** Like readSchemaRepository, but throws SchemaRepositoryError on any layout problem. */
export function loadSchemaRepository(dir: string = defaultSchemasDir): SchemaRepository {
  const { repository, problems } = readSchemaRepository(dir);
  if (!repository) throw new SchemaRepositoryError(problems);
  return repository;
}

function readHistory(
  dir: string,
  context: SchemaContext,
  name: string,
  problem: (file: string, message: string) => void,
): SchemaHistory | undefined {
  const relativeDir = `${context}/${name}`;
  const namespace = `${SCHEMA_NAMESPACE_PREFIX}.${context}`;
  const fullName = `${namespace}.${name}`;
  const versions: SchemaVersion[] = [];
  let ok = true;

  for (const file of readdirSync(path.join(dir, context, name)).sort()) {
    const relative = `${relativeDir}/${file}`;
    const match = VERSION_FILE.exec(file);
    if (!match || !statSync(path.join(dir, context, name, file)).isFile()) {
      problem(relative, 'Unerwartete Datei: hier liegen nur Schemaversionen v1.avsc, v2.avsc, ...');
      ok = false;
      continue;
    }
    let schema: unknown;
    try {
      schema = JSON.parse(readFileSync(path.join(dir, context, name, file), 'utf8'));
    } catch (error) {
      problem(relative, `Kein gültiges JSON (${(error as Error).message}).`);
      ok = false;
      continue;
    }
    if (typeof schema !== 'object' || schema === null || (schema as AvroSchemaObject).type !== 'record') {
      problem(relative, 'Ein Ereignisschema muss ein Record sein.');
      ok = false;
      continue;
    }
    const record = schema as AvroSchemaObject;
    if (record['name'] !== name || record['namespace'] !== namespace) {
      problem(relative, `Der Record muss "name": "${name}" und "namespace": "${namespace}" haben (Ordner bestimmt Kontext und Name).`);
      ok = false;
      continue;
    }
    try {
      // avsc rejects what is not valid Avro: unknown types, bad names, defaults that do not fit.
      Type.forSchema(record as unknown as Schema);
    } catch (error) {
      problem(relative, `Kein gültiges Avro-Schema: ${(error as Error).message}`);
      ok = false;
      continue;
    }
    const canonicalForm = parsingCanonicalForm(record);
    versions.push({
      version: Number(match[1]),
      file: relative,
      schema: record,
      canonicalForm,
      fingerprint: crc64Avro(Buffer.from(canonicalForm, 'utf8')),
    });
  }

  versions.sort((a, b) => a.version - b.version);
  versions.forEach((v, index) => {
    if (v.version !== index + 1) {
      problem(v.file, `Versionen müssen lückenlos bei v1 beginnen; erwartet v${index + 1}.avsc.`);
      ok = false;
    }
  });
  const current = versions[versions.length - 1];
  if (!current) {
    if (ok) problem(relativeDir, 'Keine Schemaversion vorhanden (v1.avsc fehlt).');
    return undefined;
  }
  return ok ? { context, name, fullName, versions, current } : undefined;
}

/**
 * Resolves envelope schemas by fingerprint and back, for the Kafka adapter's Confluent Schema
 * Registry wire format (SCHEMA_REGISTRY_URL): only the envelope is registered, event bodies travel
 * inside its payload bytes.
 */
export function envelopeSchemaCatalog(repository: SchemaRepository = loadSchemaRepository()): { schemaOf(fingerprint: bigint): string | undefined; fingerprintOf(schema: string): bigint } {
  const byFingerprint = new Map(repository.envelope.versions.map((v) => [v.fingerprint, JSON.stringify(v.schema)]));
  return {
    schemaOf: (fingerprint) => byFingerprint.get(fingerprint),
    fingerprintOf: (schema) => schemaFingerprint(JSON.parse(schema) as AvroSchema),
  };
}
