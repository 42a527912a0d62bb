/** 1. FIS Übersicht (Führung): goal attainment Ampel, key indicators with trend, budget deviation. */
import type { FisDashboard } from '../model';
import { audience, INDICATOR_NAMES, period, scheme, tenant, TOTAL_AREA } from '../variables';
import { ATTAINMENT_AMPEL_SQL, attainmentStatusText, GOALS_IN_FORCE } from './shared';

export const uebersicht: FisDashboard = {
  id: 'uebersicht',
  title: 'FIS Übersicht',
  description: 'Verdichtete Lage für die Verwaltungsführung: Zielerreichung als Ampel, Schlüsselkennzahlen des Gesamtgebiets mit Trend und die Budgetabweichungen je Produkt.',
  tags: ['lagebild', 'fis', 'führung'],
  variables: [tenant, scheme, period, audience],
  panels: [
    {
      kind: 'stat',
      key: 'zielampel',
      title: 'Zielerreichung (Ampel)',
      description: 'Zielwerte der geltenden Ziele nach ihrer jüngsten Bewertung.',
      grid: { x: 0, y: 0, w: 12, h: 5 },
      sql: ATTAINMENT_AMPEL_SQL,
      label: 'label',
      value: { column: 'value', label: 'Zielwerte', decimals: 0 },
      color: 'color',
      drillDown: { to: 'zielcontrolling', title: 'Zum Zielcontrolling', set: {} },
    },
    {
      kind: 'stat',
      key: 'kennzahlen',
      title: 'Schlüsselkennzahlen (Gesamtgebiet)',
      description: 'Werte des Gesamtgebiets zum Stichtag; der Pfeil zeigt die Veränderung zum Vorzeitraum.',
      grid: { x: 12, y: 0, w: 12, h: 5 },
      sql: `SELECT if(n.name = '', v.indicator_id, n.name) AS label, v.indicator_id AS indicator_id, v.value AS value, v.previous_value AS previous,
  n.unit AS unit, toBool(v.status LIKE 'SUPPRESSED%') AS suppressed
FROM lagebild.{indicator_view:Identifier} AS v
LEFT JOIN (${INDICATOR_NAMES}) AS n ON n.indicator_id = v.indicator_id
WHERE v.tenant = {tenant:String} AND v.scheme_id = {scheme:String} AND v.period_end = {period:Date32}
  AND v.status != 'NOT_COMPUTABLE' AND v.area_code = ${TOTAL_AREA}
ORDER BY label LIMIT 8`,
      label: 'label',
      value: { column: 'value', label: 'Wert', unit: 'column:unit', decimals: 1, suppressed: 'suppressed' },
      previous: 'previous',
      drillDown: { to: 'indikator-atlas', title: 'Im Indikator-Atlas zeigen', set: { indicator: 'indicator_id' } },
    },
    {
      kind: 'timeseries',
      key: 'quoten',
      title: 'Quoten im Zeitverlauf (Gesamtgebiet)',
      description: 'Alle Indikatoren in Prozent für das Gesamtgebiet über alle Stichtage.',
      grid: { x: 0, y: 5, w: 12, h: 9 },
      sql: `SELECT toDateTime(v.period_end) AS time, if(n.name = '', v.indicator_id, n.name) AS series, v.value AS value
FROM lagebild.{indicator_view:Identifier} AS v
INNER JOIN (${INDICATOR_NAMES}) AS n ON n.indicator_id = v.indicator_id
WHERE v.tenant = {tenant:String} AND v.scheme_id = {scheme:String} AND n.unit = '%'
  AND v.status != 'NOT_COMPUTABLE' AND v.area_code = ${TOTAL_AREA}
ORDER BY time, series`,
      time: 'time',
      series: 'series',
      value: { column: 'value', label: 'Wert', unit: '%', decimals: 1 },
    },
    {
      kind: 'table',
      key: 'budgetabweichung',
      title: 'Budgetabweichung je Produkt',
      description: 'Jüngstes Haushaltsjahr, jüngstes Quartal des Abweichungsberichts je Produkt: Hochrechnung gegenüber dem Ansatz, größte Abweichungen zuerst; Kommentare im Budgetcontrolling.',
      grid: { x: 12, y: 5, w: 12, h: 9 },
      sql: `SELECT product_name AS produkt, product_code, quarter, ansatz, hochrechnung, abweichung, abweichung_prozent, kommentar FROM (
  SELECT product_name, product_code, quarter, ansatz_cents / 100 AS ansatz, forecast_cents / 100 AS hochrechnung,
    deviation_cents / 100 AS abweichung, deviation_percent AS abweichung_prozent, comment AS kommentar
  FROM lagebild.v_budget_deviation
  WHERE tenant = {tenant:String} AND account_kind = 'AUFWAND' AND budget_year = (SELECT max(budget_year) FROM lagebild.v_budget_deviation WHERE tenant = {tenant:String})
  ORDER BY quarter DESC LIMIT 1 BY product_code
) ORDER BY abs(abweichung) DESC, produkt LIMIT 10`,
      columns: [
        { column: 'produkt', label: 'Produkt', kind: 'text' },
        { column: 'ansatz', label: 'Ansatz', kind: 'number', unit: 'EUR', decimals: 0 },
        { column: 'hochrechnung', label: 'Hochrechnung', kind: 'number', unit: 'EUR', decimals: 0 },
        { column: 'abweichung', label: 'Abweichung', kind: 'number', unit: 'EUR', decimals: 0 },
        { column: 'abweichung_prozent', label: 'in %', kind: 'number', unit: '%', decimals: 1 },
      ],
      drillDown: { to: 'budgetcontrolling', title: 'Zum Budgetcontrolling mit Kommentaren', set: {} },
    },
    {
      kind: 'table',
      key: 'handlungsbedarf',
      title: 'Zielwerte mit Handlungsbedarf',
      description: 'Gefährdete und verfehlte Zielwerte der geltenden Ziele.',
      grid: { x: 0, y: 14, w: 24, h: 7 },
      sql: `SELECT g.title AS ziel, if(n.name = '', a.indicator_id, n.name) AS indikator, ${attainmentStatusText('a.status')} AS status, a.period_end AS stichtag,
  round(a.attainment * 100, 1) AS zielerreichung, a.deadline AS termin, a.method AS begruendung
FROM lagebild.v_attainment_latest AS a
INNER JOIN lagebild.v_goal AS g ON g.tenant = a.tenant AND g.goal_id = a.goal_id
LEFT JOIN (${INDICATOR_NAMES}) AS n ON n.indicator_id = a.indicator_id
WHERE a.tenant = {tenant:String} AND a.status IN ('AT_RISK', 'MISSED') AND a.goal_id IN (${GOALS_IN_FORCE})
ORDER BY a.status = 'MISSED' DESC, g.title`,
      columns: [
        { column: 'ziel', label: 'Ziel', kind: 'text' },
        { column: 'indikator', label: 'Indikator', kind: 'text' },
        { column: 'status', label: 'Status', kind: 'status' },
        { column: 'stichtag', label: 'Stichtag', kind: 'date' },
        { column: 'zielerreichung', label: 'Zielerreichung', kind: 'number', unit: '%', decimals: 1 },
        { column: 'termin', label: 'Termin', kind: 'date' },
        { column: 'begruendung', label: 'Bewertung', kind: 'text' },
      ],
      drillDown: { to: 'zielcontrolling', title: 'Zum Zielcontrolling', set: {} },
    },
  ],
};
