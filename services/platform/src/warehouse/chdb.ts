/**
 * Embedded Warehouse adapter: the ClickHouse engine in-process via chDB, data under a directory.
 *
 * libchdb binds one data directory per process. Opening a second directory while one is open is
 * refused with a `WarehouseConnectionError` naming both; `close()` releases the directory fully
 * (it waits until chDB has torn the connection down), so a process (or a jest worker running
 * several test files) can open another one afterwards. Several warehouses on the same directory
 * may be open at once.
 *
 * Parameters are bound by the engine (`{name:Type}`), never spliced into SQL. Inserts are
 * JSONEachRow with `input_format_skip_unknown_fields = 0` (a misspelt column fails instead of
 * being dropped) and `insert_deduplication_token` when the caller gives one; the table needs
 * `SETTINGS non_replicated_deduplication_window = <n>` for that to take effect.
 *
 * `query` adds `FORMAT JSON` itself (results are decoded by column type, see rows.ts), so the
 * SQL it gets carries no FORMAT clause.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type * as ChdbModule from 'chdb';
import type { InsertOptions, QueryParams, Warehouse } from '../ports/warehouse';
import type { Logger } from '../runtime/logger';
import { withSpan } from '../runtime/telemetry';
import { errorFromClickHouse, type WarehouseError, WarehouseConnectionError, WarehouseQueryError } from './errors';
import { decodeJsonResult, encodeJsonCompactEachRow, encodeJsonEachRow } from './rows';

export interface ChdbWarehouseOptions {
  /** Data directory (created when missing). */
  path: string;
  logger?: Logger;
}

export interface ChdbWarehouse extends Warehouse {
  /** The absolute data directory. */
  readonly path: string;
  /** Resolves when the engine answers; for readiness checks. */
  ping(): Promise<void>;
}

// Results are decoded by column type (see rows.ts); quoting keeps 64-bit integers and decimals
// exact until then. These have to be connection arguments: chDB sessions take no per-query settings.
const CONNECTION_ARGS = ['--output_format_json_quote_64bit_integers=1', '--output_format_json_quote_decimals=1'];

let chdbModule: Promise<typeof ChdbModule> | undefined;

/**
 * chDB is loaded when the first warehouse is created, not when the platform is imported: its
 * native library adds some 190 MB to the resident memory of every process that loads it, and
 * most processes importing the platform (ingestion, CLI imports, workers) never open a warehouse.
 */
function loadChdb(): Promise<typeof ChdbModule> {
  chdbModule ??= import('chdb');
  return chdbModule;
}

/** Directories this module has open, with how many warehouses use each. */
const openDirectories = new Map<string, number>();

function mapChdbError(error: unknown, sql: string | undefined): WarehouseError {
  const e = error as { code?: unknown; message?: unknown; clickhouseCode?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const clickhouseCode = typeof e?.clickhouseCode === 'number' ? e.clickhouseCode : undefined;
  const base = { cause: error, ...(sql === undefined ? {} : { sql }), ...(clickhouseCode === undefined ? {} : { clickhouseCode }) };
  switch (code) {
    case 'CHDB_CLOSED':
      return new WarehouseConnectionError(`chDB warehouse is closed: ${message}`, { ...base, retriable: false });
    case 'CHDB_CONNECTION':
      return new WarehouseConnectionError(message, { ...base, retriable: false });
    case 'CHDB_BIND':
      return new WarehouseQueryError(`query parameter rejected: ${message}`, { ...base, retriable: false });
    case 'CHDB_TIMEOUT':
    case 'CHDB_ABORT':
      return new WarehouseQueryError(message, { ...base, retriable: true });
    default:
      return errorFromClickHouse(message, base);
  }
}

export async function createChdbWarehouse(options: ChdbWarehouseOptions): Promise<ChdbWarehouse> {
  const directory = path.resolve(options.path);
  const logger = options.logger;
  const other = [...openDirectories.keys()].find((d) => d !== directory);
  if (other !== undefined) {
    throw new WarehouseConnectionError(
      `chDB binds one data directory per process: ${other} is open, so ${directory} cannot be opened. Close the warehouse on ${other} first.`,
    );
  }
  await mkdir(directory, { recursive: true });
  let chdb: typeof ChdbModule;
  try {
    chdb = await loadChdb();
  } catch (error) {
    throw new WarehouseConnectionError(`cannot load chDB: ${error instanceof Error ? error.message : String(error)}`, { cause: error, retriable: false });
  }
  const { drainPending, Session } = chdb;
  // A previous warehouse's close() may still be releasing its connection.
  await drainPending();
  let session: ChdbModule.Session;
  try {
    session = new Session(directory, { connectionArgs: CONNECTION_ARGS });
  } catch (error) {
    const mapped = mapChdbError(error, undefined);
    throw new WarehouseConnectionError(`cannot open chDB at ${directory}: ${mapped.message}`, { cause: error, retriable: false });
  }
  openDirectories.set(directory, (openDirectories.get(directory) ?? 0) + 1);
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new WarehouseConnectionError(`chDB warehouse at ${directory} is closed`, { retriable: false });
  }

  async function run<T>(operation: string, sql: string | undefined, attributes: Record<string, string | number>, fn: () => Promise<T>): Promise<T> {
    ensureOpen();
    return withSpan(`warehouse.${operation}`, { 'db.system.name': 'clickhouse', 'lagebild.warehouse.adapter': 'chdb', ...attributes }, async () => {
      const started = performance.now();
      try {
        return await fn();
      } catch (error) {
        throw mapChdbError(error, sql);
      } finally {
        logger?.debug({ operation, durationMs: Math.round(performance.now() - started), ...attributes }, 'warehouse operation');
      }
    });
  }

  const warehouse: ChdbWarehouse = {
    path: directory,

    async command(sql) {
      await run('command', sql, {}, () => session.queryAsync(sql, { format: 'TabSeparated' }));
    },

    async insert(table, rows, insertOptions: InsertOptions = {}) {
      if (rows.length === 0) return;
      const settings: Record<string, string | number> = { input_format_skip_unknown_fields: 0 };
      if (insertOptions.deduplicationToken !== undefined) settings.insert_deduplication_token = insertOptions.deduplicationToken;
      // Rows of one shape (the projector's) go as compact arrays with a column list; others as objects.
      const compact = encodeJsonCompactEachRow(rows);
      if (compact) {
        await run('insert', `INSERT INTO ${table} (${compact.columns.join(', ')}) FORMAT JSONCompactEachRow`, { 'db.collection.name': table, 'db.operation.batch.size': rows.length }, () =>
          session.insert({ table, values: compact.values, format: 'JSONCompactEachRow', columns: compact.columns, settings }),
        );
        return;
      }
      const values = encodeJsonEachRow(rows);
      await run('insert', `INSERT INTO ${table} FORMAT JSONEachRow`, { 'db.collection.name': table, 'db.operation.batch.size': rows.length }, () =>
        session.insert({ table, values, format: 'JSONEachRow', settings }),
      );
    },

    async query<T = Record<string, unknown>>(sql: string, params: QueryParams = {}): Promise<T[]> {
      const result = await run('query', sql, {}, () =>
        Object.keys(params).length === 0
          ? session.queryAsync(sql, { format: 'JSON' })
          : session.queryBindAsync(sql, params, { format: 'JSON' }),
      );
      return decodeJsonResult(result.text()) as T[];
    },

    async ping() {
      await run('ping', 'SELECT 1', {}, () => session.queryAsync('SELECT 1', { format: 'TabSeparated' }));
    },

    async close() {
      if (closed) return;
      closed = true;
      session.close();
      // close() defers the native teardown while operations run; wait until the directory is free.
      await drainPending();
      const remaining = (openDirectories.get(directory) ?? 1) - 1;
      if (remaining <= 0) openDirectories.delete(directory);
      else openDirectories.set(directory, remaining);
    },
  };
  return warehouse;
}
