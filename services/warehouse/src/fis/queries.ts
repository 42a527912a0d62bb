/**
 * Runs the dashboards' SQL for the web view: resolves the template variables in their order (each
 * option list queried with the values chosen before it, a requested value kept only when it is one
 * of the options the caller was offered), then binds every parameter of a panel's SQL server-side.
 * Values the caller must not choose (which tenants, protected or raw) are derived from the
 * principal, never taken from the request.
 *
 * A panel run (`runPanel`) does not query the option lists again when the request carries a value
 * for a variable: the web view has resolved them once per change of a control, and each of a
 * dashboard's panels would otherwise pay for every option list (the Germany-scale benchmark
 * measured that as most of a panel's time). The tenant is still checked against the caller's
 * visible tenants and the audience against the caller's right to raw values; the other values only
 * filter (every statement is restricted to the visible tenants) and are checked for their shape.
 */
import { type FisDashboard, type FisPanel, type FisVariable, PARAMETERS, type ParameterSpec, parametersOf, type VariableName, type VariableOption } from '@lagebild/dashboards';
import type { Principal, QueryParams, Warehouse } from '@lagebild/platform';
import { comparisonTenants, type FisTenancy, maySeeRaw, noTenancy, PROTECTED_VIEW, RAW_VIEW, restrictIndicatorReads, visibleTenants } from './access';

export interface ResolvedVariable {
  name: VariableName;
  label: string;
  description: string;
  options: VariableOption[];
  /** The chosen value; null when the variable has no options (no data yet). */
  value: string | null;
}

export interface PanelResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
  /** Variables without a value (no data to choose from): the panel was not run. */
  missing: VariableName[];
}

export type RequestedValues = Partial<Record<VariableName, string>>;

/** Whether the statement runs on raw values: asked for, and allowed for the chosen tenant. */
function rawChosen(principal: Principal, values: Partial<Record<VariableName, string | null>>, tenancy: FisTenancy): boolean {
  return values.audience === RAW_VIEW && maySeeRaw(principal, values.tenant ?? null, tenancy);
}

function serverValue(name: string, principal: Principal, values: Partial<Record<VariableName, string | null>>, tenancy: FisTenancy): string | boolean | string[] {
  switch (name) {
    case 'visible_tenants':
      return visibleTenants(principal, tenancy);
    case 'comparison_tenants':
      return comparisonTenants(principal, tenancy);
    case 'indicator_view':
      return rawChosen(principal, values, tenancy) ? RAW_VIEW : PROTECTED_VIEW;
    case 'raw_values':
      return rawChosen(principal, values, tenancy);
    default:
      throw new Error(`no server value for parameter ${name}`);
  }
}

/** Bound parameters of a statement, or the variables it lacks. */
function bind(sql: string, principal: Principal, values: Partial<Record<VariableName, string | null>>, tenancy: FisTenancy): { params: QueryParams; missing: VariableName[] } {
  const params: QueryParams = {};
  const missing: VariableName[] = [];
  for (const p of parametersOf(sql)) {
    const spec: ParameterSpec = PARAMETERS[p.name];
    if (spec.source === 'server') {
      params[p.name] = serverValue(p.name, principal, values, tenancy);
      continue;
    }
    const value = values[spec.source];
    if (value === null || value === undefined) missing.push(spec.source);
    else params[p.name] = value;
  }
  return { params, missing };
}

async function optionsOf(warehouse: Warehouse, variable: FisVariable, principal: Principal, values: Partial<Record<VariableName, string | null>>, tenancy: FisTenancy): Promise<VariableOption[]> {
  if ('fixed' in variable.options) {
    if (variable.name === 'audience' && !maySeeRaw(principal, values.tenant ?? null, tenancy)) return variable.options.fixed.filter((o) => o.value !== RAW_VIEW);
    return [...variable.options.fixed];
  }
  const { params, missing } = bind(variable.options.sql, principal, values, tenancy);
  if (missing.length > 0) return [];
  const sql = restrictIndicatorReads(variable.options.sql, principal, rawChosen(principal, values, tenancy), tenancy);
  const rows = await warehouse.query<{ value: unknown; label: unknown }>(sql, params);
  return rows.map((r) => ({ value: String(r.value), label: String(r.label) }));
}

export async function resolveVariables(warehouse: Warehouse, dashboard: FisDashboard, principal: Principal, requested: RequestedValues, tenancy: FisTenancy = noTenancy()): Promise<ResolvedVariable[]> {
  const values: Partial<Record<VariableName, string | null>> = {};
  const out: ResolvedVariable[] = [];
  for (const variable of dashboard.variables) {
    const options = await optionsOf(warehouse, variable, principal, values, tenancy);
    const wanted = requested[variable.name];
    const value = options.find((o) => o.value === wanted)?.value ?? options[0]?.value ?? null;
    values[variable.name] = value;
    out.push({ name: variable.name, label: variable.label, description: variable.description, options, value });
  }
  return out;
}

/** Shapes of requested filter values a panel run accepts without resolving the option list. */
const VALUE_SHAPES: Record<VariableName, RegExp> = {
  tenant: /^(\d{5}|\d{8})$/,
  scheme: /^[\w.:-]{1,100}$/,
  area: /^[\w.:-]{1,60}$/,
  indicator: /^[\w.:-]{1,100}$/,
  period: /^\d{4}-\d{2}-\d{2}$/,
  audience: /^v_indicator_value_(protected|raw)$/,
  year: /^\d{4}$/,
};

/** A requested value taken as is: right shape, and for tenant and audience allowed to this caller. */
function acceptable(name: VariableName, value: string | undefined, principal: Principal, values: Partial<Record<VariableName, string | null>>, tenancy: FisTenancy): value is string {
  if (value === undefined || !VALUE_SHAPES[name].test(value)) return false;
  if (name === 'tenant') return visibleTenants(principal, tenancy).includes(value);
  if (name === 'audience') return value === PROTECTED_VIEW || maySeeRaw(principal, values.tenant ?? null, tenancy);
  return true;
}

/** The variables of a panel run: requested values where acceptable, the resolved default otherwise. */
async function panelVariables(warehouse: Warehouse, dashboard: FisDashboard, principal: Principal, requested: RequestedValues, tenancy: FisTenancy): Promise<ResolvedVariable[]> {
  const values: Partial<Record<VariableName, string | null>> = {};
  const out: ResolvedVariable[] = [];
  for (const variable of dashboard.variables) {
    const wanted = requested[variable.name];
    if (acceptable(variable.name, wanted, principal, values, tenancy)) {
      values[variable.name] = wanted;
      out.push({ name: variable.name, label: variable.label, description: variable.description, options: [], value: wanted });
      continue;
    }
    const options = await optionsOf(warehouse, variable, principal, values, tenancy);
    const value = options.find((o) => o.value === wanted)?.value ?? options[0]?.value ?? null;
    values[variable.name] = value;
    out.push({ name: variable.name, label: variable.label, description: variable.description, options, value });
  }
  return out;
}

export async function runPanel(
  warehouse: Warehouse,
  dashboard: FisDashboard,
  panel: FisPanel,
  principal: Principal,
  requested: RequestedValues,
  tenancy: FisTenancy = noTenancy(),
): Promise<PanelResult & { variables: ResolvedVariable[] }> {
  const variables = await panelVariables(warehouse, dashboard, principal, requested, tenancy);
  const values = Object.fromEntries(variables.map((v) => [v.name, v.value])) as Partial<Record<VariableName, string | null>>;
  const { params, missing } = bind(panel.sql, principal, values, tenancy);
  if (missing.length > 0) return { columns: [], rows: [], missing, variables };
  const rows = await warehouse.query(restrictIndicatorReads(panel.sql, principal, rawChosen(principal, values, tenancy), tenancy), params);
  return { columns: rows.length > 0 ? Object.keys(rows[0]!) : [], rows, missing: [], variables };
}
