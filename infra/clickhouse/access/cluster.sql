-- Lagebild warehouse: read access for Grafana per tenant, for an EXAMPLE tenant register
-- (generated from services/warehouse/src/access by `npm run build`; do not edit).
-- Run after the schema, as a user with access management; the users in unrestrictedUsers
-- (here: lagebild, the warehouse service) must exist. New readers are locked until the operator
-- sets a password: ALTER USER <user> IDENTIFIED WITH sha256_hash BY '<sha256 of the password>'.
-- Variant: replicated cluster (ON CLUSTER '{cluster}').
-- Gemeinsame Rolle aller FIS-Leser (Grafana): nur lesen, Grenzen je Abfrage, Kontingent je Benutzer.
CREATE SETTINGS PROFILE IF NOT EXISTS lagebild_fis_reader ON CLUSTER '{cluster}';

ALTER SETTINGS PROFILE lagebild_fis_reader ON CLUSTER '{cluster}' SETTINGS readonly = 1, max_execution_time = 60 MIN 1 MAX 300 CHANGEABLE_IN_READONLY, join_use_nulls = 0 MIN 0 MAX 1 CHANGEABLE_IN_READONLY, max_memory_usage = 2147483648, max_rows_to_read = 2000000000, max_result_rows = 500000, result_overflow_mode = 'throw', max_concurrent_queries_for_user = 32;

CREATE ROLE IF NOT EXISTS lagebild_fis_reader ON CLUSTER '{cluster}';

ALTER ROLE lagebild_fis_reader ON CLUSTER '{cluster}' SETTINGS PROFILE 'lagebild_fis_reader';

CREATE QUOTA IF NOT EXISTS lagebild_fis_reader ON CLUSTER '{cluster}';

ALTER QUOTA lagebild_fis_reader ON CLUSTER '{cluster}' KEYED BY user_name FOR INTERVAL 1 hour MAX queries = 20000, errors = 2000, result_rows = 200000000, read_rows = 50000000000, execution_time = 7200 TO lagebild_fis_reader;

REVOKE ON CLUSTER '{cluster}' ALL ON *.* FROM lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_scheme_version TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_area TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_area_geometry TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_indicator TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_goal TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.goal_status TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_target TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_goal_context TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_measure TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.measure_status TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_traeger TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_contract TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.contract_status TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_indicator_value TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_attainment TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_contract_duty TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_report_value TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.dim_product TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_budget_line TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_budget_movement TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_actual TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_commitment TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_forecast TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_deviation TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.fact_deviation_comment TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_indicator_value TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_indicator_value_protected TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_area TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_goal TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_target TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_attainment_latest TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_contract TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_measure TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_budget_value TO lagebild_fis_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.v_budget_deviation TO lagebild_fis_reader;

-- Lesende Benutzer des Betriebs (CLICKHOUSE_READONLY_USER des Warehouse-Dienstes): alles lesen, nichts ändern.
CREATE SETTINGS PROFILE IF NOT EXISTS lagebild_operator_reader ON CLUSTER '{cluster}';

ALTER SETTINGS PROFILE lagebild_operator_reader ON CLUSTER '{cluster}' SETTINGS readonly = 1, max_execution_time = 25, join_use_nulls = 0 MIN 0 MAX 1 CHANGEABLE_IN_READONLY;

CREATE ROLE IF NOT EXISTS lagebild_operator_reader ON CLUSTER '{cluster}';

ALTER ROLE lagebild_operator_reader ON CLUSTER '{cluster}' SETTINGS PROFILE 'lagebild_operator_reader';

REVOKE ON CLUSTER '{cluster}' ALL ON *.* FROM lagebild_operator_reader;

GRANT ON CLUSTER '{cluster}' SELECT ON lagebild.* TO lagebild_operator_reader;

CREATE USER IF NOT EXISTS lagebild_readonly ON CLUSTER '{cluster}' IDENTIFIED WITH sha256_hash BY '0000000000000000000000000000000000000000000000000000000000000000' DEFAULT DATABASE lagebild;

GRANT ON CLUSTER '{cluster}' lagebild_operator_reader TO lagebild_readonly;

ALTER USER lagebild_readonly ON CLUSTER '{cluster}' DEFAULT ROLE ALL DEFAULT DATABASE lagebild;

-- Geheimhaltung: FIS-Leser sehen in fact_indicator_value nur geschützte Werte.
CREATE ROW POLICY OR REPLACE lagebild_disclosure ON CLUSTER '{cluster}' ON lagebild.fact_indicator_value FOR SELECT USING protection = 'PROTECTED' AND sensitivity != 'SEALED' AS RESTRICTIVE TO lagebild_fis_reader;

-- Geheimhaltung: FIS-Leser sehen in fact_attainment nur geschützte Werte.
CREATE ROW POLICY OR REPLACE lagebild_disclosure ON CLUSTER '{cluster}' ON lagebild.fact_attainment FOR SELECT USING NOT value_suppressed AS RESTRICTIVE TO lagebild_fis_reader;

-- Projektor und Betrieb sehen alle Zeilen.
CREATE ROW POLICY OR REPLACE lagebild_unrestricted ON CLUSTER '{cluster}' ON lagebild.dim_scheme_version, lagebild.dim_area, lagebild.dim_area_geometry, lagebild.dim_indicator, lagebild.dim_goal, lagebild.goal_status, lagebild.dim_target, lagebild.dim_goal_context, lagebild.dim_measure, lagebild.measure_status, lagebild.dim_traeger, lagebild.dim_contract, lagebild.contract_status, lagebild.fact_delivery, lagebild.fact_observation, lagebild.fact_indicator_value, lagebild.fact_attainment, lagebild.fact_contract_duty, lagebild.fact_report_value, lagebild.dim_product, lagebild.fact_budget_line, lagebild.fact_budget_movement, lagebild.fact_actual, lagebild.fact_commitment, lagebild.fact_forecast, lagebild.fact_deviation, lagebild.fact_deviation_comment, lagebild.v_indicator_value, lagebild.v_indicator_value_protected, lagebild.v_indicator_value_raw, lagebild.v_indicator_value_asof, lagebild.v_observation, lagebild.v_observation_asof, lagebild.v_area, lagebild.v_goal, lagebild.v_target, lagebild.v_attainment_latest, lagebild.v_contract, lagebild.v_measure, lagebild.v_budget_value, lagebild.v_budget_deviation FOR SELECT USING 1 AS PERMISSIVE TO lagebild, lagebild_operator_reader;

-- Mandant 01001 (Flensburg).
CREATE ROLE IF NOT EXISTS lagebild_tenant_01001 ON CLUSTER '{cluster}';

CREATE ROW POLICY OR REPLACE lagebild_tenant_01001 ON CLUSTER '{cluster}' ON lagebild.dim_scheme_version, lagebild.dim_area, lagebild.dim_area_geometry, lagebild.v_area FOR SELECT USING tenant IN ('01001', '00000') AS PERMISSIVE TO lagebild_tenant_01001;

CREATE ROW POLICY OR REPLACE lagebild_tenant_01001 ON CLUSTER '{cluster}' ON lagebild.dim_indicator FOR SELECT USING scope IN ('01001', '00000') AS PERMISSIVE TO lagebild_tenant_01001;

CREATE ROW POLICY OR REPLACE lagebild_tenant_01001 ON CLUSTER '{cluster}' ON lagebild.dim_goal, lagebild.goal_status, lagebild.dim_target, lagebild.dim_goal_context, lagebild.dim_measure, lagebild.measure_status, lagebild.dim_traeger, lagebild.dim_contract, lagebild.contract_status, lagebild.fact_delivery, lagebild.fact_observation, lagebild.fact_indicator_value, lagebild.fact_attainment, lagebild.fact_contract_duty, lagebild.fact_report_value, lagebild.dim_product, lagebild.fact_budget_line, lagebild.fact_budget_movement, lagebild.fact_actual, lagebild.fact_commitment, lagebild.fact_forecast, lagebild.fact_deviation, lagebild.fact_deviation_comment, lagebild.v_indicator_value, lagebild.v_indicator_value_protected, lagebild.v_indicator_value_raw, lagebild.v_indicator_value_asof, lagebild.v_observation, lagebild.v_observation_asof, lagebild.v_goal, lagebild.v_target, lagebild.v_attainment_latest, lagebild.v_contract, lagebild.v_measure, lagebild.v_budget_value, lagebild.v_budget_deviation FOR SELECT USING tenant IN ('01001') AS PERMISSIVE TO lagebild_tenant_01001;

CREATE USER IF NOT EXISTS lagebild_fis_01001 ON CLUSTER '{cluster}' IDENTIFIED WITH sha256_hash BY '0000000000000000000000000000000000000000000000000000000000000000' DEFAULT DATABASE lagebild;

GRANT ON CLUSTER '{cluster}' lagebild_fis_reader, lagebild_tenant_01001 TO lagebild_fis_01001;

ALTER USER lagebild_fis_01001 ON CLUSTER '{cluster}' DEFAULT ROLE ALL DEFAULT DATABASE lagebild;

-- Mandant 11000 (Berlin).
CREATE ROLE IF NOT EXISTS lagebild_tenant_11000 ON CLUSTER '{cluster}';

CREATE ROW POLICY OR REPLACE lagebild_tenant_11000 ON CLUSTER '{cluster}' ON lagebild.dim_scheme_version, lagebild.dim_area, lagebild.dim_area_geometry, lagebild.v_area FOR SELECT USING tenant IN ('11000', '00000') AS PERMISSIVE TO lagebild_tenant_11000;

CREATE ROW POLICY OR REPLACE lagebild_tenant_11000 ON CLUSTER '{cluster}' ON lagebild.dim_indicator FOR SELECT USING scope IN ('11000', '00000') AS PERMISSIVE TO lagebild_tenant_11000;

CREATE ROW POLICY OR REPLACE lagebild_tenant_11000 ON CLUSTER '{cluster}' ON lagebild.dim_goal, lagebild.goal_status, lagebild.dim_target, lagebild.dim_goal_context, lagebild.dim_measure, lagebild.measure_status, lagebild.dim_traeger, lagebild.dim_contract, lagebild.contract_status, lagebild.fact_delivery, lagebild.fact_observation, lagebild.fact_indicator_value, lagebild.fact_attainment, lagebild.fact_contract_duty, lagebild.fact_report_value, lagebild.dim_product, lagebild.fact_budget_line, lagebild.fact_budget_movement, lagebild.fact_actual, lagebild.fact_commitment, lagebild.fact_forecast, lagebild.fact_deviation, lagebild.fact_deviation_comment, lagebild.v_indicator_value, lagebild.v_indicator_value_protected, lagebild.v_indicator_value_raw, lagebild.v_indicator_value_asof, lagebild.v_observation, lagebild.v_observation_asof, lagebild.v_goal, lagebild.v_target, lagebild.v_attainment_latest, lagebild.v_contract, lagebild.v_measure, lagebild.v_budget_value, lagebild.v_budget_deviation FOR SELECT USING tenant IN ('11000') AS PERMISSIVE TO lagebild_tenant_11000;

CREATE USER IF NOT EXISTS lagebild_fis_11000 ON CLUSTER '{cluster}' IDENTIFIED WITH sha256_hash BY '0000000000000000000000000000000000000000000000000000000000000000' DEFAULT DATABASE lagebild;

GRANT ON CLUSTER '{cluster}' lagebild_fis_reader, lagebild_tenant_11000 TO lagebild_fis_11000;

ALTER USER lagebild_fis_11000 ON CLUSTER '{cluster}' DEFAULT ROLE ALL DEFAULT DATABASE lagebild;

-- Mandant 01054 (Kreis Nordfriesland), mit den Mitgliedsgemeinden 01054056, 01054088.
CREATE ROLE IF NOT EXISTS lagebild_tenant_01054 ON CLUSTER '{cluster}';

CREATE ROW POLICY OR REPLACE lagebild_tenant_01054 ON CLUSTER '{cluster}' ON lagebild.dim_scheme_version, lagebild.dim_area, lagebild.dim_area_geometry, lagebild.v_area FOR SELECT USING tenant IN ('01054', '01054056', '01054088', '00000') AS PERMISSIVE TO lagebild_tenant_01054;

CREATE ROW POLICY OR REPLACE lagebild_tenant_01054 ON CLUSTER '{cluster}' ON lagebild.dim_indicator FOR SELECT USING scope IN ('01054', '01054056', '01054088', '00000') AS PERMISSIVE TO lagebild_tenant_01054;

CREATE ROW POLICY OR REPLACE lagebild_tenant_01054 ON CLUSTER '{cluster}' ON lagebild.dim_goal, lagebild.goal_status, lagebild.dim_target, lagebild.dim_goal_context, lagebild.dim_measure, lagebild.measure_status, lagebild.dim_traeger, lagebild.dim_contract, lagebild.contract_status, lagebild.fact_delivery, lagebild.fact_observation, lagebild.fact_indicator_value, lagebild.fact_attainment, lagebild.fact_contract_duty, lagebild.fact_report_value, lagebild.dim_product, lagebild.fact_budget_line, lagebild.fact_budget_movement, lagebild.fact_actual, lagebild.fact_commitment, lagebild.fact_forecast, lagebild.fact_deviation, lagebild.fact_deviation_comment, lagebild.v_indicator_value, lagebild.v_indicator_value_protected, lagebild.v_indicator_value_raw, lagebild.v_indicator_value_asof, lagebild.v_observation, lagebild.v_observation_asof, lagebild.v_goal, lagebild.v_target, lagebild.v_attainment_latest, lagebild.v_contract, lagebild.v_measure, lagebild.v_budget_value, lagebild.v_budget_deviation FOR SELECT USING tenant IN ('01054', '01054056', '01054088') AS PERMISSIVE TO lagebild_tenant_01054;

CREATE USER IF NOT EXISTS lagebild_fis_01054 ON CLUSTER '{cluster}' IDENTIFIED WITH sha256_hash BY '0000000000000000000000000000000000000000000000000000000000000000' DEFAULT DATABASE lagebild;

GRANT ON CLUSTER '{cluster}' lagebild_fis_reader, lagebild_tenant_01054 TO lagebild_fis_01054;

ALTER USER lagebild_fis_01054 ON CLUSTER '{cluster}' DEFAULT ROLE ALL DEFAULT DATABASE lagebild;

-- Mandant 01054056 (Husum).
CREATE ROLE IF NOT EXISTS lagebild_tenant_01054056 ON CLUSTER '{cluster}';

CREATE ROW POLICY OR REPLACE lagebild_tenant_01054056 ON CLUSTER '{cluster}' ON lagebild.dim_scheme_version, lagebild.dim_area, lagebild.dim_area_geometry, lagebild.v_area FOR SELECT USING tenant IN ('01054056', '00000') AS PERMISSIVE TO lagebild_tenant_01054056;

CREATE ROW POLICY OR REPLACE lagebild_tenant_01054056 ON CLUSTER '{cluster}' ON lagebild.dim_indicator FOR SELECT USING scope IN ('01054056', '00000') AS PERMISSIVE TO lagebild_tenant_01054056;

CREATE ROW POLICY OR REPLACE lagebild_tenant_01054056 ON CLUSTER '{cluster}' ON lagebild.dim_goal, lagebild.goal_status, lagebild.dim_target, lagebild.dim_goal_context, lagebild.dim_measure, lagebild.measure_status, lagebild.dim_traeger, lagebild.dim_contract, lagebild.contract_status, lagebild.fact_delivery, lagebild.fact_observation, lagebild.fact_indicator_value, lagebild.fact_attainment, lagebild.fact_contract_duty, lagebild.fact_report_value, lagebild.dim_product, lagebild.fact_budget_line, lagebild.fact_budget_movement, lagebild.fact_actual, lagebild.fact_commitment, lagebild.fact_forecast, lagebild.fact_deviation, lagebild.fact_deviation_comment, lagebild.v_indicator_value, lagebild.v_indicator_value_protected, lagebild.v_indicator_value_raw, lagebild.v_indicator_value_asof, lagebild.v_observation, lagebild.v_observation_asof, lagebild.v_goal, lagebild.v_target, lagebild.v_attainment_latest, lagebild.v_contract, lagebild.v_measure, lagebild.v_budget_value, lagebild.v_budget_deviation FOR SELECT USING tenant IN ('01054056') AS PERMISSIVE TO lagebild_tenant_01054056;

CREATE USER IF NOT EXISTS lagebild_fis_01054056 ON CLUSTER '{cluster}' IDENTIFIED WITH sha256_hash BY '0000000000000000000000000000000000000000000000000000000000000000' DEFAULT DATABASE lagebild;

GRANT ON CLUSTER '{cluster}' lagebild_fis_reader, lagebild_tenant_01054056 TO lagebild_fis_01054056;

ALTER USER lagebild_fis_01054056 ON CLUSTER '{cluster}' DEFAULT ROLE ALL DEFAULT DATABASE lagebild;

-- Mandant 03159 (Landkreis Göttingen), mit den Mitgliedsgemeinden 03159016.
CREATE ROLE IF NOT EXISTS lagebild_tenant_03159 ON CLUSTER '{cluster}';

CREATE ROW POLICY OR REPLACE lagebild_tenant_03159 ON CLUSTER '{cluster}' ON lagebild.dim_scheme_version, lagebild.dim_area, lagebild.dim_area_geometry, lagebild.v_area FOR SELECT USING tenant IN ('03159', '03159016', '00000') AS PERMISSIVE TO lagebild_tenant_03159;

CREATE ROW POLICY OR REPLACE lagebild_tenant_03159 ON CLUSTER '{cluster}' ON lagebild.dim_indicator FOR SELECT USING scope IN ('03159', '03159016', '00000') AS PERMISSIVE TO lagebild_tenant_03159;

CREATE ROW POLICY OR REPLACE lagebild_tenant_03159 ON CLUSTER '{cluster}' ON lagebild.dim_goal, lagebild.goal_status, lagebild.dim_target, lagebild.dim_goal_context, lagebild.dim_measure, lagebild.measure_status, lagebild.dim_traeger, lagebild.dim_contract, lagebild.contract_status, lagebild.fact_delivery, lagebild.fact_observation, lagebild.fact_indicator_value, lagebild.fact_attainment, lagebild.fact_contract_duty, lagebild.fact_report_value, lagebild.dim_product, lagebild.fact_budget_line, lagebild.fact_budget_movement, lagebild.fact_actual, lagebild.fact_commitment, lagebild.fact_forecast, lagebild.fact_deviation, lagebild.fact_deviation_comment, lagebild.v_indicator_value, lagebild.v_indicator_value_protected, lagebild.v_indicator_value_raw, lagebild.v_indicator_value_asof, lagebild.v_observation, lagebild.v_observation_asof, lagebild.v_goal, lagebild.v_target, lagebild.v_attainment_latest, lagebild.v_contract, lagebild.v_measure, lagebild.v_budget_value, lagebild.v_budget_deviation FOR SELECT USING tenant IN ('03159', '03159016') AS PERMISSIVE TO lagebild_tenant_03159;

CREATE USER IF NOT EXISTS lagebild_fis_03159 ON CLUSTER '{cluster}' IDENTIFIED WITH sha256_hash BY '0000000000000000000000000000000000000000000000000000000000000000' DEFAULT DATABASE lagebild;

GRANT ON CLUSTER '{cluster}' lagebild_fis_reader, lagebild_tenant_03159 TO lagebild_fis_03159;

ALTER USER lagebild_fis_03159 ON CLUSTER '{cluster}' DEFAULT ROLE ALL DEFAULT DATABASE lagebild;
