/**
 * The peer baseline a city would otherwise use (TARGETS.md: Lagebild's FIS queries ≥ 5× faster
 * than the same indicators as SQL views in PostgreSQL, same data, same machine, same queries).
 *
 * A throwaway PostgreSQL cluster (initdb in a temp directory, a free port, loopback only) gets the
 * observations of one synthetic-city run (the same CSV Lagebild was given), the units with their
 * parents and the hierarchy (leaf -> itself, its ancestors, the total), with indexes. The
 * indicators are views, as a Sozialplanung would write them: numerator and denominator summed up
 * the hierarchy per unit and period, the ratio on top. The queries are those of the FIS
 * Indikator-Atlas (ranking of the finest units, values of every unit with the parent's value and
 * the rank, time series of the total with the range of the units), run against the views; the
 * Lagebild side runs the same panels through its FIS API (POST /api/warehouse/fis/panels/...),
 * which read the precomputed values from chDB. Rounds alternate; medians and p95 per panel.
 *
 * PostgreSQL is found on PATH or under /usr/lib/postgresql/<version>/bin (Debian's package
 * `postgresql`); without it the benchmark is skipped with a note on how to install it. initdb
 * refuses to run as root: as root the server runs as the `postgres` user (runuser).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import * as city from './city.mjs';
import { call, fmt, quantile } from './lib.mjs';

/** Directories holding initdb, pg_ctl and postgres, or null. */
export function findPostgres() {
  const candidates = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(dir);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join(debian, v, 'bin'));
  }
  for (const dir of candidates) if (['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(path.join(dir, b)))) return dir;
  return null;
}

export const INSTALL_HINT = 'PostgreSQL nicht gefunden (initdb, pg_ctl, postgres). Installieren mit `sudo apt-get install postgresql` (Debian/Ubuntu) oder das bin-Verzeichnis in PATH aufnehmen.';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** How to run the server's binaries: directly, or as `postgres` via runuser when this process is root. */
function runner() {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args], owner: null };
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0 || !existsSync('/usr/sbin/runuser')) return null;
  const uid = Number(id.stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { wrap: (cmd, args) => ['/usr/sbin/runuser', ['-u', 'postgres', '--', cmd, ...args]], owner: { uid, gid } };
}

async function startCluster(bin, dir) {
  const run = runner();
  if (!run) throw new Error('Als root läuft PostgreSQL nur unter einem anderen Benutzer; der Benutzer „postgres“ oder runuser fehlt.');
  const data = path.join(dir, 'data');
  await mkdir(dir, { recursive: true });
  // The server (possibly another user) reads the input files and writes its directory.
  chmodSync(dir, 0o755);
  if (run.owner) spawnSync('chown', ['-R', `${run.owner.uid}:${run.owner.gid}`, dir]);
  const exec = (cmd, args) => {
    const [c, a] = run.wrap(path.join(bin, cmd), args);
    const r = spawnSync(c, a, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} fehlgeschlagen: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  exec('initdb', ['-D', data, '-U', 'bench', '-A', 'trust', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  exec('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  return { port, stop: () => exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']), owner: run.owner };
}

function schemaSql(structure, files) {
  const sums = city.VARIABLES.map((v) => `sum(o.value) FILTER (WHERE o.variable = '${v.code}') AS s_${v.code}`).join(',\n    ');
  const values = city.INDICATORS.map((i) => `('${i.id}', ${i.denominator ? `s.s_${i.numerator} / nullif(s.s_${i.denominator}, 0) * ${i.scale}` : `s.s_${i.numerator} * ${i.scale}`})`).join(', ');
  return [
    'CREATE TABLE area (code text PRIMARY KEY, name text NOT NULL, unit_type text NOT NULL, parent_code text)',
    'CREATE TABLE area_closure (leaf text NOT NULL, unit text NOT NULL)',
    `CREATE TABLE observation (area_code text NOT NULL, variable text NOT NULL, period text NOT NULL, value double precision,
      period_end date GENERATED ALWAYS AS (CASE WHEN length(period) = 4 THEN make_date(substr(period, 1, 4)::int, 12, 31)
        ELSE (make_date(substr(period, 1, 4)::int, substr(period, 6, 2)::int, 1) + interval '1 month' - interval '1 day')::date END) STORED)`,
    `COPY area (code, name, unit_type, parent_code) FROM '${files.areas}' WITH (FORMAT csv, DELIMITER ';', HEADER true)`,
    // The total (the tenant's key, as the indicator engine computes it) is the top units' parent.
    `UPDATE area SET parent_code = '${structure.tenant}' WHERE parent_code IS NULL`,
    `COPY area_closure FROM '${files.closure}' WITH (FORMAT csv, DELIMITER ';')`,
    `COPY observation (area_code, variable, period, value) FROM '${files.observations}' WITH (FORMAT csv, DELIMITER ';', HEADER true)`,
    'CREATE INDEX ON observation (period_end, variable, area_code)',
    'CREATE INDEX ON observation (variable, area_code)',
    'CREATE INDEX ON area_closure (leaf)',
    'CREATE INDEX ON area_closure (unit)',
    'CREATE INDEX ON area (unit_type)',
    `CREATE VIEW unit_sums AS
  SELECT c.unit AS area_code, o.period_end,
    ${sums}
  FROM observation o JOIN area_closure c ON c.leaf = o.area_code
  GROUP BY c.unit, o.period_end`,
    `CREATE VIEW indicator_value AS
  SELECT s.area_code, s.period_end, v.indicator_id, v.value
  FROM unit_sums s CROSS JOIN LATERAL (VALUES ${values}) AS v(indicator_id, value)`,
    'ANALYZE',
  ];
}

/** The Indikator-Atlas panels as PostgreSQL queries on the views ($1 indicator, $2 period end, $3 total). */
const PG_PANELS = {
  rangfolge: {
    sql: `SELECT a.name AS gebiet, a.code, v.value AS wert FROM area a JOIN indicator_value v ON v.area_code = a.code
  WHERE v.indicator_id = $1 AND v.period_end = $2
    AND a.unit_type = (SELECT unit_type FROM area WHERE parent_code IS NOT NULL GROUP BY unit_type ORDER BY count(*) DESC, unit_type LIMIT 1)
  ORDER BY v.value IS NULL, v.value DESC, a.name`,
    params: (p) => [p.indicator, p.period],
    valueColumn: 'wert',
  },
  werte: {
    sql: `SELECT a.name AS gebiet, a.code, a.unit_type AS ebene, v.value AS wert, p.value AS vergleichswert,
    rank() OVER (PARTITION BY a.unit_type ORDER BY v.value DESC NULLS LAST) AS rang
  FROM area a JOIN indicator_value v ON v.area_code = a.code
  LEFT JOIN indicator_value p ON p.area_code = a.parent_code AND p.indicator_id = v.indicator_id AND p.period_end = v.period_end
  WHERE v.indicator_id = $1 AND v.period_end = $2
  ORDER BY a.parent_code IS NULL, a.name`,
    params: (p) => [p.indicator, p.period],
    valueColumn: 'wert',
  },
  zeitreihe: {
    // One row per Stichtag and series, as the panel returns it.
    sql: `SELECT t.time, s.series, s.value FROM (
    SELECT period_end AS time, max(value) FILTER (WHERE area_code = $2) AS total, min(value) FILTER (WHERE area_code <> $2) AS low,
      max(value) FILTER (WHERE area_code <> $2) AS high
    FROM indicator_value WHERE indicator_id = $1 GROUP BY period_end
  ) t CROSS JOIN LATERAL (VALUES ('Gesamtgebiet', t.total), ('niedrigster Gebietswert', t.low), ('höchster Gebietswert', t.high)) AS s(series, value)
  ORDER BY t.time, s.series`,
    params: (p) => [p.indicator, p.total],
    valueColumn: 'value',
  },
};

export async function benchPostgres(ctx, { structure, run, observationsFile, rounds }) {
  const bin = findPostgres();
  if (!bin) return { skipped: INSTALL_HINT };
  const { default: pg } = await import('pg');
  const dir = path.join(ctx.work, 'postgres');
  const files = { areas: path.join(dir, 'gebiete.csv'), closure: path.join(dir, 'hierarchie.csv'), observations: observationsFile };
  await mkdir(dir, { recursive: true });
  await writeFile(files.areas, city.areaCsv(structure));
  await writeFile(files.closure, city.closureRows(structure).map((r) => r.join(';')).join('\n') + '\n');
  // The observation file stays where Lagebild read it; the server must be able to read it.
  chmodSync(path.dirname(observationsFile), 0o755);
  chmodSync(observationsFile, 0o644);
  ctx.log(`Vergleich PostgreSQL (${bin}): ${fmt(run.observations)} Beobachtungen, ${structure.label} …`);
  const cluster = await startCluster(bin, dir);
  const client = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'bench', database: 'postgres' });
  try {
    await client.connect();
    const version = (await client.query('SHOW server_version')).rows[0].server_version;
    let t = performance.now();
    for (const sql of schemaSql(structure, files)) await client.query(sql);
    const loadMs = performance.now() - t;
    ctx.log(`  PostgreSQL ${version}: geladen und indiziert in ${fmt(loadMs / 1000, 1)} s`);

    const schemeId = `bench-${structure.key}-x${run.scale}`;
    const periods = city.periods(structure, run.periods);
    const params = { indicator: 'b_anteil_u18', period: city.periodEnd(periods[periods.length - 1]), total: structure.tenant };
    const variables = { tenant: structure.tenant, scheme: schemeId, indicator: params.indicator, period: params.period, audience: 'v_indicator_value_raw' };
    const panels = {};
    for (const [key, panel] of Object.entries(PG_PANELS)) {
      const lagebild = [];
      const postgres = [];
      let rows = { lagebild: 0, postgres: 0 };
      let sums = { lagebild: 0, postgres: 0 };
      // Two unmeasured runs each warm caches and plans on both sides.
      for (let round = -2; round < rounds; round += 1) {
        t = performance.now();
        const answer = await call(ctx.url, ctx.planer, 'POST', `/api/warehouse/fis/panels/indikator-atlas/${key}`, { variables }, { readOnly: true });
        const lagebildMs = performance.now() - t;
        t = performance.now();
        const result = await client.query(panel.sql, panel.params(params));
        const postgresMs = performance.now() - t;
        if (round >= 0) {
          lagebild.push(lagebildMs);
          postgres.push(postgresMs);
        }
        const sum = (rs) => rs.reduce((n, r) => n + (r[panel.valueColumn] === null ? 0 : Number(r[panel.valueColumn])), 0);
        rows = { lagebild: answer.body.rows.length, postgres: result.rows.length };
        sums = { lagebild: sum(answer.body.rows), postgres: sum(result.rows) };
      }
      // Same data, same indicators: both engines must show the same figures.
      const same = rows.lagebild === rows.postgres && Math.abs(sums.lagebild - sums.postgres) <= 1e-6 * Math.max(1, Math.abs(sums.postgres));
      panels[key] = { lagebild, postgres, rows, same };
      ctx.log(`  ${key}: Lagebild p50 ${fmt(quantile(lagebild, 0.5), 1)} ms, PostgreSQL p50 ${fmt(quantile(postgres, 0.5), 1)} ms (Zeilen ${rows.lagebild} / ${rows.postgres}, Werte ${same ? 'gleich' : 'VERSCHIEDEN'})`);
    }
    return { version, loadMs, panels, params };
  } finally {
    await client.end().catch(() => undefined);
    try {
      cluster.stop();
    } catch (error) {
      ctx.log(`  PostgreSQL ließ sich nicht sauber beenden: ${error.message}`);
    }
  }
}

export function postgresResults(outcome, run, structure) {
  const results = [];
  const title = { rangfolge: 'Rangfolge', werte: 'Werte je Gebiet', zeitreihe: 'Zeitreihe' };
  for (const [key, p] of Object.entries(outcome.panels)) {
    const value = quantile(p.lagebild, 0.5);
    const baseline = quantile(p.postgres, 0.5);
    results.push({
      area: 'Vergleich PostgreSQL',
      name: `FIS Indikator-Atlas „${title[key]}“, ${structure.label}, ${fmt(run.observations)} Beobachtungen: Lagebild (FIS-API, chDB) p50`,
      unit: 'ms',
      better: 'lower',
      value,
      baseline,
      baselineName: `PostgreSQL ${outcome.version}: dieselbe Abfrage auf Kennzahl-Sichten (Zähler/Nenner über die Hierarchie summiert)`,
      ratio: baseline / value,
      target: '≥ 5 × schneller',
      met: baseline / value >= 5,
      samples: { value: p.lagebild, baseline: p.postgres },
      note: `p95: Lagebild ${fmt(quantile(p.lagebild, 0.95), 1)} ms, PostgreSQL ${fmt(quantile(p.postgres, 0.95), 1)} ms; ${p.rows.lagebild} Zeilen, ${p.same ? 'dieselben Werte in beiden' : `ABWEICHUNG: Lagebild ${p.rows.lagebild} Zeilen, PostgreSQL ${p.rows.postgres}, verschiedene Werte`}.`,
    });
  }
  return results;
}
