/**
 * Shared by the CLI's end-to-end tests: the built command (dist/main.js) run as users run it, in
 * a child process on a data directory of its own, and the real open data beside the checkout.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';

const MAIN = path.resolve(__dirname, '../dist/main.js');
/** The shared open data (see its README for licences). */
export const DATA = path.resolve(__dirname, '../../../../shared/data');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh data directory; `lagebild(...)` runs on it, `remove()` deletes it. */
export interface DataDir {
  path: string;
  lagebild(...args: string[]): Promise<CliResult>;
  /** The stores of the data directory, opened in this process (after the command has exited). */
  openStores(): { eventStore: EventStore; documents: DocumentStore; close(): Promise<void> };
  remove(): Promise<void>;
}

export async function freshDataDir(name: string): Promise<DataDir> {
  const dir = await mkdtemp(path.join(tmpdir(), `lagebild-cli-${name}-`));
  return {
    path: dir,
    lagebild: (...args) => run(dir, args),
    openStores() {
      const lmdb = path.join(dir, 'lmdb');
      const eventStore = createLmdbEventStore({ path: lmdb });
      const documents = createLmdbDocumentStore({ path: lmdb });
      return {
        eventStore,
        documents,
        async close() {
          await documents.close();
          await eventStore.close();
        },
      };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

function run(dataDir: string, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, LAGEBILD_DATA_DIR: dataDir, LAGEBILD_LOG_LEVEL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
