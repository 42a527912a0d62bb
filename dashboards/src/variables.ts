/**
 * Template variables shared by the dashboards. Option queries return `value` and `label` (the
 * ClickHouse data source takes the first column as value, the second as text) and may use the
 * variables listed before them. The first option is the default, so each list starts with the
 * most useful choice (latest period, a Sozialraum rather than the whole city).
 */
import type { FisVariable } from './model';

/** Latest German name, unit and polarity of every indicator the tenant may use (shipped catalogue or its own). */
export const INDICATOR_NAMES = `SELECT indicator_id, argMax(name, version) AS name, argMax(unit, version) AS unit, argMax(polarity, version) AS polarity
  FROM lagebild.dim_indicator FINAL WHERE scope IN ('00000', {tenant:String}) GROUP BY indicator_id`;

/** The root unit(s) of the selected scheme: the whole territory (Gesamtstadt, Kreis). */
export const ROOT_AREAS = 'SELECT code FROM lagebild.v_area WHERE tenant = {tenant:String} AND scheme_id = {scheme:String} AND parent_code IS NULL';

export const tenant: FisVariable = {
  name: 'tenant',
  label: 'Mandant',
  description: 'Gebietskörperschaft (AGS); ein Kreis sieht auch seine Mitgliedsgemeinden.',
  options: {
    sql: `SELECT t.tenant AS value, if(r.name = '', concat('Mandant ', t.tenant), concat(r.name, ' (', t.tenant, ')')) AS label
FROM (SELECT tenant FROM lagebild.dim_scheme_version UNION DISTINCT SELECT tenant FROM lagebild.dim_goal UNION DISTINCT SELECT tenant FROM lagebild.dim_contract) AS t
LEFT JOIN (SELECT tenant, any(name) AS name FROM lagebild.v_area WHERE parent_code IS NULL GROUP BY tenant) AS r ON r.tenant = t.tenant
WHERE has({visible_tenants:Array(String)}, t.tenant)
ORDER BY length(value), value`,
  },
};

export const scheme: FisVariable = {
  name: 'scheme',
  label: 'Gliederung',
  description: 'Gebietsgliederung (Sozialräume, Stadtteile, Planungsräume).',
  options: {
    sql: `SELECT scheme_id AS value, argMax(scheme_name, version) AS label
FROM lagebild.dim_scheme_version FINAL WHERE tenant = {tenant:String}
GROUP BY scheme_id ORDER BY label`,
  },
};

export const area: FisVariable = {
  name: 'area',
  label: 'Gebiet',
  description: 'Gebiet der Gliederung; Sozialräume zuerst, das Gesamtgebiet zuletzt.',
  options: {
    sql: `SELECT code AS value, concat(name, ' (', unit_type, ')') AS label
FROM lagebild.v_area WHERE tenant = {tenant:String} AND scheme_id = {scheme:String}
ORDER BY parent_code IS NULL, name, code`,
  },
};

export const indicator: FisVariable = {
  name: 'indicator',
  label: 'Indikator',
  description: 'Indikatoren mit Werten in der gewählten Gliederung.',
  options: {
    sql: `SELECT v.indicator_id AS value, if(n.name = '', v.indicator_id, n.name) AS label
FROM (SELECT DISTINCT indicator_id FROM lagebild.v_indicator_value WHERE tenant = {tenant:String} AND scheme_id = {scheme:String}) AS v
LEFT JOIN (${INDICATOR_NAMES}) AS n ON n.indicator_id = v.indicator_id
ORDER BY label`,
  },
};

export const period: FisVariable = {
  name: 'period',
  label: 'Stichtag',
  description: 'Stichtag oder Ende des Zeitraums; der jüngste zuerst.',
  options: {
    sql: `SELECT toString(period_end) AS value, formatDateTime(period_end, '%d.%m.%Y') AS label
FROM lagebild.v_indicator_value WHERE tenant = {tenant:String} AND scheme_id = {scheme:String}
GROUP BY period_end ORDER BY period_end DESC`,
  },
};

export const audience: FisVariable = {
  name: 'audience',
  label: 'Werte',
  description: 'Geschützte Werte (Geheimhaltung angewandt) oder Rohwerte; Rohwerte nur für Sozialplanung, Statistikstelle und Administration des eigenen Mandanten.',
  options: {
    fixed: [
      { value: 'v_indicator_value_protected', label: 'geschützt (veröffentlichungsfähig)' },
      { value: 'v_indicator_value_raw', label: 'Rohwerte (intern)' },
    ],
  },
};

export const year: FisVariable = {
  name: 'year',
  label: 'Haushaltsjahr',
  description: 'Haushaltsjahr; das jüngste mit beschlossenem Ansatz zuerst (Jahre nur mit Verpflichtungen, etwa aus Verträgen, danach).',
  options: {
    sql: `SELECT toString(budget_year) AS value, if(countIf(value_kind = 'ANSATZ') > 0, toString(budget_year), concat(toString(budget_year), ' (ohne Ansatz)')) AS label
FROM lagebild.v_budget_value WHERE tenant = {tenant:String}
GROUP BY budget_year ORDER BY countIf(value_kind = 'ANSATZ') > 0 DESC, budget_year DESC`,
  },
};
