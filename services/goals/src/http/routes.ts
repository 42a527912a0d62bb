/**
 * HTTP API of the goals service (under /api/goals), declared with the platform's route helper:
 * every route names its roles, its input schemas and answers; the OpenAPI document is served at
 * /api/goals/openapi.json.
 *
 * Tenancy: reads take `?tenant=` for a Kreis reading a member Gemeinde (own tenant otherwise);
 * writes act on the caller's own tenant only. An object of another tenant answers 404. A Träger
 * (role traeger) sees and reports on its own contracts only: the Träger register maps the
 * user's subject to the Träger (PUT /traeger/:id/users/:subject).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { canAccessTenant, ConflictProblem, createApi, ForbiddenProblem, NotFoundProblem, type Principal, ProblemError, reply, type Role } from '@lagebild/platform';
import {
  type Actor,
  goalFacts,
  indicatorFacts,
  lastValueByIndicator,
  nowOf,
  runContractCommand,
  runGoalCommand,
  runMeasureCommand,
  runTraegerCommand,
} from '../application';
import { checkConsistency } from '../domain/consistency';
import type { ContractTerms } from '../domain/events';
import { dayOf, GoalsRuleViolation } from '../domain/events';
import type { TargetInput } from '../domain/goals';
import { COLLECTIONS, type ContractView, type GoalView, listByTenant, type MeasureView, type ReportView, type TraegerView } from '../projections';
import type { GoalsModule } from '../service';

const READ: readonly Role[] = ['admin', 'sozialplanung', 'controlling', 'fuehrung', 'statistikstelle'];
const PLAN: readonly Role[] = ['admin', 'sozialplanung'];
const CONTRACT_READ: readonly Role[] = [...READ, 'traeger'];

const uuid = z.uuid('UUID erwartet');
const day = z.iso.date('Datum im Format JJJJ-MM-TT erwartet');
const ags = z.string().regex(/^(\d{5}|\d{8})$/, 'AGS mit 5 oder 8 Ziffern erwartet');
const text = (max = 2000) => z.string().trim().min(1, 'darf nicht leer sein').max(max);
const optText = (max = 4000) => z.string().max(max).nullable().default(null);

const TenantQuery = z.object({ tenant: ags.optional() });
const Decision = z.strictObject({ body: text(200), reference: text(200), decidedOn: day });
const Scope = z.strictObject({ schemeId: text(100), areaCodes: z.array(text(40)).min(1).max(5000) });
const Period = z.strictObject({ kind: z.enum(['STICHTAG', 'ZEITRAUM']), start: day, end: day });
const Level = z.enum(['LEITBILD', 'STRATEGISCHES_ZIEL', 'FACHBEREICHSZIEL', 'PRODUKTZIEL', 'TEILZIEL']);
const Field = z.enum(['WIRKUNGEN', 'PROGRAMME_PRODUKTE', 'PROZESSE_STRUKTUREN', 'RESSOURCEN']);
const Prevention = z.enum(['PRAEVENTIV', 'NACHSORGEND', 'NICHT_ZUGEORDNET']);
const Approach = z.enum(['STRUKTURELL', 'INDIVIDUELL', 'NICHT_ZUGEORDNET']);

const GoalContentBody = {
  parentGoalId: uuid.nullable().default(null),
  field: Field,
  title: text(500),
  description: optText(),
  smart: z.boolean().default(false),
  targetGroup: optText(500),
  spatialScope: Scope.nullable().default(null),
  responsibleUnit: text(200),
  horizon: day.nullable().default(null),
  effectHypothesis: optText(),
  decision: Decision.nullable().default(null),
  linkedProducts: z.array(text(40)).max(200).default([]),
};
const CreateGoalBody = z.strictObject({
  goalId: uuid.optional(),
  level: Level,
  ...GoalContentBody,
  priority: z.number().int().min(1).nullable().default(null),
  derivation: optText(),
});
const ReviseGoalBody = z.strictObject({ ...GoalContentBody, reason: text(1000) });
const PriorityBody = z.strictObject({ priority: z.number().int().min(1).nullable(), reason: optText(1000), decision: Decision.nullable().default(null) });
const RetireBody = z.strictObject({ retiredOn: day, outcome: z.enum(['ERREICHT', 'AUFGEGEBEN', 'ERSETZT']), successorGoalId: uuid.nullable().default(null), reason: text(1000), decision: Decision.nullable().default(null) });
const TargetBody = z.strictObject({
  indicatorId: text(100),
  schemeId: z.string().min(1).max(100).nullable().default(null),
  areaCode: z.string().min(1).max(40).nullable().default(null),
  baseline: z.strictObject({ value: z.number(), period: Period }).nullable().default(null),
  targetKind: z.enum(['ABSOLUTE', 'CHANGE_FROM_BASELINE', 'PERCENT_CHANGE_FROM_BASELINE']),
  targetValue: z.number(),
  comparator: z.enum(['AT_LEAST', 'AT_MOST']),
  deadline: day,
  reason: optText(1000),
  decision: Decision.nullable().default(null),
});
const WithdrawBody = z.strictObject({ reason: text(1000) });
const ContextBody = z.strictObject({
  indicators: z.array(z.strictObject({ indicatorId: text(100), schemeId: z.string().min(1).max(100).nullable().default(null), areaCodes: z.array(text(40)).max(5000).default([]), note: optText(1000) })).max(100),
});
const MeasureBody = z.strictObject({
  kind: z.enum(['MASSNAHME', 'PROJEKT', 'PRODUKT', 'ANGEBOT']),
  title: text(500),
  description: optText(),
  goalIds: z.array(uuid).max(100).default([]),
  prevention: Prevention.default('NICHT_ZUGEORDNET'),
  approach: Approach.default('NICHT_ZUGEORDNET'),
  responsibleUnit: text(200),
  productCode: z.string().min(1).max(40).nullable().default(null),
  costCentre: z.string().min(1).max(40).nullable().default(null),
  targetGroup: optText(500),
  spatialScope: Scope.nullable().default(null),
  traegerId: uuid.nullable().default(null),
  start: day.nullable().default(null),
  end: day.nullable().default(null),
  reason: optText(1000),
});
const EndBody = z.strictObject({ endedOn: day, reason: text(1000) });
const TraegerBody = z.strictObject({
  name: text(300),
  legalForm: text(100),
  spitzenverband: z.string().min(1).max(100).nullable().default(null),
  contact: z.strictObject({ person: optText(200), email: optText(200), phone: optText(100), address: optText(500) }).default({ person: null, email: null, phone: null, address: null }),
  active: z.boolean().default(true),
});
const Comparator = z.enum(['AT_LEAST', 'AT_MOST']);
const ContractBody = z.strictObject({
  kind: z.enum(['KONTRAKT', 'ZIELVEREINBARUNG', 'LEISTUNGSVEREINBARUNG', 'ZUWENDUNG', 'SERVICEVEREINBARUNG', 'INTERKOMMUNALE_VEREINBARUNG']),
  title: text(500),
  reference: z.string().min(1).max(100).nullable().default(null),
  principalUnit: text(200),
  traegerId: uuid.nullable().default(null),
  partnerTenant: ags.nullable().default(null),
  partnerUnit: z.string().min(1).max(200).nullable().default(null),
  termStart: day,
  termEnd: day.nullable().default(null),
  legalBasis: optText(500),
  service: text(1000),
  productCode: z.string().min(1).max(40).nullable().default(null),
  targetGroup: optText(500),
  spatialScope: Scope.nullable().default(null),
  quantities: z
    .array(z.strictObject({ quantityId: text(60), kind: z.enum(['PLAETZE', 'FACHLEISTUNGSSTUNDEN', 'FAELLE', 'TEILNEHMENDE', 'SONSTIGE']), label: text(200), amount: z.number().min(0), per: z.enum(['JAHR', 'HALBJAHR', 'QUARTAL', 'MONAT', 'LAUFZEIT']) }))
    .max(50)
    .default([]),
  financing: z
    .strictObject({
      mode: z.enum(['ENTGELT', 'ZUWENDUNG', 'BUDGET']),
      annualAmountCents: z.number().int().min(0),
      unitPriceCents: z.number().int().min(0).nullable().default(null),
      priceQuantityId: z.string().min(1).max(60).nullable().default(null),
      grantType: z.string().min(1).max(60).nullable().default(null),
      productCode: text(40),
      costCentre: z.string().min(1).max(40).nullable().default(null),
      account: z.string().min(1).max(40).nullable().default(null),
    })
    .nullable()
    .default(null),
  qualityStandards: z.array(text(1000)).max(50).default([]),
  kennzahlen: z
    .array(
      z.strictObject({
        kennzahlId: text(60),
        name: text(300),
        unit: text(60),
        targetValue: z.number().nullable().default(null),
        comparator: Comparator.nullable().default(null),
        goalId: uuid.nullable().default(null),
        indicatorId: z.string().min(1).max(100).nullable().default(null),
        minimum: z.number().nullable().default(null),
        maximum: z.number().nullable().default(null),
      }),
    )
    .max(100)
    .default([]),
  reportingDuties: z
    .array(
      z.strictObject({
        dutyId: text(60),
        content: text(500),
        rhythm: z.enum(['JAEHRLICH', 'HALBJAEHRLICH', 'QUARTALSWEISE', 'MONATLICH', 'EINMALIG']),
        dueDays: z.number().int(),
        kennzahlIds: z.array(text(60)).default([]),
        quantityIds: z.array(text(60)).default([]),
      }),
    )
    .max(20)
    .default([]),
  reviewDates: z.array(day).max(50).default([]),
  goalIds: z.array(uuid).max(100).default([]),
  prevention: Prevention.default('NICHT_ZUGEORDNET'),
  approach: Approach.default('NICHT_ZUGEORDNET'),
  decision: Decision.nullable().default(null),
});
const AmendBody = z.strictObject({ terms: ContractBody, effectiveFrom: day, reason: text(1000) });
const TerminateBody = z.strictObject({ effectiveOn: day, kind: z.enum(['ORDENTLICH', 'AUSSERORDENTLICH', 'EINVERNEHMLICH']), reason: text(1000) });
const ReportBody = z.strictObject({
  dutyId: text(60),
  period: z.strictObject({ start: day, end: day }),
  values: z.array(z.strictObject({ kennzahlId: text(60), value: z.number().nullable(), comment: optText(2000) })).max(100).default([]),
  quantities: z.array(z.strictObject({ quantityId: text(60), delivered: z.number() })).max(50).default([]),
  comment: optText(10_000),
});

const GoalParams = z.object({ goalId: uuid });
const TargetParams = z.object({ goalId: uuid, targetId: uuid });
const IdParams = z.object({ id: uuid });
const UserParams = z.object({ id: uuid, subject: z.string().min(1).max(200) });
const ObligationsQuery = z.object({ tenant: ags.optional(), status: z.enum(['due', 'fulfilled', 'overdue', 'open']).optional() });

function toProblem(error: unknown): never {
  if (error instanceof GoalsRuleViolation) {
    const errors = error.issues.map((i) => ({ ...(i.path ? { pointer: `#/${i.path.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/')}` } : {}), detail: i.message }));
    switch (error.code) {
      case 'not-found':
        throw new NotFoundProblem(error.detail);
      case 'conflict':
        throw new ConflictProblem(error.detail, errors.length > 0 ? { errors } : undefined);
      case 'retired':
        throw new ConflictProblem(error.detail);
      case 'forbidden':
        throw new ForbiddenProblem(error.detail);
      case 'invalid':
        throw new ProblemError({ status: 422, type: 'rule-violation', title: 'Nicht zulässig', detail: `${error.detail} ${error.issues.length === 1 ? (error.issues[0]?.message ?? '') : `${error.issues.length} Gründe, siehe errors.`}`.trim(), extensions: { errors } });
    }
  }
  throw error;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    return toProblem(error);
  }
}

function readTenant(principal: Principal, requested: string | undefined): string {
  const tenant = requested ?? principal.tenant;
  // Reading another tenant is refused (403); single objects of another tenant answer 404 in their routes, so ids cannot be probed.
  if (!canAccessTenant(principal, tenant)) throw new ForbiddenProblem(`Kein Zugriff auf die Daten des Mandanten ${tenant}; Ihr Mandant ist ${principal.tenant}.`);
  return tenant;
}

function actorOf(principal: Principal): Actor {
  return { subject: `user:${principal.subject}` };
}

async function traegerOfUser(goals: GoalsModule, principal: Principal): Promise<string | null> {
  const link = await goals.ctx.documents.get<{ traegerId: string }>(COLLECTIONS.traegerUsers, `${principal.tenant}|${principal.subject}`);
  return link?.traegerId ?? null;
}

/** Whether the caller sees the contract: internal roles of the tenant, or the contract's own Träger. */
async function mayReadContract(goals: GoalsModule, principal: Principal, contract: ContractView): Promise<boolean> {
  if (principal.roles.some((r) => r !== 'traeger' && READ.includes(r))) return true;
  if (!principal.roles.includes('traeger') || principal.tenant !== contract.tenant) return false;
  const own = await traegerOfUser(goals, principal);
  return own !== null && own === contract.terms.traegerId;
}

export function createGoalRoutes(goals: GoalsModule) {
  const { ctx } = goals;
  const { documents } = ctx;
  const api = createApi({
    service: 'goals',
    title: 'Lagebild Ziele und Kontrakte',
    description: 'Zielsystem mit Zielwerten und Zielerreichung, Maßnahmen, Trägerverzeichnis, Kontrakte und Vereinbarungen mit Berichtspflichten, Trägerberichte.',
    about: { titel: 'Ziele und Kontrakte', beschreibung: 'Zielsystem mit Zielwerten, Maßnahmen, Kontrakte und Leistungsvereinbarungen mit Trägern, Trägerberichte.' },
  });

  const goalView = async (tenant: string, goalId: string): Promise<GoalView> => {
    const view = await documents.get<GoalView>(COLLECTIONS.goals, `${tenant}|${goalId}`);
    if (!view) throw new NotFoundProblem(`Das Ziel ${goalId} gibt es nicht.`);
    return view;
  };
  const contractView = async (principal: Principal, tenant: string, contractId: string): Promise<ContractView> => {
    const view = await documents.get<ContractView>(COLLECTIONS.contracts, `${tenant}|${contractId}`);
    if (!view || !(await mayReadContract(goals, principal, view))) throw new NotFoundProblem(`Den Vertrag ${contractId} gibt es nicht.`);
    return view;
  };
  const knownGoalIds = async (tenant: string) => (await listByTenant<GoalView>(documents, COLLECTIONS.goals, tenant)).map((g) => g.goalId);
  const traegerFacts = async (tenant: string, traegerId: string | null) => {
    if (traegerId === null) return null;
    const t = await documents.get<TraegerView>(COLLECTIONS.traeger, `${tenant}|${traegerId}`);
    return { traegerId, exists: t !== undefined, active: t?.active ?? false };
  };
  const meta = () => ({ now: nowOf(ctx) });


  // ---- goals ----

  api.route({
    method: 'get',
    path: '/goals',
    summary: 'Zielsystem des Mandanten als Baum, mit Zielwerten und der jüngsten Zielerreichung',
    tags: ['Ziele'],
    access: READ,
    query: z.object({ tenant: ags.optional(), retired: z.enum(['true', 'false']).optional() }),
    responses: { 200: { description: 'Ziele als Baum (children) in der Rangfolge ihrer Priorität' } },
    handler: async ({ principal, query }) => {
      const tenant = readTenant(principal, query.tenant);
      const all = (await listByTenant<GoalView>(documents, COLLECTIONS.goals, tenant)).filter((g) => query.retired === 'true' || g.retired === null);
      type Node = GoalView & { children: Node[] };
      const nodes = new Map<string, Node>(all.map((g) => [g.goalId, { ...g, children: [] }]));
      const roots: Node[] = [];
      for (const node of nodes.values()) {
        const parent = node.parentGoalId ? nodes.get(node.parentGoalId) : undefined;
        if (parent) parent.children.push(node);
        else roots.push(node);
      }
      const order = (a: Node, b: Node) => (a.priority ?? 999) - (b.priority ?? 999) || a.title.localeCompare(b.title, 'de');
      const sort = (list: Node[]) => {
        list.sort(order);
        for (const n of list) sort(n.children);
      };
      sort(roots);
      return { tenant, goals: roots };
    },
  });

  api.route({
    method: 'get',
    path: '/goals/:goalId',
    summary: 'Ein Ziel mit Zielwerten, Kontextkennzahlen und Unterzielen',
    tags: ['Ziele'],
    access: READ,
    params: GoalParams,
    query: TenantQuery,
    responses: { 200: { description: 'Das Ziel' } },
    handler: async ({ principal, params, query }) => {
      const tenant = readTenant(principal, query.tenant);
      const view = await goalView(tenant, params.goalId);
      const children = (await listByTenant<GoalView>(documents, COLLECTIONS.goals, tenant)).filter((g) => g.parentGoalId === params.goalId).map((g) => ({ goalId: g.goalId, title: g.title, level: g.level }));
      const measures = (await listByTenant<MeasureView>(documents, COLLECTIONS.measures, tenant)).filter((m) => m.goalIds.includes(params.goalId)).map((m) => ({ measureId: m.measureId, title: m.title, prevention: m.prevention, approach: m.approach }));
      return { ...view, children, measures };
    },
  });

  api.route({
    method: 'get',
    path: '/goals/:goalId/history',
    summary: 'Alle Ereignisse eines Ziels: wer hat wann was beschlossen oder geändert',
    tags: ['Ziele'],
    access: READ,
    params: GoalParams,
    query: TenantQuery,
    responses: { 200: { description: 'Ereignisse in ihrer Reihenfolge' } },
    handler: async ({ principal, params, query }) => {
      const tenant = readTenant(principal, query.tenant);
      await goalView(tenant, params.goalId);
      const events = await ctx.eventStore.readStream(`goal-${params.goalId}`);
      return { goalId: params.goalId, events: events.map((e) => ({ version: e.version, type: e.type, occurredAt: e.metadata.occurredAt, recordedAt: e.recordedAt, actor: e.metadata.actor, data: e.data })) };
    },
  });

  api.route({
    method: 'post',
    path: '/goals',
    summary: 'Ziel anlegen (mit parentGoalId: aus einem Oberziel ableiten)',
    tags: ['Ziele'],
    access: PLAN,
    body: CreateGoalBody,
    responses: { 201: { description: 'Angelegt; Location zeigt auf das Ziel' } },
    handler: async ({ principal, body }) =>
      guarded(async () => {
        const goalId = body.goalId ?? randomUUID();
        const tenant = principal.tenant;
        const parent = body.parentGoalId ? await goalFacts(ctx, tenant, body.parentGoalId) : null;
        const { goalId: _g, level, priority, derivation, ...content } = body;
        const outcome = await runGoalCommand(ctx, tenant, goalId, actorOf(principal), () => ({ type: 'CreateGoal', data: { tenant, level, content, priority, derivation, parent }, metadata: meta() }));
        return reply(201, { goalId, events: outcome.events.map((e) => e.type) }, { Location: `/api/goals/goals/${goalId}` });
      }),
  });

  api.route({
    method: 'put',
    path: '/goals/:goalId',
    summary: 'Ziel fortschreiben (vollständiger neuer Stand mit Grund)',
    tags: ['Ziele'],
    access: PLAN,
    params: GoalParams,
    body: ReviseGoalBody,
    responses: { 200: { description: 'Fortgeschrieben (oder unverändert)' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        const tenant = principal.tenant;
        const parent = body.parentGoalId ? await goalFacts(ctx, tenant, body.parentGoalId) : null;
        const { reason, ...content } = body;
        const outcome = await runGoalCommand(ctx, tenant, params.goalId, actorOf(principal), () => ({ type: 'ReviseGoal', data: { tenant, content, reason, parent }, metadata: meta() }));
        return { goalId: params.goalId, revision: outcome.state.revision, changed: outcome.events.length > 0 };
      }),
  });

  api.route({
    method: 'put',
    path: '/goals/:goalId/priority',
    summary: 'Priorität setzen oder aufheben',
    tags: ['Ziele'],
    access: PLAN,
    params: GoalParams,
    body: PriorityBody,
    responses: { 200: { description: 'Gesetzt' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        const outcome = await runGoalCommand(ctx, principal.tenant, params.goalId, actorOf(principal), () => ({ type: 'PrioritiseGoal', data: body, metadata: meta() }));
        return { goalId: params.goalId, priority: outcome.state.priority };
      }),
  });

  api.route({
    method: 'post',
    path: '/goals/:goalId/retire',
    summary: 'Ziel beenden (erreicht, aufgegeben oder ersetzt); die Geschichte bleibt erhalten',
    tags: ['Ziele'],
    access: PLAN,
    params: GoalParams,
    body: RetireBody,
    responses: { 200: { description: 'Beendet' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        const tenant = principal.tenant;
        const successor = body.successorGoalId ? await goalFacts(ctx, tenant, body.successorGoalId) : null;
        if (body.successorGoalId && !successor) throw new GoalsRuleViolation('invalid', 'Nachfolgeziel unbekannt.', [{ path: 'successorGoalId', message: `Das Ziel ${body.successorGoalId} gibt es nicht.` }]);
        await runGoalCommand(ctx, tenant, params.goalId, actorOf(principal), () => ({
          type: 'RetireGoal',
          data: { retiredOn: body.retiredOn, outcome: body.outcome, successor, reason: body.reason, decision: body.decision, tenant },
          metadata: meta(),
        }));
        return { goalId: params.goalId, retiredOn: body.retiredOn };
      }),
  });

  api.route({
    method: 'put',
    path: '/goals/:goalId/targets/:targetId',
    summary: 'Zielwert für eine Kennzahl setzen oder ändern (Ausgangswert, Zielwert, Termin, Gebiet)',
    tags: ['Zielwerte'],
    access: PLAN,
    params: TargetParams,
    body: TargetBody,
    responses: { 200: { description: 'Gesetzt; die Zielerreichung wird sofort an den vorhandenen Werten bewertet' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        const tenant = principal.tenant;
        const indicator = await indicatorFacts(ctx, tenant, body.indicatorId);
        const target: TargetInput = { targetId: params.targetId, ...body };
        await runGoalCommand(ctx, tenant, params.goalId, actorOf(principal), () => ({ type: 'SetTarget', data: { target, indicator }, metadata: meta() }));
        const view = await goalView(tenant, params.goalId);
        return view.targets.find((t) => t.targetId === params.targetId) ?? null;
      }),
  });

  api.route({
    method: 'post',
    path: '/goals/:goalId/targets/:targetId/withdraw',
    summary: 'Zielwert zurückziehen (wird nicht mehr bewertet)',
    tags: ['Zielwerte'],
    access: PLAN,
    params: TargetParams,
    body: WithdrawBody,
    responses: { 200: { description: 'Zurückgezogen' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        await runGoalCommand(ctx, principal.tenant, params.goalId, actorOf(principal), () => ({ type: 'WithdrawTarget', data: { targetId: params.targetId, reason: body.reason }, metadata: meta() }));
        return { goalId: params.goalId, targetId: params.targetId, withdrawn: true };
      }),
  });

  api.route({
    method: 'get',
    path: '/goals/:goalId/targets/:targetId/attainment',
    summary: 'Verlauf der Zielerreichung eines Zielwerts, je bewertetem Zeitraum',
    tags: ['Zielwerte'],
    access: READ,
    params: TargetParams,
    query: TenantQuery,
    responses: { 200: { description: 'Bewertungen mit ihren Eingangswerten, älteste zuerst' } },
    handler: async ({ principal, params, query }) => {
      const tenant = readTenant(principal, query.tenant);
      const view = await goalView(tenant, params.goalId);
      const target = view.targets.find((t) => t.targetId === params.targetId);
      if (!target) throw new NotFoundProblem(`Das Ziel hat keinen Zielwert ${params.targetId}.`);
      const history = await documents.scan<Record<string, unknown>>(COLLECTIONS.attainment, { prefix: `${tenant}|${params.goalId}|${params.targetId}|` });
      // Raw numbers of suppressed values reach only those who may see raw counts.
      const raw = principal.tenant === tenant && principal.roles.some((r) => r === 'sozialplanung' || r === 'statistikstelle' || r === 'admin');
      return { target, evaluations: history.map((h) => (raw || !h.doc.valueSuppressed ? h.doc : { ...h.doc, actualValue: null, attainment: null })) };
    },
  });

  api.route({
    method: 'put',
    path: '/goals/:goalId/context-indicators',
    summary: 'Kontextkennzahlen eines Ziels setzen (Monitoring, ohne Zielwert und ohne Bewertung)',
    tags: ['Ziele'],
    access: PLAN,
    params: GoalParams,
    body: ContextBody,
    responses: { 200: { description: 'Gesetzt' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        const tenant = principal.tenant;
        const facts = await Promise.all(body.indicators.map((i) => indicatorFacts(ctx, tenant, i.indicatorId)));
        await runGoalCommand(ctx, tenant, params.goalId, actorOf(principal), () => ({ type: 'SetContextIndicators', data: { indicators: body.indicators, facts }, metadata: meta() }));
        return { goalId: params.goalId, contextIndicators: body.indicators };
      }),
  });

  api.route({
    method: 'get',
    path: '/consistency',
    summary: 'Prüfung des Zielsystems: Ziele ohne Kennzahl, fehlende Termine, Widersprüche zu Oberzielen, Kennzahlen ohne Daten',
    tags: ['Ziele'],
    access: READ,
    query: TenantQuery,
    responses: { 200: { description: 'Befunde (fehler, hinweis)' } },
    handler: async ({ principal, query }) => {
      const tenant = readTenant(principal, query.tenant);
      const goalsOfTenant = await listByTenant<GoalView>(documents, COLLECTIONS.goals, tenant);
      const measures = await listByTenant<MeasureView>(documents, COLLECTIONS.measures, tenant);
      const lastValueOf = await lastValueByIndicator(documents, tenant);
      const findings = checkConsistency({ goals: goalsOfTenant, measures, lastValueOf, today: dayOf(nowOf(ctx)) });
      return { tenant, findings, errors: findings.filter((f) => f.severity === 'fehler').length, hints: findings.filter((f) => f.severity === 'hinweis').length };
    },
  });

  // ---- measures ----

  api.route({
    method: 'get',
    path: '/measures',
    summary: 'Maßnahmen mit Klassifikation präventiv/nachsorgend und strukturell/individuell',
    tags: ['Maßnahmen'],
    access: READ,
    query: TenantQuery,
    responses: { 200: { description: 'Maßnahmen und Anteile je Klasse (laufende Maßnahmen)' } },
    handler: async ({ principal, query }) => {
      const tenant = readTenant(principal, query.tenant);
      const measures = await listByTenant<MeasureView>(documents, COLLECTIONS.measures, tenant);
      const running = measures.filter((m) => !m.ended);
      const count = (p: (m: MeasureView) => boolean) => running.filter(p).length;
      const classified = count((m) => m.prevention !== 'NICHT_ZUGEORDNET');
      return {
        tenant,
        measures,
        classification: {
          running: running.length,
          praeventiv: count((m) => m.prevention === 'PRAEVENTIV'),
          nachsorgend: count((m) => m.prevention === 'NACHSORGEND'),
          strukturell: count((m) => m.approach === 'STRUKTURELL'),
          individuell: count((m) => m.approach === 'INDIVIDUELL'),
          /** Share of preventive measures among the classified running ones (by count; the money share is the budget service's). */
          praeventionsanteil: classified === 0 ? null : Math.round((count((m) => m.prevention === 'PRAEVENTIV') / classified) * 1000) / 10,
        },
      };
    },
  });

  api.route({
    method: 'post',
    path: '/measures',
    summary: 'Maßnahme festlegen',
    tags: ['Maßnahmen'],
    access: PLAN,
    body: MeasureBody.extend({ measureId: uuid.optional() }),
    responses: { 201: { description: 'Festgelegt' } },
    handler: async ({ principal, body }) =>
      guarded(async () => {
        const tenant = principal.tenant;
        const { measureId: given, ...measure } = body;
        const measureId = given ?? randomUUID();
        const knownTraeger = (await listByTenant<TraegerView>(documents, COLLECTIONS.traeger, tenant)).map((t) => t.traegerId);
        await runMeasureCommand(ctx, tenant, measureId, actorOf(principal), async () => ({ type: 'DefineMeasure', data: { measure, knownGoalIds: await knownGoalIds(tenant), knownTraeger }, metadata: meta() }));
        return reply(201, { measureId }, { Location: `/api/goals/measures/${measureId}` });
      }),
  });

  api.route({
    method: 'put',
    path: '/measures/:id',
    summary: 'Maßnahme ändern (vollständiger neuer Stand)',
    tags: ['Maßnahmen'],
    access: PLAN,
    params: IdParams,
    body: MeasureBody,
    responses: { 200: { description: 'Geändert (oder unverändert)' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        const tenant = principal.tenant;
        if (!(await documents.get(COLLECTIONS.measures, `${tenant}|${params.id}`))) throw new NotFoundProblem(`Die Maßnahme ${params.id} gibt es nicht.`);
        const knownTraeger = (await listByTenant<TraegerView>(documents, COLLECTIONS.traeger, tenant)).map((t) => t.traegerId);
        const outcome = await runMeasureCommand(ctx, tenant, params.id, actorOf(principal), async () => ({ type: 'DefineMeasure', data: { measure: body, knownGoalIds: await knownGoalIds(tenant), knownTraeger }, metadata: meta() }));
        return { measureId: params.id, revision: outcome.state.current?.revision ?? 0, changed: outcome.events.length > 0 };
      }),
  });

  api.route({
    method: 'post',
    path: '/measures/:id/end',
    summary: 'Maßnahme beenden',
    tags: ['Maßnahmen'],
    access: PLAN,
    params: IdParams,
    body: EndBody,
    responses: { 200: { description: 'Beendet' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        await runMeasureCommand(ctx, principal.tenant, params.id, actorOf(principal), () => ({ type: 'EndMeasure', data: body, metadata: meta() }));
        return { measureId: params.id, endedOn: body.endedOn };
      }),
  });

  // ---- Träger ----

  api.route({
    method: 'get',
    path: '/traeger',
    summary: 'Trägerverzeichnis',
    tags: ['Träger'],
    access: READ,
    query: TenantQuery,
    responses: { 200: { description: 'Träger des Mandanten' } },
    handler: async ({ principal, query }) => {
      const tenant = readTenant(principal, query.tenant);
      return { tenant, traeger: await listByTenant<TraegerView>(documents, COLLECTIONS.traeger, tenant) };
    },
  });

  const recordTraeger = async (principal: Principal, traegerId: string, body: z.output<typeof TraegerBody>) => {
    const tenant = principal.tenant;
    const all = await listByTenant<TraegerView>(documents, COLLECTIONS.traeger, tenant);
    const sameName = all.find((t) => t.traegerId !== traegerId && t.name.trim().toLowerCase() === body.name.trim().toLowerCase());
    return runTraegerCommand(ctx, tenant, traegerId, actorOf(principal), () => ({ type: 'RecordTraeger', data: { traeger: body, sameNameAs: sameName?.traegerId ?? null }, metadata: meta() }));
  };

  api.route({
    method: 'post',
    path: '/traeger',
    summary: 'Träger eintragen',
    tags: ['Träger'],
    access: PLAN,
    body: TraegerBody.extend({ traegerId: uuid.optional() }),
    responses: { 201: { description: 'Eingetragen' } },
    handler: async ({ principal, body }) =>
      guarded(async () => {
        const { traegerId: given, ...traeger } = body;
        const traegerId = given ?? randomUUID();
        await recordTraeger(principal, traegerId, traeger);
        return reply(201, { traegerId }, { Location: `/api/goals/traeger/${traegerId}` });
      }),
  });

  api.route({
    method: 'put',
    path: '/traeger/:id',
    summary: 'Angaben eines Trägers ändern',
    tags: ['Träger'],
    access: PLAN,
    params: IdParams,
    body: TraegerBody,
    responses: { 200: { description: 'Geändert' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        if (!(await documents.get(COLLECTIONS.traeger, `${principal.tenant}|${params.id}`))) throw new NotFoundProblem(`Den Träger ${params.id} gibt es nicht.`);
        const outcome = await recordTraeger(principal, params.id, body);
        return { traegerId: params.id, revision: outcome.state.current?.revision ?? 0 };
      }),
  });

  api.route({
    method: 'put',
    path: '/traeger/:id/users/:subject',
    summary: 'Benutzerkonto (Token-Subject, Rolle traeger) einem Träger zuordnen: es sieht nur dessen Verträge',
    tags: ['Träger'],
    access: PLAN,
    params: UserParams,
    responses: { 200: { description: 'Zugeordnet' } },
    handler: async ({ principal, params }) => {
      if (!(await documents.get(COLLECTIONS.traeger, `${principal.tenant}|${params.id}`))) throw new NotFoundProblem(`Den Träger ${params.id} gibt es nicht.`);
      await documents.put(COLLECTIONS.traegerUsers, `${principal.tenant}|${params.subject}`, { traegerId: params.id, assignedBy: principal.subject });
      return { traegerId: params.id, subject: params.subject };
    },
  });

  // ---- contracts ----

  api.route({
    method: 'get',
    path: '/contracts',
    summary: 'Verträge mit offenen und überfälligen Berichtspflichten (ein Träger sieht nur seine eigenen)',
    tags: ['Kontrakte'],
    access: CONTRACT_READ,
    query: TenantQuery,
    responses: { 200: { description: 'Verträge' } },
    handler: async ({ principal, query }) => {
      const tenant = readTenant(principal, query.tenant);
      const all = await listByTenant<ContractView>(documents, COLLECTIONS.contracts, tenant);
      const visible: ContractView[] = [];
      for (const c of all) if (await mayReadContract(goals, principal, c)) visible.push(c);
      return { tenant, contracts: visible };
    },
  });

  api.route({
    method: 'get',
    path: '/contracts/:id',
    summary: 'Ein Vertrag in der geltenden Fassung mit Fassungen, Pflichten und Berichten',
    tags: ['Kontrakte'],
    access: CONTRACT_READ,
    params: IdParams,
    query: TenantQuery,
    responses: { 200: { description: 'Der Vertrag' } },
    handler: async ({ principal, params, query }) => {
      const tenant = readTenant(principal, query.tenant);
      const view = await contractView(principal, tenant, params.id);
      const reports = (await documents.scan<ReportView>(COLLECTIONS.reports, { prefix: `${tenant}|${params.id}|` })).map((r) => r.doc);
      return { ...view, reports };
    },
  });

  api.route({
    method: 'get',
    path: '/contracts/:id/versions',
    summary: 'Alle Fassungen eines Vertrags (Änderungen als neue Fassungen)',
    tags: ['Kontrakte'],
    access: CONTRACT_READ,
    params: IdParams,
    query: TenantQuery,
    responses: { 200: { description: 'Fassungen, älteste zuerst' } },
    handler: async ({ principal, params, query }) => {
      const tenant = readTenant(principal, query.tenant);
      await contractView(principal, tenant, params.id);
      const events = await ctx.eventStore.readStream(`contract-${params.id}`);
      return { contractId: params.id, versions: events.filter((e) => e.type === 'ContractConcluded' || e.type === 'ContractAmended').map((e) => ({ recordedAt: e.recordedAt, actor: e.metadata.actor, ...(e.data as object) })) };
    },
  });

  const termsOf = (body: z.output<typeof ContractBody>): ContractTerms => body;

  api.route({
    method: 'post',
    path: '/contracts',
    summary: 'Vertrag schließen (Kontrakt, Ziel-, Leistungs-, Service- oder interkommunale Vereinbarung, Zuwendung)',
    tags: ['Kontrakte'],
    access: PLAN,
    body: ContractBody.extend({ contractId: uuid.optional() }),
    responses: { 201: { description: 'Geschlossen' } },
    handler: async ({ principal, body }) =>
      guarded(async () => {
        const tenant = principal.tenant;
        const { contractId: given, ...terms } = body;
        const contractId = given ?? randomUUID();
        await runContractCommand(ctx, tenant, contractId, actorOf(principal), async () => ({
          type: 'ConcludeContract',
          data: { terms: termsOf(terms), traeger: await traegerFacts(tenant, terms.traegerId), knownGoalIds: await knownGoalIds(tenant) },
          metadata: meta(),
        }));
        return reply(201, { contractId }, { Location: `/api/goals/contracts/${contractId}` });
      }),
  });

  api.route({
    method: 'put',
    path: '/contracts/:id',
    summary: 'Vertrag ändern: die neue Fassung gilt ab effectiveFrom, frühere bleiben lesbar',
    tags: ['Kontrakte'],
    access: PLAN,
    params: IdParams,
    body: AmendBody,
    responses: { 200: { description: 'Geändert (oder unverändert)' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        const tenant = principal.tenant;
        const outcome = await runContractCommand(ctx, tenant, params.id, actorOf(principal), async () => ({
          type: 'AmendContract',
          data: { terms: termsOf(body.terms), effectiveFrom: body.effectiveFrom, reason: body.reason, traeger: await traegerFacts(tenant, body.terms.traegerId), knownGoalIds: await knownGoalIds(tenant) },
          metadata: meta(),
        }));
        return { contractId: params.id, version: outcome.state.versions.at(-1)?.version ?? 0, changed: outcome.events.length > 0 };
      }),
  });

  api.route({
    method: 'post',
    path: '/contracts/:id/terminate',
    summary: 'Vertrag beenden (Kündigung oder Aufhebung)',
    tags: ['Kontrakte'],
    access: PLAN,
    params: IdParams,
    body: TerminateBody,
    responses: { 200: { description: 'Beendet' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        await runContractCommand(ctx, principal.tenant, params.id, actorOf(principal), () => ({ type: 'TerminateContract', data: body, metadata: meta() }));
        return { contractId: params.id, effectiveOn: body.effectiveOn };
      }),
  });

  api.route({
    method: 'post',
    path: '/contracts/:id/reports',
    summary: 'Bericht zu einem Vertrag einreichen (Träger: nur eigene Verträge); eine erneute Einreichung ersetzt die frühere',
    tags: ['Berichte'],
    access: ['traeger', 'sozialplanung', 'admin'],
    params: IdParams,
    body: ReportBody,
    responses: { 201: { description: 'Angenommen, mit Plausibilitätshinweisen' } },
    handler: async ({ principal, params, body }) =>
      guarded(async () => {
        const tenant = principal.tenant;
        await contractView(principal, tenant, params.id);
        const reportId = randomUUID();
        const outcome = await runContractCommand(ctx, tenant, params.id, actorOf(principal), () => ({
          type: 'SubmitReport',
          data: { reportId, dutyId: body.dutyId, period: body.period, submittedBy: `user:${principal.subject}`, values: body.values, quantities: body.quantities, comment: body.comment },
          metadata: meta(),
        }));
        const submitted = outcome.events.find((e) => e.type === 'TraegerReportSubmitted');
        return reply(201, { reportId, revision: submitted?.type === 'TraegerReportSubmitted' ? submitted.data.revision : null, findings: submitted?.type === 'TraegerReportSubmitted' ? submitted.data.findings : [] });
      }),
  });

  api.route({
    method: 'get',
    path: '/obligations',
    summary: 'Berichtspflichten aller Verträge (fällig, erfüllt, überfällig)',
    tags: ['Berichte'],
    access: CONTRACT_READ,
    query: ObligationsQuery,
    responses: { 200: { description: 'Pflichten, nach Fälligkeit' } },
    handler: async ({ principal, query }) => {
      const tenant = readTenant(principal, query.tenant);
      const contracts = await listByTenant<ContractView>(documents, COLLECTIONS.contracts, tenant);
      const out: Array<Record<string, unknown>> = [];
      for (const c of contracts) {
        if (!(await mayReadContract(goals, principal, c))) continue;
        for (const o of c.obligations) {
          if (query.status === 'open' ? o.status === 'fulfilled' : query.status && o.status !== query.status) continue;
          out.push({ contractId: c.contractId, contractTitle: c.terms.title, traegerId: c.terms.traegerId, ...o });
        }
      }
      out.sort((a, b) => String(a.dueDate).localeCompare(String(b.dueDate)));
      return { tenant, obligations: out };
    },
  });

  api.route({
    method: 'post',
    path: '/obligations/check',
    summary: 'Berichtspflichten jetzt fortschreiben (sonst stündlich): fällig gewordene und überfällige Berichte',
    tags: ['Berichte'],
    access: ['admin'],
    responses: { 200: { description: 'Anzahl der Verträge und neuen Ereignisse' } },
    handler: async () => goals.advanceClock(),
  });

  return api;
}
