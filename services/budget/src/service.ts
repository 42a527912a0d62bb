/**
 * Composition of the budget service: createService(deps) -> { router, start, stop }.
 * The domain features arrive with their own issue; until then the service answers its
 * liveness probe (`/api/budget/health`, added by the platform) and describes itself.
 */
import { Router } from 'express';
import type { ServiceFactory } from '@lagebild/platform';

export const SERVICE_NAME = 'budget';

export const createService: ServiceFactory = () => {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({
      service: SERVICE_NAME,
      titel: 'Budgetcontrolling',
      beschreibung: 'Produkthaushalt mit Ansatz, Ist, Obligo und Hochrechnung, Abweichungen und Verknüpfung mit Zielen.',
    });
  });
  return { name: SERVICE_NAME, router };
};
