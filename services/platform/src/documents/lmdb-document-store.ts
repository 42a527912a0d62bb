import { LmdbClosedError, openLmdbEnvironment } from '../lmdb/environment';
import type { DocumentStore, DocumentWrite, ScanOptions } from '../ports/document-store';
import { InvalidDocumentRequestError, validateCollection, validateDocument, validateDocumentKey, validateFilter, validateScanOptions } from './validation';

export interface LmdbDocumentStoreOptions {
  /** Data dir of the LMDB environment (shared with the other embedded adapters). */
  path: string;
}

/*
 * Layout: one sub-database `documents`, keyed [collection, key]. lmdb-js orders composite keys
 * part by part, so a collection is a contiguous key range and `scan` walks it in key order
 * (strings compare by their UTF-8 bytes). `find` scans the collection: read models of one
 * machine are small enough, and an index would have to be declared somewhere.
 *
 * Writes resolve when committed: visible to every process and, with the environment's options
 * (lmdb/environment.ts), flushed to disk.
 */
type DocumentKey = [collection: string, key: string];

const DOCUMENTS_DB = 'documents';

export function createLmdbDocumentStore(options: LmdbDocumentStoreOptions): DocumentStore {
  const env = openLmdbEnvironment(options.path);
  const db = env.database<unknown, DocumentKey>(DOCUMENTS_DB);
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new LmdbClosedError(env.path);
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    const forget = () => pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  function* collectionEntries(collection: string, prefix: string): Generator<{ key: string; doc: unknown }> {
    for (const { key, value } of db.getRange({ start: [collection, prefix] })) {
      if (key[0] !== collection || !key[1].startsWith(prefix)) return;
      yield { key: key[1], doc: value };
    }
  }

  async function write(writes: readonly DocumentWrite[]): Promise<void> {
    ensureOpen();
    if (!Array.isArray(writes)) throw new InvalidDocumentRequestError('write erwartet eine Liste von Schreibvorgängen.');
    // Everything is checked before the transaction starts, so a bad entry refuses the whole
    // list and nothing is half written.
    for (const entry of writes) {
      validateCollection(entry.collection);
      validateDocumentKey(entry.key);
      if (entry.doc !== null) validateDocument(entry.doc);
    }
    if (writes.length === 0) return;
    await track(
      db.childTransaction(() => {
        for (const entry of writes) {
          if (entry.doc === null) db.remove([entry.collection, entry.key]);
          else db.put([entry.collection, entry.key], entry.doc);
        }
      }),
    );
  }

  return {
    async get<T>(collection: string, key: string): Promise<T | undefined> {
      ensureOpen();
      validateCollection(collection);
      validateDocumentKey(key);
      return db.get([collection, key]) as T | undefined;
    },
    async put<T>(collection: string, key: string, doc: T): Promise<void> {
      if (doc === null) throw new InvalidDocumentRequestError('put speichert kein null; zum Löschen delete verwenden.');
      await write([{ collection, key, doc }]);
    },
    async delete(collection: string, key: string): Promise<void> {
      await write([{ collection, key, doc: null }]);
    },
    write,
    async scan<T>(collection: string, scanOptions?: ScanOptions): Promise<Array<{ key: string; doc: T }>> {
      ensureOpen();
      validateCollection(collection);
      const { prefix, limit } = validateScanOptions(scanOptions);
      const result: Array<{ key: string; doc: T }> = [];
      if (limit === 0) return result;
      for (const entry of collectionEntries(collection, prefix)) {
        result.push(entry as { key: string; doc: T });
        if (result.length >= limit) break;
      }
      return result;
    },
    async find<T>(collection: string, filter: Record<string, string | number | boolean | null>): Promise<Array<{ key: string; doc: T }>> {
      ensureOpen();
      validateCollection(collection);
      validateFilter(filter);
      const fields = Object.entries(filter);
      const result: Array<{ key: string; doc: T }> = [];
      for (const entry of collectionEntries(collection, '')) {
        if (matches(entry.doc, fields)) result.push(entry as { key: string; doc: T });
      }
      return result;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...pending]);
      await env.release();
    },
  };
}

/** A missing field equals null, as in MongoDB's `{ field: null }`. */
function matches(doc: unknown, fields: ReadonlyArray<[string, string | number | boolean | null]>): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const record = doc as Record<string, unknown>;
  for (const [name, expected] of fields) {
    const actual = Object.hasOwn(record, name) ? record[name] : undefined;
    if (expected === null ? actual !== null && actual !== undefined : actual !== expected) return false;
  }
  return true;
}

export const lmdbDocumentStoreLayout = { documentsDb: DOCUMENTS_DB } as const;
