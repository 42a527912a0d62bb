/**
 * The load runner's short variant in `npm test`: `node test/load/run.mjs --seconds 10` starts
 * `lagebild start` with the demo on a fresh data directory and runs the three journeys at once
 * (FIS dashboard reads, deliveries, goal and contract writes). What a user relies on under
 * sustained load is that nothing fails: every journey gets answers, no request ends in a 5xx,
 * a socket error, a timeout or a refusal, and the server's memory is recorded. Speed is not
 * asserted here; `npm run bench` and the long run (`node test/load/run.mjs`) print figures.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const runner = resolve(__dirname, 'run.mjs');
const cli = resolve(__dirname, '../../services/cli/dist/main.js');

interface ScenarioReport {
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  fiveXx: number;
  statusCodes: Record<string, number>;
}

interface LoadReport {
  ok: boolean;
  scenarios: Record<string, ScenarioReport>;
  memory: { beforeBytes: number | null; afterBytes: number | null; settledBytes: number | null };
}

let report: LoadReport;
let output = '';
let exitCode: number | null;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('services/cli is not built: run `npm run build` (npm test does it first).');
  const dir = mkdtempSync(join(tmpdir(), 'lagebild-load-spec-'));
  try {
    const json = join(dir, 'last.json');
    exitCode = await new Promise<number | null>((done, fail) => {
      const child = spawn(process.execPath, [runner, '--seconds', '10', '--json', json], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('error', fail);
      child.on('exit', (code) => done(code));
    });
    if (!existsSync(json)) throw new Error(`The load runner wrote no report (exit ${exitCode}):\n${output.slice(-4000)}`);
    report = JSON.parse(readFileSync(json, 'utf8')) as LoadReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 900_000);

describe('the load runner, short variant', () => {
  it('runs all three journeys against the demo', () => {
    expect(Object.keys(report.scenarios).sort()).toEqual(['fis', 'lieferungen', 'ziele']);
    for (const scenario of Object.values(report.scenarios)) expect(scenario.requests).toBeGreaterThan(0);
  });

  it('answers no request with a 5xx', () => {
    for (const [name, scenario] of Object.entries(report.scenarios)) expect({ name, fiveXx: scenario.fiveXx }).toEqual({ name, fiveXx: 0 });
  });

  it('fails no request: no socket error, no timeout, no refusal', () => {
    for (const [name, scenario] of Object.entries(report.scenarios)) {
      const refusedWith = Object.keys(scenario.statusCodes).filter((code) => !code.startsWith('2'));
      expect({ name, errors: scenario.errors, timeouts: scenario.timeouts, refusedWith }).toEqual({ name, errors: 0, timeouts: 0, refusedWith: [] });
    }
    expect(report.ok).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('records the memory of the lagebild process before, right after and after the load', () => {
    for (const bytes of [report.memory.beforeBytes, report.memory.afterBytes, report.memory.settledBytes]) expect(bytes).toBeGreaterThan(0);
  });
});
