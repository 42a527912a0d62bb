import iconv from 'iconv-lite';
import { detectEncoding } from '../../src/files';
import { completeUtf8Prefix, Utf8Validator } from '../../src/files/encoding';

describe('encoding detection', () => {
  const text = 'Gebiet;Einwohner\nSüdstadt;1 234\nGroß Borstel;5\n';

  it('recognises a BOM, valid UTF-8 and Windows-1252', () => {
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toBe('utf-8-bom');
    expect(detectEncoding(Buffer.from(text))).toBe('utf-8');
    expect(detectEncoding(iconv.encode(text, 'win1252'))).toBe('windows-1252');
  });

  it('does not mistake a sample cut inside a multi-byte character for Windows-1252', () => {
    const bytes = Buffer.from('aaü');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1))).toBe('utf-8');
    expect(completeUtf8Prefix(bytes.subarray(0, bytes.length - 1))).toBe(2);
  });

  it('validates chunk by chunk and names the line of the first bad byte', () => {
    const validator = new Utf8Validator();
    const good = Buffer.from('a;b\nSüd;1\n');
    // A chunk border inside "ü" is fine.
    expect(validator.push(good.subarray(0, 6))).toBeUndefined();
    expect(validator.push(good.subarray(6))).toBeUndefined();
    expect(validator.push(Buffer.concat([Buffer.from('x;1\n'), iconv.encode('Süd;2\n', 'win1252')]))).toEqual({ line: 4, offset: 16 });
  });
});
