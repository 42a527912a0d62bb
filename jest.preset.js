// One jest setup for every package: TypeScript is transpiled by SWC (no type-check here; the
// lint task runs `tsc --noEmit`), tests are `*.spec.ts` under src/ or test/ of the package.
// Tiers by file name: `*.unit.spec.ts` (pure), `*.int.spec.ts` (real embedded engines),
// `*.e2e.spec.ts` (through HTTP / processes).
const path = require('node:path');

module.exports = (dir) => ({
  displayName: path.basename(dir) === 'main' ? 'root' : path.relative(__dirname, dir),
  rootDir: dir,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{src,test}/**/*.spec.ts'],
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' },
    ],
  },
  testTimeout: 60_000,
});
