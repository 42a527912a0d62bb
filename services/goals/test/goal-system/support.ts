/**
 * A fresh embedded store (LMDB event store and document store in a temp dir) for the import
 * tests, with the catalogue entries the goals consumer would have kept from the indicators'
 * IndicatorDefinitionPublished events.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore } from '@lagebild/platform';
import type { GoalsContext } from '../../src/application';
import { importGoalSystem, type ImportAccepted, type ImportRejected } from '../../src/goal-system';
import { COLLECTIONS } from '../../src/projections';
import type { IndicatorDefinitionDoc } from '../../src/service';

export const NOW = new Date('2026-01-15T10:00:00.000Z');
export const ACTOR = { subject: 'user:sozialplanung-test' };

export interface Store {
  ctx: GoalsContext;
  close(): Promise<void>;
}

export async function openStore(indicatorIds: readonly string[] = ['arbeitslosendichte', 'kinderarmut', 'sgb2_quote']): Promise<Store> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-goal-system-'));
  const eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  const documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  for (const indicatorId of indicatorIds) {
    const doc: IndicatorDefinitionDoc = { scope: '00000', indicatorId, kind: 'INDICATOR', name: indicatorId, unit: '%', polarity: '-', version: 1 };
    await documents.put(COLLECTIONS.indicators, `00000|${indicatorId}`, doc);
  }
  return {
    ctx: { eventStore, documents, now: () => NOW },
    async close() {
      await documents.close();
      await eventStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function accepted(store: Store, text: string, fileName = 'ziele.yaml', tenant?: string): Promise<ImportAccepted> {
  const result = await importGoalSystem(store.ctx, { fileName, text, actor: ACTOR, ...(tenant ? { tenant } : {}) });
  if (!result.accepted) throw new Error(`abgelehnt:\n${result.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`).join('\n')}`);
  return result;
}

export async function rejected(store: Store, text: string, fileName = 'ziele.yaml', tenant?: string): Promise<ImportRejected> {
  const result = await importGoalSystem(store.ctx, { fileName, text, actor: ACTOR, ...(tenant ? { tenant } : {}) });
  if (result.accepted) throw new Error('Die Datei wurde angenommen, erwartet war eine Ablehnung.');
  return result;
}
