/**
 * Bad input, made on purpose: mutations of valid delivery files and malformed HTTP requests.
 *
 * Files start from valid deliveries (so a mutation, not a missing column, is what the parser
 * meets) and get one to three mutations drawn by fast-check: truncation, inserted text (NUL, BOMs,
 * RTL and bidi overrides, combining characters, emoji sequences, line separators, formulas such
 * as `=cmd|' /C calc'!A0`, overlong strings, exotic digits), inserted raw bytes (invalid UTF-8, a
 * surrogate half encoded as UTF-8, UTF-16 BOMs), a cell replaced by such a payload, a huge line,
 * the whole file re-encoded (UTF-16, Latin-1, BOM added), flipped bytes; JSON files also get
 * whole-document replacements (deep nesting, a surrogate escape, wrong shapes). XLSX files get
 * payloads in their cells (text and formulas) before they are written, and byte damage after.
 *
 * Requests cover what a route can be sent: no or a forged token, path parameters with traversal
 * (`../../etc/passwd`, `%2e%2e%2f`), NUL, undecodable escapes, bidi and overlong text; query
 * values of the wrong type; bodies that are malformed JSON, JSON of the wrong shape, wrong types
 * and overlong strings for the fields the route's schema declares, fields missing, a body over
 * the size limit, a wrong content type, broken multipart.
 */
import fc from 'fast-check';
import * as XLSX from '@e965/xlsx';
import type { JsonSchema } from './services';

// ---- payloads -----------------------------------------------------------------------------------

/** Text payloads with a name for the report. */
export const TEXT_PAYLOADS: ReadonlyArray<{ name: string; text: string }> = [
  { name: 'NUL', text: '\u0000' },
  { name: 'BOM', text: '\uFEFF' },
  { name: 'RTL-Marke', text: '\u200F' },
  { name: 'RLO-Override', text: '\u202Egnp.exe' },
  { name: 'kombinierende Zeichen', text: 'e\u0301\u0308\u0323\u0301' },
  { name: 'Emoji-Sequenz', text: '👩\u200D👩\u200D👧\u200D👦' },
  { name: 'geschütztes Leerzeichen', text: '1\u00A0234' },
  { name: 'Zeilentrenner U+2028', text: '\u2028' },
  { name: 'Formel =cmd', text: "=cmd|' /C calc'!A0" },
  { name: 'Formel +', text: '+SUM(A1:A9)' },
  { name: 'Formel @', text: '@SUM(1+1)*cmd|x' },
  { name: 'Formel HYPERLINK', text: '=HYPERLINK("http://example.invalid","x")' },
  { name: 'Anführungszeichen', text: '"' },
  { name: 'Zeilenumbruch', text: '\r\n' },
  { name: 'Trennzeichen', text: ';,\t' },
  { name: 'arabisch-indische Ziffern', text: '١٢٣' },
  { name: 'Vollbreite Ziffern', text: '１２３' },
  { name: 'Unendlich', text: '1e309' },
  { name: 'NaN', text: 'NaN' },
  { name: 'minus null', text: '-0' },
  { name: 'HTML', text: '<script>alert(1)</script>' },
  { name: 'überlange Zeichenkette', text: 'x'.repeat(70_000) },
];

/** Byte payloads that no text encoder would produce. */
export const BYTE_PAYLOADS: ReadonlyArray<{ name: string; bytes: Buffer }> = [
  { name: 'ungültiges UTF-8', bytes: Buffer.from([0xc3, 0x28]) },
  { name: 'Surrogat-Hälfte als UTF-8', bytes: Buffer.from([0xed, 0xa0, 0x80]) },
  { name: 'UTF-16-BOM', bytes: Buffer.from([0xff, 0xfe]) },
  { name: 'NUL-Bytes', bytes: Buffer.from([0, 0, 0, 0]) },
  { name: 'überlanges UTF-8', bytes: Buffer.from([0xc0, 0xaf]) },
  { name: 'Windows-1252 ä', bytes: Buffer.from([0xe4]) },
];

const payload = fc.oneof(
  fc.constantFrom(...TEXT_PAYLOADS).map((p) => ({ name: p.name, bytes: Buffer.from(p.text, 'utf8') })),
  fc.constantFrom(...BYTE_PAYLOADS),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => ({ name: 'zufälliger Text', bytes: Buffer.from(s, 'utf8') })),
  fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => ({ name: 'zufällige Bytes', bytes: Buffer.from(b) })),
);

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export const JSON_DOCUMENTS: ReadonlyArray<{ name: string; text: string }> = [
  { name: 'tief verschachtelt', text: '['.repeat(100_000) },
  { name: 'abgebrochen', text: '[{"Planungsraum": "01100101", "Einwohner": ' },
  { name: 'Objekt statt Liste', text: '{"Planungsraum": "01100101"}' },
  { name: 'Liste von Zahlen', text: '[1, 2, 3]' },
  { name: 'null', text: 'null' },
  { name: 'Surrogat-Escape', text: '[{"Planungsraum": "\\ud800", "Zeitraum": "2024-02", "Einwohner": "1"}]' },
  { name: 'Operator-Objekt', text: '[{"Planungsraum": {"$ne": 1}, "Zeitraum": "2024-02", "Einwohner": "1"}]' },
  { name: '__proto__', text: '[{"__proto__": {"polluted": true}, "Planungsraum": "01100101", "Zeitraum": "2024-02", "Einwohner": "1"}]' },
  { name: 'doppelter Schlüssel', text: '[{"Planungsraum": "01100101", "Planungsraum": "x", "Zeitraum": "2024-02", "Einwohner": "1"}]' },
  { name: 'riesige Zahl', text: `[{"Planungsraum": "01100101", "Zeitraum": "2024-02", "Einwohner": ${'9'.repeat(400)}}]` },
];

// ---- file mutations -----------------------------------------------------------------------------

export type FileKind = 'csv' | 'json' | 'xlsx';

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; payload: { name: string; bytes: Buffer } }
  | { kind: 'cell'; line: number; field: number; payload: { name: string; bytes: Buffer } }
  | { kind: 'formulaCell'; line: number; field: number; formula: string }
  | { kind: 'hugeLine'; kib: number }
  | { kind: 'reencode'; to: 'utf16le-bom' | 'utf16le' | 'latin1' | 'utf8-bom' }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'document'; name: string; text: string };

export function describeMutation(m: Mutation): string {
  switch (m.kind) {
    case 'truncate':
      return `abgeschnitten bei ${(m.at * 100).toFixed(0)} %`;
    case 'insert':
      return `eingefügt: ${m.payload.name}`;
    case 'cell':
      return `Zelle ersetzt: ${m.payload.name}`;
    case 'formulaCell':
      return `Formelzelle ${m.formula}`;
    case 'hugeLine':
      return `Zeile mit ${m.kib} KiB`;
    case 'reencode':
      return `umkodiert nach ${m.to}`;
    case 'flip':
      return 'Byte verändert';
    case 'document':
      return `JSON ersetzt: ${m.name}`;
    default: {
      const _exhaustive: never = m;
      return _exhaustive;
    }
  }
}

/** One to three mutations fitting the file kind; `hugeKiB` bounds the huge line (beyond 4 MiB the CSV reader's line limit is hit). */
export function mutationsFor(kind: FileKind, hugeKiB: number): fc.Arbitrary<Mutation[]> {
  const common: Array<fc.Arbitrary<Mutation>> = [
    fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
    fc.record({ kind: fc.constant('insert' as const), at: fraction, payload }),
    fc.record({ kind: fc.constant('flip' as const), at: fraction, byte: fc.integer({ min: 0, max: 255 }) }),
  ];
  const cell = fc.record({ kind: fc.constant('cell' as const), line: fraction, field: fc.nat(30), payload });
  const byKind: Record<FileKind, Array<fc.Arbitrary<Mutation>>> = {
    csv: [
      ...common,
      cell,
      cell,
      fc.record({ kind: fc.constant('hugeLine' as const), kib: fc.integer({ min: 64, max: hugeKiB }) }),
      fc.record({ kind: fc.constant('reencode' as const), to: fc.constantFrom('utf16le-bom' as const, 'utf16le' as const, 'latin1' as const, 'utf8-bom' as const) }),
    ],
    json: [...common, cell, fc.constantFrom(...JSON_DOCUMENTS).map((d) => ({ kind: 'document' as const, ...d }))],
    xlsx: [
      ...common,
      cell,
      cell,
      fc.record({ kind: fc.constant('formulaCell' as const), line: fraction, field: fc.nat(6), formula: fc.constantFrom("cmd|' /C calc'!A0", 'SUM(A1:A3)', 'HYPERLINK("http://example.invalid")', '1/0') }),
    ],
  };
  return fc.array(fc.oneof(...byKind[kind]), { minLength: 1, maxLength: 3 });
}

/** A valid delivery to start from: raw bytes, and for XLSX the rows it is written from. */
export interface BaseFile {
  name: string;
  kind: FileKind;
  profile: string;
  fileName: string;
  tenant: 'berlin' | 'flensburg';
  bytes: Buffer;
  /** XLSX made here: its rows, so cell mutations happen before writing. */
  rows?: Array<Array<string | number>>;
  /** The CSV field separator, for cell mutations. */
  delimiter?: string;
}

export function writeXlsx(rows: ReadonlyArray<ReadonlyArray<string | number | { f: string }>>): Buffer {
  const sheet = XLSX.utils.aoa_to_sheet(rows.map((r) => r.map((c) => (typeof c === 'object' ? { t: 'n', f: c.f } : c))) as unknown[][]);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, 'Tabelle1');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

const at = (fractionOf: number, length: number) => Math.min(length, Math.floor(fractionOf * (length + 1)));

function replaceCsvCell(bytes: Buffer, delimiter: number, lineFraction: number, field: number, value: Buffer): Buffer {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i += 1) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  const index = Math.min(lines.length - 1, 1 + Math.floor(lineFraction * Math.max(1, lines.length - 1)));
  const line = lines[index]!;
  const fields: Buffer[] = [];
  let from = 0;
  for (let i = 0; i <= line.length; i += 1) {
    if (i === line.length || line[i] === delimiter) {
      fields.push(line.subarray(from, i));
      from = i + 1;
    }
  }
  fields[Math.min(field, fields.length - 1)] = value;
  const separator = Buffer.from([delimiter]);
  lines[index] = Buffer.concat(fields.flatMap((f, i) => (i === 0 ? [f] : [separator, f])));
  return Buffer.concat(lines.flatMap((l, i) => (i === 0 ? [l] : [Buffer.from('\n'), l])));
}

/** Applies the mutations to a base file; returns the bytes to deliver. */
export function applyMutations(base: BaseFile, mutations: readonly Mutation[]): Buffer {
  const rows = base.rows?.map((r) => [...r] as Array<string | number | { f: string }>);
  // Spreadsheet cells first (they exist only before the workbook is written).
  if (rows) {
    for (const m of mutations) {
      if (m.kind !== 'cell' && m.kind !== 'formulaCell') continue;
      const row = rows[Math.min(rows.length - 1, 1 + Math.floor(m.line * (rows.length - 1)))]!;
      row[Math.min(m.field, row.length - 1)] = m.kind === 'cell' ? m.payload.bytes.toString('utf8') : { f: m.formula };
    }
  }
  let bytes = rows ? writeXlsx(rows) : base.bytes;
  for (const m of mutations) {
    switch (m.kind) {
      case 'truncate':
        bytes = bytes.subarray(0, at(m.at, bytes.length));
        break;
      case 'insert': {
        const i = at(m.at, bytes.length);
        bytes = Buffer.concat([bytes.subarray(0, i), m.payload.bytes, bytes.subarray(i)]);
        break;
      }
      case 'cell':
        if (!rows) bytes = replaceCsvCell(bytes, (base.delimiter ?? ',').charCodeAt(0), m.line, m.field, m.payload.bytes);
        break;
      case 'formulaCell':
        if (!rows) bytes = replaceCsvCell(bytes, (base.delimiter ?? ',').charCodeAt(0), m.line, m.field, Buffer.from(`=${m.formula}`));
        break;
      case 'hugeLine': {
        const line = Buffer.alloc(m.kib * 1024, 0x37);
        bytes = Buffer.concat([bytes, Buffer.from('\n'), line, Buffer.from('\n')]);
        break;
      }
      case 'reencode': {
        const text = bytes.toString('utf8');
        if (m.to === 'utf16le') bytes = Buffer.from(text, 'utf16le');
        else if (m.to === 'utf16le-bom') bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
        else if (m.to === 'latin1') bytes = Buffer.from(text, 'latin1');
        else bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
        break;
      }
      case 'flip': {
        if (bytes.length === 0) break;
        bytes = Buffer.from(bytes);
        bytes[Math.min(bytes.length - 1, at(m.at, bytes.length))] = m.byte;
        break;
      }
      case 'document':
        bytes = Buffer.from(m.text, 'utf8');
        break;
      default: {
        const _exhaustive: never = m;
        return _exhaustive;
      }
    }
  }
  return bytes;
}

/** File names a delivery can carry: traversal in every spelling, bidi, overlong; each keeps the half-year the Berlin profile reads from the name. */
export function fileNames(extension: string, traversalMarker: string): fc.Arbitrary<{ name: string; traversal: boolean }> {
  const plain = `lieferung-2024-02${extension}`;
  return fc.constantFrom(
    { name: plain, traversal: false },
    { name: plain, traversal: false },
    { name: `../../../../../../../../../..${traversalMarker}${extension}`, traversal: true },
    { name: `..\\..\\..\\..\\windows\\lieferung-2024-02${extension}`, traversal: true },
    { name: `%2e%2e%2f%2e%2e%2f%2e%2e%2flieferung-2024-02${extension}`, traversal: true },
    { name: `/etc/lieferung-2024-02${extension}`, traversal: true },
    { name: `\u202Elieferung-2024-02${extension}`, traversal: false },
    { name: `liefe\u0000rung-2024-02${extension}`, traversal: false },
    { name: `${'ü'.repeat(3000)}-2024-02${extension}`, traversal: false },
  );
}

// ---- HTTP requests ------------------------------------------------------------------------------

/** Values for path parameters. Encoded as they go on the wire. */
export const PATH_VALUES: ReadonlyArray<{ name: string; raw: string }> = [
  { name: 'Pfad-Traversal', raw: '..%2f..%2f..%2fetc%2fpasswd' },
  { name: 'Pfad-Traversal (doppelt kodiert)', raw: '%252e%252e%252fetc%252fpasswd' },
  { name: 'Punkte', raw: '%2e%2e' },
  { name: 'NUL', raw: 'a%00b' },
  { name: 'unkodierbares Escape', raw: '%ED%A0%80' },
  { name: 'kaputtes Escape', raw: '%E0%A4%A' },
  { name: 'RTL-Override', raw: '%E2%80%AEgnp' },
  { name: 'kombinierende Zeichen', raw: 'e%CC%81%CC%88' },
  { name: 'überlang', raw: 'a'.repeat(6000) },
  { name: 'negative Zahl', raw: '-1' },
  { name: 'riesige Zahl', raw: '1e309' },
  { name: 'UUID', raw: '6f1c1b9e-8a8e-4c4e-9a53-0c5a8d2c7b11' },
];

/** Query values tried for every query parameter of a GET route. */
export const QUERY_VALUES: ReadonlyArray<{ name: string; raw: string }> = [
  { name: 'leer', raw: '' },
  { name: 'NUL', raw: '%00' },
  { name: 'unkodierbares Escape', raw: '%ED%A0%80' },
  { name: 'Text statt Zahl', raw: 'abc' },
  { name: 'negative Zahl', raw: '-1' },
  { name: 'riesige Zahl', raw: '99999999999999999999999' },
  { name: 'ungültiges Datum', raw: '2024-02-31' },
  { name: 'Pfad-Traversal', raw: '..%2f..%2fetc%2fpasswd' },
  // Long, but with all query names of a route together below Node's 16 KiB header limit (the host test sends one longer URL).
  { name: 'überlang', raw: 'a'.repeat(600) },
  { name: 'RTL-Override', raw: '%E2%80%AEx' },
];

/** Query parameters with a plausible value each; the names are tried on routes that do not declare theirs in an OpenAPI document. */
export const PLAUSIBLE_QUERY: Readonly<Record<string, string>> = {
  scheme: 'flensburg-stadtteile',
  indicator: 'ew',
  variable: 'ew_insgesamt',
  dataset: 'flensburg-einwohner',
  area: '1',
  period: '2022-12-31',
  asOf: '2026-01-01',
  limit: '10',
  tenant: '01001',
  version: '1',
  year: '2024',
  from: '2021-01-01',
  to: '2024-12-31',
  level: 'STRATEGISCHES_ZIEL',
};
export const COMMON_QUERY_NAMES = Object.keys(PLAUSIBLE_QUERY);

/** Raw request bodies sent as application/json. */
export const MALFORMED_BODIES: ReadonlyArray<{ name: string; body: string }> = [
  { name: 'abgebrochenes JSON', body: '{"title": ' },
  { name: 'kein JSON', body: 'nicht json' },
  { name: 'überzählige Klammer', body: '{"a": 1}}' },
  { name: 'NUL', body: '\u0000' },
  { name: 'leer', body: '' },
  { name: 'Liste', body: '[]' },
  { name: 'Zahl', body: '42' },
  { name: 'Text', body: '"text"' },
  { name: 'null', body: 'null' },
  { name: 'leeres Objekt', body: '{}' },
  { name: '__proto__', body: '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"polluted": true}}}' },
  { name: 'tief verschachtelt', body: `${'['.repeat(5000)}${']'.repeat(5000)}` },
];

/** A value of the wrong type for a JSON schema. */
function wrongType(schema: JsonSchema | undefined): unknown {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  switch (type) {
    case 'string':
      return 12345;
    case 'number':
    case 'integer':
      return 'keine Zahl';
    case 'boolean':
      return 'ja';
    case 'array':
      return { kein: 'Array' };
    case 'object':
      return ['kein', 'Objekt'];
    default:
      return { unerwartet: [null] };
  }
}

/** Bodies derived from a route's declared JSON schema: all fields of the wrong type, strings overlong, each required field missing in turn (at most five). */
export function schemaBodies(schema: JsonSchema | undefined): Array<{ name: string; body: unknown }> {
  const properties = schema?.properties ?? {};
  const names = Object.keys(properties);
  if (names.length === 0) return [];
  const bodies: Array<{ name: string; body: unknown }> = [];
  bodies.push({ name: 'alle Felder falscher Typ', body: Object.fromEntries(names.map((n) => [n, wrongType(properties[n])])) });
  const plausible = Object.fromEntries(names.map((n) => [n, plausibleValue(properties[n])]));
  bodies.push({ name: 'Texte überlang', body: Object.fromEntries(names.map((n) => [n, isString(properties[n]) ? 'ü'.repeat(Math.max(200_000, (properties[n]?.maxLength ?? 0) + 1)) : plausible[n]])) });
  bodies.push({ name: 'Texte mit NUL und Bidi', body: Object.fromEntries(names.map((n) => [n, isString(properties[n]) ? '\u0000\u202E\uD800' : plausible[n]])) });
  for (const required of (schema?.required ?? []).slice(0, 5)) {
    const body: Record<string, unknown> = { ...plausible };
    delete body[required];
    bodies.push({ name: `Pflichtfeld ${required} fehlt`, body });
  }
  return bodies;
}

const isString = (s: JsonSchema | undefined) => s?.type === 'string' || (Array.isArray(s?.type) && s.type.includes('string'));

function plausibleValue(schema: JsonSchema | undefined): unknown {
  if (!schema) return null;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  if (schema.anyOf?.[0]) return plausibleValue(schema.anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return schema.format === 'uuid' ? '6f1c1b9e-8a8e-4c4e-9a53-0c5a8d2c7b11' : schema.format === 'date' ? '2024-12-31' : 'Test';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return null;
  }
}

/** Random JSON bodies (fast-check's JSON values, deep and unicode-rich). */
export const randomJsonBody = fc.jsonValue({ maxDepth: 4 });
