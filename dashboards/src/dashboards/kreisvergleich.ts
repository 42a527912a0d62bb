/**
 * 7. Kreisvergleich: the member Gemeinden of a Kreis side by side. Comparisons between Gemeinden
 * use only protected (disclosure-controlled) figures (DOMAIN.md 1), so every query reads
 * `v_indicator_value_protected`, whatever the caller's roles, and spans the tenants with figures
 * the caller may see (`{comparison_tenants}`: for a Kreis itself and its members; for a Gemeinde
 * itself and the peers that released figures to the Kreis' members). Which of a peer's rows show
 * is decided row by row by the server (release per indicator and area level, embargo) and, for
 * Grafana, by the readers' row policies.
 */
import type { FisDashboard, FisVariable } from '../model';
import { geometryCentre } from './shared';

/** Names over the shipped catalogue and the visible tenants' own indicators. */
const NAMES = `SELECT indicator_id, argMax(name, version) AS name, argMax(unit, version) AS unit FROM lagebild.dim_indicator FINAL
  WHERE scope = '00000' OR has({comparison_tenants:Array(String)}, scope) GROUP BY indicator_id`;

/**
 * Protected values of Gemeinde units across the visible tenants. A Gemeinde may appear twice (in
 * its own data and in the Kreis's Gemeinde scheme): its own tenant's figure wins (8-digit AGS first).
 */
const GEMEINDE_VALUES = `SELECT * FROM lagebild.v_indicator_value_protected
  WHERE has({comparison_tenants:Array(String)}, tenant) AND unit_type = 'Gemeinde' AND status != 'NOT_COMPUTABLE'`;

/**
 * Gemeinde units by scheme and code: the visible tenants' own schemes and the shared
 * Gemeindeverzeichnis (system tenant 00000) in which a Kreis delivers for its Gemeinden; `tenant`
 * is the scheme's owner, for the geometry join.
 */
const NAMES_OF_UNITS = "SELECT tenant, scheme_id, code, name, scheme_version FROM lagebild.v_area WHERE (has({comparison_tenants:Array(String)}, tenant) OR tenant = '00000') AND unit_type = 'Gemeinde'";

const indicator: FisVariable = {
  name: 'indicator',
  label: 'Indikator',
  description: 'Indikatoren mit geschützten Werten für Gemeinden.',
  options: {
    sql: `SELECT v.indicator_id AS value, if(n.name = '', v.indicator_id, n.name) AS label
FROM (SELECT DISTINCT indicator_id FROM (${GEMEINDE_VALUES})) AS v
LEFT JOIN (${NAMES}) AS n ON n.indicator_id = v.indicator_id
ORDER BY label`,
  },
};

const period: FisVariable = {
  name: 'period',
  label: 'Stichtag',
  description: 'Stichtag oder Ende des Zeitraums; der jüngste zuerst.',
  options: {
    sql: `SELECT toString(period_end) AS value, formatDateTime(period_end, '%d.%m.%Y') AS label
FROM (${GEMEINDE_VALUES}) WHERE indicator_id = {indicator:String}
GROUP BY period_end ORDER BY period_end DESC`,
  },
};

/** One row per Gemeinde for the selected indicator and period. */
const AT_PERIOD = `SELECT u.name AS gemeinde, v.tenant AS ags_mandant, v.area_code AS code, v.scheme_id AS scheme_id, v.value AS wert, v.previous_value AS vorwert,
  toBool(v.status LIKE 'SUPPRESSED%') AS suppressed, u.scheme_version AS scheme_version, u.tenant AS scheme_owner, v.tenant AS tenant
FROM (${GEMEINDE_VALUES}) AS v
INNER JOIN (${NAMES_OF_UNITS}) AS u ON u.scheme_id = v.scheme_id AND u.code = v.area_code
WHERE v.indicator_id = {indicator:String} AND v.period_end = {period:Date32}
ORDER BY length(v.tenant) DESC LIMIT 1 BY v.area_code`;

const centre = geometryCentre('g.geometry');

export const kreisvergleich: FisDashboard = {
  id: 'kreisvergleich',
  title: 'Kreisvergleich',
  description: 'Die Gemeinden des Kreises nebeneinander: ausschließlich geschützte Werte (Geheimhaltung angewandt), Rangfolge, Karte und Entwicklung.',
  tags: ['lagebild', 'fis', 'kreis'],
  variables: [indicator, period],
  panels: [
    {
      kind: 'bar',
      key: 'vergleich',
      title: 'Gemeinden im Vergleich',
      description: 'Geschützter Wert je Gemeinde zum Stichtag, höchster zuerst; gesperrte Werte am Ende.',
      grid: { x: 0, y: 0, w: 12, h: 11 },
      sql: `SELECT gemeinde, wert, suppressed FROM (${AT_PERIOD}) ORDER BY wert IS NULL, wert DESC, gemeinde`,
      category: 'gemeinde',
      values: [{ column: 'wert', label: 'Wert', decimals: 1, suppressed: 'suppressed' }],
      horizontal: true,
    },
    {
      kind: 'map',
      key: 'karte',
      title: 'Karte der Gemeinden',
      description: 'Geschützter Wert je Gemeinde; gesperrte Werte sind schraffiert.',
      grid: { x: 12, y: 0, w: 12, h: 11 },
      sql: `SELECT p.code AS code, p.gemeinde AS name, p.wert AS value, p.suppressed AS suppressed, g.geometry AS geometry,
  ${centre.latitude} AS latitude, ${centre.longitude} AS longitude
FROM (${AT_PERIOD}) AS p
INNER JOIN lagebild.dim_area_geometry AS g FINAL ON g.tenant = p.scheme_owner AND g.scheme_id = p.scheme_id AND g.scheme_version = p.scheme_version AND g.code = p.code
ORDER BY p.code`,
      area: 'code',
      label: 'name',
      value: { column: 'value', label: 'Wert', decimals: 1, suppressed: 'suppressed' },
      geometry: 'geometry',
      latitude: 'latitude',
      longitude: 'longitude',
    },
    {
      kind: 'table',
      key: 'tabelle',
      title: 'Werte der Gemeinden',
      description: 'Geschützter Wert, Vorwert, Veränderung und Rang unter den Gemeinden.',
      grid: { x: 0, y: 11, w: 12, h: 9 },
      sql: `SELECT gemeinde, ags_mandant, wert, vorwert, round(wert - vorwert, 2) AS veraenderung,
  if(wert IS NULL, NULL, rank() OVER (ORDER BY wert IS NULL, wert DESC)) AS rang, if(suppressed, 'gesperrt', '') AS hinweis, suppressed
FROM (${AT_PERIOD})
ORDER BY wert IS NULL, wert DESC, gemeinde`,
      columns: [
        { column: 'gemeinde', label: 'Gemeinde', kind: 'text' },
        { column: 'ags_mandant', label: 'Mandant (AGS)', kind: 'text' },
        { column: 'wert', label: 'Wert', kind: 'number', decimals: 2, suppressed: 'suppressed' },
        { column: 'vorwert', label: 'Vorwert', kind: 'number', decimals: 2 },
        { column: 'veraenderung', label: 'Veränderung', kind: 'number', decimals: 2 },
        { column: 'rang', label: 'Rang', kind: 'number', decimals: 0 },
        { column: 'hinweis', label: 'Hinweis', kind: 'text' },
      ],
    },
    {
      kind: 'timeseries',
      key: 'entwicklung',
      title: 'Entwicklung je Gemeinde',
      description: 'Geschützte Werte des Indikators je Gemeinde über alle Stichtage.',
      grid: { x: 12, y: 11, w: 12, h: 9 },
      sql: `SELECT time, series, value FROM (
  SELECT toDateTime(v.period_end) AS time, u.name AS series, v.value AS value
  FROM (${GEMEINDE_VALUES}) AS v
  INNER JOIN (${NAMES_OF_UNITS}) AS u ON u.scheme_id = v.scheme_id AND u.code = v.area_code
  WHERE v.indicator_id = {indicator:String}
  ORDER BY length(v.tenant) DESC LIMIT 1 BY v.area_code, v.period_end
) ORDER BY time, series`,
      time: 'time',
      series: 'series',
      value: { column: 'value', label: 'Wert', decimals: 2 },
    },
  ],
};
