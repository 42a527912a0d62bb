/**
 * Composition of the goals service: createService(deps) -> { router, start, stop }.
 * The domain features arrive with their own issue; until then the service answers its
 * liveness probe (`/api/goals/health`, added by the platform) and describes itself.
 */
import { Router } from 'express';
import type { ServiceFactory } from '@lagebild/platform';

export const SERVICE_NAME = 'goals';

export const createService: ServiceFactory = () => {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({
      service: SERVICE_NAME,
      titel: 'Ziele und Kontrakte',
      beschreibung: 'Zielsystem mit Zielwerten, Maßnahmen, Kontrakte und Leistungsvereinbarungen mit Trägern, Trägerberichte.',
    });
  });
  return { name: SERVICE_NAME, router };
};
