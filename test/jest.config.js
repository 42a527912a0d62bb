// Cross-service tests: every *.spec.ts below this folder (e2e/, reliability/, ...).
const preset = require('../jest.preset.js')(__dirname);
module.exports = { ...preset, testMatch: ['<rootDir>/**/*.spec.ts'], testPathIgnorePatterns: ['/node_modules/'] };
