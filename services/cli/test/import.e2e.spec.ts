/**
 * `lagebild import` as users run it: the built command (dist/main.js) in a child process on a
 * fresh data dir, with Hamburg's real Stadtteilprofile and the shipped profile. The register is
 * prepared through the ingestion package beforehand (the areas commands have their own test).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { areaFileFromDisk, attachNameMapping, createScheme, importAreaFile, loadAreaImportProfile, loadNameMappingTable, publishVersion, queryObservations } from '@lagebild/ingestion';
import { DATA, freshDataDir, type DataDir } from './support';

const HAMBURG = path.join(DATA, 'hamburg/stadtteilprofile_2014.csv');

let dir: DataDir;
const lagebild = (...args: string[]) => dir.lagebild(...args);

beforeAll(async () => {
  dir = await freshDataDir('import');
  const { eventStore, documents, close } = dir.openStores();
  const ctx = { eventStore, documents };
  const actor = { subject: 'system:test' };
  const profile = await loadAreaImportProfile('hamburg-stadtteile');
  await createScheme(ctx, { schemeId: 'hamburg-stadtteile', name: 'Hamburg Stadtteile', tenant: '02000', stripPrefixes: profile.nameMatching?.stripPrefixes ?? [] }, actor);
  await importAreaFile(ctx, { schemeId: 'hamburg-stadtteile', file: await areaFileFromDisk(path.join(DATA, 'hamburg/stadtteile.geojson')), mapping: profile.mapping, validFrom: '2008-03-01', reason: profile.description }, actor);
  await attachNameMapping(ctx, 'hamburg-stadtteile', await loadNameMappingTable('hamburg-stadtteile-namen'), actor);
  await publishVersion(ctx, 'hamburg-stadtteile', { validFrom: '2008-03-01', reason: 'Stadtteile' }, actor);
  await close();
}, 60_000);

afterAll(async () => {
  await dir?.remove();
});

describe('lagebild import', () => {
  it('accepts the Hamburg Stadtteilprofile with the shipped profile and prints a summary', async () => {
    const result = await lagebild('import', HAMBURG, '--profile', 'hamburg-stadtteilprofile-2014');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Lieferung [0-9a-f-]{36} angenommen\./);
    expect(result.stdout).toContain('95 Zeilen');
    expect(result.stdout).toContain('für 95 Gebiete');
    expect(result.stdout).toContain('Gebietsgliederung hamburg-stadtteile Version 1');
    expect(result.stdout).toContain('Hinweis: Datei „stadtteilprofile_2014.csv“, Zeile 16, Spalte A („Stadtgebiet“)');

    // The observation read model is up to date when the command exits (GET /observations reads it).
    const { documents, close } = dir.openStores();
    try {
      const altstadt = await queryObservations(documents, { tenant: '02000', datasetId: 'hamburg-stadtteilprofile', schemeId: 'hamburg-stadtteile', variable: 'bevoelkerung', areaCode: '0101' });
      expect(altstadt).toMatchObject([{ value: 1675, status: 'VALUE', sourceLine: 2 }]);
    } finally {
      await close();
    }
  });

  it('changes nothing when the same file is delivered again', async () => {
    const result = await lagebild('import', HAMBURG, '--profile', 'hamburg-stadtteilprofile-2014');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('schon geliefert');
  });

  it('rejects a broken copy with exit code 1 and the German error list', async () => {
    const lines = (await readFile(HAMBURG, 'utf8')).split('\n');
    // Lines 6 and 8 as a spreadsheet counts them (the header is line 1).
    lines[5] = lines[5]!.replace(/^St\. Georg; [^;]+;/, 'St. Georg; viele;');
    lines[7] = lines[7]!.replace(/^Borgfelde;/, 'Borgfeld;');
    const broken = path.join(dir.path, 'stadtteilprofile_kaputt.csv');
    await writeFile(broken, lines.join('\n'));
    const result = await lagebild('import', broken, '--profile', 'hamburg-stadtteilprofile-2014');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('abgelehnt: 2 Fehler');
    expect(result.stderr).toContain('Es wurde nichts erfasst.');
    expect(result.stderr).toContain('- Datei „stadtteilprofile_kaputt.csv“, Zeile 6, Spalte B („Bevölkerung“): Der Wert ist keine Zahl. Gefunden: „viele“.');
    expect(result.stderr).toContain('Zeile 8, Spalte A („Stadtgebiet“): Das Gebiet ist in der Gebietsgliederung „Hamburg Stadtteile“ (Version 1) unbekannt. Gefunden: „Borgfeld“. Erwartet: ein Gebietsname der Gebietsgliederung oder eine Zuordnung im Lieferprofil (nameMap); ähnlich: 0107 „Borgfelde“');
  });

  it('explains wrong arguments with the usage (exit code 2)', async () => {
    const result = await lagebild('import', HAMBURG);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--profile fehlt.');
    expect(result.stderr).toContain('Aufruf: lagebild import DATEI --profile PROFIL');
  });
});
