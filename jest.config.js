// Root jest run used by `npm test`: every workspace package as a project, one summary.
const { workspaces } = require('./package.json');
module.exports = { projects: workspaces.map((w) => `<rootDir>/${w}`) };
