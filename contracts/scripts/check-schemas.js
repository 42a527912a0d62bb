'use strict';
// `npm run check:schemas`: layout, house rules, FULL_TRANSITIVE compatibility and the lock file
// of every schema (src/schema-check.ts, run from the build in dist/). Exit code 1 on problems.
const { checkSchemaRepository, defaultSchemasDir } = require('../dist/index.js');

// Another schemas directory may be given as argument (tools, tests); default: schemas/.
const dir = process.argv[2] ?? defaultSchemasDir;

const problems = checkSchemaRepository(dir);
if (problems.length === 0) {
  console.log('Schemas in Ordnung: Ablage, Hausregeln, FULL_TRANSITIVE-Kompatibilität und Lock-Datei.');
} else {
  console.error(`${problems.length} Problem(e) mit den Schemas:`);
  for (const problem of problems) console.error(`  [${problem.kind}] ${problem.file}: ${problem.message}`);
  process.exitCode = 1;
}
