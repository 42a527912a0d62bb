/**
 * The FIS dashboards as data: one definition per dashboard, rendered twice from the same object:
 * to Grafana JSON (grafana.ts, with @grafana/grafana-foundation-sdk) and by the warehouse's built-in
 * web view (services/warehouse/src/fis), which runs the very same panel SQL.
 *
 * Panel SQL is ClickHouse SQL with server-side query parameters `{name:Type}`: the web view binds
 * them (never string splicing), and the Grafana rendering replaces each with the template variable
 * the parameter registry names (sql.ts). So a panel cannot mean one thing in Grafana and another in
 * the web view.
 */

/** Stable dashboard ids; the Grafana uid is `lagebild-<id>`, the web view path `/fis/#/<id>`. */
export type DashboardId = 'uebersicht' | 'sozialraumprofil' | 'indikator-atlas' | 'zielcontrolling' | 'kontrakte' | 'budgetcontrolling' | 'kreisvergleich';

/** Template variables the dashboards use; each maps to query parameters in sql.ts. */
export type VariableName = 'tenant' | 'scheme' | 'area' | 'indicator' | 'period' | 'audience' | 'year';

export interface VariableOption {
  value: string;
  label: string;
}

export interface FisVariable {
  name: VariableName;
  /** German label of the control. */
  label: string;
  description: string;
  /**
   * Options: SQL returning `value` and `label` (it may use the parameters of variables listed
   * before it), or a fixed list.
   */
  options: { sql: string } | { fixed: readonly VariableOption[] };
}

/** How a panel shows its rows. */
export type PanelKind = 'stat' | 'timeseries' | 'bar' | 'table' | 'map';

/** A value column and how to show it. */
export interface ValueColumn {
  column: string;
  /** German label (series name, column header). */
  label: string;
  /** Display unit: `%`, `EUR`, or free text such as `je 1.000 EW`; `column:<name>` takes it per row. */
  unit?: string;
  decimals?: number;
  /** Column (Bool) telling that a null value was suppressed by disclosure control: shown as „gesperrt“, never as 0. */
  suppressed?: string;
}

export interface TableColumn extends ValueColumn {
  kind: 'text' | 'number' | 'date' | 'status';
}

/** Row-level link into another dashboard: sets its variables from the row's columns. */
export interface DrillDown {
  to: DashboardId;
  /** German link text. */
  title: string;
  /** Target variable -> column of the row that gives its value. */
  set: Partial<Record<VariableName, string>>;
}

interface PanelBase {
  /** Stable key within the dashboard (`ampel`, `rangfolge`); part of the web view's API path. */
  key: string;
  title: string;
  description: string;
  /** Position on the 24-column grid (Grafana's gridPos; the web view uses the same grid). */
  grid: { x: number; y: number; w: number; h: number };
  /** ClickHouse SQL with `{name:Type}` parameters. */
  sql: string;
  drillDown?: DrillDown;
}

/** One tile per row: a label, a value, optionally the previous value (trend) and a colour. */
export interface StatPanel extends PanelBase {
  kind: 'stat';
  label: string;
  value: ValueColumn;
  /** Column with the previous period's value, for the trend arrow. */
  previous?: string;
  /** Column with GREEN / YELLOW / RED / BLUE / GREY. */
  color?: string;
  /** Column with a sub-title per tile. */
  note?: string;
}

/** Long format: one row per time and series. */
export interface TimeSeriesPanel extends PanelBase {
  kind: 'timeseries';
  /** A DateTime column (`toDateTime(period_end) AS time`). */
  time: string;
  series: string;
  value: ValueColumn;
}

/** One bar group per row, one bar per value column. */
export interface BarPanel extends PanelBase {
  kind: 'bar';
  category: string;
  values: readonly ValueColumn[];
  horizontal?: boolean;
}

export interface TablePanel extends PanelBase {
  kind: 'table';
  columns: readonly TableColumn[];
}

/** Choropleth: the rows carry the value and the GeoJSON geometry of each area (and its centre for Grafana's marker layer). */
export interface MapPanel extends PanelBase {
  kind: 'map';
  area: string;
  label: string;
  value: ValueColumn;
  geometry: string;
  latitude: string;
  longitude: string;
}

export type FisPanel = StatPanel | TimeSeriesPanel | BarPanel | TablePanel | MapPanel;

export interface FisDashboard {
  id: DashboardId;
  title: string;
  description: string;
  tags: readonly string[];
  /** Variables in evaluation order. */
  variables: readonly FisVariable[];
  panels: readonly FisPanel[];
}

/** Every panel value column that may be null because disclosure control suppressed it is shown as this. */
export const SUPPRESSED_TEXT = 'gesperrt';
