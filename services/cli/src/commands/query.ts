/**
 * `lagebild query "SQL" [--csv]`: a read-only SQL query against the warehouse, printed as a table
 * or CSV. While `lagebild start` runs, the query goes to its warehouse service (chDB binds its
 * data directory to one process) with a short-lived operator token; otherwise this process opens
 * the embedded warehouse itself.
 */
import { parseArgs } from 'node:util';
import { createChdbWarehouse, createEmbeddedAuth, embeddedPaths, loadPlatformConfig, silentLogger } from '@lagebild/platform';
import { applySchema, checkReadOnly, formatRows, OPERATOR_TENANT, ReadOnlyQueryError, runReadOnly } from '@lagebild/warehouse';
import { hostUrl, runningHost } from './host';
import { type Command, UsageError } from './types';

const USAGE = `Aufruf: lagebild query "SQL" [--csv]

Führt eine lesende SQL-Abfrage (ClickHouse-SQL: SELECT, WITH, SHOW, DESCRIBE, EXISTS, EXPLAIN)
auf dem Warehouse aus und gibt das Ergebnis als Tabelle aus, mit --csv als CSV. Läuft
\`lagebild start\`, geht die Abfrage an den laufenden Dienst; sonst öffnet der Befehl das
eingebettete Warehouse selbst. Tabellen und Sichten: SHOW TABLES FROM lagebild.

Optionen:
  --csv    CSV statt Tabelle (Komma, Anführungszeichen nach RFC 4180)

Beispiele:
  npx lagebild query "SELECT indicator_id, count() FROM lagebild.v_indicator_value GROUP BY indicator_id"
  npx lagebild query "SELECT * FROM lagebild.v_attainment_latest" --csv > zielerreichung.csv`;

export const queryCommand: Command = {
  path: ['query'],
  summary: 'lesende SQL-Abfrage auf dem Warehouse (Tabelle oder CSV)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { csv: { type: 'boolean', default: false } } });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Die SQL-Abfrage fehlt.' : 'Bitte die Abfrage in Anführungszeichen als ein Argument angeben.');
    const sql = positionals[0]!;
    try {
      checkReadOnly(sql);
    } catch (error) {
      if (error instanceof ReadOnlyQueryError) {
        process.stderr.write(`Abfrage abgelehnt: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    const config = loadPlatformConfig(process.env);
    const format = values.csv ? 'csv' : 'table';
    const url = hostUrl(config);
    let rows: Array<Record<string, unknown>>;
    if (url && (await runningHost(url))) {
      const auth = await createEmbeddedAuth({ dataDir: config.dataDir, logger: silentLogger() });
      const token = await auth.issueToken({ subject: 'cli-query', tenant: OPERATOR_TENANT, roles: ['admin'], expiresIn: '5m' });
      const res = await fetch(`${url}/api/warehouse/query`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
      const body = (await res.json()) as { rows?: Array<Record<string, unknown>>; detail?: string };
      if (!res.ok || !body.rows) {
        process.stderr.write(`Abfrage fehlgeschlagen: ${body.detail ?? res.statusText}\n`);
        return 1;
      }
      rows = body.rows;
    } else {
      const warehouse = await createChdbWarehouse({ path: embeddedPaths(config.dataDir).warehouse });
      try {
        // A data directory that has not run the platform yet gets the (empty) schema, so every table can be named.
        await applySchema(warehouse);
        rows = await runReadOnly(warehouse, sql);
      } catch (error) {
        process.stderr.write(`Abfrage fehlgeschlagen: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
      } finally {
        await warehouse.close();
      }
    }
    process.stdout.write(formatRows(rows, format));
    return 0;
  },
};
