/**
 * Read-only SQL for power users and checks (`lagebild query`, POST /api/warehouse/query).
 *
 * One statement, and only a reading one: SELECT / WITH, SHOW, DESCRIBE, EXISTS, EXPLAIN. The
 * check reads the statement the way ClickHouse's lexer would for its first keyword and for
 * statement separators, skipping string literals, quoted identifiers and comments. On a ClickHouse
 * server the query additionally runs as the read-only user (infra/clickhouse), so the check is a
 * clear German message first, not the only guard there.
 */
import type { Warehouse } from '@lagebild/platform';

export class ReadOnlyQueryError extends Error {
  override readonly name = 'ReadOnlyQueryError';
}

const READING = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN']);

/** The SQL without string literals, quoted identifiers and comments (replaced by a space). */
function code(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      while (i < sql.length && sql[i] !== '\n') i += 1;
      out += ' ';
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new ReadOnlyQueryError('Ein Kommentar /* … wird nicht geschlossen.');
      i = end + 2;
      out += ' ';
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== ch) j += sql[j] === '\\' ? 2 : 1;
      if (j >= sql.length) throw new ReadOnlyQueryError(`Eine mit ${ch} begonnene Zeichenkette oder ein Bezeichner wird nicht geschlossen.`);
      i = j + 1;
      out += ' x ';
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** Refuses anything but one reading statement, with a German reason. */
export function checkReadOnly(sql: string): string {
  const body = code(sql).trim().replace(/;\s*$/, '');
  if (body === '') throw new ReadOnlyQueryError('Die Abfrage ist leer.');
  if (body.includes(';')) throw new ReadOnlyQueryError('Nur eine Anweisung je Aufruf; die Abfrage enthält mehrere (durch ; getrennt).');
  const first = /^\(*\s*([A-Za-z]+)/.exec(body)?.[1]?.toUpperCase();
  if (!first || !READING.has(first)) {
    throw new ReadOnlyQueryError(`Nur lesende Abfragen sind erlaubt (SELECT, WITH, SHOW, DESCRIBE, EXISTS, EXPLAIN); „${first ?? body.slice(0, 20)}“ würde Daten oder Tabellen ändern.`);
  }
  if (/\bINTO\s+OUTFILE\b/i.test(body)) throw new ReadOnlyQueryError('INTO OUTFILE schreibt Dateien und ist nicht erlaubt.');
  if (/\b(file|url|s3|hdfs|remote|remoteSecure|mysql|postgresql|executable)\s*\(/i.test(body)) {
    throw new ReadOnlyQueryError('Tabellenfunktionen, die Dateien oder andere Server lesen (file, url, s3, remote, …), sind nicht erlaubt.');
  }
  return sql.trim().replace(/;\s*$/, '');
}

export async function runReadOnly(warehouse: Warehouse, sql: string): Promise<Array<Record<string, unknown>>> {
  return warehouse.query(checkReadOnly(sql));
}

/** Rows as an aligned text table (German number format), or CSV (RFC 4180). */
export function formatRows(rows: ReadonlyArray<Record<string, unknown>>, format: 'table' | 'csv'): string {
  const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  if (format === 'csv') {
    const cell = (v: unknown) => {
      const t = text(v);
      return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
    };
    return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
  }
  if (rows.length === 0) return '(keine Zeilen)\n';
  const display = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('de-DE', { maximumFractionDigits: 6 }) : v === null ? 'NULL' : text(v));
  const cells = rows.map((r) => columns.map((c) => display(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = columns.map((c) => rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), `(${rows.length.toLocaleString('de-DE')} ${rows.length === 1 ? 'Zeile' : 'Zeilen'})`].join('\n') + '\n';
}
