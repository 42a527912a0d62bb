/**
 * HTTP API of the catalogs (under /api/ingestion), declared on the service's Api (http/api.ts):
 *
 *   GET /profiles            profiles the caller may use (shared ones and its tenants')
 *   GET /profiles/:id        a profile, the latest version or ?version=N
 *   PUT /profiles/:id        saves a new version (admin, sozialplanung; a shared profile: admin)
 *   GET /datasets            data set definitions
 *   GET /datasets/:id        a definition with its variables (?version=N)
 *   PUT /datasets/:id        saves a new version (admin)
 *
 * Reading: whoever delivers or checks deliveries (CATALOG_READ_ROLES). Which tenant owns a
 * profile is checked here: another tenant's profile is not found (404) and not writable (403).
 */
import type { Router } from 'express';
import { z } from 'zod';
import { type Api, canAccessTenant, ForbiddenProblem, NotFoundProblem, reply, ValidationProblem } from '@lagebild/platform';
import { DatasetBody } from '../datasets/schema';
import { CATALOG_READ_ROLES, createIngestionApi, DATASET_WRITE_ROLES, PROFILE_WRITE_ROLES } from '../http/api';
import { CatalogReferenceError, type Catalog } from './catalog';
import { DeliveryProfileBody } from './schema';

const VersionQuery = z.object({ version: z.coerce.number().int().min(1, { message: 'Version ab 1 erwartet' }).optional() });
const IdParams = z.object({ id: z.string().describe('Id, z. B. berlin-einwohner-lor') });
const PROFILE_TAGS = ['Lieferprofile'] as const;
const DATASET_TAGS = ['Datensätze'] as const;

export interface CatalogRoutesOptions {
  now?: () => Date;
}

/** A router of the catalog routes alone (tests mount it; the service declares them on its one Api). */
export function createCatalogRouter(catalog: Catalog, options: CatalogRoutesOptions = {}): Router {
  const api = createIngestionApi();
  declareCatalogRoutes(api, catalog, options);
  return api.router;
}

/** Declares the catalog routes on the service's Api. */
export function declareCatalogRoutes(api: Api, catalog: Catalog, options: CatalogRoutesOptions = {}): void {
  const now = options.now ?? (() => new Date());

  api.route({
    method: 'get',
    path: '/profiles',
    summary: 'Lieferprofile, die der Aufrufer nutzen darf (gemeinsame und die seiner Mandanten)',
    tags: PROFILE_TAGS,
    access: CATALOG_READ_ROLES,
    responses: { 200: { description: 'Die Profile' } },
    handler: async ({ principal }) => {
      const profiles = (await catalog.listProfiles()).filter((p) => p.tenant === null || canAccessTenant(principal, p.tenant));
      return { profiles };
    },
  });

  api.route({
    method: 'get',
    path: '/profiles/:id',
    summary: 'Ein Lieferprofil, die neueste Version oder ?version=N',
    tags: PROFILE_TAGS,
    access: CATALOG_READ_ROLES,
    params: IdParams,
    query: VersionQuery,
    responses: { 200: { description: 'Das Profil' } },
    handler: async ({ principal, params, query }) => {
      const { version } = query;
      const profile = await catalog.getProfile(params.id, version);
      if (!profile || (profile.tenant !== null && !canAccessTenant(principal, profile.tenant))) {
        throw new NotFoundProblem(`Ein Lieferprofil „${params.id}“${version ? ` in Version ${version}` : ''} gibt es nicht.`);
      }
      return profile;
    },
  });

  api.route({
    method: 'put',
    path: '/profiles/:id',
    summary: 'Neue Version eines Lieferprofils speichern (ein gemeinsames Profil, tenant null: nur admin)',
    tags: PROFILE_TAGS,
    access: PROFILE_WRITE_ROLES,
    params: IdParams,
    body: DeliveryProfileBody,
    responses: { 201: { description: 'Gespeichert als neue Version' }, 200: { description: 'Unverändert' } },
    handler: async ({ principal, params, body, req }) => {
      const { id } = params;
      const existing = await catalog.getProfile(id);
      const owner = existing ? existing.tenant : body.tenant;
      for (const tenant of new Set([owner, body.tenant])) {
        if (tenant === null) {
          if (!principal.roles.includes('admin')) throw new ForbiddenProblem('Profile ohne Mandant (für alle Mandanten) ändert nur die Rolle admin.');
        } else if (!canAccessTenant(principal, tenant)) throw new ForbiddenProblem(`Das Lieferprofil „${id}“ gehört dem Mandanten ${tenant}.`);
      }
      try {
        // The catalog parses the body as sent (and checks it against the data set).
        const result = await catalog.saveProfile(id, req.body, { actor: `user:${principal.subject}`, tenant: principal.tenant, now: now() });
        return reply(result.changed ? 201 : 200, { id, version: result.version, changed: result.changed });
      } catch (error) {
        if (error instanceof CatalogReferenceError) throw new ValidationProblem(error.problems);
        throw error;
      }
    },
  });

  api.route({
    method: 'get',
    path: '/datasets',
    summary: 'Definitionen der Datensätze',
    tags: DATASET_TAGS,
    access: CATALOG_READ_ROLES,
    responses: { 200: { description: 'Die Datensätze' } },
    handler: async () => ({ datasets: await catalog.listDatasets() }),
  });

  api.route({
    method: 'get',
    path: '/datasets/:id',
    summary: 'Ein Datensatz mit seinen Variablen, die neueste Version oder ?version=N',
    tags: DATASET_TAGS,
    access: CATALOG_READ_ROLES,
    params: IdParams,
    query: VersionQuery,
    responses: { 200: { description: 'Der Datensatz' } },
    handler: async ({ params, query }) => {
      const { version } = query;
      const dataset = await catalog.getDataset(params.id, version);
      if (!dataset) throw new NotFoundProblem(`Einen Datensatz „${params.id}“${version ? ` in Version ${version}` : ''} gibt es nicht.`);
      return dataset;
    },
  });

  api.route({
    method: 'put',
    path: '/datasets/:id',
    summary: 'Neue Version einer Datensatzdefinition speichern',
    tags: DATASET_TAGS,
    access: DATASET_WRITE_ROLES,
    params: IdParams,
    body: DatasetBody,
    responses: { 201: { description: 'Gespeichert als neue Version' }, 200: { description: 'Unverändert' } },
    handler: async ({ principal, params, req }) => {
      try {
        const result = await catalog.saveDataset(params.id, req.body, { actor: `user:${principal.subject}`, tenant: principal.tenant, now: now() });
        return reply(result.changed ? 201 : 200, { id: params.id, version: result.version, changed: result.changed });
      } catch (error) {
        if (error instanceof CatalogReferenceError) throw new ValidationProblem(error.problems);
        throw error;
      }
    },
  });
}
