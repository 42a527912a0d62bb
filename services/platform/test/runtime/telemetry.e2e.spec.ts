import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertRuntimeBuilt, runFixture } from './child';

let collector: Server;
let endpoint: string;
const received: Array<{ url: string | undefined; body: string }> = [];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  assertRuntimeBuilt();
  collector = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ url: req.url, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => collector.close(resolve));
});

describe('telemetry configured from OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('exports spans with the service name to <endpoint>/v1/traces', async () => {
    const child = runFixture('telemetry-child.js', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });

    const result = (await child.waitFor(() => true)) as { exporting: boolean; traceparent: string };
    const exit = await child.exited;

    expect(exit.code).toBe(0);
    expect(result.exporting).toBe(true);
    const traceId = result.traceparent.split('-')[1]!;
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe('/v1/traces');
    expect(received[0]!.body).toContain('goals.setTargetValue');
    expect(received[0]!.body).toContain('lagebild-goals');
    expect(received[0]!.body).toContain(traceId);
  });

  it('exports nothing and registers no SDK without an endpoint', async () => {
    const before = received.length;
    const child = runFixture('telemetry-child.js', {});

    const result = (await child.waitFor(() => true)) as { exporting: boolean; traceparent: string | null };
    await child.exited;

    expect(result).toEqual({ exporting: false, traceparent: null });
    expect(received.length).toBe(before);
  });
});
