// Writes the warehouse DDL (both variants) to infra/clickhouse/ from the compiled schema module.
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { schemaFile } = require('../dist/schema');

for (const variant of ['single', 'cluster']) {
  const dir = path.resolve(__dirname, '../../../infra/clickhouse', variant);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'schema.sql'), schemaFile(variant));
}
