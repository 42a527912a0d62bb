export { createLmdbEventStore, lmdbEventStoreLayout, type LmdbEventStoreOptions } from './lmdb-event-store';
export { createMongoEventStore, connectMongo, MongoDeploymentError, MongoUnavailableError, type MongoEventStoreOptions, type MongoConnectionOptions } from './mongo-event-store';
export {
  WrongExpectedVersionError,
  InvalidEventStoreRequestError,
  isWrongExpectedVersionError,
  satisfiesExpectedVersion,
} from './errors';
export { validateAppend, validateStreamName, MAX_STREAM_NAME_BYTES } from './validation';
