/**
 * Tracing (ARCHITECTURE.md 10): code uses only `@opentelemetry/api`, so spans cost nothing until
 * `setupTelemetry` registers the SDK, which it does only when an OTLP endpoint is configured.
 * Trace context crosses the event log as a W3C `traceparent` header: the producer stores
 * `currentTraceparent()` with the event, the consumer starts its span in
 * `contextFromTraceparent(headers.traceparent)`, and both spans share one trace id.
 */
import {
  context,
  metrics,
  type Attributes,
  type Context,
  isSpanContextValid,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Logger } from './logger';

export { SpanKind };

const TRACER_NAME = '@lagebild/platform';

// Used directly rather than through the global propagator, so event headers carry trace context
// the same way whether or not an SDK registered one.
const propagator = new W3CTraceContextPropagator();

const carrierGetter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};
const carrierSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};

export interface SpanOptions {
  /** Parent context, e.g. `contextFromTraceparent(record.headers.traceparent)`; default: the active one. */
  parent?: Context;
  /** @default SpanKind.INTERNAL */
  kind?: SpanKind;
}

/**
 * Runs `fn` inside a new active span. A thrown error is recorded on the span (status ERROR)
 * and rethrown unchanged; the span always ends.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
  options: SpanOptions = {},
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(name, { attributes, kind: options.kind ?? SpanKind.INTERNAL }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** W3C `traceparent` of the active span, or null when no (valid) span is active. */
export function currentTraceparent(ctx: Context = context.active()): string | null {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return null;
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, carrierSetter);
  return carrier.traceparent ?? null;
}

/**
 * A context whose parent is the span described by `traceparent`; start a consumer span in it to
 * continue the producer's trace. A missing or malformed value yields `base` unchanged (a new
 * trace), never an error: trace context is advisory.
 */
export function contextFromTraceparent(traceparent: string | null | undefined, base: Context = context.active()): Context {
  if (!traceparent) return base;
  return propagator.extract(base, { traceparent }, carrierGetter);
}

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); without it nothing is registered. */
  otlpEndpoint?: string;
  logger?: Logger;
  /** How often metrics are pushed. @default 15000 */
  metricsIntervalMs?: number;
}

export interface Telemetry {
  /** True when an SDK was registered and spans are exported. */
  readonly exporting: boolean;
  /** Flushes pending spans; call during graceful shutdown. */
  shutdown(): Promise<void>;
}

/** Registers the tracing SDK with an OTLP/HTTP exporter, only when an endpoint is configured. */
export function setupTelemetry(options: TelemetryOptions): Telemetry {
  if (!options.otlpEndpoint) {
    return { exporting: false, shutdown: async () => {} };
  }
  const base = options.otlpEndpoint.endsWith('/') ? options.otlpEndpoint : `${options.otlpEndpoint}/`;
  const resource = resourceFromAttributes({ 'service.name': options.serviceName });
  const exporter = new OTLPTraceExporter({ url: new URL('v1/traces', base).toString() });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  // Metrics (projection lag, ...) are read every `metricsIntervalMs` and pushed to the same collector.
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: new URL('v1/metrics', base).toString() }),
        exportIntervalMillis: options.metricsIntervalMs ?? 15_000,
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  options.logger?.info({ otlpEndpoint: options.otlpEndpoint }, 'exporting traces and metrics via OTLP/HTTP');
  return {
    exporting: true,
    shutdown: async () => {
      try {
        await provider.shutdown();
        await meterProvider.shutdown();
      } catch (error) {
        options.logger?.warn({ err: error }, 'could not flush all spans and metrics on shutdown');
      } finally {
        metrics.disable();
      }
    },
  };
}
