/**
 * The running projection: applies the star schema to the warehouse at start, consumes every
 * topic (consumer group `warehouse`) into it, and reports its lag (records on the log not yet
 * projected) as a metric and a readiness check.
 */
import { metrics } from '@opentelemetry/api';
import type { IntegrationEventCodec } from '@lagebild/contracts';
import { type DocumentStore, type EventLog, type Logger, runConsumer, type Subscription, type Warehouse } from '@lagebild/platform';
import { project } from './projector';
import { renderSchema } from './schema';

export const PROJECTION_GROUP = 'warehouse';
export const TOPICS = ['lagebild.ingestion', 'lagebild.indicators', 'lagebild.goals', 'lagebild.budget'] as const;

export interface ProjectionDeps {
  warehouse: Warehouse;
  eventLog: EventLog;
  documents: DocumentStore;
  codec: IntegrationEventCodec;
  logger?: Logger;
}

/** Creates the database and tables (idempotent: IF NOT EXISTS). */
export async function applySchema(warehouse: Warehouse, database = 'lagebild'): Promise<void> {
  for (const statement of renderSchema('single', database)) await warehouse.command(statement);
}

/** Records on the log that the group has not projected yet, over all topics and partitions. */
export async function projectionLag(log: EventLog, group = PROJECTION_GROUP): Promise<number> {
  let lag = 0;
  for (const topic of TOPICS) {
    const [ends, committed] = await Promise.all([log.endOffsets(topic), log.committedOffsets(group, topic)]);
    for (const [partition, end] of ends) lag += Math.max(0, end - (committed.get(partition) ?? 0));
  }
  return lag;
}

export interface Projection {
  start(): Promise<void>;
  stop(): Promise<void>;
  lag(): Promise<number>;
}

export function createProjection(deps: ProjectionDeps, options: { group?: string; database?: string } = {}): Projection {
  const group = options.group ?? PROJECTION_GROUP;
  const database = options.database ?? 'lagebild';
  let subscription: Subscription | undefined;
  let lastLag = 0;
  const gauge = metrics.getMeter('lagebild-warehouse').createObservableGauge('lagebild.warehouse.projection_lag', { description: 'Records on the event log not yet projected into the warehouse.', unit: '{record}' });
  gauge.addCallback((result) => result.observe(lastLag, { group }));
  return {
    async start() {
      await applySchema(deps.warehouse, database);
      subscription = await runConsumer({
        log: deps.eventLog,
        group,
        topics: TOPICS,
        documents: deps.documents,
        // Idempotence lies in the tables (replacing merge + deduplication tokens): no processed-id set needed.
        idempotency: false,
        logger: deps.logger?.child({ component: 'warehouse-projector' }),
        handle: async (records) => {
          await project({ warehouse: deps.warehouse, codec: deps.codec, database }, records);
        },
      });
    },
    async stop() {
      await subscription?.stop();
    },
    async lag() {
      lastLag = await projectionLag(deps.eventLog, group);
      return lastLag;
    },
  };
}
