/**
 * Two framings of the same Avro binary body:
 *
 * - Avro single-object encoding (what the platform's values are, see contracts/): the marker
 *   bytes C3 01, the writer schema's CRC-64-AVRO fingerprint as 8 bytes little endian, body.
 *   Readers find the schema by fingerprint among the schemas shipped in contracts/.
 * - Confluent Schema Registry wire format: a zero magic byte, the schema's registry id as
 *   4 bytes big endian, body. Readers fetch the schema by id from the registry; this is what
 *   Kafka Connect, ksqlDB and other Confluent-aware tools expect on a topic.
 *
 * The body is the same bytes in both, so converting only swaps the few header bytes and never
 * decodes or re-encodes a value. The constants repeat the Avro specification here because the
 * platform does not depend on contracts/ at runtime.
 */

export const SINGLE_OBJECT_MARKER: readonly [number, number] = [0xc3, 0x01];
export const SINGLE_OBJECT_HEADER_BYTES = 10;
export const CONFLUENT_MAGIC_BYTE = 0;
export const CONFLUENT_HEADER_BYTES = 5;

/** A value that is not in the framing a conversion expects. Retrying cannot help. */
export class WireFormatError extends Error {
  readonly code = 'WIRE_FORMAT';
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

export function isSingleObject(bytes: Uint8Array): boolean {
  return bytes.length >= SINGLE_OBJECT_HEADER_BYTES && bytes[0] === SINGLE_OBJECT_MARKER[0] && bytes[1] === SINGLE_OBJECT_MARKER[1];
}

export function isConfluentFramed(bytes: Uint8Array): boolean {
  return bytes.length >= CONFLUENT_HEADER_BYTES && bytes[0] === CONFLUENT_MAGIC_BYTE;
}

/** The writer schema's fingerprint of a single-object encoded value. */
export function singleObjectFingerprint(bytes: Buffer): bigint {
  if (!isSingleObject(bytes)) {
    throw new WireFormatError(
      `Der Wert ist nicht in Avro-Single-Object-Kodierung (erwartet: C3 01 und 8 Bytes Fingerprint, vorhanden: ${describeStart(bytes)}).`,
    );
  }
  return bytes.readBigUInt64LE(2);
}

/** The registry id of a value in Confluent wire format. */
export function confluentSchemaId(bytes: Buffer): number {
  if (!isConfluentFramed(bytes)) {
    throw new WireFormatError(
      `Der Wert ist nicht im Confluent-Format (erwartet: Byte 00 und 4 Bytes Schema-ID, vorhanden: ${describeStart(bytes)}).`,
    );
  }
  return bytes.readUInt32BE(1);
}

/** Single-object encoding -> Confluent wire format with the given registry id. */
export function singleObjectToConfluent(bytes: Buffer, schemaId: number): Buffer {
  singleObjectFingerprint(bytes);
  assertSchemaId(schemaId);
  const body = bytes.subarray(SINGLE_OBJECT_HEADER_BYTES);
  const out = Buffer.allocUnsafe(CONFLUENT_HEADER_BYTES + body.length);
  out[0] = CONFLUENT_MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, CONFLUENT_HEADER_BYTES);
  return out;
}

/** Confluent wire format -> single-object encoding with the given fingerprint. */
export function confluentToSingleObject(bytes: Buffer, fingerprint: bigint): Buffer {
  confluentSchemaId(bytes);
  const body = bytes.subarray(CONFLUENT_HEADER_BYTES);
  const out = Buffer.allocUnsafe(SINGLE_OBJECT_HEADER_BYTES + body.length);
  out[0] = SINGLE_OBJECT_MARKER[0];
  out[1] = SINGLE_OBJECT_MARKER[1];
  out.writeBigUInt64LE(BigInt.asUintN(64, fingerprint), 2);
  body.copy(out, SINGLE_OBJECT_HEADER_BYTES);
  return out;
}

/** `0x` and 16 hex digits, as fingerprints are written in logs and messages. */
export function fingerprintHex(fingerprint: bigint): string {
  return `0x${BigInt.asUintN(64, fingerprint).toString(16).padStart(16, '0')}`;
}

function assertSchemaId(schemaId: number): void {
  if (!Number.isSafeInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw new WireFormatError(`Die Schema-ID muss eine ganze Zahl von 0 bis 4294967295 sein, nicht ${String(schemaId)}.`);
  }
}

function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'ein leerer Wert';
  const shown = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  return `${bytes.length} Bytes, beginnend mit ${shown}`;
}
