import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Type, type Schema } from 'avsc';
import { createCodec, type IntegrationEvent } from './codec';
import {
  ContractsError,
  CorruptMessageError,
  EventTypeMismatchError,
  InvalidEventError,
  InvalidMagicError,
  TruncatedMessageError,
  UnknownEventTypeError,
  UnknownSchemaError,
} from './errors';
import { exampleIntegrationEvent, exampleIntegrationEvents } from './examples';
import { fingerprintToHex, schemaFingerprint, type AvroSchemaObject } from './fingerprint';
import { codecLogicalTypes } from './logical-types';
import { lockSchemaVersions } from './schema-check';
import { defaultSchemasDir, loadSchemaRepository } from './schemas';
import { readSingleObject, singleObjectHeader } from './single-object';

const codec = createCodec();
const repository = loadSchemaRepository();

function historyOf(name: string) {
  const history = [repository.envelope, ...repository.events].find((h) => h.name === name);
  if (!history) throw new Error(`no schema ${name}`);
  return history;
}

/** Single-object encoding of `value` with a given (possibly old) schema version, as an old producer wrote it. */
function encodeWith(schema: AvroSchemaObject, value: unknown): Buffer {
  const type = Type.forSchema(schema as unknown as Schema, { logicalTypes: codecLogicalTypes });
  return Buffer.concat([singleObjectHeader(schemaFingerprint(schema)), type.toBuffer(value)]);
}

function envelopeAround(type: string, payload: Buffer, base: IntegrationEvent = exampleIntegrationEvent('GoalCreated')): Buffer {
  return encodeWith(repository.envelope.current.schema, { ...base.envelope, type, payload });
}

describe('the codec', () => {
  it.each(exampleIntegrationEvents().map((event) => [event.type, event] as const))('round-trips %s unchanged', (_, event) => {
    expect(codec.decode(codec.encode(event))).toEqual(event);
  });

  it('round-trips a batch of 5,000 observations, and small events before and after it, byte for byte the same as each alone', () => {
    const small = exampleIntegrationEvent('GoalCreated');
    const template = exampleIntegrationEvent('ObservationsRecorded');
    const observations = Array.from({ length: 5_000 }, (_, i) => ({ ...template.data.observations[0]!, areaCode: `PR-${i}`, value: i }));
    const large = { ...template, data: { ...template.data, observations } } as IntegrationEvent;
    const smallBefore = codec.encode(small);
    const largeBytes = codec.encode(large);
    // Encoded again after the large one: nothing of it may be left over in the small one.
    const smallAfter = codec.encode(small);
    expect(largeBytes.length).toBeGreaterThan(100_000);
    expect(codec.decode(largeBytes)).toEqual(large);
    expect(smallAfter).toEqual(smallBefore);
    expect(codec.decode(smallAfter)).toEqual(small);
    // Each result owns its bytes: a later encoding does not change an earlier one.
    expect(codec.decode(largeBytes)).toEqual(large);
  });

  it('writes envelope and body in single-object encoding with the current schema fingerprints', () => {
    const event = exampleIntegrationEvent('ObservationsRecorded');
    const bytes = codec.encode(event);

    expect([...bytes.subarray(0, 2)]).toEqual([0xc3, 0x01]);
    expect(bytes.readBigUInt64LE(2)).toBe(repository.envelope.current.fingerprint);
    const { payload, type, envelope } = codec.decodeEnvelope(bytes);
    expect(type).toBe('ObservationsRecorded');
    expect(envelope).toEqual(event.envelope);
    expect([...payload.subarray(0, 2)]).toEqual([0xc3, 0x01]);
    expect(readSingleObject(payload).fingerprint).toBe(historyOf('ObservationsRecorded').current.fingerprint);
  });

  it('reads an event written with an older schema version into the current shape', () => {
    const v1 = historyOf('ObservationsRecorded').versions[0]!;
    expect(v1.version).toBe(1);
    const current = exampleIntegrationEvent('ObservationsRecorded');
    const writtenByV1 = { ...current.data, observations: current.data.observations.map(({ sourceLine: _sourceLine, ...rest }) => rest) };

    const decoded = codec.decode(envelopeAround('ObservationsRecorded', encodeWith(v1.schema, writtenByV1), current));

    expect(decoded.type).toBe('ObservationsRecorded');
    expect(decoded.data).toEqual({ ...current.data, observations: current.data.observations.map((o) => ({ ...o, sourceLine: null })) });
  });

  it('fills in the defaults of optional fields a producer left out', () => {
    const event: IntegrationEvent<'GoalCreated'> = {
      type: 'GoalCreated',
      envelope: { ...exampleIntegrationEvent('GoalCreated').envelope, causationId: undefined, traceparent: undefined },
      data: {
        goalId: '5b0e9a4c-2f7d-4e1a-8c3b-6d9f0e2a4c71',
        level: 'TEILZIEL',
        field: 'RESSOURCEN',
        title: 'Fachleistungsstunden vollständig abrufen',
        smart: false,
        responsibleUnit: 'Jugendamt',
      },
    };

    const decoded = codec.decode(codec.encode(event)) as IntegrationEvent<'GoalCreated'>;

    expect(decoded.envelope.causationId).toBeNull();
    expect(decoded.envelope.traceparent).toBeNull();
    expect(decoded.data).toEqual({
      ...event.data,
      parentGoalId: null,
      description: null,
      targetGroup: null,
      spatialScope: null,
      priority: null,
      horizon: null,
      effectHypothesis: null,
      decision: null,
      linkedProducts: [],
    });
  });

  it('keeps the instant of a timestamp with an offset and returns it in UTC', () => {
    const event = exampleIntegrationEvent('GoalCreated');
    event.envelope.occurredAt = '2024-03-01T10:15:00+01:00';

    expect(codec.decode(codec.encode(event)).envelope.occurredAt).toBe('2024-03-01T09:15:00.000Z');
  });

  it('knows the topic of every event type: one per bounded context', () => {
    expect(codec.topicOf('ObservationsRecorded')).toBe('lagebild.ingestion');
    expect(codec.topicOf('AreaSchemeVersionPublished')).toBe('lagebild.ingestion');
    expect(codec.topicOf('IndicatorValuesComputed')).toBe('lagebild.indicators');
    expect(codec.topicOf('TargetValueSet')).toBe('lagebild.goals');
    expect(codec.topicOf('ActualPosted')).toBe('lagebild.budget');
    expect(codec.isIntegrationEvent('GoalCreated')).toBe(true);
    expect(codec.isIntegrationEvent('GoalDrafted')).toBe(false);
    expect(new Set(codec.eventTypes)).toEqual(new Set(exampleIntegrationEvents().map((e) => e.type)));
  });
});

describe('encoding refuses what does not fit the schema', () => {
  it('names every offending field in German', () => {
    const event = exampleIntegrationEvent('ObservationsRecorded');
    event.data.observations[4] = { ...event.data.observations[4]!, period: { kind: 'ZEITRAUM', start: '2020-01-01', end: '2020-02-30' } };
    event.data.observations[1] = { ...event.data.observations[1]!, value: 'viele' as unknown as number };
    delete (event.data as Partial<typeof event.data>).datasetId;

    let error: unknown;
    try {
      codec.encode(event);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(InvalidEventError);
    const invalid = error as InvalidEventError;
    expect(invalid.code).toBe('INVALID_EVENT');
    expect(invalid.issues.map((i) => i.path)).toEqual(['datasetId', 'observations.1.value', 'observations.4.period.end']);
    expect(invalid.message).toContain('Ereignis ObservationsRecorded (de.lagebild.ingestion.ObservationsRecorded v2) passt nicht zum Schema');
    expect(invalid.message).toContain('observations.4.period.end: erwartet Datum als JJJJ-MM-TT');
    expect(invalid.message).toContain('datasetId: fehlt');
  });

  it('rejects ids that are not UUIDs and instants without a time zone', () => {
    const event = exampleIntegrationEvent('TargetValueSet');
    event.data.goalId = 'ziel-42';
    expect(() => codec.encode(event)).toThrow(/goalId: erwartet UUID/);

    const local = exampleIntegrationEvent('TargetValueSet');
    local.envelope.occurredAt = '2024-03-01T10:15:00';
    expect(() => codec.encode(local)).toThrow(/Umschlag des Ereignisses TargetValueSet .*occurredAt: erwartet Zeitpunkt als ISO-8601-Text mit Zeitzone/);
  });

  it('rejects an event type without schema', () => {
    const event = { ...exampleIntegrationEvent('GoalCreated'), type: 'GoalDrafted' } as unknown as IntegrationEvent;
    expect(() => codec.encode(event)).toThrow(UnknownEventTypeError);
    expect(() => codec.topicOf('GoalDrafted' as 'GoalCreated')).toThrow('Unbekannter Ereignistyp "GoalDrafted"');
  });
});

describe('decoding refuses bytes it cannot trust, with typed errors', () => {
  const bytes = codec.encode(exampleIntegrationEvent('IndicatorValuesComputed'));

  it('rejects bytes without the single-object marker', () => {
    expect(() => codec.decode(Buffer.from('{"type":"GoalCreated"}'))).toThrow(InvalidMagicError);
  });

  it('rejects a message cut off in the header or in the body', () => {
    expect(() => codec.decode(bytes.subarray(0, 7))).toThrow(TruncatedMessageError);
    expect(() => codec.decode(bytes.subarray(0, bytes.length - 5))).toThrow(TruncatedMessageError);
  });

  it('rejects an unknown fingerprint with its value in the message', () => {
    const forged = Buffer.from(bytes);
    forged.writeBigUInt64LE(0x0123456789abcdefn, 2);

    let error: unknown;
    try {
      codec.decode(forged);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(UnknownSchemaError);
    expect((error as UnknownSchemaError).fingerprint).toBe('0123456789abcdef');
    expect((error as Error).message).toMatch(/^Unbekanntes Schema \(Fingerprint 0123456789abcdef\): Der Umschlag /);
  });

  it('rejects a payload whose schema is not the one the envelope names', () => {
    const payload = codec.decodeEnvelope(codec.encode(exampleIntegrationEvent('ObservationsRecorded'))).payload;
    expect(() => codec.decode(envelopeAround('GoalCreated', payload))).toThrow(EventTypeMismatchError);
  });

  it('decodes the envelope of an unknown event type but not its body', () => {
    const payload = codec.decodeEnvelope(bytes).payload;
    const foreign = envelopeAround('RowsProjected', payload);
    expect(codec.decodeEnvelope(foreign).type).toBe('RowsProjected');
    expect(() => codec.decode(foreign)).toThrow(UnknownEventTypeError);
  });

  it('rejects trailing bytes after the body', () => {
    expect(() => codec.decode(Buffer.concat([bytes, Buffer.from([0x00, 0x01])]))).toThrow(CorruptMessageError);
  });

  it('stops quickly at an array count far beyond the message length', () => {
    // A valid header, then a body whose last field (observations) claims 2^30 items.
    const current = historyOf('ObservationsRecorded').current;
    const event = exampleIntegrationEvent('ObservationsRecorded');
    const body = encodeWith(current.schema, { ...event.data, observations: [] });
    expect(body[body.length - 1]).toBe(0x00); // the empty array's terminating block
    const hugeCount = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08]); // zig-zag varint of 2^30
    const corrupt = envelopeAround('ObservationsRecorded', Buffer.concat([body.subarray(0, body.length - 1), hugeCount]), event);

    const started = Date.now();
    expect(() => codec.decode(corrupt)).toThrow(TruncatedMessageError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('throws only its own errors on random bytes, with or without a valid header', () => {
    // Deterministic pseudo-random bytes (xorshift32), so a failure can be reproduced.
    let state = 0x9e3779b9;
    const nextByte = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) & 0xff;
    };
    const random = (length: number) => Buffer.from(Array.from({ length }, nextByte));
    const headers = [repository.envelope, ...repository.events].map((h) => singleObjectHeader(h.current.fingerprint));

    const started = Date.now();
    for (let i = 0; i < 2000; i++) {
      const garbage = random(1 + (i % 97));
      const candidates = [garbage, Buffer.concat([headers[i % headers.length]!, garbage])];
      for (const candidate of candidates) {
        try {
          codec.decode(candidate);
        } catch (error) {
          if (!(error instanceof ContractsError)) throw error;
        }
      }
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('schema evolution across deployments', () => {
  let dir: string;

  beforeAll(() => {
    // A newer contracts version: ObservationsRecorded v3 adds an optional field.
    dir = mkdtempSync(path.join(tmpdir(), 'lagebild-contracts-'));
    cpSync(defaultSchemasDir, dir, { recursive: true });
    const folder = path.join(dir, 'ingestion', 'ObservationsRecorded');
    const schema = JSON.parse(readFileSync(path.join(folder, 'v2.avsc'), 'utf8')) as { fields: object[] };
    schema.fields.push({ name: 'remark', type: ['null', 'string'], default: null, doc: 'Bemerkung der Lieferung.' });
    writeFileSync(path.join(folder, 'v3.avsc'), JSON.stringify(schema));
    expect(lockSchemaVersions(dir).problems).toEqual([]);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the newer codec read what the current one wrote', () => {
    const newer = createCodec({ schemasDir: dir });
    const event = exampleIntegrationEvent('ObservationsRecorded');

    const decoded = newer.decode(codec.encode(event));

    expect(decoded.data).toEqual({ ...event.data, remark: null });
  });

  it('tells a consumer with older contracts that a newer schema wrote the message', () => {
    const newer = createCodec({ schemasDir: dir });
    const v3 = loadSchemaRepository(dir).events.find((h) => h.name === 'ObservationsRecorded')!.current;
    const bytes = newer.encode(exampleIntegrationEvent('ObservationsRecorded'));

    expect(() => codec.decode(bytes)).toThrow(`Unbekanntes Schema (Fingerprint ${fingerprintToHex(v3.fingerprint)}): Die Nutzlast des Ereignisses ObservationsRecorded`);
  });
});

