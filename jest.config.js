// Root jest run used by `npm test`: every workspace package as a project, one summary.
// testTimeout is a global option (ignored inside projects), so it is set here as well.
const { workspaces } = require('./package.json');
module.exports = { projects: workspaces.map((w) => `<rootDir>/${w}`), testTimeout: 60_000 };
