export { openLmdbEnvironment, LmdbClosedError, type LmdbEnvironment } from './environment';
export { assertKeyPart, InvalidKeyError, MAX_KEY_BYTES } from './keys';
