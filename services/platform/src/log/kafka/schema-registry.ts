/**
 * Optional Confluent Schema Registry support for the Kafka event log (ARCHITECTURE.md 6:
 * "a Confluent Schema Registry is supported where a deployment has one").
 *
 * The platform's values stay Avro single-object encoded everywhere else; only on the topic they
 * are written in the Confluent wire format, so Confluent-aware tools read them:
 *
 * - publish: the fingerprint names the writer schema; the schema (from the catalog the service
 *   wiring passes in, built from contracts/) is registered under the subject `<topic>-value`
 *   (TopicNameStrategy, the registry's default) and the returned id replaces the fingerprint.
 *   Registering a schema the subject already has returns its existing id, so this is idempotent.
 * - consume: the id is resolved to its schema by the registry, the schema to its fingerprint by
 *   the catalog, and the value handed to the handler is single-object encoded again.
 *
 * Ids and fingerprints are cached for the life of the process: a registry id never changes its
 * schema, and a subject never gives an existing schema a new id. Values that are not in the
 * expected framing (a record a tool wrote by hand, a test's plain bytes) pass unchanged.
 *
 * The registry's compatibility check applies on registration. Set the subjects (or the registry)
 * to FULL_TRANSITIVE, the rule contracts/ already enforces, so both agree.
 */
import {
  confluentSchemaId,
  confluentToSingleObject,
  fingerprintHex,
  isConfluentFramed,
  isSingleObject,
  singleObjectFingerprint,
  singleObjectToConfluent,
  WireFormatError,
} from './wire-format';

/** Resolves schemas the platform writes; contracts/ provides one (see the factory's doc). */
export interface AvroSchemaCatalog {
  /** The schema (JSON text) with this CRC-64-AVRO fingerprint, or undefined when unknown. */
  schemaOf(fingerprint: bigint): string | undefined;
  /** The CRC-64-AVRO fingerprint of a schema (JSON text), e.g. as the registry returns it. */
  fingerprintOf(schema: string): bigint;
}

export interface SchemaRegistryClient {
  /** Registers the Avro schema under the subject (or finds it there); resolves with its id. */
  register(subject: string, schema: string): Promise<number>;
  /** The schema (JSON text) with this id. */
  schemaById(id: number): Promise<string>;
}

/** The registry refused a request or could not be reached. */
export class SchemaRegistryError extends Error {
  readonly code = 'SCHEMA_REGISTRY';

  constructor(
    message: string,
    /** True for network failures and 5xx answers; a 4xx answer stays the same on retry. */
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SchemaRegistryError';
  }
}

export interface SchemaRegistryClientOptions {
  /** Base URL; credentials in it (`https://user:secret@host`) are sent as HTTP Basic auth. */
  url: string;
  /** Per request. Default 10 000 ms. */
  timeoutMs?: number;
  /** For tests; default the global fetch. */
  fetch?: typeof fetch;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export function createSchemaRegistryClient(options: SchemaRegistryClientOptions): SchemaRegistryClient {
  const { base, authorization, display } = parseRegistryUrl(options.url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fetchFn = options.fetch ?? fetch;

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: CONTENT_TYPE };
    if (authorization) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = CONTENT_TYPE;
    let response: Response;
    try {
      response = await fetchFn(`${base}${path}`, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SchemaRegistryError(
        `Die Schema Registry unter ${display} ist nicht erreichbar (${describe(error)}). SCHEMA_REGISTRY_URL prüfen und ob die Registry läuft.`,
        true,
        { cause: error },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      const reason = registryMessage(text) ?? `HTTP ${response.status}`;
      const hint = response.status === 409 ? ' Das Schema ist mit den bereits registrierten Versionen nicht kompatibel.' : '';
      throw new SchemaRegistryError(
        `Die Schema Registry unter ${display} lehnt ${method} ${path} ab: ${reason} (HTTP ${response.status}).${hint}`,
        response.status >= 500 || response.status === 429,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new SchemaRegistryError(`Die Schema Registry unter ${display} antwortet auf ${method} ${path} nicht mit JSON.`, false, { cause: error });
    }
  }

  return {
    async register(subject, schema) {
      const answer = (await call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema })) as { id?: unknown };
      if (typeof answer.id !== 'number') throw new SchemaRegistryError(`Die Schema Registry unter ${display} nennt keine Schema-ID für "${subject}".`, false);
      return answer.id;
    },
    async schemaById(id) {
      const answer = (await call('GET', `/schemas/ids/${id}`)) as { schema?: unknown; schemaType?: unknown };
      if (answer.schemaType !== undefined && answer.schemaType !== 'AVRO') {
        throw new WireFormatError(`Das Schema mit der ID ${id} ist kein Avro-Schema, sondern ${String(answer.schemaType)}.`);
      }
      if (typeof answer.schema !== 'string') throw new SchemaRegistryError(`Die Schema Registry unter ${display} liefert zur ID ${id} kein Schema.`, false);
      return answer.schema;
    },
  };
}

/** How values are framed on a topic. */
export interface ValueWireFormat {
  toWire(topic: string, value: Buffer): Promise<Buffer>;
  fromWire(topic: string, value: Buffer): Promise<Buffer>;
}

/** Values travel as they are (single-object encoded), without a registry. */
export const plainWireFormat: ValueWireFormat = {
  toWire: async (_topic, value) => value,
  fromWire: async (_topic, value) => value,
};

export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

export function confluentWireFormat(options: { registry: SchemaRegistryClient; catalog: AvroSchemaCatalog }): ValueWireFormat {
  const { registry, catalog } = options;
  const ids = new Map<string, Promise<number>>();
  const fingerprints = new Map<number, Promise<bigint>>();

  /** Caches the promise, so concurrent publishes register once; a failure is not cached. */
  function cached<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    let promise = cache.get(key);
    if (!promise) {
      promise = load();
      cache.set(key, promise);
      promise.catch(() => cache.delete(key));
    }
    return promise;
  }

  return {
    async toWire(topic, value) {
      if (!isSingleObject(value)) return value;
      const fingerprint = singleObjectFingerprint(value);
      const subject = valueSubject(topic);
      const id = await cached(ids, `${subject}\u0000${fingerprint}`, async () => {
        const schema = catalog.schemaOf(fingerprint);
        if (schema === undefined) {
          throw new WireFormatError(
            `Zum Fingerprint ${fingerprintHex(fingerprint)} kennt der Schema-Katalog kein Schema; der Wert kann nicht für die Schema Registry umgeschrieben werden. ` +
              'Wurde der Dienst mit älteren contracts/ gebaut als der Erzeuger?',
          );
        }
        return registry.register(subject, schema);
      });
      return singleObjectToConfluent(value, id);
    },
    async fromWire(_topic, value) {
      if (!isConfluentFramed(value)) return value;
      const id = confluentSchemaId(value);
      const fingerprint = await cached(fingerprints, id, async () => catalog.fingerprintOf(await registry.schemaById(id)));
      return confluentToSingleObject(value, fingerprint);
    },
  };
}

/** Splits credentials off the URL: they go into a header and never into messages or logs. */
export function parseRegistryUrl(url: string): { base: string; authorization: string | undefined; display: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError('Die Adresse der Schema Registry ist keine gültige URL (erwartet z. B. http://registry:8081).');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RangeError(`Die Schema Registry wird über http oder https angesprochen, nicht über ${parsed.protocol}`);
  }
  const authorization =
    parsed.username || parsed.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
      : undefined;
  parsed.username = '';
  parsed.password = '';
  const base = parsed.toString().replace(/\/+$/, '');
  return { base, authorization, display: base };
}

function registryMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    return typeof body.message === 'string' ? body.message : undefined;
  } catch {
    return text.trim().length > 0 ? text.trim().slice(0, 300) : undefined;
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
