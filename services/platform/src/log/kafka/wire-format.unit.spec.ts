import {
  confluentSchemaId,
  confluentToSingleObject,
  fingerprintHex,
  isConfluentFramed,
  isSingleObject,
  singleObjectFingerprint,
  singleObjectToConfluent,
  WireFormatError,
} from './wire-format';

/** The fingerprint of the Avro schema "int" (a published test vector of the Avro specification). */
const INT_FINGERPRINT = 8247732601305521295n;
const BODY = Buffer.from([0x02, 0x0a, 0x4b, 0xc3, 0xb6, 0x6c, 0x6e]);

function singleObject(fingerprint: bigint, body: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header[0] = 0xc3;
  header[1] = 0x01;
  header.writeBigUInt64LE(fingerprint, 2);
  return Buffer.concat([header, body]);
}

describe('Avro single-object and Confluent wire format', () => {
  it('swaps the single-object header for magic byte 0 and the big-endian schema id, keeping the body', () => {
    const confluent = singleObjectToConfluent(singleObject(INT_FINGERPRINT, BODY), 0x01020304);
    expect([...confluent.subarray(0, 5)]).toEqual([0x00, 0x01, 0x02, 0x03, 0x04]);
    expect(confluent.subarray(5).equals(BODY)).toBe(true);
    expect(confluentSchemaId(confluent)).toBe(0x01020304);
  });

  it('turns a Confluent value back into the same single-object bytes', () => {
    const original = singleObject(INT_FINGERPRINT, BODY);
    const confluent = singleObjectToConfluent(original, 17);
    expect(confluentToSingleObject(confluent, INT_FINGERPRINT).equals(original)).toBe(true);
  });

  it('writes the fingerprint little endian, also one with the top bit set (negative as a signed long)', () => {
    const negative = -4824392279771201922n;
    const bytes = confluentToSingleObject(Buffer.from([0, 0, 0, 0, 9, ...BODY]), negative);
    expect(bytes.readBigInt64LE(2)).toBe(negative);
    expect(singleObjectFingerprint(bytes)).toBe(BigInt.asUintN(64, negative));
    expect(fingerprintHex(negative)).toBe('0xbd0c50c84319be7e');
  });

  it('keeps an empty body (a record with no fields)', () => {
    const original = singleObject(INT_FINGERPRINT, Buffer.alloc(0));
    const confluent = singleObjectToConfluent(original, 1);
    expect(confluent.length).toBe(5);
    expect(confluentToSingleObject(confluent, INT_FINGERPRINT).equals(original)).toBe(true);
  });

  it('recognises each framing only with its complete header', () => {
    expect(isSingleObject(singleObject(INT_FINGERPRINT, BODY))).toBe(true);
    expect(isSingleObject(Buffer.from([0xc3, 0x01, 0, 0]))).toBe(false);
    expect(isSingleObject(Buffer.from('eins'))).toBe(false);
    expect(isConfluentFramed(Buffer.from([0, 0, 0, 0, 1]))).toBe(true);
    expect(isConfluentFramed(Buffer.from([0, 0, 0]))).toBe(false);
    expect(isConfluentFramed(Buffer.from([0xc3, 0x01, 0, 0, 0]))).toBe(false);
  });

  it('refuses a value in the wrong framing with a German message naming its first bytes', () => {
    const error = (() => {
      try {
        singleObjectToConfluent(Buffer.from('eins'), 1);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(WireFormatError);
    expect((error as Error).message).toMatch(/nicht in Avro-Single-Object-Kodierung.*4 Bytes, beginnend mit 65 69 6E 73/);
    expect(() => confluentToSingleObject(Buffer.from([0xc3, 0x01]), 1n)).toThrow(/nicht im Confluent-Format/);
    expect(() => singleObjectToConfluent(singleObject(1n, BODY), 2 ** 32)).toThrow(/Schema-ID muss eine ganze Zahl/);
  });
});
