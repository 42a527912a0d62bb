/**
 * Production Warehouse adapter: a ClickHouse server over HTTP with the official `@clickhouse/client`.
 * Callers see the same port as with chDB: the same SQL, the same typed errors, the same JavaScript
 * values for the same column types (rows.ts), so nothing above the port knows which one it has.
 *
 * Users. `username` runs DDL and inserts. With `readonlyUsername`, `query()` runs as that user,
 * whose profile has `readonly = 1`: a statement that slips into the read path cannot write, the
 * server refuses it (code 164). Such a user may not change any setting either (not even turn on
 * response compression), so requests on its behalf carry no settings at all.
 *
 * Connection choices:
 * - Keep-alive on, idle sockets dropped after 2.5 s: below the server's `keep_alive_timeout`
 *   (3 s before 23.11, 10 s since), so the client never writes into a socket the server is closing
 *   (that shows up as ECONNRESET). Stale sockets are also destroyed eagerly, because on a busy
 *   machine the idle timers fire late. `close()` destroys both agents: no socket outlives it.
 * - Request timeout `requestTimeoutMs` (default 30 s). The server's own limit (`max_execution_time`
 *   in the users' profile) should be lower, so a long query is stopped by the server, which says
 *   why (code 159, retriable), before the client gives up.
 * - At most `maxOpenConnections` (default 10) sockets per user.
 * - Responses are gzip-compressed for the writing user (results of the projector's and the CLI's
 *   reads can be large and may cross a network); not for the read-only user, which may not ask.
 *   Requests are sent uncompressed: insert batches travel inside the data centre, and gzip would
 *   cost the projector more CPU than the few milliseconds of network it saves.
 *
 * Statements:
 * - `query` appends `FORMAT JSON` and decodes by column type (rows.ts). The writing user asks for
 *   quoted 64-bit integers and decimals; for the read-only user, and on servers without
 *   `output_format_json_quote_decimals`, bare numbers of those columns are quoted in the response
 *   text before `JSON.parse`, so a value a double cannot hold is never rounded.
 * - Parameters `{name:Type}` are bound by the server (`param_<name>`). Servers before query
 *   parameters existed (Debian's 18.16, which the tests run against) get each placeholder replaced
 *   by a typed literal, `CAST('<escaped text>' AS Type)`: the value stays a single literal of the
 *   declared type whatever it contains. Which path applies is probed once, on first use.
 * - `insert` encodes with rows.ts: rows of one shape as JSONCompactEachRow with a column list (when
 *   the server reads that format), others as JSONEachRow; `input_format_skip_unknown_fields = 0`,
 *   so a misspelt column fails, and `input_format_defaults_for_omitted_fields = 1`, so a left-out
 *   field gets the column's DEFAULT expression as in chDB (servers without that setting, like
 *   18.16, fill in the type's default: 0, '' or NULL). The body is streamed by `exec`, and the (empty) response is drained
 *   so the socket goes back to the pool. `command` and `query` consume their responses as well.
 * - `insert_deduplication_token` is passed when the caller gives one. It needs ClickHouse 22.2+
 *   and a table with `non_replicated_deduplication_window` (or a replicated table); 18.16 knows
 *   neither and refuses the insert (unknown setting), so deduplication cannot be tested there.
 *
 * What the warehouse service needs a current server for (services/warehouse: schema.ts,
 * projector, replay.ts; infra pins ClickHouse 24+): `insert_deduplication_token` (22.2) with
 * `non_replicated_deduplication_window` / `replicated_deduplication_window` table settings;
 * `allow_nullable_key`; column types Date32 (21.9), Bool (21.12), DateTime64, Map(String, String)
 * and LowCardinality; `COMMENT` on tables; `CREATE OR REPLACE VIEW`; parameterised views
 * (`{asof:DateTime64(3)}` inside a view, 23.1); `GROUP BY ALL` (23.1); window functions
 * (`argMin(...) OVER (PARTITION BY ...)`); `SELECT * EXCEPT (...) REPLACE (...)`; common table
 * expressions over subqueries (`WITH lines AS (SELECT ...)`); `LEFT ANTI JOIN`; FINAL on both
 * sides of a join with `SETTINGS join_use_nulls = 1`; `EXCHANGE TABLES` for the replay switch
 * (Atomic databases); `ReplicatedReplacingMergeTree ... ON CLUSTER` with macros for the cluster
 * variant; per-tenant row policies and read-only users created with SQL for Grafana. 18.16 is
 * only good enough for the port's contract (test/suites/warehouse-suite.ts).
 */
import { Readable } from 'node:stream';
import {
  type ClickHouseClient,
  type ClickHouseSettings,
  type Logger as ClickHouseLogger,
  ClickHouseLogLevel,
  createClient,
  drainStream,
  type ErrorLogParams,
  type LogParams,
  type WarnLogParams,
} from '@clickhouse/client';
import type { InsertOptions, QueryParams, Warehouse } from '../ports/warehouse';
import type { Logger } from '../runtime/logger';
import { withSpan } from '../runtime/telemetry';
import { errorFromClickHouse, errorFromClickHouseHttp, WarehouseConnectionError, WarehouseQueryError } from './errors';
import { decodeJsonResult, encodeJsonCompactEachRow, encodeJsonEachRow } from './rows';

export interface ClickHouseWarehouseOptions {
  /** HTTP(S) endpoint, e.g. `http://clickhouse:8123`; user and password may be in the URL. */
  url: string;
  /** User for DDL and inserts. @default the URL's user, else `default` */
  username?: string;
  /** @default the URL's password, else empty */
  password?: string;
  /** Database unqualified table names refer to. @default the user's default database */
  database?: string;
  /** Read-only user (`readonly = 1`) for `query()`; unset: queries run as `username`. */
  readonlyUsername?: string;
  readonlyPassword?: string;
  logger?: Logger;
  /** How long the client waits for a response. @default 30000 */
  requestTimeoutMs?: number;
  /** Sockets per user. @default 10 */
  maxOpenConnections?: number;
}

export interface ClickHouseWarehouse extends Warehouse {
  /** Resolves when the server accepts a query from each configured user; for readiness checks. */
  ping(): Promise<void>;
  /** The server's address without credentials (for logs and messages). */
  readonly url: string;
}

/** Below every server's keep_alive_timeout (3 s before 23.11). */
const IDLE_SOCKET_TTL_MS = 2_500;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_OPEN_CONNECTIONS = 10;

/** What the server can do; probed once per warehouse on first use. */
interface ServerFeatures {
  version: string;
  /** Server-side `{name:Type}` binding via `param_<name>`. */
  queryParameters: boolean;
  /** JSONCompactEachRow as an input format. */
  compactInput: boolean;
  /** The `output_format_json_quote_decimals` setting. */
  quoteDecimals: boolean;
  /** The `input_format_defaults_for_omitted_fields` setting (DEFAULT expressions for left-out fields). */
  omittedDefaults: boolean;
}

const FEATURES_SQL =
  'SELECT version() AS version, ' +
  "(SELECT count() FROM system.formats WHERE name = 'JSONCompactEachRow' AND is_input = 1) AS compact_input, " +
  "(SELECT count() FROM system.settings WHERE name = 'output_format_json_quote_decimals') AS quote_decimals, " +
  "(SELECT count() FROM system.settings WHERE name = 'input_format_defaults_for_omitted_fields') AS omitted_defaults";

/** ClickHouse refuses `param_probe` as an unknown setting (115) where query parameters do not exist. */
const UNKNOWN_SETTING = 115;
/** Code of a placeholder without a value (what the server says for `{name:Type}` with no `param_name`). */
const UNKNOWN_QUERY_PARAMETER = 456;

interface Endpoint {
  /** The URL handed to the client, credentials removed. */
  url: URL;
  /** For messages: scheme, host, port and path only. */
  display: string;
  username: string;
  password: string;
}

function parseEndpoint(options: ClickHouseWarehouseOptions): Endpoint {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (error) {
    throw new WarehouseConnectionError('ClickHouse-Adresse ist keine gültige URL (erwartet z. B. http://clickhouse:8123).', { cause: error, retriable: false });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WarehouseConnectionError(`ClickHouse-Adresse muss mit http:// oder https:// beginnen, nicht mit ${url.protocol}//.`, { retriable: false });
  }
  const urlUser = decodeURIComponent(url.username);
  const urlPassword = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const display = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  return { url, display, username: options.username ?? (urlUser || 'default'), password: options.password ?? urlPassword };
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new WarehouseConnectionError(`${name} muss eine positive ganze Zahl sein, nicht ${value}.`, { retriable: false });
  }
  return value;
}

/**
 * Forwards the client's own log lines to the service logger. Its error lines repeat failures the
 * adapter already throws as typed errors (and carry request parameters), so they go to debug.
 */
function loggerClass(logger: Logger): new () => ClickHouseLogger {
  return class implements ClickHouseLogger {
    trace({ module, message }: LogParams): void {
      logger.trace({ module }, message);
    }
    debug({ module, message }: LogParams): void {
      logger.debug({ module }, message);
    }
    info({ module, message }: LogParams): void {
      logger.info({ module }, message);
    }
    warn({ module, message, err }: WarnLogParams): void {
      logger.warn({ module, err }, message);
    }
    error({ module, message, err }: ErrorLogParams): void {
      logger.debug({ module, err }, message);
    }
  };
}

// ---- client-side parameter binding (servers without query parameters) ----

const PLACEHOLDER = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{}]+?)\s*\}/y;

function quoteString(text: string): string {
  let out = "'";
  for (const ch of text) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\0':
        out += '\\0';
        break;
      default:
        out += ch;
    }
  }
  return `${out}'`;
}

function literal(value: QueryParams[string], name: string): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new WarehouseQueryError(`Abfrageparameter ${name} ist keine endliche Zahl: ${value}`, { retriable: false });
    return String(value);
  }
  if (typeof value === 'string') return quoteString(value);
  return `[${value.map((element) => literal(element, name)).join(', ')}]`;
}

/** Index after the literal or quoted identifier that starts at `start`. */
function skipQuoted(sql: string, start: number): number {
  const quote = sql[start];
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return i;
}

/**
 * Replaces every `{name:Type}` outside string literals, quoted identifiers and comments with
 * `CAST(<literal> AS Type)`, the way the server's own binding reads the SQL.
 */
function bindParametersInline(sql: string, params: QueryParams): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === "'" || ch === '"' || ch === '`') {
      i = skipQuoted(sql, i);
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (ch === '{') {
      PLACEHOLDER.lastIndex = i;
      const match = PLACEHOLDER.exec(sql);
      if (!match) {
        i += 1;
        continue;
      }
      const [whole, name, type] = match as unknown as [string, string, string];
      if (!Object.prototype.hasOwnProperty.call(params, name)) {
        throw new WarehouseQueryError(`Code: ${UNKNOWN_QUERY_PARAMETER}. Abfrageparameter {${name}:${type}} hat keinen Wert.`, {
          clickhouseCode: UNKNOWN_QUERY_PARAMETER,
          retriable: false,
          sql,
        });
      }
      out += `${sql.slice(copied, i)}CAST(${literal(params[name]!, name)} AS ${type})`;
      i += whole.length;
      copied = i;
    } else {
      i += 1;
    }
  }
  return out + sql.slice(copied);
}

// ---- exact numbers in responses ----

/** 64-bit and wider integers and decimals (also inside Nullable, LowCardinality, Array). */
function isExactType(type: string): boolean {
  const inner = type.replace(/^(?:(?:Nullable|LowCardinality|Array)\()+/, '');
  return /^(?:U?Int(?:64|128|256)|Decimal)/.test(inner);
}

const DATA_SECTION = '\n\t"data":';
const ROW_FIELD = /^\t\t\t("(?:[^"\\]|\\.)*"): (.*)$/gm;
const BARE_NUMBER = /(^|[[,\s])(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?=[\],\s]|$)/g;

/**
 * Quotes the bare numbers of exact columns in a `FORMAT JSON` response, for servers that printed
 * them unquoted. The format prints one field per line in the data section (strings escape their
 * line breaks), so a field is found by its line; anything else is left as it was.
 */
function quoteExactNumbers(text: string): string {
  const dataAt = text.indexOf(DATA_SECTION);
  const metaAt = text.indexOf('[');
  if (dataAt < 0 || metaAt < 0 || metaAt > dataAt) return text;
  let meta: Array<{ name: string; type: string }>;
  try {
    meta = JSON.parse(text.slice(metaAt, dataAt).trim().replace(/,$/, '')) as Array<{ name: string; type: string }>;
  } catch {
    return text;
  }
  const exact = new Set(meta.filter((column) => isExactType(column.type)).map((column) => column.name));
  if (exact.size === 0) return text;
  const data = text.slice(dataAt).replace(ROW_FIELD, (line, key: string, value: string) => {
    let name: unknown;
    try {
      name = JSON.parse(key);
    } catch {
      return line;
    }
    return typeof name === 'string' && exact.has(name) ? `\t\t\t${key}: ${value.replace(BARE_NUMBER, '$1"$2"')}` : line;
  });
  return text.slice(0, dataAt) + data;
}

// ---- the adapter ----

export async function createClickHouseWarehouse(options: ClickHouseWarehouseOptions): Promise<ClickHouseWarehouse> {
  const endpoint = parseEndpoint(options);
  const requestTimeoutMs = positiveInteger(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
  const maxOpenConnections = positiveInteger(options.maxOpenConnections, DEFAULT_MAX_OPEN_CONNECTIONS, 'maxOpenConnections');
  if (options.readonlyPassword !== undefined && options.readonlyUsername === undefined) {
    throw new WarehouseConnectionError('Ein Passwort für den Lesebenutzer ist angegeben, aber kein Lesebenutzer (readonlyUsername).', { retriable: false });
  }
  const logger = options.logger;

  function clientFor(username: string, password: string, compressResponses: boolean): ClickHouseClient {
    try {
      return createClient({
        url: endpoint.url,
        username,
        password,
        ...(options.database === undefined ? {} : { database: options.database }),
        application: 'lagebild',
        request_timeout: requestTimeoutMs,
        max_open_connections: maxOpenConnections,
        keep_alive: { enabled: true, idle_socket_ttl: IDLE_SOCKET_TTL_MS, eagerly_destroy_stale_sockets: true },
        compression: { response: compressResponses, request: false },
        log: logger ? { LoggerClass: loggerClass(logger.child({ component: 'clickhouse-client' })), level: ClickHouseLogLevel.WARN } : { level: ClickHouseLogLevel.OFF },
      });
    } catch (error) {
      // e.g. a parameter in the URL the client does not know
      throw new WarehouseConnectionError(`ClickHouse-Adresse ${endpoint.display} ist so nicht nutzbar: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
        retriable: false,
      });
    }
  }

  const writer = clientFor(endpoint.username, endpoint.password, true);
  const readerUser = options.readonlyUsername;
  const reader = readerUser === undefined ? undefined : clientFor(readerUser, options.readonlyPassword ?? '', false);
  let closed = false;
  let features: Promise<ServerFeatures> | undefined;

  function ensureOpen(): void {
    if (closed) throw new WarehouseConnectionError(`ClickHouse-Warehouse (${endpoint.display}) ist bereits geschlossen.`, { retriable: false });
  }

  async function run<T>(operation: string, sql: string | undefined, user: string, attributes: Record<string, string | number>, fn: () => Promise<T>): Promise<T> {
    ensureOpen();
    return withSpan(
      `warehouse.${operation}`,
      { 'db.system.name': 'clickhouse', 'lagebild.warehouse.adapter': 'clickhouse-http', 'server.address': endpoint.url.hostname, ...attributes },
      async () => {
        const started = performance.now();
        try {
          return await fn();
        } catch (error) {
          throw errorFromClickHouseHttp(error, { endpoint: endpoint.display, user, timeoutMs: requestTimeoutMs, ...(sql === undefined ? {} : { sql }) });
        } finally {
          logger?.debug({ operation, durationMs: Math.round(performance.now() - started), ...attributes }, 'warehouse operation');
        }
      },
    );
  }

  async function selectText(client: ClickHouseClient, sql: string, settings: ClickHouseSettings, queryParams?: Record<string, unknown>): Promise<string> {
    const result = await client.query({ query: sql, format: 'JSON', clickhouse_settings: settings, ...(queryParams === undefined ? {} : { query_params: queryParams }) });
    return result.text();
  }

  async function probe(): Promise<ServerFeatures> {
    let queryParameters = true;
    let text: string;
    try {
      text = await selectText(writer, `${FEATURES_SQL}, {probe:UInt8} AS probe`, {}, { probe: 1 });
    } catch (error) {
      const mapped = errorFromClickHouseHttp(error, { endpoint: endpoint.display, user: endpoint.username, timeoutMs: requestTimeoutMs });
      if (mapped.clickhouseCode !== UNKNOWN_SETTING) throw mapped;
      queryParameters = false;
      text = await selectText(writer, FEATURES_SQL, {});
    }
    const [row] = decodeJsonResult(text) as Array<{ version: string; compact_input: number; quote_decimals: number; omitted_defaults: number }>;
    const found: ServerFeatures = {
      version: row!.version,
      queryParameters,
      compactInput: row!.compact_input > 0,
      quoteDecimals: row!.quote_decimals > 0,
      omittedDefaults: row!.omitted_defaults > 0,
    };
    logger?.info({ clickhouseVersion: found.version, endpoint: endpoint.display, serverSideParameters: queryParameters }, 'ClickHouse server features');
    return found;
  }

  async function serverFeatures(): Promise<ServerFeatures> {
    features ??= probe().catch((error: unknown) => {
      features = undefined;
      throw error;
    });
    return features;
  }

  function decode(text: string, exactQuoted: boolean, sql: string): Record<string, unknown>[] {
    try {
      return decodeJsonResult(exactQuoted ? text : quoteExactNumbers(text));
    } catch (error) {
      // An exception after the first bytes were sent arrives in the body of a 200 response.
      const at = text.lastIndexOf('Code: ');
      if (at >= 0) throw errorFromClickHouse(text.slice(at).replace(/,\s*e\.what\(\) = [\s\S]*$/, '').trim(), { cause: error, sql });
      throw new WarehouseQueryError(`Antwort des ClickHouse-Servers ist kein gültiges JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error, sql });
    }
  }

  const warehouse: ClickHouseWarehouse = {
    url: endpoint.display,

    async command(sql) {
      await run('command', sql, endpoint.username, {}, async () => {
        // Errors of DDL arrive as an HTTP status only when the server answers at the end.
        await writer.command({ query: sql, clickhouse_settings: { wait_end_of_query: 1 } });
      });
    },

    async insert(table, rows, insertOptions: InsertOptions = {}) {
      if (rows.length === 0) return;
      await run('insert', `INSERT INTO ${table}`, endpoint.username, { 'db.collection.name': table, 'db.operation.batch.size': rows.length }, async () => {
        const server = await serverFeatures();
        const settings: ClickHouseSettings = { input_format_skip_unknown_fields: 0, ...(server.omittedDefaults ? { input_format_defaults_for_omitted_fields: 1 } : {}) };
        if (insertOptions.deduplicationToken !== undefined) settings.insert_deduplication_token = insertOptions.deduplicationToken;
        const compact = server.compactInput ? encodeJsonCompactEachRow(rows) : undefined;
        const statement = compact ? `INSERT INTO ${table} (${compact.columns.join(', ')}) FORMAT JSONCompactEachRow` : `INSERT INTO ${table} FORMAT JSONEachRow`;
        const body = compact ? compact.values : encodeJsonEachRow(rows);
        const result = await writer.exec({ query: statement, values: Readable.from([body], { objectMode: false }), clickhouse_settings: settings });
        await drainStream(result.stream);
      });
    },

    async query<T = Record<string, unknown>>(sql: string, params: QueryParams = {}): Promise<T[]> {
      const client = reader ?? writer;
      const user = readerUser ?? endpoint.username;
      return run('query', sql, user, {}, async () => {
        const server = await serverFeatures();
        const hasParams = Object.keys(params).length > 0;
        // Inline also without parameters: an unbound placeholder fails as on a current server (456).
        const statement = server.queryParameters ? sql : bindParametersInline(sql, params);
        const settings: ClickHouseSettings =
          client === writer ? { output_format_json_quote_64bit_integers: 1, ...(server.quoteDecimals ? { output_format_json_quote_decimals: 1 } : {}) } : {};
        const text = await selectText(client, statement, settings, hasParams && server.queryParameters ? params : undefined);
        return decode(text, client === writer && server.quoteDecimals, sql) as T[];
      });
    },

    async ping() {
      await run('ping', 'SELECT 1', endpoint.username, {}, () => writer.command({ query: 'SELECT 1' }));
      if (reader) await run('ping', 'SELECT 1', readerUser!, {}, () => reader.command({ query: 'SELECT 1' }));
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([writer.close(), reader?.close()]);
    },
  };
  return warehouse;
}

