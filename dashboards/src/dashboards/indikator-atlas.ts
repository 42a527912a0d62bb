/** 3. Indikator-Atlas: choropleth of an indicator over the areas of a scheme, ranking, time series. */
import type { FisDashboard } from '../model';
import { audience, indicator, period, scheme, tenant, TENANT_AREAS, TOTAL_AREA } from '../variables';
import { ampelText, geometryCentre, valueNote } from './shared';

/**
 * The tenant's units of the scheme's finest level: the unit type most units with a parent have
 * (Sozialräume, not the Bezirke above them; on a tie the first by name). Windows over one read of
 * TENANT_AREAS pick the level, so the areas are not read a second time to find it.
 */
const MAP_AREAS = `SELECT * EXCEPT (level_units, finest) FROM (
  SELECT *, min((-toInt64(level_units), unit_type)) OVER () AS finest FROM (
    SELECT *, countIf(parent_code IS NOT NULL) OVER (PARTITION BY unit_type) AS level_units FROM (${TENANT_AREAS})))
WHERE level_units > 0 AND unit_type = tupleElement(finest, 2)`;

/** Values of the selected indicator and period per area. */
const VALUES = `SELECT area_code, value, status, parent_value, rank, z_score, ampel FROM lagebild.{indicator_view:Identifier}
  WHERE tenant = {tenant:String} AND scheme_id = {scheme:String} AND indicator_id = {indicator:String}
    AND period_end = {period:Date32} AND status != 'NOT_COMPUTABLE'`;

const centre = geometryCentre('g.geometry');

export const indikatorAtlas: FisDashboard = {
  id: 'indikator-atlas',
  title: 'Indikator-Atlas',
  description: 'Ein Indikator über alle Gebiete einer Gliederung: Karte, Rangfolge, Werte je Gebiet und Zeitreihe des Gesamtgebiets mit der Spannweite der Gebiete.',
  tags: ['lagebild', 'fis', 'sozialmonitoring'],
  variables: [tenant, scheme, indicator, period, audience],
  panels: [
    {
      kind: 'map',
      key: 'karte',
      title: 'Karte',
      description: 'Wert je Gebiet der feinsten Ebene; gesperrte Werte sind schraffiert.',
      grid: { x: 0, y: 0, w: 14, h: 14 },
      sql: `SELECT a.code AS code, a.name AS name, v.value AS value, toBool(v.status LIKE 'SUPPRESSED%') AS suppressed, g.geometry AS geometry,
  ${centre.latitude} AS latitude, ${centre.longitude} AS longitude
FROM (${MAP_AREAS}) AS a
INNER JOIN lagebild.dim_area_geometry AS g FINAL ON g.tenant = a.tenant AND g.scheme_id = a.scheme_id AND g.scheme_version = a.scheme_version AND g.code = a.code
LEFT JOIN (${VALUES}) AS v ON v.area_code = a.code
ORDER BY a.code`,
      area: 'code',
      label: 'name',
      value: { column: 'value', label: 'Wert', decimals: 1, suppressed: 'suppressed' },
      geometry: 'geometry',
      latitude: 'latitude',
      longitude: 'longitude',
      drillDown: { to: 'sozialraumprofil', title: 'Sozialraumprofil öffnen', set: { area: 'code' } },
    },
    {
      kind: 'bar',
      key: 'rangfolge',
      title: 'Rangfolge',
      description: 'Gebiete nach dem Wert, höchster zuerst; gesperrte Werte am Ende.',
      grid: { x: 14, y: 0, w: 10, h: 14 },
      sql: `SELECT a.name AS gebiet, a.code AS code, v.value AS wert, toBool(v.status LIKE 'SUPPRESSED%') AS suppressed
FROM (${MAP_AREAS}) AS a
INNER JOIN (${VALUES}) AS v ON v.area_code = a.code
ORDER BY v.value IS NULL, v.value DESC, a.name`,
      category: 'gebiet',
      values: [{ column: 'wert', label: 'Wert', decimals: 1, suppressed: 'suppressed' }],
      horizontal: true,
      drillDown: { to: 'sozialraumprofil', title: 'Sozialraumprofil öffnen', set: { area: 'code' } },
    },
    {
      kind: 'table',
      key: 'werte',
      title: 'Werte je Gebiet',
      description: 'Wert, Wert des übergeordneten Gebiets, Rang, z-Wert und Ampel je Gebiet.',
      grid: { x: 0, y: 14, w: 14, h: 9 },
      sql: `SELECT a.name AS gebiet, a.code AS code, a.unit_type AS ebene, v.value AS wert, v.parent_value AS vergleichswert, v.rank AS rang,
  round(v.z_score, 2) AS z_wert, ${ampelText('v.ampel')} AS ampel, ${valueNote('v.status')} AS hinweis, toBool(v.status LIKE 'SUPPRESSED%') AS suppressed
FROM (${TENANT_AREAS}) AS a
INNER JOIN (${VALUES}) AS v ON v.area_code = a.code
ORDER BY a.parent_code IS NULL, a.name`,
      columns: [
        { column: 'gebiet', label: 'Gebiet', kind: 'text' },
        { column: 'ebene', label: 'Ebene', kind: 'text' },
        { column: 'wert', label: 'Wert', kind: 'number', decimals: 2, suppressed: 'suppressed' },
        { column: 'vergleichswert', label: 'Übergeordnetes Gebiet', kind: 'number', decimals: 2 },
        { column: 'rang', label: 'Rang', kind: 'number', decimals: 0 },
        { column: 'z_wert', label: 'z-Wert', kind: 'number', decimals: 2 },
        { column: 'ampel', label: 'Ampel', kind: 'status' },
        { column: 'hinweis', label: 'Hinweis', kind: 'text' },
      ],
      drillDown: { to: 'sozialraumprofil', title: 'Sozialraumprofil öffnen', set: { area: 'code' } },
    },
    {
      kind: 'timeseries',
      key: 'zeitreihe',
      title: 'Zeitreihe',
      description: 'Wert des Gesamtgebiets und Spannweite der Gebiete (niedrigster und höchster Wert) je Stichtag.',
      grid: { x: 14, y: 14, w: 10, h: 9 },
      sql: `SELECT toDateTime(period_end) AS time, tupleElement(s, 1) AS series, tupleElement(s, 2) AS value
FROM (
  SELECT period_end, anyIf(value, is_root) AS total, minIf(value, NOT is_root) AS low, maxIf(value, NOT is_root) AS high
  FROM (SELECT period_end, value, area_code = ${TOTAL_AREA} AS is_root FROM lagebild.{indicator_view:Identifier}
    WHERE tenant = {tenant:String} AND scheme_id = {scheme:String} AND indicator_id = {indicator:String} AND status != 'NOT_COMPUTABLE')
  GROUP BY period_end
)
ARRAY JOIN [('Gesamtgebiet', total), ('niedrigster Gebietswert', low), ('höchster Gebietswert', high)] AS s
ORDER BY time, series`,
      time: 'time',
      series: 'series',
      value: { column: 'value', label: 'Wert', decimals: 2 },
    },
  ],
};
