/**
 * The validated observations of a delivery between the checking pass and the recording: a
 * delivery is all or nothing, so nothing may be appended before the last row has been checked,
 * yet millions of observations must not sit in memory as objects. They are kept here compactly
 * (23 bytes each: value, line, and indexes into the tables of areas, variables, breakdowns and
 * periods), one chunk per future ObservationsRecorded batch, in memory up to a bound and in a
 * temporary file beyond it.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ObservationStatus } from './model';

export const STATUS_CODES: readonly ObservationStatus[] = ['VALUE', 'ZERO_BY_DEFINITION', 'MISSING', 'SUPPRESSED', 'NOT_APPLICABLE', 'UNRELIABLE'];

const HEADER_BYTES = 16;

/** One future batch: observations of one scheme version. */
export class ChunkBuilder {
  readonly values: Float64Array;
  readonly lines: Uint32Array;
  readonly areas: Uint32Array;
  readonly variables: Uint16Array;
  readonly dimensions: Uint16Array;
  readonly periods: Uint16Array;
  readonly statuses: Uint8Array;
  count = 0;

  constructor(
    readonly schemeVersionIndex: number,
    readonly capacity: number,
  ) {
    this.values = new Float64Array(capacity);
    this.lines = new Uint32Array(capacity);
    this.areas = new Uint32Array(capacity);
    this.variables = new Uint16Array(capacity);
    this.dimensions = new Uint16Array(capacity);
    this.periods = new Uint16Array(capacity);
    this.statuses = new Uint8Array(capacity);
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  add(area: number, variable: number, dimensions: number, period: number, status: number, value: number, line: number): void {
    const i = this.count;
    this.areas[i] = area;
    this.variables[i] = variable;
    this.dimensions[i] = dimensions;
    this.periods[i] = period;
    this.statuses[i] = status;
    this.values[i] = value;
    this.lines[i] = line;
    this.count = i + 1;
  }

  seal(): Buffer {
    const n = this.count;
    const buffer = Buffer.alloc(HEADER_BYTES + 23 * n);
    buffer.writeUInt32LE(n, 0);
    buffer.writeUInt32LE(this.schemeVersionIndex, 4);
    const copy = (array: ArrayBufferView, offset: number, bytes: number) => buffer.set(new Uint8Array(array.buffer, array.byteOffset, bytes), offset);
    copy(this.values, HEADER_BYTES, 8 * n);
    copy(this.lines, HEADER_BYTES + 8 * n, 4 * n);
    copy(this.areas, HEADER_BYTES + 12 * n, 4 * n);
    copy(this.variables, HEADER_BYTES + 16 * n, 2 * n);
    copy(this.dimensions, HEADER_BYTES + 18 * n, 2 * n);
    copy(this.periods, HEADER_BYTES + 20 * n, 2 * n);
    copy(this.statuses, HEADER_BYTES + 22 * n, n);
    return buffer;
  }
}

export interface SpooledChunk {
  schemeVersionIndex: number;
  count: number;
  values: Float64Array;
  lines: Uint32Array;
  areas: Uint32Array;
  variables: Uint16Array;
  dimensions: Uint16Array;
  periods: Uint16Array;
  statuses: Uint8Array;
}

function unseal(sealed: Buffer): SpooledChunk {
  // Copy into a fresh, aligned ArrayBuffer: typed array views need aligned offsets.
  const bytes = new Uint8Array(sealed.length);
  bytes.set(sealed);
  const buffer = bytes.buffer;
  const view = new DataView(buffer);
  const n = view.getUint32(0, true);
  return {
    count: n,
    schemeVersionIndex: view.getUint32(4, true),
    values: new Float64Array(buffer, HEADER_BYTES, n),
    lines: new Uint32Array(buffer, HEADER_BYTES + 8 * n, n),
    areas: new Uint32Array(buffer, HEADER_BYTES + 12 * n, n),
    variables: new Uint16Array(buffer, HEADER_BYTES + 16 * n, n),
    dimensions: new Uint16Array(buffer, HEADER_BYTES + 18 * n, n),
    periods: new Uint16Array(buffer, HEADER_BYTES + 20 * n, n),
    statuses: new Uint8Array(buffer, HEADER_BYTES + 22 * n, n),
  };
}

export interface SpoolOptions {
  /** Directory for the overflow file. */
  directory: string;
  /** Bytes kept in memory before spilling to the file. @default 32 MiB */
  memoryBytes?: number;
}

export class Spool {
  private readonly memory: Buffer[] = [];
  private memoryBytes = 0;
  private file: string | undefined;
  private fd: number | undefined;
  private fileOffsets: Array<{ offset: number; length: number }> = [];
  private fileBytes = 0;
  chunkCount = 0;

  constructor(private readonly options: SpoolOptions) {}

  append(chunk: Buffer): void {
    this.chunkCount += 1;
    const limit = this.options.memoryBytes ?? 32 * 1024 * 1024;
    if (this.fd === undefined && this.memoryBytes + chunk.length <= limit) {
      this.memory.push(chunk);
      this.memoryBytes += chunk.length;
      return;
    }
    if (this.fd === undefined) {
      this.file = join(this.options.directory, `spool-${randomUUID()}.bin`);
      this.fd = openSync(this.file, 'w+', 0o600);
    }
    writeSync(this.fd, chunk, 0, chunk.length, this.fileBytes);
    this.fileOffsets.push({ offset: this.fileBytes, length: chunk.length });
    this.fileBytes += chunk.length;
  }

  /** Chunks in the order they were appended. */
  *chunks(): Generator<SpooledChunk> {
    for (const chunk of this.memory) yield unseal(chunk);
    if (this.fd === undefined) return;
    for (const { offset, length } of this.fileOffsets) {
      const buffer = Buffer.alloc(length);
      readSync(this.fd, buffer, 0, length, offset);
      yield unseal(buffer);
    }
  }

  dispose(): void {
    this.memory.length = 0;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.file) rmSync(this.file, { force: true });
  }
}
