export { openLmdbEnvironment, LmdbClosedError, LMDB_ENVIRONMENT_OPTIONS, type LmdbEnvironment } from './environment';
export { assertKeyPart, InvalidKeyError, MAX_KEY_BYTES } from './keys';
