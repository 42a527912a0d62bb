/** Fresh data dirs and port-suite harnesses for the embedded LMDB adapters. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLmdbDocumentStore } from '../../src/documents/lmdb-document-store';
import { createLmdbEventLog, type LmdbEventLogOptions } from '../../src/log/lmdb-event-log';
import type { DocumentStore } from '../../src/ports/document-store';
import type { EventLog } from '../../src/ports/event-log';
import type { EventStore } from '../../src/ports/event-store';
import { createLmdbEventStore, type LmdbEventStoreOptions } from '../../src/store/lmdb-event-store';
import type { DocumentStoreHarness } from '../suites/document-store';
import type { EventLogHarness } from '../suites/event-log';
import type { EventStoreHarness } from '../suites/event-store';

export function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lagebild-platform-'));
}

export async function removeDataDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Opens instances over one data dir and closes them all on cleanup. */
async function harnessOver<T extends { close(): Promise<void> }>(open: (dir: string) => T): Promise<{ dir: string; first: T; reopen(): Promise<T>; cleanup(): Promise<void> }> {
  const dir = await tempDataDir();
  const opened: T[] = [];
  const openOne = () => {
    const instance = open(dir);
    opened.push(instance);
    return instance;
  };
  return {
    dir,
    first: openOne(),
    reopen: async () => openOne(),
    async cleanup() {
      for (const instance of opened) await instance.close();
      await removeDataDir(dir);
    },
  };
}

export async function lmdbEventStoreHarness(options: Omit<LmdbEventStoreOptions, 'path'> = {}): Promise<EventStoreHarness & { dir: string }> {
  const h = await harnessOver<EventStore>((path) => createLmdbEventStore({ ...options, path }));
  return { dir: h.dir, store: h.first, reopen: h.reopen, cleanup: h.cleanup };
}

export async function lmdbEventLogHarness(options: Omit<LmdbEventLogOptions, 'path'> = {}): Promise<EventLogHarness & { dir: string }> {
  const h = await harnessOver<EventLog>((path) => createLmdbEventLog({ pollIntervalMs: 20, redeliveryDelayMs: 50, ...options, path }));
  return { dir: h.dir, log: h.first, reopen: h.reopen, cleanup: h.cleanup };
}

export async function lmdbDocumentStoreHarness(): Promise<DocumentStoreHarness & { dir: string }> {
  const h = await harnessOver<DocumentStore>((path) => createLmdbDocumentStore({ path }));
  return { dir: h.dir, documents: h.first, reopen: h.reopen, cleanup: h.cleanup };
}

/** Child-process fixtures run the compiled package; say clearly when it was not built. */
export function requireBuiltPackage(): string {
  const dist = join(__dirname, '..', '..', 'dist');
  for (const module of ['index.js', 'store/index.js', 'log/index.js', 'documents/index.js', 'outbox/index.js', 'consumer/index.js', 'warehouse/index.js']) {
    if (!existsSync(join(dist, module))) {
      throw new Error(
        `dist/${module} fehlt: Kindprozesse dieses Tests nutzen das gebaute Paket. ` +
          'Vorher bauen: cd services/platform && npx tsc -p tsconfig.build.json',
      );
    }
  }
  return dist;
}
