// Shared jest settings: TypeScript via SWC, tests named *.spec.ts.
module.exports = require('../../jest.preset.js')(__dirname);
