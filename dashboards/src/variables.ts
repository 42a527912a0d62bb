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

/**
 * The units of the selected scheme as the tenant sees them: the units of its own scheme or, for a
 * shared scheme kept by the system tenant 00000 (the Gemeindeverzeichnis, in which Kreise and
 * Gemeinden deliver), the units it has values for. Every panel that lists areas reads this.
 */
export const TENANT_AREAS = `SELECT * FROM lagebild.v_area WHERE scheme_id = {scheme:String}
  AND (tenant = {tenant:String} OR (tenant = '00000' AND code IN (SELECT DISTINCT area_code FROM lagebild.fact_indicator_value WHERE tenant = {tenant:String} AND scheme_id = {scheme:String})))`;

/**
 * The whole territory (Gesamtstadt, Kreis) as a scalar subquery: the total the indicator engine
 * computes under the tenant's key, or, where a scheme has no such total, its root unit.
 */
export const TOTAL_AREA = `(SELECT if(countIf(code = {tenant:String}) > 0, {tenant:String}, min(code)) FROM (
  SELECT DISTINCT area_code AS code FROM lagebild.fact_indicator_value WHERE tenant = {tenant:String} AND scheme_id = {scheme:String}
    AND (area_code = {tenant:String} OR area_code IN (SELECT code FROM lagebild.v_area WHERE tenant = {tenant:String} AND scheme_id = {scheme:String} AND parent_code IS NULL))))`;

export const tenant: FisVariable = {
  name: 'tenant',
  label: 'Mandant',
  description: 'Gebietskörperschaft (AGS); ein Kreis sieht auch seine Mitgliedsgemeinden.',
  options: {
    // Names from the Gemeindeverzeichnis (system tenant 00000) where it has the key, else the
    // tenant's own unit of that code; tenants appear once they have any data in the warehouse.
    sql: `SELECT t.tenant AS value, if(ifNull(n.name, '') = '', concat('Mandant ', t.tenant), concat(n.name, ' (', t.tenant, ')')) AS label
FROM (SELECT tenant FROM lagebild.dim_scheme_version UNION DISTINCT SELECT tenant FROM lagebild.dim_goal UNION DISTINCT SELECT tenant FROM lagebild.dim_contract
  UNION DISTINCT SELECT DISTINCT tenant FROM lagebild.fact_indicator_value WHERE has({visible_tenants:Array(String)}, tenant)
  UNION DISTINCT SELECT DISTINCT tenant FROM lagebild.fact_budget_line WHERE has({visible_tenants:Array(String)}, tenant)) AS t
LEFT JOIN (SELECT code, argMax(name, tenant = '00000') AS name FROM lagebild.v_area WHERE has({visible_tenants:Array(String)}, code) GROUP BY code) AS n ON n.code = t.tenant
WHERE has({visible_tenants:Array(String)}, t.tenant) AND t.tenant != '00000'
ORDER BY length(value), value`,
  },
};

export const scheme: FisVariable = {
  name: 'scheme',
  label: 'Gliederung',
  description: 'Gebietsgliederung (Sozialräume, Stadtteile, Planungsräume).',
  options: {
    // The tenant's own schemes and the shared ones it delivers in (the Gemeindeverzeichnis).
    sql: `SELECT scheme_id AS value, argMax(scheme_name, version) AS label
FROM lagebild.dim_scheme_version FINAL
WHERE tenant = {tenant:String} OR (tenant = '00000' AND scheme_id IN (SELECT DISTINCT scheme_id FROM lagebild.fact_indicator_value WHERE tenant = {tenant:String}))
GROUP BY scheme_id ORDER BY max(tenant = {tenant:String}) DESC, label`,
  },
};

export const area: FisVariable = {
  name: 'area',
  label: 'Gebiet',
  description: 'Gebiet der Gliederung; Sozialräume zuerst, das Gesamtgebiet zuletzt.',
  options: {
    sql: `SELECT code AS value, concat(name, ' (', unit_type, ')') AS label
FROM (${TENANT_AREAS})
ORDER BY parent_code IS NULL, code = ${TOTAL_AREA}, name, code`,
  },
};

export const indicator: FisVariable = {
  name: 'indicator',
  label: 'Indikator',
  description: 'Indikatoren mit Werten in der gewählten Gliederung.',
  options: {
    sql: `SELECT v.indicator_id AS value, if(n.name = '', v.indicator_id, n.name) AS label
FROM (SELECT DISTINCT indicator_id FROM lagebild.fact_indicator_value WHERE tenant = {tenant:String} AND scheme_id = {scheme:String} AND protection = 'PROTECTED') AS v
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
FROM lagebild.fact_indicator_value WHERE tenant = {tenant:String} AND scheme_id = {scheme:String} AND protection = 'PROTECTED'
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
