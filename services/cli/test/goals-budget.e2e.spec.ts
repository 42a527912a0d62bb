/**
 * `lagebild goals import` and `lagebild budget import` as a Sozialplanerin and a Controller run
 * them, on a fresh data directory where the platform has never run: the shipped scenario and the
 * real Münster file are taken whole, a second run changes nothing, a broken file is refused with
 * line and column and nothing written.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DATA, freshDataDir, type DataDir } from './support';

const SCENARIOS = path.resolve(__dirname, '../../goals/scenarios');
let dir: DataDir;
beforeAll(async () => {
  dir = await freshDataDir('goals-budget');
});
afterAll(() => dir.remove());

describe('lagebild goals import', () => {
  it('loads the Bamberg goal system on a fresh data directory and changes nothing the second time', async () => {
    const first = await dir.lagebild('goals', 'import', path.join(SCENARIOS, 'bamberg.yaml'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('für den Mandanten 09461 übernommen');
    expect(first.stdout).toMatch(/Ziele: [1-9]\d* neu, 0 geändert/);
    expect(first.stdout).toMatch(/Verträge: 1 neu/);
    const again = await dir.lagebild('goals', 'import', path.join(SCENARIOS, 'bamberg.yaml'));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('(0 Ereignisse)');
    expect(again.stdout).toMatch(/Ziele: 0 neu, 0 geändert, [1-9]\d* unverändert/);
  }, 120_000);

  it('refuses a broken file naming file, line and column, and writes nothing', async () => {
    const file = path.join(dir.path, 'kaputt.yaml');
    await writeFile(file, ['mandant: "09461"', 'ziele:', '  - schluessel: a', '    ebene: strategisches Ziel', '    zielfeld: Wirkungen', '    titel: Teilhabe', '    verantwortlich: Sozialreferat', '    zielwerte:', '      - schluessel: z', '        kennzahl: arbeitslosendichten', '        art: absolut', '        zielwert: 3', '        richtung: hoechstens', '        termin: 2026-12-31', ''].join('\n'));
    const result = await dir.lagebild('goals', 'import', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nicht übernommen');
    expect(result.stderr).toContain('Es wurde nichts geschrieben.');
    expect(result.stderr).toMatch(/kaputt\.yaml:10:\d+: .*„arbeitslosendichten“.*Meinten Sie „arbeitslosendichte“/);
  }, 120_000);
});

describe('lagebild budget import', () => {
  it('imports the real Münster results 2007-2016 once, and the same file again changes nothing', async () => {
    const file = path.join(DATA, 'budget/muenster_ergebnisse_2007_2016.csv');
    const first = await dir.lagebild('budget', 'import', file, '--profile', 'muenster-ergebnisse');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('angenommen');
    expect(first.stdout).toContain('1.366 Zeilen');
    expect(first.stdout).toContain('Haushaltsjahre 2007, 2008, 2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016');
    const again = await dir.lagebild('budget', 'import', file, '--profile', 'muenster-ergebnisse');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('schon importiert');
  }, 180_000);
});
