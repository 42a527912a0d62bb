/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, `setupTelemetry` exports spans to `<endpoint>/v1/traces`
 * and metrics (the warehouse's projection lag and others made with `@opentelemetry/api`) to
 * `<endpoint>/v1/metrics`, named after the service. A small HTTP server stands in for the
 * collector and records what arrives. The exporting side runs as its own process on the built
 * package (`npm test` builds first), as a service does: inside jest's module sandbox the OTLP
 * HTTP transport does not send.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { setupTelemetry } from './telemetry';

let server: Server;
let endpoint: string;
const received: Array<{ path: string; body: Buffer }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const EXPORTER = `
const { metrics } = require('@opentelemetry/api');
const { setupTelemetry, withSpan } = require(process.argv[1]);
(async () => {
  const telemetry = setupTelemetry({ serviceName: 'lagebild-test', otlpEndpoint: process.argv[2], metricsIntervalMs: 60000 });
  if (!telemetry.exporting) throw new Error('not exporting');
  await withSpan('delivery accepted', { 'lagebild.tenant': '11000' }, async () => undefined);
  metrics.getMeter('lagebild-test').createObservableGauge('lagebild.test.lag').addCallback((result) => result.observe(3));
  // Shutdown flushes both: the batch span processor and the periodic metric reader.
  await telemetry.shutdown();
})().catch((error) => { console.error(error); process.exit(1); });
`;

it('exports traces and metrics over OTLP/HTTP when an endpoint is configured', async () => {
  const built = path.resolve(__dirname, '../../dist/runtime/telemetry.js');
  await promisify(execFile)(process.execPath, ['-e', EXPORTER, built, endpoint], { cwd: path.resolve(__dirname, '../..') });
  const paths = received.map((r) => r.path);
  expect(paths).toContain('/v1/traces');
  expect(paths).toContain('/v1/metrics');
  const tracesBody = received.find((r) => r.path === '/v1/traces')!.body.toString('utf8');
  const metricsBody = received.find((r) => r.path === '/v1/metrics')!.body.toString('utf8');
  // OTLP/HTTP JSON: service name, span name and metric name travel as strings.
  expect(tracesBody).toContain('lagebild-test');
  expect(tracesBody).toContain('delivery accepted');
  expect(metricsBody).toContain('lagebild.test.lag');
});

it('registers nothing without an endpoint', async () => {
  const telemetry = setupTelemetry({ serviceName: 'lagebild-test' });
  expect(telemetry.exporting).toBe(false);
  await telemetry.shutdown();
});
