import { decodeRecord, RecordEncoder } from '../../src/log/record-codec';

describe('log record codec', () => {
  it('round-trips key, headers, timestamp and value bytes, also with umlauts and emoji', () => {
    const encoder = new RecordEncoder();
    const value = Buffer.from([0, 1, 2, 250, 255]);
    const bytes = Buffer.from(encoder.encode(1_700_000_000_123, 'gebiet-Köln-🏙', { 'event-id': 'e-1', tenant: '05315000', leer: '' }, value));
    expect(decodeRecord(bytes)).toEqual({ timestamp: 1_700_000_000_123, key: 'gebiet-Köln-🏙', headers: { 'event-id': 'e-1', tenant: '05315000', leer: '' }, value });
  });

  it('encodes records without headers and with an empty value', () => {
    const encoder = new RecordEncoder();
    const decoded = decodeRecord(Buffer.from(encoder.encode(0, '', undefined, Buffer.alloc(0))));
    expect(decoded).toEqual({ timestamp: 0, key: '', headers: {}, value: Buffer.alloc(0) });
  });

  it('grows for a value larger than its buffer and keeps encoding small records afterwards', () => {
    const encoder = new RecordEncoder();
    const large = Buffer.alloc(1_000_000, 7);
    expect(decodeRecord(Buffer.from(encoder.encode(1, 'k', {}, large))).value.equals(large)).toBe(true);
    expect(decodeRecord(Buffer.from(encoder.encode(2, 'k2', { a: 'b' }, Buffer.from('x')))).key).toBe('k2');
  });

  it('refuses bytes of an unknown format instead of misreading them', () => {
    expect(() => decodeRecord(Buffer.from([9, 0, 0]))).toThrow(/Unbekanntes Format 9/);
  });
});
