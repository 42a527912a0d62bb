/**
 * The generated Grafana JSON: in step with the definitions, valid against the @grafana/schema
 * dashboard types, and consistent (uids, variables, parameters, drill-down targets).
 *
 * Schema check: the emitted object's type is assigned to @grafana/schema's `Dashboard` below, in
 * wire form (enums as their JSON values, since the SDK and the schema declare the same enums
 * separately and TypeScript compares enums by declaration). `tsc --noEmit` (the lint task) fails
 * when a field the SDK emits has a type the schema does not accept.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dashboard as SchemaDashboard } from '@grafana/schema';
import {
  DASHBOARDS,
  dashboardsById,
  DATASOURCE_UID,
  datasourceYaml,
  dashboardProviderYaml,
  type FisGrafanaDashboard,
  grafanaDashboards,
  missingVariables,
  parametersOf,
  PARAMETERS,
  toGrafanaSql,
  variablesOf,
} from '../src';

type Wire<T> = T extends string
  ? `${T}`
  : T extends number
    ? `${T}` extends `${infer N extends number}`
      ? N
      : number
    : T extends boolean
      ? T
      : T extends ReadonlyArray<infer U>
        ? Array<Wire<U>>
        : T extends object
          ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Wire<T[K]> }
          : T;

/** Compile-time: every emitted dashboard is a @grafana/schema Dashboard. */
function asSchemaDashboard(d: FisGrafanaDashboard): Wire<SchemaDashboard> {
  const wire: Wire<FisGrafanaDashboard> = JSON.parse(JSON.stringify(d));
  return wire;
}

const infra = path.resolve(__dirname, '../../infra/grafana');

describe('Grafana dashboards as code', () => {
  const emitted = grafanaDashboards();

  it('ships the seven FIS dashboards of the issue with fixed uids and German titles', () => {
    expect(emitted.map((e) => e.dashboard.title)).toEqual(['FIS Übersicht', 'Sozialraumprofil', 'Indikator-Atlas', 'Zielcontrolling', 'Kontrakte und Träger', 'Budgetcontrolling', 'Kreisvergleich']);
    expect(new Set(emitted.map((e) => e.dashboard.uid)).size).toBe(7);
    for (const { dashboard } of emitted) expect(dashboard.uid).toMatch(/^lagebild-[a-z-]+$/);
  });

  it('keeps infra/grafana in step with the definitions (npm run build writes it)', () => {
    for (const { file, dashboard } of emitted) {
      expect(readFileSync(path.join(infra, 'dashboards', file), 'utf8')).toBe(`${JSON.stringify(dashboard, null, 2)}\n`);
    }
    expect(readFileSync(path.join(infra, 'provisioning/datasources/lagebild-clickhouse.yaml'), 'utf8')).toBe(datasourceYaml());
    expect(readFileSync(path.join(infra, 'provisioning/dashboards/lagebild.yaml'), 'utf8')).toBe(dashboardProviderYaml());
  });

  it('emits JSON of the @grafana/schema dashboard shape', () => {
    for (const { dashboard } of emitted) {
      const wire = asSchemaDashboard(dashboard);
      expect(wire.schemaVersion).toBeGreaterThanOrEqual(39);
      for (const panel of wire.panels ?? []) {
        if (!('targets' in panel)) throw new Error('row panels are not used');
        expect(panel.gridPos!.x + panel.gridPos!.w).toBeLessThanOrEqual(24);
        expect(panel.targets).toHaveLength(1);
        expect(panel.targets![0]).toMatchObject({ refId: 'A', datasource: { type: 'grafana-clickhouse-datasource', uid: DATASOURCE_UID }, editorType: 'sql' });
      }
    }
  });

  it('uses the ClickHouse plugin query type: time series panels as timeSeries, the others as tables', () => {
    for (const { dashboard } of emitted) {
      for (const panel of dashboard.panels) {
        const query = panel.targets[0]!;
        expect(query.queryType).toBe(panel.type === 'timeseries' ? 'timeSeries' : 'table');
        expect(query.format).toBe(panel.type === 'timeseries' ? 0 : 1);
      }
    }
  });

  it('renders every parameter as a template variable in Grafana and leaves no binding behind', () => {
    for (const { dashboard } of emitted) {
      for (const panel of dashboard.panels) expect(panel.targets[0]!.rawSql).not.toMatch(/(?<!\$)\{[a-z_]+:[A-Za-z0-9()]+\}/);
    }
    expect(toGrafanaSql('SELECT 1 WHERE tenant = {tenant:String} AND period_end = {period:Date32}')).toBe('SELECT 1 WHERE tenant = ${tenant:sqlstring} AND period_end = toDate32(${period:sqlstring})');
    expect(() => parametersOf('SELECT {tenant:UInt8}')).toThrow(/falschen Typ/);
    expect(() => parametersOf('SELECT {tenants:String}')).toThrow(/Unbekannter Parameter/);
  });

  it('restricts every panel and option query to the caller\'s tenant(s)', () => {
    for (const d of DASHBOARDS) {
      const statements = [...d.panels.map((p) => p.sql), ...d.variables.flatMap((v) => ('sql' in v.options ? [v.options.sql] : []))];
      for (const sql of statements) {
        const names = parametersOf(sql).map((p) => p.name);
        // comparison_tenants: the Kreisvergleich across tenants with released figures (the server narrows the rows by release).
        expect(names.includes('tenant') || names.includes('visible_tenants') || names.includes('comparison_tenants')).toBe(true);
      }
    }
  });

  it('declares every variable a panel needs, in an order where options depend only on earlier ones', () => {
    for (const d of DASHBOARDS) {
      expect(missingVariables(d, variablesOf)).toEqual([]);
      d.variables.forEach((v, i) => {
        if (!('sql' in v.options)) return;
        const earlier = new Set(d.variables.slice(0, i).map((e) => e.name));
        for (const needed of variablesOf(v.options.sql)) expect(earlier.has(needed) ? needed : `${v.name} needs ${needed}`).toBe(needed);
      });
    }
  });

  it('compares Gemeinden on protected values only', () => {
    const kreis = dashboardsById.get('kreisvergleich')!;
    for (const panel of kreis.panels) {
      expect(panel.sql).toContain('v_indicator_value_protected');
      expect(panel.sql).not.toMatch(/v_indicator_value_raw|indicator_view|fact_indicator_value|lagebild\.v_indicator_value\b/);
    }
    expect(kreis.variables.map((v) => v.name)).not.toContain('audience');
  });

  it('links drill-downs to existing dashboards, carrying the row values as variables', () => {
    const json = JSON.stringify(emitted);
    for (const d of DASHBOARDS) {
      for (const p of d.panels) {
        if (!p.drillDown) continue;
        const target = dashboardsById.get(p.drillDown.to);
        expect(target).toBeDefined();
        for (const variable of Object.keys(p.drillDown.set)) expect(target!.variables.map((v) => v.name)).toContain(variable);
      }
    }
    expect(json).toContain('/d/lagebild-sozialraumprofil?var-tenant=${tenant}&var-scheme=${scheme}&var-area=${__data.fields[\\"code\\"]}');
    for (const { dashboard } of emitted) expect(dashboard.links?.[0]).toMatchObject({ type: 'dashboards', tags: ['lagebild'], includeVars: true });
  });

  it('lets the audience variable choose between the protected and the raw view', () => {
    const atlas = emitted.find((e) => e.dashboard.uid === 'lagebild-indikator-atlas')!.dashboard;
    const audience = atlas.templating?.list?.find((v) => v.name === 'audience');
    expect(audience).toMatchObject({ type: 'custom', current: { value: 'v_indicator_value_protected' } });
    expect(atlas.panels[0]!.targets[0]!.rawSql).toContain('FROM lagebild.${audience}');
    expect(PARAMETERS.indicator_view.grafana).toBe('${audience}');
  });
});
