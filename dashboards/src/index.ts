/**
 * Grafana dashboards as code (@grafana/grafana-foundation-sdk): one module per dashboard area,
 * shared defaults in one place, fixed uids. The FIS issue fills this package; until then it
 * ships no dashboard, and the generator has nothing to emit.
 */
export const dashboardModules: readonly string[] = [];
