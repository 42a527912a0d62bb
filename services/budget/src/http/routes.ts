/**
 * HTTP API of the budget service (mounted at /api/budget), declared with the platform's
 * createApi: every route names its roles, input schemas and answers; the OpenAPI document is
 * served at /api/budget/openapi.json. Role `controlling` writes (and `admin`), `fuehrung` reads,
 * as do `sozialplanung` (the money next to its goals) and `controlling`. Every route works on one
 * tenant: the principal's own, or with `?tenant=` a member Gemeinde of a Kreis principal; any
 * other tenant is refused (403), and objects of other tenants are not found (404).
 *
 * Money is integer euro cents (`…Cents`), as in the events.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertTenantAccess, ConflictProblem, createApi, ForbiddenProblem, formatBytes, NotFoundProblem, ProblemError, reply, type Api, type Principal, type Role } from '@lagebild/platform';
import { z } from 'zod';
import type { BudgetService } from '../application';
import { BudgetRefusal } from '../domain/errors';
import { figuresOf, formatEuro, lineRefOf } from '../domain/lines';
import { monthEnd } from '../domain/report';
import { ImportProfileBody } from '../imports/profile';
import { productDefinition } from '../structure/model';

export const WRITE_ROLES: readonly Role[] = ['controlling', 'admin'];
/** Largest upload of a finance system export (the CSV limit of the ingestion service). */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
export const READ_ROLES: readonly Role[] = ['controlling', 'fuehrung', 'sozialplanung', 'admin'];

const ags = z.string().regex(/^(\d{5}|\d{8})$/, 'AGS mit 5 oder 8 Ziffern erwartet');
const TenantQuery = z.object({ tenant: ags.optional() });
const YearParams = z.object({ year: z.coerce.number().int().min(1990, 'Haushaltsjahr ab 1990').max(2100, 'Haushaltsjahr bis 2100') });
const cents = z.number().int('Beträge in Cent als ganze Zahl');
const AccountKind = z.enum(['AUFWAND', 'ERTRAG', 'AUSZAHLUNG', 'EINZAHLUNG']);
const Prevention = z.enum(['PRAEVENTIV', 'NACHSORGEND', 'NICHT_ZUGEORDNET']);
const Approach = z.enum(['STRUKTURELL', 'INDIVIDUELL', 'NICHT_ZUGEORDNET']);
const Level = z.enum(['PRODUKTBEREICH', 'PRODUKTGRUPPE', 'PRODUKT']);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Datum als JJJJ-MM-TT erwartet');
const Decision = z.object({ body: z.string().min(1), reference: z.string().min(1), decidedOn: isoDate });

const LineRefBody = z.object({
  productArea: z.string().regex(/^\d{2}$/, 'Produktbereich: zwei Ziffern'),
  productGroup: z.string().min(1).nullable().default(null),
  productCode: z.string().min(1),
  costCentre: z.string().min(1).nullable().default(null),
  account: z.string().min(1).default('*'),
  accountKind: AccountKind,
});
const BudgetLineBody = LineRefBody.extend({ amountCents: cents, prevention: Prevention.default('NICHT_ZUGEORDNET'), approach: Approach.default('NICHT_ZUGEORDNET') });

const ProductBody = z.object({
  name: z.string().min(1),
  productArea: z.string().regex(/^\d{2}$/, 'Produktbereich: zwei Ziffern'),
  productGroup: z.string().min(1).nullable().default(null),
  budgetUnit: z.string().min(1).nullable().default(null),
  responsible: z.string().min(1).nullable().default(null),
  costCentres: z.array(z.string().min(1)).default([]),
  prevention: Prevention.default('NICHT_ZUGEORDNET'),
  approach: Approach.default('NICHT_ZUGEORDNET'),
  goalIds: z.array(z.uuid('Ziel-Id (UUID) erwartet')).default([]),
  kennzahlVariables: z.array(z.string().regex(/^[a-z0-9_]+$/, 'Variablencode des Kennzahlenkatalogs')).default([]),
  validFromYear: z.number().int().min(1990).max(2100).nullable().default(null),
});

const RuleBody = z.object({ level: Level, absoluteThresholdCents: cents.min(0), relativeThreshold: z.number().min(0), onlyUnfavourable: z.boolean().default(false) });

const CutOffQuery = TenantQuery.extend({
  quartal: z.coerce.number().int().min(1).max(4).optional(),
  monat: z.coerce.number().int().min(1).max(12).optional(),
});

function cutOffMonth(q: { quartal?: number | undefined; monat?: number | undefined }, fallback = 12): number {
  if (q.quartal !== undefined && q.monat !== undefined) throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: 'Entweder quartal oder monat angeben, nicht beides.' });
  return q.quartal !== undefined ? q.quartal * 3 : q.monat ?? fallback;
}

function tenantOf(principal: Principal, query: { tenant?: string | undefined }): string {
  const tenant = query.tenant ?? principal.tenant;
  assertTenantAccess(principal, tenant);
  return tenant;
}

/** Domain refusals as problem documents. */
async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BudgetRefusal) {
      if (error.kind === 'not-found') throw new NotFoundProblem(error.message);
      if (error.kind === 'conflict') throw new ConflictProblem(error.message);
      throw new ProblemError({ status: 422, type: 'budget-rule', title: 'Haushaltsregel verletzt', detail: error.message });
    }
    throw error;
  }
}

const answers = (description: string, status = 200) => ({ [status]: { description } });

export function createBudgetApi(service: BudgetService, options: { workDir?: string; maxUploadBytes?: number } = {}): Api {
  const maxUpload = options.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const api = createApi({ service: 'budget', title: 'Lagebild Budgetcontrolling', description: 'Produkthaushalt mit Ansatz, Nachtrag, Übertragung, Umschichtung, Planung, Obligo, Ist und Hochrechnung; Abweichungsbericht; Präventionsanteil; Kennzahlen.', about: { titel: 'Budgetcontrolling', beschreibung: 'Produkthaushalt mit Ansatz, Ist, Obligo und Hochrechnung, Abweichungen und Verknüpfung mit Zielen.' } });
  const actorOf = (principal: Principal, tenant: string) => ({ tenant, subject: principal.subject });


  // Structure
  api.route({
    method: 'get',
    path: '/structure/products',
    summary: 'Produkte des Produkthaushalts mit Klassifikation, Verantwortlichen und Zielen',
    access: READ_ROLES,
    query: TenantQuery,
    responses: answers('Die Produkte, je Produkt die geltende und alle früheren Definitionen'),
    handler: async ({ principal, query }) => {
      const s = await service.structure(tenantOf(principal, query));
      return { products: [...s.products.entries()].map(([code, history]) => ({ code, current: productDefinition(s, code), history })) };
    },
  });
  api.route({
    method: 'put',
    path: '/structure/products/:productCode',
    summary: 'Produkt anlegen oder ändern (Klassifikation präventiv/nachsorgend, strukturell/individuell, Ziele)',
    access: WRITE_ROLES,
    params: z.object({ productCode: z.string().regex(/^[0-9A-Za-z.-]{1,20}$/, 'Produktnummer') }),
    query: TenantQuery,
    body: ProductBody,
    responses: answers('Gespeichert; changed=false, wenn die Definition schon so galt'),
    handler: async ({ principal, params, query, body }) => {
      const tenant = tenantOf(principal, query);
      return refusing(() => service.defineProduct(actorOf(principal, tenant), { ...body, productCode: params.productCode }));
    },
  });
  api.route({
    method: 'get',
    path: '/goals/:goalId/products',
    summary: 'Produkte, die einem Ziel dienen, mit Plan und Ist des Jahres',
    access: READ_ROLES,
    params: z.object({ goalId: z.uuid('Ziel-Id (UUID) erwartet') }),
    query: TenantQuery.extend({ jahr: z.coerce.number().int().min(1990).max(2100) }),
    responses: answers('Produkte des Ziels mit fortgeschriebenem Ansatz, Ist und Obligo'),
    handler: async ({ principal, params, query }) => {
      const tenant = tenantOf(principal, query);
      const s = await service.structure(tenant);
      const codes = [...s.products.keys()].filter((code) => productDefinition(s, code, query.jahr)?.goalIds.includes(params.goalId));
      const units = (await service.planActual(tenant, query.jahr, 12)).filter((u) => u.level === 'PRODUKT' && codes.includes(u.code));
      return { goalId: params.goalId, budgetYear: query.jahr, products: codes.map((code) => ({ code, name: productDefinition(s, code, query.jahr)!.name, figures: units.filter((u) => u.code === code).map(({ forecast: _f, ...u }) => u) })) };
    },
  });
  api.route({
    method: 'get',
    path: '/structure/rules',
    summary: 'Abweichungsregeln je Ebene (absolute und relative Schwelle)',
    access: READ_ROLES,
    query: TenantQuery,
    responses: answers('Die geltenden Regeln (ohne eigene: die Vorgaben)'),
    handler: async ({ principal, query }) => ({ rules: await service.rules(tenantOf(principal, query)) }),
  });
  api.route({
    method: 'put',
    path: '/structure/rules',
    summary: 'Abweichungsregeln setzen',
    access: WRITE_ROLES,
    query: TenantQuery,
    body: z.object({ rules: z.array(RuleBody).min(1, 'mindestens eine Regel') }),
    responses: answers('Gespeichert'),
    handler: async ({ principal, query, body }) => refusing(() => service.setRules(actorOf(principal, tenantOf(principal, query)), body.rules)),
  });

  // Imports
  api.route({
    method: 'get',
    path: '/import-profiles',
    summary: 'Importprofile (mitgeliefert und eigene)',
    access: READ_ROLES,
    query: TenantQuery,
    responses: answers('Die Profile, die der Mandant benutzen kann'),
    handler: async ({ principal, query }) => ({ profiles: await service.profiles.list(tenantOf(principal, query)) }),
  });
  api.route({
    method: 'put',
    path: '/import-profiles/:profileId',
    summary: 'Eigenes Importprofil speichern (allgemeine Zuordnung der Spalten eines Finanzsystem-Exports)',
    access: WRITE_ROLES,
    params: z.object({ profileId: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,79}$/, 'Profil-Id: Kleinbuchstaben, Ziffern, „-“, „_“, „.“') }),
    body: ImportProfileBody,
    responses: answers('Gespeichert, mit Version'),
    handler: async ({ principal, params, body }) => {
      if (body.tenant === null) {
        if (!principal.roles.includes('admin')) throw new ForbiddenProblem('Profile für alle Mandanten (tenant: null) speichert nur die Rolle admin.');
      } else assertTenantAccess(principal, body.tenant);
      const existing = await service.profiles.get(params.profileId);
      if (existing && existing.tenant !== null && existing.tenant !== principal.tenant && !principal.memberOf?.includes(existing.tenant)) throw new NotFoundProblem(`Das Importprofil „${params.profileId}“ gibt es nicht.`);
      return { id: params.profileId, ...(await service.profiles.save(params.profileId, body, { tenant: body.tenant ?? principal.tenant, actor: principal.subject, now: new Date() })) };
    },
  });
  api.route({
    method: 'post',
    path: '/imports',
    summary: 'Datei eines Finanzsystems importieren (Rumpf = Datei; alles oder nichts, dieselbe Datei zweimal ändert nichts)',
    description: 'Der Anfragerumpf ist die Datei selbst (CSV oder XLSX, Content-Type application/octet-stream oder text/csv); Profil und Dateiname als Parameter.',
    access: WRITE_ROLES,
    query: TenantQuery.extend({ profile: z.string().min(1, 'Importprofil fehlt'), fileName: z.string().min(1).max(200).optional() }),
    responses: { 201: { description: 'Angenommen oder abgelehnt (status, Prüfbericht)' }, 200: { description: 'Dieselbe Datei war schon importiert (duplicate: true)' }, 422: { description: 'Abgelehnt; der Prüfbericht nennt jeden Fehler mit Datei, Zeile, Spalte' } },
    handler: async ({ principal, query, req }) => {
      const tenant = tenantOf(principal, query);
      const dir = options.workDir ?? path.join(tmpdir(), 'lagebild-budget-uploads');
      await mkdir(dir, { recursive: true });
      const fileName = path.basename(query.fileName ?? 'upload.csv');
      const file = path.join(dir, `${randomUUID()}${path.extname(fileName).replace(/[^.a-z0-9]/gi, '')}`);
      try {
        let bytes = 0;
        const meter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            bytes += chunk.length;
            if (bytes > maxUpload) callback(new ProblemError({ status: 413, type: 'too-large', title: 'Datei zu groß', detail: `Datei „${fileName}“: Die Datei ist größer als erlaubt (höchstens ${formatBytes(maxUpload)}).` }));
            else callback(null, chunk);
          },
        });
        try {
          await pipeline(req, meter, createWriteStream(file, { mode: 0o600 }));
        } catch (error) {
          // Let the rest of the body drain, so the client reads the 413 instead of a reset.
          req.resume();
          throw error;
        }
        const result = await refusing(() => service.importFile({ tenant, profileId: query.profile, filePath: file, fileName, actor: principal.subject }));
        const body = { ...result.view, duplicate: result.duplicate };
        if (result.duplicate) return body;
        return reply(result.view.status === 'angenommen' ? 201 : 422, body);
      } finally {
        await rm(file, { force: true });
      }
    },
  });
  api.route({
    method: 'get',
    path: '/imports',
    summary: 'Importe des Mandanten',
    access: READ_ROLES,
    query: TenantQuery,
    responses: answers('Importe, neueste zuerst (ohne Befunde)'),
    handler: async ({ principal, query }) => ({ imports: (await service.listImports(tenantOf(principal, query))).map(({ findings: _f, ...v }) => v) }),
  });
  api.route({
    method: 'get',
    path: '/imports/:importId',
    summary: 'Stand und Prüfbericht eines Imports',
    access: READ_ROLES,
    params: z.object({ importId: z.string() }),
    responses: answers('Der Import mit allen Befunden'),
    handler: async ({ principal, params }) => {
      await service.projector.catchUp();
      const view = await service.getImport(params.importId);
      if (!view || !(view.tenant === principal.tenant || principal.memberOf?.includes(view.tenant))) throw new NotFoundProblem(`Den Import ${params.importId} gibt es nicht.`);
      return view;
    },
  });

  // Plan values
  api.route({
    method: 'post',
    path: '/years/:year/appropriations',
    summary: 'Ansatz, Nachtrag oder Planungswert (mittelfristige Finanzplanung) veranschlagen',
    access: WRITE_ROLES,
    params: YearParams,
    query: TenantQuery,
    body: z.object({ kind: z.enum(['ANSATZ', 'NACHTRAG', 'PLANUNG']), decision: Decision.nullable().default(null), lines: z.array(BudgetLineBody).min(1, 'mindestens eine Haushaltsposition') }),
    responses: answers('Veranschlagt', 201),
    handler: async ({ principal, params, query, body }) => {
      await refusing(() => service.appropriate(actorOf(principal, tenantOf(principal, query)), { budgetYear: params.year, ...body }));
      return reply(201, { budgetYear: params.year, kind: body.kind, lines: body.lines.length });
    },
  });
  api.route({
    method: 'post',
    path: '/years/:year/transfers',
    summary: 'Ermächtigungen aus dem Vorjahr übertragen (Übertragung)',
    access: WRITE_ROLES,
    params: YearParams,
    query: TenantQuery,
    body: z.object({ transferId: z.string().min(1).default(() => randomUUID()), reason: z.string().min(1).nullable().default(null), decision: Decision.nullable().default(null), lines: z.array(BudgetLineBody).min(1) }),
    responses: answers('Übertragen', 201),
    handler: async ({ principal, params, query, body }) => {
      const r = await refusing(() => service.carryForward(actorOf(principal, tenantOf(principal, query)), { ...body, budgetYear: params.year, fromYear: params.year - 1 }));
      return reply(r.changed ? 201 : 200, { transferId: body.transferId, ...r });
    },
  });
  api.route({
    method: 'post',
    path: '/years/:year/reallocations',
    summary: 'Mittel umschichten (mit Begründung und Beschluss)',
    access: WRITE_ROLES,
    params: YearParams,
    query: TenantQuery,
    body: z.object({
      reallocationId: z.string().min(1).default(() => randomUUID()),
      from: LineRefBody,
      to: LineRefBody,
      amountCents: cents.positive('Betrag muss positiv sein'),
      reason: z.string().min(1, 'Begründung fehlt'),
      decision: Decision,
    }),
    responses: answers('Umgeschichtet', 201),
    handler: async ({ principal, params, query, body }) => {
      const r = await refusing(() => service.reallocate(actorOf(principal, tenantOf(principal, query)), { ...body, from: lineRefOf(body.from), to: lineRefOf(body.to), budgetYear: params.year }));
      return reply(r.changed ? 201 : 200, { reallocationId: body.reallocationId, ...r, amount: formatEuro(body.amountCents) });
    },
  });
  api.route({
    method: 'put',
    path: '/commitments/:commitmentId',
    summary: 'Mittelbindung (Obligo) erfassen oder ändern; ersetzt die früheren Positionen der Bindung',
    access: WRITE_ROLES,
    params: z.object({ commitmentId: z.string().regex(/^[A-Za-z0-9_.:-]{1,120}$/, 'Id: Buchstaben, Ziffern, „-“, „_“, „.“, „:“') }),
    query: TenantQuery,
    body: z.object({
      source: z.enum(['BESTELLUNG', 'BESCHEID', 'SONSTIGE']).default('SONSTIGE'),
      description: z.string().min(1),
      lines: z.array(LineRefBody.extend({ budgetYear: z.number().int().min(1990).max(2100), amountCents: cents })),
    }),
    responses: answers('Erfasst, mit Revision'),
    handler: async ({ principal, params, query, body }) => {
      if (params.commitmentId.startsWith('contract-')) throw new ConflictProblem('Bindungen aus Verträgen folgen den Verträgen des Zieldienstes und werden dort geändert.');
      return refusing(() => service.recordCommitment(actorOf(principal, tenantOf(principal, query)), { commitmentId: params.commitmentId, source: body.source, contractId: null, description: body.description, lines: body.lines.map((l) => ({ ...lineRefOf(l), budgetYear: l.budgetYear, amountCents: l.amountCents })) }));
    },
  });

  // Reading
  api.route({
    method: 'get',
    path: '/years/:year/lines',
    summary: 'Haushaltspositionen mit allen Wertarten (Ansatz, Nachtrag, Übertragung, Umschichtung, fortgeschriebener Ansatz, Planung, Obligo, Ist)',
    access: READ_ROLES,
    params: YearParams,
    query: TenantQuery.extend({ produkt: z.string().optional() }),
    responses: answers('Die Positionen des Jahres'),
    handler: async ({ principal, params, query }) => {
      const lines = (await service.lines(tenantOf(principal, query), params.year)).filter((l) => query.produkt === undefined || l.productCode === query.produkt);
      return { budgetYear: params.year, lines: lines.map((l) => ({ ...lineRefOf(l), classification: l.classification, ...figuresOf(l) })) };
    },
  });
  api.route({
    method: 'get',
    path: '/years/:year/plan-ist',
    summary: 'Plan, Ist, Obligo und Hochrechnung je Produkt, Produktgruppe und Produktbereich',
    access: READ_ROLES,
    params: YearParams,
    query: CutOffQuery,
    responses: answers('Die Zahlen je Einheit und Kontenart zum Stichtag (Monatsende)'),
    handler: async ({ principal, params, query }) => {
      const month = cutOffMonth(query);
      const units = await service.planActual(tenantOf(principal, query), params.year, month);
      return { budgetYear: params.year, month, units: units.map(({ forecast, ...u }) => ({ ...u, method: forecast?.method ?? null, basisYears: forecast?.basisYears ?? [] })) };
    },
  });
  api.route({
    method: 'get',
    path: '/years/:year/abweichungsbericht',
    summary: 'Daten des Abweichungsberichts (je Produkt: Ansatz, Ist bis Stichtag, Hochrechnung, Abweichung, Kommentar)',
    access: READ_ROLES,
    params: YearParams,
    query: CutOffQuery,
    responses: answers('Der Bericht zum Quartals- oder Monatsende'),
    handler: async ({ principal, params, query }) => service.abweichungsbericht(tenantOf(principal, query), params.year, cutOffMonth(query)),
  });
  api.route({
    method: 'post',
    path: '/years/:year/abweichungen/pruefen',
    summary: 'Hochrechnung und Abweichungsprüfung zum Stichtag festhalten (ForecastComputed, DeviationDetected)',
    access: WRITE_ROLES,
    params: YearParams,
    query: CutOffQuery,
    responses: answers('Die festgestellten Abweichungen'),
    handler: async ({ principal, params, query }) => {
      const r = await refusing(() => service.checkDeviations(actorOf(principal, tenantOf(principal, query)), params.year, cutOffMonth(query)));
      return { cutOffDate: r.forecast.cutOffDate, forecastLines: r.forecast.lines.length, detected: r.detected, recorded: r.recorded };
    },
  });
  api.route({
    method: 'put',
    path: '/years/:year/abweichungen/kommentar',
    summary: 'Abweichung kommentieren (Controlling oder die für das Produkt verantwortliche Person)',
    access: 'authenticated',
    params: YearParams,
    query: CutOffQuery,
    body: z.object({ level: Level, code: z.string().min(1), accountKind: AccountKind, comment: z.string().min(1, 'Kommentar fehlt'), measures: z.string().min(1).nullable().default(null) }),
    responses: answers('Gespeichert'),
    handler: async ({ principal, params, query, body }) => {
      const tenant = tenantOf(principal, query);
      if (!principal.roles.some((r) => WRITE_ROLES.includes(r))) {
        const def = body.level === 'PRODUKT' ? productDefinition(await service.structure(tenant), body.code, params.year) : undefined;
        if (!def || def.responsible !== principal.subject) {
          throw new ForbiddenProblem(`Kommentieren dürfen das Controlling und die für ${body.level === 'PRODUKT' ? `das Produkt ${body.code}` : 'das Produkt'} verantwortliche Person${def?.responsible ? ` (${def.responsible})` : ''}.`);
        }
      }
      return refusing(() => service.commentDeviation(actorOf(principal, tenant), { budgetYear: params.year, cutOffDate: monthEnd(params.year, cutOffMonth(query)), ...body }));
    },
  });
  api.route({
    method: 'get',
    path: '/praeventionsanteil',
    summary: 'Präventionsanteil und Klassifikation des Aufwands über die Jahre',
    access: READ_ROLES,
    query: TenantQuery,
    responses: answers('Je Jahr Aufwand nach Klassifikation, Präventionsanteil und Veränderung in Prozentpunkten'),
    handler: async ({ principal, query }) => ({ years: await service.preventiveShare(tenantOf(principal, query)) }),
  });
  api.route({
    method: 'get',
    path: '/hochrechnung/guete',
    summary: 'Treffsicherheit der Hochrechnungsverfahren auf den eigenen Vorjahren',
    access: READ_ROLES,
    query: TenantQuery,
    responses: answers('Mittlerer absoluter prozentualer Fehler je Verfahren'),
    handler: async ({ principal, query }) => ({ methods: await service.forecastAccuracy(tenantOf(principal, query)) }),
  });
  api.route({
    method: 'post',
    path: '/years/:year/kennzahlen',
    summary: 'Finanzkennzahlen des Jahres an den Kennzahlendienst geben (als Beobachtungen)',
    access: WRITE_ROLES,
    params: YearParams,
    query: TenantQuery,
    body: z.object({ schemeVersion: z.number().int().min(1).optional() }),
    responses: answers('Veröffentlicht', 201),
    handler: async ({ principal, params, query, body }) => {
      const r = await refusing(() => service.publishKennzahlen(actorOf(principal, tenantOf(principal, query)), params.year, body.schemeVersion));
      return reply(r.duplicate ? 200 : 201, r);
    },
  });
  return api;
}
