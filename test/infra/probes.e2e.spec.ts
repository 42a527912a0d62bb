/**
 * The probe paths the deployment files use (Dockerfile HEALTHCHECK, docker compose healthchecks,
 * Kubernetes startup, liveness and readiness probes) are answered by the service runtime's HTTP
 * app without a token, through real HTTP: /health while the process lives, /ready while its
 * checks pass and 503 while one fails.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp, type ReadinessChecks, silentLogger } from '@lagebild/platform';
import { PROBE_PATHS } from './deployment';

let failing = false;
let server: Server;
let base: string;

beforeAll(async () => {
  const readiness: ReadinessChecks = {
    eventLog: async () => {
      if (failing) throw new Error('Broker nicht erreichbar');
    },
  };
  const app = createApp({ service: 'probe', logger: silentLogger(), readiness });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('probe paths of the deployment files', () => {
  it.each(PROBE_PATHS)('answers %s with 200 and without a token', async (probe) => {
    failing = false;
    const res = await fetch(`${base}${probe}`);
    expect(res.status).toBe(200);
  });

  it('answers /health while a dependency is down, and /ready with 503', async () => {
    failing = true;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(503);
  });
});
