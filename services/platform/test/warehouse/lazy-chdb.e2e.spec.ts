/**
 * Importing the platform must not load chDB: its native library adds some 190 MB of resident
 * memory, and most processes importing the platform never open a warehouse. Checked in a fresh
 * process on the built package, as services load it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeDataDir, requireBuiltPackage, tempDataDir } from '../helpers/lmdb';

const run = promisify(execFile);

// Prints whether any file of the chdb package is loaded after the import, and again after
// creating a warehouse (which proves the check would see chDB if it were loaded).
const SCRIPT = `
const chdbLoaded = () => Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]chdb[\\\\/]/.test(file));
const platform = require(process.argv[1]);
const afterImport = chdbLoaded();
platform.createChdbWarehouse({ path: process.argv[2] }).then(async (warehouse) => {
  await warehouse.ping();
  const afterCreate = chdbLoaded();
  await warehouse.close();
  process.stdout.write(JSON.stringify({ afterImport, afterCreate }));
});
`;

describe('chDB loading', () => {
  it('loads chDB when the first warehouse is created, not when the platform package is imported', async () => {
    const dist = requireBuiltPackage();
    const dir = await tempDataDir();
    try {
      const { stdout } = await run(process.execPath, ['-e', SCRIPT, join(dist, 'index.js'), join(dir, 'warehouse')]);
      expect(JSON.parse(stdout)).toEqual({ afterImport: false, afterCreate: true });
    } finally {
      await removeDataDir(dir);
    }
  });
});
