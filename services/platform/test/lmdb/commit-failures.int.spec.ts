/**
 * A commit that fails on a full disk: lmdb-js prints the error itself (see
 * src/lmdb/commit-failures.ts); the operator must see one German line with the cause and a hint,
 * no stack trace, and every other print must pass unchanged.
 *
 * The full disk is a small tmpfs, which needs root (mount); without the permission that test is
 * skipped with the reason printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commitFailureReport } from '../../src/lmdb/commit-failures';
import { openLmdbEnvironment } from '../../src/lmdb/environment';
import { removeDataDir, tempDataDir } from '../helpers/lmdb';

const LMDB_FILE = require.resolve('lmdb');

function probeMount(): { ok: boolean; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'nicht root: ein tmpfs zu mounten braucht Root-Rechte' };
  const dir = mkdtempSync(path.join(tmpdir(), 'lagebild-mount-probe-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
    if (mounted.status !== 0) return { ok: false, reason: `mount nicht erlaubt: ${(mounted.stderr || mounted.error?.message || '').trim()}` };
    spawnSync('umount', [dir]);
    return { ok: true, reason: '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mountProbe = probeMount();
if (!mountProbe.ok) console.log(`LMDB, volle Platte: übersprungen (${mountProbe.reason})`);

describe("lmdb-js's own print of a failed commit", () => {
  it('becomes one German line with message, code and a hint', () => {
    // What lmdb-js prints: the error made in its write thread's callback, only lmdb on the stack.
    const error = Object.assign(new Error('Input/output error'), { code: 5 });
    error.stack = `Error: Input/output error\n    at Function.<anonymous> (${LMDB_FILE}:677:7)`;
    const line = commitFailureReport([error]);
    expect(line).toContain('Speichern fehlgeschlagen: Input/output error (Code 5)');
    expect(line).toContain('Ist der Datenträger des Datenverzeichnisses voll');
    expect(line).not.toMatch(/\n\s+at /);
  });

  it('leaves every other print as it is: texts, errors of our code, errors lmdb throws into a call of ours', async () => {
    expect(commitFailureReport(['In beforecommit callback', new Error('x')])).toBeUndefined();
    expect(commitFailureReport([Object.assign(new Error('Input/output error'), { code: 5 })])).toBeUndefined();
    const dir = await tempDataDir();
    try {
      // A real lmdb error with a numeric code (ENOTDIR), thrown into a call of ours: not a commit failure.
      const file = path.join(dir, 'eine-datei');
      writeFileSync(file, 'kein Verzeichnis');
      let thrown: unknown;
      try {
        openLmdbEnvironment(file);
      } catch (caught) {
        thrown = caught;
      }
      expect(typeof (thrown as { code?: unknown }).code).toBe('number');
      expect(commitFailureReport([thrown])).toBeUndefined();
    } finally {
      await removeDataDir(dir);
    }
  });

  (mountProbe.ok ? it : it.skip)('reaches the operator as that German line when the disk is full, and no stack is printed', () => {
    // In a process of its own, as the server runs: lmdb-js also rejects a promise of its own that
    // nobody can handle when a commit fails (the host's handler ends the server on it), and
    // jest would count that against the test. The child loads the TypeScript sources through SWC.
    const small = mkdtempSync(path.join(tmpdir(), 'lagebild-full-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small], { encoding: 'utf8' });
    if (mounted.status !== 0) throw new Error(`mount: ${mounted.stderr}`);
    const child = `
      const swc = require('@swc/core');
      require.extensions['.ts'] = (module, file) => module._compile(swc.transformFileSync(file, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code, file);
      let unhandled = 0;
      process.on('unhandledRejection', () => { unhandled += 1; });
      const { openLmdbEnvironment } = require(${JSON.stringify(path.resolve(__dirname, '../../src/lmdb/environment.ts'))});
      (async () => {
        const env = openLmdbEnvironment(${JSON.stringify(path.join(small, 'data'))});
        const db = env.database('test.big', { binary: true });
        const big = Buffer.alloc(200000, 1);
        let failed = null;
        for (let i = 0; i < 50 && !failed; i += 1) {
          try { await db.childTransaction(() => void db.put(i, big)); } catch (error) { failed = error.message; }
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        process.stdout.write(JSON.stringify({ failed, unhandled }));
        process.exit(0);
      })();`;
    let result: ReturnType<typeof spawnSync>;
    try {
      result = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', cwd: path.resolve(__dirname, '../..'), timeout: 30_000 });
    } finally {
      spawnSync('umount', [small]);
      rmSync(small, { recursive: true, force: true });
    }
    const stderr = String(result.stderr);
    expect(JSON.parse(String(result.stdout))).toMatchObject({ failed: expect.stringMatching(/Commit failed/) });
    const lines = stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Eingebettete Datenbank \(LMDB\): Speichern fehlgeschlagen: .+ \(Code \d+\)\. Ist der Datenträger des Datenverzeichnisses voll/);
  });
});
