/**
 * Warehouse port: the ClickHouse star schema. Embedded: chDB (the ClickHouse engine in-process).
 * Production: ClickHouse server over HTTP. SQL is ClickHouse SQL; parameters use ClickHouse's
 * server-side binding `{name:Type}`, never string concatenation.
 */

export type QueryParams = Record<string, string | number | boolean | null | readonly (string | number)[]>;

export interface InsertOptions {
  /**
   * Deterministic token for exactly-once effect of a retried insert
   * (ClickHouse `insert_deduplication_token`; the table needs a deduplication window).
   */
  deduplicationToken?: string;
}

export interface Warehouse {
  /** DDL or other statements without a result. */
  command(sql: string): Promise<void>;
  /** Insert rows (objects keyed by column name). */
  insert(table: string, rows: readonly Record<string, unknown>[], options?: InsertOptions): Promise<void>;
  /** Run a query and return its rows as objects. */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  close(): Promise<void>;
}
