// Writes the Grafana dashboards (JSON) and provisioning files (YAML) to infra/grafana/ from the
// compiled definitions. A test keeps the files in step with the definitions.
const { mkdirSync, writeFileSync, readdirSync, rmSync } = require('node:fs');
const path = require('node:path');
const { grafanaDashboards, datasourceYaml, dashboardProviderYaml } = require('../dist');

const root = path.resolve(__dirname, '../../infra/grafana');
const dashboards = path.join(root, 'dashboards');
mkdirSync(dashboards, { recursive: true });
const emitted = grafanaDashboards();
// Dashboards removed from the definitions disappear from the folder too.
for (const file of readdirSync(dashboards)) if (file.endsWith('.json') && !emitted.some((d) => d.file === file)) rmSync(path.join(dashboards, file));
for (const { file, dashboard } of emitted) writeFileSync(path.join(dashboards, file), `${JSON.stringify(dashboard, null, 2)}\n`);
mkdirSync(path.join(root, 'provisioning/datasources'), { recursive: true });
mkdirSync(path.join(root, 'provisioning/dashboards'), { recursive: true });
writeFileSync(path.join(root, 'provisioning/datasources/lagebild-clickhouse.yaml'), datasourceYaml());
writeFileSync(path.join(root, 'provisioning/dashboards/lagebild.yaml'), dashboardProviderYaml());
