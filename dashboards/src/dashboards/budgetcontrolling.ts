/**
 * 6. Budgetcontrolling: Ansatz, Ist, Hochrechnung, deviations per Produkt; preventive share.
 *
 * Reads `lagebild.v_budget_value` (one row per budget line and value kind, amounts in cents) and
 * `lagebild.v_budget_deviation` (one row per Produkt and quarter of the Abweichungsbericht), the
 * warehouse's serving views of the budget context. Plan against actual compares Aufwand only (the
 * Ergebnisrechnung side a Fachbereich steers), so Erträge do not net out the figures.
 */
import type { FisDashboard } from '../model';
import { tenant, year } from '../variables';

const AUFWAND_OF_YEAR = "FROM lagebild.v_budget_value WHERE tenant = {tenant:String} AND budget_year = {year:UInt16} AND account_kind = 'AUFWAND'";

/** Value kinds of the summary tiles with their German labels, in the order shown. */
const KINDS: ReadonlyArray<readonly [kind: string, label: string]> = [
  ['ANSATZ', 'Ansatz'],
  ['FORTGESCHRIEBENER_ANSATZ', 'fortgeschriebener Ansatz'],
  ['IST', 'Ist'],
  ['OBLIGO', 'Obligo'],
  ['HOCHRECHNUNG', 'Hochrechnung'],
];

/** One tile per kind: label, sum in euros (null when the year has no value of the kind), unit, colour. */
const KINDS_SUMS = KINDS.map(([kind, label]) => `('${label}', if(countIf(value_kind = '${kind}') = 0, NULL, sumIf(amount_cents, value_kind = '${kind}') / 100), 'EUR', '')`).join(',\n    ');

export const budgetcontrolling: FisDashboard = {
  id: 'budgetcontrolling',
  title: 'Budgetcontrolling',
  description: 'Produkthaushalt im Haushaltsjahr: Ansatz, Ist, Obligo und Hochrechnung je Produkt, die Abweichungen aus dem Quartalsbericht und der Anteil präventiver Aufwendungen über die Jahre (Prävention vor Intervention).',
  tags: ['lagebild', 'fis', 'haushalt'],
  variables: [tenant, year],
  panels: [
    {
      kind: 'stat',
      key: 'summen',
      title: 'Aufwand im Haushaltsjahr',
      description: 'Summe der Aufwendungen aller Produkte je Wertart, dazu der präventive Anteil am Ansatz.',
      grid: { x: 0, y: 0, w: 24, h: 4 },
      // One pass over v_budget_value (the view reads six tables): the sums of every kind and the
      // preventive share come from one aggregation, ARRAY JOIN makes them the tiles in order.
      sql: `SELECT tupleElement(tile, 1) AS label, tupleElement(tile, 2) AS value, tupleElement(tile, 3) AS unit, tupleElement(tile, 4) AS color
FROM (
  SELECT [${KINDS_SUMS},
    ('präventiver Anteil am Ansatz', round(100 * sumIf(amount_cents, value_kind = 'ANSATZ' AND prevention = 'PRAEVENTIV') / nullIf(sumIf(amount_cents, value_kind = 'ANSATZ'), 0), 1), '%', 'BLUE')] AS tiles
  ${AUFWAND_OF_YEAR}
)
ARRAY JOIN tiles AS tile, arrayEnumerate(tiles) AS ord
ORDER BY ord`,
      label: 'label',
      value: { column: 'value', label: 'Betrag', unit: 'column:unit' },
      color: 'color',
    },
    {
      kind: 'bar',
      key: 'je_produkt',
      title: 'Ansatz, Ist und Hochrechnung je Produkt',
      description: 'Aufwand je Produkt; die Hochrechnung schätzt das Ist zum Jahresende.',
      grid: { x: 0, y: 4, w: 14, h: 10 },
      sql: `SELECT concat(product_code, ' ', any(product_name)) AS produkt, product_code,
  sumIf(amount_cents, value_kind = 'ANSATZ') / 100 AS ansatz, sumIf(amount_cents, value_kind = 'IST') / 100 AS ist,
  sumIf(amount_cents, value_kind = 'HOCHRECHNUNG') / 100 AS hochrechnung
${AUFWAND_OF_YEAR}
GROUP BY product_code ORDER BY ansatz DESC, product_code`,
      category: 'produkt',
      values: [
        { column: 'ansatz', label: 'Ansatz', unit: 'EUR', decimals: 0 },
        { column: 'ist', label: 'Ist', unit: 'EUR', decimals: 0 },
        { column: 'hochrechnung', label: 'Hochrechnung', unit: 'EUR', decimals: 0 },
      ],
    },
    {
      kind: 'timeseries',
      key: 'praevention',
      title: 'Präventiver Anteil über die Jahre',
      description: 'Anteil der als präventiv und als strukturell eingeordneten Aufwendungen am Ansatz je Haushaltsjahr.',
      grid: { x: 14, y: 4, w: 10, h: 10 },
      sql: `SELECT toDateTime(makeDate(budget_year, 12, 31)) AS time, tupleElement(s, 1) AS series, tupleElement(s, 2) AS value
FROM (
  SELECT budget_year, round(100 * sumIf(amount_cents, prevention = 'PRAEVENTIV') / nullIf(sum(amount_cents), 0), 1) AS praeventiv,
    round(100 * sumIf(amount_cents, approach = 'STRUKTURELL') / nullIf(sum(amount_cents), 0), 1) AS strukturell
  FROM lagebild.v_budget_value WHERE tenant = {tenant:String} AND account_kind = 'AUFWAND' AND value_kind = 'ANSATZ'
  GROUP BY budget_year
)
ARRAY JOIN [('präventiv', praeventiv), ('strukturell', strukturell)] AS s
ORDER BY time, series`,
      time: 'time',
      series: 'series',
      value: { column: 'value', label: 'Anteil', unit: '%', decimals: 1 },
    },
    {
      kind: 'table',
      key: 'abweichungen',
      title: 'Abweichungen je Produkt',
      description: 'Jüngstes Quartal des Abweichungsberichts je Produkt: Hochrechnung gegenüber dem Ansatz mit Kommentar, größte Abweichungen zuerst.',
      grid: { x: 0, y: 14, w: 24, h: 8 },
      sql: `SELECT produkt, quarter, ansatz, ist, hochrechnung, abweichung, abweichung_prozent, kommentar FROM (
  SELECT concat(product_code, ' ', product_name) AS produkt, quarter, ansatz_cents / 100 AS ansatz, ist_cents / 100 AS ist,
    forecast_cents / 100 AS hochrechnung, deviation_cents / 100 AS abweichung, deviation_percent AS abweichung_prozent, comment AS kommentar
  FROM lagebild.v_budget_deviation WHERE tenant = {tenant:String} AND budget_year = {year:UInt16} AND account_kind = 'AUFWAND'
  ORDER BY quarter DESC LIMIT 1 BY product_code
) ORDER BY abs(abweichung) DESC, produkt`,
      columns: [
        { column: 'produkt', label: 'Produkt', kind: 'text' },
        { column: 'quarter', label: 'Quartal', kind: 'number', decimals: 0 },
        { column: 'ansatz', label: 'Ansatz', kind: 'number', unit: 'EUR', decimals: 0 },
        { column: 'ist', label: 'Ist', kind: 'number', unit: 'EUR', decimals: 0 },
        { column: 'hochrechnung', label: 'Hochrechnung', kind: 'number', unit: 'EUR', decimals: 0 },
        { column: 'abweichung', label: 'Abweichung', kind: 'number', unit: 'EUR', decimals: 0 },
        { column: 'abweichung_prozent', label: 'Abweichung %', kind: 'number', unit: '%', decimals: 1 },
        { column: 'kommentar', label: 'Kommentar', kind: 'text' },
      ],
    },
  ],
};
