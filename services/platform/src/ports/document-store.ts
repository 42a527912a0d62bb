/**
 * DocumentStore port: read models and small state documents by key, grouped in collections.
 * Keys are strings; documents are plain JSON-compatible objects.
 */

export interface DocumentWrite {
  collection: string;
  key: string;
  /** `null` deletes the document. */
  doc: unknown | null;
}

export interface ScanOptions {
  /** Only keys starting with this prefix. */
  prefix?: string;
  limit?: number;
}

export interface DocumentStore {
  get<T>(collection: string, key: string): Promise<T | undefined>;
  put<T>(collection: string, key: string, doc: T): Promise<void>;
  delete(collection: string, key: string): Promise<void>;
  /** Apply all writes atomically: all or nothing. */
  write(writes: readonly DocumentWrite[]): Promise<void>;
  /** Documents in key order. */
  scan<T>(collection: string, options?: ScanOptions): Promise<Array<{ key: string; doc: T }>>;
  /** Documents whose top-level fields equal all given values. */
  find<T>(collection: string, filter: Record<string, string | number | boolean | null>): Promise<Array<{ key: string; doc: T }>>;
  close(): Promise<void>;
}
