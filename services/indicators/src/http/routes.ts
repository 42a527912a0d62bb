/**
 * HTTP API of the indicators service (under /api/indicators), declared with the platform's
 * createApi: every route names the roles that may call it (checked before any input is read),
 * its input schemas and answers; the OpenAPI document is served at /api/indicators/openapi.json.
 *
 *   GET  /                                     name and purpose of the service (every signed-in role)
 *   GET  /catalogue                            the caller's catalogue (shipped + own entries)
 *   GET  /catalogue/:kind/:id                  an entry (kind: indicators, indices, variables), ?version=N
 *   GET  /catalogue/:kind/:id/versions         all versions
 *   PUT  /catalogue/:kind/:id                  defines or revises an own entry (the shipped catalogue,
 *                                              ?scope=00000: admin only)
 *   POST /catalogue/:kind/:id/recompute        recomputes under the current version
 *   GET  /values?indicator=&scheme=[&period=][&schemeVersion=][&formulaVersion=][&tenant=]
 *   GET  /disclosure, PUT /disclosure          the tenant's disclosure minimums
 *
 * Who may call what (ARCHITECTURE.md 7):
 * - Figures (GET /values) are read by the roles that steer or plan, as in the FIS (Führung,
 *   Controlling, Sozialplanung, Statistikstelle, admin), and by `public`, which sees only values
 *   of PUBLIC deliveries and only in PROTECTED form. Datenlieferung delivers and Träger report on
 *   their own contracts (goals service); neither reads the tenant's computed figures.
 * - The catalogue (definitions, no figures) is read by the same internal roles and by
 *   Datenlieferung, whose deliveries must carry the variables the catalogue reads. Not by
 *   `public` (published figures only; the catalogue holds internal and draft definitions) nor by
 *   Träger.
 * - The catalogue is changed and recomputed by Sozialplanung, Statistikstelle and admin; the
 *   disclosure minimums are set by Statistikstelle and admin and read by every role that reads
 *   internal figures (so it can see why a value is hidden).
 *
 * Disclosure, decided per request in the handler because only it knows the values: raw numbers
 * of suppressed values reach only the tenant's own Sozialplanung, Statistikstelle and admin;
 * everybody else (a Kreis looking at a member Gemeinde, Führung, Controlling, public) gets the
 * PROTECTED form. Values from SEALED deliveries (SGB II data of the Bundesagentur) are shown only
 * to the tenant's Statistikstelle.
 *
 * Answers of GET /values are kept serialized per access class and query while the read model,
 * the register and the releases in effect stay the same (values-cache.ts): a dashboard polling
 * the same figures costs a lookup, not a decode of every period's documents.
 */
import { z } from 'zod';
import {
  assertTenantAccess,
  decideAccess,
  readableTenants,
  type Release,
  createApi,
  ForbiddenProblem,
  NotFoundProblem,
  reply,
  ValidationProblem,
  type Api,
  type DocumentStore,
  type EventStore,
  type Principal,
  type Role,
  type TenancyView,
} from '@lagebild/platform';
import { DefinitionError, SHARED_SCOPE, type EntryKind } from '../catalogue/registry';
import { DISCLOSURE_COLLECTION, disclosureSettings, protectedValue, VALUES_COLLECTION, type ValuesDoc } from '../computation';
import type { IndicatorsModule } from '../service';
import { accessClass, createValuesCache, type ValuesCacheOptions } from './values-cache';

/** Readers of computed values; `public` gets PUBLIC deliveries only, always protected. */
export const VALUE_READ_ROLES: readonly Role[] = ['fuehrung', 'controlling', 'sozialplanung', 'statistikstelle', 'admin', 'public'];
/** Readers of the catalogue's definitions. */
export const CATALOGUE_READ_ROLES: readonly Role[] = ['fuehrung', 'controlling', 'sozialplanung', 'statistikstelle', 'admin', 'datenlieferung'];
/** Define, revise and recompute catalogue entries of the own tenant. */
export const CATALOGUE_WRITE_ROLES: readonly Role[] = ['sozialplanung', 'statistikstelle', 'admin'];
/** Readers of the disclosure minimums: every role that reads internal figures. */
export const DISCLOSURE_READ_ROLES: readonly Role[] = ['fuehrung', 'controlling', 'sozialplanung', 'statistikstelle', 'admin'];
/** Set the disclosure minimums of the own tenant. */
export const DISCLOSURE_WRITE_ROLES: readonly Role[] = ['statistikstelle', 'admin'];

const KINDS: Record<string, EntryKind> = { indicators: 'INDICATOR', indices: 'INDEX', variables: 'VARIABLE' };
const KIND_NAMES: Record<EntryKind, string> = { INDICATOR: 'Kennzahl', INDEX: 'Index', VARIABLE: 'Variable' };

const ags = z.string().regex(/^(\d{5}|\d{8})$/, 'AGS mit 5 oder 8 Ziffern erwartet');
const TenantQuery = z.object({ tenant: ags.optional() });
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional(), tenant: ags.optional() });
// An unknown kind answers 404 (as an unknown path would), so `kind` is any string here and checked by kindOf.
const EntryParams = z.object({ kind: z.string().describe('indicators, indices oder variables'), id: z.string() });
const ScopeQuery = z.object({ scope: ags.optional().describe('Mandant der Definition (Standard: der eigene); 00000 = ausgelieferter Katalog für alle Mandanten') });
// The definition is checked by the catalogue (catalogue/schema.ts) once its kind is known, with pointers into this body.
const DefinitionBody = z
  .record(z.string(), z.unknown())
  .describe('Definition wie in katalog.json (Kennzahl, Index oder Variable je nach Pfad; die Id steht im Pfad), dazu optional „reason“ für die Versionsgeschichte');
const ValuesQuery = z.object({
  indicator: z.string().min(1),
  scheme: z.string().min(1),
  period: z.string().optional(),
  schemeVersion: z.coerce.number().int().min(1).optional(),
  formulaVersion: z.coerce.number().int().min(1).optional(),
  tenant: ags.optional(),
});
const DisclosureBody = z.strictObject({
  minCount: z.number().int().min(0).max(100),
  minPopulation: z.number().int().min(0).max(100_000),
  minDenominator: z.number().min(0).optional(),
  suppressZero: z.boolean().optional(),
  datasets: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
      z.strictObject({ minCount: z.number().int().min(0).max(100).optional(), minPopulation: z.number().int().min(0).optional(), minDenominator: z.number().min(0).optional(), suppressZero: z.boolean().optional() }),
    )
    .optional(),
});

function kindOf(raw: string): EntryKind {
  const kind = KINDS[raw];
  if (!kind) throw new NotFoundProblem(`Unbekannte Art „${raw}“: erwartet indicators, indices oder variables.`);
  return kind;
}

export interface IndicatorApiOptions {
  now?: () => Date;
  /** Keeping of GET /values answers (values-cache.ts); `false` answers every request from the read model. Needs `deps.eventStore`. */
  valuesCache?: ValuesCacheOptions | false;
}

export function createIndicatorApi(module: IndicatorsModule, deps: { documents: DocumentStore; eventStore?: EventStore }, options: IndicatorApiOptions = {}): Api {
  const now = options.now ?? (() => new Date());
  const { catalogue } = module;
  const api = createApi({
    service: 'indicators',
    title: 'Lagebild Kennzahlen',
    description: 'Kennzahlenkatalog mit Versionen, Berechnung je Gebiet und Zeitraum, zusammengesetzte Indizes und Geheimhaltung kleiner Fallzahlen (Rohwerte nur für Sozialplanung, Statistikstelle und admin des eigenen Mandanten).',
    about: {
      titel: 'Kennzahlen',
      beschreibung: 'Kennzahlenkatalog, Berechnung je Gebiet und Zeitraum, zusammengesetzte Indizes und Geheimhaltung kleiner Fallzahlen.',
    },
  });

  /** The tenant a read is about: `?tenant=` (own, or a member Gemeinde of a Kreis) or the caller's own. */
  const readTenant = (principal: Principal, requested: string | undefined): string => {
    const tenant = requested ?? principal.tenant;
    assertTenantAccess(principal, tenant);
    return tenant;
  };

  const findEntry = async (tenant: string, kind: EntryKind, id: string, version?: number) => {
    for (const scope of [tenant, SHARED_SCOPE]) {
      const entry = await catalogue.get(kind, id, scope, version);
      if (entry) return entry;
    }
    throw new NotFoundProblem(`${KIND_NAMES[kind]} „${id}“${version ? ` in Version ${version}` : ''} gibt es im Katalog nicht.`);
  };

  // Answers of GET /values, kept while the read model, the register and the releases in effect are unchanged (values-cache.ts).
  const valuesCache = deps.eventStore && options.valuesCache !== false ? createValuesCache(deps.eventStore, options.valuesCache ?? {}) : undefined;
  // A delivery's data set never changes; the documents name a few deliveries each, read once per process.
  const datasetOfDelivery = new Map<string, string>();
  const datasetOf = async (deliveryId: string): Promise<string | undefined> => {
    const known = datasetOfDelivery.get(deliveryId);
    if (known !== undefined) return known;
    const dataset = (await module.observations.delivery(deliveryId))?.datasetId;
    if (dataset !== undefined) {
      if (datasetOfDelivery.size >= 100_000) datasetOfDelivery.clear();
      datasetOfDelivery.set(deliveryId, dataset);
    }
    return dataset;
  };

  /**
   * The answer of GET /values for a caller allowed to read `tenant` at all, and every document of
   * the tenant's indicator it read (the cache checks them against the newest computation).
   */
  const valuesAnswer = async (principal: Principal, q: z.output<typeof ValuesQuery>, tenant: string, view: TenancyView, at: Date): Promise<{ body: unknown; docs: ValuesDoc[] }> => {
    const prefix = `${tenant}|${q.indicator}|`;
    const all = (await deps.documents.scan<ValuesDoc>(VALUES_COLLECTION, { prefix })).map((e) => e.doc);
    const docs = all.filter((d) => d.schemeId === q.scheme);
    if (docs.length === 0) throw new NotFoundProblem(`Für „${q.indicator}“ in der Gliederung „${q.scheme}“ liegen keine berechneten Werte vor.`);
    const formulaVersion = q.formulaVersion ?? Math.max(...docs.map((d) => d.formulaVersion));
    let selected = docs.filter((d) => d.formulaVersion === formulaVersion);
    if (q.schemeVersion !== undefined) selected = selected.filter((d) => d.schemeVersion === q.schemeVersion);
    if (q.period !== undefined) selected = selected.filter((d) => d.periodLabel === q.period);
    if (selected.length === 0) throw new NotFoundProblem(`Keine Werte für „${q.indicator}“ mit diesen Angaben (Formelversion ${formulaVersion}${q.period ? `, Zeitraum ${q.period}` : ''}).`);
    const releases = new Map<string, Release>();
    let anyProtected = false;
    let sealedHidden = false;
    const series = [];
    for (const d of selected) {
      const datasetIds: string[] = [];
      for (const id of d.sourceDeliveryIds) {
        const dataset = await datasetOf(id);
        if (dataset !== undefined && !datasetIds.includes(dataset)) datasetIds.push(dataset);
      }
      // Within a document only the area level varies: one decision per unit type, not per value.
      const decisions = new Map<string, ReturnType<typeof decideAccess>>();
      const values = [];
      const used = new Set<string>();
      for (const v of d.values) {
        let access = decisions.get(v.unitType);
        if (access === undefined) {
          access = decideAccess(view, principal, { tenant, indicatorId: d.indicatorId, datasetIds, unitType: v.unitType, sensitivity: d.sensitivity }, at);
          decisions.set(v.unitType, access);
        }
        if (!access) {
          if (d.sensitivity === 'SEALED') sealedHidden = true;
          continue;
        }
        if (access.release) {
          releases.set(access.release.releaseId, access.release);
          used.add(access.release.releaseId);
        }
        if (access.form === 'RAW') values.push(v);
        else {
          anyProtected = true;
          values.push(protectedValue(v));
        }
      }
      if (values.length > 0) series.push({ ...d, values, freigaben: [...used] });
    }
    if (series.length === 0) {
      throw new ForbiddenProblem(
        sealedHidden
          ? 'Diese Werte stammen aus Lieferungen, die nur die abgeschottete Statistikstelle sehen darf.'
          : `Die Werte von „${q.indicator}“ des Mandanten ${tenant} sind für Sie nicht freigegeben.`,
      );
    }
    const body = {
      indicator: q.indicator,
      tenant,
      formulaVersion,
      protection: anyProtected ? 'PROTECTED' : 'RAW',
      series,
      // The releases the shown values rest on (empty for own figures and the Kreis' members).
      freigaben: [...releases.values()].map((r) => ({ id: r.releaseId, mandant: r.tenant, publikum: r.audience, form: r.form, sperrfrist: r.embargoUntil, notiz: r.note, beschlossen: r.grantedAt })),
    };
    return { body, docs: all };
  };

  // ---- catalogue ----

  api.route({
    method: 'get',
    path: '/catalogue',
    summary: 'Katalog des Mandanten: ausgelieferte und eigene Kennzahlen, Indizes und Variablen',
    tags: ['Katalog'],
    access: CATALOGUE_READ_ROLES,
    query: TenantQuery,
    responses: { 200: { description: 'Kennzahlen, Indizes und Variablen mit ihrer aktuellen Version' } },
    handler: async ({ principal, query }) => {
      const tenant = readTenant(principal, query.tenant);
      const c = await catalogue.forTenant(tenant);
      const summary = (e: { id: string; version: number; scope: string; definition: { name: string } }) => ({ id: e.id, version: e.version, scope: e.scope === SHARED_SCOPE ? 'katalog' : e.scope, name: e.definition.name });
      return {
        tenant,
        indicators: [...c.indicators.values()].map((e) => ({ ...summary(e), number: e.definition.number ?? null, unit: e.definition.unit, type: e.definition.type, polarity: e.definition.polarity, formula: e.definition.formula })),
        indices: [...c.indices.values()].map(summary),
        variables: [...c.variables.values()].map((e) => ({ ...summary(e), unit: e.definition.unit, additive: e.definition.additive, sources: e.definition.sources })),
      };
    },
  });

  api.route({
    method: 'get',
    path: '/catalogue/:kind/:id',
    summary: 'Ein Katalogeintrag in seiner aktuellen oder einer früheren Version',
    tags: ['Katalog'],
    access: CATALOGUE_READ_ROLES,
    params: EntryParams,
    query: VersionQuery,
    responses: { 200: { description: 'Der Eintrag mit Definition und Version' } },
    handler: async ({ principal, params, query }) => {
      const kind = kindOf(params.kind);
      return findEntry(readTenant(principal, query.tenant), kind, params.id, query.version);
    },
  });

  api.route({
    method: 'get',
    path: '/catalogue/:kind/:id/versions',
    summary: 'Alle Versionen eines Katalogeintrags (ausgeliefert und eigene)',
    tags: ['Katalog'],
    access: CATALOGUE_READ_ROLES,
    params: EntryParams,
    query: TenantQuery,
    responses: { 200: { description: 'Versionen mit Grund der Änderung' } },
    handler: async ({ principal, params, query }) => {
      const kind = kindOf(params.kind);
      const tenant = readTenant(principal, query.tenant);
      const versions = [...(await catalogue.versions(kind, params.id, SHARED_SCOPE)), ...(await catalogue.versions(kind, params.id, tenant))];
      if (versions.length === 0) throw new NotFoundProblem(`${KIND_NAMES[kind]} „${params.id}“ gibt es im Katalog nicht.`);
      return { id: params.id, versions };
    },
  });

  api.route({
    method: 'put',
    path: '/catalogue/:kind/:id',
    summary: 'Eigene Kennzahl, eigenen Index oder eigene Variable anlegen oder fortschreiben (neue Version)',
    description: 'Der ausgelieferte Katalog für alle Mandanten (?scope=00000) wird nur mit der Rolle admin geändert.',
    tags: ['Katalog'],
    access: CATALOGUE_WRITE_ROLES,
    params: EntryParams,
    query: ScopeQuery,
    body: DefinitionBody,
    responses: { 200: { description: 'Unverändert: die Definition gleicht der aktuellen Version' }, 201: { description: 'Neue Version gespeichert' } },
    handler: async ({ principal, params, query, body: input }) => {
      const kind = kindOf(params.kind);
      const { id } = params;
      const scope = query.scope ?? principal.tenant;
      if (scope === SHARED_SCOPE) {
        if (!principal.roles.includes('admin')) throw new ForbiddenProblem('Den ausgelieferten Katalog (für alle Mandanten) ändert nur die Rolle admin.');
      } else if (scope !== principal.tenant) {
        // Definitions are written for the caller's own tenant only: a Kreis reads its members'
        // catalogues but does not define indicators in their name (nor could it recompute them).
        assertTenantAccess(principal, scope);
        throw new ForbiddenProblem(`Kennzahlen definiert jeder Mandant selbst; ${principal.tenant} kann nicht für ${scope} schreiben.`);
      }
      const { reason, ...body } = input;
      const idField = kind === 'VARIABLE' ? 'code' : 'id';
      if (body[idField] === undefined) body[idField] = id;
      if (body[idField] !== id) throw new ValidationProblem([{ pointer: `/${idField}`, detail: `muss der Id im Pfad entsprechen („${id}“)` }]);
      try {
        const result = await catalogue.save(kind, body, { scope, actor: `user:${principal.subject}`, now: now(), reason: typeof reason === 'string' ? reason : null });
        return reply(result.changed ? 201 : 200, { id, kind: params.kind, scope: scope === SHARED_SCOPE ? 'katalog' : scope, version: result.version, changed: result.changed });
      } catch (error) {
        if (error instanceof DefinitionError) throw new ValidationProblem(error.problems.map((p) => ({ pointer: p.pointer.replace(/^#/, ''), detail: p.detail })));
        throw error;
      }
    },
  });

  api.route({
    method: 'post',
    path: '/catalogue/:kind/:id/recompute',
    summary: 'Kennzahl oder Index des eigenen Mandanten unter der aktuellen Version neu berechnen',
    tags: ['Katalog'],
    access: CATALOGUE_WRITE_ROLES,
    params: EntryParams,
    responses: { 200: { description: 'Berechnungen je Gebietsgliederung mit Daten' } },
    handler: async ({ principal, params }) => {
      const kind = kindOf(params.kind);
      if (kind === 'VARIABLE') throw new ValidationProblem([{ parameter: 'kind', detail: 'neu berechnet werden Kennzahlen und Indizes' }]);
      const { id } = params;
      const entry = await findEntry(principal.tenant, kind, id);
      const summaries = [];
      for (const schemeId of await module.observations.schemesWithData(principal.tenant)) {
        summaries.push(...(await module.recompute({ tenant: principal.tenant, schemeId, indicators: [id], actor: `user:${principal.subject}`, now: now() })));
      }
      return { id, version: entry.version, computations: summaries };
    },
  });

  // ---- values ----

  api.route({
    method: 'get',
    path: '/values',
    summary: 'Berechnete Werte einer Kennzahl je Gebiet und Zeitraum, geheimhaltungsgeschützt je nach Rolle',
    description:
      'Rohwerte gesperrter Werte nur für Sozialplanung, Statistikstelle und admin des eigenen Mandanten (protection RAW); alle anderen erhalten die geschützte Form (PROTECTED). Werte aus abgeschotteten Lieferungen (SEALED) nur für die Statistikstelle des Mandanten; die Rolle public nur Werte öffentlicher Lieferungen.',
    tags: ['Werte'],
    access: VALUE_READ_ROLES,
    query: ValuesQuery,
    responses: { 200: { description: 'Zeitreihen der Werte mit Status und angewandter Geheimhaltungsregel' } },
    handler: async ({ principal, query: q, req, res }) => {
      const tenant = q.tenant ?? principal.tenant;
      const at = now();
      const view = module.tenancy.view();
      // Own tenant, the Kreis' members and tenants with a release for the caller; each value is decided below.
      if (!readableTenants(view, principal, at).includes(tenant)) {
        throw new ForbiddenProblem(`Kein Zugriff auf die Werte des Mandanten ${tenant}: sie sind für Ihren Mandanten ${principal.tenant} nicht freigegeben.`);
      }
      if (!valuesCache) return (await valuesAnswer(principal, q, tenant, view, at)).body;
      const key = JSON.stringify([accessClass(view, principal, tenant, at), tenant, q.indicator, q.scheme, q.period ?? null, q.schemeVersion ?? null, q.formulaVersion ?? null]);
      const answer = await valuesCache.answer(tenant, q.indicator, key, () => valuesAnswer(principal, q, tenant, view, at));
      // The bytes and header res.json would send (no ETag: the app disables it), compressed for clients that accept gzip.
      res.status(200).setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Vary', 'Accept-Encoding');
      if (answer.gzip && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
        res.setHeader('Content-Encoding', 'gzip');
        res.send(answer.gzip());
      } else res.send(answer.body);
      return undefined;
    },
  });

  // ---- disclosure ----

  api.route({
    method: 'get',
    path: '/disclosure',
    summary: 'Geheimhaltungsregeln des Mandanten (Mindestfallzahl, Mindesteinwohnerzahl, je Datensatz)',
    tags: ['Geheimhaltung'],
    access: DISCLOSURE_READ_ROLES,
    query: TenantQuery,
    responses: { 200: { description: 'Die geltenden Mindestwerte' } },
    handler: async ({ principal, query }) => {
      const tenant = readTenant(principal, query.tenant);
      return { tenant, ...(await disclosureSettings(deps.documents, tenant)) };
    },
  });

  api.route({
    method: 'put',
    path: '/disclosure',
    summary: 'Geheimhaltungsregeln des eigenen Mandanten setzen',
    tags: ['Geheimhaltung'],
    access: DISCLOSURE_WRITE_ROLES,
    body: DisclosureBody,
    responses: { 200: { description: 'Gespeichert; gilt für die folgenden Berechnungen' } },
    handler: async ({ principal, body }) => {
      await deps.documents.put(DISCLOSURE_COLLECTION, principal.tenant, body);
      return { tenant: principal.tenant, ...body };
    },
  });

  return api;
}
