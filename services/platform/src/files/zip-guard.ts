/**
 * Zip-bomb guard for XLSX (a zip of XML parts): inspected with yauzl before SheetJS sees the
 * file, because SheetJS inflates every part into memory. Two checks:
 *
 * 1. The declared sizes of the central directory: total uncompressed size and compression
 *    ratio (per large entry and overall) within limits.
 * 2. The real sizes: every entry is inflated once as a stream and counted; an entry that
 *    inflates to more than it declared is stopped at once, so a forged directory cannot smuggle
 *    a bomb past check 1. Counted here rather than by yauzl's `validateEntrySizes`, whose error
 *    arrives without the chunk that crossed the line: the report names what was really inflated.
 *    Memory stays flat (nothing is kept).
 */
import yauzl from 'yauzl';

export interface ZipLimits {
  /** Largest total uncompressed size. */
  maxUncompressedBytes: number;
  /** Largest ratio uncompressed:compressed, for entries above `ratioFloorBytes`. */
  maxRatio: number;
  /** Small parts compress extremely well (styles, shared strings of repeated text): exempt. */
  ratioFloorBytes: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxUncompressedBytes: 512 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
  maxEntries: 10_000,
};

/**
 * Why a zip is refused as a bomb:
 * - `declared`: its directory announces too much (total size or ratio), nothing inflated;
 * - `inflated`: inflating really produced more than the limit (`inflatedBytes`, counted when the
 *   guard stopped);
 * - `forged`: the entry `entry` inflated to more than the `declaredBytes` its directory states,
 *   stopped after `inflatedBytes` of that entry;
 * - `entries`: more entries than `maxEntries`.
 */
export type ZipBomb =
  | { kind: 'bomb'; reason: 'declared'; uncompressedBytes: number; ratio: number }
  | { kind: 'bomb'; reason: 'inflated'; inflatedBytes: number }
  | { kind: 'bomb'; reason: 'forged'; entry: string; declaredBytes: number; inflatedBytes: number }
  | { kind: 'bomb'; reason: 'entries'; entries: number };

export type ZipVerdict = { ok: true; uncompressedBytes: number } | ({ ok: false } & ZipBomb) | { ok: false; kind: 'unreadable'; reason: string };

function ratioOf(uncompressed: number, compressed: number): number {
  return Math.round(uncompressed / Math.max(1, compressed));
}

export async function inspectZip(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipVerdict> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, validateEntrySizes: false, autoClose: false });
  } catch {
    return { ok: false, kind: 'unreadable', reason: 'keine ZIP-Struktur (XLSX-Dateien sind ZIP-Archive)' };
  }
  try {
    const entries: yauzl.Entry[] = [];
    let declared = 0;
    let compressed = 0;
    let worstRatio = 0;
    for await (const entry of zip.eachEntry()) {
      entries.push(entry);
      if (entries.length > limits.maxEntries) return { ok: false, kind: 'bomb', reason: 'entries', entries: entries.length };
      declared += entry.uncompressedSize;
      compressed += entry.compressedSize;
      if (entry.uncompressedSize >= limits.ratioFloorBytes) worstRatio = Math.max(worstRatio, ratioOf(entry.uncompressedSize, entry.compressedSize));
    }
    const overallRatio = declared >= limits.ratioFloorBytes ? ratioOf(declared, compressed) : 0;
    const ratio = Math.max(worstRatio, overallRatio);
    if (declared > limits.maxUncompressedBytes || ratio > limits.maxRatio) return { ok: false, kind: 'bomb', reason: 'declared', uncompressedBytes: declared, ratio };

    let inflated = 0;
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      const stream = await zip.openReadStreamPromise(entry);
      let entryBytes = 0;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          entryBytes += chunk.length;
          inflated += chunk.length;
          if (entryBytes > entry.uncompressedSize) {
            return { ok: false, kind: 'bomb', reason: 'forged', entry: entry.fileName, declaredBytes: entry.uncompressedSize, inflatedBytes: entryBytes };
          }
          if (inflated > limits.maxUncompressedBytes) return { ok: false, kind: 'bomb', reason: 'inflated', inflatedBytes: inflated };
        }
      } catch {
        return { ok: false, kind: 'unreadable', reason: 'ein Teil des ZIP-Archivs ist beschädigt' };
      } finally {
        stream.destroy();
      }
      // Fewer bytes than declared: a truncated or damaged part (yauzl's size check, kept).
      if (entryBytes !== entry.uncompressedSize) return { ok: false, kind: 'unreadable', reason: 'ein Teil des ZIP-Archivs ist beschädigt' };
    }
    return { ok: true, uncompressedBytes: inflated };
  } catch {
    return { ok: false, kind: 'unreadable', reason: 'das ZIP-Archiv ist beschädigt' };
  } finally {
    zip.close();
  }
}
