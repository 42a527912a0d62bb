import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { Packr } from 'msgpackr';
import { reportCommitFailuresInGerman } from './commit-failures';

/**
 * One LMDB environment per data dir and process, shared by every embedded adapter that works on
 * that dir (event store, event log, document store). LMDB forbids opening the same environment
 * twice in one process, and sharing also lets the adapters' writes join the same batched commit.
 * Other processes open the same files on their own; LMDB serialises their write transactions
 * with a robust inter-process lock, and readers see each commit once it is done.
 */
export interface LmdbEnvironment {
  /** Absolute path of the data dir. */
  readonly path: string;
  /**
   * The named sub-database; every call with the same name returns the same handle. Values are
   * msgpack, or raw bytes with `binary` (for values an adapter lays out itself).
   */
  database<V = unknown, K extends Key = Key>(name: string, options?: { binary?: boolean }): Database<V, K>;
  /**
   * In-process wake-ups between adapters on this environment (e.g. a publish waking a
   * subscription of the same process); other processes notice changes by polling.
   */
  readonly signals: EventEmitter;
  /** Resolves once every commit so far is flushed to the disk (not only visible). */
  flushed(): Promise<void>;
  /** Give back this handle; the environment closes when the last handle is released. */
  release(): Promise<void>;
}

interface SharedEnvironment {
  root: RootDatabase;
  databases: Map<string, { db: Database; binary: boolean }>;
  signals: EventEmitter;
  handles: number;
}

// Sub-databases used by all adapters together stay well below this; LMDB reserves a slot per
// possible database, so it is not set generously.
const MAX_DATABASES = 32;

/**
 * Options of every environment the platform opens (and of the benchmarks' raw baselines, so
 * that both measure the same durability).
 *
 * `overlappingSync` (lmdb-js's default on Linux) flushes to disk after the write lock is
 * released, under a second inter-process lock. A process killed during that flush leaves the
 * lock to the next process, and LMDB's recovery then marks the environment of a process that
 * is just committing as fatally broken (MDB_PANIC): found by the crash test, where the
 * surviving consumer process stopped for good. Without it, the flush happens inside the
 * commit under the write lock, whose owner-died recovery LMDB handles cleanly. Appends are
 * acknowledged after the flush either way.
 */
export const LMDB_ENVIRONMENT_OPTIONS = { maxDbs: MAX_DATABASES, overlappingSync: false } as const;

const shared = new Map<string, SharedEnvironment>();

/*
 * The msgpack codec of every non-binary sub-database: msgpack without records, so every value
 * is self-describing and any process (and any later version of this code) decodes it without
 * shared structure state. `copyBuffers` makes decoded binary data a copy, because lmdb-js
 * decodes from a buffer it reuses.
 *
 * It is handed to lmdb-js as a plain { encode, decode } object on purpose. Given msgpackr's own
 * encoder, lmdb-js encodes in "reuse buffer" mode and caches the native address of msgpackr's
 * shared encode buffer as a property on that buffer (a Uint8Array). When the first buffer tagged
 * so sits low in memory (its address fits a V8 small integer) and a later, grown one does not,
 * the property's representation changes, the buffers' hidden class is deprecated, and from then
 * on V8 routes every byte msgpackr writes, for any sub-database, through a slow runtime call:
 * 6.3 instead of 1.2 us per observation for 5,000-observation events, and the ingestion
 * benchmark's delivery took 35 instead of 17 s in about half the runs. A plain encode returns a
 * fresh view per value, and lmdb-js tags that view's ArrayBuffer, never msgpackr's buffer.
 */
const msgpack = new Packr({ useRecords: false, copyBuffers: true });
const MSGPACK_CODEC = {
  encode: (value: unknown): Buffer => msgpack.pack(value),
  // lmdb-js passes either the value's length or its read options; msgpackr accepts both.
  decode: (bytes: Buffer, options?: number | { start?: number; end?: number }): unknown => msgpack.unpack(bytes, options),
};

export function openLmdbEnvironment(dataDir: string): LmdbEnvironment {
  const path = resolve(dataDir);
  let env = shared.get(path);
  if (!env) {
    reportCommitFailuresInGerman();
    const root = open(path, LMDB_ENVIRONMENT_OPTIONS);
    const signals = new EventEmitter();
    // Every subscription of the process listens here; they are many, not leaks.
    signals.setMaxListeners(0);
    env = { root, databases: new Map(), signals, handles: 0 };
    shared.set(path, env);
  }
  env.handles += 1;
  const current = env;
  let released = false;

  return {
    path,
    signals: current.signals,
    database<V = unknown, K extends Key = Key>(name: string, options?: { binary?: boolean }): Database<V, K> {
      if (released) throw new LmdbClosedError(path);
      const binary = options?.binary ?? false;
      let entry = current.databases.get(name);
      if (!entry) {
        const dbOptions = binary ? { encoding: 'binary' as const } : ({ encoder: MSGPACK_CODEC } as Parameters<RootDatabase['openDB']>[1]);
        entry = { db: current.root.openDB(name, dbOptions), binary };
        current.databases.set(name, entry);
      } else if (entry.binary !== binary) {
        throw new Error(`Die Teildatenbank "${name}" ist bereits mit einer anderen Kodierung geöffnet.`);
      }
      return entry.db as unknown as Database<V, K>;
    },
    async flushed(): Promise<void> {
      await current.root.flushed;
    },
    async release(): Promise<void> {
      if (released) return;
      released = true;
      current.handles -= 1;
      if (current.handles === 0) {
        shared.delete(path);
        await current.root.close();
      }
    },
  };
}

/** Raised when an adapter is used after its environment handle was released. */
export class LmdbClosedError extends Error {
  readonly retriable = false;
  constructor(readonly path: string) {
    super(`Die eingebettete Datenbank unter "${path}" ist bereits geschlossen.`);
    this.name = 'LmdbClosedError';
  }
}
