/**
 * The audit trail over HTTP: `GET /api/<service>/audit` on every service, for the tenant's admin,
 * and the service mount that makes a service's declared routes record into the trail.
 *
 * The route belongs to the composition, not to each service's own Api: the composition owns the
 * trail (one per event store, see openPlatform), so `auditedServiceMount` puts the route in
 * front of the service's router, adds it to the service's OpenAPI document and binds the trail
 * to every request of the mount. A service router mounted without it (the services' own tests)
 * records nothing and has no audit route.
 *
 * Who reads what: admin only. Without `tenant` the caller's own tenant and, for a Kreis, the
 * member Gemeinden of its token; with `tenant` that one, if the caller may access it (403
 * otherwise). A tenant's records are the requests about its data and those of its own users
 * (see audit.ts). The answer uses German field names; they are part of the API and stay stable.
 */
import { Router } from 'express';
import { z } from 'zod';
import { createApi, type Api } from './api';
import { AUDIT_DEFAULT_LIMIT, type AccessRecord, type AuditTrail } from './audit';
import { assertTenantAccess } from './auth';
import { type Mount, serviceMount } from './http';

/** Largest `limit` of one answer. */
export const AUDIT_MAX_LIMIT = 1000;

/** One record as the API and `lagebild audit --json` show it. */
export interface AuditEntry {
  zeitpunkt: string;
  benutzer: string;
  mandant: string;
  rollen: string[];
  dienst: string;
  operation: string;
  betroffeneMandanten: string[];
  status: number;
  anfrageId: string;
  objekt?: Record<string, string>;
  angelegt?: string;
  abgebrochen?: true;
}

export function auditEntry(record: AccessRecord): AuditEntry {
  return {
    zeitpunkt: record.at,
    benutzer: record.subject,
    mandant: record.principalTenant,
    rollen: [...record.roles],
    dienst: record.service,
    operation: record.operation,
    betroffeneMandanten: [...record.tenants],
    status: record.status,
    anfrageId: record.requestId,
    ...(record.object ? { objekt: { ...record.object } } : {}),
    ...(record.created ? { angelegt: record.created } : {}),
    ...(record.aborted ? { abgebrochen: true as const } : {}),
  };
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Datum als JJJJ-MM-TT erwartet');

const AuditQuerySchema = z.object({
  tenant: z.string().regex(/^(\d{5}|\d{8})$/, 'AGS mit 5 oder 8 Ziffern erwartet').optional(),
  von: day.optional(),
  bis: day.optional(),
  benutzer: z.string().min(1).max(256).optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_MAX_LIMIT).optional(),
});

const EntrySchema = z.object({
  zeitpunkt: z.string(),
  benutzer: z.string(),
  mandant: z.string(),
  rollen: z.array(z.string()),
  dienst: z.string(),
  operation: z.string(),
  betroffeneMandanten: z.array(z.string()),
  status: z.number().int(),
  anfrageId: z.string(),
  objekt: z.record(z.string(), z.string()).optional(),
  angelegt: z.string().optional(),
  abgebrochen: z.literal(true).optional(),
});

const AnswerSchema = z.object({
  mandanten: z.array(z.string()),
  von: z.string(),
  bis: z.string(),
  eintraege: z.array(EntrySchema),
  weitere: z.boolean(),
});

export type AuditAnswer = z.infer<typeof AnswerSchema>;

/** The audit route of one service, declared like every other route. */
export function createAuditApi(service: string, trail: AuditTrail): Api {
  const api = createApi({ service, title: `Zugriffsprotokoll ${service}` });
  api.route({
    method: 'get',
    path: '/audit',
    summary: 'Zugriffsprotokoll: wer hat welche Daten des Mandanten gelesen oder geändert',
    description:
      'Anfragen an diesen Dienst, neueste zuerst: Zeitpunkt, Benutzer, Rollen, Operation, betroffene Mandanten, Ergebnis (HTTP-Status), Anfrage-ID. Ohne tenant: eigener Mandant und (Kreis) die Mitgliedsgemeinden des Tokens. Tage in UTC; Standard: die letzten 30 Tage bis heute, höchstens 366 Tage je Abfrage.',
    tags: ['Protokoll'],
    access: ['admin'],
    query: AuditQuerySchema,
    responses: { 200: { description: 'Protokolleinträge, neueste zuerst', schema: AnswerSchema } },
    handler: async ({ principal, query }) => {
      let tenants: string[];
      if (query.tenant !== undefined) {
        assertTenantAccess(principal, query.tenant);
        tenants = [query.tenant];
      } else tenants = [principal.tenant, ...(principal.memberOf ?? [])];
      const page = await trail.query({
        tenants,
        service,
        ...(query.von !== undefined ? { from: query.von } : {}),
        ...(query.bis !== undefined ? { to: query.bis } : {}),
        ...(query.benutzer !== undefined ? { subject: query.benutzer } : {}),
        limit: query.limit ?? AUDIT_DEFAULT_LIMIT,
      });
      const answer: AuditAnswer = { mandanten: tenants, von: page.from, bis: page.to, eintraege: page.records.map(auditEntry), weitere: page.truncated };
      return answer;
    },
  });
  return api;
}

/** A service module as far as the mount needs it (ServiceModule fits). */
export interface AuditedService {
  name: string;
  router: Router;
  openapi?: () => unknown;
}

/**
 * The mount of a service at `/api/<name>` with its access recorded into `trail` and the audit
 * route added (in the router and in the OpenAPI document). The composition uses it instead of
 * `serviceMount` for every service.
 */
export function auditedServiceMount(service: AuditedService, trail: AuditTrail): Mount {
  const audit = createAuditApi(service.name, trail);
  const router = Router();
  router.use((req, _res, next) => {
    req.auditTrail = trail;
    next();
  });
  router.use(audit.router);
  router.use(service.router);
  const own = service.openapi;
  return serviceMount(service.name, router, own ? { openapi: () => withAuditPaths(own(), audit.document()) } : {});
}

/** The service's OpenAPI document with the audit route's paths added. */
function withAuditPaths(document: unknown, audit: Record<string, unknown>): unknown {
  if (document === null || typeof document !== 'object') return document;
  const doc = document as Record<string, unknown>;
  return { ...doc, paths: { ...((doc.paths as Record<string, unknown> | undefined) ?? {}), ...(audit.paths as Record<string, unknown>) } };
}
