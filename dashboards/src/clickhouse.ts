/**
 * A query of the Grafana ClickHouse data source plugin (grafana-clickhouse-datasource, v4) as a
 * foundation-SDK data query: the SDK ships no type for this plugin, so this is the custom query
 * type its panels carry. Only the SQL editor is used (`editorType: 'sql'`): the panel SQL is the
 * same text the web view runs, with the parameters rendered as template variables (sql.ts).
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';

export const CLICKHOUSE_PLUGIN = 'grafana-clickhouse-datasource';

/** uid of the provisioned data source (infra/grafana/provisioning/datasources). */
export const DATASOURCE_UID = 'lagebild-clickhouse';

export const DATASOURCE: common.DataSourceRef = { type: CLICKHOUSE_PLUGIN, uid: DATASOURCE_UID };

/** The plugin's result formats (the backend's sqlutil format options). */
export enum ClickHouseFormat {
  TimeSeries = 0,
  Table = 1,
}

/** How the plugin interprets the result. */
export type ClickHouseQueryType = 'table' | 'timeSeries';

export interface ClickHouseQuery extends cog.Dataquery {
  refId: string;
  datasource: common.DataSourceRef;
  editorType: 'sql';
  queryType: ClickHouseQueryType;
  format: ClickHouseFormat;
  rawSql: string;
}

export class ClickHouseQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: ClickHouseQuery;

  constructor(refId = 'A') {
    this.internal = {
      refId,
      datasource: DATASOURCE,
      editorType: 'sql',
      queryType: 'table',
      format: ClickHouseFormat.Table,
      rawSql: '',
      _implementsDataqueryVariant: () => undefined,
    };
  }

  rawSql(sql: string): this {
    this.internal.rawSql = sql;
    return this;
  }

  /** Long rows (time, series, value) that the plugin turns into one field per series. */
  asTimeSeries(): this {
    this.internal.queryType = 'timeSeries';
    this.internal.format = ClickHouseFormat.TimeSeries;
    return this;
  }

  asTable(): this {
    this.internal.queryType = 'table';
    this.internal.format = ClickHouseFormat.Table;
    return this;
  }

  build(): ClickHouseQuery {
    return { ...this.internal };
  }
}

/** The query of a ClickHouse query variable (the plugin's variable editor, custom SQL mode). */
export interface ClickHouseVariableQuery {
  refId: string;
  queryType: 'sql';
  rawSql: string;
}
