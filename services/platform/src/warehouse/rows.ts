/**
 * Row encoding and result decoding shared by the Warehouse adapters, so every adapter returns the
 * same JavaScript values for the same ClickHouse types.
 *
 * Inserts travel as JSONEachRow: `Date` becomes an ISO 8601 string (UTC), `bigint` a decimal
 * string, `undefined` fields are left out (the column default applies).
 *
 * Results are read from ClickHouse's `JSON` format, whose `meta` names each column's type. The
 * engine is asked to quote 64-bit integers and decimals (`output_format_json_quote_64bit_integers`,
 * `output_format_json_quote_decimals`), so nothing is rounded by `JSON.parse`; then:
 * - (U)Int64/128/256 become numbers when they are safe integers, else stay exact decimal strings;
 * - Decimal becomes a number when the number prints back to the same value, else stays a string;
 * - Date, DateTime, DateTime64 stay the engine's text (`2024-12-31`, `2024-12-31 10:00:00`);
 * - the rules apply inside Nullable, LowCardinality and Array.
 * So `count()` is a number, and a value a number cannot hold is never silently changed.
 */

const bigintAsText = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/**
 * JSON text of a row. Without a replacer first: a replacer is called for every value and made
 * the encoding several times slower, while a bigint (the only value it changes) is rare and
 * makes JSON.stringify throw, so only then is the row written again with it.
 */
function json(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof TypeError && /BigInt/i.test(error.message)) return JSON.stringify(value, bigintAsText);
    throw error;
  }
}

export function encodeJsonEachRow(rows: readonly Record<string, unknown>[]): Buffer {
  const lines = rows.map((row) => json(row));
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/**
 * Rows of one shape as JSONCompactEachRow (one JSON array per row, in `columns` order): no key
 * repeated per row, so encoding and the engine's parsing are about twice as fast as JSONEachRow.
 * Returns undefined when the rows do not all have exactly the keys of the first row.
 */
export function encodeJsonCompactEachRow(rows: readonly Record<string, unknown>[]): { columns: string[]; values: Buffer } | undefined {
  const columns = Object.keys(rows[0] ?? {});
  const width = columns.length;
  const lines: string[] = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r += 1) {
    const row = rows[r]!;
    let keys = 0;
    for (const key in row) if (Object.prototype.hasOwnProperty.call(row, key)) keys += 1;
    if (keys !== width) return undefined;
    const cells = new Array<unknown>(width);
    for (let c = 0; c < width; c += 1) {
      const name = columns[c]!;
      if (!Object.prototype.hasOwnProperty.call(row, name)) return undefined;
      cells[c] = row[name];
    }
    lines[r] = json(cells);
  }
  return { columns, values: Buffer.from(`${lines.join('\n')}\n`, 'utf8') };
}

type Converter = (value: unknown) => unknown;

function integerValue(value: unknown): unknown {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/** "1.50" -> "1.5", "2.00" -> "2", "-0.0" -> "0": the shortest form a number prints as. */
function canonicalDecimal(text: string): string {
  let s = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  s = s.replace(/^(-?)0+(?=\d)/, '$1');
  return s === '-0' ? '0' : s;
}

function decimalValue(value: unknown): unknown {
  if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) return value;
  const n = Number(value);
  return String(n) === canonicalDecimal(value) ? n : value;
}

function unwrap(type: string): string {
  const match = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type);
  return match ? unwrap(match[1]!) : type;
}

export function converterFor(type: string): Converter | undefined {
  const inner = unwrap(type.trim());
  if (/^U?Int(64|128|256)$/.test(inner)) return integerValue;
  if (/^Decimal(32|64|128|256)?\(/.test(inner)) return decimalValue;
  const array = /^Array\((.*)\)$/.exec(inner);
  if (array) {
    const element = converterFor(array[1]!);
    return element ? (value) => (Array.isArray(value) ? value.map(element) : value) : undefined;
  }
  return undefined;
}

interface JsonFormatResult {
  meta: Array<{ name: string; type: string }>;
  data: Array<Record<string, unknown>>;
}

/** Rows of a `FORMAT JSON` response, values converted as described above. */
export function decodeJsonResult(text: string): Record<string, unknown>[] {
  if (text.trim() === '') return [];
  const parsed = JSON.parse(text) as JsonFormatResult;
  const converters = parsed.meta
    .map((column) => [column.name, converterFor(column.type)] as const)
    .filter((entry): entry is readonly [string, Converter] => entry[1] !== undefined);
  if (converters.length === 0) return parsed.data;
  for (const row of parsed.data) {
    for (const [name, convert] of converters) row[name] = convert(row[name]);
  }
  return parsed.data;
}
