/**
 * What a user gets from `npm start`: the `lagebild start` process comes up on the embedded
 * adapters, loads the demo on the first start with progress lines, prints the FIS URL with an
 * access token once the demo has flowed into the warehouse (the FIS then shows Berlin's
 * Planungsräume), reuses the data on the second start, and shuts down cleanly on SIGTERM.
 * Runs the built command (`npm test` builds every package first), not the source.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const main = resolve(__dirname, '../../services/cli/dist/main.js');
let dataDir: string;

beforeAll(() => {
  if (!existsSync(main)) throw new Error('services/cli is not built: run `npm run build` (npm test does it first).');
  dataDir = mkdtempSync(join(tmpdir(), 'lagebild-start-'));
});
const children: ChildProcess[] = [];
afterAll(() => {
  // A failed expectation must not leave a server running.
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function startCli(env: Record<string, string>, args: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [main, 'start', ...args], {
    env: { PATH: process.env.PATH ?? '', LAGEBILD_DATA_DIR: dataDir, LAGEBILD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
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
  it('loads the demo on the first start, prints the FIS URL with access, and reuses the data on the second start', async () => {
    const first = startCli({ LAGEBILD_PORT: '0' });
    const [, fisUrl, token] = await waitFor(() => first.output().match(/FIS \(Berlin, Rolle sozialplanung\):\s+(http:\/\/\S+\/fis\/)#token=(\S+)/), 'the FIS URL', 240_000);
    const out = first.output();
    expect(out).toContain('Demo wird geladen (nur beim ersten Start):');
    expect(out).toContain('Demo: Berlin Planungsräume (542) …');
    expect(out).toMatch(/Demo geladen in [\d,]+ s\./);
    const base = fisUrl!.replace(/\/fis\/$/, '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // The page and its data: the Indikator-Atlas of Berlin over the 542 Planungsräume.
    expect((await fetch(fisUrl!)).status).toBe(200);
    const atlas = await fetch(`${base}/api/warehouse/fis/panels/indikator-atlas/rangfolge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ variables: {} }),
    });
    expect(atlas.status).toBe(200);
    const body = (await atlas.json()) as { rows: Array<{ code: string; gebiet: string }>; variables: Array<{ name: string; value: string }> };
    expect(body.variables.find((v) => v.name === 'scheme')?.value).toBe('berlin-lor-planungsraeume');
    // One bar per Planungsraum with a value (a few uninhabited ones have none), each once.
    const codes = new Set(body.rows.map((r) => r.code));
    expect(codes.size).toBe(body.rows.length);
    expect(body.rows.length).toBeGreaterThan(500);
    expect(body.rows.length).toBeLessThanOrEqual(542);
    expect([...codes].every((c) => /^\d{8}$/.test(c))).toBe(true);
    // Every demo tenant has its access in the data directory.
    const access = readFileSync(join(dataDir, 'fis-demo-zugaenge.txt'), 'utf8');
    for (const tenant of ['11000', '01001', '01054', '09461', '03159', '05515']) expect(access).toContain(`(${tenant})`);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = startCli({ LAGEBILD_PORT: '0' });
    await waitFor(() => second.output().match(/FIS \(Berlin/), 'the FIS URL on the second start', 60_000);
    expect(second.output()).toContain('Demo: bereits geladen, die Daten werden weiter genutzt.');
    expect(second.output()).not.toContain('Demo wird geladen');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 300_000);

  it('starts without the demo on request, serves /health and exits 0 on SIGTERM', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lagebild-start-empty-'));
    try {
      const { child, output, exited } = startCli({ LAGEBILD_PORT: '0', LAGEBILD_DATA_DIR: empty }, ['--ohne-demo']);
      const [, url] = await waitFor(() => output().match(/Lagebild läuft: (http:\/\/\S+)/), 'the start banner');
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      expect(existsSync(join(empty, 'auth', 'keys.json'))).toBe(true);
      expect(output()).not.toContain('Demo');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses to start with a misspelt setting, naming the variable', async () => {
    const { output, exited } = startCli({ LAGEBILD_PROT: '8080' });
    expect(await exited).toBe(1);
    expect(output()).toContain('LAGEBILD_PROT');
    expect(output()).toMatch(/LAGEBILD_PORT/);
  });
});
