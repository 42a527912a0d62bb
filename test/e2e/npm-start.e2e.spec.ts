/**
 * What a user gets from `npm start`: the `lagebild start` process comes up on the embedded
 * adapters, prints where it runs, answers /health, and shuts down cleanly on SIGTERM.
 * Runs the built command (`npm test` builds every package first), not the source.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const main = resolve(__dirname, '../../services/cli/dist/main.js');
let dataDir: string;

beforeAll(() => {
  if (!existsSync(main)) throw new Error('services/cli is not built: run `npm run build` (npm test does it first).');
  dataDir = mkdtempSync(join(tmpdir(), 'lagebild-start-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function startCli(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [main, 'start'], {
    env: { PATH: process.env.PATH ?? '', LAGEBILD_DATA_DIR: dataDir, LAGEBILD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, output: () => out, exited };
}

async function waitFor(predicate: () => RegExpMatchArray | null, what: string, ms = 30_000): Promise<RegExpMatchArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = predicate();
    if (m) return m;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('lagebild start', () => {
  it('serves /health on the embedded adapters and exits 0 on SIGTERM', async () => {
    const { child, output, exited } = startCli({ LAGEBILD_PORT: '0' });
    const [, url] = await waitFor(() => output().match(/Lagebild läuft: (http:\/\/\S+)/), 'the start banner');
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(existsSync(join(dataDir, 'auth', 'keys.json'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start with a misspelt setting, naming the variable', async () => {
    const { output, exited } = startCli({ LAGEBILD_PROT: '8080' });
    expect(await exited).toBe(1);
    expect(output()).toContain('LAGEBILD_PROT');
    expect(output()).toMatch(/LAGEBILD_PORT/);
  });
});
