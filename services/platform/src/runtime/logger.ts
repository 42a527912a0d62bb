/**
 * Structured JSON logs (pino), one line per event, with the service name on every line and the
 * trace of the active span, so a log line leads to its trace. Credentials never reach a log:
 * authorization headers, cookies, tokens, passwords and keys are redacted by path.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';

export type Logger = pino.Logger;
export type LogDestination = pino.DestinationStream;

/** Paths pino replaces with `[redacted]`; one level of nesting for the generic names. */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  '*.authorization',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'password',
  '*.password',
  'privateKey',
  '*.privateKey',
  'secret',
  '*.secret',
];

export interface LoggerOptions {
  /** Service name, on every line as `service`. */
  service: string;
  /** @default 'info' */
  level?: pino.LevelWithSilent;
  /** Where lines go; stdout when omitted (tests pass a stream to read them back). */
  destination?: LogDestination;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names instead of numbers: log shippers and humans read them without a table.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      mixin() {
        const spanContext = trace.getActiveSpan()?.spanContext();
        return spanContext && isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {};
      },
    },
    options.destination,
  );
}

/** A logger that drops everything (defaults for optional logger dependencies). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
