/**
 * The warehouse's content as a few numbers: per table or serving view, the row count and a
 * checksum, the sum (mod 2^64) of cityHash64 over each row's columns. Two runs that fed the same
 * deliveries must agree on every number, whatever crashed in between.
 *
 * Left out of the checksum are the columns that legitimately differ between two runs of the same
 * data: `event_id`, `recorded_at` and `_ver` (when and in which event a row was written) and an
 * indicator value's `computation_id` and `stream_version` (a fresh id per computation run, and the
 * run's place in the indicator's value stream, which counts the runs). The raw
 * fact_indicator_value table is not compared: how many computation runs the indicators service
 * makes depends on how the events were batched, which a crash changes on purpose; the serving
 * view v_indicator_value (the current value per identity) is what users read, and must not.
 */
import { query } from './http';

const VOLATILE = 'event_id, recorded_at, _ver';

export const WAREHOUSE_CHECKS: ReadonlyArray<{ name: string; from: string; except: string }> = [
  { name: 'fact_observation', from: 'lagebild.fact_observation FINAL', except: VOLATILE },
  { name: 'v_observation', from: 'lagebild.v_observation', except: VOLATILE },
  { name: 'fact_delivery', from: 'lagebild.fact_delivery FINAL', except: VOLATILE },
  { name: 'v_indicator_value', from: 'lagebild.v_indicator_value', except: `computation_id, stream_version, ${VOLATILE}` },
  { name: 'dim_area', from: 'lagebild.dim_area FINAL', except: VOLATILE },
  { name: 'dim_indicator', from: 'lagebild.dim_indicator FINAL', except: VOLATILE },
];

export type Snapshot = Record<string, { rows: number; checksum: string }>;

export async function snapshot(base: string, operatorToken: string): Promise<Snapshot> {
  const sql = WAREHOUSE_CHECKS.map(
    (c) => `SELECT '${c.name}' AS name, count() AS rows, toString(sum(cityHash64(tuple(* EXCEPT (${c.except}))))) AS checksum FROM ${c.from}`,
  ).join(' UNION ALL ');
  const rows = await query<{ name: string; rows: number | string; checksum: string }>(base, operatorToken, sql);
  const result: Snapshot = {};
  for (const row of rows) result[row.name] = { rows: Number(row.rows), checksum: row.checksum };
  return result;
}

/** The differences, one German line each; empty when equal. */
export function differences(expected: Snapshot, actual: Snapshot): string[] {
  const lines: string[] = [];
  for (const { name } of WAREHOUSE_CHECKS) {
    const e = expected[name];
    const a = actual[name];
    if (!e || !a) lines.push(`${name}: fehlt (${e ? 'im Lauf' : 'in der Referenz'})`);
    else if (e.rows !== a.rows) lines.push(`${name}: ${a.rows} Zeilen statt ${e.rows}`);
    else if (e.checksum !== a.checksum) lines.push(`${name}: gleiche Zeilenzahl (${a.rows}), aber andere Prüfsumme`);
  }
  return lines;
}

export const describeSnapshot = (s: Snapshot) =>
  Object.entries(s)
    .map(([name, v]) => `${name} ${v.rows.toLocaleString('de-DE')}`)
    .join(', ');
