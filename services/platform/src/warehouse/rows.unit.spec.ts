import { decodeJsonResult, encodeJsonCompactEachRow, encodeJsonEachRow } from './rows';
import { errorFromClickHouse, WarehouseQueryError, WarehouseSyntaxError } from './errors';

function jsonResult(meta: Array<[string, string]>, data: Array<Record<string, unknown>>): string {
  return JSON.stringify({ meta: meta.map(([name, type]) => ({ name, type })), data, rows: data.length });
}

describe('decodeJsonResult', () => {
  it('turns quoted 64-bit integers into numbers only while they are safe', () => {
    const rows = decodeJsonResult(
      jsonResult(
        [
          ['n', 'UInt64'],
          ['big', 'UInt64'],
          ['neg', 'Nullable(Int64)'],
          ['none', 'Nullable(Int64)'],
        ],
        [{ n: '5', big: '9007199254740993', neg: '-12', none: null }],
      ),
    );

    expect(rows).toEqual([{ n: 5, big: '9007199254740993', neg: -12, none: null }]);
  });

  it('turns decimals into numbers only when the number prints back to the same value', () => {
    const rows = decodeJsonResult(
      jsonResult(
        [
          ['a', 'Decimal(10, 2)'],
          ['b', 'Decimal(38, 2)'],
          ['c', 'Decimal(18, 4)'],
          ['d', 'Decimal(9, 2)'],
        ],
        [{ a: '1.50', b: '12345678901234567890.12', c: '-0.0010', d: 2.5 }],
      ),
    );

    expect(rows).toEqual([{ a: 1.5, b: '12345678901234567890.12', c: -0.001, d: 2.5 }]);
  });

  it('converts inside arrays and LowCardinality and leaves dates and strings as text', () => {
    const rows = decodeJsonResult(
      jsonResult(
        [
          ['ids', 'Array(UInt64)'],
          ['code', 'LowCardinality(String)'],
          ['day', 'Date'],
          ['at', "DateTime64(3, 'UTC')"],
        ],
        [{ ids: ['1', '2'], code: '0042', day: '2024-02-29', at: '2024-02-29 10:00:00.000' }],
      ),
    );

    expect(rows).toEqual([{ ids: [1, 2], code: '0042', day: '2024-02-29', at: '2024-02-29 10:00:00.000' }]);
  });

  it('returns no rows for an empty response', () => {
    expect(decodeJsonResult('')).toEqual([]);
  });
});

describe('encodeJsonEachRow', () => {
  it('writes one JSON object per line, dates as ISO strings, bigints as exact strings, undefined left out', () => {
    const text = encodeJsonEachRow([
      { id: 1n << 60n, at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), note: undefined },
      { id: 2, at: null },
    ]).toString('utf8');

    expect(text).toBe('{"id":"1152921504606846976","at":"2024-01-02T03:04:05.006Z"}\n{"id":2,"at":null}\n');
  });
});

describe('errorFromClickHouse', () => {
  it('types syntax errors and marks overload errors as retriable', () => {
    const syntax = errorFromClickHouse('Code: 62. DB::Exception: Syntax error: failed at position 1');
    const overload = errorFromClickHouse('Code: 202. DB::Exception: Too many simultaneous queries');
    const unknownTable = errorFromClickHouse('Code: 60. DB::Exception: Table default.x does not exist');

    expect(syntax).toBeInstanceOf(WarehouseSyntaxError);
    expect(syntax.retriable).toBe(false);
    expect(overload).toBeInstanceOf(WarehouseQueryError);
    expect(overload).toMatchObject({ retriable: true, clickhouseCode: 202 });
    expect(unknownTable).toMatchObject({ retriable: false, clickhouseCode: 60 });
  });
});

describe('encodeJsonCompactEachRow', () => {
  it('writes rows of one shape as arrays in the column order of the first row', () => {
    const encoded = encodeJsonCompactEachRow([
      { a: 1, b: 'x', c: null },
      { b: 'y', a: 2n ** 60n, c: [1, 2] },
    ]);
    expect(encoded?.columns).toEqual(['a', 'b', 'c']);
    expect(encoded?.values.toString('utf8')).toBe('[1,"x",null]\n["1152921504606846976","y",[1,2]]\n');
  });

  it('gives up on rows of different shapes, so the caller sends objects', () => {
    expect(encodeJsonCompactEachRow([{ a: 1 }, { a: 1, b: 2 }])).toBeUndefined();
    expect(encodeJsonCompactEachRow([{ a: 1, b: 2 }, { a: 1, c: 2 }])).toBeUndefined();
  });
});
