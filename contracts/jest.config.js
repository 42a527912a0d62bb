// Shared jest settings: TypeScript via SWC, tests named *.spec.ts.
// globalSetup generates src/generated/ (the types from the schemas) before any test runs.
module.exports = {
  ...require('../jest.preset.js')(__dirname),
  globalSetup: '<rootDir>/scripts/jest-global-setup.js',
};
