/**
 * kafkajs logs through a `logCreator`; this one forwards to the platform's structured logger
 * (pino in services), so broker warnings land in the same JSON lines with `component: kafkajs`.
 * kafkajs' debug level is dropped: the platform logger has none, and it would flood the logs.
 */
import type { Logger } from '../../consumer/logger';

/** kafkajs' `logLevel` values (NOTHING 0, ERROR 1, WARN 2, INFO 4, DEBUG 5). */
export const KAFKAJS_LEVEL = { nothing: 0, error: 1, warn: 2, info: 4, debug: 5 } as const;

/** The shape of a kafkajs log entry (structural, so this file does not import kafkajs). */
export interface KafkaLogEntry {
  namespace: string;
  level: number;
  label: string;
  log: { message: string; timestamp?: string; [field: string]: unknown };
}

export function kafkaLogCreator(logger: Logger): (level: number) => (entry: KafkaLogEntry) => void {
  return () => (entry) => {
    const { message, timestamp: _timestamp, ...extra } = entry.log;
    const fields = { component: 'kafkajs', namespace: entry.namespace, ...extra };
    if (entry.level === KAFKAJS_LEVEL.error) logger.error(fields, message);
    else if (entry.level === KAFKAJS_LEVEL.warn) logger.warn(fields, message);
    else if (entry.level === KAFKAJS_LEVEL.info) logger.info(fields, message);
  };
}
