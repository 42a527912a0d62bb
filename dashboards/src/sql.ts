/**
 * Query parameters of the panel SQL and their two renderings.
 *
 * The web view binds `{name:Type}` server-side (ClickHouse query parameters). Grafana has no
 * binding: its ClickHouse data source interpolates template variables into the text. For Grafana
 * each parameter becomes the variable with the `sqlstring` format (values quoted, quotes doubled)
 * and, where the type is not a string, an explicit conversion, so a variable can never end a
 * literal early. Parameters that only the server may decide (which tenants a caller sees, whether
 * raw counts are shown) become, in Grafana, what the ClickHouse user's grants and row policies
 * allow (infra/clickhouse: read-only users with row policies per tenant).
 */
import type { VariableName } from './model';

export interface ParameterSpec {
  /** ClickHouse type of the binding. */
  type: string;
  /** The template variable whose value it takes, or `server` for values the server derives from the caller. */
  source: VariableName | 'server';
  /** Replacement text in Grafana's interpolated SQL. */
  grafana: string;
  description: string;
}

export const PARAMETERS = {
  tenant: { type: 'String', source: 'tenant', grafana: '${tenant:sqlstring}', description: 'Mandant (AGS), auf den jede Abfrage beschränkt ist.' },
  scheme: { type: 'String', source: 'scheme', grafana: '${scheme:sqlstring}', description: 'Gebietsgliederung.' },
  area: { type: 'String', source: 'area', grafana: '${area:sqlstring}', description: 'Gebiet (Code in der Gliederung).' },
  indicator: { type: 'String', source: 'indicator', grafana: '${indicator:sqlstring}', description: 'Indikator.' },
  period: { type: 'Date32', source: 'period', grafana: 'toDate32(${period:sqlstring})', description: 'Stichtag oder Ende des Zeitraums.' },
  year: { type: 'UInt16', source: 'year', grafana: 'toUInt16(${year:sqlstring})', description: 'Haushaltsjahr.' },
  indicator_view: {
    type: 'Identifier',
    source: 'server',
    grafana: '${audience}',
    description: 'Sicht der Indikatorwerte: v_indicator_value_protected, oder v_indicator_value_raw für Sozialplanung, Statistikstelle und Administration des eigenen Mandanten.',
  },
  raw_values: { type: 'Bool', source: 'server', grafana: "(${audience:sqlstring} = 'v_indicator_value_raw')", description: 'Ob der Aufrufer Rohwerte sehen darf (sonst bleiben geschützte Werte gesperrt).' },
  visible_tenants: {
    type: 'Array(String)',
    source: 'server',
    grafana: '(SELECT groupUniqArray(tenant) FROM lagebild.dim_scheme_version)',
    description: 'Mandanten, die der Aufrufer sehen darf: der eigene und bei einem Kreis die Mitgliedsgemeinden.',
  },
  comparison_tenants: {
    type: 'Array(String)',
    source: 'server',
    grafana: '(SELECT groupUniqArray(tenant) FROM lagebild.dim_scheme_version)',
    description: 'Mandanten mit Werten, die der Aufrufer im Vergleich sehen darf: zusätzlich die Gemeinden, die ihre Werte freigegeben haben (welche Werte, entscheiden Freigabe und Zeilenrichtlinie).',
  },
} as const satisfies Record<string, ParameterSpec>;

export type ParameterName = keyof typeof PARAMETERS;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g;

export interface SqlParameter {
  name: ParameterName;
  type: string;
}

export class UnknownParameterError extends Error {
  override readonly name = 'UnknownParameterError';
}

function isParameterName(name: string): name is ParameterName {
  return Object.prototype.hasOwnProperty.call(PARAMETERS, name);
}

/** The parameters a statement uses (each once), checked against the registry. */
export function parametersOf(sql: string): SqlParameter[] {
  const found = new Map<string, SqlParameter>();
  for (const match of sql.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    const type = match[2]!;
    if (!isParameterName(name)) throw new UnknownParameterError(`Unbekannter Parameter {${name}:${type}}; bekannt sind ${Object.keys(PARAMETERS).join(', ')}.`);
    if (PARAMETERS[name].type !== type) throw new UnknownParameterError(`Parameter {${name}:${type}} hat den falschen Typ; erwartet ${PARAMETERS[name].type}.`);
    found.set(name, { name, type });
  }
  return [...found.values()];
}

/** The statement as Grafana's ClickHouse data source gets it: every parameter replaced by its template variable. */
export function toGrafanaSql(sql: string): string {
  parametersOf(sql);
  return sql.replace(PLACEHOLDER, (_m, name: string) => PARAMETERS[name as ParameterName].grafana);
}

/** Template variables a statement depends on (through its parameters). */
export function variablesOf(sql: string): VariableName[] {
  const out = new Set<VariableName>();
  for (const p of parametersOf(sql)) {
    const spec: ParameterSpec = PARAMETERS[p.name];
    if (spec.source !== 'server') out.add(spec.source);
    else if (spec.grafana.includes('${audience')) out.add('audience');
  }
  return [...out];
}
