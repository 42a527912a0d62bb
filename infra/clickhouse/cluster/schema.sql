-- Lagebild warehouse: star schema (generated from services/warehouse/src/schema.ts by `npm run build`; do not edit).
-- Variant: replicated cluster (ReplicatedReplacingMergeTree ON CLUSTER '{cluster}'), ClickHouse 24+ with the {cluster}, {shard} and {replica} macros.
CREATE DATABASE IF NOT EXISTS lagebild ON CLUSTER '{cluster}';

CREATE TABLE IF NOT EXISTS lagebild.dim_scheme_version ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    scheme_id String COMMENT 'Scheme.',
    scheme_name String COMMENT 'German name.',
    version UInt32 COMMENT 'Version.',
    valid_from Date32 COMMENT 'First day of validity.',
    previous_version Nullable(UInt32) COMMENT 'Version it follows.',
    reason String COMMENT 'Why the version was published.',
    unit_count UInt32 COMMENT 'Units in the version.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_scheme_version', '{replica}', _ver)
ORDER BY (tenant, scheme_id, version)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Versions of area schemes (Gebietsgliederungen) with their validity.';

CREATE TABLE IF NOT EXISTS lagebild.dim_area ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    scheme_id String COMMENT 'Scheme.',
    scheme_version UInt32 COMMENT 'Scheme version.',
    code String COMMENT 'Unit code.',
    name String COMMENT 'German name.',
    unit_type LowCardinality(String) COMMENT 'Planungsraum, Bezirk, Stadtteil, Gemeinde, Kreis, ...',
    parent_code Nullable(String) COMMENT 'Enclosing unit in the same version.',
    official_key Nullable(String) COMMENT 'Official key (AGS, LOR number).',
    valid_from Date32 COMMENT 'First day of the unit.',
    valid_to Nullable(Date32) COMMENT 'Last day, null while valid.',
    designations Array(String) COMMENT 'Designations (Fördergebiet, Aktionsraum).',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_area', '{replica}', _ver)
ORDER BY (tenant, scheme_id, scheme_version, code)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Units of every scheme version with hierarchy (parent) and validity.';

CREATE TABLE IF NOT EXISTS lagebild.dim_area_geometry ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    scheme_id String COMMENT 'Scheme.',
    scheme_version UInt32 COMMENT 'Scheme version.',
    code String COMMENT 'Unit code.',
    geometry String COMMENT 'GeoJSON geometry.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_area_geometry', '{replica}', _ver)
ORDER BY (tenant, scheme_id, scheme_version, code)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Boundaries as GeoJSON geometry (WGS 84) per unit and scheme version, for choropleth maps.';

CREATE TABLE IF NOT EXISTS lagebild.dim_indicator ON CLUSTER '{cluster}'
(
    scope LowCardinality(String) COMMENT 'Tenant that defined the entry; 00000 for the shipped catalogue.',
    indicator_id String COMMENT 'Id.',
    version UInt32 COMMENT 'Definition version.',
    kind LowCardinality(String) COMMENT 'INDICATOR, INDEX or VARIABLE.',
    name String COMMENT 'German name.',
    description String COMMENT 'German description.',
    unit String COMMENT 'Unit.',
    polarity String COMMENT 'Polarity: + higher is better, - higher is worse, 0 neutral.',
    indicator_type String COMMENT 'Kontext, Bedarf, Leistung, Wirkung.',
    formula String COMMENT 'Formula.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_indicator', '{replica}', _ver)
ORDER BY (scope, indicator_id, version)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Catalogue entries (indicators, indices, variables) with every version.';

CREATE TABLE IF NOT EXISTS lagebild.dim_goal ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    goal_id UUID COMMENT 'Goal.',
    revision UInt32 COMMENT 'Revision, 1 when created.',
    level LowCardinality(String) COMMENT 'LEITBILD .. TEILZIEL.',
    parent_goal_id Nullable(UUID) COMMENT 'Parent goal.',
    field LowCardinality(String) COMMENT 'Zielfeld.',
    title String COMMENT 'Wording.',
    description String COMMENT 'Explanation.',
    smart Bool COMMENT 'SMART or direction only.',
    target_group String COMMENT 'Zielgruppe.',
    scheme_id Nullable(String) COMMENT 'Scheme of the spatial scope.',
    area_codes Array(String) COMMENT 'Areas of the spatial scope; empty = whole territory.',
    responsible_unit String COMMENT 'Responsible unit.',
    horizon Nullable(Date32) COMMENT 'Zielhorizont.',
    decision String COMMENT 'Beschluss (body, reference, date) as text.',
    linked_products Array(String) COMMENT 'Produkte serving the goal.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_goal', '{replica}', _ver)
ORDER BY (tenant, goal_id, revision)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Goals of the goal systems: one row per revision (the latest is current); priority and retirement in goal_status.';

CREATE TABLE IF NOT EXISTS lagebild.goal_status ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    goal_id UUID COMMENT 'Goal.',
    priority Nullable(Int32) COMMENT 'Priority, 1 highest.',
    retired_on Nullable(Date32) COMMENT 'Day from which the goal no longer applies.',
    outcome String COMMENT 'ERREICHT, AUFGEGEBEN, ERSETZT or empty.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/goal_status', '{replica}', _ver)
ORDER BY (tenant, goal_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Priority and retirement of goals (one row per goal; the row with the highest _ver is current).';

CREATE TABLE IF NOT EXISTS lagebild.dim_target ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    goal_id UUID COMMENT 'Goal.',
    target_id UUID COMMENT 'Target.',
    indicator_id String COMMENT 'Indicator.',
    scheme_id Nullable(String) COMMENT 'Scheme of area_code.',
    area_code Nullable(String) COMMENT 'Area; null for the goal\'s scope.',
    baseline_value Nullable(Float64) COMMENT 'Ausgangswert.',
    baseline_period_end Nullable(Date32) COMMENT 'End of the baseline period.',
    target_kind LowCardinality(String) COMMENT 'ABSOLUTE, CHANGE_FROM_BASELINE, PERCENT_CHANGE_FROM_BASELINE.',
    target_value Float64 COMMENT 'Zielwert as entered.',
    comparator LowCardinality(String) COMMENT 'AT_LEAST or AT_MOST.',
    deadline Nullable(Date32) COMMENT 'Termin.',
    withdrawn Bool COMMENT 'True once withdrawn.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_target', '{replica}', _ver)
ORDER BY (tenant, goal_id, target_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Targets (Zielwerte) of goals; a withdrawn target keeps a row with withdrawn = true.';

CREATE TABLE IF NOT EXISTS lagebild.dim_goal_context ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    goal_id UUID COMMENT 'Goal.',
    indicator_ids Array(String) COMMENT 'Context indicators.',
    notes Array(String) COMMENT 'Why each is watched.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_goal_context', '{replica}', _ver)
ORDER BY (tenant, goal_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Context indicators of goals (monitoring, never evaluated).';

CREATE TABLE IF NOT EXISTS lagebild.dim_measure ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    measure_id UUID COMMENT 'Measure.',
    kind LowCardinality(String) COMMENT 'MASSNAHME, PROJEKT, PRODUKT, ANGEBOT.',
    title String COMMENT 'Name.',
    goal_ids Array(UUID) COMMENT 'Goals served.',
    prevention LowCardinality(String) COMMENT 'PRAEVENTIV, NACHSORGEND, NICHT_ZUGEORDNET.',
    approach LowCardinality(String) COMMENT 'STRUKTURELL, INDIVIDUELL, NICHT_ZUGEORDNET.',
    responsible_unit String COMMENT 'Responsible unit.',
    product_code Nullable(String) COMMENT 'Produkt.',
    traeger_id Nullable(UUID) COMMENT 'Träger.',
    start Nullable(Date32) COMMENT 'First day.',
    end Nullable(Date32) COMMENT 'Last day.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_measure', '{replica}', _ver)
ORDER BY (tenant, measure_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Measures with their classification (präventiv / nachsorgend, strukturell / individuell).';

CREATE TABLE IF NOT EXISTS lagebild.measure_status ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    measure_id UUID COMMENT 'Measure.',
    ended_on Date32 COMMENT 'Last day of the measure.',
    reason String COMMENT 'Why it ended.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/measure_status', '{replica}', _ver)
ORDER BY (tenant, measure_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'End of measures.';

CREATE TABLE IF NOT EXISTS lagebild.dim_traeger ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    traeger_id UUID COMMENT 'Träger.',
    name String COMMENT 'Name.',
    legal_form String COMMENT 'Rechtsform.',
    spitzenverband String COMMENT 'Spitzenverband or empty.',
    active Bool COMMENT 'Still working for the tenant.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_traeger', '{replica}', _ver)
ORDER BY (tenant, traeger_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Träger register.';

CREATE TABLE IF NOT EXISTS lagebild.dim_contract ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    contract_id UUID COMMENT 'Contract.',
    version UInt32 COMMENT 'Version.',
    effective_from Date32 COMMENT 'First day of the version.',
    kind LowCardinality(String) COMMENT 'KONTRAKT .. INTERKOMMUNALE_VEREINBARUNG.',
    title String COMMENT 'Title.',
    traeger_id Nullable(UUID) COMMENT 'Träger.',
    partner_tenant Nullable(String) COMMENT 'Partner municipality.',
    term_start Date32 COMMENT 'Term start.',
    term_end Nullable(Date32) COMMENT 'Term end.',
    product_code Nullable(String) COMMENT 'Produkt.',
    annual_amount_cents Nullable(Int64) COMMENT 'Price or grant per year in cents.',
    financing_mode String COMMENT 'ENTGELT, ZUWENDUNG, BUDGET or empty.',
    goal_ids Array(UUID) COMMENT 'Goals served.',
    prevention LowCardinality(String) COMMENT 'Präventiv or nachsorgend.',
    approach LowCardinality(String) COMMENT 'Strukturell or individuell.',
    quantity_ids Array(String) COMMENT 'Agreed quantities (keys).',
    quantity_labels Array(String) COMMENT 'Their labels.',
    quantity_amounts Array(Float64) COMMENT 'Agreed amounts per quantity_periods.',
    quantity_periods Array(String) COMMENT 'JAHR, HALBJAHR, QUARTAL, MONAT, LAUFZEIT.',
    kennzahl_ids Array(String) COMMENT 'Agreed Kennzahlen (keys).',
    kennzahl_names Array(String) COMMENT 'Their names.',
    kennzahl_targets Array(Nullable(Float64)) COMMENT 'Their Zielwerte.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_contract', '{replica}', _ver)
ORDER BY (tenant, contract_id, version)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Contract versions (the highest version is current; termination in contract_status).';

CREATE TABLE IF NOT EXISTS lagebild.contract_status ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    contract_id UUID COMMENT 'Contract.',
    terminated_on Date32 COMMENT 'Last day.',
    termination_kind String COMMENT 'Kind.',
    reason String COMMENT 'Reason.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/contract_status', '{replica}', _ver)
ORDER BY (tenant, contract_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Termination of contracts.';

CREATE TABLE IF NOT EXISTS lagebild.fact_delivery ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    delivery_id UUID COMMENT 'Delivery.',
    dataset_id String COMMENT 'Dataset.',
    scheme_id String COMMENT 'Scheme.',
    scheme_version UInt32 COMMENT 'Scheme version.',
    profile_id String COMMENT 'Profile.',
    file_name String COMMENT 'File name.',
    observation_count UInt64 COMMENT 'Observations.',
    supersedes_delivery_id Nullable(UUID) COMMENT 'The delivery it corrects.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_delivery', '{replica}', _ver)
ORDER BY (tenant, delivery_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Accepted deliveries: observations count only once their delivery is accepted.';

CREATE TABLE IF NOT EXISTS lagebild.fact_observation ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    delivery_id UUID COMMENT 'Delivery.',
    dataset_id LowCardinality(String) COMMENT 'Dataset.',
    scheme_id LowCardinality(String) COMMENT 'Scheme.',
    scheme_version UInt32 COMMENT 'Scheme version.',
    area_code String COMMENT 'Unit code.',
    variable LowCardinality(String) COMMENT 'Variable.',
    dimensions Map(String, String) COMMENT 'Further dimensions (Altersgruppe, Geschlecht).',
    dimensions_key String COMMENT 'The dimensions as canonical text (sorted key=value pairs), part of the row identity.',
    period_kind Enum8('STICHTAG' = 1, 'ZEITRAUM' = 2) COMMENT 'Stichtag or Zeitraum.',
    period_start Date32 COMMENT 'Stichtag, or first day of the Zeitraum.',
    period_end Date32 COMMENT 'Last day of the Zeitraum; equal to period_start for a Stichtag.',
    value Nullable(Float64) COMMENT 'Value; null when not delivered.',
    status LowCardinality(String) COMMENT 'Status of the value as delivered.',
    sensitivity LowCardinality(String) COMMENT 'PUBLIC, INTERNAL, CONFIDENTIAL, SEALED.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_observation', '{replica}', _ver)
PARTITION BY tenant
ORDER BY (tenant, dataset_id, variable, area_code, period_end, period_start, delivery_id, dimensions_key)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Observed values as delivered (bitemporal: period and recorded_at); a correction is a new delivery.';

CREATE TABLE IF NOT EXISTS lagebild.fact_indicator_value ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    computation_id UUID COMMENT 'Computation run.',
    stream_version UInt64 COMMENT 'Version of the computation\'s IndicatorValuesComputed event in the indicator\'s value stream (indicator-values-<tenant>-<indicator>): the later computation of a value has the higher one, whatever the wall clock said.',
    indicator_id LowCardinality(String) COMMENT 'Indicator.',
    formula_version UInt32 COMMENT 'Definition version.',
    scheme_id LowCardinality(String) COMMENT 'Scheme.',
    scheme_version UInt32 COMMENT 'Scheme version.',
    protection Enum8('RAW' = 1, 'PROTECTED' = 2) COMMENT 'RAW for audiences that may see raw counts; PROTECTED with disclosure control applied.',
    sensitivity LowCardinality(String) COMMENT 'Most restrictive sensitivity of the inputs.',
    area_code String COMMENT 'Unit code.',
    unit_type LowCardinality(String) COMMENT 'Unit type; Gesamt for the total.',
    period_kind Enum8('STICHTAG' = 1, 'ZEITRAUM' = 2) COMMENT 'Stichtag or Zeitraum.',
    period_start Date32 COMMENT 'Stichtag, or first day of the Zeitraum.',
    period_end Date32 COMMENT 'Last day of the Zeitraum; equal to period_start for a Stichtag.',
    numerator Nullable(Float64) COMMENT 'Numerator.',
    denominator Nullable(Float64) COMMENT 'Denominator.',
    value Nullable(Float64) COMMENT 'Value; null when not computable or suppressed (PROTECTED).',
    status LowCardinality(String) COMMENT 'COMPUTED, NOT_COMPUTABLE, SUPPRESSED_PRIMARY, SUPPRESSED_SECONDARY.',
    disclosure_rule String COMMENT 'Rule that suppressed the value.',
    parent_value Nullable(Float64) COMMENT 'Value of the enclosing unit.',
    previous_value Nullable(Float64) COMMENT 'Value of the previous period.',
    rank Nullable(Int32) COMMENT 'Rank among units of the same type.',
    z_score Nullable(Float64) COMMENT 'z-score among units of the same type.',
    series_break Bool COMMENT 'First value after a boundary change no crosswalk bridges.',
    ampel LowCardinality(String) COMMENT 'GREEN, YELLOW, RED or empty.',
    ampel_rule String COMMENT 'Threshold rule in German.',
    index_class Nullable(Int32) COMMENT 'Class of a composite index.',
    index_class_label String COMMENT 'Its German label.',
    crosswalk_from_version Nullable(UInt32) COMMENT 'Older scheme version the values were carried over from.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_indicator_value', '{replica}', _ver)
PARTITION BY tenant
ORDER BY (tenant, indicator_id, scheme_id, protection, area_code, period_end, period_start, computation_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1, index_granularity = 256
COMMENT 'Computed indicator values per area and period, RAW and PROTECTED, with status, disclosure rule, comparisons, Ampel and index class.';

CREATE TABLE IF NOT EXISTS lagebild.fact_attainment ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    goal_id UUID COMMENT 'Goal.',
    target_id UUID COMMENT 'Target.',
    indicator_id LowCardinality(String) COMMENT 'Indicator.',
    area_code Nullable(String) COMMENT 'Area.',
    period_kind Enum8('STICHTAG' = 1, 'ZEITRAUM' = 2) COMMENT 'Stichtag or Zeitraum.',
    period_start Date32 COMMENT 'Stichtag, or first day of the Zeitraum.',
    period_end Date32 COMMENT 'Last day of the Zeitraum; equal to period_start for a Stichtag.',
    actual_value Nullable(Float64) COMMENT 'Indicator value.',
    resolved_target_value Float64 COMMENT 'Zielwert as indicator value.',
    baseline_value Nullable(Float64) COMMENT 'Ausgangswert.',
    attainment Nullable(Float64) COMMENT 'Share of the way from baseline to target.',
    expected_value Nullable(Float64) COMMENT 'Linear path value.',
    projected_value Nullable(Float64) COMMENT 'Trend at the deadline.',
    status LowCardinality(String) COMMENT 'ON_TRACK, AT_RISK, MISSED, ACHIEVED, NOT_EVALUABLE.',
    value_suppressed Bool COMMENT 'Actual value suppressed for audiences without raw access.',
    method String COMMENT 'The rule that decided, in German.',
    deadline Nullable(Date32) COMMENT 'Termin.',
    computation_id Nullable(UUID) COMMENT 'Indicator computation the value comes from.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_attainment', '{replica}', _ver)
ORDER BY (tenant, goal_id, target_id, period_end)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Target attainment verdicts with their inputs, one row per target and evaluated period (the latest verdict replaces earlier ones).';

CREATE TABLE IF NOT EXISTS lagebild.fact_contract_duty ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    contract_id UUID COMMENT 'Contract.',
    duty_id String COMMENT 'Reporting duty.',
    period_kind Enum8('STICHTAG' = 1, 'ZEITRAUM' = 2) COMMENT 'Stichtag or Zeitraum.',
    period_start Date32 COMMENT 'Stichtag, or first day of the Zeitraum.',
    period_end Date32 COMMENT 'Last day of the Zeitraum; equal to period_start for a Stichtag.',
    due_date Date32 COMMENT 'Due date.',
    status Enum8('due' = 1, 'overdue' = 2, 'fulfilled' = 3) COMMENT 'State.',
    report_id Nullable(UUID) COMMENT 'Report that fulfilled it.',
    submitted_on Nullable(Date32) COMMENT 'Day of submission.',
    late Bool COMMENT 'Submitted after the due date.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_contract_duty', '{replica}', _ver)
ORDER BY (tenant, contract_id, duty_id, period_start)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Reporting duties of contracts per period: due, overdue, fulfilled.';

CREATE TABLE IF NOT EXISTS lagebild.fact_report_value ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    contract_id UUID COMMENT 'Contract.',
    duty_id String COMMENT 'Reporting duty.',
    period_kind Enum8('STICHTAG' = 1, 'ZEITRAUM' = 2) COMMENT 'Stichtag or Zeitraum.',
    period_start Date32 COMMENT 'Stichtag, or first day of the Zeitraum.',
    period_end Date32 COMMENT 'Last day of the Zeitraum; equal to period_start for a Stichtag.',
    item_kind Enum8('kennzahl' = 1, 'menge' = 2) COMMENT 'A Kennzahl or a quantity.',
    item_id String COMMENT 'Kennzahl or quantity key.',
    value Nullable(Float64) COMMENT 'Reported value or delivered amount.',
    agreed Nullable(Float64) COMMENT 'Agreed amount for the period (quantities).',
    report_id UUID COMMENT 'Report.',
    revision UInt32 COMMENT 'Report revision.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_report_value', '{replica}', _ver)
ORDER BY (tenant, contract_id, duty_id, period_start, item_kind, item_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Reported Kennzahlen and delivered quantities of Träger reports (the latest revision replaces earlier ones).';

CREATE TABLE IF NOT EXISTS lagebild.dim_product ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    product_code String COMMENT 'Produkt number.',
    name String COMMENT 'Name.',
    product_area LowCardinality(String) COMMENT 'Produktbereich (2 digits).',
    product_group Nullable(String) COMMENT 'Produktgruppe.',
    budget_unit String COMMENT 'Teilhaushalt.',
    responsible String COMMENT 'Responsible person or unit.',
    prevention LowCardinality(String) COMMENT 'PRAEVENTIV, NACHSORGEND, NICHT_ZUGEORDNET.',
    approach LowCardinality(String) COMMENT 'STRUKTURELL, INDIVIDUELL, NICHT_ZUGEORDNET.',
    goal_ids Array(UUID) COMMENT 'Goals the Produkt serves.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/dim_product', '{replica}', _ver)
ORDER BY (tenant, product_code)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Produkte of the Produkthaushalt with classification and the goals they serve.';

CREATE TABLE IF NOT EXISTS lagebild.fact_budget_line ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    budget_year UInt16 COMMENT 'Haushaltsjahr.',
    value_kind Enum8('ANSATZ' = 1, 'NACHTRAG' = 2, 'PLANUNG' = 3) COMMENT 'Kind of appropriation.',
    product_area LowCardinality(String) COMMENT 'Produktbereich.',
    product_group String COMMENT 'Produktgruppe or empty.',
    product_code String COMMENT 'Produkt.',
    cost_centre String COMMENT 'Kostenstelle or empty.',
    account String COMMENT 'Konto.',
    account_kind LowCardinality(String) COMMENT 'Kontenart: AUFWAND, ERTRAG, AUSZAHLUNG, EINZAHLUNG.',
    amount_cents Int64 COMMENT 'Amount in euro cents.',
    prevention LowCardinality(String) COMMENT 'Classification of the line.',
    approach LowCardinality(String) COMMENT 'Classification of the line.',
    decision String COMMENT 'Haushalts- or Nachtragssatzung.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_budget_line', '{replica}', _ver)
ORDER BY (tenant, budget_year, value_kind, product_code, cost_centre, account, account_kind)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Appropriated budget lines: Ansatz, Nachtrag and Planung (Finanzplanung); a line replaces the earlier one of the same kind, year, Produkt, Kostenstelle and Konto.';

CREATE TABLE IF NOT EXISTS lagebild.fact_budget_movement ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    budget_year UInt16 COMMENT 'Haushaltsjahr.',
    movement_id String COMMENT 'Transfer or reallocation id.',
    movement_kind Enum8('UEBERTRAGUNG' = 1, 'UMSCHICHTUNG' = 2) COMMENT 'Kind of movement.',
    side Enum8('ZU' = 1, 'AB' = 2) COMMENT 'Receiving (ZU) or giving (AB) line.',
    product_area LowCardinality(String) COMMENT 'Produktbereich.',
    product_group String COMMENT 'Produktgruppe or empty.',
    product_code String COMMENT 'Produkt.',
    cost_centre String COMMENT 'Kostenstelle or empty.',
    account String COMMENT 'Konto.',
    account_kind LowCardinality(String) COMMENT 'Kontenart: AUFWAND, ERTRAG, AUSZAHLUNG, EINZAHLUNG.',
    amount_cents Int64 COMMENT 'Signed amount in cents.',
    reason String COMMENT 'Reason.',
    decision String COMMENT 'Beschluss.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_budget_movement', '{replica}', _ver)
ORDER BY (tenant, budget_year, movement_id, side, product_code, cost_centre, account, account_kind)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Übertragungen (carried forward from the previous year) and Umschichtungen (reallocations, negative on the giving line) that make the fortgeschriebener Ansatz.';

CREATE TABLE IF NOT EXISTS lagebild.fact_actual ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    budget_year UInt16 COMMENT 'Haushaltsjahr.',
    posting_id String COMMENT 'Posting key.',
    posting_date Date32 COMMENT 'Buchungsdatum.',
    product_area LowCardinality(String) COMMENT 'Produktbereich.',
    product_group String COMMENT 'Produktgruppe or empty.',
    product_code String COMMENT 'Produkt.',
    cost_centre String COMMENT 'Kostenstelle or empty.',
    account String COMMENT 'Konto.',
    account_kind LowCardinality(String) COMMENT 'Kontenart: AUFWAND, ERTRAG, AUSZAHLUNG, EINZAHLUNG.',
    amount_cents Int64 COMMENT 'Amount in cents; negative for a Storno.',
    import_id UUID COMMENT 'Import run.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_actual', '{replica}', _ver)
PARTITION BY tenant
ORDER BY (tenant, budget_year, posting_id)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Ist postings of the finance system (unique per tenant, year and posting key; a re-import writes the same rows).';

CREATE TABLE IF NOT EXISTS lagebild.fact_commitment ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    commitment_id String COMMENT 'Commitment.',
    revision UInt32 COMMENT 'Revision.',
    source LowCardinality(String) COMMENT 'VERTRAG, BESTELLUNG, BESCHEID, SONSTIGE.',
    contract_id Nullable(UUID) COMMENT 'Contract that committed the money.',
    budget_year UInt16 COMMENT 'Haushaltsjahr.',
    product_area LowCardinality(String) COMMENT 'Produktbereich.',
    product_group String COMMENT 'Produktgruppe or empty.',
    product_code String COMMENT 'Produkt.',
    cost_centre String COMMENT 'Kostenstelle or empty.',
    account String COMMENT 'Konto.',
    account_kind LowCardinality(String) COMMENT 'Kontenart: AUFWAND, ERTRAG, AUSZAHLUNG, EINZAHLUNG.',
    amount_cents Int64 COMMENT 'Committed amount in cents.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_commitment', '{replica}', _ver)
ORDER BY (tenant, commitment_id, revision, budget_year, product_code, cost_centre, account, account_kind)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Mittelbindung (Obligo) per commitment revision and budget year; the latest revision of a commitment counts.';

CREATE TABLE IF NOT EXISTS lagebild.fact_forecast ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    budget_year UInt16 COMMENT 'Haushaltsjahr.',
    cut_off_date Date32 COMMENT 'Stichtag of the forecast.',
    product_area LowCardinality(String) COMMENT 'Produktbereich.',
    product_group String COMMENT 'Produktgruppe or empty.',
    product_code String COMMENT 'Produkt.',
    account_kind LowCardinality(String) COMMENT 'Kontenart.',
    planned_cents Int64 COMMENT 'Fortgeschriebener Ansatz.',
    actual_to_date_cents Int64 COMMENT 'Ist to the cut-off date.',
    commitment_cents Int64 COMMENT 'Obligo.',
    forecast_cents Int64 COMMENT 'Hochrechnung to the year end.',
    method LowCardinality(String) COMMENT 'SAISONPROFIL, LINEAR, VORJAHRESANTEIL, KEINE.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_forecast', '{replica}', _ver)
ORDER BY (tenant, budget_year, cut_off_date, product_code, account_kind)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Hochrechnung to the year end per Produkt and Kontenart at a cut-off date.';

CREATE TABLE IF NOT EXISTS lagebild.fact_deviation ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    budget_year UInt16 COMMENT 'Haushaltsjahr.',
    cut_off_date Date32 COMMENT 'Stichtag.',
    level LowCardinality(String) COMMENT 'PRODUKTBEREICH, PRODUKTGRUPPE, PRODUKT.',
    code String COMMENT 'Code on that level.',
    name String COMMENT 'Name.',
    account_kind LowCardinality(String) COMMENT 'Kontenart.',
    planned_cents Int64 COMMENT 'Ansatz.',
    actual_to_date_cents Int64 COMMENT 'Ist to date.',
    forecast_cents Int64 COMMENT 'Hochrechnung.',
    deviation_cents Int64 COMMENT 'Hochrechnung minus Ansatz.',
    deviation_ratio Nullable(Float64) COMMENT 'Deviation relative to the Ansatz.',
    unfavourable Bool COMMENT 'Unfavourable for the budget.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_deviation', '{replica}', _ver)
ORDER BY (tenant, budget_year, cut_off_date, level, code, account_kind)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Deviations detected by the rules (Abweichungsbericht), with the comment of the responsible person.';

CREATE TABLE IF NOT EXISTS lagebild.fact_deviation_comment ON CLUSTER '{cluster}'
(
    tenant LowCardinality(String) COMMENT 'AGS of the tenant (5 or 8 digits); 00000 for shared reference data.',
    budget_year UInt16 COMMENT 'Haushaltsjahr.',
    cut_off_date Date32 COMMENT 'Stichtag.',
    level LowCardinality(String) COMMENT 'Level.',
    code String COMMENT 'Code.',
    account_kind LowCardinality(String) COMMENT 'Kontenart.',
    comment String COMMENT 'Explanation.',
    measures String COMMENT 'Measures taken.',
    author String COMMENT 'Who commented.',
    event_id UUID COMMENT 'The event the row comes from (traceability).',
    recorded_at DateTime64(3, 'UTC') COMMENT 'When the event was recorded (the bitemporal recorded axis; as-of queries filter on it).',
    _ver UInt64 COMMENT 'Version of the row for ReplacingMergeTree: the event\'s stream version, or its recording time in ms for immutable batch rows.'
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_deviation_comment', '{replica}', _ver)
ORDER BY (tenant, budget_year, cut_off_date, level, code, account_kind)
SETTINGS replicated_deduplication_window = 1000, allow_nullable_key = 1
COMMENT 'Comments on deviations (the latest per deviation counts).';

CREATE OR REPLACE VIEW lagebild.v_indicator_value ON CLUSTER '{cluster}' AS SELECT * FROM lagebild.fact_indicator_value ORDER BY stream_version DESC, computation_id LIMIT 1 BY tenant, indicator_id, scheme_id, protection, area_code, period_start, period_end COMMENT 'Current indicator values (latest computation per area and period), RAW and PROTECTED.';

CREATE OR REPLACE VIEW lagebild.v_indicator_value_protected ON CLUSTER '{cluster}' AS SELECT * FROM (SELECT * FROM lagebild.fact_indicator_value WHERE protection = 'PROTECTED' ORDER BY stream_version DESC, computation_id LIMIT 1 BY tenant, indicator_id, scheme_id, protection, area_code, period_start, period_end) WHERE sensitivity != 'SEALED' COMMENT 'Indicator values for audiences that may not see raw counts: disclosure control applied, SEALED inputs left out.';

CREATE OR REPLACE VIEW lagebild.v_indicator_value_raw ON CLUSTER '{cluster}' AS SELECT * FROM lagebild.fact_indicator_value WHERE protection = 'RAW' ORDER BY stream_version DESC, computation_id LIMIT 1 BY tenant, indicator_id, scheme_id, protection, area_code, period_start, period_end COMMENT 'Indicator values as computed, for the tenant\'s Sozialplanung and Statistikstelle (SEALED only for the Statistikstelle, enforced by grants).';

CREATE OR REPLACE VIEW lagebild.v_indicator_value_asof ON CLUSTER '{cluster}' AS SELECT * FROM lagebild.fact_indicator_value WHERE recorded_at <= {asof:DateTime64(3)} ORDER BY stream_version DESC, computation_id LIMIT 1 BY tenant, indicator_id, scheme_id, protection, area_code, period_start, period_end COMMENT 'Indicator values as recorded on a day (bitemporal): SELECT ... FROM v_indicator_value_asof(asof = \'2024-06-30 23:59:59\').';

CREATE OR REPLACE VIEW lagebild.v_observation ON CLUSTER '{cluster}' AS SELECT o.* FROM lagebild.fact_observation AS o FINAL WHERE o.delivery_id IN (SELECT delivery_id FROM lagebild.fact_delivery FINAL) AND o.delivery_id NOT IN (SELECT assumeNotNull(supersedes_delivery_id) FROM lagebild.fact_delivery FINAL WHERE supersedes_delivery_id IS NOT NULL) ORDER BY o.recorded_at DESC LIMIT 1 BY o.tenant, o.dataset_id, o.variable, o.area_code, o.period_start, o.period_end, o.dimensions_key COMMENT 'Current observations: accepted deliveries only, a correction replacing the delivery it supersedes.';

CREATE OR REPLACE VIEW lagebild.v_observation_asof ON CLUSTER '{cluster}' AS SELECT o.* FROM lagebild.fact_observation AS o FINAL WHERE o.recorded_at <= {asof:DateTime64(3)} AND o.delivery_id IN (SELECT delivery_id FROM lagebild.fact_delivery FINAL WHERE recorded_at <= {asof:DateTime64(3)}) AND o.delivery_id NOT IN (SELECT assumeNotNull(supersedes_delivery_id) FROM lagebild.fact_delivery FINAL WHERE supersedes_delivery_id IS NOT NULL AND recorded_at <= {asof:DateTime64(3)}) ORDER BY o.recorded_at DESC LIMIT 1 BY o.tenant, o.dataset_id, o.variable, o.area_code, o.period_start, o.period_end, o.dimensions_key COMMENT 'Observations as recorded on a day (bitemporal).';

CREATE OR REPLACE VIEW lagebild.v_area ON CLUSTER '{cluster}' AS SELECT a.* FROM lagebild.dim_area AS a FINAL INNER JOIN (SELECT tenant, scheme_id, max(version) AS v FROM lagebild.dim_scheme_version FINAL GROUP BY tenant, scheme_id) AS l ON a.tenant = l.tenant AND a.scheme_id = l.scheme_id AND a.scheme_version = l.v COMMENT 'Units of the latest version of every scheme.';

CREATE OR REPLACE VIEW lagebild.v_goal ON CLUSTER '{cluster}' AS SELECT g.*, s.priority AS priority, s.retired_on AS retired_on, s.outcome AS outcome FROM (SELECT * EXCEPT (first_level) REPLACE (first_level AS level) FROM (SELECT *, argMin(level, revision) OVER (PARTITION BY tenant, goal_id) AS first_level FROM lagebild.dim_goal FINAL) ORDER BY revision DESC LIMIT 1 BY tenant, goal_id) AS g LEFT JOIN lagebild.goal_status AS s FINAL ON g.tenant = s.tenant AND g.goal_id = s.goal_id SETTINGS join_use_nulls = 1 COMMENT 'Current goals: latest revision with priority and retirement.';

CREATE OR REPLACE VIEW lagebild.v_target ON CLUSTER '{cluster}' AS SELECT * FROM lagebild.dim_target FINAL WHERE NOT withdrawn COMMENT 'Targets in force (not withdrawn).';

CREATE OR REPLACE VIEW lagebild.v_attainment_latest ON CLUSTER '{cluster}' AS SELECT a.* FROM lagebild.fact_attainment AS a FINAL WHERE (a.tenant, a.goal_id, a.target_id) IN (SELECT tenant, goal_id, target_id FROM lagebild.dim_target FINAL WHERE NOT withdrawn) ORDER BY a.period_end DESC LIMIT 1 BY a.tenant, a.goal_id, a.target_id COMMENT 'The latest verdict of every target in force.';

CREATE OR REPLACE VIEW lagebild.v_contract ON CLUSTER '{cluster}' AS SELECT c.*, s.terminated_on AS terminated_on, s.termination_kind AS termination_kind FROM (SELECT * FROM lagebild.dim_contract FINAL ORDER BY version DESC LIMIT 1 BY tenant, contract_id) AS c LEFT JOIN lagebild.contract_status AS s FINAL ON c.tenant = s.tenant AND c.contract_id = s.contract_id SETTINGS join_use_nulls = 1 COMMENT 'Contracts in their current version with termination.';

CREATE OR REPLACE VIEW lagebild.v_measure ON CLUSTER '{cluster}' AS SELECT m.*, s.ended_on AS ended_on FROM lagebild.dim_measure AS m FINAL LEFT JOIN lagebild.measure_status AS s FINAL ON m.tenant = s.tenant AND m.measure_id = s.measure_id SETTINGS join_use_nulls = 1 COMMENT 'Measures with their end.';

CREATE OR REPLACE VIEW lagebild.v_budget_value ON CLUSTER '{cluster}' AS WITH
  planned AS (
    SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind,
      sumIf(amount_cents, value_kind = 'ANSATZ') AS ansatz, sumIf(amount_cents, value_kind = 'NACHTRAG') AS nachtrag, countIf(value_kind = 'NACHTRAG') AS has_nachtrag,
      sumIf(amount_cents, value_kind = 'PLANUNG') AS planung, sumIf(amount_cents, source = 'MOVEMENT') AS moved, countIf(source = 'LINE') > 0 AS adopted,
      anyIf(prevention, source = 'LINE') AS line_prevention, anyIf(approach, source = 'LINE') AS line_approach
    FROM (
      SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, 'LINE' AS source, toString(value_kind) AS value_kind, amount_cents, toString(prevention) AS prevention, toString(approach) AS approach FROM lagebild.fact_budget_line FINAL
      UNION ALL SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, 'MOVEMENT', '', amount_cents, '', '' FROM lagebild.fact_budget_movement FINAL)
    GROUP BY tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind),
  actual AS (SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, sum(amount_cents) AS ist FROM lagebild.fact_actual FINAL GROUP BY ALL),
  committed AS (
    SELECT tenant, budget_year, product_area, product_group, product_code, cost_centre, account_kind, sum(amount_cents) AS obligo
    FROM (SELECT *, max(revision) OVER (PARTITION BY tenant, commitment_id) AS latest_revision FROM lagebild.fact_commitment FINAL)
    WHERE revision = latest_revision GROUP BY ALL),
  forecast AS (
    SELECT tenant, budget_year, product_area, product_group, product_code, '' AS cost_centre, account_kind, argMax(forecast_cents, cut_off_date) AS hochrechnung
    FROM lagebild.fact_forecast FINAL GROUP BY tenant, budget_year, product_area, product_group, product_code, account_kind),
  products AS (SELECT tenant, product_code, name, prevention, approach FROM lagebild.dim_product FINAL),
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
SETTINGS join_use_nulls = 1 COMMENT 'Budget values per Produkt, Kostenstelle and Kontenart and value kind (ANSATZ, FORTGESCHRIEBENER_ANSATZ, PLANUNG, IST, OBLIGO, HOCHRECHNUNG), in cents.';

CREATE OR REPLACE VIEW lagebild.v_budget_deviation ON CLUSTER '{cluster}' AS SELECT d.tenant AS tenant, d.budget_year AS budget_year, d.code AS product_code, d.name AS product_name, toQuarter(d.cut_off_date) AS quarter, d.cut_off_date AS cut_off_date, d.account_kind AS account_kind,
  d.planned_cents AS ansatz_cents, d.actual_to_date_cents AS ist_cents, d.forecast_cents AS forecast_cents, d.deviation_cents AS deviation_cents,
  round(d.deviation_ratio * 100, 1) AS deviation_percent, d.unfavourable AS unfavourable, coalesce(c.comment, '') AS comment, coalesce(c.measures, '') AS measures
FROM (SELECT * FROM lagebild.fact_deviation FINAL WHERE level = 'PRODUKT' ORDER BY cut_off_date DESC LIMIT 1 BY tenant, budget_year, toQuarter(cut_off_date), code, account_kind) AS d
LEFT JOIN lagebild.fact_deviation_comment AS c FINAL ON d.tenant = c.tenant AND d.budget_year = c.budget_year AND d.cut_off_date = c.cut_off_date AND d.level = c.level AND d.code = c.code AND d.account_kind = c.account_kind
SETTINGS join_use_nulls = 1 COMMENT 'Abweichungsbericht per Produkt and quarter: Ansatz, Ist to date, Hochrechnung, deviation and the comment of the responsible person (latest cut-off date of each quarter).';
