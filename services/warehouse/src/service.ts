/**
 * Composition of the warehouse service: createService(deps) -> { router, start, stop }.
 * The projector fills the ClickHouse star schema from every topic; /ready reports its lag.
 */
import { Router } from 'express';
import { createCodec } from '@lagebild/contracts';
import type { ServiceFactory } from '@lagebild/platform';
import { createProjection } from './projection';

export const SERVICE_NAME = 'warehouse';

/** Above this many unprojected records the FIS is not current enough to call the service ready. */
const MAX_READY_LAG = 200_000;

export const createService: ServiceFactory = (deps) => {
  const router = Router();
  const projection = createProjection({ warehouse: deps.warehouse, eventLog: deps.eventLog, documents: deps.documents, codec: createCodec(), logger: deps.logger });
  router.get('/', (_req, res) => {
    res.json({
      service: SERVICE_NAME,
      titel: 'Warehouse und FIS',
      beschreibung: 'Projektion aller Ereignisse in das ClickHouse-Sternschema, FIS-Abfragen und FIS-Webansicht.',
    });
  });
  return {
    name: SERVICE_NAME,
    router,
    start: () => projection.start(),
    stop: () => projection.stop(),
    readiness: {
      projection: async () => {
        const lag = await projection.lag();
        if (lag > MAX_READY_LAG) throw new Error(`Projektion hängt ${lag.toLocaleString('de-DE')} Ereignisse zurück`);
      },
    },
  };
};
