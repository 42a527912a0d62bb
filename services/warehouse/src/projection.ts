/**
 * The running projection: applies the star schema to the warehouse at start, consumes every
 * topic (consumer group `warehouse`) into it, and reports its lag (records on the log not yet
 * projected) as a metric and a readiness check.
 *
 * A data directory written by an earlier version may hold tables of an earlier structure (a
 * column added since, another key): `CREATE TABLE IF NOT EXISTS` leaves them as they are, and the
 * projector's rows would no longer fit them. At start such tables are rebuilt from the log before
 * the projection goes on (the replay of replay.ts: the FIS keeps reading the old tables until the
 * switch), so an upgrade needs no manual step. The log holds every event from offset 0 (topics are
 * replayed from the start, ARCHITECTURE.md 5), so the rebuilt tables are exactly what a projection
 * from the first event gives.
 */
import { metrics } from '@opentelemetry/api';
import type { IntegrationEventCodec } from '@lagebild/contracts';
import { type DocumentStore, type EventLog, type Logger, runConsumer, type Subscription, type Warehouse } from '@lagebild/platform';
import { PROJECTION_GROUP, project, projectionLag, TOPICS } from './projector';
import { ReplayAbortedError, replayWarehouse } from './replay';
import { applySchema } from './schema';

export { applySchema, staleTables, type AppliedSchema, type StaleTable } from './schema';
export { PROJECTION_GROUP, projectionLag, TOPICS } from './projector';

export interface ProjectionDeps {
  warehouse: Warehouse;
  eventLog: EventLog;
  documents: DocumentStore;
  codec: IntegrationEventCodec;
  logger?: Logger;
}

export interface Projection {
  start(): Promise<void>;
  stop(): Promise<void>;
  lag(): Promise<number>;
}

export function createProjection(deps: ProjectionDeps, options: { group?: string; database?: string } = {}): Projection {
  const group = options.group ?? PROJECTION_GROUP;
  const database = options.database ?? 'lagebild';
  const logger = deps.logger?.child({ component: 'warehouse-projector' });
  let subscription: Subscription | undefined;
  let rebuilding: Promise<unknown> | undefined;
  const stopping = new AbortController();
  let lastLag = 0;
  const gauge = metrics.getMeter('lagebild-warehouse').createObservableGauge('lagebild.warehouse.projection_lag', { description: 'Records on the event log not yet projected into the warehouse.', unit: '{record}' });
  gauge.addCallback((result) => result.observe(lastLag, { group }));

  /** Rebuilds tables of an earlier structure from the log; false when stopped meanwhile. */
  async function rebuildStale(tables: string): Promise<boolean> {
    logger?.warn({ tables }, `Warehouse-Tabellen einer früheren Version (${tables}): Neuaufbau aus allen Ereignissen, danach läuft die Projektion weiter. Das FIS zeigt bis zur Umschaltung den bisherigen Stand.`);
    rebuilding = replayWarehouse(deps, { database, signal: stopping.signal, onProgress: (message) => logger?.info(message) });
    try {
      await rebuilding;
      return !stopping.signal.aborted;
    } catch (error) {
      if (error instanceof ReplayAbortedError) return false;
      throw error;
    }
  }

  return {
    async start() {
      const { stale } = await applySchema(deps.warehouse, database);
      if (stale.length > 0 && !(await rebuildStale(stale.map((t) => `${t.table}: ${t.difference}`).join('; ')))) return;
      if (stopping.signal.aborted) return;
      subscription = await runConsumer({
        log: deps.eventLog,
        group,
        topics: TOPICS,
        documents: deps.documents,
        // Idempotence lies in the tables (replacing merge + deduplication tokens): no processed-id set needed.
        idempotency: false,
        logger,
        handle: async (records, { signal }) => {
          await project({ warehouse: deps.warehouse, codec: deps.codec, database, signal }, records);
        },
      });
      // Stopped while the consumer was being set up: stop it too, or it would outlive the service.
      if (stopping.signal.aborted) await subscription.stop();
    },
    async stop() {
      stopping.abort();
      await rebuilding?.catch(() => undefined);
      await subscription?.stop();
    },
    async lag() {
      lastLag = await projectionLag(deps.eventLog, group);
      return lastLag;
    },
  };
}
