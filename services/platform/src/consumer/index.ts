export {
  runConsumer,
  defaultDeadLetterTopic,
  DEFAULT_RETRY_POLICY,
  DEAD_LETTER_HEADERS,
  EVENT_ID_HEADER,
  type ConsumerOptions,
  type HandlerContext,
  type RetryPolicy,
} from './runner';
export {
  createDocumentStoreProcessedEventIds,
  createInMemoryProcessedEventIds,
  processedIdsCollection,
  type ProcessedEventIds,
  type DocumentStoreProcessedEventIdsOptions,
} from './processed-ids';
export { onShutdownSignals, type ShutdownOptions } from './shutdown';
export { silentLogger, type Logger } from './logger';
export { pollLoop, type PollLoop } from './poll-loop';
