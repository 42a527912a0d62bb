/** 5. Kontrakte und Träger: duties due / overdue, reported vs. agreed quantities and Kennzahlen. */
import type { FisDashboard } from '../model';
import { tenant } from '../variables';

/** Current state of every reporting duty and period (one row per duty and period: the latest event wins). */
const DUTIES = 'SELECT * FROM lagebild.fact_contract_duty FINAL WHERE tenant = {tenant:String}';

/** Latest revision of every reported item. */
const REPORTED = 'SELECT * FROM lagebild.fact_report_value FINAL WHERE tenant = {tenant:String}';

const CONTRACTS = 'SELECT * FROM lagebild.v_contract WHERE tenant = {tenant:String}';

/**
 * Labels, names, targets and Träger over all versions of a contract: a report refers to the
 * version in force when it was written, and a later amendment may drop an item (or the Träger)
 * that earlier reports still name. The latest version that knows an item gives its text.
 */
const QUANTITY_LABELS = `SELECT contract_id, tupleElement(q, 1) AS item_id, argMax(tupleElement(q, 2), version) AS label
  FROM lagebild.dim_contract FINAL ARRAY JOIN arrayZip(quantity_ids, quantity_labels) AS q WHERE tenant = {tenant:String} GROUP BY contract_id, item_id`;
const KENNZAHLEN = `SELECT contract_id, tupleElement(k, 1) AS item_id, argMax(tupleElement(k, 2), version) AS name, argMax(tupleElement(k, 3), version) AS target
  FROM lagebild.dim_contract FINAL ARRAY JOIN arrayZip(kennzahl_ids, kennzahl_names, kennzahl_targets) AS k WHERE tenant = {tenant:String} GROUP BY contract_id, item_id`;
const TRAEGER = `SELECT c.contract_id AS contract_id, t.name AS name
  FROM (SELECT contract_id, argMaxIf(traeger_id, version, traeger_id IS NOT NULL) AS traeger_id FROM lagebild.dim_contract FINAL WHERE tenant = {tenant:String} GROUP BY contract_id) AS c
  INNER JOIN (SELECT traeger_id, name FROM lagebild.dim_traeger FINAL WHERE tenant = {tenant:String}) AS t ON t.traeger_id = c.traeger_id`;

export const kontrakte: FisDashboard = {
  id: 'kontrakte',
  title: 'Kontrakte und Träger',
  description: 'Berichtspflichten (fällig, überfällig, erfüllt), vereinbarte und erbrachte Leistungsmengen, berichtete Kennzahlen und die Kontrakte mit ihren Trägern.',
  tags: ['lagebild', 'fis', 'kontrakte'],
  variables: [tenant],
  panels: [
    {
      kind: 'stat',
      key: 'pflichten',
      title: 'Berichtspflichten',
      description: 'Berichtspflichten je Stand; verspätet heißt nach dem Fälligkeitstag eingereicht.',
      grid: { x: 0, y: 0, w: 24, h: 4 },
      sql: `SELECT k.label AS label, toFloat64(ifNull(c.n, 0)) AS value, k.color AS color
FROM (SELECT tupleElement(s, 1) AS state, tupleElement(s, 2) AS label, tupleElement(s, 3) AS color, tupleElement(s, 4) AS ord
  FROM (SELECT arrayJoin([('overdue', 'überfällig', 'RED', 1), ('due', 'fällig', 'YELLOW', 2), ('fulfilled', 'erfüllt', 'GREEN', 3), ('late', 'davon verspätet eingereicht', 'GREY', 4)]) AS s)) AS k
LEFT JOIN (
  SELECT toString(status) AS state, count() AS n FROM (${DUTIES}) GROUP BY state
  UNION ALL SELECT 'late' AS state, countIf(late) AS n FROM (${DUTIES})
) AS c ON c.state = k.state
ORDER BY k.ord`,
      label: 'label',
      value: { column: 'value', label: 'Berichtspflichten', decimals: 0 },
      color: 'color',
    },
    {
      kind: 'table',
      key: 'berichtspflichten',
      title: 'Berichtspflichten je Kontrakt',
      description: 'Überfällige zuerst, dann fällige, dann erfüllte.',
      grid: { x: 0, y: 4, w: 24, h: 8 },
      sql: `SELECT c.title AS kontrakt, ifNull(t.name, '') AS traeger, d.duty_id AS pflicht,
  concat(formatDateTime(d.period_start, '%d.%m.%Y'), ' – ', formatDateTime(d.period_end, '%d.%m.%Y')) AS zeitraum, d.due_date AS faellig_am,
  transform(toString(d.status), ['due', 'overdue', 'fulfilled'], ['fällig', 'überfällig', 'erfüllt'], '') AS status, d.submitted_on AS eingereicht_am,
  if(d.late, 'ja', 'nein') AS verspaetet
FROM (${DUTIES}) AS d
LEFT JOIN (${CONTRACTS}) AS c ON c.contract_id = d.contract_id
LEFT JOIN (${TRAEGER}) AS t ON t.contract_id = d.contract_id
ORDER BY transform(toString(d.status), ['overdue', 'due', 'fulfilled'], [1, 2, 3], 4), d.due_date, kontrakt
SETTINGS join_use_nulls = 1`,
      columns: [
        { column: 'kontrakt', label: 'Kontrakt', kind: 'text' },
        { column: 'traeger', label: 'Träger', kind: 'text' },
        { column: 'pflicht', label: 'Berichtspflicht', kind: 'text' },
        { column: 'zeitraum', label: 'Zeitraum', kind: 'text' },
        { column: 'faellig_am', label: 'Fällig am', kind: 'date' },
        { column: 'status', label: 'Stand', kind: 'status' },
        { column: 'eingereicht_am', label: 'Eingereicht am', kind: 'date' },
        { column: 'verspaetet', label: 'Verspätet', kind: 'text' },
      ],
    },
    {
      kind: 'bar',
      key: 'mengen',
      title: 'Vereinbarte und erbrachte Leistungsmengen',
      description: 'Je Kontrakt, Leistungsmenge und Berichtszeitraum: vereinbart gegenüber erbracht laut Trägerbericht.',
      grid: { x: 0, y: 12, w: 12, h: 9 },
      sql: `SELECT concat(if(q.label = '', r.item_id, q.label), ' ', toString(toYear(r.period_end))) AS leistung, r.agreed AS vereinbart, r.value AS erbracht, c.title AS kontrakt
FROM (${REPORTED}) AS r
LEFT JOIN (${CONTRACTS}) AS c ON c.contract_id = r.contract_id
LEFT JOIN (${QUANTITY_LABELS}) AS q ON q.contract_id = r.contract_id AND q.item_id = r.item_id
WHERE r.item_kind = 'menge'
ORDER BY kontrakt, leistung`,
      category: 'leistung',
      values: [
        { column: 'vereinbart', label: 'vereinbart', decimals: 0 },
        { column: 'erbracht', label: 'erbracht', decimals: 0 },
      ],
    },
    {
      kind: 'table',
      key: 'kennzahlen',
      title: 'Berichtete Kennzahlen',
      description: 'Kennzahlen aus den Trägerberichten neben dem vereinbarten Zielwert.',
      grid: { x: 12, y: 12, w: 12, h: 9 },
      sql: `SELECT c.title AS kontrakt, if(k.name = '', r.item_id, k.name) AS kennzahl,
  concat(formatDateTime(r.period_start, '%d.%m.%Y'), ' – ', formatDateTime(r.period_end, '%d.%m.%Y')) AS zeitraum,
  k.target AS zielwert, r.value AS berichtet, round(100 * r.value / nullIf(k.target, 0), 1) AS anteil
FROM (${REPORTED}) AS r
LEFT JOIN (${CONTRACTS}) AS c ON c.contract_id = r.contract_id
LEFT JOIN (${KENNZAHLEN}) AS k ON k.contract_id = r.contract_id AND k.item_id = r.item_id
WHERE r.item_kind = 'kennzahl'
ORDER BY kontrakt, kennzahl, r.period_end`,
      columns: [
        { column: 'kontrakt', label: 'Kontrakt', kind: 'text' },
        { column: 'kennzahl', label: 'Kennzahl', kind: 'text' },
        { column: 'zeitraum', label: 'Zeitraum', kind: 'text' },
        { column: 'zielwert', label: 'Zielwert', kind: 'number', decimals: 1 },
        { column: 'berichtet', label: 'Berichtet', kind: 'number', decimals: 1 },
        { column: 'anteil', label: 'Anteil am Zielwert', kind: 'number', unit: '%', decimals: 1 },
      ],
    },
    {
      kind: 'table',
      key: 'vertraege',
      title: 'Kontrakte und Leistungsvereinbarungen',
      description: 'Geltende Fassung jedes Kontrakts mit Träger, Laufzeit, Jahresbetrag und Einordnung (präventiv / nachsorgend).',
      grid: { x: 0, y: 21, w: 24, h: 7 },
      sql: `SELECT c.title AS kontrakt, transform(toString(c.kind), ['KONTRAKT', 'ZIELVEREINBARUNG', 'LEISTUNGSVEREINBARUNG', 'ZUWENDUNG', 'SERVICEVEREINBARUNG', 'INTERKOMMUNALE_VEREINBARUNG'], ['Kontrakt', 'Zielvereinbarung', 'Leistungsvereinbarung', 'Zuwendung', 'Servicevereinbarung', 'Interkommunale Vereinbarung'], toString(c.kind)) AS art,
  ifNull(t.name, '') AS traeger, c.term_start AS beginn, c.term_end AS ende, c.annual_amount_cents / 100 AS jahresbetrag,
  transform(toString(c.prevention), ['PRAEVENTIV', 'NACHSORGEND'], ['präventiv', 'nachsorgend'], 'nicht zugeordnet') AS einordnung,
  if(c.terminated_on IS NULL, 'läuft', concat('beendet zum ', formatDateTime(assumeNotNull(c.terminated_on), '%d.%m.%Y'))) AS stand
FROM (${CONTRACTS}) AS c
LEFT JOIN (${TRAEGER}) AS t ON t.contract_id = c.contract_id
ORDER BY kontrakt
SETTINGS join_use_nulls = 1`,
      columns: [
        { column: 'kontrakt', label: 'Kontrakt', kind: 'text' },
        { column: 'art', label: 'Art', kind: 'text' },
        { column: 'traeger', label: 'Träger', kind: 'text' },
        { column: 'beginn', label: 'Beginn', kind: 'date' },
        { column: 'ende', label: 'Ende', kind: 'date' },
        { column: 'jahresbetrag', label: 'Jahresbetrag', kind: 'number', unit: 'EUR', decimals: 0 },
        { column: 'einordnung', label: 'Einordnung', kind: 'text' },
        { column: 'stand', label: 'Stand', kind: 'status' },
      ],
    },
  ],
};
