/**
 * LMDB keys are limited to 1978 bytes, and lmdb-js's ordered-binary key encoding separates
 * the parts of a composite key with NUL bytes, so a key part must not contain one.
 */
export const MAX_KEY_BYTES = 1978;

export class InvalidKeyError extends Error {
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidKeyError';
  }
}

/**
 * Checks one part of a composite key. `label` names the part for the German message, e.g.
 * `Der Stream-Name`.
 */
export function assertKeyPart(value: unknown, label: string, maxBytes: number, allowEmpty = false): asserts value is string {
  if (typeof value !== 'string') throw new InvalidKeyError(`${label} muss ein Text sein.`);
  if (!allowEmpty && value.length === 0) throw new InvalidKeyError(`${label} darf nicht leer sein.`);
  if (value.includes('\u0000')) throw new InvalidKeyError(`${label} darf kein Nullzeichen enthalten.`);
  if (Buffer.byteLength(value) > maxBytes) {
    throw new InvalidKeyError(`${label} ist zu lang (höchstens ${maxBytes} Bytes).`);
  }
}
