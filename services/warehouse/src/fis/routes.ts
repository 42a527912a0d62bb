/**
 * The FIS query API behind the web view (mounted with the service at /api/warehouse):
 * - GET  /fis/dashboards: the dashboard definitions without their SQL (what the page draws);
 * - POST /fis/variables/:dashboard: the variables with the options the caller may choose;
 * - POST /fis/panels/:dashboard/:panel: one panel's rows, its SQL run with bound parameters.
 */
import { DASHBOARDS, type DashboardId, dashboardsById, type FisDashboard } from '@lagebild/dashboards';
import { type Api, NotFoundProblem, type Warehouse } from '@lagebild/platform';
import { z } from 'zod';
import { FIS_ROLES, type FisTenancy, noTenancy } from './access';
import { resolveVariables, runPanel } from './queries';

const value = z.string().max(200);
const Variables = z.strictObject({
  tenant: value.optional(),
  scheme: value.optional(),
  area: value.optional(),
  indicator: value.optional(),
  period: value.optional(),
  audience: value.optional(),
  year: value.optional(),
});
const Body = z.strictObject({ variables: Variables.default({}) });

/** What the page needs of a definition: everything but the SQL. */
export function publicDefinition(d: FisDashboard): unknown {
  return {
    id: d.id,
    title: d.title,
    description: d.description,
    variables: d.variables.map((v) => ({ name: v.name, label: v.label, description: v.description })),
    panels: d.panels.map(({ sql: _sql, ...panel }) => panel),
  };
}

function dashboardOf(id: string): FisDashboard {
  const found = dashboardsById.get(id as DashboardId);
  if (!found) throw new NotFoundProblem(`Das Dashboard „${id}“ gibt es nicht; vorhanden sind ${DASHBOARDS.map((d) => d.id).join(', ')}.`);
  return found;
}

export function registerFisRoutes(api: Api, deps: { warehouse: Warehouse; tenancy?: () => FisTenancy }): void {
  const tenancy = deps.tenancy ?? noTenancy;
  api.route({
    method: 'get',
    path: '/fis/dashboards',
    summary: 'FIS-Dashboards (Definitionen ohne SQL) für die Webansicht',
    tags: ['FIS'],
    access: FIS_ROLES,
    responses: { 200: { description: 'Dashboards mit Variablen und Panels' } },
    handler: () => ({ dashboards: DASHBOARDS.map(publicDefinition) }),
  });
  api.route({
    method: 'post',
    path: '/fis/variables/:dashboard',
    summary: 'Variablen eines Dashboards mit den Auswahlmöglichkeiten des Aufrufers',
    tags: ['FIS'],
    access: FIS_ROLES,
    params: z.strictObject({ dashboard: z.string().max(60) }),
    body: Body,
    responses: { 200: { description: 'Variablen mit Optionen und gewähltem Wert' } },
    handler: async ({ params, body, principal }) => ({ variables: await resolveVariables(deps.warehouse, dashboardOf(params.dashboard), principal, body.variables, tenancy()) }),
  });
  api.route({
    method: 'post',
    path: '/fis/panels/:dashboard/:panel',
    summary: 'Daten eines Panels: dessen SQL mit gebundenen Parametern, beschränkt auf die Mandanten des Aufrufers',
    tags: ['FIS'],
    access: FIS_ROLES,
    params: z.strictObject({ dashboard: z.string().max(60), panel: z.string().max(60) }),
    body: Body,
    responses: { 200: { description: 'Spalten und Zeilen des Panels' } },
    handler: async ({ params, body, principal }) => {
      const dashboard = dashboardOf(params.dashboard);
      const panel = dashboard.panels.find((p) => p.key === params.panel);
      if (!panel) throw new NotFoundProblem(`Das Dashboard „${dashboard.title}“ hat kein Panel „${params.panel}“.`);
      const result = await runPanel(deps.warehouse, dashboard, panel, principal, body.variables, tenancy());
      return { columns: result.columns, rows: result.rows, missing: result.missing, variables: result.variables.map((v) => ({ name: v.name, value: v.value })) };
    },
  });
}
