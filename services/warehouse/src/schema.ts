/**
 * The warehouse's star schema, one definition rendered in two variants:
 * - `single`: one ClickHouse server or the embedded chDB (ReplacingMergeTree);
 * - `cluster`: ReplicatedReplacingMergeTree ON CLUSTER, for a replicated ClickHouse 24+.
 * `npm run build` writes both to infra/clickhouse/ (a test keeps the files in step).
 * `applySchema` creates the single variant when the projection starts; a table an earlier version
 * created with another structure is left as it is and found by `staleTables`, and the projection
 * rebuilds it from the log (projection.ts, replay.ts): a schema change needs no manual migration.
 *
 * Exactly-once effect under at-least-once delivery:
 * - every table is a ReplacingMergeTree whose sorting key is the fact's identity and whose version
 *   column `_ver` orders the rows of one identity (the event's stream version, or its recording
 *   time for immutable batch rows): a replayed event writes the same row again, a merge keeps one;
 * - every insert carries a deterministic `insert_deduplication_token` (topic, partition, offsets,
 *   table) and the tables keep a deduplication window, so a retried batch is dropped whole;
 * - offsets are committed only after the insert (the consumer runner's contract).
 * Readers that must not see a not-yet-merged duplicate use FINAL or argMax (see queries.ts).
 */

import type { Warehouse } from '@lagebild/platform';

export interface Column {
  name: string;
  type: string;
  comment: string;
}

export interface TableSpec {
  name: string;
  comment: string;
  columns: Column[];
  /** Sorting key = identity of a row for the replacing merge. */
  orderBy: string[];
  partitionBy?: string;
  /**
   * Rows per granule of the primary index (ClickHouse default 8192). Smaller granules let a query
   * that fixes columns late in the sorting key skip more; fixed when the table is created, so a
   * change is a structural difference (`staleTables`) and the table is rebuilt from the log.
   */
  indexGranularity?: number;
}

const c = (name: string, type: string, comment: string): Column => ({ name, type, comment });
const VER = c('_ver', 'UInt64', 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.');
const RECORDED = c('recorded_at', "DateTime64(3, 'UTC')", 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).');
const EVENT = c('event_id', 'UUID', 'The event the row comes from (traceability).');
const TENANT = c('tenant', 'LowCardinality(String)', 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.');
/** Identity of a budget line: Produkt, Kostenstelle, Konto (missing levels as empty text, so they can be part of a key). */
const BUDGET_LINE = [
  c('product_area', 'LowCardinality(String)', 'Produktbereich.'),
  c('product_group', 'String', 'Produktgruppe or empty.'),
  c('product_code', 'String', 'Produkt.'),
  c('cost_centre', 'String', 'Kostenstelle or empty.'),
  c('account', 'String', 'Konto.'),
  c('account_kind', 'LowCardinality(String)', 'Kontenart: AUFWAND, ERTRAG, AUSZAHLUNG, EINZAHLUNG.'),
];
const PERIOD = [
  c('period_kind', "Enum8('STICHTAG' = 1, 'ZEITRAUM' = 2)", 'Stichtag or Zeitraum.'),
  c('period_start', 'Date32', 'Stichtag, or first day of the Zeitraum.'),
  c('period_end', 'Date32', 'Last day of the Zeitraum; equal to period_start for a Stichtag.'),
];

export const TABLES: readonly TableSpec[] = [
  // ---- dimensions ----
  {
    name: 'dim_scheme_version',
    comment: 'Versions of area schemes (Gebietsgliederungen) with their validity.',
    columns: [TENANT, c('scheme_id', 'String', 'Scheme.'), c('scheme_name', 'String', 'German name.'), c('version', 'UInt32', 'Version.'), c('valid_from', 'Date32', 'First day of validity.'), c('previous_version', 'Nullable(UInt32)', 'Version it follows.'), c('reason', 'String', 'Why the version was published.'), c('unit_count', 'UInt32', 'Units in the version.'), EVENT, RECORDED, VER],
    orderBy: ['tenant', 'scheme_id', 'version'],
  },
  {
    name: 'dim_area',
    comment: 'Units of every scheme version with hierarchy (parent) and validity.',
    columns: [
      TENANT,
      c('scheme_id', 'String', 'Scheme.'),
      c('scheme_version', 'UInt32', 'Scheme version.'),
      c('code', 'String', 'Unit code.'),
      c('name', 'String', 'German name.'),
      c('unit_type', 'LowCardinality(String)', 'Planungsraum, Bezirk, Stadtteil, Gemeinde, Kreis, ...'),
      c('parent_code', 'Nullable(String)', 'Enclosing unit in the same version.'),
      c('official_key', 'Nullable(String)', 'Official key (AGS, LOR number).'),
      c('valid_from', 'Date32', 'First day of the unit.'),
      c('valid_to', 'Nullable(Date32)', 'Last day, null while valid.'),
      c('designations', 'Array(String)', 'Designations (Fördergebiet, Aktionsraum).'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'scheme_id', 'scheme_version', 'code'],
  },
  {
    name: 'dim_area_geometry',
    comment: 'Boundaries as GeoJSON geometry (WGS 84) per unit and scheme version, for choropleth maps.',
    columns: [TENANT, c('scheme_id', 'String', 'Scheme.'), c('scheme_version', 'UInt32', 'Scheme version.'), c('code', 'String', 'Unit code.'), c('geometry', 'String', 'GeoJSON geometry.'), EVENT, RECORDED, VER],
    orderBy: ['tenant', 'scheme_id', 'scheme_version', 'code'],
  },
  {
    name: 'dim_indicator',
    comment: 'Catalogue entries (indicators, indices, variables) with every version.',
    columns: [
      c('scope', 'LowCardinality(String)', 'Tenant that defined the entry; 00000 for the shipped catalogue.'),
      c('indicator_id', 'String', 'Id.'),
      c('version', 'UInt32', 'Definition version.'),
      c('kind', 'LowCardinality(String)', 'INDICATOR, INDEX or VARIABLE.'),
      c('name', 'String', 'German name.'),
      c('description', 'String', 'German description.'),
      c('unit', 'String', 'Unit.'),
      c('polarity', 'String', 'Polarity: + higher is better, - higher is worse, 0 neutral.'),
      c('indicator_type', 'String', 'Kontext, Bedarf, Leistung, Wirkung.'),
      c('formula', 'String', 'Formula.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['scope', 'indicator_id', 'version'],
  },
  {
    name: 'dim_goal',
    comment: 'Goals of the goal systems: one row per revision (the latest is current); priority and retirement in goal_status.',
    columns: [
      TENANT,
      c('goal_id', 'UUID', 'Goal.'),
      c('revision', 'UInt32', 'Revision, 1 when created.'),
      c('level', 'LowCardinality(String)', 'LEITBILD .. TEILZIEL.'),
      c('parent_goal_id', 'Nullable(UUID)', 'Parent goal.'),
      c('field', 'LowCardinality(String)', 'Zielfeld.'),
      c('title', 'String', 'Wording.'),
      c('description', 'String', 'Explanation.'),
      c('smart', 'Bool', 'SMART or direction only.'),
      c('target_group', 'String', 'Zielgruppe.'),
      c('scheme_id', 'Nullable(String)', 'Scheme of the spatial scope.'),
      c('area_codes', 'Array(String)', 'Areas of the spatial scope; empty = whole territory.'),
      c('responsible_unit', 'String', 'Responsible unit.'),
      c('horizon', 'Nullable(Date32)', 'Zielhorizont.'),
      c('decision', 'String', 'Beschluss (body, reference, date) as text.'),
      c('linked_products', 'Array(String)', 'Produkte serving the goal.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'goal_id', 'revision'],
  },
  {
    name: 'goal_status',
    comment: 'Priority and retirement of goals (one row per goal; the row with the highest _ver is current).',
    columns: [TENANT, c('goal_id', 'UUID', 'Goal.'), c('priority', 'Nullable(Int32)', 'Priority, 1 highest.'), c('retired_on', 'Nullable(Date32)', 'Day from which the goal no longer applies.'), c('outcome', 'String', 'ERREICHT, AUFGEGEBEN, ERSETZT or empty.'), EVENT, RECORDED, VER],
    orderBy: ['tenant', 'goal_id'],
  },
  {
    name: 'dim_target',
    comment: 'Targets (Zielwerte) of goals; a withdrawn target keeps a row with withdrawn = true.',
    columns: [
      TENANT,
      c('goal_id', 'UUID', 'Goal.'),
      c('target_id', 'UUID', 'Target.'),
      c('indicator_id', 'String', 'Indicator.'),
      c('scheme_id', 'Nullable(String)', 'Scheme of area_code.'),
      c('area_code', 'Nullable(String)', 'Area; null for the goal\'s scope.'),
      c('baseline_value', 'Nullable(Float64)', 'Ausgangswert.'),
      c('baseline_period_end', 'Nullable(Date32)', 'End of the baseline period.'),
      c('target_kind', 'LowCardinality(String)', 'ABSOLUTE, CHANGE_FROM_BASELINE, PERCENT_CHANGE_FROM_BASELINE.'),
      c('target_value', 'Float64', 'Zielwert as entered.'),
      c('comparator', 'LowCardinality(String)', 'AT_LEAST or AT_MOST.'),
      c('deadline', 'Nullable(Date32)', 'Termin.'),
      c('withdrawn', 'Bool', 'True once withdrawn.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'goal_id', 'target_id'],
  },
  {
    name: 'dim_goal_context',
    comment: 'Context indicators of goals (monitoring, never evaluated).',
    columns: [TENANT, c('goal_id', 'UUID', 'Goal.'), c('indicator_ids', 'Array(String)', 'Context indicators.'), c('notes', 'Array(String)', 'Why each is watched.'), EVENT, RECORDED, VER],
    orderBy: ['tenant', 'goal_id'],
  },
  {
    name: 'dim_measure',
    comment: 'Measures with their classification (präventiv / nachsorgend, strukturell / individuell).',
    columns: [
      TENANT,
      c('measure_id', 'UUID', 'Measure.'),
      c('kind', 'LowCardinality(String)', 'MASSNAHME, PROJEKT, PRODUKT, ANGEBOT.'),
      c('title', 'String', 'Name.'),
      c('goal_ids', 'Array(UUID)', 'Goals served.'),
      c('prevention', 'LowCardinality(String)', 'PRAEVENTIV, NACHSORGEND, NICHT_ZUGEORDNET.'),
      c('approach', 'LowCardinality(String)', 'STRUKTURELL, INDIVIDUELL, NICHT_ZUGEORDNET.'),
      c('responsible_unit', 'String', 'Responsible unit.'),
      c('product_code', 'Nullable(String)', 'Produkt.'),
      c('traeger_id', 'Nullable(UUID)', 'Träger.'),
      c('start', 'Nullable(Date32)', 'First day.'),
      c('end', 'Nullable(Date32)', 'Last day.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'measure_id'],
  },
  {
    name: 'measure_status',
    comment: 'End of measures.',
    columns: [TENANT, c('measure_id', 'UUID', 'Measure.'), c('ended_on', 'Date32', 'Last day of the measure.'), c('reason', 'String', 'Why it ended.'), EVENT, RECORDED, VER],
    orderBy: ['tenant', 'measure_id'],
  },
  {
    name: 'dim_traeger',
    comment: 'Träger register.',
    columns: [TENANT, c('traeger_id', 'UUID', 'Träger.'), c('name', 'String', 'Name.'), c('legal_form', 'String', 'Rechtsform.'), c('spitzenverband', 'String', 'Spitzenverband or empty.'), c('active', 'Bool', 'Still working for the tenant.'), EVENT, RECORDED, VER],
    orderBy: ['tenant', 'traeger_id'],
  },
  {
    name: 'dim_contract',
    comment: 'Contract versions (the highest version is current; termination in contract_status).',
    columns: [
      TENANT,
      c('contract_id', 'UUID', 'Contract.'),
      c('version', 'UInt32', 'Version.'),
      c('effective_from', 'Date32', 'First day of the version.'),
      c('kind', 'LowCardinality(String)', 'KONTRAKT .. INTERKOMMUNALE_VEREINBARUNG.'),
      c('title', 'String', 'Title.'),
      c('traeger_id', 'Nullable(UUID)', 'Träger.'),
      c('partner_tenant', 'Nullable(String)', 'Partner municipality.'),
      c('term_start', 'Date32', 'Term start.'),
      c('term_end', 'Nullable(Date32)', 'Term end.'),
      c('product_code', 'Nullable(String)', 'Produkt.'),
      c('annual_amount_cents', 'Nullable(Int64)', 'Price or grant per year in cents.'),
      c('financing_mode', 'String', 'ENTGELT, ZUWENDUNG, BUDGET or empty.'),
      c('goal_ids', 'Array(UUID)', 'Goals served.'),
      c('prevention', 'LowCardinality(String)', 'Präventiv or nachsorgend.'),
      c('approach', 'LowCardinality(String)', 'Strukturell or individuell.'),
      c('quantity_ids', 'Array(String)', 'Agreed quantities (keys).'),
      c('quantity_labels', 'Array(String)', 'Their labels.'),
      c('quantity_amounts', 'Array(Float64)', 'Agreed amounts per quantity_periods.'),
      c('quantity_periods', 'Array(String)', 'JAHR, HALBJAHR, QUARTAL, MONAT, LAUFZEIT.'),
      c('kennzahl_ids', 'Array(String)', 'Agreed Kennzahlen (keys).'),
      c('kennzahl_names', 'Array(String)', 'Their names.'),
      c('kennzahl_targets', 'Array(Nullable(Float64))', 'Their Zielwerte.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'contract_id', 'version'],
  },
  {
    name: 'contract_status',
    comment: 'Termination of contracts.',
    columns: [TENANT, c('contract_id', 'UUID', 'Contract.'), c('terminated_on', 'Date32', 'Last day.'), c('termination_kind', 'String', 'Kind.'), c('reason', 'String', 'Reason.'), EVENT, RECORDED, VER],
    orderBy: ['tenant', 'contract_id'],
  },
  // ---- facts ----
  {
    name: 'fact_delivery',
    comment: 'Accepted deliveries: observations count only once their delivery is accepted.',
    columns: [TENANT, c('delivery_id', 'UUID', 'Delivery.'), c('dataset_id', 'String', 'Dataset.'), c('scheme_id', 'String', 'Scheme.'), c('scheme_version', 'UInt32', 'Scheme version.'), c('profile_id', 'String', 'Profile.'), c('file_name', 'String', 'File name.'), c('observation_count', 'UInt64', 'Observations.'), c('supersedes_delivery_id', 'Nullable(UUID)', 'The delivery it corrects.'), EVENT, RECORDED, VER],
    orderBy: ['tenant', 'delivery_id'],
  },
  {
    name: 'fact_observation',
    comment: 'Observed values as delivered (bitemporal: period and recorded_at); a correction is a new delivery.',
    columns: [
      TENANT,
      c('delivery_id', 'UUID', 'Delivery.'),
      c('dataset_id', 'LowCardinality(String)', 'Dataset.'),
      c('scheme_id', 'LowCardinality(String)', 'Scheme.'),
      c('scheme_version', 'UInt32', 'Scheme version.'),
      c('area_code', 'String', 'Unit code.'),
      c('variable', 'LowCardinality(String)', 'Variable.'),
      c('dimensions', 'Map(String, String)', 'Further dimensions (Altersgruppe, Geschlecht).'),
      c('dimensions_key', 'String', 'The dimensions as canonical text (sorted key=value pairs), part of the row identity.'),
      ...PERIOD,
      c('value', 'Nullable(Float64)', 'Value; null when not delivered.'),
      c('status', 'LowCardinality(String)', 'Status of the value as delivered.'),
      c('sensitivity', 'LowCardinality(String)', 'PUBLIC, INTERNAL, CONFIDENTIAL, SEALED.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'dataset_id', 'variable', 'area_code', 'period_end', 'period_start', 'delivery_id', 'dimensions_key'],
    partitionBy: 'tenant',
  },
  {
    name: 'fact_indicator_value',
    comment: 'Computed indicator values per area and period, RAW and PROTECTED, with status, disclosure rule, comparisons, Ampel and index class.',
    columns: [
      TENANT,
      c('computation_id', 'UUID', 'Computation run.'),
      c('stream_version', 'UInt64', "Version of the computation's IndicatorValuesComputed event in the indicator's value stream (indicator-values-<tenant>-<indicator>): the later computation of a value has the higher one, whatever the wall clock said."),
      c('indicator_id', 'LowCardinality(String)', 'Indicator.'),
      c('formula_version', 'UInt32', 'Definition version.'),
      c('scheme_id', 'LowCardinality(String)', 'Scheme.'),
      c('scheme_version', 'UInt32', 'Scheme version.'),
      c('protection', "Enum8('RAW' = 1, 'PROTECTED' = 2)", 'RAW for audiences that may see raw counts; PROTECTED with disclosure control applied.'),
      c('sensitivity', 'LowCardinality(String)', 'Most restrictive sensitivity of the inputs.'),
      c('area_code', 'String', 'Unit code.'),
      c('unit_type', 'LowCardinality(String)', 'Unit type; Gesamt for the total.'),
      ...PERIOD,
      c('numerator', 'Nullable(Float64)', 'Numerator.'),
      c('denominator', 'Nullable(Float64)', 'Denominator.'),
      c('value', 'Nullable(Float64)', 'Value; null when not computable or suppressed (PROTECTED).'),
      c('status', 'LowCardinality(String)', 'COMPUTED, NOT_COMPUTABLE, SUPPRESSED_PRIMARY, SUPPRESSED_SECONDARY.'),
      c('disclosure_rule', 'String', 'Rule that suppressed the value.'),
      c('parent_value', 'Nullable(Float64)', 'Value of the enclosing unit.'),
      c('previous_value', 'Nullable(Float64)', 'Value of the previous period.'),
      c('rank', 'Nullable(Int32)', 'Rank among units of the same type.'),
      c('z_score', 'Nullable(Float64)', 'z-score among units of the same type.'),
      c('series_break', 'Bool', 'First value after a boundary change no crosswalk bridges.'),
      c('ampel', 'LowCardinality(String)', 'GREEN, YELLOW, RED or empty.'),
      c('ampel_rule', 'String', 'Threshold rule in German.'),
      c('index_class', 'Nullable(Int32)', 'Class of a composite index.'),
      c('index_class_label', 'String', 'Its German label.'),
      c('crosswalk_from_version', 'Nullable(UInt32)', 'Older scheme version the values were carried over from.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'indicator_id', 'scheme_id', 'protection', 'area_code', 'period_end', 'period_start', 'computation_id'],
    partitionBy: 'tenant',
    // Area-first panels (Sozialraumprofil, Schlüsselkennzahlen: one area, every indicator) fix
    // area_code behind indicator_id. One tenant holds some 100 (indicator, protection) runs of a
    // few thousand rows; with 8192-row granules each granule spans several runs and the area
    // condition skips nothing (the whole partition is read), with 256-row granules it skips all
    // but about one granule per run. Indicator-first panels read the same rows either way.
    indexGranularity: 256,
  },
  {
    name: 'fact_attainment',
    comment: 'Target attainment verdicts with their inputs, one row per target and evaluated period (the latest verdict replaces earlier ones).',
    columns: [
      TENANT,
      c('goal_id', 'UUID', 'Goal.'),
      c('target_id', 'UUID', 'Target.'),
      c('indicator_id', 'LowCardinality(String)', 'Indicator.'),
      c('area_code', 'Nullable(String)', 'Area.'),
      ...PERIOD,
      c('actual_value', 'Nullable(Float64)', 'Indicator value.'),
      c('resolved_target_value', 'Float64', 'Zielwert as indicator value.'),
      c('baseline_value', 'Nullable(Float64)', 'Ausgangswert.'),
      c('attainment', 'Nullable(Float64)', 'Share of the way from baseline to target.'),
      c('expected_value', 'Nullable(Float64)', 'Linear path value.'),
      c('projected_value', 'Nullable(Float64)', 'Trend at the deadline.'),
      c('status', 'LowCardinality(String)', 'ON_TRACK, AT_RISK, MISSED, ACHIEVED, NOT_EVALUABLE.'),
      c('value_suppressed', 'Bool', 'Actual value suppressed for audiences without raw access.'),
      c('method', 'String', 'The rule that decided, in German.'),
      c('deadline', 'Nullable(Date32)', 'Termin.'),
      c('computation_id', 'Nullable(UUID)', 'Indicator computation the value comes from.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'goal_id', 'target_id', 'period_end'],
  },
  {
    name: 'fact_contract_duty',
    comment: 'Reporting duties of contracts per period: due, overdue, fulfilled.',
    columns: [
      TENANT,
      c('contract_id', 'UUID', 'Contract.'),
      c('duty_id', 'String', 'Reporting duty.'),
      ...PERIOD,
      c('due_date', 'Date32', 'Due date.'),
      c('status', "Enum8('due' = 1, 'overdue' = 2, 'fulfilled' = 3)", 'State.'),
      c('report_id', 'Nullable(UUID)', 'Report that fulfilled it.'),
      c('submitted_on', 'Nullable(Date32)', 'Day of submission.'),
      c('late', 'Bool', 'Submitted after the due date.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'contract_id', 'duty_id', 'period_start'],
  },
  {
    name: 'fact_report_value',
    comment: 'Reported Kennzahlen and delivered quantities of Träger reports (the latest revision replaces earlier ones).',
    columns: [
      TENANT,
      c('contract_id', 'UUID', 'Contract.'),
      c('duty_id', 'String', 'Reporting duty.'),
      ...PERIOD,
      c('item_kind', "Enum8('kennzahl' = 1, 'menge' = 2)", 'A Kennzahl or a quantity.'),
      c('item_id', 'String', 'Kennzahl or quantity key.'),
      c('value', 'Nullable(Float64)', 'Reported value or delivered amount.'),
      c('agreed', 'Nullable(Float64)', 'Agreed amount for the period (quantities).'),
      c('report_id', 'UUID', 'Report.'),
      c('revision', 'UInt32', 'Report revision.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'contract_id', 'duty_id', 'period_start', 'item_kind', 'item_id'],
  },
  // ---- budget ----
  {
    name: 'dim_product',
    comment: 'Produkte of the Produkthaushalt with classification and the goals they serve.',
    columns: [
      TENANT,
      c('product_code', 'String', 'Produkt number.'),
      c('name', 'String', 'Name.'),
      c('product_area', 'LowCardinality(String)', 'Produktbereich (2 digits).'),
      c('product_group', 'Nullable(String)', 'Produktgruppe.'),
      c('budget_unit', 'String', 'Teilhaushalt.'),
      c('responsible', 'String', 'Responsible person or unit.'),
      c('prevention', 'LowCardinality(String)', 'PRAEVENTIV, NACHSORGEND, NICHT_ZUGEORDNET.'),
      c('approach', 'LowCardinality(String)', 'STRUKTURELL, INDIVIDUELL, NICHT_ZUGEORDNET.'),
      c('goal_ids', 'Array(UUID)', 'Goals the Produkt serves.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'product_code'],
  },
  {
    name: 'fact_budget_line',
    comment: 'Appropriated budget lines: Ansatz, Nachtrag and Planung (Finanzplanung); a line replaces the earlier one of the same kind, year, Produkt, Kostenstelle and Konto.',
    columns: [
      TENANT,
      c('budget_year', 'UInt16', 'Haushaltsjahr.'),
      c('value_kind', "Enum8('ANSATZ' = 1, 'NACHTRAG' = 2, 'PLANUNG' = 3)", 'Kind of appropriation.'),
      ...BUDGET_LINE,
      c('amount_cents', 'Int64', 'Amount in euro cents.'),
      c('prevention', 'LowCardinality(String)', 'Classification of the line.'),
      c('approach', 'LowCardinality(String)', 'Classification of the line.'),
      c('decision', 'String', 'Haushalts- or Nachtragssatzung.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'budget_year', 'value_kind', 'product_code', 'cost_centre', 'account', 'account_kind'],
  },
  {
    name: 'fact_budget_movement',
    comment: 'Übertragungen (carried forward from the previous year) and Umschichtungen (reallocations, negative on the giving line) that make the fortgeschriebener Ansatz.',
    columns: [
      TENANT,
      c('budget_year', 'UInt16', 'Haushaltsjahr.'),
      c('movement_id', 'String', 'Transfer or reallocation id.'),
      c('movement_kind', "Enum8('UEBERTRAGUNG' = 1, 'UMSCHICHTUNG' = 2)", 'Kind of movement.'),
      c('side', "Enum8('ZU' = 1, 'AB' = 2)", 'Receiving (ZU) or giving (AB) line.'),
      ...BUDGET_LINE,
      c('amount_cents', 'Int64', 'Signed amount in cents.'),
      c('reason', 'String', 'Reason.'),
      c('decision', 'String', 'Beschluss.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'budget_year', 'movement_id', 'side', 'product_code', 'cost_centre', 'account', 'account_kind'],
  },
  {
    name: 'fact_actual',
    comment: 'Ist postings of the finance system (unique per tenant, year and posting key; a re-import writes the same rows).',
    columns: [
      TENANT,
      c('budget_year', 'UInt16', 'Haushaltsjahr.'),
      c('posting_id', 'String', 'Posting key.'),
      c('posting_date', 'Date32', 'Buchungsdatum.'),
      ...BUDGET_LINE,
      c('amount_cents', 'Int64', 'Amount in cents; negative for a Storno.'),
      c('import_id', 'UUID', 'Import run.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'budget_year', 'posting_id'],
    partitionBy: 'tenant',
  },
  {
    name: 'fact_commitment',
    comment: 'Mittelbindung (Obligo) per commitment revision and budget year; the latest revision of a commitment counts.',
    columns: [
      TENANT,
      c('commitment_id', 'String', 'Commitment.'),
      c('revision', 'UInt32', 'Revision.'),
      c('source', 'LowCardinality(String)', 'VERTRAG, BESTELLUNG, BESCHEID, SONSTIGE.'),
      c('contract_id', 'Nullable(UUID)', 'Contract that committed the money.'),
      c('budget_year', 'UInt16', 'Haushaltsjahr.'),
      ...BUDGET_LINE,
      c('amount_cents', 'Int64', 'Committed amount in cents.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'commitment_id', 'revision', 'budget_year', 'product_code', 'cost_centre', 'account', 'account_kind'],
  },
  {
    name: 'fact_forecast',
    comment: 'Hochrechnung to the year end per Produkt and Kontenart at a cut-off date.',
    columns: [
      TENANT,
      c('budget_year', 'UInt16', 'Haushaltsjahr.'),
      c('cut_off_date', 'Date32', 'Stichtag of the forecast.'),
      c('product_area', 'LowCardinality(String)', 'Produktbereich.'),
      c('product_group', 'String', 'Produktgruppe or empty.'),
      c('product_code', 'String', 'Produkt.'),
      c('account_kind', 'LowCardinality(String)', 'Kontenart.'),
      c('planned_cents', 'Int64', 'Fortgeschriebener Ansatz.'),
      c('actual_to_date_cents', 'Int64', 'Ist to the cut-off date.'),
      c('commitment_cents', 'Int64', 'Obligo.'),
      c('forecast_cents', 'Int64', 'Hochrechnung to the year end.'),
      c('method', 'LowCardinality(String)', 'SAISONPROFIL, LINEAR, VORJAHRESANTEIL, KEINE.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'budget_year', 'cut_off_date', 'product_code', 'account_kind'],
  },
  {
    name: 'fact_deviation',
    comment: 'Deviations detected by the rules (Abweichungsbericht), with the comment of the responsible person.',
    columns: [
      TENANT,
      c('budget_year', 'UInt16', 'Haushaltsjahr.'),
      c('cut_off_date', 'Date32', 'Stichtag.'),
      c('level', 'LowCardinality(String)', 'PRODUKTBEREICH, PRODUKTGRUPPE, PRODUKT.'),
      c('code', 'String', 'Code on that level.'),
      c('name', 'String', 'Name.'),
      c('account_kind', 'LowCardinality(String)', 'Kontenart.'),
      c('planned_cents', 'Int64', 'Ansatz.'),
      c('actual_to_date_cents', 'Int64', 'Ist to date.'),
      c('forecast_cents', 'Int64', 'Hochrechnung.'),
      c('deviation_cents', 'Int64', 'Hochrechnung minus Ansatz.'),
      c('deviation_ratio', 'Nullable(Float64)', 'Deviation relative to the Ansatz.'),
      c('unfavourable', 'Bool', 'Unfavourable for the budget.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'budget_year', 'cut_off_date', 'level', 'code', 'account_kind'],
  },
  {
    name: 'fact_deviation_comment',
    comment: 'Comments on deviations (the latest per deviation counts).',
    columns: [
      TENANT,
      c('budget_year', 'UInt16', 'Haushaltsjahr.'),
      c('cut_off_date', 'Date32', 'Stichtag.'),
      c('level', 'LowCardinality(String)', 'Level.'),
      c('code', 'String', 'Code.'),
      c('account_kind', 'LowCardinality(String)', 'Kontenart.'),
      c('comment', 'String', 'Explanation.'),
      c('measures', 'String', 'Measures taken.'),
      c('author', 'String', 'Who commented.'),
      EVENT,
      RECORDED,
      VER,
    ],
    orderBy: ['tenant', 'budget_year', 'cut_off_date', 'level', 'code', 'account_kind'],
  },
];

export interface ViewSpec {
  name: string;
  comment: string;
  /** SELECT over tables of `{db}`; `{asof:DateTime64(3)}` makes it a parameterised view. */
  select: string;
}

const VALUE_IDENTITY = 'tenant, indicator_id, scheme_id, protection, area_code, period_start, period_end';

/**
 * Serving views. Which table needs FINAL and which argMax / LIMIT 1 BY:
 * - immutable batch facts (indicator values, observations) keep every computation or delivery as
 *   its own rows; the current value is one row per identity (`LIMIT 1 BY`), and the as-of views
 *   pick the same way among the rows recorded up to a day;
 * - which computation of an indicator value is current is decided by `stream_version`, the
 *   computation's place in the indicator's value stream, never by `recorded_at`: that comes from
 *   the wall clock, and after the clock was set back a later correction would look older than the
 *   values it replaces (the reliability suite's clock test sets it back a day);
 * - aggregate-state tables (goal status, targets, duties) are read with FINAL: one row per
 *   identity, the highest stream version.
 *
 * The indicator value views read the table without FINAL: its sorting key is the value's
 * identity plus the computation, so rows that FINAL would fold are a replayed event's identical
 * copies of one computation's row, and `LIMIT 1 BY` keeps one of them anyway. FINAL would only
 * add a read-time merge. The protected and raw views read the table themselves rather than
 * through v_indicator_value (one view less for every panel to unfold); `protection` is part of
 * the identity, so filtering it before `LIMIT 1 BY` drops whole identities and picks the same
 * rows, while `sensitivity` belongs to one computation and is filtered after the pick. A panel's
 * conditions on identity columns (tenant, indicator, area, period) reach the primary key through
 * `LIMIT 1 BY` on ClickHouse 26.x (the engine pushes such filters below it).
 */
export const VIEWS: readonly ViewSpec[] = [
  {
    name: 'v_indicator_value',
    comment: 'Current indicator values (latest computation per area and period), RAW and PROTECTED.',
    select: `SELECT * FROM {db}.fact_indicator_value ORDER BY stream_version DESC, computation_id LIMIT 1 BY ${VALUE_IDENTITY}`,
  },
  {
    name: 'v_indicator_value_protected',
    comment: 'Indicator values for audiences that may not see raw counts: disclosure control applied, SEALED inputs left out.',
    select: `SELECT * FROM (SELECT * FROM {db}.fact_indicator_value WHERE protection = 'PROTECTED' ORDER BY stream_version DESC, computation_id LIMIT 1 BY ${VALUE_IDENTITY}) WHERE sensitivity != 'SEALED'`,
  },
  {
    name: 'v_indicator_value_raw',
    comment: 'Indicator values as computed, for the tenant\'s Sozialplanung and Statistikstelle (SEALED only for the Statistikstelle, enforced by grants).',
    select: `SELECT * FROM {db}.fact_indicator_value WHERE protection = 'RAW' ORDER BY stream_version DESC, computation_id LIMIT 1 BY ${VALUE_IDENTITY}`,
  },
  {
    name: 'v_indicator_value_asof',
    comment: 'Indicator values as recorded on a day (bitemporal): SELECT ... FROM v_indicator_value_asof(asof = \'2024-06-30 23:59:59\').',
    select: `SELECT * FROM {db}.fact_indicator_value WHERE recorded_at <= {asof:DateTime64(3)} ORDER BY stream_version DESC, computation_id LIMIT 1 BY ${VALUE_IDENTITY}`,
  },
  {
    name: 'v_observation',
    comment: 'Current observations: accepted deliveries only, a correction replacing the delivery it supersedes.',
    select:
      'SELECT o.* FROM {db}.fact_observation AS o FINAL WHERE o.delivery_id IN (SELECT delivery_id FROM {db}.fact_delivery FINAL) AND o.delivery_id NOT IN (SELECT assumeNotNull(supersedes_delivery_id) FROM {db}.fact_delivery FINAL WHERE supersedes_delivery_id IS NOT NULL) ORDER BY o.recorded_at DESC LIMIT 1 BY o.tenant, o.dataset_id, o.variable, o.area_code, o.period_start, o.period_end, o.dimensions_key',
  },
  {
    name: 'v_observation_asof',
    comment: 'Observations as recorded on a day (bitemporal).',
    select:
      'SELECT o.* FROM {db}.fact_observation AS o FINAL WHERE o.recorded_at <= {asof:DateTime64(3)} AND o.delivery_id IN (SELECT delivery_id FROM {db}.fact_delivery FINAL WHERE recorded_at <= {asof:DateTime64(3)}) AND o.delivery_id NOT IN (SELECT assumeNotNull(supersedes_delivery_id) FROM {db}.fact_delivery FINAL WHERE supersedes_delivery_id IS NOT NULL AND recorded_at <= {asof:DateTime64(3)}) ORDER BY o.recorded_at DESC LIMIT 1 BY o.tenant, o.dataset_id, o.variable, o.area_code, o.period_start, o.period_end, o.dimensions_key',
  },
  {
    name: 'v_area',
    comment: 'Units of the latest version of every scheme.',
    select: 'SELECT a.* FROM {db}.dim_area AS a FINAL INNER JOIN (SELECT tenant, scheme_id, max(version) AS v FROM {db}.dim_scheme_version FINAL GROUP BY tenant, scheme_id) AS l ON a.tenant = l.tenant AND a.scheme_id = l.scheme_id AND a.scheme_version = l.v',
  },
  {
    name: 'v_goal',
    comment: 'Current goals: latest revision with priority and retirement.',
    select:
      // A revision does not repeat the level (it never changes): the level comes from the goal's first row.
      'SELECT g.*, s.priority AS priority, s.retired_on AS retired_on, s.outcome AS outcome FROM (SELECT * EXCEPT (first_level) REPLACE (first_level AS level) FROM (SELECT *, argMin(level, revision) OVER (PARTITION BY tenant, goal_id) AS first_level FROM {db}.dim_goal FINAL) ORDER BY revision DESC LIMIT 1 BY tenant, goal_id) AS g LEFT JOIN {db}.goal_status AS s FINAL ON g.tenant = s.tenant AND g.goal_id = s.goal_id SETTINGS join_use_nulls = 1',
  },
  {
    name: 'v_target',
    comment: 'Targets in force (not withdrawn).',
    select: 'SELECT * FROM {db}.dim_target FINAL WHERE NOT withdrawn',
  },
  {
    name: 'v_attainment_latest',
    comment: 'The latest verdict of every target in force.',
    select: 'SELECT a.* FROM {db}.fact_attainment AS a FINAL WHERE (a.tenant, a.goal_id, a.target_id) IN (SELECT tenant, goal_id, target_id FROM {db}.dim_target FINAL WHERE NOT withdrawn) ORDER BY a.period_end DESC LIMIT 1 BY a.tenant, a.goal_id, a.target_id',
  },
  {
    name: 'v_contract',
    comment: 'Contracts in their current version with termination.',
    select:
      'SELECT c.*, s.terminated_on AS terminated_on, s.termination_kind AS termination_kind FROM (SELECT * FROM {db}.dim_contract FINAL ORDER BY version DESC LIMIT 1 BY tenant, contract_id) AS c LEFT JOIN {db}.contract_status AS s FINAL ON c.tenant = s.tenant AND c.contract_id = s.contract_id SETTINGS join_use_nulls = 1',
  },
  {
    name: 'v_measure',
    comment: 'Measures with their end.',
    select: 'SELECT m.*, s.ended_on AS ended_on FROM {db}.dim_measure AS m FINAL LEFT JOIN {db}.measure_status AS s FINAL ON m.tenant = s.tenant AND m.measure_id = s.measure_id SETTINGS join_use_nulls = 1',
  },
  {
    name: 'v_budget_value',
    comment: 'Budget values per Produkt, Kostenstelle and Kontenart and value kind (ANSATZ, FORTGESCHRIEBENER_ANSATZ, PLANUNG, IST, OBLIGO, HOCHRECHNUNG), in cents.',
    // Every source table is read once: appropriations and movements meet in one aggregation (a line
    // with only movements has no appropriation: adopted = false), and ARRAY JOIN turns each line
    // into its value kinds; a CTE named twice would be read twice, and every FIS budget panel pays
    // for each read. The latest commitment revision comes from a window over the commitment, so a
    // tenant filter reaches the table (ClickHouse 26.x pushes a filter on the window's PARTITION BY
    // columns below the window); the subquery it replaces read every tenant's commitments.
    select: `WITH
  planned AS (
    SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind,
      sumIf(amount_cents, value_kind = 'ANSATZ') AS ansatz, sumIf(amount_cents, value_kind = 'NACHTRAG') AS nachtrag, countIf(value_kind = 'NACHTRAG') AS has_nachtrag,
      sumIf(amount_cents, value_kind = 'PLANUNG') AS planung, sumIf(amount_cents, source = 'MOVEMENT') AS moved, countIf(source = 'LINE') > 0 AS adopted,
      anyIf(prevention, source = 'LINE') AS line_prevention, anyIf(approach, source = 'LINE') AS line_approach
    FROM (
      SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, 'LINE' AS source, toString(value_kind) AS value_kind, amount_cents, toString(prevention) AS prevention, toString(approach) AS approach FROM {db}.fact_budget_line FINAL
      UNION ALL SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, 'MOVEMENT', '', amount_cents, '', '' FROM {db}.fact_budget_movement FINAL)
    GROUP BY tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind),
  actual AS (SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, sum(amount_cents) AS ist FROM {db}.fact_actual FINAL GROUP BY ALL),
  committed AS (
    SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, sum(amount_cents) AS obligo
    FROM (SELECT *, max(revision) OVER (PARTITION BY tenant, commitment_id) AS latest_revision FROM {db}.fact_commitment FINAL)
    WHERE revision = latest_revision GROUP BY ALL),
  forecast AS (
    SELECT tenant, budget_year, product_area, product_group, product_code, '' AS cost_centre, account_kind, argMax(forecast_cents, cut_off_date) AS hochrechnung
    FROM {db}.fact_forecast FINAL GROUP BY tenant, budget_year, product_area, product_group, product_code, account_kind),
  products AS (SELECT tenant, product_code, name, prevention, approach FROM {db}.dim_product FINAL),
  kinds AS (
    SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, tupleElement(kind, 1) AS value_kind, tupleElement(kind, 2) AS amount_cents, tupleElement(kind, 3) AS prevention, tupleElement(kind, 4) AS approach
    FROM planned
    ARRAY JOIN arrayFilter(x -> tupleElement(x, 5), [
      ('ANSATZ', ansatz, line_prevention, line_approach, adopted AND ansatz != 0),
      ('PLANUNG', planung, line_prevention, line_approach, adopted AND planung != 0),
      ('FORTGESCHRIEBENER_ANSATZ', if(has_nachtrag > 0, nachtrag, ansatz) + moved, line_prevention, line_approach, adopted AND (ansatz != 0 OR nachtrag != 0)),
      ('FORTGESCHRIEBENER_ANSATZ', moved, '', '', NOT adopted)]) AS kind
    UNION ALL SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, 'IST', ist, '', '' FROM actual
    UNION ALL SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, 'OBLIGO', obligo, '', '' FROM committed
    UNION ALL SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, 'HOCHRECHNUNG', hochrechnung, '', '' FROM forecast)
SELECT k.tenant AS tenant, k.budget_year AS budget_year, k.product_area AS product_area, k.product_group AS product_group, k.product_code AS product_code,
  coalesce(p.name, k.product_code) AS product_name, k.cost_centre AS cost_centre, k.account_kind AS account_kind, k.value_kind AS value_kind, k.amount_cents AS amount_cents,
  if(k.prevention IN ('', 'NICHT_ZUGEORDNET'), coalesce(p.prevention, 'NICHT_ZUGEORDNET'), k.prevention) AS prevention,
  if(k.approach IN ('', 'NICHT_ZUGEORDNET'), coalesce(p.approach, 'NICHT_ZUGEORDNET'), k.approach) AS approach
FROM kinds AS k LEFT JOIN products AS p ON k.tenant = p.tenant AND k.product_code = p.product_code
SETTINGS join_use_nulls = 1`,
  },
  {
    name: 'v_budget_deviation',
    comment: 'Abweichungsbericht per Produkt and quarter: Ansatz, Ist to date, Hochrechnung, deviation and the comment of the responsible person (latest cut-off date of each quarter).',
    select: `SELECT d.tenant AS tenant, d.budget_year AS budget_year, d.code AS product_code, d.name AS product_name, toQuarter(d.cut_off_date) AS quarter, d.cut_off_date AS cut_off_date, d.account_kind AS account_kind,
  d.planned_cents AS ansatz_cents, d.actual_to_date_cents AS ist_cents, d.forecast_cents AS forecast_cents, d.deviation_cents AS deviation_cents,
  round(d.deviation_ratio * 100, 1) AS deviation_percent, d.unfavourable AS unfavourable, coalesce(c.comment, '') AS comment, coalesce(c.measures, '') AS measures
FROM (SELECT * FROM {db}.fact_deviation FINAL WHERE level = 'PRODUKT' ORDER BY cut_off_date DESC LIMIT 1 BY tenant, budget_year, toQuarter(cut_off_date), code, account_kind) AS d
LEFT JOIN {db}.fact_deviation_comment AS c FINAL ON d.tenant = c.tenant AND d.budget_year = c.budget_year AND d.cut_off_date = c.cut_off_date AND d.level = c.level AND d.code = c.code AND d.account_kind = c.account_kind
SETTINGS join_use_nulls = 1`,
  },
];

/** Deduplication window of retried inserts (blocks remembered per table). */
export const DEDUPLICATION_WINDOW = 1000;

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export type Variant = 'single' | 'cluster';

function renderTables(variant: Variant, database: string): string[] {
  const onCluster = variant === 'cluster' ? " ON CLUSTER '{cluster}'" : '';
  return TABLES.map((t) => {
    const engine = variant === 'cluster' ? `ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/${database}/${t.name}', '{replica}', _ver)` : 'ReplacingMergeTree(_ver)';
    const columns = t.columns.map((col) => `    ${col.name} ${col.type} COMMENT ${quote(col.comment)}`).join(',\n');
    return [
      `CREATE TABLE IF NOT EXISTS ${database}.${t.name}${onCluster}`,
      '(',
      columns,
      ')',
      `ENGINE = ${engine}`,
      ...(t.partitionBy ? [`PARTITION BY ${t.partitionBy}`] : []),
      `ORDER BY (${t.orderBy.join(', ')})`,
      `SETTINGS ${variant === 'cluster' ? 'replicated_deduplication_window' : 'non_replicated_deduplication_window'} = ${DEDUPLICATION_WINDOW}, allow_nullable_key = 1${t.indexGranularity === undefined ? '' : `, index_granularity = ${t.indexGranularity}`}`,
      `COMMENT ${quote(t.comment)}`,
    ].join('\n');
  });
}

function renderViews(variant: Variant, database: string): string[] {
  const onCluster = variant === 'cluster' ? " ON CLUSTER '{cluster}'" : '';
  return VIEWS.map((v) => `CREATE OR REPLACE VIEW ${database}.${v.name}${onCluster} AS ${v.select.replaceAll('{db}', database)} COMMENT ${quote(v.comment)}`);
}

/** CREATE TABLE statements for a database and variant. */
export function renderSchema(variant: Variant, database = 'lagebild'): string[] {
  const onCluster = variant === 'cluster' ? " ON CLUSTER '{cluster}'" : '';
  return [`CREATE DATABASE IF NOT EXISTS ${database}${onCluster}`, ...renderTables(variant, database), ...renderViews(variant, database)];
}

/** The DDL file for a variant, as written to infra/clickhouse/<variant>/schema.sql. */
export function schemaFile(variant: Variant): string {
  const header = [
    '-- Lagebild warehouse: star schema (generated from services/warehouse/src/schema.ts by `npm run build`; do not edit).',
    variant === 'single'
      ? '-- Variant: single server or embedded chDB (ReplacingMergeTree).'
      : "-- Variant: replicated cluster (ReplicatedReplacingMergeTree ON CLUSTER '{cluster}'), ClickHouse 24+ with the {cluster}, {shard} and {replica} macros.",
    '',
  ].join('\n');
  return `${header}${renderSchema(variant).join(';\n\n')};\n`;
}

/** ClickHouse's index_granularity when a table does not set it. */
const DEFAULT_INDEX_GRANULARITY = 8192;

/** The index_granularity a table was created with, from its engine clause (ClickHouse lists every explicit setting there). */
function indexGranularityOf(engineFull: string): number {
  const match = /\bindex_granularity = (\d+)/.exec(engineFull);
  return match ? Number(match[1]) : DEFAULT_INDEX_GRANULARITY;
}

/** A table of an earlier structure, and what differs (German, for the log). */
export interface StaleTable {
  table: string;
  difference: string;
}

/**
 * Tables of `database` whose structure differs from TABLES: other columns or column types, or
 * another sorting or partition key, or another index granularity (comments and the other settings
 * do not count). An earlier version of the platform created them; `CREATE TABLE IF NOT EXISTS`
 * leaves them as they are, and the rows the projector writes now no longer fit (or the table
 * keeps a layout the FIS queries are slow on, and the granularity cannot be altered), so they are
 * rebuilt from the log (projection.ts).
 */
export async function staleTables(warehouse: Warehouse, database = 'lagebild'): Promise<StaleTable[]> {
  const columns = await warehouse.query<{ table: string; name: string; type: string }>(
    'SELECT table, name, type FROM system.columns WHERE database = {database:String} ORDER BY table, position',
    { database },
  );
  const tables = await warehouse.query<{ name: string; sorting_key: string; partition_key: string; engine_full: string }>(
    "SELECT name, sorting_key, partition_key, engine_full FROM system.tables WHERE database = {database:String} AND engine LIKE '%MergeTree'",
    { database },
  );
  const stale: StaleTable[] = [];
  for (const spec of TABLES) {
    const table = tables.find((t) => t.name === spec.name);
    if (!table) continue;
    const present = columns.filter((c) => c.table === spec.name);
    const differences: string[] = [];
    const missing = spec.columns.filter((c) => !present.some((p) => p.name === c.name)).map((c) => c.name);
    const extra = present.filter((p) => !spec.columns.some((c) => c.name === p.name)).map((p) => p.name);
    const retyped = spec.columns.filter((c) => present.some((p) => p.name === c.name && p.type !== c.type)).map((c) => c.name);
    if (missing.length > 0) differences.push(`neue Spalten ${missing.join(', ')}`);
    if (extra.length > 0) differences.push(`entfallene Spalten ${extra.join(', ')}`);
    if (retyped.length > 0) differences.push(`geänderte Spaltentypen ${retyped.join(', ')}`);
    if (table.sorting_key !== spec.orderBy.join(', ')) differences.push('anderer Sortierschlüssel');
    if (table.partition_key !== (spec.partitionBy ?? '')) differences.push('andere Partitionierung');
    const granularity = indexGranularityOf(table.engine_full);
    if (granularity !== (spec.indexGranularity ?? DEFAULT_INDEX_GRANULARITY)) differences.push(`andere Indexgranularität (${granularity} statt ${spec.indexGranularity ?? DEFAULT_INDEX_GRANULARITY} Zeilen)`);
    if (differences.length > 0) stale.push({ table: spec.name, difference: differences.join('; ') });
  }
  return stale;
}

export interface AppliedSchema {
  /** Tables of an earlier structure, left as they are (empty when the schema is current). */
  stale: StaleTable[];
}

/**
 * Creates the database, the missing tables and the views (idempotent). Tables of an earlier
 * structure are left as they are, and so are the views while any is left: the views over them
 * still answer from the old data, and a view naming a column the old table lacks could not be
 * created. The caller rebuilds such tables from the log (replay.ts), which applies the schema
 * again once they are current.
 */
export async function applySchema(warehouse: Warehouse, database = 'lagebild'): Promise<AppliedSchema> {
  await warehouse.command(`CREATE DATABASE IF NOT EXISTS ${database}`);
  for (const statement of renderTables('single', database)) await warehouse.command(statement);
  const stale = await staleTables(warehouse, database);
  if (stale.length === 0) for (const statement of renderViews('single', database)) await warehouse.command(statement);
  return { stale };
}
