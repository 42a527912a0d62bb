/**
 * Composition of the warehouse service: createService(deps) -> { router, start, stop }.
 * The domain features arrive with their own issue; until then the service answers its
 * liveness probe (`/api/warehouse/health`, added by the platform) and describes itself.
 */
import { Router } from 'express';
import type { ServiceFactory } from '@lagebild/platform';

export const SERVICE_NAME = 'warehouse';

export const createService: ServiceFactory = () => {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({
      service: SERVICE_NAME,
      titel: 'Warehouse und FIS',
      beschreibung: 'Projektion aller Ereignisse in das ClickHouse-Sternschema, FIS-Abfragen und FIS-Webansicht.',
    });
  });
  return { name: SERVICE_NAME, router };
};
