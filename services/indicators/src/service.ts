/**
 * Composition of the indicators service: createService(deps) -> { router, start, stop }.
 * The domain features arrive with their own issue; until then the service answers its
 * liveness probe (`/api/indicators/health`, added by the platform) and describes itself.
 */
import { Router } from 'express';
import type { ServiceFactory } from '@lagebild/platform';

export const SERVICE_NAME = 'indicators';

export const createService: ServiceFactory = () => {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({
      service: SERVICE_NAME,
      titel: 'Kennzahlen',
      beschreibung: 'Kennzahlenkatalog, Berechnung je Gebiet und Zeitraum, zusammengesetzte Indizes und Geheimhaltung kleiner Fallzahlen.',
    });
  });
  return { name: SERVICE_NAME, router };
};
