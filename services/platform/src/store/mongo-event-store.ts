/**
 * The EventStore port over MongoDB: the production event store (ARCHITECTURE.md 4). It passes
 * the same port suite as the embedded LMDB store (test/suites/event-store.ts).
 *
 * Layout (one database per deployment, shared with the MongoDB document store):
 *
 * - `events`: one document per event, `_id` = global position (1, 2, ...), plus `stream`,
 *   `version`, `eventId`, `type`, `data`, `metadata`, `recordedAt` (a BSON date). A unique index
 *   on (stream, version) backs the optimistic concurrency check; `_id` orders `readAll`.
 * - `counters`: `{ _id: 'events.position', position }`, the last position handed out.
 *
 * Why a counter document in a multi-document transaction: the outbox relay reads `readAll`
 * strictly after its checkpoint, so positions must be gap-free and become visible in position
 * order: if position 8 were visible before position 7, the relay would move its checkpoint past
 * 7 and never publish it. MongoDB has no sequence; the alternatives fail this: an ObjectId or a
 * timestamp is not gap-free, and "max(_id) + 1" lets two appends pick the same number. Every
 * append therefore increments the counter first and inserts its events in the same transaction
 * (snapshot reads, majority writes). The increment makes the transaction the counter's only
 * writer until it commits: a concurrent append's increment fails with a write conflict, and
 * the driver (`withTransaction`) runs that append again from the start, after the first one
 * committed. So appends are serialised at the counter, positions are assigned in commit order,
 * and the stream's version is checked inside the transaction that holds the counter, so two
 * appends with the same expected version cannot both pass. An append that aborts (version
 * conflict, error, crash before commit) rolls its increment back with its inserts: it leaves no
 * gap, the next append takes the same positions, and no reader ever saw them. The unique index
 * remains as a backstop against writers that bypass the counter.
 *
 * The price is one append at a time per database (a transaction's round trips, a few ms), which
 * matches the embedded store, whose LMDB write lock serialises appends the same way; bulk data
 * travels as few large events (ARCHITECTURE.md 5), not as many small appends.
 *
 * Reads: `readStream` and `lastPosition` read the primary's latest state (a command handler
 * sees its own append). `readAll` reads with read concern "majority": the relay must never
 * publish an event that a failover could roll back, because its position would then be reused
 * by a different event that the relay's checkpoint has already passed.
 *
 * The outbox relay keeps polling `readAll({ after })` rather than following a change stream:
 * the position is already an exact resume point, while a change stream brings a second cursor
 * state (its resume token) that would have to be stored atomically with the checkpoint and that
 * becomes invalid once it falls off the oplog, so the relay would need the position-based path
 * as a fallback anyway. A poll every 100 ms is one indexed range query that finds nothing, and
 * under load the relay drains full batches round after round without waiting. A change stream
 * used only as a wake-up would cut the idle latency below the poll interval; that gain is too
 * small for dashboards to notice, so it is not built.
 *
 * MongoDB must run as a replica set (transactions need one; a single server can be a one-member
 * replica set) in version 5.0 or later; both are checked at start with an actionable German
 * message. The driver is loaded by the factory, so embedded processes never load it.
 */
import type { ClientSession, Collection, Db, MongoClient, TransactionOptions } from 'mongodb';
import { silentLogger, type Logger } from '../consumer/logger';
import type { AppendResult, EventMetadata, EventStore, ExpectedVersion, NewEvent, ReadAllOptions, ReadStreamOptions, StoredEvent } from '../ports/event-store';
import { InvalidEventStoreRequestError, satisfiesExpectedVersion, WrongExpectedVersionError, isWrongExpectedVersionError } from './errors';
import { normalizeReadAllOptions, normalizeReadStreamOptions, validateAppend } from './validation';

export interface MongoConnectionOptions {
  /** Connection string (MONGODB_URL); not needed when `client` is given. */
  url?: string;
  /**
   * A client to share between the MongoDB event store and document store of one process
   * (see `connectMongo`). Its owner closes it; `close()` of the store leaves it open.
   */
  client?: MongoClient;
  /** Database name, e.g. the service's name. */
  database: string;
  logger?: Logger;
}

export interface MongoEventStoreOptions extends MongoConnectionOptions {
  /** Clock for `recordedAt`. Default: the system clock. */
  now?: () => Date;
}

/** MongoDB runs standalone or too old for what the stores need. Retrying cannot help. */
export class MongoDeploymentError extends Error {
  readonly code = 'MONGO_DEPLOYMENT';
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = 'MongoDeploymentError';
  }
}

/** The server could not be reached or refused the connection. */
export class MongoUnavailableError extends Error {
  readonly code = 'MONGO_UNAVAILABLE';
  readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MongoUnavailableError';
  }
}

export class MongoStoreClosedError extends Error {
  readonly code = 'MONGO_STORE_CLOSED';
  readonly retriable = false;

  constructor(what: string) {
    super(`${what} ist bereits geschlossen.`);
    this.name = 'MongoStoreClosedError';
  }
}

/**
 * MongoDB 5.0 (wire version 13) is the oldest release supported: it stores field names with
 * dots and dollars inside documents (event data and read models may have them), and since 4.4 a
 * transaction may create the collection it writes to (a document collection's first write).
 */
export const MIN_WIRE_VERSION = 13;

/** The fields of the `hello` answer the check reads. */
export interface HelloAnswer {
  setName?: unknown;
  msg?: unknown;
  maxWireVersion?: unknown;
}

/**
 * Refuses a deployment the stores cannot work on: a standalone server (no transactions) or a
 * server older than 5.0. A mongos router (sharded cluster) reports `msg: 'isdbgrid'` and
 * supports transactions.
 */
export function checkMongoDeployment(hello: HelloAnswer, where: string): void {
  const sharded = hello.msg === 'isdbgrid';
  if (!sharded && (typeof hello.setName !== 'string' || hello.setName.length === 0)) {
    throw new MongoDeploymentError(
      `MongoDB unter ${where} läuft nicht als Replica Set. Der Ereignisspeicher schreibt die globale Position und die Ereignisse ` +
        'in einer Transaktion, und MongoDB erlaubt Transaktionen nur in einem Replica Set. Ein einzelner Server genügt als ' +
        'Replica Set mit einem Mitglied: mongod mit --replSet rs0 starten (oder replication.replSetName: rs0 in mongod.conf), ' +
        'einmalig in mongosh rs.initiate() ausführen und MONGODB_URL um ?replicaSet=rs0 ergänzen.',
    );
  }
  if (typeof hello.maxWireVersion === 'number' && hello.maxWireVersion < MIN_WIRE_VERSION) {
    throw new MongoDeploymentError(
      `MongoDB unter ${where} ist zu alt (Protokollversion ${hello.maxWireVersion}); benötigt wird MongoDB 5.0 oder neuer.`,
    );
  }
}

/** Hosts of a connection string without credentials, for messages and logs. */
export function describeMongoUrl(url: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)([^/?]*)/.exec(url);
  if (!match) return 'der angegebenen Adresse';
  const hosts = match[2]!.includes('@') ? match[2]!.slice(match[2]!.lastIndexOf('@') + 1) : match[2]!;
  return `${match[1]}${hosts}`;
}

const FORBIDDEN_DATABASE_CHARACTERS = /[/\\. "$*<>:|?\u0000]/;

export function validateDatabaseName(database: unknown): asserts database is string {
  if (typeof database !== 'string' || database.length === 0) throw new RangeError('Der Name der MongoDB-Datenbank darf nicht leer sein.');
  if (FORBIDDEN_DATABASE_CHARACTERS.test(database) || Buffer.byteLength(database) > 63) {
    throw new RangeError(`"${database}" ist kein gültiger MongoDB-Datenbankname (höchstens 63 Bytes, ohne / \\ . " $ * < > : | ? und Leerzeichen).`);
  }
}

/** Options of every client the platform opens. */
const CLIENT_OPTIONS = { appName: 'lagebild', ignoreUndefined: true } as const;

/**
 * Opens a client and checks the deployment once, for sharing between the event store and the
 * document store of a process (`client` option). The caller closes it after both stores.
 */
export async function connectMongo(url: string): Promise<MongoClient> {
  const where = describeMongoUrl(url);
  const { MongoClient } = await import('mongodb');
  let client: MongoClient;
  try {
    client = new MongoClient(url, CLIENT_OPTIONS);
    await client.connect();
  } catch (error) {
    throw new MongoUnavailableError(
      `MongoDB unter ${where} ist nicht erreichbar (${reasonOf(error)}). MONGODB_URL prüfen und ob der Server läuft.`,
      { cause: error },
    );
  }
  try {
    await checkDeployment(client, where);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return client;
}

async function checkDeployment(client: MongoClient, where: string): Promise<void> {
  let hello: HelloAnswer;
  try {
    hello = (await client.db('admin').command({ hello: 1 })) as HelloAnswer;
  } catch (error) {
    throw new MongoUnavailableError(`MongoDB unter ${where} beantwortet die Anfrage "hello" nicht (${reasonOf(error)}).`, { cause: error });
  }
  checkMongoDeployment(hello, where);
}

/**
 * The database both stores work in. Majority writes, so an acknowledged write survives a
 * failover; undefined fields are left out as JSON would.
 */
export async function openMongoDatabase(options: MongoConnectionOptions): Promise<{ client: MongoClient; db: Db; owned: boolean }> {
  validateDatabaseName(options.database);
  let client: MongoClient;
  let owned: boolean;
  if (options.client) {
    client = options.client;
    owned = false;
    await checkDeployment(client, 'dem übergebenen Client');
  } else {
    if (typeof options.url !== 'string' || options.url.length === 0) throw new RangeError('Für MongoDB wird url (MONGODB_URL) oder ein client gebraucht.');
    client = await connectMongo(options.url);
    owned = true;
  }
  const db = client.db(options.database, { writeConcern: { w: 'majority' }, ignoreUndefined: true });
  return { client, db, owned };
}

/** Settings of every transaction of the MongoDB stores. */
export const TRANSACTION_OPTIONS: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const EVENTS = 'events';
const COUNTERS = 'counters';
const POSITION_COUNTER = 'events.position';
/** MongoDB's limit of one document, which holds one event. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

interface EventDocument {
  _id: number;
  stream: string;
  version: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: Date;
}

interface CounterDocument {
  _id: string;
  position: number;
}

export async function createMongoEventStore(options: MongoEventStoreOptions): Promise<EventStore> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const { client, db, owned } = await openMongoDatabase(options);
  const events: Collection<EventDocument> = db.collection<EventDocument>(EVENTS);
  const committedEvents: Collection<EventDocument> = db.collection<EventDocument>(EVENTS, { readConcern: { level: 'majority' } });
  const counters: Collection<CounterDocument> = db.collection<CounterDocument>(COUNTERS);
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  try {
    await events.createIndex({ stream: 1, version: 1 }, { unique: true, name: 'stream_version' });
    // Starts at the last stored position, so a database restored without its counter continues.
    const last = await lastPositionNow();
    await counters.updateOne({ _id: POSITION_COUNTER }, { $setOnInsert: { position: last } }, { upsert: true }).catch((error: unknown) => {
      // Two processes creating the counter at once: the other one won, which is just as good.
      if ((error as { code?: unknown }).code !== 11000) throw error;
    });
  } catch (error) {
    if (owned) await client.close().catch(() => undefined);
    throw error;
  }
  logger.info({ database: db.databaseName }, 'MongoDB-Ereignisspeicher geöffnet');

  function ensureOpen(): void {
    if (closed) throw new MongoStoreClosedError('Der MongoDB-Ereignisspeicher');
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    const forget = () => pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async function headVersion(stream: string, session?: ClientSession): Promise<number> {
    const head = await events.findOne({ stream }, { sort: { version: -1 }, projection: { version: 1 }, ...(session && { session }) });
    return head?.version ?? 0;
  }

  async function lastPositionNow(): Promise<number> {
    const last = await events.findOne({}, { sort: { _id: -1 }, projection: { _id: 1 } });
    return last?._id ?? 0;
  }

  async function append(stream: string, newEvents: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (newEvents.length === 0) {
      const current = await headVersion(stream);
      if (!satisfiesExpectedVersion(expected, current)) throw new WrongExpectedVersionError(stream, expected, current);
      return { nextExpectedVersion: current, lastPosition: await lastPositionNow() };
    }
    const session = client.startSession();
    try {
      return await session.withTransaction(async () => {
        // First the counter: from here on this transaction is its only writer (see the header).
        const counter = await counters.findOneAndUpdate(
          { _id: POSITION_COUNTER },
          { $inc: { position: newEvents.length } },
          { session, upsert: true, returnDocument: 'after' },
        );
        const last = counter!.position;
        const current = await headVersion(stream, session);
        if (!satisfiesExpectedVersion(expected, current)) throw new WrongExpectedVersionError(stream, expected, current);
        const first = last - newEvents.length + 1;
        const recordedAt = now();
        if (Number.isNaN(recordedAt.getTime())) throw new RangeError('Die Uhr des Ereignisspeichers liefert kein gültiges Datum.');
        await events.insertMany(
          newEvents.map((event, i) => ({
            _id: first + i,
            stream,
            version: current + 1 + i,
            eventId: event.id,
            type: event.type,
            data: event.data,
            metadata: event.metadata,
            recordedAt,
          })),
          { session, ordered: true },
        );
        return { nextExpectedVersion: current + newEvents.length, lastPosition: last };
      }, TRANSACTION_OPTIONS);
    } catch (error) {
      throw await mapAppendError(error, stream, expected);
    } finally {
      await session.endSession();
    }
  }

  async function mapAppendError(error: unknown, stream: string, expected: ExpectedVersion): Promise<unknown> {
    if (isWrongExpectedVersionError(error)) return error;
    const code = (error as { code?: unknown }).code;
    const keyPattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern;
    if (code === 11000 && keyPattern && 'stream' in keyPattern) {
      // Only a writer that bypassed the counter gets here; report it as the conflict it is.
      return new WrongExpectedVersionError(stream, expected, await headVersion(stream));
    }
    if (isTooLarge(error)) {
      return new InvalidEventStoreRequestError(
        `Ein Ereignis für "${stream}" ist größer als die ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB, die MongoDB je Dokument erlaubt. ` +
          'Große Datenmengen auf mehrere Ereignisse verteilen (z. B. Beobachtungen in Stapeln zu einigen Tausend).',
        { cause: error },
      );
    }
    return error;
  }

  async function appendToStream(stream: string, newEvents: readonly NewEvent[], appendOptions?: { expectedVersion?: ExpectedVersion }): Promise<AppendResult> {
    ensureOpen();
    const expected = appendOptions?.expectedVersion ?? 'any';
    validateAppend(stream, newEvents, expected);
    return track(append(stream, newEvents, expected));
  }

  async function readStream(stream: string, readOptions?: ReadStreamOptions): Promise<StoredEvent[]> {
    ensureOpen();
    const { fromVersion, maxCount } = normalizeReadStreamOptions(readOptions);
    if (maxCount === 0) return [];
    const cursor = events.find({ stream, version: { $gte: fromVersion } }, { sort: { version: 1 }, ...(Number.isFinite(maxCount) && { limit: maxCount }) });
    return (await track(cursor.toArray())).map(toStoredEvent);
  }

  async function readAll(readOptions?: ReadAllOptions): Promise<StoredEvent[]> {
    ensureOpen();
    const { after, maxCount } = normalizeReadAllOptions(readOptions);
    if (maxCount === 0) return [];
    const cursor = committedEvents.find({ _id: { $gt: after } }, { sort: { _id: 1 }, ...(Number.isFinite(maxCount) && { limit: maxCount }) });
    return (await track(cursor.toArray())).map(toStoredEvent);
  }

  return {
    appendToStream,
    readStream,
    readAll,
    async lastPosition() {
      ensureOpen();
      return track(lastPositionNow());
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...pending]);
      if (owned) await client.close();
    },
  };
}

function toStoredEvent(doc: EventDocument): StoredEvent {
  return {
    id: doc.eventId,
    type: doc.type,
    data: doc.data,
    metadata: doc.metadata,
    stream: doc.stream,
    version: doc.version,
    position: doc._id,
    recordedAt: doc.recordedAt.toISOString(),
  };
}

function isTooLarge(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  // 10334: BSONObjectTooLarge from the server; the driver refuses oversized documents before sending.
  return e.code === 10334 || (typeof e.message === 'string' && /larger than the maximum|exceeds maximum|too large/i.test(e.message));
}

/** For tests and tools that inspect the raw layout. */
export const mongoEventStoreLayout = { events: EVENTS, counters: COUNTERS, positionCounter: POSITION_COUNTER } as const;
