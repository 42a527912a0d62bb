/**
 * Renders a FIS dashboard definition to Grafana dashboard JSON with the foundation SDK's builders.
 * Shared defaults live here (data source, German texts for missing and suppressed values, links
 * between the FIS dashboards), so each dashboard module states only what it shows.
 */
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as geomap from '@grafana/grafana-foundation-sdk/geomap';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { type ClickHouseQuery, ClickHouseQueryBuilder, type ClickHouseVariableQuery, DATASOURCE } from './clickhouse';
import { type DashboardId, type DrillDown, type FisDashboard, type FisPanel, type FisVariable, SUPPRESSED_TEXT, type ValueColumn, type VariableName } from './model';
import { toGrafanaSql } from './sql';

/** Grafana uid of a dashboard. */
export function grafanaUid(id: DashboardId): string {
  return `lagebild-${id}`;
}

/** Tag every FIS dashboard carries; the dashboard links list the dashboards with it. */
export const FIS_TAG = 'lagebild';

function grafanaUnit(unit: string | undefined): string | undefined {
  if (unit === undefined || unit.startsWith('column:')) return undefined;
  if (unit === 'EUR') return 'currencyEUR';
  if (unit === '%') return 'percent';
  return `suffix: ${unit}`;
}

const suppressedMapping: dashboard.ValueMapping = {
  type: dashboard.MappingType.SpecialValue,
  options: { match: dashboard.SpecialValueMatch.Null, result: { text: SUPPRESSED_TEXT } },
};

/** Field overrides of a value column: German display name, unit, decimals, and „gesperrt“ for suppressed nulls. */
function valueProperties(value: ValueColumn): dashboard.DynamicConfigValue[] {
  const unit = grafanaUnit(value.unit);
  return [
    { id: 'displayName', value: value.label },
    ...(unit ? [{ id: 'unit', value: unit }] : []),
    ...(value.decimals !== undefined ? [{ id: 'decimals', value: value.decimals }] : []),
    ...(value.suppressed ? [{ id: 'mappings', value: [suppressedMapping] }] : []),
  ];
}

/**
 * URL of a drill-down: the target dashboard with its variables taken from the row (`set`) or, where
 * the source dashboard has the same variable, from the current selection.
 */
export function drillDownUrl(link: DrillDown, source: FisDashboard, target: FisDashboard): string {
  const sourceVariables = new Set(source.variables.map((v) => v.name));
  const params: string[] = [];
  for (const variable of target.variables) {
    const column = link.set[variable.name];
    if (column) params.push(`var-${variable.name}=\${__data.fields["${column}"]}`);
    else if (sourceVariables.has(variable.name)) params.push(`var-${variable.name}=\${${variable.name}}`);
  }
  return `/d/${grafanaUid(target.id)}${params.length > 0 ? `?${params.join('&')}` : ''}`;
}

function variable(v: FisVariable): dashboard.VariableModel {
  if ('fixed' in v.options) {
    const options = v.options.fixed;
    return new dashboard.CustomVariableBuilder(v.name)
      .label(v.label)
      .description(v.description)
      .values(options.map((o) => `${o.label} : ${o.value}`).join(','))
      .options(options.map((o, i) => ({ text: o.label, value: o.value, selected: i === 0 })))
      .current({ text: options[0]!.label, value: options[0]!.value })
      .build();
  }
  const rawSql = toGrafanaSql(v.options.sql);
  const query: ClickHouseVariableQuery = { refId: `variable-${v.name}`, queryType: 'sql', rawSql };
  return new dashboard.QueryVariableBuilder(v.name)
    .label(v.label)
    .description(v.description)
    .datasource(DATASOURCE)
    .query({ ...query })
    .definition(rawSql)
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.Disabled)
    .build();
}

interface Rendered {
  build(): dashboard.Panel;
}

/** A panel as emitted: its one target is a ClickHouse query (the SDK types targets only as an open variant). */
export type FisGrafanaPanel = Omit<dashboard.Panel, 'targets'> & { targets: ClickHouseQuery[] };

/** A dashboard as emitted. */
export type FisGrafanaDashboard = Omit<dashboard.Dashboard, 'panels' | 'annotations' | 'gnetId'> & { panels: FisGrafanaPanel[] };

function panel(def: FisPanel, source: FisDashboard, all: ReadonlyMap<DashboardId, FisDashboard>, id: number): FisGrafanaPanel {
  const query = new ClickHouseQueryBuilder('A').rawSql(toGrafanaSql(def.sql));
  const links = def.drillDown ? [new dashboard.DashboardLinkBuilder(def.drillDown.title).type(dashboard.DashboardLinkType.Link).url(drillDownUrl(def.drillDown, source, all.get(def.drillDown.to)!))] : [];
  const gridPos = { ...def.grid };
  let rendered: Rendered;
  switch (def.kind) {
    case 'stat': {
      const b = new stat.PanelBuilder()
        .withTarget(query.asTable())
        .reduceOptions(new common.ReduceDataOptionsBuilder().values(true).calcs([]).fields(`/^${def.value.column}$/`))
        .textMode(common.BigValueTextMode.ValueAndName)
        .colorMode(common.BigValueColorMode.Value)
        .graphMode(common.BigValueGraphMode.None)
        .displayName(`\${__data.fields["${def.label}"]}`)
        .noValue('keine Daten');
      const unit = grafanaUnit(def.value.unit);
      if (unit) b.unit(unit);
      if (def.value.decimals !== undefined) b.decimals(def.value.decimals);
      if (def.value.suppressed) b.mappings([suppressedMapping]);
      rendered = b;
      break;
    }
    case 'timeseries': {
      const b = new timeseries.PanelBuilder()
        .withTarget(query.asTimeSeries())
        .displayName(`\${__field.labels["${def.series}"]}`)
        .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
        .noValue('keine Daten');
      const unit = grafanaUnit(def.value.unit);
      if (unit) b.unit(unit);
      if (def.value.decimals !== undefined) b.decimals(def.value.decimals);
      rendered = b;
      break;
    }
    case 'bar': {
      const b = new barchart.PanelBuilder()
        .withTarget(query.asTable())
        .xField(def.category)
        .orientation(def.horizontal ? common.VizOrientation.Horizontal : common.VizOrientation.Auto)
        .withTransformation({ id: 'filterFieldsByName', options: { include: { names: [def.category, ...def.values.map((v) => v.column)] } } })
        .noValue('keine Daten');
      for (const v of def.values) b.overrideByName(v.column, valueProperties(v));
      rendered = b;
      break;
    }
    case 'table': {
      const b = new table.PanelBuilder()
        .withTarget(query.asTable())
        .withTransformation({ id: 'filterFieldsByName', options: { include: { names: def.columns.map((c) => c.column) } } })
        .noValue('keine Daten');
      for (const c of def.columns) b.overrideByName(c.column, valueProperties(c));
      rendered = b;
      break;
    }
    case 'map': {
      const markers = new common.MapLayerOptionsBuilder()
        .type('markers')
        .name(def.title)
        .location(new common.FrameGeometrySourceBuilder().mode(common.FrameGeometrySourceMode.Coords).latitude(def.latitude).longitude(def.longitude))
        .config({ showLegend: true, style: { color: { field: def.value.column, fixed: 'dark-green' }, size: { fixed: 14 }, text: { field: def.label, mode: 'field' } } })
        .tooltip(true);
      const b = new geomap.PanelBuilder()
        .withTarget(query.asTable())
        .view(new geomap.MapViewConfigBuilder().id('fit').allLayers(true))
        .layers([markers])
        .tooltip(new geomap.TooltipOptionsBuilder().mode(geomap.TooltipMode.Details))
        .overrideByName(def.value.column, valueProperties(def.value));
      rendered = b;
      break;
    }
    default: {
      const _exhaustive: never = def;
      throw new Error(`unknown panel kind ${String(_exhaustive)}`);
    }
  }
  const built = rendered.build();
  return { ...built, targets: [query.build()], id, title: def.title, description: def.description, gridPos, datasource: DATASOURCE, ...(links.length > 0 ? { fieldConfig: withLinks(built.fieldConfig, links.map((l) => l.build())) } : {}) };
}

function withLinks(fieldConfig: dashboard.FieldConfigSource | undefined, links: dashboard.DashboardLink[]): dashboard.FieldConfigSource {
  const config = fieldConfig ?? { defaults: {}, overrides: [] };
  return { ...config, defaults: { ...config.defaults, links } };
}

/** The Grafana dashboard of a definition; `all` resolves drill-down targets. */
export function grafanaDashboard(def: FisDashboard, all: ReadonlyMap<DashboardId, FisDashboard>): FisGrafanaDashboard {
  const builder = new dashboard.DashboardBuilder(def.title)
    .uid(grafanaUid(def.id))
    .description(def.description)
    .tags([...def.tags])
    .editable()
    .timezone('browser')
    .time({ from: 'now-10y', to: 'now' })
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(
      new dashboard.DashboardLinkBuilder('FIS-Dashboards')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([FIS_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true)
        .tooltip('Weitere Dashboards des Führungsinformationssystems'),
    );
  for (const v of def.variables) builder.withVariable({ build: () => variable(v) });
  // No annotations: the FIS has no events to mark, and Grafana adds its built-in list itself.
  const { annotations: _none, ...built } = builder.build();
  return { ...built, panels: def.panels.map((p, i) => panel(p, def, all, i + 1)) };
}

/** Variables a dashboard's panels need but do not declare (a definition error). */
export function missingVariables(def: FisDashboard, variablesOfSql: (sql: string) => VariableName[]): string[] {
  const declared = new Set(def.variables.map((v) => v.name));
  const missing: string[] = [];
  const statements = [...def.panels.map((p) => ({ where: `Panel ${p.key}`, sql: p.sql })), ...def.variables.flatMap((v) => ('sql' in v.options ? [{ where: `Variable ${v.name}`, sql: v.options.sql }] : []))];
  for (const { where, sql } of statements) for (const name of variablesOfSql(sql)) if (!declared.has(name)) missing.push(`${where}: ${name}`);
  return missing;
}
