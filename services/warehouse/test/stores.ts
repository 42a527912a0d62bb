/**
 * The stores of a warehouse test that runs the projection from a log: an embedded warehouse (chDB)
 * and an LMDB event log and document store in one temporary data directory, as `lagebild start`
 * lays them out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChdbWarehouse, createChdbWarehouse, createLmdbDocumentStore, createLmdbEventLog, type DocumentStore, type EventLog } from '@lagebild/platform';

export interface WarehouseStores {
  dir: string;
  warehouse: ChdbWarehouse;
  log: EventLog;
  documents: DocumentStore;
}

export async function openWarehouseStores(prefix: string): Promise<WarehouseStores> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const warehouse = await createChdbWarehouse({ path: path.join(dir, 'warehouse') });
  return { dir, warehouse, log: createLmdbEventLog({ path: path.join(dir, 'lmdb') }), documents: createLmdbDocumentStore({ path: path.join(dir, 'lmdb') }) };
}

export async function closeWarehouseStores(stores: WarehouseStores | undefined): Promise<void> {
  if (!stores) return;
  await stores.warehouse.close();
  await stores.log.close();
  await stores.documents.close();
  await rm(stores.dir, { recursive: true, force: true });
}
