import { describeKafkaError, isKafkaAuthenticationError, isRetriableKafkaError } from './errors';

/** Errors shaped like kafkajs' (name, retriable, cause), without loading kafkajs. */
function kafkaError(name: string, message: string, extra: { retriable?: boolean; cause?: unknown } = {}): Error {
  return Object.assign(new Error(message, extra.cause === undefined ? undefined : { cause: extra.cause }), { name, retriable: extra.retriable ?? false });
}

describe('Kafka error classification', () => {
  it('treats exhausted retries, lost connections and errors kafkajs marks retriable as worth retrying later', () => {
    expect(isRetriableKafkaError(kafkaError('KafkaJSNumberOfRetriesExceeded', 'x', { cause: kafkaError('KafkaJSConnectionError', 'ECONNREFUSED') }))).toBe(true);
    expect(isRetriableKafkaError(kafkaError('KafkaJSProtocolError', 'Leader not available', { retriable: true }))).toBe(true);
    expect(isRetriableKafkaError(kafkaError('KafkaJSProtocolError', 'Message too large', { retriable: false }))).toBe(false);
    expect(isRetriableKafkaError(new Error('unbekannt'))).toBe(false);
  });

  it('recognises a refused login also behind a retry wrapper, and never calls it retriable', () => {
    const refused = kafkaError('KafkaJSNumberOfRetriesExceeded', 'retries', { cause: kafkaError('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed') });
    expect(isKafkaAuthenticationError(refused)).toBe(true);
    expect(isRetriableKafkaError(refused)).toBe(false);
    expect(isKafkaAuthenticationError(kafkaError('KafkaJSConnectionError', 'ECONNREFUSED'))).toBe(false);
  });

  it('names the error and its causes once each', () => {
    const error = kafkaError('KafkaJSNumberOfRetriesExceeded', 'Connection error', { cause: kafkaError('KafkaJSConnectionError', 'connect ECONNREFUSED 10.0.0.1:9092') });
    expect(describeKafkaError(error)).toBe('Connection error: connect ECONNREFUSED 10.0.0.1:9092');
    expect(describeKafkaError(kafkaError('A', 'gleich', { cause: kafkaError('B', 'gleich') }))).toBe('gleich');
  });
});
