/**
 * Streaming CSV reader on csv-parse. Memory stays flat whatever the file size: the file is read
 * in 1 MiB chunks and every record is handed to the sink inside csv-parse's `on_record` hook
 * and then dropped (the hook returns undefined, so the parser never buffers records downstream).
 *
 * Line numbers are the ones an editor shows: a record starts on the line after the previous
 * record ended (csv-parse reports where a record ends), so quoted fields with line breaks and
 * skipped title lines keep the count right. csv-parse's `info.lines` counts a CR and an LF each
 * as a line break inside a quoted field (outside quotes a CRLF record delimiter counts once,
 * whatever `record_delimiter` says), so every CRLF inside a quoted field would add a line to
 * all later records; the reader subtracts them (`quotedCrlf`).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse, type CsvError, type Parser } from 'csv-parse';
import iconv from 'iconv-lite';
import type { Encoding } from './spec';
import { DETECTION_SAMPLE_BYTES, describeEncoding, detectEncoding, Utf8Validator, type ConcreteEncoding } from './encoding';
import { FatalParseError, type ProgressListener, type TableReadResult, type RowSink } from './types';

export interface CsvReadOptions {
  path: string;
  encoding: Encoding;
  delimiter: string;
  quote: string;
  /** Lines before the first row handed to the sink (titles, notes). */
  skipRows: number;
  onProgress?: ProgressListener;
}

const CHUNK_BYTES = 1024 * 1024;
const PROGRESS_EVERY_MS = 200;

async function readSample(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(DETECTION_SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function resolveEncoding(path: string, encoding: Encoding): Promise<ConcreteEncoding> {
  if (encoding !== 'auto') return encoding;
  return detectEncoding(await readSample(path));
}

function csvSyntaxReason(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'ein Anführungszeichen wird bis zum Dateiende nicht geschlossen';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'nach einem schließenden Anführungszeichen folgt weiterer Text statt des Trennzeichens';
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'nach einem schließenden Anführungszeichen folgt weiterer Text';
    case 'CSV_MAX_RECORD_SIZE':
      return 'die Zeile ist zu lang';
    default:
      return 'die Zeile lässt sich nicht in Felder zerlegen';
  }
}

/** CRLF pairs inside the fields of a record: csv-parse counted each of them as two lines. */
function crlfInside(record: readonly string[]): number {
  let count = 0;
  for (const field of record) {
    for (let at = field.indexOf('\r\n'); at !== -1; at = field.indexOf('\r\n', at + 2)) count += 1;
  }
  return count;
}

/** Longest record; longer is a broken quote swallowing the file or not a CSV at all. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export async function readCsv(options: CsvReadOptions, sink: RowSink): Promise<TableReadResult> {
  const encoding = await resolveEncoding(options.path, options.encoding);
  let lastEnd = options.skipRows;
  let lastLines = options.skipRows;
  let quotedCrlf = 0;
  let failure: FatalParseError | undefined;

  const parser: Parser = parse({
    delimiter: options.delimiter,
    quote: options.quote,
    bom: true,
    relax_column_count: true,
    skip_records_with_error: true,
    from_line: options.skipRows + 1,
    max_record_size: MAX_RECORD_BYTES,
    on_record: (record: string[], context) => {
      const start = lastEnd + 1;
      // Only a record spanning several of csv-parse's lines can hold a quoted line break.
      if (context.lines - lastLines > 1) quotedCrlf += crlfInside(record);
      lastLines = context.lines;
      lastEnd = context.lines - quotedCrlf;
      sink.row(start, record);
      return undefined;
    },
  });
  parser.on('skip', (error: CsvError) => {
    if (failure) return;
    const start = lastEnd + 1;
    const end = typeof error.lines === 'number' ? error.lines - quotedCrlf : start;
    if (error.code === 'CSV_MAX_RECORD_SIZE') {
      // csv-parse drops the rest of every chunk in which an over-long record is still growing,
      // so neither the records after it nor their line numbers can be trusted: the record is
      // reported once, where it starts, and reading stops.
      failure = new FatalParseError({
        code: 'CSV_SYNTAX',
        line: start,
        fatal: true,
        expected: `höchstens ${MAX_RECORD_BYTES / 1024 / 1024} MB je Zeile und zu jedem öffnenden Anführungszeichen ein schließendes`,
        facts: { reason: end > start ? 'ein Anführungszeichen wird nicht geschlossen, der Eintrag ab hier ist zu lang' : csvSyntaxReason(error) },
      });
      return;
    }
    // A quote left open swallows the rest of the file: the line to fix is where its record starts.
    const line = error.code === 'CSV_QUOTE_NOT_CLOSED' ? start : end;
    sink.problem({ code: 'CSV_SYNTAX', line, fatal: false, facts: { reason: csvSyntaxReason(error) } });
    lastLines = typeof error.lines === 'number' ? error.lines : lastLines;
    lastEnd = end;
  });
  const ended = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  // Records are consumed in on_record; keep the readable side flowing so 'end' fires.
  parser.resume();

  const validator = encoding === 'windows-1252' ? undefined : new Utf8Validator();
  const decoder = encoding === 'windows-1252' ? iconv.getDecoder('win1252') : undefined;
  const stream = createReadStream(options.path, { highWaterMark: CHUNK_BYTES });
  let bytes = 0;
  let lastProgress = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (validator) {
        const bad = validator.push(chunk);
        if (bad) {
          failure = new FatalParseError({
            code: 'ENCODING_INVALID',
            line: bad.line,
            fatal: true,
            expected: `Text in ${describeEncoding(encoding)}; die Datei im Lieferprofil oder bei der Lieferung als Windows-1252 angeben oder als UTF-8 speichern`,
            facts: { encoding: describeEncoding(encoding), offset: bad.offset },
          });
          break;
        }
        parser.write(chunk);
      } else {
        parser.write(decoder!.write(chunk));
      }
      if (failure) break;
      if (options.onProgress) {
        const now = Date.now();
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          options.onProgress(bytes);
        }
      }
    }
    if (!failure && validator) {
      const bad = validator.end();
      if (bad) {
        failure = new FatalParseError({
          code: 'ENCODING_INVALID',
          line: bad.line,
          fatal: true,
          facts: { encoding: describeEncoding(encoding), offset: bad.offset },
        });
      }
    }
  } finally {
    stream.destroy();
  }
  if (failure) {
    parser.destroy();
    throw failure;
  }
  if (decoder) {
    const rest = decoder.end();
    if (rest) parser.write(rest);
  }
  parser.end();
  await ended;
  // The last record may only overflow when the end of the file flushes it.
  if (failure) throw failure;
  options.onProgress?.(bytes);
  return { encoding: describeEncoding(encoding), bytes };
}

/** Delimiters a header line may really use, for the "wrong delimiter" hint. */
export function guessDelimiter(line: string, configured: string): string | undefined {
  const candidates = [';', ',', '\t', '|'].filter((d) => d !== configured);
  let best: { delimiter: string; count: number } | undefined;
  for (const delimiter of candidates) {
    const count = line.split(delimiter).length - 1;
    if (count > 0 && (!best || count > best.count)) best = { delimiter, count };
  }
  return best?.delimiter;
}
