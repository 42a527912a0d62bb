/**
 * Composition of the ingestion service: createService(deps) -> { router, start, stop }.
 * Two features: the spatial register (Gebietsgliederung, Gemeindeverzeichnis) and deliveries
 * (Lieferprofile, validation, observations). The platform adds `/api/ingestion/health`.
 */
import { Router } from 'express';
import type { ServiceFactory } from '@lagebild/platform';
import { mountAreas } from './areas';
import { mountDeliveries } from './deliveries';

export const SERVICE_NAME = 'ingestion';

export const createService: ServiceFactory = (deps) => {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({
      service: SERVICE_NAME,
      titel: 'Datenannahme und Gebietsgliederung',
      beschreibung: 'Lieferungen von Datensätzen werden geprüft, versioniert und als Beobachtungen je Gebiet und Zeitraum erfasst.',
    });
  });
  // Spatial register: /schemes, /gemeindeverzeichnis (areas/routes.ts).
  const areas = mountAreas(router, deps);
  // Deliveries: /profiles, /datasets, /deliveries, /observations (deliveries/routes.ts, profiles/routes.ts).
  const deliveries = mountDeliveries(router, deps);
  return {
    name: SERVICE_NAME,
    router,
    start: async () => {
      await areas.start();
      await deliveries.start();
    },
    stop: () => deliveries.stop(),
  };
};
