import {
  type AvroSchema,
  type AvroSchemaObject,
  fullNameOf,
  isPrimitiveTypeName,
  namespaceOf,
} from './fingerprint';

/**
 * Schema compatibility by the resolution rules of the Avro specification ("Schema Resolution"):
 * can data written with one schema be read with another?
 *
 * - records match by full name or a reader alias; fields match by name or a reader field alias;
 *   a reader field the writer lacks needs a default; writer fields the reader lacks are skipped;
 * - enums match by name; writer symbols the reader lacks need a reader enum default;
 * - fixed match by name and size; arrays and maps by their items / values;
 * - promotions: int -> long, float, double; long -> float, double; float -> double;
 *   string <-> bytes;
 * - a writer union is readable when every branch is; a reader union reads a writer type when
 *   one of its branches does (the first such branch is used);
 * - logical types resolve as their underlying types, except that decimals must agree in scale
 *   and precision.
 *
 * Names are compared as full names, as avsc (the engine that actually reads our events) does,
 * although the specification would accept unqualified names: a check that is laxer than the
 * reader would pass changes that then fail at runtime.
 */

export type IncompatibilityKind =
  | 'READER_FIELD_MISSING_DEFAULT'
  | 'TYPE_MISMATCH'
  | 'NAME_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

export interface Incompatibility {
  kind: IncompatibilityKind;
  /**
   * Where in the data, e.g. `observations[].status`: field names joined by dots, `[]` for array
   * items, `{}` for map values; empty for the schema's root.
   */
  path: string;
  /** German, names the field and both types. */
  message: string;
}

export type CompatibilityDirection = 'BACKWARD' | 'FORWARD';

export interface CompatibilityProblem extends Incompatibility {
  /** Full name of the schema, e.g. `de.lagebild.ingestion.ObservationsRecorded`. */
  schema: string;
  readerVersion: number;
  writerVersion: number;
  /** BACKWARD: the newer version reads the older one's data; FORWARD: the older reads the newer's. */
  direction: CompatibilityDirection;
}

export interface VersionedSchema {
  version: number;
  schema: AvroSchema;
}

/** Problems that keep `reader` from reading data written with `writer`; empty when compatible. */
export function checkCompatibility(reader: AvroSchema, writer: AvroSchema): Incompatibility[] {
  const problems: Incompatibility[] = [];
  compare(parseSchema(reader), parseSchema(writer), '', problems, new Set());
  return problems;
}

/**
 * FULL_TRANSITIVE: every version reads data of every earlier version (backward) and is read by
 * every earlier version (forward). Topics are replayed from the start, so a consumer on any
 * version meets data of every version.
 */
export function checkFullTransitive(history: readonly VersionedSchema[]): CompatibilityProblem[] {
  const sorted = [...history].sort((a, b) => a.version - b.version);
  const latest = sorted[sorted.length - 1];
  const schemaName = latest ? describeRootName(latest.schema) : '';
  const problems: CompatibilityProblem[] = [];
  for (let newer = 1; newer < sorted.length; newer++) {
    for (let older = 0; older < newer; older++) {
      const n = sorted[newer] as VersionedSchema;
      const o = sorted[older] as VersionedSchema;
      for (const [reader, writer, direction] of [
        [n, o, 'BACKWARD'],
        [o, n, 'FORWARD'],
      ] as const) {
        for (const incompatibility of checkCompatibility(reader.schema, writer.schema)) {
          problems.push({
            ...incompatibility,
            schema: schemaName,
            readerVersion: reader.version,
            writerVersion: writer.version,
            direction,
            message:
              `${schemaName}: v${reader.version} kann mit v${writer.version} geschriebene Daten nicht lesen ` +
              `(${direction === 'BACKWARD' ? 'rückwärts' : 'vorwärts'} inkompatibel). ${incompatibility.message}`,
          });
        }
      }
    }
  }
  return problems;
}

// --- A parsed schema: named references resolved, logical types reduced to what matters. ---

type Node = PrimitiveNode | RecordNode | EnumNode | FixedNode | ArrayNode | MapNode | UnionNode;

interface PrimitiveNode {
  kind: 'primitive';
  type: string;
  decimal?: { precision: unknown; scale: unknown };
}

interface NamedNode {
  fullName: string;
  /** Full names of the aliases. */
  aliases: readonly string[];
}

interface RecordNode extends NamedNode {
  kind: 'record';
  fields: FieldNode[];
}

interface FieldNode {
  name: string;
  aliases: readonly string[];
  type: Node;
  hasDefault: boolean;
}

interface EnumNode extends NamedNode {
  kind: 'enum';
  symbols: readonly string[];
  hasDefault: boolean;
}

interface FixedNode extends NamedNode {
  kind: 'fixed';
  size: number;
}

interface ArrayNode {
  kind: 'array';
  items: Node;
}

interface MapNode {
  kind: 'map';
  values: Node;
}

interface UnionNode {
  kind: 'union';
  branches: Node[];
}

function parseSchema(schema: AvroSchema): Node {
  return parse(schema, '', new Map());
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function parse(schema: AvroSchema, namespace: string, named: Map<string, Node>): Node {
  if (typeof schema === 'string') {
    if (isPrimitiveTypeName(schema)) return { kind: 'primitive', type: schema };
    const reference = named.get(fullNameOf(schema, namespace));
    if (!reference) throw new Error(`Unbekannter Typname ${schema} (Namensraum "${namespace}")`);
    return reference;
  }
  if (Array.isArray(schema)) {
    return { kind: 'union', branches: (schema as readonly AvroSchema[]).map((branch) => parse(branch, namespace, named)) };
  }
  const object = schema as AvroSchemaObject;
  const { type } = object;
  if (typeof type !== 'string') return parse(type, namespace, named);
  switch (type) {
    case 'record':
    case 'error':
    case 'enum':
    case 'fixed': {
      const ns = typeof object['namespace'] === 'string' ? object['namespace'] : namespace;
      const fullName = fullNameOf(String(object['name']), ns);
      const inner = namespaceOf(fullName);
      const aliases = stringList(object['aliases']).map((alias) => fullNameOf(alias, inner));
      if (type === 'enum') {
        const node: EnumNode = { kind: 'enum', fullName, aliases, symbols: stringList(object['symbols']), hasDefault: object['default'] !== undefined };
        named.set(fullName, node);
        return node;
      }
      if (type === 'fixed') {
        const node: FixedNode = { kind: 'fixed', fullName, aliases, size: Number(object['size']) };
        named.set(fullName, node);
        return node;
      }
      // Registered before its fields are parsed, so that recursive references resolve to it.
      const node: RecordNode = { kind: 'record', fullName, aliases, fields: [] };
      named.set(fullName, node);
      for (const field of (object['fields'] as AvroSchemaObject[] | undefined) ?? []) {
        node.fields.push({
          name: String(field['name']),
          aliases: stringList(field['aliases']),
          type: parse(field.type, inner, named),
          hasDefault: field['default'] !== undefined,
        });
      }
      return node;
    }
    case 'array':
      return { kind: 'array', items: parse(object['items'] as AvroSchema, namespace, named) };
    case 'map':
      return { kind: 'map', values: parse(object['values'] as AvroSchema, namespace, named) };
    default: {
      const node = parse(type, namespace, named);
      if (node.kind === 'primitive' && object['logicalType'] === 'decimal') {
        return { ...node, decimal: { precision: object['precision'], scale: object['scale'] ?? 0 } };
      }
      return node;
    }
  }
}

// --- Comparison ---

const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

function compare(reader: Node, writer: Node, path: string, problems: Incompatibility[], visiting: Set<string>): void {
  if (writer.kind === 'union') {
    for (const branch of writer.branches) {
      if (reader.kind === 'union') {
        if (!readableByUnion(reader, branch, path, problems, visiting)) {
          problems.push({
            kind: 'MISSING_UNION_BRANCH',
            path,
            message: `${where(path)}: der Zweig ${describe(branch)} der schreibenden Union fehlt in der lesenden Union ${describe(reader)}.`,
          });
        }
      } else {
        compare(reader, branch, path, problems, visiting);
      }
    }
    return;
  }
  if (reader.kind === 'union') {
    if (!readableByUnion(reader, writer, path, problems, visiting)) {
      problems.push({
        kind: 'TYPE_MISMATCH',
        path,
        message: `${where(path)}: ${describe(writer)} lässt sich mit keinem Zweig von ${describe(reader)} lesen.`,
      });
    }
    return;
  }
  if (reader.kind !== writer.kind) {
    problems.push(typeMismatch(reader, writer, path));
    return;
  }
  switch (reader.kind) {
    case 'primitive': {
      const w = writer as PrimitiveNode;
      const promotable = reader.type === w.type || (PROMOTIONS[w.type] ?? []).includes(reader.type);
      if (!promotable) {
        problems.push(typeMismatch(reader, w, path));
      } else if (reader.decimal && w.decimal && (reader.decimal.scale !== w.decimal.scale || reader.decimal.precision !== w.decimal.precision)) {
        problems.push({
          kind: 'TYPE_MISMATCH',
          path,
          message: `${where(path)}: Dezimalzahl mit Skala ${String(w.decimal.scale)} und Genauigkeit ${String(w.decimal.precision)} kann nicht als Skala ${String(reader.decimal.scale)} / Genauigkeit ${String(reader.decimal.precision)} gelesen werden.`,
        });
      }
      return;
    }
    case 'record': {
      const w = writer as RecordNode;
      if (!namesMatch(reader, w, path, problems)) return;
      // A recursive schema meets the same pair again; it was (or is being) checked already.
      const pair = `${reader.fullName}<-${w.fullName}`;
      if (visiting.has(pair)) return;
      visiting.add(pair);
      for (const field of reader.fields) {
        const candidates = [field.name, ...field.aliases];
        const written = w.fields.find((f) => candidates.includes(f.name));
        const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
        if (!written) {
          if (!field.hasDefault) {
            problems.push({
              kind: 'READER_FIELD_MISSING_DEFAULT',
              path: fieldPath,
              message: `Feld "${fieldPath}" fehlt in der schreibenden Version und hat in der lesenden keinen Default.`,
            });
          }
          continue;
        }
        compare(field.type, written.type, fieldPath, problems, visiting);
      }
      return;
    }
    case 'enum': {
      const w = writer as EnumNode;
      if (!namesMatch(reader, w, path, problems)) return;
      const missing = w.symbols.filter((symbol) => !reader.symbols.includes(symbol));
      if (missing.length > 0 && !reader.hasDefault) {
        problems.push({
          kind: 'MISSING_ENUM_SYMBOLS',
          path,
          message: `${where(path)}: die Symbole ${missing.join(', ')} der schreibenden Enum ${w.fullName} fehlen in der lesenden, und die hat keinen Default.`,
        });
      }
      return;
    }
    case 'fixed': {
      const w = writer as FixedNode;
      if (!namesMatch(reader, w, path, problems)) return;
      if (reader.size !== w.size) {
        problems.push({
          kind: 'FIXED_SIZE_MISMATCH',
          path,
          message: `${where(path)}: fixed ${w.fullName} hat ${w.size} Bytes in der schreibenden und ${reader.size} in der lesenden Version.`,
        });
      }
      return;
    }
    case 'array':
      compare(reader.items, (writer as ArrayNode).items, `${path}[]`, problems, visiting);
      return;
    case 'map':
      compare(reader.values, (writer as MapNode).values, `${path}{}`, problems, visiting);
      return;
    default: {
      const _exhaustive: never = reader;
      throw new Error(`Unbekannte Schemaart ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/**
 * Whether some branch of the reader union reads the writer type. When none does, the problems
 * of the branch that looks meant for it (same kind and name) are reported, because they say
 * more than "no branch fits".
 */
function readableByUnion(reader: UnionNode, writer: Node, path: string, problems: Incompatibility[], visiting: Set<string>): boolean {
  const attempts = reader.branches.map((branch) => {
    const found: Incompatibility[] = [];
    compare(branch, writer, path, found, new Set(visiting));
    return { branch, found };
  });
  if (attempts.some((attempt) => attempt.found.length === 0)) return true;
  const intended = attempts.find((attempt) => sameKindAndName(attempt.branch, writer));
  if (intended) {
    problems.push(...intended.found);
    return true; // reported in detail already
  }
  return false;
}

function sameKindAndName(a: Node, b: Node): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'record' || a.kind === 'enum' || a.kind === 'fixed') {
    const named = b as NamedNode;
    return a.fullName === named.fullName || a.aliases.includes(named.fullName);
  }
  return a.kind !== 'primitive' || a.type === (b as PrimitiveNode).type;
}

function namesMatch(reader: NamedNode & { kind: string }, writer: NamedNode, path: string, problems: Incompatibility[]): boolean {
  if (reader.fullName === writer.fullName || reader.aliases.includes(writer.fullName)) return true;
  problems.push({
    kind: 'NAME_MISMATCH',
    path,
    message: `${where(path)}: ${writer.fullName} lässt sich nicht als ${reader.fullName} lesen (anderer Name, kein passender Alias).`,
  });
  return false;
}

function typeMismatch(reader: Node, writer: Node, path: string): Incompatibility {
  return {
    kind: 'TYPE_MISMATCH',
    path,
    message: `${where(path)}: geschrieben als ${describe(writer)}, gelesen als ${describe(reader)}; das ist keine erlaubte Avro-Umwandlung.`,
  };
}

function where(path: string): string {
  return path === '' ? 'Schema-Wurzel' : `Feld "${path}"`;
}

function describe(node: Node): string {
  switch (node.kind) {
    case 'primitive':
      return node.type;
    case 'record':
    case 'enum':
    case 'fixed':
      return `${node.kind} ${node.fullName}`;
    case 'array':
      return `array<${describe(node.items)}>`;
    case 'map':
      return `map<${describe(node.values)}>`;
    case 'union':
      return `[${node.branches.map(describe).join(', ')}]`;
    default: {
      const _exhaustive: never = node;
      return String(_exhaustive);
    }
  }
}

function describeRootName(schema: AvroSchema): string {
  const node = parseSchema(schema);
  return node.kind === 'record' || node.kind === 'enum' || node.kind === 'fixed' ? node.fullName : describe(node);
}
