import { Type, type Schema } from 'avsc';
import { checkCompatibility, checkFullTransitive } from './compatibility';
import type { AvroSchema } from './fingerprint';

const NAME = 'de.lagebild.test.Delivered';

/** A record schema in the test namespace with the given fields. */
function record(fields: object[], extra: object = {}): AvroSchema {
  return { type: 'record', name: 'Delivered', namespace: 'de.lagebild.test', fields, ...extra } as AvroSchema;
}

const id = { name: 'id', type: 'string' };

function versions(...schemas: AvroSchema[]) {
  return schemas.map((schema, index) => ({ version: index + 1, schema }));
}

describe('checkFullTransitive', () => {
  it('accepts a history whose new version adds an optional field with default null', () => {
    const v1 = record([id]);
    const v2 = record([id, { name: 'note', type: ['null', 'string'], default: null }]);
    expect(checkFullTransitive(versions(v1, v2))).toEqual([]);
  });

  it('rejects a field added without default, naming the schema and the field', () => {
    const v1 = record([id]);
    const v2 = record([id, { name: 'areaCode', type: 'string' }]);

    const problems = checkFullTransitive(versions(v1, v2));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      kind: 'READER_FIELD_MISSING_DEFAULT',
      schema: NAME,
      path: 'areaCode',
      direction: 'BACKWARD',
      readerVersion: 2,
      writerVersion: 1,
    });
    expect(problems[0]!.message).toContain(NAME);
    expect(problems[0]!.message).toContain('"areaCode"');
    expect(problems[0]!.message).toContain('keinen Default');
  });

  it('rejects a type change outside the Avro promotions (int to string) in both directions', () => {
    const v1 = record([id, { name: 'count', type: 'int' }]);
    const v2 = record([id, { name: 'count', type: 'string' }]);

    const problems = checkFullTransitive(versions(v1, v2));

    expect(problems.map((p) => [p.kind, p.path, p.direction])).toEqual([
      ['TYPE_MISMATCH', 'count', 'BACKWARD'],
      ['TYPE_MISMATCH', 'count', 'FORWARD'],
    ]);
    expect(problems[0]!.message).toMatch(/de\.lagebild\.test\.Delivered.*Feld "count": geschrieben als int, gelesen als string/);
  });

  it('accepts int to long backward but reports the forward direction, because FULL means both', () => {
    const v1 = record([id, { name: 'count', type: 'int' }]);
    const v2 = record([id, { name: 'count', type: 'long' }]);

    expect(checkCompatibility(v2, v1)).toEqual([]);
    const problems = checkFullTransitive(versions(v1, v2));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'TYPE_MISMATCH', path: 'count', direction: 'FORWARD', readerVersion: 1, writerVersion: 2 });
    expect(problems[0]!.message).toContain('geschrieben als long, gelesen als int');
  });

  it('accepts string <-> bytes in both directions', () => {
    const v1 = record([id, { name: 'content', type: 'string' }]);
    const v2 = record([id, { name: 'content', type: 'bytes' }]);
    expect(checkFullTransitive(versions(v1, v2))).toEqual([]);
  });

  it('rejects an enum symbol removed, because old data may carry it', () => {
    const status = (symbols: string[]) => ({ name: 'status', type: { type: 'enum', name: 'Status', symbols } });
    const problems = checkFullTransitive(versions(record([status(['VALUE', 'MISSING', 'SUPPRESSED'])]), record([status(['VALUE', 'MISSING'])])));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'MISSING_ENUM_SYMBOLS', path: 'status', direction: 'BACKWARD' });
    expect(problems[0]!.message).toContain('SUPPRESSED');
  });

  it('accepts an enum symbol added when the enum has a default for readers that do not know it', () => {
    const status = (symbols: string[]) => ({ name: 'status', type: { type: 'enum', name: 'Status', symbols, default: 'MISSING' } });
    expect(checkFullTransitive(versions(record([status(['VALUE', 'MISSING'])]), record([status(['VALUE', 'MISSING', 'UNRELIABLE'])])))).toEqual([]);
  });

  it('rejects an enum symbol added to an enum without default (old readers cannot read it)', () => {
    const status = (symbols: string[]) => ({ name: 'status', type: { type: 'enum', name: 'Status', symbols } });
    const problems = checkFullTransitive(versions(record([status(['VALUE'])]), record([status(['VALUE', 'MISSING'])])));
    expect(problems.map((p) => [p.kind, p.direction])).toEqual([['MISSING_ENUM_SYMBOLS', 'FORWARD']]);
  });

  it('rejects a removed field that has no default in the older version (old readers need it)', () => {
    const v1 = record([id, { name: 'legacy', type: 'string' }]);
    const v2 = record([id]);

    const problems = checkFullTransitive(versions(v1, v2));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'READER_FIELD_MISSING_DEFAULT', path: 'legacy', direction: 'FORWARD', readerVersion: 1 });
  });

  it('accepts a removed field that had a default', () => {
    const v1 = record([id, { name: 'legacy', type: ['null', 'string'], default: null }]);
    expect(checkFullTransitive(versions(v1, record([id])))).toEqual([]);
  });

  it('rejects making an optional field required and a required one optional', () => {
    const optional = record([id, { name: 'note', type: ['null', 'string'], default: null }]);
    const required = record([id, { name: 'note', type: 'string' }]);

    const tightened = checkFullTransitive(versions(optional, required));
    const loosened = checkFullTransitive(versions(required, optional));

    expect(tightened.map((p) => [p.direction, p.path])).toEqual([['BACKWARD', 'note']]);
    expect(tightened[0]!.message).toContain('geschrieben als null, gelesen als string');
    expect(loosened.map((p) => [p.direction, p.path])).toEqual([['FORWARD', 'note']]);
  });

  it('finds incompatibilities deep inside arrays and maps and names the path', () => {
    const observation = (valueType: string) => ({
      name: 'observations',
      type: { type: 'array', items: { type: 'record', name: 'Observation', fields: [{ name: 'value', type: valueType }] } },
    });
    const counts = (valueType: string) => ({ name: 'counts', type: { type: 'map', values: valueType } });

    const problems = checkFullTransitive(versions(record([observation('double'), counts('long')]), record([observation('string'), counts('boolean')])));

    expect(new Set(problems.map((p) => p.path))).toEqual(new Set(['observations[].value', 'counts{}']));
  });

  it('checks every pair of versions, not only neighbours (transitive)', () => {
    // v1 -> v2 drops a defaulted field, v2 -> v3 adds it back with another type: each step is
    // fine, but data of v1 and v3 cannot be read by each other.
    const v1 = record([id, { name: 'flag', type: 'int', default: 0 }]);
    const v2 = record([id]);
    const v3 = record([id, { name: 'flag', type: 'string', default: '' }]);

    expect(checkFullTransitive(versions(v1, v2))).toEqual([]);
    expect(checkFullTransitive(versions(v2, v3))).toEqual([]);
    const problems = checkFullTransitive(versions(v1, v2, v3));

    expect(problems.map((p) => [p.readerVersion, p.writerVersion, p.path])).toEqual([
      [3, 1, 'flag'],
      [1, 3, 'flag'],
    ]);
  });

  it('accepts a renamed record only in the direction its alias covers', () => {
    const v1 = record([id]);
    const renamed = { type: 'record', name: 'DeliveryAccepted', namespace: 'de.lagebild.test', aliases: ['Delivered'], fields: [id] } as AvroSchema;

    const problems = checkFullTransitive(versions(v1, renamed));

    expect(problems.map((p) => [p.kind, p.direction])).toEqual([['NAME_MISMATCH', 'FORWARD']]);
  });

  it('rejects a fixed whose size changed', () => {
    const hash = (size: number) => ({ name: 'hash', type: { type: 'fixed', name: 'Hash', size } });
    const problems = checkFullTransitive(versions(record([hash(16)]), record([hash(32)])));
    expect(problems.map((p) => p.kind)).toEqual(['FIXED_SIZE_MISMATCH', 'FIXED_SIZE_MISMATCH']);
  });

  it('compares nested records inside a nullable union by their fields', () => {
    const comparison = (fields: object[]) => ({
      name: 'comparison',
      type: ['null', { type: 'record', name: 'Comparison', fields }],
      default: null,
    });
    const problems = checkFullTransitive(
      versions(record([comparison([{ name: 'rank', type: 'int' }])]), record([comparison([{ name: 'rank', type: 'int' }, { name: 'zScore', type: 'double' }])])),
    );
    expect(problems.map((p) => [p.kind, p.path, p.direction])).toEqual([['READER_FIELD_MISSING_DEFAULT', 'comparison.zScore', 'BACKWARD']]);
  });

  it('terminates on recursive schemas', () => {
    const tree = (extra: object[]) =>
      record([{ name: 'children', type: { type: 'array', items: 'Delivered' } }, ...extra]);
    expect(checkFullTransitive(versions(tree([]), tree([{ name: 'label', type: ['null', 'string'], default: null }])))).toEqual([]);
    expect(checkFullTransitive(versions(tree([]), tree([{ name: 'label', type: 'string' }]))).map((p) => p.path)).toEqual(['label']);
  });

  it('rejects a decimal whose scale changed, although the bytes underneath match', () => {
    const amount = (scale: number) => ({ name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale } });
    const problems = checkFullTransitive(versions(record([amount(2)]), record([amount(4)])));
    expect(problems).toHaveLength(2);
    expect(problems[0]!.message).toContain('Skala 2');
  });
});

describe('checkCompatibility agrees with avsc, the engine that reads our events', () => {
  // Every verdict of the checker is compared with avsc's createResolver, which throws when it
  // cannot read the writer's data with the reader schema.
  const cases: Array<[string, AvroSchema, AvroSchema]> = [
    ['added optional field', record([id, { name: 'n', type: ['null', 'long'], default: null }]), record([id])],
    ['added required field', record([id, { name: 'n', type: 'long' }]), record([id])],
    ['removed field', record([id]), record([id, { name: 'n', type: 'long' }])],
    ['int read as long', record([{ name: 'n', type: 'long' }]), record([{ name: 'n', type: 'int' }])],
    ['long read as int', record([{ name: 'n', type: 'int' }]), record([{ name: 'n', type: 'long' }])],
    ['long read as double', record([{ name: 'n', type: 'double' }]), record([{ name: 'n', type: 'long' }])],
    ['float read as double', record([{ name: 'n', type: 'double' }]), record([{ name: 'n', type: 'float' }])],
    ['double read as float', record([{ name: 'n', type: 'float' }]), record([{ name: 'n', type: 'double' }])],
    ['bytes read as string', record([{ name: 'n', type: 'string' }]), record([{ name: 'n', type: 'bytes' }])],
    ['int read as string', record([{ name: 'n', type: 'string' }]), record([{ name: 'n', type: 'int' }])],
    ['int read into nullable long', record([{ name: 'n', type: ['null', 'long'], default: null }]), record([{ name: 'n', type: 'int' }])],
    ['nullable read as required', record([{ name: 'n', type: 'string' }]), record([{ name: 'n', type: ['null', 'string'], default: null }])],
    [
      'enum with fewer symbols',
      record([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }]),
      record([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } }]),
    ],
    [
      'enum with fewer symbols and a default',
      record([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'], default: 'A' } }]),
      record([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } }]),
    ],
    [
      'renamed record without alias',
      { type: 'record', name: 'Other', namespace: 'de.lagebild.test', fields: [id] } as AvroSchema,
      record([id]),
    ],
    [
      'renamed record with alias',
      { type: 'record', name: 'Other', namespace: 'de.lagebild.test', aliases: ['Delivered'], fields: [id] } as AvroSchema,
      record([id]),
    ],
    ['array items promoted', record([{ name: 'a', type: { type: 'array', items: 'double' } }]), record([{ name: 'a', type: { type: 'array', items: 'int' } }])],
    ['map values changed', record([{ name: 'm', type: { type: 'map', values: 'boolean' } }]), record([{ name: 'm', type: { type: 'map', values: 'string' } }])],
    [
      'field renamed with alias',
      record([{ name: 'total', aliases: ['count'], type: 'long' }]),
      record([{ name: 'count', type: 'long' }]),
    ],
  ];

  it.each(cases)('%s', (_, reader, writer) => {
    const checkerAccepts = checkCompatibility(reader, writer).length === 0;
    let avscAccepts = true;
    try {
      Type.forSchema(reader as unknown as Schema).createResolver(Type.forSchema(writer as unknown as Schema));
    } catch {
      avscAccepts = false;
    }
    expect(checkerAccepts).toBe(avscAccepts);
  });

  it('covers both verdicts among these cases', () => {
    const verdicts = new Set(cases.map(([, reader, writer]) => checkCompatibility(reader, writer).length === 0));
    expect(verdicts).toEqual(new Set([true, false]));
  });
});
