/**
 * HTTP routes of the tenant register (`/api/ingestion/tenants`, `/api/ingestion/releases`),
 * declared on the service's Api with their roles (http/api.ts); the object-level rules are here:
 *
 * - Reading the register: the entries of the own tenant, of its members (a Kreis) and of its
 *   Kreis (a Gemeinde): what a user needs to see how the Kreis works with whom.
 * - Configuring a tenant: the admin of that tenant, or of its Kreis for a member Gemeinde.
 * - Releases: a Gemeinde decides what its peers see, so only admin and Sozialplanung of the
 *   OWNER grant or withdraw its releases; the Kreis does it for the members it plans for
 *   (BETREUT), since it runs their monitoring, never for a partner. Releases are readable by the
 *   owner and its Kreis.
 *
 * The Gemeindeverzeichnis is read before the tenant check: it is public reference data, so a
 * refusal for an unknown AGS reveals nothing.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { type Api, ForbiddenProblem, NotFoundProblem, type Principal, ProblemError, reply } from '@lagebild/platform';
import type { Actor } from '../areas/application';
import { createIngestionApi, RELEASE_ROLES, TENANT_READ_ROLES, TENANT_WRITE_ROLES } from '../http/api';
import { configureTenant, grantRelease, type TenancyContext, tenantFacts, tenantStanding, withdrawRelease } from './application';
import { TenancyRuleViolation, type TenancyErrorCode } from './errors';
import { type ReleaseRecord, releaseStatus, type TenantConfiguredData } from './model';
import { createTenantRegister } from './projections';

const STATUS: Record<TenancyErrorCode, number> = {
  'gemeindeverzeichnis-missing': 409,
  'unknown-area': 404,
  'wrong-kind': 422,
  'invalid-configuration': 422,
  'invalid-release': 422,
  'unknown-release': 404,
  'release-exists': 409,
  'release-withdrawn': 409,
};

const TITLE: Record<TenancyErrorCode, string> = {
  'gemeindeverzeichnis-missing': 'Gemeindeverzeichnis nicht geladen',
  'unknown-area': 'Gebietskörperschaft unbekannt',
  'wrong-kind': 'Falsche Art der Gebietskörperschaft',
  'invalid-configuration': 'Mandant so nicht einzurichten',
  'invalid-release': 'Freigabe so nicht möglich',
  'unknown-release': 'Freigabe unbekannt',
  'release-exists': 'Freigabe existiert schon',
  'release-withdrawn': 'Freigabe schon zurückgezogen',
};

/** The register's refusal as problem+json (type `urn:lagebild:problem:tenancy-<code>`). */
export function tenancyProblem(error: TenancyRuleViolation): ProblemError {
  return new ProblemError({
    status: STATUS[error.code],
    type: `tenancy-${error.code}`,
    title: TITLE[error.code],
    detail: error.errors.length > 0 ? `${error.detail} ${error.errors.join(' ')}` : error.detail,
    extensions: error.errors.length > 0 ? { errors: error.errors.map((detail) => ({ detail })) } : {},
    cause: error,
  });
}

async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TenancyRuleViolation) throw tenancyProblem(error);
    throw error;
  }
}

function actorOf(principal: Principal, req: Request): Actor {
  return { subject: `user:${principal.subject}`, correlationId: req.requestId };
}

const Ags = z.string().regex(/^(\d{5}|\d{8})$/, 'AGS mit 5 oder 8 Ziffern erwartet');
const GemeindeAgs = z.string().regex(/^\d{8}$/, 'Gemeindeschlüssel mit 8 Ziffern erwartet');
const optionalText = z.string().trim().min(1).nullable().optional();

const TenantBody = z.strictObject({
  kind: z.enum(['KREIS', 'KREISFREIE_STADT', 'GEMEINDE']).optional().describe('Prüfung: die Art laut Gemeindeverzeichnis'),
  planningModel: z.enum(['NONE', 'BETREUUNG', 'PARTNERSCHAFT']).optional().describe('Kreistyp; für einen Kreis ohne Angabe: der bisherige, sonst BETREUUNG'),
  partnerThreshold: z.number().int().min(0).optional().describe('BETREUUNG: Gemeinden ab dieser Einwohnerzahl sind Partner (Standard 20000)'),
  partners: z.array(GemeindeAgs).max(2000).optional().describe('Gemeinden, die unabhängig von der Größe Partner sind'),
  betreut: z.array(GemeindeAgs).max(2000).optional().describe('Gemeinden, die der Kreis unabhängig von der Größe betreut'),
  resetOverrides: z.boolean().optional().describe('frühere ausdrückliche Zuordnungen verwerfen'),
});

const ReleaseBody = z.strictObject({
  tenant: Ags.optional().describe('Mandant, dessen Zahlen freigegeben werden; ohne: der eigene'),
  audience: z.enum(['KREIS', 'MEMBERS', 'PUBLIC']).describe('KREIS: der eigene Kreis; MEMBERS: die Gemeinden desselben Kreises; PUBLIC: alle'),
  form: z.enum(['PROTECTED', 'RAW']).optional().describe('PROTECTED (Standard): nur geschützte Werte; RAW: Rohwerte, nur für KREIS'),
  datasetId: optionalText.describe('nur dieser Datensatz'),
  indicatorId: optionalText.describe('nur diese Kennzahl'),
  unitType: optionalText.describe('nur diese Ebene (Gebietstyp), z. B. Gemeinde'),
  embargoUntil: optionalText.describe('Sperrfrist: JJJJ-MM-TT (ab 0 Uhr deutscher Zeit) oder Datum mit Uhrzeit'),
  note: optionalText.describe('Grund oder Beschluss'),
});

const ReleasesQuery = z.object({ tenant: Ags.optional().describe('nur die Freigaben dieses Mandanten') });
const AgsParams = z.object({ ags: z.string().describe('AGS des Mandanten') });
const IdParams = z.object({ id: z.string().describe('Id der Freigabe') });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TAGS = ['Mandantenregister'] as const;
const RELEASE_TAGS = ['Freigaben'] as const;

/** A router of the register's routes alone (tests mount it; the service declares them on its one Api). */
export function createTenancyRouter(ctx: TenancyContext) {
  const api = createIngestionApi();
  declareTenancyRoutes(api, ctx);
  return api.router;
}

/** Declares the register's routes on the service's Api. */
export function declareTenancyRoutes(api: Api, ctx: TenancyContext): void {
  const register = createTenantRegister(ctx.documents);
  const now = () => ctx.now?.() ?? new Date();

  /** The principal's own Kreis entry, when it is a registered Kreis. */
  async function ownKreis(principal: Principal): Promise<TenantConfiguredData | undefined> {
    const entry = await register.tenant(principal.tenant);
    return entry?.kind === 'KREIS' ? entry : undefined;
  }

  /** Tenants whose releases and register entries the principal may read (besides its Kreis' entry). */
  async function ownAndMembers(principal: Principal): Promise<Set<string>> {
    const kreis = await ownKreis(principal);
    return new Set([principal.tenant, ...(kreis?.members.map((m) => m.tenant) ?? []), ...(principal.memberOf ?? [])]);
  }

  /** 403 unless the principal decides on the owner's releases. */
  async function assertReleaseDecider(principal: Principal, owner: string): Promise<void> {
    if (owner === principal.tenant) return;
    const kreis = await ownKreis(principal);
    const member = kreis?.members.find((m) => m.tenant === owner);
    if (member?.relation === 'BETREUT') return;
    if (member) {
      throw new ForbiddenProblem(
        `${member.name} (${owner}) ist Partnerin des Kreises ${kreis!.name}; über die Freigabe ihrer Zahlen entscheidet die Gemeinde selbst (Rollen admin oder sozialplanung der Gemeinde).`,
      );
    }
    if (principal.tenant.length === 5 && owner.length === 8 && owner.startsWith(principal.tenant) && !kreis) {
      throw new ForbiddenProblem(
        `Der Kreis ${principal.tenant} ist nicht im Mandantenregister eingetragen; für eine Gemeinde erteilt er Freigaben nur, wenn er sie betreut (lagebild tenant add ${principal.tenant} --kreistyp betreuung). Sonst entscheidet die Gemeinde ${owner} selbst.`,
      );
    }
    throw new ForbiddenProblem(`Über die Freigabe der Zahlen von ${owner} entscheidet nur dieser Mandant selbst (Rollen admin oder sozialplanung); Ihr Mandant ist ${principal.tenant}.`);
  }

  const view = (r: ReleaseRecord) => ({ ...r, status: releaseStatus(r, now()) });

  api.route({
    method: 'get',
    path: '/tenants',
    summary: 'Einträge des Mandantenregisters: der eigene, die der Mitgliedsgemeinden und der des eigenen Kreises',
    tags: TAGS,
    access: TENANT_READ_ROLES,
    responses: { 200: { description: 'Die sichtbaren Einträge (leer, solange nichts eingetragen ist)' } },
    handler: async ({ principal }) => {
      const visible = await ownAndMembers(principal);
      const { kreis } = await tenantStanding(ctx.documents, principal.tenant);
      if (kreis) visible.add(kreis);
      const tenants = (await register.tenants()).filter((t) => visible.has(t.tenant));
      return { tenants };
    },
  });

  api.route({
    method: 'put',
    path: '/tenants/:ags',
    summary: 'Mandanten aus dem Gemeindeverzeichnis eintragen oder ändern (Kreistyp, Partnergrenze, Partner und betreute Gemeinden)',
    description:
      'Name, Art und für einen Kreis die Mitgliedsgemeinden mit Einwohnern kommen aus dem geladenen Gemeindeverzeichnis. Kreistyp BETREUUNG: Gemeinden unter der Partnergrenze (Standard 20.000 Einwohner) betreut der Kreis, die übrigen sind Partner; PARTNERSCHAFT: alle sind Partner. Ohne Änderung bleibt die Version gleich. Nur admin des Mandanten oder seines Kreises.',
    tags: TAGS,
    access: TENANT_WRITE_ROLES,
    params: AgsParams,
    body: TenantBody,
    responses: { 200: { description: 'Geändert oder unverändert (changed)' }, 201: { description: 'Neu eingetragen' } },
    handler: async ({ principal, params, body, req }) => {
      const facts = await refusing(() => tenantFacts(ctx.documents, params.ags));
      const kreisOfGemeinde = facts.kind === 'GEMEINDE' && facts.kreis?.kind === 'KREIS' ? facts.kreis.ags : null;
      if (principal.tenant !== facts.ags && principal.tenant !== kreisOfGemeinde) {
        throw new ForbiddenProblem(`Den Registereintrag von ${facts.name} (${facts.ags}) ändert nur der admin dieses Mandanten${kreisOfGemeinde ? ` oder des Kreises ${kreisOfGemeinde}` : ''}; Ihr Mandant ist ${principal.tenant}.`);
      }
      const outcome = await refusing(() => configureTenant(ctx, { tenant: facts.ags, ...body, actor: actorOf(principal, req) }));
      const answer = { changed: outcome.changed, tenant: outcome.entry };
      return outcome.previous === null ? reply(201, answer, { Location: `${req.baseUrl}/tenants` }) : answer;
    },
  });

  api.route({
    method: 'get',
    path: '/releases',
    summary: 'Freigaben des eigenen Mandanten und (für einen Kreis) seiner Mitgliedsgemeinden, mit Stand (ACTIVE, EMBARGOED, WITHDRAWN)',
    tags: RELEASE_TAGS,
    access: RELEASE_ROLES,
    query: ReleasesQuery,
    responses: { 200: { description: 'Die Freigaben, älteste zuerst' } },
    handler: async ({ principal, query }) => {
      const visible = await ownAndMembers(principal);
      if (query.tenant !== undefined && !visible.has(query.tenant)) {
        throw new ForbiddenProblem(`Die Freigaben von ${query.tenant} sieht nur dieser Mandant und sein Kreis; Ihr Mandant ist ${principal.tenant}.`);
      }
      const owners = query.tenant !== undefined ? [query.tenant] : [...visible].sort();
      const releases = (await Promise.all(owners.map((o) => register.releasesOf(o)))).flat();
      return { releases: releases.map(view) };
    },
  });

  api.route({
    method: 'post',
    path: '/releases',
    summary: 'Zahlen freigeben (Freigabe) für den Kreis, die Gemeinden des Kreises oder die Öffentlichkeit, mit Sperrfrist',
    description:
      'Nur admin und sozialplanung des Mandanten, dessen Zahlen es sind; der Kreis für Gemeinden, die er betreut. Rohwerte (RAW) nur für den eigenen Kreis; alle anderen sehen geschützte Werte.',
    tags: RELEASE_TAGS,
    access: RELEASE_ROLES,
    body: ReleaseBody,
    responses: { 201: { description: 'Erteilt; Location nennt die Freigaben des Mandanten' } },
    handler: async ({ principal, body, req }) => {
      const owner = body.tenant ?? principal.tenant;
      await assertReleaseDecider(principal, owner);
      const release = await refusing(() =>
        grantRelease(ctx, {
          tenant: owner,
          audience: body.audience,
          form: body.form ?? 'PROTECTED',
          datasetId: body.datasetId ?? null,
          indicatorId: body.indicatorId ?? null,
          unitType: body.unitType ?? null,
          embargoUntil: body.embargoUntil ?? null,
          note: body.note ?? null,
          actor: actorOf(principal, req),
        }),
      );
      return reply(201, view(release), { Location: `${req.baseUrl}/releases?tenant=${owner}` });
    },
  });

  api.route({
    method: 'delete',
    path: '/releases/:id',
    summary: 'Freigabe zurückziehen: ihr Publikum sieht die Zahlen nicht mehr',
    tags: RELEASE_TAGS,
    access: RELEASE_ROLES,
    params: IdParams,
    responses: { 200: { description: 'Die zurückgezogene Freigabe' } },
    handler: async ({ principal, params, req }) => {
      const release = UUID.test(params.id) ? await register.release(params.id) : undefined;
      // Releases the principal may not even read are not found.
      if (!release || !(await ownAndMembers(principal)).has(release.tenant)) throw new NotFoundProblem(`Eine Freigabe ${params.id} gibt es für Ihren Mandanten ${principal.tenant} nicht.`);
      await assertReleaseDecider(principal, release.tenant);
      return view(await refusing(() => withdrawRelease(ctx, { releaseId: params.id, actor: actorOf(principal, req) })));
    },
  });
}
