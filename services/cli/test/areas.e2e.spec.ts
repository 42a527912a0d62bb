/**
 * `lagebild areas ...` as users run it: the built command (dist/main.js) in a child process on a
 * fresh data dir, with Berlin's real files, the LOR reform 2020 -> 2021 included. Afterwards the
 * events it appended are encoded with the contracts' codec, as the outbox relay would.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCodec, outboxMapper } from '@lagebild/contracts';
import { createAreaRegister } from '@lagebild/ingestion';
import { DATA, freshDataDir, type DataDir } from './support';

const GEOMETRY = path.join(DATA, 'berlin/geometry');
const POPULATION = path.join(DATA, 'berlin/population');
const SCHEME = 'berlin-lor-planungsraeume';

let dir: DataDir;
const lagebild = (...args: string[]) => dir.lagebild(...args);

beforeAll(async () => {
  dir = await freshDataDir('areas');
});

afterAll(async () => {
  await dir?.remove();
});

describe('lagebild areas', () => {
  it('imports Berlin Bezirke and the LOR-Planungsräume bis 2020 as version 1', async () => {
    const bezirke = await lagebild('areas', 'import', path.join(GEOMETRY, 'bezirke.geojson'), '--scheme', SCHEME, '--name', 'Berlin LOR-Planungsräume', '--tenant', '11000', '--profile', 'berlin-bezirke', '--valid-from', '2015-01-01', '--draft');
    expect(bezirke).toMatchObject({ code: 0, stderr: '' });
    expect(bezirke.stdout).toContain(`Gebietsgliederung ${SCHEME} angelegt.`);
    expect(bezirke.stdout).toContain('Importiert: 12 neu, 0 geändert, 0 aufgehoben, 0 unverändert.');
    expect(bezirke.stdout).toContain(`Im Entwurf von ${SCHEME}`);

    const old = await lagebild('areas', 'import', path.join(GEOMETRY, 'lor_planungsraeume_bis_2020.geojson'), '--scheme', SCHEME, '--profile', 'berlin-lor-bis-2020', '--valid-from', '2015-01-01', '--reason', 'LOR-Planungsräume bis 2020');
    expect(old.code).toBe(0);
    expect(old.stdout).toContain('Feature 123: id 06010102, name Schloßstraße → id 04030417');
    expect(old.stdout).toContain('Importiert: 448 neu');
    expect(old.stdout).toContain(`Version 1 von ${SCHEME} veröffentlicht, gültig ab 2015-01-01.`);
  });

  it('imports the 2021 shapefile, derives the crosswalk and publishes version 2', async () => {
    const lor = await lagebild('areas', 'import', path.join(GEOMETRY, 'lor_planungsraeume_2021.shp'), '--scheme', SCHEME, '--profile', 'berlin-lor-2021', '--valid-from', '2021-01-01', '--replace', '--draft', '--reason', 'LOR-Reform 2021');
    expect(lor.code).toBe(0);
    expect(lor.stdout).toContain('Importiert: 542 neu, 0 geändert, 448 aufgehoben');
    const crosswalk = await lagebild(
      'areas', 'crosswalk', '--scheme', SCHEME,
      '--matches', path.join(GEOMETRY, 'lor_matches_2020_2021.json'),
      '--from-population', path.join(POPULATION, 'berlin-lor-population-2020-02-t2-planning-areas.csv'),
      '--to-population', path.join(POPULATION, 'berlin-lor-population-2021-01-t2-planning-areas.csv'),
      '--corrections', 'berlin-lor-matches-corrections',
    );
    expect(crosswalk.code).toBe(0);
    expect(crosswalk.stdout).toMatch(/^Umschlüsselung für berlin-lor-planungsraeume festgelegt: \d+ Gewichte aus \d+ von \d+ Gruppen/m);
    expect(crosswalk.stdout).toMatch(/^Zeitreihenbrüche: \d+ Einheiten\.$/m);
    const publish = await lagebild('areas', 'publish', '--scheme', SCHEME, '--valid-from', '2021-01-01', '--reason', 'LOR-Reform 2021: 542 Planungsräume');
    expect(publish).toMatchObject({ code: 0, stdout: `Version 2 von ${SCHEME} veröffentlicht, gültig ab 2021-01-01.\n` });
    const list = await lagebild('areas', 'list');
    expect(list.stdout).toContain('berlin-lor-planungsraeume  Berlin LOR-Planungsräume  (Mandant 11000)');
    expect(list.stdout).toContain('Version 1  gültig ab 2015-01-01 bis vor 2021-01-01: 12 Bezirk, 448 Planungsraum');
    expect(list.stdout).toMatch(/Version 2 {2}gültig ab 2021-01-01: 12 Bezirk, 542 Planungsraum; Umschlüsselung: \d+ Gewichte, \d+ Zeitreihenbrüche/);
  });

  it('reads a Latin-1 CSV with --encoding and creates the scheme', async () => {
    const csv = path.join(dir.path, 'sozialraeume.csv');
    await writeFile(csv, Buffer.from('code;name;type\nSR1;Jürgensby-Süd;Sozialraum\nSR2;Weiße Höhe;Sozialraum\n', 'latin1'));
    const result = await lagebild('areas', 'import', csv, '--scheme', 'flensburg-sozialraeume', '--name', 'Flensburg Sozialräume', '--tenant', '01001', '--encoding', 'latin1', '--valid-from', '2024-01-01');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('CSV gelesen: Kodierung windows-1252, Trennzeichen ";".');
    expect(result.stdout).toContain('Importiert: 2 neu');
  });

  it('exits 1 with the German error list when a file cannot be imported, 2 on wrong arguments', async () => {
    const broken = path.join(dir.path, 'doppelt.csv');
    await writeFile(broken, 'code;name;type;parent\nSR1;Nord;Sozialraum;\nSR1;Süd;Sozialraum;\nSR3;Ost;Sozialraum;SR9\n');
    const duplicate = await lagebild('areas', 'import', broken, '--scheme', 'flensburg-sozialraeume', '--valid-from', '2025-01-01');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe(
      'Fehler: Die Datei enthält doppelte Codes.\n' +
        '  - Zeile 3: der Code "SR1" kommt schon in Zeile 2 vor (Nord)\n' +
        '  - Zeile 4: das übergeordnete Gebiet "SR9" von SR3 (Ost) gibt es nicht\n',
    );
    const usage = await lagebild('areas', 'import', broken, '--format', 'xlsx', '--scheme', 'x');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--format: "xlsx" ist unbekannt');
    expect(usage.stderr).toContain('Aufruf: lagebild areas import DATEI --scheme ID');
  });

  it('leaves events the outbox can encode with the contracts, and read models the register serves', async () => {
    const { eventStore: store, documents, close } = dir.openStores();
    try {
      const toRecord = outboxMapper(createCodec());
      const events = await store.readStream(`area-scheme-${SCHEME}`);
      const published = events.map((e) => ({ type: e.type, record: toRecord(e) })).filter((e) => e.record !== undefined);
      const types = published.map((e) => e.type);
      expect(types.filter((t) => t === 'AreaSchemeVersionPublished')).toHaveLength(2);
      expect(types.filter((t) => t === 'AreaGeometriesPublished').length).toBeGreaterThan(2);
      // The private events stay inside the service.
      expect(events.filter((e) => e.type === 'UnitsImported').every((e) => toRecord(e) === undefined)).toBe(true);
      for (const e of published) expect(e.record!.topic).toBe('lagebild.ingestion');
      const register = createAreaRegister(documents);
      expect((await register.findSchemeVersionOn(SCHEME, '2024-12-31'))?.units.filter((u) => u.unitType === 'Planungsraum')).toHaveLength(542);
      expect((await register.findSchemeVersion('flensburg-sozialraeume'))?.units.map((u) => u.name)).toEqual(['Jürgensby-Süd', 'Weiße Höhe']);
    } finally {
      await close();
    }
  });
});
