// Writes the access SQL of the example tenant register (both variants) to infra/clickhouse/access/
// from the compiled access module; a deployment generates its own from its register.
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { exampleAccessFile } = require('../dist/access');

const dir = path.resolve(__dirname, '../../../infra/clickhouse/access');
mkdirSync(dir, { recursive: true });
for (const variant of ['single', 'cluster']) writeFileSync(path.join(dir, `${variant}.sql`), exampleAccessFile(variant));
