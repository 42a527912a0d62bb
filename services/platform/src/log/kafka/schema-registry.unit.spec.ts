import {
  confluentWireFormat,
  createSchemaRegistryClient,
  parseRegistryUrl,
  SchemaRegistryError,
  valueSubject,
  type AvroSchemaCatalog,
} from './schema-registry';
import { WireFormatError } from './wire-format';

const ENVELOPE_V1 = '{"type":"record","name":"EventEnvelope","namespace":"de.lagebild.envelope","fields":[{"name":"id","type":"string"}]}';
const ENVELOPE_V2 = '{"type":"record","name":"EventEnvelope","namespace":"de.lagebild.envelope","fields":[{"name":"id","type":"string"},{"name":"tenant","type":"string","default":""}]}';
const FINGERPRINTS = new Map<string, bigint>([
  [ENVELOPE_V1, 0x1111222233334444n],
  [ENVELOPE_V2, 0xf111222233334445n],
]);

/** The catalog contracts/ provides, reduced to two schemas; compares schemas as parsed JSON. */
const catalog: AvroSchemaCatalog = {
  schemaOf: (fingerprint) => [...FINGERPRINTS].find(([, fp]) => fp === fingerprint)?.[0],
  fingerprintOf: (schema) => {
    const fingerprint = FINGERPRINTS.get(JSON.stringify(JSON.parse(schema)));
    if (fingerprint === undefined) throw new Error(`unbekanntes Schema ${schema}`);
    return fingerprint;
  },
};

function singleObject(fingerprint: bigint, body: number[]): Buffer {
  const bytes = Buffer.alloc(10 + body.length);
  bytes[0] = 0xc3;
  bytes[1] = 0x01;
  bytes.writeBigUInt64LE(fingerprint, 2);
  Buffer.from(body).copy(bytes, 10);
  return bytes;
}

/** An in-memory registry answering the two endpoints the client uses, as the Confluent REST API does. */
function fakeRegistry(options: { refuse?: { status: number; body: unknown } } = {}) {
  const ids = new Map<string, number>();
  const subjects = new Map<string, Set<number>>();
  const calls: Array<{ method: string; path: string; headers: Record<string, string>; body?: unknown }> = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const body = init?.body ? (JSON.parse(String(init.body)) as { schema: string }) : undefined;
    calls.push({ method: init?.method ?? 'GET', path: url.pathname, headers, ...(body && { body }) });
    if (options.refuse) return new Response(JSON.stringify(options.refuse.body), { status: options.refuse.status });
    const register = /^\/subjects\/([^/]+)\/versions$/.exec(url.pathname);
    if (register && init?.method === 'POST') {
      // The registry stores schemas normalised (no whitespace changes meaning).
      const schema = JSON.stringify(JSON.parse(body!.schema));
      let id = ids.get(schema);
      if (id === undefined) {
        id = 100 + ids.size;
        ids.set(schema, id);
      }
      const subject = decodeURIComponent(register[1]!);
      subjects.set(subject, (subjects.get(subject) ?? new Set()).add(id));
      return new Response(JSON.stringify({ id }), { status: 200 });
    }
    const byId = /^\/schemas\/ids\/(\d+)$/.exec(url.pathname);
    if (byId) {
      const entry = [...ids].find(([, id]) => id === Number(byId[1]));
      if (!entry) return new Response(JSON.stringify({ error_code: 40403, message: 'Schema not found' }), { status: 404 });
      return new Response(JSON.stringify({ schema: entry[0] }), { status: 200 });
    }
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
  return { fetchFn, calls, subjects };
}

describe('Confluent Schema Registry wire format', () => {
  it("registers the writer schema under '<topic>-value' once and writes the registry's id in front of the body", async () => {
    const registry = fakeRegistry();
    const wire = confluentWireFormat({ registry: createSchemaRegistryClient({ url: 'http://registry:8081', fetch: registry.fetchFn }), catalog });
    const value = singleObject(0x1111222233334444n, [2, 4, 6]);

    const first = await wire.toWire('lagebild.goals', value);
    const second = await wire.toWire('lagebild.goals', singleObject(0x1111222233334444n, [8]));

    expect([...first]).toEqual([0, 0, 0, 0, 100, 2, 4, 6]);
    expect([...second]).toEqual([0, 0, 0, 0, 100, 8]);
    expect(registry.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /subjects/lagebild.goals-value/versions']);
    expect(registry.calls[0]!.body).toEqual({ schema: ENVELOPE_V1 });
    expect(registry.calls[0]!.headers['content-type']).toBe('application/vnd.schemaregistry.v1+json');
    expect(registry.subjects.get(valueSubject('lagebild.goals'))).toEqual(new Set([100]));
  });

  it('registers each schema version and each topic on its own', async () => {
    const registry = fakeRegistry();
    const wire = confluentWireFormat({ registry: createSchemaRegistryClient({ url: 'http://registry:8081', fetch: registry.fetchFn }), catalog });
    await wire.toWire('lagebild.goals', singleObject(0x1111222233334444n, []));
    const v2 = await wire.toWire('lagebild.goals', singleObject(0xf111222233334445n, []));
    await wire.toWire('lagebild.goals.dlq', singleObject(0x1111222233334444n, []));
    expect(v2.readUInt32BE(1)).toBe(101);
    expect([...registry.subjects.keys()]).toEqual(['lagebild.goals-value', 'lagebild.goals.dlq-value']);
  });

  it("reads a Confluent value back into the producer's single-object bytes, asking the registry once per id", async () => {
    const registry = fakeRegistry();
    const client = createSchemaRegistryClient({ url: 'http://registry:8081', fetch: registry.fetchFn });
    const producer = confluentWireFormat({ registry: client, catalog });
    const consumer = confluentWireFormat({ registry: client, catalog });
    const original = singleObject(0xf111222233334445n, [1, 2, 3]);
    const onTopic = await producer.toWire('lagebild.goals', original);

    expect((await consumer.fromWire('lagebild.goals', onTopic)).equals(original)).toBe(true);
    expect((await consumer.fromWire('lagebild.goals', onTopic)).equals(original)).toBe(true);
    expect(registry.calls.filter((c) => c.method === 'GET').map((c) => c.path)).toEqual(['/schemas/ids/100']);
  });

  it('passes values in other framings unchanged, both ways', async () => {
    const registry = fakeRegistry();
    const wire = confluentWireFormat({ registry: createSchemaRegistryClient({ url: 'http://registry:8081', fetch: registry.fetchFn }), catalog });
    const plain = Buffer.from('eins');
    expect(await wire.toWire('t', plain)).toBe(plain);
    expect(await wire.fromWire('t', plain)).toBe(plain);
    expect(registry.calls).toEqual([]);
  });

  it('refuses a fingerprint the catalog does not know, in German and without registering anything', async () => {
    const registry = fakeRegistry();
    const wire = confluentWireFormat({ registry: createSchemaRegistryClient({ url: 'http://registry:8081', fetch: registry.fetchFn }), catalog });
    const error = await wire.toWire('t', singleObject(42n, [])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WireFormatError);
    expect((error as Error).message).toMatch(/Fingerprint 0x000000000000002a kennt der Schema-Katalog kein Schema/);
    expect(registry.calls).toEqual([]);
  });

  it('reports an incompatible schema as not retriable with the registry message, and tries again on the next publish', async () => {
    const registry = fakeRegistry({ refuse: { status: 409, body: { error_code: 409, message: 'Schema being registered is incompatible with an earlier schema' } } });
    const wire = confluentWireFormat({ registry: createSchemaRegistryClient({ url: 'http://registry:8081', fetch: registry.fetchFn }), catalog });
    const value = singleObject(0x1111222233334444n, []);
    const error = await wire.toWire('lagebild.goals', value).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect(error).toMatchObject({ retriable: false });
    expect((error as Error).message).toMatch(/incompatible with an earlier schema \(HTTP 409\)\. Das Schema ist mit den bereits registrierten Versionen nicht kompatibel/);
    await wire.toWire('lagebild.goals', value).catch(() => undefined);
    expect(registry.calls).toHaveLength(2);
  });

  it('sends credentials from the URL as Basic auth and keeps them out of requests and messages', async () => {
    const registry = fakeRegistry();
    const client = createSchemaRegistryClient({ url: 'https://lagebild:geheim%21@registry.example:8081/', fetch: registry.fetchFn });
    await client.register('t-value', ENVELOPE_V1);
    expect(registry.calls[0]!.headers.authorization).toBe(`Basic ${Buffer.from('lagebild:geheim!').toString('base64')}`);

    const unreachable = createSchemaRegistryClient({
      url: 'https://lagebild:geheim@registry.example:8081',
      fetch: (async () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
      }) as typeof fetch,
    });
    const error = await unreachable.schemaById(1).catch((e: unknown) => e);
    expect(error).toMatchObject({ retriable: true });
    expect((error as Error).message).toBe(
      'Die Schema Registry unter https://registry.example:8081 ist nicht erreichbar (ECONNREFUSED). SCHEMA_REGISTRY_URL prüfen und ob die Registry läuft.',
    );
    expect((error as Error).message).not.toContain('geheim');
  });

  it('refuses a registry address that is not an http(s) URL', () => {
    expect(() => parseRegistryUrl('registry:8081')).toThrow(/http oder https/);
    expect(() => parseRegistryUrl('kein url')).toThrow(/keine gültige URL/);
    expect(parseRegistryUrl('http://registry:8081/').base).toBe('http://registry:8081');
  });
});
