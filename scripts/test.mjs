#!/usr/bin/env node
// `npm test`: build and lint every package (turbo), then run all test suites in one jest run
// (all workspaces as projects, so the two cores are shared by one worker pool), and close with
// one plain summary line: "tests: N passed, N failed, N skipped".
// Suites for servers that are not reachable here (Kafka, MongoDB) are reported as skipped.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(cmd, args) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  return { status: r.status ?? 1, seconds: (Date.now() - started) / 1000 };
}

const build = run(bin('turbo'), ['run', 'build', 'lint', '--output-logs=errors-only']);
if (build.status !== 0) {
  console.error('\nBuild oder Lint fehlgeschlagen: siehe die Ausgabe oben.');
  console.log('tests: 0 passed, 1 failed');
  process.exit(build.status);
}
console.log(`build + lint: ${build.seconds.toFixed(0)} s`);

const outDir = join(root, '.test-output');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const resultFile = join(outDir, 'jest.json');
const extra = process.argv.slice(2);
const jest = run(bin('jest'), ['--ci', '--maxWorkers=2', '--json', `--outputFile=${resultFile}`, ...extra]);

let summary;
try {
  summary = JSON.parse(readFileSync(resultFile, 'utf8'));
} catch {
  console.log('tests: 0 passed, 1 failed');
  process.exit(jest.status || 1);
}
const failedSuites = summary.numFailedTestSuites ?? 0;
const failed = summary.numFailedTests + (failedSuites > 0 && summary.numFailedTests === 0 ? failedSuites : 0);
console.log(`\ntest time: ${jest.seconds.toFixed(0)} s, suites: ${summary.numTotalTestSuites}`);
console.log(`tests: ${summary.numPassedTests} passed, ${failed} failed, ${summary.numPendingTests + summary.numTodoTests} skipped`);
process.exit(jest.status === 0 && failed === 0 ? 0 : 1);
