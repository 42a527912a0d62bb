// @lagebild/platform: ports, embedded adapters, outbox relay, consumer runner, service runtime,
// readers of delivered tabular files.
export * from './ports/event-store';
export * from './ports/event-log';
export * from './ports/document-store';
export * from './ports/warehouse';
export * from './lmdb';
export * from './store';
export * from './log';
export * from './documents';
export * from './outbox';
export {
  runConsumer,
  defaultDeadLetterTopic,
  DEFAULT_RETRY_POLICY,
  DEAD_LETTER_HEADERS,
  EVENT_ID_HEADER,
  type ConsumerOptions,
  type HandlerContext,
  type RetryPolicy,
  createDocumentStoreProcessedEventIds,
  createInMemoryProcessedEventIds,
  processedIdsCollection,
  type ProcessedEventIds,
  type DocumentStoreProcessedEventIdsOptions,
  onShutdownSignals,
  type ShutdownOptions,
  pollLoop,
  type PollLoop,
} from './consumer';
export * from './runtime';
export * from './warehouse';
export * from './files';
export * from './composition/service';
export * from './composition/platform';
export * from './composition/standalone';
export * from './tenancy';
