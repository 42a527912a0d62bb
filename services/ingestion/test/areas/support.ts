/**
 * Shared by the register's tests: a fresh embedded store per test file and the real open data
 * beside the repository (../shared/data, see its README for sources and licences).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore } from '@lagebild/platform';
import type { Actor, AreasContext } from '../../src/areas';

export const DATA = path.resolve(__dirname, '../../../../../shared/data');

export const actor: Actor = { subject: 'system:test' };

export interface TestContext {
  ctx: AreasContext;
  dir: string;
  close(): Promise<void>;
}

export async function openContext(): Promise<TestContext> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-areas-'));
  const eventStore = createLmdbEventStore({ path: dir });
  const documents = createLmdbDocumentStore({ path: dir });
  return {
    ctx: { eventStore, documents },
    dir,
    async close() {
      await documents.close();
      await eventStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
