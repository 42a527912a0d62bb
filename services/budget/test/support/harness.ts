/**
 * The budget service on the real embedded engines: a fresh LMDB event store and document store in
 * a temp dir per test file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';
import { createBudgetService, type BudgetService } from '../../src/application';

/** The repository root (services/budget/test/support is four levels below). */
export const REPO = path.resolve(__dirname, '../../../..');
/** The shared open data beside the checkout (../shared/data; sources and licences in its README). */
export const DATA = path.resolve(REPO, '../shared/data');
export const MUENSTER_FILE = path.join(DATA, 'budget/muenster_ergebnisse_2007_2016.csv');
/** Stadt Münster, kreisfreie Stadt. */
export const MUENSTER = '05515';

export interface Harness {
  dir: string;
  eventStore: EventStore;
  documents: DocumentStore;
  service: BudgetService;
  /** Writes a file into the temp dir and returns its path. */
  file(name: string, content: string | Buffer): Promise<string>;
  close(): Promise<void>;
}

export async function openHarness(options: { now?: () => Date } = {}): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-budget-'));
  const eventStore = createLmdbEventStore({ path: path.join(dir, 'store') });
  const documents = createLmdbDocumentStore({ path: path.join(dir, 'store') });
  const service = createBudgetService({ eventStore, documents, ...(options.now ? { now: options.now } : {}) });
  return {
    dir,
    eventStore,
    documents,
    service,
    async file(name, content) {
      const p = path.join(dir, name);
      await writeFile(p, content);
      return p;
    },
    async close() {
      await service.projector.stop();
      await documents.close();
      await eventStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
