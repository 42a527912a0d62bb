/**
 * The DocumentStore port over MongoDB: read models and small state documents in production
 * (ARCHITECTURE.md 4). It passes the same port suite as the embedded LMDB store
 * (test/suites/document-store.ts).
 *
 * Layout: one MongoDB collection per port collection, named `docs.<collection>` (the prefix keeps
 * them apart from the event store's `events` and `counters` in the same database and from
 * MongoDB's reserved `system.*`; `%` and `$`, which MongoDB does not allow in collection names,
 * are written as `%25` and `%24`). Each document is `{ _id: <key>, doc: <the document> }`:
 *
 * - `_id` = key gives `get` and key-ordered `scan` the primary index for free. MongoDB compares
 *   strings by their UTF-8 bytes (simple collation), the order the embedded store scans in, and
 *   a prefix scan is a range `[prefix, successor(prefix))` on that index.
 * - The document sits under `doc` instead of at the top level, so any field name a read model
 *   uses (also `_id`) stays its own.
 *
 * `find` filters on top-level fields by equality. The query runs on MongoDB (`doc.<field>`),
 * then the same exact check as the embedded store removes what MongoDB's equality adds (an array
 * field that merely contains the value). The first `find` with a set of fields creates an index
 * on exactly those fields in the background, so the read-model queries the services issue
 * (by tenant, by tenant + data set + status, ...) run on an index from then on without a list of
 * indexes to maintain elsewhere; at most 16 such indexes per collection, beyond that the query
 * runs without a new one and a warning says so. Field names with a dot or a leading `$` (MongoDB
 * would read them as paths or operators) are only checked in the exact check.
 *
 * `write` applies its writes in one multi-document transaction (all or nothing), a single
 * write without one. Writes are acknowledged by a majority of the replica set; reads go to
 * the primary, so a process reads its own writes.
 */
import { createHash } from 'node:crypto';
import type { AnyBulkWriteOperation, Collection, Document, TransactionOptions } from 'mongodb';
import { silentLogger } from '../consumer/logger';
import type { DocumentStore, DocumentWrite, ScanOptions } from '../ports/document-store';
import { MongoStoreClosedError, openMongoDatabase, type MongoConnectionOptions } from '../store/mongo-event-store';
import { InvalidDocumentRequestError, validateCollection, validateDocument, validateDocumentKey, validateFilter, validateScanOptions } from './validation';

export type MongoDocumentStoreOptions = MongoConnectionOptions;

const COLLECTION_PREFIX = 'docs.';
/** MongoDB's limit on `<database>.<collection>`. */
const MAX_NAMESPACE_BYTES = 255;
const MAX_FIND_INDEXES_PER_COLLECTION = 16;
/**
 * A write list's transaction reads nothing, so read concern "local" suffices; it is also the
 * level MongoDB documents for transactions that create a collection, as the first write into a
 * new collection does.
 */
const WRITE_TRANSACTION_OPTIONS: TransactionOptions = { readConcern: { level: 'local' }, writeConcern: { w: 'majority' }, readPreference: 'primary' };

interface StoredDocument {
  _id: string;
  doc: Document;
}

type Filter = Record<string, string | number | boolean | null>;

/** The MongoDB collection of a port collection. */
export function mongoCollectionName(collection: string): string {
  return COLLECTION_PREFIX + collection.replace(/[%$]/g, (c) => (c === '%' ? '%25' : '%24'));
}

/** A field MongoDB addresses as `doc.<name>` without reading it as a path or an operator. */
export function isPlainFieldName(name: string): boolean {
  return name.length > 0 && !name.includes('.') && !name.startsWith('$');
}

/** The MongoDB query of a `find`: equality on every plain field; a superset of the exact result. */
export function findQuery(filter: Filter): Document {
  const query: Document = {};
  for (const [name, value] of Object.entries(filter)) if (isPlainFieldName(name)) query[`doc.${name}`] = value;
  return query;
}

/** A missing field equals null, as in MongoDB's `{ field: null }` and the embedded store. */
export function matchesFilter(doc: unknown, filter: Filter): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const record = doc as Record<string, unknown>;
  for (const [name, expected] of Object.entries(filter)) {
    const actual = Object.hasOwn(record, name) ? record[name] : undefined;
    if (expected === null ? actual !== null && actual !== undefined : actual !== expected) return false;
  }
  return true;
}

/**
 * The smallest string greater than every string that starts with `prefix`, in code point order
 * (= UTF-8 byte order): the last code point incremented (skipping the surrogate range), carrying
 * over a maximal code point. `undefined` when no such string exists (all code points maximal).
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return String.fromCodePoint(...codePoints, next);
    }
  }
  return undefined;
}

/** Keys starting with `prefix`, as a range on `_id` the primary index answers. */
export function prefixQuery(prefix: string): Document {
  if (prefix === '') return {};
  const successor = prefixSuccessor(prefix);
  return { _id: successor === undefined ? { $gte: prefix } : { $gte: prefix, $lt: successor } };
}

export async function createMongoDocumentStore(options: MongoDocumentStoreOptions): Promise<DocumentStore> {
  const logger = options.logger ?? silentLogger;
  const { client, db, owned } = await openMongoDatabase(options);
  const pending = new Set<Promise<unknown>>();
  const findIndexes = new Map<string, Set<string>>();
  const warnedIndexLimit = new Set<string>();
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new MongoStoreClosedError('Der MongoDB-Dokumentspeicher');
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    const forget = () => pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  function collectionOf(collection: string): Collection<StoredDocument> {
    const name = mongoCollectionName(collection);
    if (Buffer.byteLength(`${db.databaseName}.${name}`) > MAX_NAMESPACE_BYTES) {
      throw new InvalidDocumentRequestError(
        `Der Name der Sammlung "${collection}" ist für MongoDB zu lang (Datenbank und Sammlung zusammen höchstens ${MAX_NAMESPACE_BYTES} Bytes).`,
      );
    }
    return db.collection<StoredDocument>(name);
  }

  /** Starts building an index for a `find` field set once; the query does not wait for it. */
  function ensureFindIndex(collection: string, target: Collection<StoredDocument>, fields: readonly string[]): void {
    if (fields.length === 0) return;
    const sorted = [...fields].sort();
    const signature = sorted.join('\u0000');
    let known = findIndexes.get(collection);
    if (!known) {
      known = new Set();
      findIndexes.set(collection, known);
    }
    if (known.has(signature)) return;
    if (known.size >= MAX_FIND_INDEXES_PER_COLLECTION) {
      if (!warnedIndexLimit.has(collection)) {
        warnedIndexLimit.add(collection);
        logger.warn({ collection, fields: sorted }, 'Keine weiteren Abfrage-Indizes für diese Sammlung; die Abfrage läuft ohne eigenen Index');
      }
      return;
    }
    known.add(signature);
    const keys: Record<string, 1> = {};
    for (const field of sorted) keys[`doc.${field}`] = 1;
    const name = `find_${createHash('sha256').update(signature).digest('hex').slice(0, 16)}`;
    track(target.createIndex(keys, { name })).catch((error: unknown) => {
      known.delete(signature);
      logger.warn({ err: error, collection, fields: sorted }, 'Abfrage-Index konnte nicht angelegt werden; die Abfrage läuft ohne ihn');
    });
  }

  function operation(entry: DocumentWrite): AnyBulkWriteOperation<StoredDocument> {
    return entry.doc === null
      ? { deleteOne: { filter: { _id: entry.key } } }
      : { replaceOne: { filter: { _id: entry.key }, replacement: { doc: entry.doc as Document }, upsert: true } };
  }

  async function applyWrites(writes: readonly DocumentWrite[]): Promise<void> {
    if (writes.length === 1) {
      const entry = writes[0]!;
      await collectionOf(entry.collection).bulkWrite([operation(entry)], { ordered: true });
      return;
    }
    // Grouped per collection; within a collection the writes keep their order (a later write of
    // the same key wins, as in the embedded store).
    const byCollection = new Map<string, Array<AnyBulkWriteOperation<StoredDocument>>>();
    for (const entry of writes) {
      let operations = byCollection.get(entry.collection);
      if (!operations) {
        operations = [];
        byCollection.set(entry.collection, operations);
      }
      operations.push(operation(entry));
    }
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        for (const [collection, operations] of byCollection) await collectionOf(collection).bulkWrite(operations, { session, ordered: true });
      }, WRITE_TRANSACTION_OPTIONS);
    } finally {
      await session.endSession();
    }
  }

  async function write(writes: readonly DocumentWrite[]): Promise<void> {
    ensureOpen();
    if (!Array.isArray(writes)) throw new InvalidDocumentRequestError('write erwartet eine Liste von Schreibvorgängen.');
    // Everything is checked before anything is written, so a bad entry refuses the whole list.
    for (const entry of writes) {
      validateCollection(entry.collection);
      validateDocumentKey(entry.key);
      if (entry.doc !== null) validateDocument(entry.doc);
      collectionOf(entry.collection);
    }
    if (writes.length === 0) return;
    await track(applyWrites(writes));
  }

  return {
    async get<T>(collection: string, key: string): Promise<T | undefined> {
      ensureOpen();
      validateCollection(collection);
      validateDocumentKey(key);
      const found = await track(collectionOf(collection).findOne({ _id: key }, { projection: { doc: 1 } }));
      return found === null ? undefined : (found.doc as T);
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
      if (limit === 0) return [];
      const cursor = collectionOf(collection).find(prefixQuery(prefix), { sort: { _id: 1 }, ...(Number.isFinite(limit) && { limit }) });
      return (await track(cursor.toArray())).map((entry) => ({ key: entry._id, doc: entry.doc as T }));
    },
    async find<T>(collection: string, filter: Filter): Promise<Array<{ key: string; doc: T }>> {
      ensureOpen();
      validateCollection(collection);
      validateFilter(filter);
      const target = collectionOf(collection);
      ensureFindIndex(collection, target, Object.keys(filter).filter(isPlainFieldName));
      const cursor = target.find(findQuery(filter), { sort: { _id: 1 } });
      const result: Array<{ key: string; doc: T }> = [];
      for (const entry of await track(cursor.toArray())) if (matchesFilter(entry.doc, filter)) result.push({ key: entry._id, doc: entry.doc as T });
      return result;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...pending]);
      if (owned) await client.close();
    },
  };
}

/** For tests and tools that inspect the raw layout. */
export const mongoDocumentStoreLayout = { collectionPrefix: COLLECTION_PREFIX } as const;
