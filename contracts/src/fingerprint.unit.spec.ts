import { crc64Avro, fingerprintToHex, parsingCanonicalForm, schemaFingerprint, type AvroSchema } from './fingerprint';
import { readSingleObject, singleObjectHeader } from './single-object';
import { InvalidMagicError, TruncatedMessageError } from './errors';

// Expected canonical forms and fingerprints are the published test vectors of the Apache Avro
// project (share/test/data/schema-tests.txt in github.com/apache/avro, cases 000 to 033), which
// the Java implementation cross-checks. Fingerprints there are signed 64-bit integers.
const specVectors: Array<{ input: AvroSchema; canonical: string; fingerprint?: bigint }> = [
  { input: 'null', canonical: '"null"', fingerprint: 7195948357588979594n },
  { input: { type: 'null' }, canonical: '"null"' },
  { input: 'boolean', canonical: '"boolean"', fingerprint: -6970731678124411036n },
  { input: 'int', canonical: '"int"', fingerprint: 8247732601305521295n },
  { input: { type: 'int' }, canonical: '"int"' },
  { input: 'long', canonical: '"long"', fingerprint: -3434872931120570953n },
  { input: 'float', canonical: '"float"', fingerprint: 5583340709985441680n },
  { input: 'double', canonical: '"double"', fingerprint: -8181574048448539266n },
  { input: 'bytes', canonical: '"bytes"', fingerprint: 5746618253357095269n },
  { input: 'string', canonical: '"string"', fingerprint: -8142146995180207161n },
  { input: [], canonical: '[]', fingerprint: -1241056759729112623n },
  { input: ['int'], canonical: '["int"]', fingerprint: -5232228896498058493n },
  { input: ['int', { type: 'boolean' }], canonical: '["int","boolean"]', fingerprint: 5392556393470105090n },
  { input: { fields: [], type: 'record', name: 'foo' }, canonical: '{"name":"foo","type":"record","fields":[]}', fingerprint: -4824392279771201922n },
  {
    input: { fields: [], type: 'record', name: 'foo', namespace: 'x.y' },
    canonical: '{"name":"x.y.foo","type":"record","fields":[]}',
    fingerprint: 5916914534497305771n,
  },
  {
    input: { fields: [], type: 'record', name: 'a.b.foo', namespace: 'x.y' },
    canonical: '{"name":"a.b.foo","type":"record","fields":[]}',
    fingerprint: -4616218487480524110n,
  },
  {
    input: { fields: [], type: 'record', name: 'foo', doc: 'foo', aliases: ['foo', 'bar'] },
    canonical: '{"name":"foo","type":"record","fields":[]}',
    fingerprint: -4824392279771201922n,
  },
  {
    input: { fields: [{ type: { type: 'boolean' }, name: 'f1' }], type: 'record', name: 'foo' },
    canonical: '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}',
    fingerprint: 7843277075252814651n,
  },
  {
    input: {
      fields: [
        { type: 'boolean', aliases: [], name: 'f1', default: 'true' },
        { order: 'descending', name: 'f2', doc: 'Hello', type: 'int' },
      ],
      type: 'record',
      name: 'foo',
    },
    canonical: '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    fingerprint: -4860222112080293046n,
  },
  { input: { type: 'enum', name: 'foo', symbols: ['A1'] }, canonical: '{"name":"foo","type":"enum","symbols":["A1"]}', fingerprint: -6342190197741309591n },
  {
    input: { namespace: 'x.y.z', type: 'enum', name: 'foo', doc: 'foo bar', symbols: ['A1', 'A2'] },
    canonical: '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}',
    fingerprint: -4448647247586288245n,
  },
  { input: { name: 'foo', type: 'fixed', size: 15 }, canonical: '{"name":"foo","type":"fixed","size":15}', fingerprint: 1756455273707447556n },
  {
    input: { namespace: 'x.y.z', type: 'fixed', name: 'foo', doc: 'foo bar', size: 32 },
    canonical: '{"name":"x.y.z.foo","type":"fixed","size":32}',
    fingerprint: -3064184465700546786n,
  },
  { input: { items: { type: 'null' }, type: 'array' }, canonical: '{"type":"array","items":"null"}', fingerprint: -589620603366471059n },
  { input: { values: 'string', type: 'map' }, canonical: '{"type":"map","values":"string"}', fingerprint: -8732877298790414990n },
  {
    input: { name: 'PigValue', type: 'record', fields: [{ name: 'value', type: ['null', 'int', 'long', 'PigValue'] }] },
    canonical: '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    fingerprint: -1759257747318642341n,
  },
];

describe('Parsing Canonical Form', () => {
  it.each(specVectors)('reduces $input to the specification\'s canonical form $canonical', ({ input, canonical }) => {
    expect(parsingCanonicalForm(input)).toBe(canonical);
  });

  it('qualifies nested names with the inherited namespace and references a type by full name after its definition', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'Outer',
      namespace: 'de.lagebild.test',
      doc: 'dropped',
      fields: [
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'], default: 'A' } },
        { name: 'again', type: 'Kind' },
        { name: 'other', type: { type: 'record', name: 'Other', namespace: 'de.lagebild.common', fields: [{ name: 'k', type: 'de.lagebild.test.Kind' }] } },
        { name: 'day', type: { type: 'int', logicalType: 'date' } },
      ],
    };
    expect(parsingCanonicalForm(schema)).toBe(
      '{"name":"de.lagebild.test.Outer","type":"record","fields":[' +
        '{"name":"kind","type":{"name":"de.lagebild.test.Kind","type":"enum","symbols":["A","B"]}},' +
        '{"name":"again","type":"de.lagebild.test.Kind"},' +
        '{"name":"other","type":{"name":"de.lagebild.common.Other","type":"record","fields":[{"name":"k","type":"de.lagebild.test.Kind"}]}},' +
        '{"name":"day","type":"int"}]}',
    );
  });
});

describe('CRC-64-AVRO fingerprint', () => {
  it.each(specVectors.filter((v) => v.fingerprint !== undefined))('of $canonical is the published value', ({ input, fingerprint }) => {
    expect(BigInt.asIntN(64, schemaFingerprint(input))).toBe(fingerprint);
  });

  it('matches the hex values other implementations publish for "int" and "string"', () => {
    // linkedin/goavro crc64avro_test.go and the Ruby implementation's test_fingerprints.rb
    expect(fingerprintToHex(schemaFingerprint('int'))).toBe('7275d51a3f395c8f');
    expect(fingerprintToHex(schemaFingerprint('string'))).toBe('8f014872634503c7');
  });

  it('changes when a single byte of the input changes', () => {
    expect(crc64Avro(Buffer.from('"int"'))).not.toBe(crc64Avro(Buffer.from('"inu"')));
  });
});

describe('single-object header', () => {
  it('is C3 01 followed by the fingerprint in little-endian byte order', () => {
    // The Ruby implementation's test_single_object_encoding_header for the schema "int".
    expect([...singleObjectHeader(schemaFingerprint('int'))]).toEqual([0xc3, 0x01, 0x8f, 0x5c, 0x39, 0x3f, 0x1a, 0xd5, 0x75, 0x72]);
  });

  it('reads back the fingerprint and the body that follows it', () => {
    const fingerprint = schemaFingerprint('string');
    const message = Buffer.concat([singleObjectHeader(fingerprint), Buffer.from([0x06, 0x61, 0x62, 0x63])]);
    const { fingerprint: read, body } = readSingleObject(message);
    expect(read).toBe(fingerprint);
    expect([...body]).toEqual([0x06, 0x61, 0x62, 0x63]);
  });

  it('rejects other marker bytes, naming what it found', () => {
    expect(() => readSingleObject(Buffer.from('Obj\x01'))).toThrow(InvalidMagicError);
    expect(() => readSingleObject(Buffer.from([0xc3, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow('gefunden C3 02');
  });

  it('reports a header that ends early as truncated', () => {
    expect(() => readSingleObject(Buffer.from([0xc3, 0x01, 0x8f]))).toThrow(TruncatedMessageError);
    expect(() => readSingleObject(Buffer.alloc(0))).toThrow(TruncatedMessageError);
  });
});
