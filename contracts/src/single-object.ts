import { InvalidMagicError, TruncatedMessageError } from './errors';

/**
 * Avro single-object encoding (specification, "Single object encoding"): the two marker bytes
 * C3 01, the schema's CRC-64-AVRO fingerprint as 8 bytes little-endian, then the Avro binary
 * body. The fingerprint lets a reader find the writer's schema without a registry server.
 */
export const SINGLE_OBJECT_MAGIC: readonly [number, number] = [0xc3, 0x01];
export const SINGLE_OBJECT_HEADER_LENGTH = 10;

export function singleObjectHeader(fingerprint: bigint): Buffer {
  const header = Buffer.allocUnsafe(SINGLE_OBJECT_HEADER_LENGTH);
  header[0] = SINGLE_OBJECT_MAGIC[0];
  header[1] = SINGLE_OBJECT_MAGIC[1];
  header.writeBigUInt64LE(fingerprint, 2);
  return header;
}

export interface SingleObject {
  fingerprint: bigint;
  /** The binary body (a view into the given bytes, not a copy). */
  body: Buffer;
}

/** Splits a single-object encoded message into fingerprint and body; checks the header only. */
export function readSingleObject(bytes: Buffer): SingleObject {
  const magicSeen = bytes.subarray(0, Math.min(bytes.length, 2));
  if ((magicSeen.length > 0 && magicSeen[0] !== SINGLE_OBJECT_MAGIC[0]) || (magicSeen.length > 1 && magicSeen[1] !== SINGLE_OBJECT_MAGIC[1])) {
    throw new InvalidMagicError(hexBytes(magicSeen));
  }
  if (bytes.length < SINGLE_OBJECT_HEADER_LENGTH) {
    throw new TruncatedMessageError(
      `${bytes.length} Bytes, der Kopf (Magic Bytes und Fingerprint) allein braucht ${SINGLE_OBJECT_HEADER_LENGTH}.`,
    );
  }
  return { fingerprint: bytes.readBigUInt64LE(2), body: bytes.subarray(SINGLE_OBJECT_HEADER_LENGTH) };
}

export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}
