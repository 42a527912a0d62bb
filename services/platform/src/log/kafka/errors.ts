/**
 * A Kafka operation that failed after kafkajs' own retries. Keeps the kafkajs error as `cause`
 * and says whether trying again later can help (STYLE.md 6): a broker that is down or a leader
 * election comes back, a refused authentication or an oversized record does not.
 */
export class KafkaEventLogError extends Error {
  readonly code = 'KAFKA_EVENT_LOG';
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaEventLogError';
    this.retriable = options.retriable;
  }
}

/** kafkajs marks its errors `retriable`; an error without the mark is treated as lasting. */
export function isRetriableKafkaError(error: unknown): boolean {
  if (isKafkaAuthenticationError(error)) return false;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const candidate = current as { name?: unknown; retriable?: unknown; cause?: unknown };
    if (candidate.name === 'KafkaJSNumberOfRetriesExceeded' || candidate.name === 'KafkaJSConnectionError' || candidate.name === 'KafkaJSRequestTimeoutError') return true;
    if (candidate.retriable === true) return true;
    current = candidate.cause;
  }
  return false;
}

/** A refused SASL login: wrong credentials or mechanism; retrying cannot help. */
export function isKafkaAuthenticationError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    if ((current as { name?: unknown }).name === 'KafkaJSSASLAuthenticationError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The error's own words plus those of its causes, for a German message that names the reason. */
export function describeKafkaError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.includes(message)) parts.push(message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(': ') || 'unbekannter Fehler';
}
