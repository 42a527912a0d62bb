/**
 * Composition of the warehouse service: createService(deps) -> { router, start, stop }.
 * The projector fills the ClickHouse star schema from every topic; /ready reports its lag. The FIS
 * query API (fis/routes.ts) and the web view at /fis (fis/page.ts) read it.
 */
import { Router } from 'express';
import { z } from 'zod';
import { createCodec } from '@lagebild/contracts';
import { createApi, createTenancyDirectory, ForbiddenProblem, ProblemError, runTenancyConsumer, type ServiceFactory, type Subscription, TENANCY_TOPIC } from '@lagebild/platform';
import { createFisPage } from './fis/page';
import { registerFisRoutes } from './fis/routes';
import { createProjection, PROJECTION_GROUP, TOPICS } from './projection';
import { ReadOnlyQueryError, runReadOnly } from './query';
import { replayWarehouse } from './replay';

/** The installation's operator (not a municipality): the only tenant whose admin may run raw SQL over all tenants. */
export const OPERATOR_TENANT = '00000';

export const SERVICE_NAME = 'warehouse';
/** Consumer group that keeps the warehouse service's copy of the tenant register. */
export const TENANCY_GROUP = 'warehouse-tenancy';

/** Above this many unprojected records the FIS is not current enough to call the service ready. */
const MAX_READY_LAG = 200_000;

export const createService: ServiceFactory = (deps) => {
  const router = Router();
  const codec = createCodec();
  const projection = createProjection({ warehouse: deps.warehouse, eventLog: deps.eventLog, documents: deps.documents, codec, logger: deps.logger });
  const api = createApi({ service: SERVICE_NAME, title: 'Lagebild Warehouse und FIS', description: 'Sternschema in ClickHouse, FIS-Abfragen.', about: { titel: 'Warehouse und FIS', beschreibung: 'Projektion aller Ereignisse in das ClickHouse-Sternschema, FIS-Abfragen und FIS-Webansicht.' } });
  api.route({
    method: 'post',
    path: '/query',
    summary: 'Lesende SQL-Abfrage über alle Mandanten (nur Betreiber: Mandant 00000, Rolle admin); für `lagebild query`',
    access: ['admin'],
    body: z.strictObject({ sql: z.string().min(1).max(100_000) }),
    responses: { 200: { description: 'Zeilen als Objekte' } },
    handler: async ({ principal, body }) => {
      if (principal.tenant !== OPERATOR_TENANT) throw new ForbiddenProblem('SQL über alle Mandanten ist dem Betreiber der Installation vorbehalten (Mandant 00000).');
      try {
        return { rows: await runReadOnly(deps.warehouse, body.sql) };
      } catch (error) {
        if (error instanceof ReadOnlyQueryError) throw new ProblemError({ status: 422, type: 'read-only', title: 'Nicht zulässig', detail: error.message });
        if (error instanceof Error && error.name.startsWith('Warehouse')) {
          const what = error.name === 'WarehouseSyntaxError' ? 'Die SQL-Anweisung ist fehlerhaft' : 'Die Abfrage konnte nicht ausgeführt werden';
          throw new ProblemError({ status: 400, type: 'query-failed', title: 'Abfrage fehlgeschlagen', detail: `${what}. Meldung von ClickHouse: ${error.message}` });
        }
        throw error;
      }
    },
  });
  let replaying: Promise<unknown> | null = null;
  api.route({
    method: 'post',
    path: '/replay',
    summary: 'Warehouse aus allen Ereignissen neu aufbauen und umschalten, ohne das Lesen zu unterbrechen (nur Betreiber)',
    access: ['admin'],
    responses: { 200: { description: 'Fertig: Zeilen, Tabellen, Dauer' } },
    handler: async ({ principal }) => {
      if (principal.tenant !== OPERATOR_TENANT) throw new ForbiddenProblem('Der Neuaufbau des Warehouse ist dem Betreiber der Installation vorbehalten (Mandant 00000).');
      if (replaying) throw new ProblemError({ status: 409, type: 'conflict', title: 'Konflikt', detail: 'Ein Neuaufbau läuft bereits.' });
      const run = replayWarehouse({ warehouse: deps.warehouse, eventLog: deps.eventLog, documents: deps.documents, codec, logger: deps.logger });
      replaying = run;
      try {
        return await run;
      } finally {
        replaying = null;
      }
    },
  });
  // The tenant register and releases decide which indicator rows each FIS reader sees.
  const tenancy = createTenancyDirectory(deps.documents);
  let tenancySubscription: Subscription | undefined;
  registerFisRoutes(api, { warehouse: deps.warehouse, tenancy: () => ({ view: tenancy.view(), now: new Date() }) });
  router.use(api.router);
  return {
    name: SERVICE_NAME,
    router,
    // The FIS web view: a static page at the host root that reads /api/warehouse/fis with the user's token.
    pages: [{ path: '/fis', router: createFisPage() }],
    openapi: () => api.document(),
    consumers: [
      { group: PROJECTION_GROUP, topics: TOPICS },
      { group: TENANCY_GROUP, topics: [TENANCY_TOPIC] },
    ],
    start: async () => {
      tenancySubscription = await runTenancyConsumer({ eventLog: deps.eventLog, group: TENANCY_GROUP, documents: deps.documents, directory: tenancy, decode: (value) => codec.decode(value), logger: deps.logger.child({ component: 'warehouse-tenancy' }) });
      await projection.start();
    },
    stop: async () => {
      await tenancySubscription?.stop();
      await projection.stop();
    },
    readiness: {
      projection: async () => {
        const lag = await projection.lag();
        if (lag > MAX_READY_LAG) throw new Error(`Projektion hängt ${lag.toLocaleString('de-DE')} Ereignisse zurück`);
      },
    },
  };
};
