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
  164, // READONLY
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
