/**
 * `lagebild query`: read-only SQL on the embedded warehouse, as a table or CSV; writing
 * statements are refused with a German reason before anything runs.
 */
import { freshDataDir, type DataDir } from './support';

let dir: DataDir;
beforeAll(async () => {
  dir = await freshDataDir('query');
});
afterAll(() => dir.remove());

describe('lagebild query', () => {
  it('prints the result as an aligned table with a row count', async () => {
    const result = await dir.lagebild('query', "SELECT name, engine FROM system.tables WHERE database = 'lagebild' AND name IN ('fact_attainment', 'v_goal') ORDER BY name");
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual(['name             engine', '---------------  ------------------', 'fact_attainment  ReplacingMergeTree', 'v_goal           View', '(2 Zeilen)', '']);
  }, 60_000);

  it('prints CSV with --csv', async () => {
    const result = await dir.lagebild('query', "SELECT 'a,b' AS text, 1.5 AS zahl", '--csv');
    expect(result.stdout).toBe('text,zahl\n"a,b",1.5\n');
  }, 60_000);

  it('refuses writing statements and several statements, naming why', async () => {
    const drop = await dir.lagebild('query', 'DROP TABLE lagebild.fact_attainment');
    expect(drop.code).toBe(1);
    expect(drop.stderr).toContain('Nur lesende Abfragen sind erlaubt');
    const two = await dir.lagebild('query', "SELECT 1; INSERT INTO lagebild.dim_traeger (name) VALUES ('x')");
    expect(two.stderr).toContain('Nur eine Anweisung je Aufruf');
    const hidden = await dir.lagebild('query', "SELECT ';' AS semikolon -- ; DROP");
    expect(hidden.code).toBe(0);
    const file = await dir.lagebild('query', "SELECT * FROM file('/etc/passwd')");
    expect(file.stderr).toContain('Tabellenfunktionen');
  }, 60_000);
});

describe('lagebild replay', () => {
  it('rebuilds the warehouse of a data directory and reports the tables', async () => {
    const result = await dir.lagebild('replay');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Neuaufbau aller Tabellen ab dem ersten Ereignis');
    expect(result.stdout).toMatch(/Fertig: \d+ Tabellen neu aufgebaut/);
    const tables = await dir.lagebild('query', "SELECT count() AS n FROM system.databases WHERE name = 'lagebild_replay'");
    expect(tables.stdout).toContain('\n0\n');
  }, 120_000);
});
