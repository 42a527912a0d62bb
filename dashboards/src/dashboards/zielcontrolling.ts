/** 4. Zielcontrolling: goal tree, targets, attainment over time. */
import type { FisDashboard } from '../model';
import { audience, INDICATOR_NAMES, tenant } from '../variables';
import { ATTAINMENT_AMPEL_SQL, attainmentStatusText } from './shared';

const LEVEL_TEXT = (column: string) =>
  `transform(toString(${column}), ['LEITBILD', 'STRATEGISCHES_ZIEL', 'FACHBEREICHSZIEL', 'PRODUKTZIEL', 'TEILZIEL'], ['Leitbild', 'Strategisches Ziel', 'Fachbereichsziel', 'Produktziel', 'Teilziel'], toString(${column}))`;
const FIELD_TEXT = (column: string) =>
  `transform(toString(${column}), ['WIRKUNGEN', 'PROGRAMME_PRODUKTE', 'PROZESSE_STRUKTUREN', 'RESSOURCEN'], ['Wirkungen', 'Programme/Produkte', 'Prozesse/Strukturen', 'Ressourcen'], toString(${column}))`;

/** The level of every goal: a revision does not repeat it (its row carries none), so it is the last one a revision stated. */
const GOAL_LEVELS = "SELECT goal_id, argMaxIf(level, revision, level != '') AS level FROM lagebild.dim_goal FINAL WHERE tenant = {tenant:String} GROUP BY goal_id";

export const zielcontrolling: FisDashboard = {
  id: 'zielcontrolling',
  title: 'Zielcontrolling',
  description: 'Zielsystem als Baum, Zielwerte mit Ausgangswert, Zielwert, Istwert und Bewertung, Zielerreichung im Zeitverlauf.',
  tags: ['lagebild', 'fis', 'ziele'],
  variables: [tenant, audience],
  panels: [
    {
      kind: 'stat',
      key: 'ampel',
      title: 'Zielerreichung (Ampel)',
      description: 'Zielwerte der geltenden Ziele nach ihrer jüngsten Bewertung.',
      grid: { x: 0, y: 0, w: 24, h: 4 },
      sql: ATTAINMENT_AMPEL_SQL,
      label: 'label',
      value: { column: 'value', label: 'Zielwerte', decimals: 0 },
      color: 'color',
    },
    {
      kind: 'table',
      key: 'zielbaum',
      title: 'Zielbaum',
      description: 'Ziele von Leitbild bis Teilziel, eingerückt unter ihrem übergeordneten Ziel; beendete Ziele mit Datum.',
      grid: { x: 0, y: 4, w: 24, h: 9 },
      sql: `WITH RECURSIVE tree AS (
  SELECT goal_id, title, level, field, priority, retired_on, responsible_unit, toUInt32(0) AS depth, CAST(title, 'String') AS path
  FROM lagebild.v_goal
  WHERE tenant = {tenant:String} AND (parent_goal_id IS NULL OR parent_goal_id NOT IN (SELECT goal_id FROM lagebild.v_goal WHERE tenant = {tenant:String}))
  UNION ALL
  SELECT g.goal_id, g.title, g.level, g.field, g.priority, g.retired_on, g.responsible_unit, toUInt32(t.depth + 1), concat(t.path, ' / ', g.title)
  FROM lagebild.v_goal AS g INNER JOIN tree AS t ON g.parent_goal_id = t.goal_id
  WHERE g.tenant = {tenant:String} AND t.depth < 8
)
SELECT concat(repeat('    ', t.depth), t.title) AS ziel, ${LEVEL_TEXT('l.level')} AS ebene, ${FIELD_TEXT('t.field')} AS zielfeld, t.priority AS prioritaet,
  t.responsible_unit AS verantwortlich, if(t.retired_on IS NULL, 'gilt', concat('beendet am ', formatDateTime(assumeNotNull(t.retired_on), '%d.%m.%Y'))) AS status
FROM tree AS t
LEFT JOIN (${GOAL_LEVELS}) AS l ON l.goal_id = t.goal_id
ORDER BY t.path`,
      columns: [
        { column: 'ziel', label: 'Ziel', kind: 'text' },
        { column: 'ebene', label: 'Ebene', kind: 'text' },
        { column: 'zielfeld', label: 'Zielfeld', kind: 'text' },
        { column: 'prioritaet', label: 'Priorität', kind: 'number', decimals: 0 },
        { column: 'verantwortlich', label: 'Verantwortlich', kind: 'text' },
        { column: 'status', label: 'Status', kind: 'status' },
      ],
    },
    {
      kind: 'table',
      key: 'zielwerte',
      title: 'Zielwerte und Zielerreichung',
      description: 'Geltende Zielwerte mit Ausgangswert, Zielwert, jüngstem Istwert, Anteil des zurückgelegten Wegs und Bewertung. Istwerte kleiner Fallzahlen bleiben ohne Rohwert-Berechtigung gesperrt.',
      grid: { x: 0, y: 13, w: 24, h: 8 },
      sql: `SELECT g.title AS ziel, if(n.name = '', t.indicator_id, n.name) AS indikator, t.indicator_id AS indicator_id, ifNull(t.scheme_id, '') AS scheme_id,
  ifNull(t.area_code, '') AS gebiet, if(ar.name = '', ifNull(t.area_code, 'Gesamtgebiet'), ar.name) AS gebietsname, t.baseline_value AS ausgangswert, a.resolved_target_value AS zielwert,
  if(a.value_suppressed AND NOT {raw_values:Bool}, NULL, a.actual_value) AS istwert, toBool(a.value_suppressed AND NOT {raw_values:Bool}) AS suppressed,
  if(a.value_suppressed AND NOT {raw_values:Bool}, NULL, round(a.attainment * 100, 1)) AS zielerreichung, ${attainmentStatusText('a.status')} AS status, t.deadline AS termin, a.method AS bewertung
FROM lagebild.v_target AS t
INNER JOIN lagebild.v_goal AS g ON g.tenant = t.tenant AND g.goal_id = t.goal_id
LEFT JOIN lagebild.v_attainment_latest AS a ON a.tenant = t.tenant AND a.goal_id = t.goal_id AND a.target_id = t.target_id
LEFT JOIN (${INDICATOR_NAMES}) AS n ON n.indicator_id = t.indicator_id
LEFT JOIN (SELECT scheme_id, code, argMax(name, tenant = {tenant:String}) AS name FROM lagebild.v_area WHERE tenant IN ({tenant:String}, '00000') GROUP BY scheme_id, code) AS ar ON ar.scheme_id = ifNull(t.scheme_id, '') AND ar.code = ifNull(t.area_code, '')
WHERE t.tenant = {tenant:String} AND g.retired_on IS NULL
ORDER BY g.title, indikator`,
      columns: [
        { column: 'ziel', label: 'Ziel', kind: 'text' },
        { column: 'indikator', label: 'Indikator', kind: 'text' },
        { column: 'gebietsname', label: 'Gebiet', kind: 'text' },
        { column: 'ausgangswert', label: 'Ausgangswert', kind: 'number', decimals: 1 },
        { column: 'zielwert', label: 'Zielwert', kind: 'number', decimals: 1 },
        { column: 'istwert', label: 'Istwert', kind: 'number', decimals: 1, suppressed: 'suppressed' },
        { column: 'zielerreichung', label: 'Zielerreichung', kind: 'number', unit: '%', decimals: 1, suppressed: 'suppressed' },
        { column: 'status', label: 'Status', kind: 'status' },
        { column: 'termin', label: 'Termin', kind: 'date' },
        { column: 'bewertung', label: 'Bewertung', kind: 'text' },
      ],
      drillDown: { to: 'sozialraumprofil', title: 'Gebiet im Sozialraumprofil', set: { scheme: 'scheme_id', area: 'gebiet', indicator: 'indicator_id' } },
    },
    {
      kind: 'timeseries',
      key: 'verlauf',
      title: 'Zielerreichung im Zeitverlauf',
      description: 'Anteil des Wegs vom Ausgangswert zum Zielwert je Zielwert und Stichtag (100 % = Ziel erreicht).',
      grid: { x: 0, y: 21, w: 24, h: 8 },
      sql: `SELECT toDateTime(a.period_end) AS time, concat(g.title, ': ', if(n.name = '', a.indicator_id, n.name)) AS series, round(a.attainment * 100, 1) AS value
FROM lagebild.fact_attainment AS a FINAL
INNER JOIN lagebild.v_target AS t ON t.tenant = a.tenant AND t.goal_id = a.goal_id AND t.target_id = a.target_id
INNER JOIN lagebild.v_goal AS g ON g.tenant = a.tenant AND g.goal_id = a.goal_id
LEFT JOIN (${INDICATOR_NAMES}) AS n ON n.indicator_id = a.indicator_id
WHERE a.tenant = {tenant:String} AND g.retired_on IS NULL AND a.attainment IS NOT NULL
  -- A verdict's share of the way on a suppressed value would give the value away.
  AND (NOT a.value_suppressed OR {raw_values:Bool})
ORDER BY time, series`,
      time: 'time',
      series: 'series',
      value: { column: 'value', label: 'Zielerreichung', unit: '%', decimals: 1 },
    },
  ],
};
