import { Type, type Schema } from 'avsc';
import { boundedCollectionsHook } from './bounded-collections';
import {
  CorruptMessageError,
  EventTypeMismatchError,
  InvalidEventError,
  TruncatedMessageError,
  UnknownEventTypeError,
  UnknownSchemaError,
  type EventIssue,
} from './errors';
import { fingerprintToHex } from './fingerprint';
import {
  envelopeSchemaVersion,
  integrationEventTypes,
  type EventDataByType,
  type EventEnvelopeRecord,
  type IntegrationEventType,
} from './generated';
import { codecLogicalTypes, describeLogicalType } from './logical-types';
import { readSingleObject, singleObjectHeader } from './single-object';
import { defaultSchemasDir, loadSchemaRepository, type SchemaHistory, type SchemaVersion } from './schemas';
import { type BoundedContext, type Topic, isBoundedContext, topicOfContext } from './topics';

/**
 * The envelope fields of an integration event (ARCHITECTURE.md 5) as TypeScript sees them:
 * `occurredAt` and `recordedAt` are ISO 8601 strings like the platform's EventMetadata (on the
 * wire they are timestamp-millis longs). The event type sits beside the envelope, and the
 * payload is the encoded `data`, so neither is repeated here.
 */
export type EventEnvelope = Omit<EventEnvelopeRecord, 'type' | 'payload'>;

/** An integration event: a discriminated union over `type`. */
export type IntegrationEvent<T extends IntegrationEventType = IntegrationEventType> = {
  [K in T]: { envelope: EventEnvelope; type: K; data: EventDataByType[K] };
}[T];

/** An event whose envelope is decoded and whose body is still encoded. */
export interface EncodedIntegrationEvent {
  envelope: EventEnvelope;
  /** As the envelope says; may be a type this codec does not know (written by a newer service). */
  type: string;
  /** The body in single-object encoding. */
  payload: Buffer;
}

export interface CodecOptions {
  /**
   * Directory of the schemas. Default: the schemas shipped with this package, which are also the
   * ones the generated TypeScript types describe; another directory is for tools and tests.
   */
  schemasDir?: string;
}

export interface IntegrationEventCodec {
  /** Envelope and body, each in single-object encoding with the current version of its schema. */
  encode(event: IntegrationEvent): Buffer;
  /** Reads any shipped version (found by fingerprint) into the current version's shape. */
  decode(bytes: Buffer): IntegrationEvent;
  /** Decodes only the envelope, e.g. to route or skip an event without reading its body. */
  decodeEnvelope(bytes: Buffer): EncodedIntegrationEvent;
  /** Topic of the event type's bounded context, e.g. `lagebild.ingestion`. */
  topicOf(type: IntegrationEventType): Topic;
  contextOf(type: IntegrationEventType): BoundedContext;
  isIntegrationEvent(type: string): type is IntegrationEventType;
  /** All event types with a schema, ordered by context and name. */
  readonly eventTypes: readonly IntegrationEventType[];
}

type Resolver = ReturnType<Type['createResolver']>;

interface CompiledVersion {
  history: SchemaHistory;
  version: SchemaVersion;
  /** e.g. `de.lagebild.ingestion.ObservationsRecorded v1` */
  label: string;
  type: Type;
  header: Buffer;
  /** Reads this version's data into the current version; undefined for the current version. */
  resolver: Resolver | undefined;
  /** The current version's type (reader of every version). */
  reader: Type;
}

function compileType(schema: Schema): Type {
  // A fresh options object per schema: avsc stores its registry of named types in it, and the
  // same names (e.g. de.lagebild.common.ReferencePeriod) appear in many schemas.
  return Type.forSchema(schema, {
    logicalTypes: codecLogicalTypes,
    // Only ["null", T] unions are allowed (schema check), which 'auto' leaves unwrapped: a value
    // is either null or a T, as the generated types say.
    wrapUnions: 'auto',
    omitRecordMethods: true,
    typeHook: boundedCollectionsHook,
  });
}

function compileHistory(history: SchemaHistory): CompiledVersion[] {
  const reader = compileType(history.current.schema as unknown as Schema);
  return history.versions.map((version) => {
    const isCurrent = version === history.current;
    const type = isCurrent ? reader : compileType(version.schema as unknown as Schema);
    return {
      history,
      version,
      label: `${history.fullName} v${version.version}`,
      type,
      header: singleObjectHeader(version.fingerprint),
      resolver: isCurrent ? undefined : reader.createResolver(type),
      reader,
    };
  });
}

export function createCodec(options: CodecOptions = {}): IntegrationEventCodec {
  const schemasDir = options.schemasDir ?? defaultSchemasDir;
  const repository = loadSchemaRepository(schemasDir);
  if (options.schemasDir === undefined) assertGeneratedTypesMatch(repository.envelope, repository.events);

  const byFingerprint = new Map<bigint, CompiledVersion>();
  const currentByType = new Map<string, CompiledVersion>();
  const contextByType = new Map<string, BoundedContext>();
  const compile = (history: SchemaHistory): CompiledVersion => {
    const versions = compileHistory(history);
    for (const compiled of versions) byFingerprint.set(compiled.version.fingerprint, compiled);
    return versions[versions.length - 1] as CompiledVersion;
  };

  const envelope = compile(repository.envelope);
  for (const history of repository.events) {
    currentByType.set(history.name, compile(history));
    if (isBoundedContext(history.context)) contextByType.set(history.name, history.context);
  }

  function readBody(compiled: CompiledVersion, body: Buffer): unknown {
    let result: { value: unknown; offset: number };
    try {
      result = compiled.reader.decode(body, 0, compiled.resolver);
    } catch (error) {
      throw new CorruptMessageError(compiled.label, (error as Error).message, { cause: error });
    }
    if (result.offset < 0) throw new TruncatedMessageError(`der Inhalt (${compiled.label}) endet vorzeitig.`);
    if (result.offset !== body.length) {
      throw new CorruptMessageError(compiled.label, `${body.length - result.offset} überzählige Bytes nach dem Inhalt`);
    }
    return result.value;
  }

  /**
   * Scratch space for encoding, grown to the largest event seen. avsc's toBuffer writes into a
   * fixed 1 KB buffer and, for anything larger, writes the whole value a second time into one
   * of the right size; an event batch of thousands of values paid twice, and once more for the
   * envelope around it. Encoding into this buffer once (again only when it was too small) and
   * copying the bytes out costs one pass and one copy.
   */
  let scratch = Buffer.allocUnsafe(1 << 16);

  function writeBody(compiled: CompiledVersion, value: unknown, what: string): Buffer {
    const { header } = compiled;
    for (;;) {
      header.copy(scratch, 0);
      let end: number;
      try {
        end = compiled.type.encode(value, scratch, header.length);
      } catch (error) {
        throw new InvalidEventError(`${what} (${compiled.label})`, issuesOf(compiled.type, value, error), { cause: error });
      }
      // A negative result is the number of bytes missing.
      if (end >= 0) return Buffer.from(scratch.subarray(0, end));
      let size = scratch.length * 2;
      while (size < scratch.length - end) size *= 2;
      scratch = Buffer.allocUnsafe(size);
    }
  }

  function lookUp(bytes: Buffer, what: string): { compiled: CompiledVersion; body: Buffer } {
    const { fingerprint, body } = readSingleObject(bytes);
    const compiled = byFingerprint.get(fingerprint);
    if (!compiled) throw new UnknownSchemaError(fingerprintToHex(fingerprint), what);
    return { compiled, body };
  }

  function decodeEnvelope(bytes: Buffer): EncodedIntegrationEvent {
    const { compiled, body } = lookUp(bytes, 'Der Umschlag');
    if (compiled.history !== envelope.history) {
      throw new CorruptMessageError(compiled.label, 'erwartet wurde ein Ereignisumschlag');
    }
    const record = readBody(compiled, body) as EventEnvelopeRecord;
    const { type, payload, ...fields } = record;
    return { envelope: fields, type, payload };
  }

  function currentOf(type: string): CompiledVersion {
    const compiled = currentByType.get(type);
    if (!compiled) throw new UnknownEventTypeError(type);
    return compiled;
  }

  function contextOf(type: IntegrationEventType): BoundedContext {
    const context = contextByType.get(type);
    if (!context) throw new UnknownEventTypeError(type);
    return context;
  }

  return {
    eventTypes: [...currentByType.keys()] as IntegrationEventType[],

    encode(event: IntegrationEvent): Buffer {
      const current = currentOf(event.type);
      const payload = writeBody(current, event.data, `Ereignis ${event.type}`);
      const e = event.envelope;
      // Listed field by field so that extra properties of the caller's object stay out.
      const record: EventEnvelopeRecord = {
        id: e.id,
        type: event.type,
        tenant: e.tenant,
        stream: e.stream,
        version: e.version,
        occurredAt: e.occurredAt,
        recordedAt: e.recordedAt,
        actor: e.actor,
        correlationId: e.correlationId,
        causationId: e.causationId ?? null,
        traceparent: e.traceparent ?? null,
        payload,
      };
      return writeBody(envelope, record, `Umschlag des Ereignisses ${event.type}`);
    },

    decode(bytes: Buffer): IntegrationEvent {
      const { envelope: fields, type, payload } = decodeEnvelope(bytes);
      const current = currentOf(type);
      const { compiled, body } = lookUp(payload, `Die Nutzlast des Ereignisses ${type}`);
      if (compiled.history !== current.history) throw new EventTypeMismatchError(type, compiled.label);
      return { envelope: fields, type, data: readBody(compiled, body) } as IntegrationEvent;
    },

    decodeEnvelope,

    topicOf(type: IntegrationEventType): Topic {
      return topicOfContext(contextOf(type));
    },

    contextOf,

    isIntegrationEvent(type: string): type is IntegrationEventType {
      return currentByType.has(type);
    },
  };
}

/**
 * The generated types describe the schemas as they were at build time. If the shipped schemas
 * moved on without a rebuild, events would be typed by one version and encoded with another.
 */
function assertGeneratedTypesMatch(envelope: SchemaHistory, events: readonly SchemaHistory[]): void {
  const generated = new Map<string, number>(integrationEventTypes.map((t) => [t.type, t.currentVersion]));
  const shipped = new Map(events.map((h) => [h.name, h.current.version]));
  const stale =
    envelope.current.version !== envelopeSchemaVersion ||
    generated.size !== shipped.size ||
    [...shipped].some(([name, version]) => generated.get(name) !== version);
  if (stale) {
    throw new Error(
      'Die generierten TypeScript-Typen passen nicht zu den Schemas in @lagebild/contracts: bitte `npm run build` im Paket contracts ausführen.',
    );
  }
}

const MAX_ISSUES = 10;

function issuesOf(type: Type, value: unknown, error: unknown): EventIssue[] {
  const issues: EventIssue[] = [];
  type.isValid(value, {
    errorHook: (path: string[], found: unknown, expected: Type) => {
      if (issues.length < MAX_ISSUES) {
        issues.push({
          path: path.join('.'),
          message: found === undefined ? `fehlt (erwartet: ${describeExpected(expected)})` : `erwartet ${describeExpected(expected)}, erhalten ${preview(found)}`,
        });
      }
    },
  });
  if (issues.length === 0) issues.push({ path: '', message: (error as Error).message });
  return issues;
}

function describeExpected(type: Type): string {
  const logical = describeLogicalType(type);
  if (logical) return logical;
  if (Type.isType(type, 'union:unwrapped', 'union:wrapped')) {
    const branches = (type as unknown as { types: Type[] }).types;
    return branches.map(describeExpected).join(' oder ');
  }
  switch (type.typeName) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'true oder false';
    case 'int':
      return 'ganze Zahl (32 Bit)';
    case 'long':
      return 'ganze Zahl (bis 2^53)';
    case 'float':
    case 'double':
      return 'Zahl';
    case 'string':
      return 'Text';
    case 'bytes':
      return 'Bytes (Buffer)';
    case 'enum':
      return `eines von ${(type as unknown as { symbols: string[] }).symbols.join(', ')}`;
    case 'array':
      return 'Liste';
    case 'map':
      return 'Objekt mit Textschlüsseln';
    case 'record':
      return `Objekt ${type.name ?? ''}`.trim();
    default:
      return type.typeName;
  }
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
