/**
 * HTTP API of deliveries (under /api/ingestion), declared on the service's Api (http/api.ts):
 *
 *   POST /deliveries                  multipart: profile, tenant?, period?, encoding?, file -> 202 + status URL
 *   GET  /deliveries                  the caller's tenants' deliveries, newest first
 *   GET  /deliveries/:id              status and summary
 *   GET  /deliveries/:id/report       validation report: every finding (the first 1,000 in full, all counted)
 *   GET  /observations                values by data set, scheme, variable, area, period, "as recorded on" (asOf)
 *
 * Delivering: roles datenlieferung, sozialplanung, admin, for the own tenant or (a Kreis) for a
 * member Gemeinde; which areas a file may contain is checked row by row against the register.
 * Reading: the delivering tenant and its Kreis; another tenant's delivery answers 404, so ids do
 * not reveal other tenants' deliveries. Observations are raw values: Sozialplanung,
 * Statistikstelle and admin, of the tenant or of a Kreis that may see its figures raw (tenancy
 * policy of the platform; statistics-only data sets only the Statistikstelle).
 */
import { rm } from 'node:fs/promises';
import type { Request, Router } from 'express';
import { z } from 'zod';
import { type Api, canAccessTenant, decideAccess, Encoding, ForbiddenProblem, NotFoundProblem, parseInput, ProblemError, reply, type DocumentStore, type Principal } from '@lagebild/platform';
import type { Catalog } from '../profiles/catalog';
import { createIngestionApi, DELIVERING_ROLES, OBSERVATION_ROLES, REPORT_ROLES } from '../http/api';
import { readMultipart, type Multipart } from '../http/upload';
import { DeliveryRefusedError, type DeliveryAccess, type DeliveryService, type StoredFile } from './application';
import { datasetsOfVariable, queryObservations, type DeliveryView } from './projections';
import { createTenantRegister, loadTenancyView } from '../tenancy/projections';

export { DELIVERING_ROLES, OBSERVATION_ROLES, REPORT_ROLES } from '../http/api';

const DeliveryFields = z.object({
  profile: z.string().min(1, { message: 'Lieferprofil fehlt (Feld profile)' }),
  tenant: z.string().regex(/^(\d{5}|\d{8})$/, { message: 'AGS mit 5 oder 8 Ziffern erwartet' }).optional(),
  period: z.string().max(40).optional(),
  encoding: Encoding.optional(),
});

const ObservationParams = z.object({
  tenant: z.string().regex(/^(\d{5}|\d{8})$/, { message: 'AGS mit 5 oder 8 Ziffern erwartet' }).optional(),
  /** Optional while the variable belongs to one data set only. */
  dataset: z.string().min(1).optional(),
  scheme: z.string().min(1, { message: 'Gebietsgliederung fehlt (scheme)' }),
  variable: z.string().min(1, { message: 'Variable fehlt (variable)' }),
  area: z.string().min(1).optional(),
  period: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'Datum JJJJ-MM-TT erwartet' }).optional(),
  asOf: z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), { message: 'Datum (JJJJ-MM-TT) oder Zeitpunkt nach ISO 8601 erwartet' })
    .optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** The owners (AGS) a principal may deliver for, acting for `tenant`. */
export function accessOf(principal: Principal, tenant: string): DeliveryAccess {
  return { owners: tenant === principal.tenant ? [tenant, ...(principal.memberOf ?? [])] : [tenant], prefixes: [] };
}

/**
 * The multipart upload of a delivery, streamed straight to the work directory and hashed on the
 * way: a 500 MB file never sits in memory. Beyond the size limit (the profile's, when its field
 * comes before the file) the request ends with 413 and a German message, and nothing is kept.
 */
function readDeliveryUpload(req: Request, service: DeliveryService, catalog: Catalog): Promise<Multipart<StoredFile>> {
  const maxBytes = service.limits.csvBytes;
  let taken = false;
  return readMultipart(req, {
    // busboy's own limit one byte above ours: the service's meter reports the overflow in German.
    limits: { files: 1, fileBytes: maxBytes + 1, fields: 20 },
    accepts: 'Lieferungen werden als multipart/form-data hochgeladen (Felder profile, tenant, period und die Datei im Feld file)',
    tooManyFiles: 'Eine Lieferung ist genau eine Datei (Feld file).',
    onFile(part) {
      if (part.field !== 'file' || taken) return undefined;
      taken = true;
      return (async () => {
        const profile = part.fields.profile ? await catalog.getProfile(part.fields.profile) : undefined;
        const limit = profile ? Math.min(maxBytes, service.limitFor(profile)) : maxBytes;
        try {
          return await service.receiveUpload(part.stream, part.fileName || 'lieferung', limit);
        } catch (error) {
          if (!(error instanceof DeliveryRefusedError)) throw error;
          throw new ProblemError({ status: 413, type: 'delivery-too-large', title: 'Datei zu groß', detail: error.finding.message, extensions: { code: error.finding.code, findings: [error.finding] } });
        }
      })();
    },
  });
}

function statusUrl(req: Request, deliveryId: string): string {
  return `${req.baseUrl}/deliveries/${deliveryId}`;
}

async function visibleDelivery(service: DeliveryService, principal: Principal, id: string): Promise<DeliveryView> {
  const view = await service.getDelivery(id);
  if (!view || !canAccessTenant(principal, view.tenant)) throw new NotFoundProblem(`Eine Lieferung ${id} gibt es nicht (oder sie gehört einem anderen Mandanten).`);
  return view;
}

export interface DeliveryRoutesContext {
  service: DeliveryService;
  catalog: Catalog;
  documents: DocumentStore;
}

const IdParams = z.object({ id: z.string().describe('Id der Lieferung') });
const TAGS = ['Lieferungen'] as const;

/** A router of the delivery routes alone (tests mount it; the service declares them on its one Api). */
export function createDeliveriesRouter(ctx: DeliveryRoutesContext): Router {
  const api = createIngestionApi();
  declareDeliveryRoutes(api, ctx);
  return api.router;
}

/** Declares the delivery and observation routes on the service's Api. */
export function declareDeliveryRoutes(api: Api, ctx: DeliveryRoutesContext): void {
  const { service, catalog, documents } = ctx;

  api.route({
    method: 'post',
    path: '/deliveries',
    summary: 'Datei liefern: wird gespeichert, im Hintergrund geprüft und bei Erfolg als Beobachtungen erfasst',
    description:
      'multipart/form-data: Felder profile (Lieferprofil), tenant (AGS, für eine Mitgliedsgemeinde), period, encoding, dann die Datei im Feld file. Antwort 202 mit statusUrl und reportUrl; dieselbe Datei mit demselben Profil noch einmal: 200 und duplicate.',
    tags: TAGS,
    access: DELIVERING_ROLES,
    responses: {
      202: { description: 'Angenommen zur Prüfung; Location nennt den Status' },
      200: { description: 'Schon geliefert; nichts geändert' },
      413: { description: 'Datei zu groß' },
      415: { description: 'Kein multipart/form-data' },
    },
    handler: async ({ principal, req }) => {
      const upload = await readDeliveryUpload(req, service, catalog);
      const file = upload.files[0];
      const discard = async () => {
        if (file?.owned) await rm(file.path, { force: true });
      };
      try {
        const fields = parseInput(DeliveryFields, upload.fields);
        if (!file) throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: 'Die Datei fehlt (Feld file).', extensions: { errors: [{ pointer: '#/file', detail: 'Pflichtangabe fehlt' }] } });
        const tenant = fields.tenant ?? principal.tenant;
        if (!canAccessTenant(principal, tenant)) throw new ForbiddenProblem(`Sie dürfen nur für Ihren Mandanten ${principal.tenant}${principal.memberOf?.length ? ' und seine Mitgliedsgemeinden' : ''} liefern, nicht für ${tenant}.`);
        const profile = await catalog.getProfile(fields.profile);
        if (!profile) throw new NotFoundProblem(`Das Lieferprofil „${fields.profile}“ gibt es nicht; GET /profiles listet die vorhandenen.`);
        if (profile.tenant !== null && !canAccessTenant(principal, profile.tenant)) {
          throw new ForbiddenProblem(`Das Lieferprofil „${profile.id}“ gehört dem Mandanten ${profile.tenant}.`);
        }
        const result = await service.submit({
          file,
          profileId: profile.id,
          tenant,
          ...(fields.period ? { period: fields.period } : {}),
          ...(fields.encoding ? { encoding: fields.encoding } : {}),
          actor: `user:${principal.subject}`,
          access: accessOf(principal, tenant),
        });
        // Processing continues in the background; failures are logged and the delivery is retried at the next start.
        result.decided.catch(() => undefined);
        const view = await service.getDelivery(result.deliveryId);
        const url = statusUrl(req, result.deliveryId);
        return reply(
          result.duplicate ? 200 : 202,
          {
            deliveryId: result.deliveryId,
            status: view?.status ?? 'in_pruefung',
            duplicate: result.duplicate,
            statusUrl: url,
            reportUrl: `${url}/report`,
            ...(result.duplicate ? { hinweis: 'Diese Datei wurde mit demselben Profil schon geliefert; es wurde nichts geändert.' } : {}),
          },
          { Location: url },
        );
      } catch (error) {
        await discard();
        if (error instanceof DeliveryRefusedError) {
          throw new ProblemError({ status: error.status, type: 'delivery-refused', title: 'Lieferung abgelehnt', detail: error.finding.message, extensions: { code: error.finding.code, findings: [error.finding] } });
        }
        throw error;
      }
    },
  });

  api.route({
    method: 'get',
    path: '/deliveries',
    summary: 'Lieferungen des eigenen Mandanten und seiner Mitgliedsgemeinden, neueste zuerst',
    tags: TAGS,
    access: REPORT_ROLES,
    responses: { 200: { description: 'Die Lieferungen' } },
    handler: async ({ principal }) => ({ deliveries: await service.listDeliveries({ tenants: [principal.tenant, ...(principal.memberOf ?? [])] }) }),
  });

  api.route({
    method: 'get',
    path: '/deliveries/:id',
    summary: 'Status und Zusammenfassung einer Lieferung',
    tags: TAGS,
    access: REPORT_ROLES,
    params: IdParams,
    responses: { 200: { description: 'Status (in_pruefung, angenommen, abgelehnt) mit Zählern' } },
    handler: async ({ principal, params, req }) => {
      const view = await visibleDelivery(service, principal, params.id);
      return { ...view, reportUrl: `${statusUrl(req, view.deliveryId)}/report` };
    },
  });

  api.route({
    method: 'get',
    path: '/deliveries/:id/report',
    summary: 'Prüfbericht einer Lieferung: jeder Befund (die ersten 1.000 vollständig, alle gezählt)',
    tags: TAGS,
    access: REPORT_ROLES,
    params: IdParams,
    responses: { 200: { description: 'Der Prüfbericht' } },
    handler: async ({ principal, params }) => {
      const view = await visibleDelivery(service, principal, params.id);
      const report = await service.getReport(view.deliveryId);
      if (!report) return { deliveryId: view.deliveryId, status: view.status, errorCount: 0, warningCount: 0, countsByCode: {}, findings: [], truncated: false, hinweis: 'Die Lieferung wird noch geprüft.' };
      return { ...report, status: view.status, fileName: view.fileName };
    },
  });

  api.route({
    method: 'get',
    path: '/observations',
    summary: 'Beobachtungen je Datensatz, Gebietsgliederung, Variable, Gebiet und Zeitraum, auch „Stand am“ (asOf)',
    tags: ['Beobachtungen'],
    access: OBSERVATION_ROLES,
    query: ObservationParams,
    responses: { 200: { description: 'Die Beobachtungen' } },
    handler: async ({ principal, query: params }) => {
      const tenant = params.tenant ?? principal.tenant;
      if (!canAccessTenant(principal, tenant)) throw new ForbiddenProblem(`Keine Berechtigung für die Daten des Mandanten ${tenant}.`);
      // Observations are delivered counts before any disclosure control: only who may see the
      // tenant's figures raw reads them (a Kreis for the Gemeinden it plans for, not for a partner
      // without a raw release; statistics-only data sets only the Statistikstelle).
      const rawAllowed = async (datasetId: string) => {
        const sensitivity = (await catalog.getDataset(datasetId))?.sensitivity;
        const view = await loadTenancyView(createTenantRegister(documents), [principal.tenant, tenant]);
        return decideAccess(view, principal, { tenant, datasetIds: [datasetId], ...(sensitivity ? { sensitivity } : {}) }, new Date())?.form === 'RAW';
      };
      // A variable code belongs to its data set; without one named, the variable must be unique.
      let dataset = params.dataset;
      if (dataset === undefined) {
        const datasets = await datasetsOfVariable(documents, tenant, params.scheme, params.variable);
        if (datasets.length > 1) {
          throw new ProblemError({
            status: 400,
            type: 'validation',
            title: 'Ungültige Anfrage',
            detail: `Die Variable „${params.variable}“ gibt es in mehreren Datensätzen (${datasets.join(', ')}); bitte dataset angeben.`,
            extensions: { errors: [{ pointer: '#/dataset', detail: `einer von ${datasets.join(', ')}` }] },
          });
        }
        dataset = datasets[0];
      }
      if (dataset !== undefined && !(await rawAllowed(dataset))) {
        throw new ForbiddenProblem(
          `Die Beobachtungen des Datensatzes „${dataset}“ von ${tenant} sind gelieferte Rohzahlen; Sie sehen die Zahlen dieses Mandanten nur geschützt, als Kennzahlen (/api/indicators/values) oder im FIS.`,
        );
      }
      const observations =
        dataset === undefined
          ? []
          : await queryObservations(documents, {
              tenant,
              datasetId: dataset,
              schemeId: params.scheme,
              variable: params.variable,
              ...(params.area ? { areaCode: params.area } : {}),
              ...(params.period ? { periodOn: params.period } : {}),
              ...(params.asOf ? { asOf: params.asOf } : {}),
              limit: params.limit ?? 10_000,
            });
      return { tenant, dataset: dataset ?? null, scheme: params.scheme, variable: params.variable, asOf: params.asOf ?? null, observations };
    },
  });
}
