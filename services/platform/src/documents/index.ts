export { createLmdbDocumentStore, lmdbDocumentStoreLayout, type LmdbDocumentStoreOptions } from './lmdb-document-store';
export { createMongoDocumentStore, type MongoDocumentStoreOptions } from './mongo-document-store';
export {
  InvalidDocumentRequestError,
  validateCollection,
  validateDocumentKey,
  validateDocument,
  validateScanOptions,
  validateFilter,
  MAX_COLLECTION_BYTES,
  MAX_DOCUMENT_KEY_BYTES,
} from './validation';
