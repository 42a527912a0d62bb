/**
 * Typed warehouse failures, shared by every Warehouse adapter (STYLE.md 6): the class says what
 * went wrong (the SQL is malformed, the query failed, the engine is unreachable or closed),
 * `retriable` says whether trying again can help, `cause` keeps the driver's error, and
 * `clickhouseCode` the engine's exception code when there is one.
 */

export interface WarehouseErrorOptions {
  cause?: unknown;
  clickhouseCode?: number;
  retriable?: boolean;
  /** The statement (shortened), for logs; parameter values are never included. */
  sql?: string;
}

export abstract class WarehouseError extends Error {
  abstract readonly kind: 'syntax' | 'query' | 'connection';
  readonly retriable: boolean;
  readonly clickhouseCode?: number;
  readonly sql?: string;

  constructor(message: string, options: WarehouseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    if (options.clickhouseCode !== undefined) this.clickhouseCode = options.clickhouseCode;
    if (options.sql !== undefined) this.sql = options.sql.length > 500 ? `${options.sql.slice(0, 497)}...` : options.sql;
  }
}

/** The statement does not parse (ClickHouse code 62). Never retriable. */
export class WarehouseSyntaxError extends WarehouseError {
  readonly kind = 'syntax';
}

/** The engine ran the statement and refused it: unknown table, bad data, bad parameter, limits. */
export class WarehouseQueryError extends WarehouseError {
  readonly kind = 'query';
}

/** The engine is unreachable, closed, or (chDB) bound to another data directory. */
export class WarehouseConnectionError extends WarehouseError {
  readonly kind = 'connection';
}

export const SYNTAX_ERROR_CODES: ReadonlySet<number> = new Set([62]);

/**
 * ClickHouse exception codes where the same statement can succeed later: timeouts, overload,
 * memory pressure, too many parts (merges catch up), read-only replicas, network and Keeper
 * trouble, an insert whose outcome is unknown (retry with the same deduplication token).
 */
export const RETRIABLE_CODES: ReadonlySet<number> = new Set([
  159, // TIMEOUT_EXCEEDED
  160, // TOO_SLOW
  // Not 164 (READONLY): that is a read-only user or profile refusing a write or a setting, which
  // no retry changes; a read-only replica is 242.
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);

/** Reads the `Code: <n>.` prefix of a ClickHouse exception message. */
export function parseClickHouseCode(message: string): number | undefined {
  const match = /Code:\s*(\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** The typed error for a ClickHouse exception (any adapter: chDB, HTTP). */
export function errorFromClickHouse(message: string, options: WarehouseErrorOptions = {}): WarehouseError {
  const code = options.clickhouseCode ?? parseClickHouseCode(message);
  const withCode = { ...options, ...(code === undefined ? {} : { clickhouseCode: code }) };
  if (code !== undefined && SYNTAX_ERROR_CODES.has(code)) return new WarehouseSyntaxError(message, { ...withCode, retriable: false });
  return new WarehouseQueryError(message, { ...withCode, retriable: options.retriable ?? (code !== undefined && RETRIABLE_CODES.has(code)) });
}

/** ClickHouse codes for a refused login: unknown user, wrong or missing password, address not allowed. */
export const AUTHENTICATION_ERROR_CODES: ReadonlySet<number> = new Set([
  192, // UNKNOWN_USER
  193, // WRONG_PASSWORD
  194, // REQUIRED_PASSWORD
  195, // IP_ADDRESS_NOT_ALLOWED
  516, // AUTHENTICATION_FAILED
]);

/** Node.js socket errors: the server could not be reached, or dropped the connection mid-request. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export interface HttpErrorContext {
  /** The server's address without credentials, for the message. */
  endpoint: string;
  /** The ClickHouse user the request ran as. */
  user: string;
  /** The client's request timeout, for the message of a timed-out request. */
  timeoutMs: number;
  sql?: string;
}

/**
 * The typed error for a failed request to a ClickHouse server over HTTP (`@clickhouse/client`):
 * - socket errors and the client's request timeout: `WarehouseConnectionError`, retriable (the
 *   server may be restarting; an insert whose outcome is unknown is retried with its token);
 * - a refused login: `WarehouseConnectionError`, not retriable (the configuration is wrong);
 * - every other server exception: as `errorFromClickHouse` (syntax, query, retriable codes).
 * The client reports exceptions of new servers as `ClickHouseError` (`code` = the number as
 * text, `type` = its name) and those of old ones (18.x) as a plain Error with the raw text.
 */
export function errorFromClickHouseHttp(error: unknown, context: HttpErrorContext): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const e = error as { code?: unknown; type?: unknown; message?: unknown } | null;
  const rawMessage = typeof e?.message === 'string' ? e.message : String(error);
  const base = { cause: error, ...(context.sql === undefined ? {} : { sql: context.sql }) };
  const networkCode = typeof e?.code === 'string' && NETWORK_ERROR_CODES.has(e.code) ? e.code : undefined;
  if (networkCode !== undefined || /socket hang up/i.test(rawMessage)) {
    return new WarehouseConnectionError(
      `ClickHouse-Server unter ${context.endpoint} ist nicht erreichbar (${networkCode ?? rawMessage}). ` +
        'Läuft der Server, und stimmen Adresse und Port in CLICKHOUSE_URL?',
      { ...base, retriable: true },
    );
  }
  if (rawMessage === 'Timeout error.') {
    return new WarehouseConnectionError(
      `ClickHouse-Server unter ${context.endpoint} hat nicht innerhalb von ${(context.timeoutMs / 1000).toLocaleString('de-DE', { maximumFractionDigits: 1 })} s geantwortet. ` +
        'Ist er überlastet oder nicht erreichbar? Eine lange Abfrage braucht eine engere Auswahl oder eine höhere Zeitgrenze.',
      { ...base, retriable: true },
    );
  }
  const numericCode = typeof e?.code === 'string' && /^\d+$/.test(e.code) ? Number(e.code) : parseClickHouseCode(rawMessage);
  // Old servers append the exception's C++ type; it says nothing to a reader.
  const text = rawMessage.replace(/,\s*e\.what\(\) = [\s\S]*$/, '').trim();
  const message = numericCode !== undefined && !/Code:\s*\d+/.test(text) ? `Code: ${numericCode}. ${text}${typeof e?.type === 'string' ? ` (${e.type})` : ''}` : text;
  if (numericCode !== undefined && AUTHENTICATION_ERROR_CODES.has(numericCode)) {
    return new WarehouseConnectionError(
      `Anmeldung am ClickHouse-Server unter ${context.endpoint} als Benutzer "${context.user}" abgelehnt: ${message}. ` +
        'Benutzername, Passwort und erlaubte Netze des Benutzers prüfen.',
      { ...base, clickhouseCode: numericCode, retriable: false },
    );
  }
  return errorFromClickHouse(message, { ...base, ...(numericCode === undefined ? {} : { clickhouseCode: numericCode }) });
}
