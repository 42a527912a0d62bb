import { parse } from 'csv-parse/sync';
import { AreaRuleViolation } from '../decide';
import { decodeText } from './encoding';
import type { ReadOptions, SourceFeature, SourceRead } from './types';

const CANDIDATES = [';', ',', '\t', '|'] as const;

/** The delimiter that splits the header line most often (German files: `;`). */
function detectDelimiter(text: string): string {
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  let best: string = ',';
  let bestCount = 0;
  for (const candidate of CANDIDATES) {
    const count = header.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Reads a CSV of units with a header row (code, name, type, parent, ...): encoding detected (or
 * given), delimiter detected from the header. Every record keeps its line for error messages.
 */
export function readCsv(bytes: Buffer, fileName: string, options: ReadOptions & { delimiter?: string } = {}): SourceRead {
  const { text, encoding } = decodeText(bytes, options.encoding);
  if (text.trim() === '') throw new AreaRuleViolation('unparsable-file', `${fileName} ist leer.`);
  const delimiter = options.delimiter ?? detectDelimiter(text);
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: true, delimiter, info: true, skip_empty_lines: true, trim: true, relax_quotes: false }) as unknown as typeof records;
  } catch (error) {
    const e = error as { message?: string; lines?: number; code?: string };
    const line = typeof e.lines === 'number' ? e.lines : undefined;
    throw new AreaRuleViolation(
      'unparsable-file',
      `${fileName} ist keine lesbare CSV-Datei${line ? ` (Zeile ${line})` : ''}: ${e.message ?? String(error)}`,
      line ? [{ where: `Zeile ${line}`, detail: e.message ?? String(error) }] : [],
    );
  }
  if (records.length === 0) throw new AreaRuleViolation('unparsable-file', `${fileName} enthält nur die Kopfzeile, keine Gebietseinheiten.`);
  const features: SourceFeature[] = records.map(({ record, info }, index) => ({ index, line: info.lines, properties: { ...record }, geometry: null }));
  const shown = delimiter === '\t' ? 'Tabulator' : `"${delimiter}"`;
  return { format: 'csv', features, notes: [`CSV gelesen: Kodierung ${encoding}, Trennzeichen ${shown}.`] };
}
