/**
 * Composition of the budget service: createService(deps) -> { router, openapi, start, stop }.
 *
 * - Commands and queries: application.ts over the event store (streams budget-structure-*,
 *   budget-year-*, actuals-*, commitment-*, budget-kennzahlen-*) and the ledger read model.
 * - Ledger projector: follows the event store in the background (ledger/projection.ts).
 * - Consumer (group `budget`): contracts of the goals service commit budget lines; the
 *   Gemeindeverzeichnis version for the Kennzahlen (consumer.ts).
 * - Integration events go out through the host's outbox relay: the budget events to
 *   lagebild.budget, the Kennzahlen (ObservationsRecorded, DeliveryAccepted of the ingestion
 *   contract) to lagebild.ingestion, where the indicator service reads them like any delivery.
 */
import { join } from 'node:path';
import { createCodec } from '@lagebild/contracts';
import { platformSettings, runConsumer, type ServiceFactory, type Subscription } from '@lagebild/platform';
import { createBudgetService } from './application';
import { CONSUMED_TOPICS, CONSUMER_GROUP, handleBudgetRecords } from './consumer';
import { createBudgetApi } from './http/routes';

export const SERVICE_NAME = 'budget';

export const createService: ServiceFactory = (deps) => {
  const service = createBudgetService({ eventStore: deps.eventStore, documents: deps.documents, logger: deps.logger.child({ feature: 'budget' }) });
  const dataDir = platformSettings.dataDir.read(process.env);
  const api = createBudgetApi(service, { workDir: join(dataDir.ok ? dataDir.value : '.lagebild', 'budget', 'uploads') });
  const codec = createCodec();
  let subscription: Subscription | undefined;
  return {
    name: SERVICE_NAME,
    router: api.router,
    openapi: () => api.document(),
    consumers: [{ group: CONSUMER_GROUP, topics: CONSUMED_TOPICS }],
    start: async () => {
      await service.projector.catchUp();
      service.projector.start();
      subscription = await runConsumer({
        log: deps.eventLog,
        group: CONSUMER_GROUP,
        topics: CONSUMED_TOPICS,
        documents: deps.documents,
        logger: deps.logger.child({ component: 'budget-consumer' }),
        handle: (records) => handleBudgetRecords(service, codec, records),
      });
    },
    stop: async () => {
      await subscription?.stop();
      await service.projector.stop();
    },
  };
};
