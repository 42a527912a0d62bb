/**
 * Which bytes-to-text decoding a delivered text file needs. German offices deliver UTF-8 (often
 * with a BOM, as Excel writes "CSV UTF-8") or Windows-1252 (Excel's plain "CSV"). Detection:
 * a BOM decides; else a sample that decodes as strict UTF-8 is UTF-8 (Windows-1252 umlauts are
 * never valid UTF-8 sequences in practice); else Windows-1252. A profile or a delivery may
 * override the result.
 */
import { isUtf8 } from 'node:buffer';
import type { Encoding } from './spec';

export type ConcreteEncoding = Exclude<Encoding, 'auto'>;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export const DETECTION_SAMPLE_BYTES = 64 * 1024;

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

/**
 * Length of the prefix of `bytes` that ends on a character boundary, so a sample or a chunk cut
 * inside a multi-byte sequence is not mistaken for invalid UTF-8.
 */
export function completeUtf8Prefix(bytes: Uint8Array): number {
  const end = bytes.length;
  // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
  let i = end - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (bytes[i]! & 0xc0) === 0x80) {
    i -= 1;
    continuation += 1;
  }
  if (i < 0) return end;
  const lead = bytes[i]!;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return end - i >= needed ? end : i;
}

/** Decides the encoding from the first bytes of a file. */
export function detectEncoding(sample: Uint8Array): ConcreteEncoding {
  if (hasUtf8Bom(sample)) return 'utf-8-bom';
  const complete = sample.subarray(0, completeUtf8Prefix(sample));
  // A strict decode, as the brief demands: TextDecoder with fatal throws on the first bad byte.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(complete);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/**
 * Validates UTF-8 chunk by chunk (node's native isUtf8; sequences cut at a chunk border are
 * carried over), counting lines so that a bad byte can be reported with its line.
 */
export class Utf8Validator {
  private carry: Buffer = Buffer.alloc(0);
  private lines = 1;
  private offset = 0;

  /** Returns undefined when the chunk is valid, else the 1-based line and byte offset of the first bad byte. */
  push(chunk: Buffer): { line: number; offset: number } | undefined {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = completeUtf8Prefix(bytes);
    const body = bytes.subarray(0, cut);
    if (!isUtf8(body)) return this.locate(body);
    this.countLines(body);
    this.offset += body.length;
    this.carry = Buffer.from(bytes.subarray(cut));
    return undefined;
  }

  /** At the end of input a carried incomplete sequence is an error. */
  end(): { line: number; offset: number } | undefined {
    if (this.carry.length === 0) return undefined;
    return { line: this.lines, offset: this.offset };
  }

  private countLines(body: Buffer): void {
    let at = body.indexOf(10);
    while (at !== -1) {
      this.lines += 1;
      at = body.indexOf(10, at + 1);
    }
  }

  /** Only on failure: find the first invalid sequence byte by byte. */
  private locate(body: Buffer): { line: number; offset: number } {
    let i = 0;
    let line = this.lines;
    while (i < body.length) {
      const b = body[i]!;
      if (b === 10) line += 1;
      const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
      if (length === 0 || i + length > body.length || !isUtf8(body.subarray(i, i + length))) {
        return { line, offset: this.offset + i };
      }
      i += length;
    }
    return { line, offset: this.offset + body.length };
  }
}

export function describeEncoding(encoding: ConcreteEncoding): string {
  switch (encoding) {
    case 'utf-8':
      return 'UTF-8';
    case 'utf-8-bom':
      return 'UTF-8 mit BOM';
    case 'windows-1252':
      return 'Windows-1252';
    default: {
      const _exhaustive: never = encoding;
      return _exhaustive;
    }
  }
}
