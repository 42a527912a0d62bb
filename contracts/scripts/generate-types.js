'use strict';
// Generates src/generated/ (build output, git-ignored) from the current, i.e. highest, version of
// every schema under schemas/<context>/<EventName>/v<N>.avsc:
//   src/generated/<context>/<EventName>.ts   the TypeScript types of one schema (@ovotech/avro-ts)
//   src/generated/index.ts                   flat re-exports, EventDataByType, the event type list
// Plain Node on purpose: it runs before `tsc`, so it cannot use the package's own TypeScript.
// The full schema rules (layout, docs, compatibility) are checked by `npm run check:schemas`;
// this script only refuses what would make the generated types wrong or ambiguous.
//
// Several jobs (build, lint, test) may run it at the same moment: files are written atomically
// and only when their content changed, so a concurrent reader never sees a half-written file.

const fs = require('node:fs');
const path = require('node:path');

const packageDir = path.resolve(__dirname, '..');
const defaultSchemasDir = path.join(packageDir, 'schemas');
const defaultOutDir = path.join(packageDir, 'src', 'generated');

const ENVELOPE_CONTEXT = 'envelope';
const VERSION_FILE = /^v([1-9][0-9]*)\.avsc$/;

// Avro logical types as the codec hands them to TypeScript (src/logical-types.ts): instants and
// days as ISO 8601 strings, like the platform's EventMetadata. uuid stays a string by default.
const avroTsOptions = {
  logicalTypes: { 'timestamp-millis': 'string', date: 'string' },
  // Producers may leave out fields that have a default (the encoder writes the default);
  // decoded events always carry every field.
  defaultsAsOptional: true,
};

class GenerationError extends Error {}

function fail(message) {
  throw new GenerationError(`Typgenerierung abgebrochen: ${message}`);
}

function subdirectories(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function currentSchemas(schemasDir) {
  const found = [];
  for (const context of subdirectories(schemasDir)) {
    for (const name of subdirectories(path.join(schemasDir, context))) {
      const dir = path.join(schemasDir, context, name);
      const versions = fs
        .readdirSync(dir)
        .map((file) => VERSION_FILE.exec(file))
        .filter((match) => match !== null)
        .map((match) => Number(match[1]));
      if (versions.length === 0) fail(`schemas/${context}/${name} enthält keine Datei v<N>.avsc.`);
      const version = Math.max(...versions);
      const relative = `schemas/${context}/${name}/v${version}.avsc`;
      let schema;
      try {
        schema = JSON.parse(fs.readFileSync(path.join(dir, `v${version}.avsc`), 'utf8'));
      } catch (error) {
        fail(`${relative} ist kein gültiges JSON (${error.message}).`);
      }
      if (schema.type !== 'record' || schema.name !== name) {
        fail(`${relative} muss einen Record namens ${name} beschreiben.`);
      }
      found.push({ context, name, version, relative, schema });
    }
  }
  return found;
}

/** Named types (records, enums, fixed) of a schema with their full names, in definition order. */
function namedTypes(schema, namespace, out = []) {
  if (typeof schema === 'string' || schema === null) return out;
  if (Array.isArray(schema)) {
    for (const branch of schema) namedTypes(branch, namespace, out);
    return out;
  }
  const { type } = schema;
  if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
    const ns = schema.name.includes('.') ? undefined : schema.namespace ?? namespace;
    const fullName = ns ? `${ns}.${schema.name}` : schema.name;
    const lastDot = fullName.lastIndexOf('.');
    const ownNamespace = lastDot < 0 ? '' : fullName.slice(0, lastDot);
    out.push({ fullName, namespace: ownNamespace, shortName: fullName.slice(lastDot + 1), definition: schema });
    if (type !== 'enum' && type !== 'fixed') {
      for (const field of schema.fields) namedTypes(field.type, ownNamespace, out);
    }
  } else if (type === 'array') {
    namedTypes(schema.items, namespace, out);
  } else if (type === 'map') {
    namedTypes(schema.values, namespace, out);
  } else if (typeof type === 'object') {
    namedTypes(type, namespace, out);
  }
  return out;
}

/** The structure of a definition without its documentation, to compare two definitions. */
// Docs and the namespace key do not change a type's shape (the full names are compared apart).
function withoutDocs(value) {
  if (Array.isArray(value)) return value.map(withoutDocs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'doc' && key !== 'namespace')
      .map(([key, inner]) => [key, withoutDocs(inner)]),
  );
}

// Same naming as @ovotech/avro-ts uses for namespaces and interfaces.
const firstUpperCase = (name) => (name ? name[0].toUpperCase() + name.slice(1) : name);
const tsIdentifier = (name) => name.split(/[^a-zA-Z0-9_]+/).map(firstUpperCase).join('');

function silenceTypeScriptDeprecations() {
  // @ovotech/avro-ts (and its @ovotech/ts-compose) build the AST with TypeScript 4.x factory
  // functions that their TypeScript reports as deprecated; the output is right, and the noise
  // would hide real errors. Each of them may resolve its own copy of TypeScript.
  const avroTsDir = path.dirname(require.resolve('@ovotech/avro-ts/package.json'));
  const tsComposeDir = path.dirname(require.resolve('@ovotech/ts-compose/package.json', { paths: [avroTsDir] }));
  for (const dir of [avroTsDir, tsComposeDir]) {
    const ts = require(require.resolve('typescript', { paths: [dir] }));
    if (ts.Debug) ts.Debug.enableDeprecationWarnings = false;
  }
}

function writeIfChanged(file, content) {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

function removeStale(dir, keep) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removeStale(full, keep);
      if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
    } else if (!keep.has(full) && !entry.name.endsWith('.tmp')) {
      fs.rmSync(full, { force: true });
    }
  }
}

/** Writes src/generated/; throws on schemas it cannot generate types for. */
function generate({ schemasDir = defaultSchemasDir, outDir = defaultOutDir } = {}) {
  silenceTypeScriptDeprecations();
  const { toTypeScript } = require('@ovotech/avro-ts');

  const schemas = currentSchemas(schemasDir);
  const envelopes = schemas.filter((s) => s.context === ENVELOPE_CONTEXT);
  if (envelopes.length !== 1 || envelopes[0].name !== 'EventEnvelope') {
    fail('schemas/envelope/ muss genau das Schema EventEnvelope enthalten.');
  }

  const written = new Set();
  const exported = new Map(); // exported TS name -> { fullName, relative, definition, reference }
  const imports = [];
  const eventTypes = [];

  for (const entry of schemas) {
    const { context, name, version, relative, schema } = entry;
    const file = path.join(outDir, context, `${name}.ts`);
    const header =
      `// Generated by scripts/generate-types.js from ${relative} (current version). Do not edit:\n` +
      `// change the schema and run \`npm run generate\`.\n`;
    writeIfChanged(file, header + toTypeScript(schema, avroTsOptions));
    written.add(file);

    const types = namedTypes(schema, undefined);
    const rootName = types[0].fullName;
    const namespaceAliases = new Map();
    for (const named of types) {
      const isRoot = named.fullName === rootName;
      const exportName = isRoot && context === ENVELOPE_CONTEXT ? 'EventEnvelopeRecord' : named.shortName;
      const known = exported.get(exportName);
      if (known) {
        if (known.fullName !== named.fullName) {
          fail(
            `Der Typname ${exportName} ist doppelt vergeben (${known.fullName} in ${known.relative}, ` +
              `${named.fullName} in ${relative}); die generierten Typen brauchen eindeutige Namen.`,
          );
        }
        if (JSON.stringify(withoutDocs(known.definition)) !== JSON.stringify(withoutDocs(named.definition))) {
          fail(
            `${named.fullName} ist in ${known.relative} und ${relative} unterschiedlich definiert. ` +
              'Ein gemeinsamer Typ muss in allen aktuellen Schemas gleich aussehen (oder einen eigenen Namen bekommen).',
          );
        }
        continue;
      }
      let alias = namespaceAliases.get(named.namespace);
      if (!alias) {
        alias = `${name}_${tsIdentifier(named.namespace)}`;
        namespaceAliases.set(named.namespace, alias);
        imports.push(`import type { ${tsIdentifier(named.namespace)} as ${alias} } from './${context}/${name}';`);
      }
      exported.set(exportName, {
        fullName: named.fullName,
        relative,
        definition: named.definition,
        reference: `${alias}.${tsIdentifier(firstUpperCase(named.shortName))}`,
      });
    }
    if (context !== ENVELOPE_CONTEXT) {
      eventTypes.push({ type: name, context, schemaName: rootName, version });
    }
  }

  const duplicateType = eventTypes.find((e, i) => eventTypes.findIndex((o) => o.type === e.type) !== i);
  if (duplicateType) fail(`Der Ereignistyp ${duplicateType.type} kommt in mehreren Kontexten vor.`);

  const envelope = envelopes[0];
  const lines = [
    '// Generated by scripts/generate-types.js from the current version of every schema in schemas/.',
    '// Do not edit: change the schemas and run `npm run generate`.',
    "import type { BoundedContext } from '../topics';",
    ...imports,
    '',
    ...[...exported.entries()].map(([exportName, { reference }]) => `export type ${exportName} = ${reference};`),
    '',
    '/** The body type of every integration event type, by event type name. */',
    'export interface EventDataByType {',
    ...eventTypes.map((e) => `  ${e.type}: ${e.type};`),
    '}',
    '',
    'export type IntegrationEventType = keyof EventDataByType;',
    '',
    '/** Every integration event type with its bounded context and the current version of its schema. */',
    'export const integrationEventTypes = [',
    ...eventTypes.map(
      (e) =>
        `  { type: '${e.type}', context: '${e.context}', schemaName: '${e.schemaName}', currentVersion: ${e.version} },`,
    ),
    '] as const satisfies readonly {',
    '  type: IntegrationEventType;',
    '  context: BoundedContext;',
    '  schemaName: string;',
    '  currentVersion: number;',
    '}[];',
    '',
    '/** The current version of the envelope schema. */',
    `export const envelopeSchemaVersion = ${envelope.version};`,
    '',
  ];
  const indexFile = path.join(outDir, 'index.ts');
  writeIfChanged(indexFile, lines.join('\n'));
  written.add(indexFile);
  removeStale(outDir, written);
}

module.exports = { generate, GenerationError };

if (require.main === module) {
  try {
    generate();
  } catch (error) {
    console.error(error instanceof GenerationError ? error.message : error);
    process.exit(1);
  }
}
