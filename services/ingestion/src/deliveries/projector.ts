/**
 * Keeps the ingestion read models (catalogs, deliveries, reports, observations) by following the
 * event store from a checkpoint. Handlers are idempotent, so a crash between applying an event
 * and saving the checkpoint only repeats work. Commands call `catchUp()` after appending, so a
 * client reads its own writes (status right after the 202).
 */
import type { DocumentStore, EventStore, Logger } from '@lagebild/platform';
import { CATALOG_EVENT_TYPES, projectCatalogEvent } from '../profiles/projections';
import { DELIVERY_PROJECTION_TYPES, projectAcceptedObservations, projectDeliveryEvent } from './projections';

export const PROJECTOR_COLLECTION = 'ingestion.projector';
const CHECKPOINT_KEY = 'checkpoint';
/** Small pages: a page may hold batches of thousands of observations each. */
const PAGE = 20;

export interface IngestionProjector {
  catchUp(): Promise<number>;
  start(pollIntervalMs?: number): void;
  stop(): Promise<void>;
}

export function createIngestionProjector(deps: { eventStore: EventStore; documents: DocumentStore; logger?: Logger }): IngestionProjector {
  const { eventStore, documents } = deps;
  const catalogTypes = new Set<string>(CATALOG_EVENT_TYPES);
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  async function run(): Promise<number> {
    let position = (await documents.get<{ position: number }>(PROJECTOR_COLLECTION, CHECKPOINT_KEY))?.position ?? 0;
    let applied = 0;
    for (;;) {
      const events = await eventStore.readAll({ after: position, maxCount: PAGE });
      if (events.length === 0) return applied;
      for (const event of events) {
        if (catalogTypes.has(event.type)) await documents.write(projectCatalogEvent(event));
        else if (DELIVERY_PROJECTION_TYPES.has(event.type)) {
          const writes = await projectDeliveryEvent(documents, event);
          if (writes.length > 0) await documents.write(writes);
          if (event.type === 'DeliveryAccepted') await projectAcceptedObservations(eventStore, documents, event);
        } else continue;
        applied += 1;
      }
      position = events[events.length - 1]!.position;
      await documents.put(PROJECTOR_COLLECTION, CHECKPOINT_KEY, { position });
      if (events.length < PAGE) return applied;
    }
  }

  function catchUp(): Promise<number> {
    const round = queue.then(run);
    queue = round.catch(() => undefined);
    return round;
  }

  return {
    catchUp,
    start(pollIntervalMs = 250) {
      if (running) return;
      running = true;
      const tick = async () => {
        try {
          await catchUp();
        } catch (error) {
          deps.logger?.error({ err: error }, 'ingestion projector failed; retrying');
        }
        if (running) timer = setTimeout(tick, pollIntervalMs);
      };
      timer = setTimeout(tick, 0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await queue;
    },
  };
}
