import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Type, type Schema } from 'avsc';
import { checkSchemaRepository, lockSchemaVersions, SCHEMA_LOCK_FILE, type SchemaCheckProblem } from './schema-check';
import { defaultSchemasDir, loadSchemaRepository, readSchemaRepository } from './schemas';
import { boundedContexts } from './topics';
import { SchemaRepositoryError } from './errors';

function readable(problems: readonly SchemaCheckProblem[]): string[] {
  return problems.map((p) => `[${p.kind}] ${p.file}: ${p.message}`);
}

describe('the shipped schemas', () => {
  it('are laid out correctly, follow the house rules, are FULL_TRANSITIVE compatible with all earlier versions and locked', () => {
    expect(readable(checkSchemaRepository())).toEqual([]);
  });

  it('have at least one event type in every bounded context and a real history', () => {
    const repository = loadSchemaRepository();
    expect(new Set(repository.events.map((h) => h.context))).toEqual(new Set(boundedContexts));
    expect(repository.events.some((h) => h.versions.length > 1)).toBe(true);
  });

  it('have the same canonical form as avsc derives, so fingerprints agree with other Avro implementations', () => {
    const repository = loadSchemaRepository();
    for (const version of [repository.envelope, ...repository.events].flatMap((h) => h.versions)) {
      expect(JSON.stringify(Type.forSchema(version.schema as unknown as Schema).schema())).toBe(version.canonicalForm);
    }
  });
});

describe('the schema check on a changed copy of the schemas', () => {
  let dir: string;
  const observations = (file: string) => path.join(dir, 'ingestion', 'ObservationsRecorded', file);
  const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { fields: Array<Record<string, unknown>> };

  /** Writes ObservationsRecorded v3 = current v2 with one change to its top-level fields. */
  function addVersion3(change: (fields: Array<Record<string, unknown>>) => void): void {
    const schema = readJson(observations('v2.avsc'));
    change(schema.fields);
    writeFileSync(observations('v3.avsc'), JSON.stringify(schema, null, 2));
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lagebild-schemas-'));
    cpSync(defaultSchemasDir, dir, { recursive: true });
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes on the unchanged copy', () => {
    expect(readable(checkSchemaRepository(dir))).toEqual([]);
  });

  it('rejects a field added without default, naming the schema and the field', () => {
    addVersion3((fields) => fields.push({ name: 'reportingUnit', type: 'string', doc: 'Neu, aber ohne Default.' }));

    const problems = checkSchemaRepository(dir).filter((p) => p.kind === 'COMPATIBILITY');

    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      expect(problem.message).toContain('de.lagebild.ingestion.ObservationsRecorded');
      expect(problem.message).toContain('"reportingUnit"');
    }
    // v3 reads neither v1 nor v2 data.
    expect(problems.map((p) => p.message.slice(0, p.message.indexOf(' geschriebene')))).toEqual([
      'de.lagebild.ingestion.ObservationsRecorded: v3 kann mit v1',
      'de.lagebild.ingestion.ObservationsRecorded: v3 kann mit v2',
    ]);
  });

  it('rejects a type changed outside the Avro promotions, naming the schema and the field', () => {
    addVersion3((fields) => {
      const batchNumber = fields.find((f) => f['name'] === 'batchNumber')!;
      batchNumber['type'] = 'string';
    });

    const problems = checkSchemaRepository(dir).filter((p) => p.kind === 'COMPATIBILITY');

    expect(problems).toHaveLength(4); // v3 against v1 and v2, in both directions
    for (const problem of problems) {
      expect(problem.message).toMatch(/de\.lagebild\.ingestion\.ObservationsRecorded: .*Feld "batchNumber"/);
    }
  });

  it('accepts a compatible new version once it is locked', () => {
    addVersion3((fields) => fields.push({ name: 'remark', type: ['null', 'string'], default: null, doc: 'Bemerkung der Lieferung.' }));

    expect(checkSchemaRepository(dir).map((p) => p.kind)).toEqual(['NOT_LOCKED']);
    expect(lockSchemaVersions(dir)).toEqual({ added: ['ingestion/ObservationsRecorded/v3.avsc'], problems: [] });
    expect(readable(checkSchemaRepository(dir))).toEqual([]);
  });

  it('rejects a shipped version edited in place, which would orphan messages carrying its fingerprint', () => {
    const v1 = readJson(observations('v1.avsc'));
    v1.fields.push({ name: 'remark', type: ['null', 'string'], default: null, doc: 'Nachträglich eingefügt.' });
    writeFileSync(observations('v1.avsc'), JSON.stringify(v1, null, 2));

    const problems = checkSchemaRepository(dir).filter((p) => p.kind === 'LOCK');

    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('ingestion/ObservationsRecorded/v1.avsc wurde nach der Auslieferung verändert');
    const lockBefore = readFileSync(path.join(dir, SCHEMA_LOCK_FILE), 'utf8');
    expect(lockSchemaVersions(dir).added).toEqual([]);
    expect(readFileSync(path.join(dir, SCHEMA_LOCK_FILE), 'utf8')).toBe(lockBefore);
  });

  it('accepts a documentation change in a shipped version, which does not change its fingerprint', () => {
    const v1 = readJson(observations('v1.avsc')) as { doc?: string };
    v1.doc = 'Neu formulierte Beschreibung.';
    writeFileSync(observations('v1.avsc'), JSON.stringify(v1, null, 2));
    expect(readable(checkSchemaRepository(dir))).toEqual([]);
  });

  it('rejects a deleted shipped version', () => {
    unlinkSync(observations('v1.avsc'));
    const kinds = checkSchemaRepository(dir).map((p) => p.kind);
    expect(kinds).toContain('LAYOUT'); // v2 without v1
  });

  it('enforces the house rules on the current version: docs, and optional fields as ["null", T] with default null', () => {
    addVersion3((fields) => {
      fields.push({ name: 'undocumented', type: ['null', 'string'], default: null });
      fields.push({ name: 'nullLast', type: ['string', 'null'], default: 'x', doc: 'Null an zweiter Stelle.' });
      fields.push({ name: 'noDefault', type: ['null', 'int'], doc: 'Ohne Default.' });
    });

    const messages = checkSchemaRepository(dir)
      .filter((p) => p.kind === 'STYLE')
      .map((p) => p.message);

    expect(messages).toEqual([
      'de.lagebild.ingestion.ObservationsRecorded: Feld ObservationsRecorded.undocumented hat kein "doc".',
      'de.lagebild.ingestion.ObservationsRecorded: Feld ObservationsRecorded.nullLast: eine Union muss genau ["null", T] sein (fehlender Wert = null, an erster Stelle).',
      'de.lagebild.ingestion.ObservationsRecorded: Feld ObservationsRecorded.noDefault: ein optionales Feld ["null", T] braucht "default": null.',
    ]);
  });

  it('rejects a new version that differs only in documentation, because its fingerprint would be ambiguous', () => {
    const schema = readJson(observations('v2.avsc')) as { doc?: string };
    schema.doc = 'Nur die Beschreibung ist neu.';
    writeFileSync(observations('v3.avsc'), JSON.stringify(schema));

    const problems = checkSchemaRepository(dir).filter((p) => p.kind === 'LAYOUT');

    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('dieselbe kanonische Form');
  });

  it('rejects schemas whose folder does not match context and name, and unknown contexts', () => {
    mkdirSync(path.join(dir, 'warehouse', 'RowsProjected'), { recursive: true });
    writeFileSync(path.join(dir, 'warehouse', 'RowsProjected', 'v1.avsc'), '{}');
    const v1 = readJson(path.join(dir, 'goals', 'GoalCreated', 'v1.avsc')) as { namespace?: string };
    v1.namespace = 'de.lagebild.budget';
    writeFileSync(path.join(dir, 'goals', 'GoalCreated', 'v1.avsc'), JSON.stringify(v1));

    const { repository, problems } = readSchemaRepository(dir);

    expect(repository).toBeUndefined();
    expect(problems.map((p) => p.file)).toEqual(['goals/GoalCreated/v1.avsc', 'warehouse']);
    expect(() => loadSchemaRepository(dir)).toThrow(SchemaRepositoryError);
  });
});
