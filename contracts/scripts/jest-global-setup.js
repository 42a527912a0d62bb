'use strict';
// The tests import the generated types (src/generated/, git-ignored build output); generate them
// first so that `npm test` works on a fresh checkout without a prior build.
const { generate } = require('./generate-types');

module.exports = async function globalSetup() {
  generate();
};
