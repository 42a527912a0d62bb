/**
 * Berlin's LOR reform 2021 as two versions of one scheme, from the city's own files: Bezirke and
 * the old Planungsräume (GeoJSON, WGS84), the new ones (shapefile in EPSG:25833), the match table
 * and the population of both Stichtage for the crosswalk.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AreaRuleViolation,
  areaFileFromDisk,
  containsPoint,
  createAreaRegister,
  createScheme,
  deriveCrosswalk,
  importAreaFile,
  loadAreaImportProfile,
  loadMatchCorrections,
  publishVersion,
  readPopulationCsv,
  type AreaGeometry,
  type CrosswalkDerivation,
} from '../../src/areas';
import type { AreaGeometriesPublishedData, AreaSchemeVersionPublishedData } from '../../src/areas/publication';
import { actor, DATA, openContext, type TestContext } from './support';

const BERLIN = path.join(DATA, 'berlin');
const SCHEME = 'berlin-lor-planungsraeume';

let t: TestContext;
let derivation: CrosswalkDerivation;
let bezirke: Map<string, AreaGeometry>;

async function importWithProfile(file: string, profile: string, validFrom: string, mode: 'merge' | 'replace' = 'merge') {
  const p = await loadAreaImportProfile(profile);
  return importAreaFile(t.ctx, { schemeId: SCHEME, file: await areaFileFromDisk(file), mapping: p.mapping, validFrom, reason: p.description, mode }, actor);
}

beforeAll(async () => {
  t = await openContext();
  await createScheme(t.ctx, { schemeId: SCHEME, name: 'Berlin LOR-Planungsräume', tenant: '11000' }, actor);
  const raw = JSON.parse(await readFile(path.join(BERLIN, 'geometry/bezirke.geojson'), 'utf8')) as { features: Array<{ properties: { id: string }; geometry: AreaGeometry }> };
  bezirke = new Map(raw.features.map((f) => [f.properties.id, f.geometry]));
});

afterAll(async () => {
  await t.close();
});

describe('Berlin LOR-Planungsräume', () => {
  it('refuses the pre-2021 file as delivered: two features carry the code 06010102', async () => {
    const b = await importWithProfile(path.join(BERLIN, 'geometry/bezirke.geojson'), 'berlin-bezirke', '2015-01-01');
    expect(b.created).toBe(12);
    const p = await loadAreaImportProfile('berlin-lor-bis-2020');
    const file = await areaFileFromDisk(path.join(BERLIN, 'geometry/lor_planungsraeume_bis_2020.geojson'));
    const attempt = importAreaFile(t.ctx, { schemeId: SCHEME, file, mapping: { ...p.mapping, corrections: [] }, validFrom: '2015-01-01', reason: 'ohne Korrektur' }, actor);
    await expect(attempt).rejects.toThrow(AreaRuleViolation);
    const error = (await attempt.catch((e: unknown) => e)) as AreaRuleViolation;
    expect(error.code).toBe('duplicate-code');
    expect(error.errors).toEqual([{ where: 'Feature 204', detail: 'der Code "06010102" kommt schon in Feature 123 vor (Schloßstraße)' }]);
  });

  it('publishes version 1 with the 12 Bezirke and 448 Planungsräume, the mislabelled feature corrected', async () => {
    const lor = await importWithProfile(path.join(BERLIN, 'geometry/lor_planungsraeume_bis_2020.geojson'), 'berlin-lor-bis-2020', '2015-01-01');
    expect(lor.features).toBe(448);
    expect(lor.created).toBe(448);
    expect(lor.notes.join(' ')).toContain('Feature 123: id 06010102, name Schloßstraße → id 04030417');
    const published = await publishVersion(t.ctx, SCHEME, { validFrom: '2015-01-01', reason: 'LOR-Planungsräume (Stand 2019/2020, 448 Planungsräume)' }, actor);
    expect(published.version).toBe(1);

    const register = createAreaRegister(t.ctx.documents);
    const v1 = (await register.findSchemeVersion(SCHEME, 1))!;
    const plr = v1.units.filter((u) => u.unitType === 'Planungsraum');
    expect(plr).toHaveLength(448);
    expect(new Set(plr.map((u) => u.code)).size).toBe(448);
    // Every Planungsraum's label point lies in its Bezirk: the parents are right, and so is the correction.
    const units = await register.unitDocuments(SCHEME, 1);
    const outside = units.filter((u) => u.unitType === 'Planungsraum' && !containsPoint(bezirke.get(u.parentCode!)!, u.centroid!));
    expect(outside.map((u) => u.code)).toEqual([]);
    expect(units.find((u) => u.code === '04030417')).toMatchObject({ name: 'Schloßstraße', parentCode: '04' });
  });

  it('imports the 2021 shapefile from EPSG:25833: 542 Planungsräume, each inside its Bezirk', async () => {
    const result = await importWithProfile(path.join(BERLIN, 'geometry/lor_planungsraeume_2021.shp'), 'berlin-lor-2021', '2021-01-01', 'replace');
    expect(result.format).toBe('shapefile');
    expect(result.created).toBe(542);
    expect(result.retired).toBe(448);
    expect(result.notes.join(' ')).toContain('ETRS_1989_UTM_Zone_33N nach WGS84');
    expect(result.notes.join(' ')).toContain('DBF-Kodierung utf-8 (.cpg-Datei)');

    const corrections = await loadMatchCorrections('berlin-lor-matches-corrections');
    const table = JSON.parse(await readFile(path.join(BERLIN, 'geometry/lor_matches_2020_2021.json'), 'utf8')) as Record<string, unknown>;
    const population = async (file: string) => readPopulationCsv(await readFile(path.join(BERLIN, 'population', file)), file, { code: 'id', population: 'inhabitants' });
    ({ derivation } = await deriveCrosswalk(
      t.ctx,
      SCHEME,
      {
        matchTable: table,
        corrections,
        fromPopulation: await population('berlin-lor-population-2020-02-t2-planning-areas.csv'),
        toPopulation: await population('berlin-lor-population-2021-01-t2-planning-areas.csv'),
        populationSource: 'Einwohnerregister 2020-02 (alte LOR) und 2021-01 (neue LOR)',
      },
      actor,
    ));
    const published = await publishVersion(t.ctx, SCHEME, { validFrom: '2021-01-01', reason: 'LOR-Reform 2021: 542 Planungsräume' }, actor);
    expect(published.version).toBe(2);

    const units = await createAreaRegister(t.ctx.documents).unitDocuments(SCHEME, 2);
    const plr = units.filter((u) => u.unitType === 'Planungsraum');
    expect(plr).toHaveLength(542);
    expect(plr.find((u) => u.code === '11501341')).toMatchObject({ name: 'Karlshorst Süd', parentCode: '11' });
    const outside = plr.filter((u) => !containsPoint(bezirke.get(u.parentCode!)!, u.centroid!));
    expect(outside.map((u) => u.code)).toEqual([]);
  });

  it('finds the version in force on a Stichtag', async () => {
    const register = createAreaRegister(t.ctx.documents);
    expect((await register.findSchemeVersionOn(SCHEME, '2020-12-31'))?.version).toBe(1);
    expect((await register.findSchemeVersionOn(SCHEME, '2021-01-01'))?.version).toBe(2);
    expect(await register.findSchemeVersionOn(SCHEME, '2014-12-31')).toBeUndefined();
    expect(await register.findScheme(SCHEME)).toMatchObject({ currentVersion: 2, tenant: '11000', versions: [{ version: 1, validFrom: '2015-01-01' }, { version: 2, validFrom: '2021-01-01' }] });
    const v1 = (await register.findSchemeVersion(SCHEME, 1))!;
    expect(v1.validTo).toBe('2021-01-01');
    expect(v1.units.find((u) => u.code === '01011101')?.validTo).toBe('2020-12-31');
  });

  it('carries series over with population weights where the match table and populations agree, else marks the break', async () => {
    const crosswalk = (await createAreaRegister(t.ctx.documents).crosswalk(SCHEME, 2))!;
    expect(crosswalk.fromVersion).toBe(1);
    const byFrom = new Map<string, Array<{ toCode: string; weight: number }>>();
    for (const w of crosswalk.weights) byFrom.set(w.fromCode, [...(byFrom.get(w.fromCode) ?? []), w]);
    for (const [, ws] of byFrom) expect(ws.reduce((s, w) => s + w.weight, 0)).toBeCloseTo(1, 6);
    // Every old unit has weights or a stated break, never both, never neither.
    const broken = new Set(crosswalk.seriesBreaks.map((b) => b.code));
    for (let code = 1; code <= 12; code += 1) expect(byFrom.get(String(code).padStart(2, '0'))).toEqual([{ fromCode: String(code).padStart(2, '0'), toCode: String(code).padStart(2, '0'), weight: 1 }]);
    const oldPlr = (await createAreaRegister(t.ctx.documents).unitDocuments(SCHEME, 1)).filter((u) => u.unitType === 'Planungsraum').map((u) => u.code);
    for (const code of oldPlr) expect(byFrom.has(code) !== broken.has(code)).toBe(true);
    expect(derivation.summary.seriesBreaks).toBe(broken.size);
    // The corrected Schloßstraße continues 1:1 in Charlottenburg, and so does Steglitz' own.
    expect(byFrom.get('04030417')).toEqual([{ fromCode: '04030417', toCode: '04300414', weight: 1 }]);
    expect(byFrom.get('06010102')).toEqual([{ fromCode: '06010102', toCode: '06100102', weight: 1 }]);
    // A split: 01011401 became 01100414 and 01100415, divided as their inhabitants in 2021-01 (counted here from the file).
    const pop = readPopulationCsv(await readFile(path.join(BERLIN, 'population/berlin-lor-population-2021-01-t2-planning-areas.csv')), 'x', { code: 'id', population: 'inhabitants' });
    const share = pop.get('01100414')! / (pop.get('01100414')! + pop.get('01100415')!);
    expect(byFrom.get('01011401')!.find((w) => w.toCode === '01100414')!.weight).toBeCloseTo(share, 5);
    // A match whose populations disagree is no re-partition: 02010103 (15,171) -> 02100105 (9,527).
    expect(crosswalk.seriesBreaks.find((b) => b.code === '02010103')?.reason).toMatch(/keine vollständige Neugliederung: Bevölkerung alt 15171, neu 9527/);
    expect(crosswalk.method).toContain('Korrekturen der Zuordnungstabelle: Zuordnung 04300414: 06010102 → 04030417');
  });

  it('publishes the version and its geometries as integration events in bounded batches', async () => {
    const events = await t.ctx.eventStore.readStream(`area-scheme-${SCHEME}`);
    const versions = events.filter((e) => e.type === 'AreaSchemeVersionPublished').map((e) => e.data as AreaSchemeVersionPublishedData);
    expect(versions.map((v) => [v.version, v.units.length, v.previousVersion])).toEqual([
      [1, 460, null],
      [2, 554, 1],
    ]);
    expect(versions[1]!.crosswalk.length).toBe(derivation.weights.length + 12);
    const batches = events.filter((e) => e.type === 'AreaGeometriesPublished').map((e) => e.data as AreaGeometriesPublishedData).filter((b) => b.version === 2);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.map((b) => b.isLastBatch)).toEqual(batches.map((_, i) => i === batches.length - 1));
    for (const batch of batches) expect(batch.geometries.reduce((s, g) => s + g.geometry.length, 0)).toBeLessThanOrEqual(500_000);
    const codes = batches.flatMap((b) => b.geometries.map((g) => g.code));
    expect(new Set(codes).size).toBe(554);
    const sample = JSON.parse(batches[0]!.geometries[0]!.geometry) as { type: string; coordinates: number[][][][] };
    expect(sample.type).toBe('MultiPolygon');
    expect(sample.coordinates[0]![0]![0]!.every((c) => Math.abs(c * 1e5 - Math.round(c * 1e5)) < 1e-6)).toBe(true);
  });
});
