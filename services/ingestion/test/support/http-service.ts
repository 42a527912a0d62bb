/**
 * The ingestion service over HTTP for tests: real LMDB stores in a temporary data directory
 * (LAGEBILD_DATA_DIR points there while it runs), the embedded authentication, the service's own
 * router and OpenAPI document mounted by the platform's app on a free port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createApp,
  createEmbeddedAuth,
  createLmdbDocumentStore,
  createLmdbEventLog,
  createLmdbEventStore,
  type DocumentStore,
  type EmbeddedAuth,
  type EventStore,
  serviceMount,
  type ServiceModule,
  silentLogger,
} from '@lagebild/platform';
import { createService } from '../../src';

export interface IngestionHttp {
  dir: string;
  auth: EmbeddedAuth;
  service: ServiceModule;
  /** http://127.0.0.1:<port>/api/ingestion */
  base: string;
  close(): Promise<void>;
}

/** Opens the service; `prepare` runs on the stores before the service is created (e.g. loading the Gemeindeverzeichnis). */
export async function openIngestionHttp(options: { prefix: string; prepare?: (stores: { eventStore: EventStore; documents: DocumentStore }) => Promise<void> }): Promise<IngestionHttp> {
  const previousDataDir = process.env.LAGEBILD_DATA_DIR;
  const dir = await mkdtemp(path.join(tmpdir(), `lagebild-${options.prefix}-`));
  process.env.LAGEBILD_DATA_DIR = dir;
  const lmdb = path.join(dir, 'lmdb');
  const eventStore = createLmdbEventStore({ path: lmdb });
  const documents = createLmdbDocumentStore({ path: lmdb });
  const eventLog = createLmdbEventLog({ path: lmdb });
  const logger = silentLogger();
  const auth = await createEmbeddedAuth({ dataDir: dir });
  await options.prepare?.({ eventStore, documents });
  const service = await createService({ eventStore, documents, eventLog, logger, auth, warehouse: undefined as never });
  await service.start?.();
  const app = createApp({ service: 'ingestion', logger, auth, mounts: [serviceMount(service.name, service.router, service.openapi ? { openapi: service.openapi } : {})] });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    dir,
    auth,
    service,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/ingestion`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await service.stop?.();
      await eventLog.close();
      await documents.close();
      await eventStore.close();
      if (previousDataDir === undefined) delete process.env.LAGEBILD_DATA_DIR;
      else process.env.LAGEBILD_DATA_DIR = previousDataDir;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
