/**
 * Composition of the ingestion service: createService(deps) -> { router, openapi, start, stop }.
 * Three features: the spatial register (Gebietsgliederung, Gemeindeverzeichnis), deliveries
 * (Lieferprofile, validation, observations) and the tenant register (Mandanten, Freigaben), declared on one Api (http/api.ts), so every route
 * names its roles and the OpenAPI document is served at /api/ingestion/openapi.json. The
 * platform adds `/api/ingestion/health`.
 */
import type { ServiceFactory } from '@lagebild/platform';
import { mountAreas } from './areas';
import { mountDeliveries } from './deliveries';
import { createIngestionApi } from './http/api';
import { mountTenancy } from './tenancy';

export const SERVICE_NAME = 'ingestion';

export const createService: ServiceFactory = (deps) => {
  // GET / answers the service's German name and purpose to every signed-in principal.
  const api = createIngestionApi({ about: true });
  // Spatial register: /schemes, /gemeindeverzeichnis (areas/routes.ts).
  const areas = mountAreas(api, deps);
  // Deliveries: /profiles, /datasets, /deliveries, /observations (deliveries/routes.ts, profiles/routes.ts).
  const deliveries = mountDeliveries(api, deps);
  // Tenant register and releases: /tenants, /releases (tenancy/routes.ts).
  const tenancy = mountTenancy(api, deps);
  return {
    name: SERVICE_NAME,
    router: api.router,
    openapi: () => api.document(),
    start: async () => {
      await areas.start();
      await deliveries.start();
      await tenancy.start();
    },
    stop: () => deliveries.stop(),
  };
};
