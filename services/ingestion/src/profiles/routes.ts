/**
 * HTTP API of the catalogs (under /api/ingestion):
 *
 *   GET /profiles            profiles the caller may use (shared ones and its tenants')
 *   GET /profiles/:id        a profile, the latest version or ?version=N
 *   PUT /profiles/:id        saves a new version (admin, sozialplanung; a shared profile: admin)
 *   GET /datasets            data set definitions
 *   GET /datasets/:id        a definition with its variables (?version=N)
 *   PUT /datasets/:id        saves a new version (admin)
 */
import { Router } from 'express';
import { z } from 'zod';
import { canAccessTenant, ForbiddenProblem, NotFoundProblem, parseInput, principalOf, requireRole, ValidationProblem } from '@lagebild/platform';
import { CatalogReferenceError, type Catalog } from './catalog';

const VersionQuery = z.object({ version: z.coerce.number().int().min(1, { message: 'Version ab 1 erwartet' }).optional() });

export function createCatalogRouter(catalog: Catalog, options: { now?: () => Date } = {}): Router {
  const router = Router();
  const now = options.now ?? (() => new Date());

  router.get('/profiles', async (req, res) => {
    const principal = principalOf(req);
    const profiles = (await catalog.listProfiles()).filter((p) => p.tenant === null || canAccessTenant(principal, p.tenant));
    res.json({ profiles });
  });

  router.get('/profiles/:id', async (req, res) => {
    const principal = principalOf(req);
    const { version } = parseInput(VersionQuery, req.query, 'query');
    const profile = await catalog.getProfile(String(req.params.id), version);
    if (!profile || (profile.tenant !== null && !canAccessTenant(principal, profile.tenant))) {
      throw new NotFoundProblem(`Ein Lieferprofil „${String(req.params.id)}“${version ? ` in Version ${version}` : ''} gibt es nicht.`);
    }
    res.json(profile);
  });

  router.put('/profiles/:id', requireRole('admin', 'sozialplanung'), async (req, res) => {
    const principal = principalOf(req);
    const id = String(req.params.id);
    const body = (req.body ?? {}) as { tenant?: unknown };
    const existing = await catalog.getProfile(id);
    const owner = existing ? existing.tenant : typeof body.tenant === 'string' ? body.tenant : null;
    const newOwner = typeof body.tenant === 'string' ? body.tenant : null;
    for (const tenant of new Set([owner, newOwner])) {
      if (tenant === null) {
        if (!principal.roles.includes('admin')) throw new ForbiddenProblem('Profile ohne Mandant (für alle Mandanten) ändert nur die Rolle admin.');
      } else if (!canAccessTenant(principal, tenant)) throw new ForbiddenProblem(`Das Lieferprofil „${id}“ gehört dem Mandanten ${tenant}.`);
    }
    try {
      const result = await catalog.saveProfile(id, req.body, { actor: `user:${principal.subject}`, tenant: principal.tenant, now: now() });
      res.status(result.changed ? 201 : 200).json({ id, version: result.version, changed: result.changed });
    } catch (error) {
      if (error instanceof CatalogReferenceError) throw new ValidationProblem(error.problems);
      throw error;
    }
  });

  router.get('/datasets', async (_req, res) => {
    res.json({ datasets: await catalog.listDatasets() });
  });

  router.get('/datasets/:id', async (req, res) => {
    const { version } = parseInput(VersionQuery, req.query, 'query');
    const dataset = await catalog.getDataset(String(req.params.id), version);
    if (!dataset) throw new NotFoundProblem(`Einen Datensatz „${String(req.params.id)}“${version ? ` in Version ${version}` : ''} gibt es nicht.`);
    res.json(dataset);
  });

  router.put('/datasets/:id', requireRole('admin'), async (req, res) => {
    const principal = principalOf(req);
    const id = String(req.params.id);
    try {
      const result = await catalog.saveDataset(id, req.body, { actor: `user:${principal.subject}`, tenant: principal.tenant, now: now() });
      res.status(result.changed ? 201 : 200).json({ id, version: result.version, changed: result.changed });
    } catch (error) {
      if (error instanceof CatalogReferenceError) throw new ValidationProblem(error.problems);
      throw error;
    }
  });

  return router;
}
