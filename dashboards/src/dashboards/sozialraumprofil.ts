/** 2. Sozialraumprofil: one area, all indicators against the parent area, trend, rank, index class. */
import type { FisDashboard } from '../model';
import { area, audience, indicator, INDICATOR_NAMES, period, scheme, tenant } from '../variables';
import { ampelText, valueNote } from './shared';

/** Values of the selected area at the selected period, with indicator names. */
const AREA_VALUES = `FROM lagebild.{indicator_view:Identifier} AS v
LEFT JOIN (${INDICATOR_NAMES}) AS n ON n.indicator_id = v.indicator_id
WHERE v.tenant = {tenant:String} AND v.scheme_id = {scheme:String} AND v.area_code = {area:String}
  AND v.period_end = {period:Date32} AND v.status != 'NOT_COMPUTABLE'`;

export const sozialraumprofil: FisDashboard = {
  id: 'sozialraumprofil',
  title: 'Sozialraumprofil',
  description: 'Ein Gebiet im Überblick: alle Indikatoren im Vergleich zum übergeordneten Gebiet, Rang unter den Gebieten gleicher Ebene, Indexklasse und Entwicklung.',
  tags: ['lagebild', 'fis', 'sozialmonitoring'],
  variables: [tenant, scheme, area, period, indicator, audience],
  panels: [
    {
      kind: 'stat',
      key: 'ampel',
      title: 'Ampel der Indikatoren',
      description: 'Zahl der Indikatoren des Gebiets je Ampelfarbe (Abweichung vom übergeordneten Gebiet).',
      grid: { x: 0, y: 0, w: 12, h: 5 },
      sql: `SELECT k.label AS label, toFloat64(ifNull(c.n, 0)) AS value, k.color AS color
FROM (SELECT tupleElement(s, 1) AS ampel, tupleElement(s, 2) AS label, tupleElement(s, 3) AS color, tupleElement(s, 4) AS ord
  FROM (SELECT arrayJoin([('RED', 'rot', 'RED', 1), ('YELLOW', 'gelb', 'YELLOW', 2), ('GREEN', 'grün', 'GREEN', 3)]) AS s)) AS k
LEFT JOIN (SELECT toString(v.ampel) AS ampel, count() AS n ${AREA_VALUES} GROUP BY ampel) AS c ON c.ampel = k.ampel
ORDER BY k.ord`,
      label: 'label',
      value: { column: 'value', label: 'Indikatoren', decimals: 0 },
      color: 'color',
    },
    {
      kind: 'stat',
      key: 'indexklasse',
      title: 'Indexklassen',
      description: 'Klassen zusammengesetzter Indizes (z. B. Monitoring Soziale Stadtentwicklung) für das Gebiet.',
      grid: { x: 12, y: 0, w: 12, h: 5 },
      sql: `SELECT if(n.name = '', v.indicator_id, n.name) AS label, toFloat64(v.index_class) AS value, v.index_class_label AS note
${AREA_VALUES} AND v.index_class IS NOT NULL
ORDER BY label`,
      label: 'label',
      value: { column: 'value', label: 'Klasse', decimals: 0 },
      note: 'note',
    },
    {
      kind: 'table',
      key: 'vergleich',
      title: 'Alle Indikatoren im Vergleich zum übergeordneten Gebiet',
      description: 'Wert des Gebiets, Wert des übergeordneten Gebiets, Differenz, Rang unter den Gebieten gleicher Ebene und Ampel.',
      grid: { x: 0, y: 5, w: 24, h: 9 },
      sql: `SELECT if(n.name = '', v.indicator_id, n.name) AS indikator, v.indicator_id AS indicator_id, n.unit AS einheit, v.value AS wert,
  v.parent_value AS vergleichswert, round(v.value - v.parent_value, 2) AS differenz, v.rank AS rang, round(v.z_score, 2) AS z_wert,
  ${ampelText('v.ampel')} AS ampel, v.index_class_label AS indexklasse, ${valueNote('v.status')} AS hinweis, toBool(v.status LIKE 'SUPPRESSED%') AS suppressed
${AREA_VALUES}
ORDER BY indikator`,
      columns: [
        { column: 'indikator', label: 'Indikator', kind: 'text' },
        { column: 'einheit', label: 'Einheit', kind: 'text' },
        { column: 'wert', label: 'Wert', kind: 'number', decimals: 2, suppressed: 'suppressed' },
        { column: 'vergleichswert', label: 'Übergeordnetes Gebiet', kind: 'number', decimals: 2 },
        { column: 'differenz', label: 'Differenz', kind: 'number', decimals: 2 },
        { column: 'rang', label: 'Rang', kind: 'number', decimals: 0 },
        { column: 'z_wert', label: 'z-Wert', kind: 'number', decimals: 2 },
        { column: 'ampel', label: 'Ampel', kind: 'status' },
        { column: 'indexklasse', label: 'Indexklasse', kind: 'text' },
        { column: 'hinweis', label: 'Hinweis', kind: 'text' },
      ],
      drillDown: { to: 'indikator-atlas', title: 'Indikator im Atlas zeigen', set: { indicator: 'indicator_id' } },
    },
    {
      kind: 'bar',
      key: 'abweichung',
      title: 'Gebiet und übergeordnetes Gebiet',
      description: 'Indikatoren in Prozent: Wert des Gebiets neben dem Wert des übergeordneten Gebiets.',
      grid: { x: 0, y: 14, w: 12, h: 9 },
      sql: `SELECT if(n.name = '', v.indicator_id, n.name) AS indikator, v.value AS gebiet, v.parent_value AS uebergeordnet, toBool(v.status LIKE 'SUPPRESSED%') AS suppressed
${AREA_VALUES} AND n.unit = '%'
ORDER BY indikator`,
      category: 'indikator',
      values: [
        { column: 'gebiet', label: 'Gebiet', unit: '%', decimals: 1, suppressed: 'suppressed' },
        { column: 'uebergeordnet', label: 'Übergeordnetes Gebiet', unit: '%', decimals: 1 },
      ],
      horizontal: true,
    },
    {
      kind: 'timeseries',
      key: 'entwicklung',
      title: 'Entwicklung des gewählten Indikators',
      description: 'Der gewählte Indikator im Gebiet und im übergeordneten Gebiet über alle Stichtage.',
      grid: { x: 12, y: 14, w: 12, h: 9 },
      sql: `SELECT toDateTime(v.period_end) AS time, tupleElement(s, 1) AS series, tupleElement(s, 2) AS value
FROM lagebild.{indicator_view:Identifier} AS v
ARRAY JOIN [('Gebiet', v.value), ('Übergeordnetes Gebiet', v.parent_value)] AS s
WHERE v.tenant = {tenant:String} AND v.scheme_id = {scheme:String} AND v.area_code = {area:String}
  AND v.indicator_id = {indicator:String} AND v.status != 'NOT_COMPUTABLE'
ORDER BY time, series`,
      time: 'time',
      series: 'series',
      value: { column: 'value', label: 'Wert', decimals: 2 },
    },
  ],
};
