/**
 * JSON deliveries: an array of objects, one row per object (APIs of case software export this).
 * The header row is the union of the keys in first-seen order; a row's line is the position of
 * its object in the array (1-based; the header counts as line 0), since a JSON file has no rows
 * a user would count by line. Read whole: JSON has a tighter size limit than CSV.
 */
import { readFile } from 'node:fs/promises';
import { findJsonSyntaxError } from './json-syntax';
import { FatalParseError, type Cell, type TableReadResult, type RowSink } from './types';

export interface JsonReadOptions {
  path: string;
}

function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

export async function readJson(options: JsonReadOptions, sink: RowSink): Promise<TableReadResult> {
  const bytes = await readFile(options.path);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message is English and engine-specific: locate the error ourselves.
    const syntax = findJsonSyntaxError(text);
    if (!syntax) throw new FatalParseError({ code: 'JSON_INVALID', fatal: true, expected: 'eine gültige JSON-Datei (RFC 8259)' });
    throw new FatalParseError({
      code: 'JSON_INVALID',
      line: syntax.line,
      fatal: true,
      ...(syntax.found === undefined ? {} : { value: syntax.found }),
      expected: syntax.expected,
      facts: { textColumn: syntax.column, reason: syntax.found === undefined ? 'die Datei endet hier' : undefined, hint: syntax.hint },
    });
  }
  if (!Array.isArray(parsed)) throw new FatalParseError({ code: 'JSON_NOT_ARRAY', fatal: true, expected: 'eine Liste [ {…}, {…} ]' });
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const entry of parsed) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    for (const key of Object.keys(entry as object)) {
      if (!seen.has(key)) {
        seen.add(key);
        keys.push(key);
      }
    }
  }
  sink.row(0, keys);
  parsed.forEach((entry: unknown, index) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      sink.problem({ code: 'JSON_ROW_NOT_OBJECT', line: index + 1, fatal: false, value: JSON.stringify(entry)?.slice(0, 200) ?? String(entry), expected: 'ein Objekt { "Spalte": Wert, … }' });
      return;
    }
    const record = entry as Record<string, unknown>;
    sink.row(index + 1, keys.map((key) => cellOf(record[key])));
  });
  return { bytes: bytes.length };
}
