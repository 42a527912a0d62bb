export * from './generated';
export {
  createCodec,
  type CodecOptions,
  type EncodedIntegrationEvent,
  type EventEnvelope,
  type IntegrationEvent,
  type IntegrationEventCodec,
} from './codec';
export {
  checkCompatibility,
  checkFullTransitive,
  type CompatibilityDirection,
  type CompatibilityProblem,
  type Incompatibility,
  type IncompatibilityKind,
  type VersionedSchema,
} from './compatibility';
export {
  ContractsError,
  CorruptMessageError,
  EventTypeMismatchError,
  InvalidEventError,
  InvalidMagicError,
  SchemaRepositoryError,
  TruncatedMessageError,
  UnknownEventTypeError,
  UnknownSchemaError,
  type ContractsErrorCode,
  type EventIssue,
  type SchemaFileProblem,
} from './errors';
export {
  crc64Avro,
  fingerprintToHex,
  parsingCanonicalForm,
  schemaFingerprint,
  type AvroSchema,
  type AvroSchemaObject,
} from './fingerprint';
export { checkSchemaRepository, lockSchemaVersions, type SchemaCheckKind, type SchemaCheckProblem } from './schema-check';
export {
  defaultSchemasDir,
  envelopeSchemaCatalog,
  loadSchemaRepository,
  readSchemaRepository,
  type SchemaContext,
  type SchemaHistory,
  type SchemaRepository,
  type SchemaVersion,
} from './schemas';
export { readSingleObject, singleObjectHeader, SINGLE_OBJECT_HEADER_LENGTH, SINGLE_OBJECT_MAGIC, type SingleObject } from './single-object';
export { boundedContexts, isBoundedContext, topicOfContext, type BoundedContext, type Topic } from './topics';
export { exampleIntegrationEvent, exampleIntegrationEvents } from './examples';
export { outboxMapper, type OutboxRecordLike, type StoredEventLike } from './outbox';

/**
 * The generated types are the reader's view, in which a field with a default may be absent. A
 * producer writes every field: `Complete<T>` is that writer's view (defaults written out,
 * through nested records and arrays).
 */
export type Complete<T> = T extends readonly (infer U)[] ? Array<Complete<U>> : T extends object ? { [K in keyof T]-?: Complete<T[K]> } : T;
