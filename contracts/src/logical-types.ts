import { Type, types } from 'avsc';

/**
 * How the codec maps Avro logical types to JavaScript values: instants and days as ISO 8601
 * strings (the platform's EventMetadata uses ISO strings, and strings survive JSON, logs and
 * document stores unchanged), UUIDs as validated strings. The generated TypeScript types say
 * the same (scripts/generate-types.js). Values that do not fit are rejected when encoding, so a
 * malformed date never reaches the log.
 */

// A zone is required: without one, JavaScript reads the time as local time of the machine.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MS_PER_DAY = 86_400_000;

type FromValue = (value: unknown) => unknown;
const unchanged: FromValue = (value) => value;

/**
 * `timestamp-millis` (long, milliseconds since the epoch, UTC) as an ISO 8601 string with zone.
 * Decoding always yields UTC with milliseconds (`2024-03-01T09:00:00.000Z`): the same instant
 * as written, not necessarily the same characters (offsets are normalised, digits beyond
 * milliseconds are dropped).
 */
export class TimestampMillisAsIsoString extends types.LogicalType {
  protected override _fromValue(millis: number): string {
    return new Date(millis).toISOString();
  }

  protected override _toValue(value: unknown): number | undefined {
    if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return undefined;
    const millis = Date.parse(value);
    return Number.isFinite(millis) ? millis : undefined;
  }

  protected override _resolve(writer: Type): FromValue | undefined {
    if (writer instanceof TimestampMillisAsIsoString) return unchanged;
    if (Type.isType(writer, 'long', 'int')) return (millis) => this._fromValue(millis as number);
    return undefined;
  }
}

// Batches repeat the same few reference dates thousands of times; converting each occurrence
// anew made dates the most expensive part of encoding and decoding an observation batch.
const DATE_CACHE_LIMIT = 4096;
const daysByIsoDate = new Map<string, number>();
const isoDateByDays = new Map<number, string>();

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= DATE_CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function isoDateToDays(value: string): number | undefined {
  const cached = daysByIsoDate.get(value);
  if (cached !== undefined) return cached;
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Date rolls 2024-02-30 over to March; a date that does not round-trip does not exist.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return remember(daysByIsoDate, value, date.getTime() / MS_PER_DAY);
}

function daysToIsoDate(days: number): string {
  return isoDateByDays.get(days) ?? remember(isoDateByDays, days, new Date(days * MS_PER_DAY).toISOString().slice(0, 10));
}

/** `date` (int, days since 1970-01-01) as an ISO 8601 calendar date `YYYY-MM-DD`. */
export class DateAsIsoString extends types.LogicalType {
  protected override _fromValue(days: number): string {
    return daysToIsoDate(days);
  }

  protected override _toValue(value: unknown): number | undefined {
    return typeof value === 'string' ? isoDateToDays(value) : undefined;
  }

  protected override _resolve(writer: Type): FromValue | undefined {
    if (writer instanceof DateAsIsoString) return unchanged;
    if (Type.isType(writer, 'int')) return (days) => this._fromValue(days as number);
    return undefined;
  }
}

/** `uuid` (string) checked on encoding, so ids that are not UUIDs never reach the log. */
export class UuidString extends types.LogicalType {
  protected override _fromValue(value: string): string {
    return value;
  }

  protected override _toValue(value: unknown): string | undefined {
    return typeof value === 'string' && UUID.test(value) ? value : undefined;
  }

  protected override _resolve(writer: Type): FromValue | undefined {
    if (writer instanceof UuidString || Type.isType(writer, 'string')) return unchanged;
    return undefined;
  }
}

export const codecLogicalTypes = {
  'timestamp-millis': TimestampMillisAsIsoString,
  date: DateAsIsoString,
  uuid: UuidString,
};

/** What a value of one of these logical types must look like, for error messages. */
export function describeLogicalType(type: Type): string | undefined {
  if (type instanceof TimestampMillisAsIsoString) return 'Zeitpunkt als ISO-8601-Text mit Zeitzone, z. B. 2024-03-01T09:00:00Z';
  if (type instanceof DateAsIsoString) return 'Datum als JJJJ-MM-TT, z. B. 2024-12-31';
  if (type instanceof UuidString) return 'UUID, z. B. 0f8fad5b-d9cb-469f-a165-70867728950e';
  return undefined;
}
