'use strict';
// `npm run schemas:lock`: records the fingerprints of new schema versions in
// schemas/schema-lock.json. Refuses when a recorded version changed or a check fails.
const { lockSchemaVersions, defaultSchemasDir } = require('../dist/index.js');

// Another schemas directory may be given as argument (tools, tests); default: schemas/.
const dir = process.argv[2] ?? defaultSchemasDir;

const { added, problems } = lockSchemaVersions(dir);
if (problems.length > 0) {
  console.error('Nichts eingetragen, erst diese Probleme beheben:');
  for (const problem of problems) console.error(`  [${problem.kind}] ${problem.file}: ${problem.message}`);
  process.exitCode = 1;
} else if (added.length === 0) {
  console.log('Alle Schemaversionen sind bereits eingetragen.');
} else {
  console.log(`Eingetragen: ${added.join(', ')}`);
}
