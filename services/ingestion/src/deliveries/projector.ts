/**
 * Keeps the ingestion read models (catalogs, deliveries, reports, observations) by following the
 * event store from a checkpoint. Handlers are idempotent, so a crash between applying an event
 * and saving the checkpoint only repeats work. Commands call `catchUp()` after appending, so a
 * client reads its own writes (status right after the 202).
 */
import { type DocumentStore, type EventStore, type Logger, pollLoop, type StoredEvent } from '@lagebild/platform';
import { CATALOG_EVENT_TYPES, projectCatalogEvent } from '../profiles/projections';
import { DELIVERY_PROJECTION_TYPES, projectAcceptedObservations, projectDeliveryEvent } from './projections';

export const PROJECTOR_COLLECTION = 'ingestion.projector';
/** Small pages: a page may hold batches of thousands of observations each. */
const PAGE = 20;

export interface IngestionProjector {
  /** Catalogs, delivery status and reports: cheap, caught up right after every command. */
  catchUpStatus(): Promise<number>;
  /** Everything, including the observation read model (heavy for large deliveries). */
  catchUp(): Promise<number>;
  start(pollIntervalMs?: number): void;
  stop(): Promise<void>;
}

/**
 * Two followers with their own checkpoints: the status read models must be current right after
 * a command (a client polls its delivery), while writing millions of observations into the
 * observation read model may lag behind without holding up the next delivery.
 */
export function createIngestionProjector(deps: { eventStore: EventStore; documents: DocumentStore; logger?: Logger }): IngestionProjector {
  const { eventStore, documents } = deps;
  const catalogTypes = new Set<string>(CATALOG_EVENT_TYPES);

  function follower(name: string, apply: (event: StoredEvent) => Promise<boolean>) {
    let queue: Promise<unknown> = Promise.resolve();
    async function run(): Promise<number> {
      let position = (await documents.get<{ position: number }>(PROJECTOR_COLLECTION, name))?.position ?? 0;
      let applied = 0;
      for (;;) {
        const events = await eventStore.readAll({ after: position, maxCount: PAGE });
        if (events.length === 0) return applied;
        for (const event of events) if (await apply(event)) applied += 1;
        position = events[events.length - 1]!.position;
        await documents.put(PROJECTOR_COLLECTION, name, { position });
        if (events.length < PAGE) return applied;
      }
    }
    return () => {
      const round = queue.then(run);
      queue = round.catch(() => undefined);
      return round;
    };
  }

  const catchUpStatus = follower('status', async (event) => {
    if (catalogTypes.has(event.type)) {
      await documents.write(projectCatalogEvent(event));
      return true;
    }
    if (!DELIVERY_PROJECTION_TYPES.has(event.type)) return false;
    const writes = await projectDeliveryEvent(documents, event);
    if (writes.length > 0) await documents.write(writes);
    return true;
  });
  // The checkpoint is versioned with the observation keys: observations.v2 keys by data set, so
  // a data directory projected with the old keys is projected again from the start.
  const catchUpObservations = follower('observations.v2', async (event) => {
    if (event.type !== 'DeliveryAccepted') return false;
    await projectAcceptedObservations(eventStore, documents, event);
    return true;
  });

  const catchUp = async () => (await catchUpStatus()) + (await catchUpObservations());

  const loop = pollLoop(catchUp, { logger: deps.logger, failureMessage: 'ingestion projector failed; retrying' });

  return {
    catchUpStatus,
    catchUp,
    ...loop,
  };
}
