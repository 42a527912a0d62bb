/**
 * Composition of the ingestion service: createService(deps) -> { router, start, stop }.
 * The domain features arrive with their own issue; until then the service answers its
 * liveness probe (`/api/ingestion/health`, added by the platform) and describes itself.
 */
import { Router } from 'express';
import type { ServiceFactory } from '@lagebild/platform';

export const SERVICE_NAME = 'ingestion';

export const createService: ServiceFactory = () => {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({
      service: SERVICE_NAME,
      titel: 'Datenannahme und Gebietsgliederung',
      beschreibung: 'Lieferungen von Datensätzen werden geprüft, versioniert und als Beobachtungen je Gebiet und Zeitraum erfasst.',
    });
  });
  return { name: SERVICE_NAME, router };
};
