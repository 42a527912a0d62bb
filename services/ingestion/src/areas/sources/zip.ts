import path from 'node:path';
import yauzl from 'yauzl';
import { AreaRuleViolation } from '../decide';

/**
 * Limits against zip bombs: a zipped shapefile of a city is a few MB; an archive that unpacks to
 * more, has hundreds of entries or compresses better than 1:200 is refused before it fills memory.
 */
export const ZIP_LIMITS = { maxEntries: 200, maxTotalBytes: 512 * 1024 * 1024, maxRatio: 200 } as const;

export interface ZipEntryContent {
  name: string;
  bytes: Buffer;
}

/** Reads the entries of a zip archive whose extension is wanted (lower case, with dot). */
export async function readZipEntries(bytes: Buffer, fileName: string, wanted: readonly string[]): Promise<ZipEntryContent[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch (error) {
    throw new AreaRuleViolation('unparsable-file', `${fileName} ist kein lesbares ZIP-Archiv: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (zip.entryCount > ZIP_LIMITS.maxEntries) {
    zip.close();
    throw new AreaRuleViolation('unparsable-file', `${fileName} enthält ${zip.entryCount} Einträge; erlaubt sind höchstens ${ZIP_LIMITS.maxEntries}.`);
  }
  const result: ZipEntryContent[] = [];
  let total = 0;
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(null));
        zip.once('error', reject);
        zip.readEntry();
      });
      zip.removeAllListeners('entry');
      zip.removeAllListeners('end');
      zip.removeAllListeners('error');
      if (entry === null) break;
      if (entry.fileName.endsWith('/') || entry.fileName.startsWith('__MACOSX/')) continue;
      const extension = path.extname(entry.fileName).toLowerCase();
      if (!wanted.includes(extension)) continue;
      total += entry.uncompressedSize;
      if (total > ZIP_LIMITS.maxTotalBytes) {
        throw new AreaRuleViolation('unparsable-file', `${fileName} entpackt mehr als ${ZIP_LIMITS.maxTotalBytes / 1024 / 1024} MB; das Archiv wird abgelehnt.`);
      }
      if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > ZIP_LIMITS.maxRatio && entry.uncompressedSize > 1024 * 1024) {
        throw new AreaRuleViolation(
          'unparsable-file',
          `${fileName}: ${entry.fileName} ist ${Math.round(entry.uncompressedSize / entry.compressedSize)}-fach komprimiert (höchstens ${ZIP_LIMITS.maxRatio}-fach erlaubt); das Archiv wird als ZIP-Bombe abgelehnt.`,
        );
      }
      const stream = await zip.openReadStreamPromise(entry);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        // validateEntrySizes stops lying headers too; this bounds memory before that check fires.
        if (size > entry.uncompressedSize) throw new AreaRuleViolation('unparsable-file', `${fileName}: ${entry.fileName} ist größer als im Archiv angegeben.`);
        chunks.push(chunk);
      }
      result.push({ name: entry.fileName, bytes: Buffer.concat(chunks) });
    }
  } finally {
    zip.close();
  }
  return result;
}
