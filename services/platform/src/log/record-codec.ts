/**
 * Binary layout of a stored log record (little endian):
 *
 *   u8  format (1) | f64 timestamp | u32 key length | key (UTF-8)
 *   u16 header count | per header: u16 name length, name, u32 value length, value (UTF-8)
 *   value bytes (the rest)
 *
 * Hand-written instead of msgpack: the record is mostly opaque bytes plus a few short strings,
 * and this layout decodes the value as a view of the bytes LMDB hands out, without a copy.
 */
const FORMAT = 1;

export interface DecodedRecord {
  timestamp: number;
  key: string;
  headers: Record<string, string>;
  value: Buffer;
}

/** Reused between records; the encoded bytes are copied into LMDB before it is written again. */
export class RecordEncoder {
  private buffer = Buffer.allocUnsafe(64 * 1024);

  /** Returns a view into the encoder's buffer, valid until the next call. */
  encode(timestamp: number, key: string, headers: Record<string, string> | undefined, value: Uint8Array): Buffer {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit; reserve for the worst case.
    let worst = 1 + 8 + 4 + key.length * 3 + 2 + value.byteLength;
    if (headers) for (const name in headers) worst += 6 + (name.length + headers[name]!.length) * 3;
    if (worst > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(worst, this.buffer.length * 2));
    const buf = this.buffer;
    buf[0] = FORMAT;
    buf.writeDoubleLE(timestamp, 1);
    let offset = 13;
    const keyBytes = buf.write(key, offset, 'utf8');
    buf.writeUInt32LE(keyBytes, 9);
    offset += keyBytes;
    const countAt = offset;
    offset += 2;
    let count = 0;
    if (headers) {
      for (const name in headers) {
        const nameBytes = buf.write(name, offset + 2, 'utf8');
        buf.writeUInt16LE(nameBytes, offset);
        offset += 2 + nameBytes;
        const valueBytes = buf.write(headers[name]!, offset + 4, 'utf8');
        buf.writeUInt32LE(valueBytes, offset);
        offset += 4 + valueBytes;
        count += 1;
      }
    }
    buf.writeUInt16LE(count, countAt);
    buf.set(value, offset);
    offset += value.byteLength;
    return buf.subarray(0, offset);
  }
}

/** `bytes` must be a buffer of its own (LMDB range reads copy), since the value is a view of it. */
export function decodeRecord(bytes: Buffer): DecodedRecord {
  if (bytes[0] !== FORMAT) throw new Error(`Unbekanntes Format ${String(bytes[0])} eines gespeicherten Datensatzes.`);
  const timestamp = bytes.readDoubleLE(1);
  const keyLength = bytes.readUInt32LE(9);
  let offset = 13;
  const key = bytes.toString('utf8', offset, offset + keyLength);
  offset += keyLength;
  const count = bytes.readUInt16LE(offset);
  offset += 2;
  const headers: Record<string, string> = {};
  for (let i = 0; i < count; i += 1) {
    const nameLength = bytes.readUInt16LE(offset);
    const name = bytes.toString('utf8', offset + 2, offset + 2 + nameLength);
    offset += 2 + nameLength;
    const valueLength = bytes.readUInt32LE(offset);
    headers[name] = bytes.toString('utf8', offset + 4, offset + 4 + valueLength);
    offset += 4 + valueLength;
  }
  return { timestamp, key, headers, value: bytes.subarray(offset) };
}
