/**
 * Grafana dashboards as code (@grafana/grafana-foundation-sdk): one module per dashboard area,
 * shared defaults in one place (grafana.ts, variables.ts, dashboards/shared.ts), fixed uids. The
 * same definitions drive the warehouse's built-in FIS web view.
 */
import { budgetcontrolling } from './dashboards/budgetcontrolling';
import { indikatorAtlas } from './dashboards/indikator-atlas';
import { kontrakte } from './dashboards/kontrakte';
import { kreisvergleich } from './dashboards/kreisvergleich';
import { sozialraumprofil } from './dashboards/sozialraumprofil';
import { uebersicht } from './dashboards/uebersicht';
import { zielcontrolling } from './dashboards/zielcontrolling';
import { type FisGrafanaDashboard, grafanaDashboard } from './grafana';
import type { DashboardId, FisDashboard } from './model';

export * from './model';
export { PARAMETERS, parametersOf, toGrafanaSql, variablesOf, type ParameterName, type ParameterSpec, type SqlParameter, UnknownParameterError } from './sql';
export { CLICKHOUSE_PLUGIN, DATASOURCE, DATASOURCE_UID, ClickHouseFormat, ClickHouseQueryBuilder, type ClickHouseQuery } from './clickhouse';
export { grafanaDashboard, grafanaUid, drillDownUrl, FIS_TAG, missingVariables, type FisGrafanaDashboard, type FisGrafanaPanel } from './grafana';
export { datasourceYaml, dashboardProviderYaml, DASHBOARDS_PATH } from './provisioning';

/** The FIS dashboards in menu order. */
export const DASHBOARDS: readonly FisDashboard[] = [uebersicht, sozialraumprofil, indikatorAtlas, zielcontrolling, kontrakte, budgetcontrolling, kreisvergleich];

export const dashboardsById: ReadonlyMap<DashboardId, FisDashboard> = new Map(DASHBOARDS.map((d) => [d.id, d]));

/** Module names (one per dashboard area). */
export const dashboardModules: readonly string[] = DASHBOARDS.map((d) => d.id);

/** Every dashboard as Grafana JSON, by file name. */
export function grafanaDashboards(): Array<{ file: string; dashboard: FisGrafanaDashboard }> {
  return DASHBOARDS.map((d) => ({ file: `${d.id}.json`, dashboard: grafanaDashboard(d, dashboardsById) }));
}
