/**
 * Parsing Canonical Form and the CRC-64-AVRO (Rabin) fingerprint, both as the Avro specification
 * defines them ("Schema Fingerprints", "Parsing Canonical Form for Schemas"). The single-object
 * encoding carries this fingerprint, so it must agree bit for bit with every other Avro
 * implementation, not merely be some stable hash: avsc's own `fingerprint()` is MD5 and of no
 * use here.
 */

/** A schema as JSON (what an .avsc file holds). */
export type AvroSchema = string | readonly AvroSchema[] | AvroSchemaObject;

export interface AvroSchemaObject {
  readonly type: AvroSchema;
  readonly [attribute: string]: unknown;
}

const PRIMITIVES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export function isPrimitiveTypeName(name: string): boolean {
  return PRIMITIVES.has(name);
}

/** Full name of a named type: names containing a dot are already full. */
export function fullNameOf(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

export function namespaceOf(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? '' : fullName.slice(0, dot);
}

function attribute(schema: AvroSchemaObject, key: string): unknown {
  return schema[key];
}

function requiredString(schema: AvroSchemaObject, key: string): string {
  const value = attribute(schema, key);
  if (typeof value !== 'string') throw new Error(`Schema attribute "${key}" must be a string: ${JSON.stringify(schema)}`);
  return value;
}

function requiredArray(schema: AvroSchemaObject, key: string): readonly unknown[] {
  const value = attribute(schema, key);
  if (!Array.isArray(value)) throw new Error(`Schema attribute "${key}" must be an array: ${JSON.stringify(schema)}`);
  return value;
}

/**
 * The schema's Parsing Canonical Form: primitives in simple form, full names, only the
 * attributes that matter for parsing in the order name, type, fields, symbols, items, values,
 * size, no whitespace. A named type is written out at its first occurrence and referenced by
 * full name afterwards. Logical types, docs, defaults, aliases and order are dropped, so they
 * do not change the fingerprint.
 */
export function parsingCanonicalForm(schema: AvroSchema): string {
  return canonical(schema, '', new Set<string>());
}

function canonical(schema: AvroSchema, namespace: string, defined: Set<string>): string {
  if (typeof schema === 'string') {
    return JSON.stringify(isPrimitiveTypeName(schema) ? schema : fullNameOf(schema, namespace));
  }
  if (isSchemaArray(schema)) {
    return `[${schema.map((branch) => canonical(branch, namespace, defined)).join(',')}]`;
  }
  const { type } = schema;
  if (typeof type !== 'string') return canonical(type, namespace, defined);
  switch (type) {
    case 'record':
    case 'error':
    case 'enum':
    case 'fixed': {
      const explicitNamespace = attribute(schema, 'namespace');
      const name = fullNameOf(requiredString(schema, 'name'), typeof explicitNamespace === 'string' ? explicitNamespace : namespace);
      if (defined.has(name)) return JSON.stringify(name);
      defined.add(name);
      const inner = namespaceOf(name);
      const parts = [`"name":${JSON.stringify(name)}`, `"type":${JSON.stringify(type)}`];
      if (type === 'enum') {
        parts.push(`"symbols":${JSON.stringify(requiredArray(schema, 'symbols'))}`);
      } else if (type === 'fixed') {
        parts.push(`"size":${String(Number(attribute(schema, 'size')))}`);
      } else {
        const fields = requiredArray(schema, 'fields').map((field) => {
          const f = field as AvroSchemaObject;
          return `{"name":${JSON.stringify(requiredString(f, 'name'))},"type":${canonical(f.type, inner, defined)}}`;
        });
        parts.push(`"fields":[${fields.join(',')}]`);
      }
      return `{${parts.join(',')}}`;
    }
    case 'array':
      return `{"type":"array","items":${canonical(attribute(schema, 'items') as AvroSchema, namespace, defined)}}`;
    case 'map':
      return `{"type":"map","values":${canonical(attribute(schema, 'values') as AvroSchema, namespace, defined)}}`;
    default:
      // {"type": "int", "logicalType": ...} or {"type": "some.Named"}: the simple form.
      return canonical(type, namespace, defined);
  }
}

function isSchemaArray(schema: AvroSchema): schema is readonly AvroSchema[] {
  return Array.isArray(schema);
}

// CRC-64-AVRO: the 64-bit Rabin fingerprint of the specification, computed byte by byte with a
// 256-entry table. BigInt keeps the arithmetic unsigned 64-bit; speed does not matter because
// fingerprints are computed once per schema when a codec is created.
const EMPTY = 0xc15d213aa4d7a795n;
const MASK_64 = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, index) => {
  let fp = BigInt(index);
  for (let bit = 0; bit < 8; bit++) {
    fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK_64);
  }
  return fp;
});

/** CRC-64-AVRO of raw bytes, as an unsigned 64-bit value. */
export function crc64Avro(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const byte of bytes) {
    fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint);
  }
  return fp;
}

/** The schema's fingerprint: CRC-64-AVRO of the UTF-8 bytes of its Parsing Canonical Form. */
export function schemaFingerprint(schema: AvroSchema): bigint {
  return crc64Avro(Buffer.from(parsingCanonicalForm(schema), 'utf8'));
}

/** 16 hex digits, most significant first (how other tools print a CRC-64-AVRO fingerprint). */
export function fingerprintToHex(fingerprint: bigint): string {
  return fingerprint.toString(16).padStart(16, '0');
}
