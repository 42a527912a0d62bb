import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createLogger } from './logger';
import { contextFromTraceparent, currentTraceparent, SpanKind, withSpan } from './telemetry';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register();
});

afterEach(() => {
  exporter.reset();
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

function finished(name: string) {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (!span) throw new Error(`no finished span ${name}`);
  return span;
}

describe('trace context carried in event headers', () => {
  it('continues the producer’s trace in a consumer span started from the event’s traceparent', async () => {
    // Producer: the command handler appends an event and stores the traceparent in its headers.
    const headers = await withSpan('goals.setTargetValue', { 'lagebild.tenant': '05315000' }, async () => ({
      'event-id': 'e-1',
      traceparent: currentTraceparent(),
    }));

    // Consumer: later, possibly in another process, with no active span of its own.
    await withSpan('warehouse.project', { 'event.id': headers['event-id'] }, async () => {}, {
      parent: contextFromTraceparent(headers.traceparent),
      kind: SpanKind.CONSUMER,
    });

    const producer = finished('goals.setTargetValue');
    const consumer = finished('warehouse.project');
    expect(headers.traceparent).toBe(`00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`);
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
  });

  it('has no traceparent outside of any span', () => {
    expect(currentTraceparent()).toBeNull();
  });

  it('starts a new trace when the header is missing or malformed', async () => {
    const producerTraceId = await withSpan('producer', {}, (span) => span.spanContext().traceId);

    await withSpan('from-garbage', {}, async () => {}, { parent: contextFromTraceparent('00-not-a-trace-01') });
    await withSpan('from-nothing', {}, async () => {}, { parent: contextFromTraceparent(undefined) });

    for (const name of ['from-garbage', 'from-nothing']) {
      expect(finished(name).spanContext().traceId).not.toBe(producerTraceId);
      expect(finished(name).parentSpanContext).toBeUndefined();
    }
  });
});

describe('withSpan', () => {
  it('nests spans and records attributes', async () => {
    await withSpan('outer', { 'lagebild.tenant': '05334' }, () => withSpan('inner', {}, () => 'done'));

    expect(finished('outer').attributes).toEqual({ 'lagebild.tenant': '05334' });
    expect(finished('inner').parentSpanContext?.spanId).toBe(finished('outer').spanContext().spanId);
  });

  it('marks the span as failed and rethrows the original error', async () => {
    const failure = new Error('version conflict');

    await expect(withSpan('failing', {}, async () => Promise.reject(failure))).rejects.toBe(failure);

    expect(finished('failing').status).toEqual({ code: SpanStatusCode.ERROR, message: 'version conflict' });
    expect(finished('failing').events.map((e) => e.name)).toContain('exception');
  });

  it('puts the active trace and span id on log lines', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ service: 'goals', destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } });

    const spanContext = await withSpan('logged', {}, (span) => {
      logger.info('inside');
      return span.spanContext();
    });
    logger.info('outside');

    expect(lines[0]).toMatchObject({ msg: 'inside', traceId: spanContext.traceId, spanId: spanContext.spanId });
    expect(lines[1]).not.toHaveProperty('traceId');
  });
});
