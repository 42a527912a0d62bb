import { startHost } from '../../src/runtime/host';
import { silentLogger } from '../../src/runtime/logger';
import express from 'express';
import { assertRuntimeBuilt, type Child, runFixture } from './child';

const children: Child[] = [];

function start(env: Record<string, string> = {}): Child {
  const child = runFixture('host-child.js', env);
  children.push(child);
  return child;
}

beforeAll(() => {
  assertRuntimeBuilt();
});

afterAll(() => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
});

describe('startHost in a process receiving SIGTERM', () => {
  it('stops accepting, finishes the request in flight, runs the shutdown hook, then exits 0', async () => {
    const child = start();
    const { url } = (await child.waitFor((e) => e.event === 'listening')) as { url: string };
    const inFlight = fetch(`${url}/api/test/slow?ms=700`);
    await child.waitFor((e) => e.event === 'request-started');

    child.process.kill('SIGTERM');
    await child.waitFor((e) => e.event === 'sigterm');
    const refused = await fetch(`${url}/health`).then(
      () => 'accepted',
      () => 'refused',
    );
    const response = await inFlight;
    const exit = await child.exited;

    expect(refused).toBe('refused');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.events.map((e) => e.event)).toEqual(['listening', 'request-started', 'sigterm', 'shutdown-hook-started', 'shutdown-hook-done']);
  });

  it('exits at once on a second signal while shutdown hangs', async () => {
    const child = start({ HANG_ON_SHUTDOWN: '1' });
    await child.waitFor((e) => e.event === 'listening');

    child.process.kill('SIGTERM');
    await child.waitFor((e) => e.event === 'shutdown-hook-started');
    child.process.kill('SIGTERM');
    const exit = await child.exited;

    expect(exit).toEqual({ code: 1, signal: null });
    expect(child.events.map((e) => e.event)).not.toContain('shutdown-hook-done');
  });

  it('cuts requests that outlast the shutdown timeout and still exits 0', async () => {
    const child = start({ SHUTDOWN_TIMEOUT_MS: '200' });
    const { url } = (await child.waitFor((e) => e.event === 'listening')) as { url: string };
    const inFlight = fetch(`${url}/api/test/slow?ms=5000`).then(
      (r) => r.status,
      () => 'cut',
    );
    await child.waitFor((e) => e.event === 'request-started');

    const started = Date.now();
    child.process.kill('SIGTERM');
    const exit = await child.exited;

    expect(await inFlight).toBe('cut');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('startHost in process', () => {
  it('serves several routers under one port and closes without exiting', async () => {
    const goals = express.Router().get('/ping', (_req, res) => void res.json({ service: 'goals' }));
    const budget = express.Router().get('/ping', (_req, res) => void res.json({ service: 'budget' }));
    let hookRan = false;
    const host = await startHost({
      name: 'lagebild',
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger(),
      handleSignals: false,
      mounts: [
        { path: '/api/goals', router: goals },
        { path: '/api/budget', router: budget },
      ],
      onShutdown: async () => {
        hookRan = true;
      },
    });

    const answers = await Promise.all([fetch(`${host.url}/api/goals/ping`), fetch(`${host.url}/api/budget/ping`)].map(async (r) => (await r).json()));
    await host.close();

    expect(answers).toEqual([{ service: 'goals' }, { service: 'budget' }]);
    expect(hookRan).toBe(true);
    expect(host.server.listening).toBe(false);
  });

  it('fails to start, rather than run half-way, when the port is taken', async () => {
    const first = await startHost({ name: 'first', port: 0, host: '127.0.0.1', logger: silentLogger(), handleSignals: false });
    try {
      await expect(
        startHost({ name: 'second', port: first.port, host: '127.0.0.1', logger: silentLogger(), handleSignals: false }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
