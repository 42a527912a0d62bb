/**
 * HTTP API of the indicators service (under /api/indicators):
 *
 *   GET  /catalogue                            the caller's catalogue (shipped + own entries)
 *   GET  /catalogue/:kind/:id                  an entry (kind: indicators, indices, variables), ?version=N
 *   GET  /catalogue/:kind/:id/versions         all versions
 *   PUT  /catalogue/:kind/:id                  defines or revises an own entry (sozialplanung, statistikstelle, admin;
 *                                              the shipped catalogue, ?scope=00000: admin)
 *   POST /catalogue/:kind/:id/recompute        recomputes under the current version (same roles)
 *   GET  /values?indicator=&scheme=[&period=][&schemeVersion=][&formulaVersion=][&tenant=]
 *   GET  /disclosure, PUT /disclosure          the tenant's disclosure minimums (statistikstelle, admin)
 *
 * Raw numbers of suppressed values reach only the tenant's own Sozialplanung, Statistikstelle and
 * admin; everybody else (a Kreis looking at a member Gemeinde, Führung, Träger, public) gets
 * the PROTECTED form. Values from SEALED deliveries (SGB II data of the Bundesagentur) are shown
 * only to the Statistikstelle.
 */
import { Router } from 'express';
import { z } from 'zod';
import {
  assertTenantAccess,
  ForbiddenProblem,
  NotFoundProblem,
  parseInput,
  principalOf,
  requireRole,
  ValidationProblem,
  type DocumentStore,
  type Principal,
} from '@lagebild/platform';
import { DefinitionError, SHARED_SCOPE, type EntryKind } from '../catalogue/registry';
import { DISCLOSURE_COLLECTION, disclosureSettings, protectedValue, VALUES_COLLECTION, type ValuesDoc } from '../computation';
import type { IndicatorsModule } from '../service';

const KINDS: Record<string, EntryKind> = { indicators: 'INDICATOR', indices: 'INDEX', variables: 'VARIABLE' };
const KIND_NAMES: Record<EntryKind, string> = { INDICATOR: 'Kennzahl', INDEX: 'Index', VARIABLE: 'Variable' };

const TenantQuery = z.object({ tenant: z.string().regex(/^(\d{5}|\d{8})$/, 'AGS mit 5 oder 8 Ziffern erwartet').optional() });
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional(), tenant: TenantQuery.shape.tenant });
const ValuesQuery = z.object({
  indicator: z.string().min(1),
  scheme: z.string().min(1),
  period: z.string().optional(),
  schemeVersion: z.coerce.number().int().min(1).optional(),
  formulaVersion: z.coerce.number().int().min(1).optional(),
  tenant: TenantQuery.shape.tenant,
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

const RAW_ROLES = ['sozialplanung', 'statistikstelle', 'admin'] as const;

/** Whether the principal may see raw numbers of a tenant's values. */
export function mayReadRaw(principal: Principal, tenant: string): boolean {
  return principal.tenant === tenant && principal.roles.some((r) => (RAW_ROLES as readonly string[]).includes(r));
}

/** Whether the principal may see values of this sensitivity at all. */
export function mayRead(principal: Principal, tenant: string, sensitivity: string): boolean {
  if (sensitivity === 'SEALED') return principal.tenant === tenant && principal.roles.includes('statistikstelle');
  if (sensitivity === 'PUBLIC') return true;
  return principal.roles.some((r) => r !== 'public');
}

function kindOf(raw: string): EntryKind {
  const kind = KINDS[raw];
  if (!kind) throw new NotFoundProblem(`Unbekannte Art „${raw}“: erwartet indicators, indices oder variables.`);
  return kind;
}

export function createIndicatorRoutes(module: IndicatorsModule, deps: { documents: DocumentStore }, options: { now?: () => Date } = {}): Router {
  const router = Router();
  const now = options.now ?? (() => new Date());
  const { catalogue } = module;

  const tenantOf = (principal: Principal, query: unknown): string => {
    const { tenant } = parseInput(TenantQuery, query, 'query');
    const t = tenant ?? principal.tenant;
    assertTenantAccess(principal, t);
    return t;
  };

  router.get('/catalogue', async (req, res) => {
    const principal = principalOf(req);
    const tenant = tenantOf(principal, { tenant: req.query.tenant });
    const c = await catalogue.forTenant(tenant);
    const summary = (e: { id: string; version: number; scope: string; definition: { name: string } }) => ({ id: e.id, version: e.version, scope: e.scope === SHARED_SCOPE ? 'katalog' : e.scope, name: e.definition.name });
    res.json({
      tenant,
      indicators: [...c.indicators.values()].map((e) => ({ ...summary(e), number: e.definition.number ?? null, unit: e.definition.unit, type: e.definition.type, polarity: e.definition.polarity, formula: e.definition.formula })),
      indices: [...c.indices.values()].map(summary),
      variables: [...c.variables.values()].map((e) => ({ ...summary(e), unit: e.definition.unit, additive: e.definition.additive, sources: e.definition.sources })),
    });
  });

  const findEntry = async (principal: Principal, kind: EntryKind, id: string, query: unknown, version?: number) => {
    const tenant = tenantOf(principal, query);
    for (const scope of [tenant, SHARED_SCOPE]) {
      const entry = await catalogue.get(kind, id, scope, version);
      if (entry) return entry;
    }
    throw new NotFoundProblem(`${KIND_NAMES[kind]} „${id}“${version ? ` in Version ${version}` : ''} gibt es im Katalog nicht.`);
  };

  router.get('/catalogue/:kind/:id', async (req, res) => {
    const principal = principalOf(req);
    const { version } = parseInput(VersionQuery, req.query, 'query');
    res.json(await findEntry(principal, kindOf(String(req.params.kind)), String(req.params.id), { tenant: req.query.tenant }, version));
  });

  router.get('/catalogue/:kind/:id/versions', async (req, res) => {
    const principal = principalOf(req);
    const kind = kindOf(String(req.params.kind));
    const id = String(req.params.id);
    const tenant = tenantOf(principal, { tenant: req.query.tenant });
    const versions = [...(await catalogue.versions(kind, id, SHARED_SCOPE)), ...(await catalogue.versions(kind, id, tenant))];
    if (versions.length === 0) throw new NotFoundProblem(`${KIND_NAMES[kind]} „${id}“ gibt es im Katalog nicht.`);
    res.json({ id, versions });
  });

  router.put('/catalogue/:kind/:id', requireRole('sozialplanung', 'statistikstelle', 'admin'), async (req, res) => {
    const principal = principalOf(req);
    const kind = kindOf(String(req.params.kind));
    const id = String(req.params.id);
    const scope = typeof req.query.scope === 'string' ? req.query.scope : principal.tenant;
    if (scope === SHARED_SCOPE) {
      if (!principal.roles.includes('admin')) throw new ForbiddenProblem('Den ausgelieferten Katalog (für alle Mandanten) ändert nur die Rolle admin.');
    } else assertTenantAccess(principal, scope);
    const input = (req.body ?? {}) as Record<string, unknown>;
    const { reason, ...body } = input;
    const idField = kind === 'VARIABLE' ? 'code' : 'id';
    if (body[idField] === undefined) body[idField] = id;
    if (body[idField] !== id) throw new ValidationProblem([{ pointer: `/${idField}`, detail: `muss der Id im Pfad entsprechen („${id}“)` }]);
    try {
      const result = await catalogue.save(kind, body, { scope, actor: `user:${principal.subject}`, now: now(), reason: typeof reason === 'string' ? reason : null });
      res.status(result.changed ? 201 : 200).json({ id, kind: req.params.kind, scope: scope === SHARED_SCOPE ? 'katalog' : scope, version: result.version, changed: result.changed });
    } catch (error) {
      if (error instanceof DefinitionError) throw new ValidationProblem(error.problems.map((p) => ({ pointer: p.pointer.replace(/^#/, ''), detail: p.detail })));
      throw error;
    }
  });

  router.post('/catalogue/:kind/:id/recompute', requireRole('sozialplanung', 'statistikstelle', 'admin'), async (req, res) => {
    const principal = principalOf(req);
    const kind = kindOf(String(req.params.kind));
    if (kind === 'VARIABLE') throw new ValidationProblem([{ parameter: 'kind', detail: 'neu berechnet werden Kennzahlen und Indizes' }]);
    const id = String(req.params.id);
    const entry = await findEntry(principal, kind, id, { tenant: principal.tenant });
    const summaries = [];
    for (const schemeId of await module.observations.schemesWithData(principal.tenant)) {
      summaries.push(...(await module.recompute({ tenant: principal.tenant, schemeId, indicators: [id], actor: `user:${principal.subject}`, now: now() })));
    }
    res.json({ id, version: entry.version, computations: summaries });
  });

  router.get('/values', async (req, res) => {
    const principal = principalOf(req);
    const q = parseInput(ValuesQuery, req.query, 'query');
    const tenant = q.tenant ?? principal.tenant;
    assertTenantAccess(principal, tenant);
    const prefix = `${tenant}|${q.indicator}|`;
    const docs = (await deps.documents.scan<ValuesDoc>(VALUES_COLLECTION, { prefix })).map((e) => e.doc).filter((d) => d.schemeId === q.scheme);
    if (docs.length === 0) throw new NotFoundProblem(`Für „${q.indicator}“ in der Gliederung „${q.scheme}“ liegen keine berechneten Werte vor.`);
    const formulaVersion = q.formulaVersion ?? Math.max(...docs.map((d) => d.formulaVersion));
    let selected = docs.filter((d) => d.formulaVersion === formulaVersion);
    if (q.schemeVersion !== undefined) selected = selected.filter((d) => d.schemeVersion === q.schemeVersion);
    if (q.period !== undefined) selected = selected.filter((d) => d.periodLabel === q.period);
    if (selected.length === 0) throw new NotFoundProblem(`Keine Werte für „${q.indicator}“ mit diesen Angaben (Formelversion ${formulaVersion}${q.period ? `, Zeitraum ${q.period}` : ''}).`);
    const raw = mayReadRaw(principal, tenant);
    const visible = selected.filter((d) => mayRead(principal, tenant, d.sensitivity));
    if (visible.length === 0) throw new ForbiddenProblem('Diese Werte stammen aus Lieferungen, die nur die abgeschottete Statistikstelle sehen darf.');
    res.json({
      indicator: q.indicator,
      formulaVersion,
      protection: raw ? 'RAW' : 'PROTECTED',
      series: visible.map((d) => ({ ...d, values: raw ? d.values : d.values.map(protectedValue) })),
    });
  });

  router.get('/disclosure', async (req, res) => {
    const principal = principalOf(req);
    const tenant = tenantOf(principal, { tenant: req.query.tenant });
    res.json({ tenant, ...(await disclosureSettings(deps.documents, tenant)) });
  });

  router.put('/disclosure', requireRole('statistikstelle', 'admin'), async (req, res) => {
    const principal = principalOf(req);
    const body = parseInput(DisclosureBody, req.body);
    await deps.documents.put(DISCLOSURE_COLLECTION, principal.tenant, body);
    res.json({ tenant: principal.tenant, ...body });
  });

  return router;
}
