/**
 * Hamburg and Flensburg: Stadtteile from the cities' GeoJSON, and the names their statistics
 * use (Hamburg's Stadtteilprofile, Flensburg's Sozialatlas) matched to the units.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  areaFileFromDisk,
  attachNameMapping,
  catchUpAreaProjections,
  buildNameIndex,
  createAreaRegister,
  importAreaFile,
  loadAreaImportProfile,
  loadNameMappingTable,
} from '../../src/areas';
import { actor, DATA, openContext, type TestContext } from './support';

let t: TestContext;

beforeAll(async () => {
  t = await openContext();
});

afterAll(async () => {
  await t.close();
});

async function importCity(schemeId: string, name: string, tenant: string, file: string, profileName: string) {
  const profile = await loadAreaImportProfile(profileName);
  return importAreaFile(
    t.ctx,
    {
      schemeId,
      file: await areaFileFromDisk(path.join(DATA, file)),
      mapping: profile.mapping,
      validFrom: '2014-01-01',
      reason: profile.description,
      createScheme: { name, tenant, stripPrefixes: [...(profile.nameMatching?.stripPrefixes ?? [])] },
      publish: {},
    },
    actor,
  );
}

describe('Hamburg Stadtteile', () => {
  it('imports 104 Stadtteile below the 7 Bezirke named in the file', async () => {
    const result = await importCity('hamburg-stadtteile', 'Hamburg Stadtteile', '02000', 'hamburg/stadtteile.geojson', 'hamburg-stadtteile');
    expect(result).toMatchObject({ schemeCreated: true, features: 104, created: 111, publishedVersion: 1 });
    const v1 = (await createAreaRegister(t.ctx.documents).findSchemeVersion('hamburg-stadtteile'))!;
    const bezirke = v1.units.filter((u) => u.unitType === 'Bezirk');
    expect(bezirke.map((b) => `${b.code} ${b.name}`)).toEqual(['01 Hamburg-Mitte', '02 Altona', '03 Eimsbüttel', '04 Hamburg-Nord', '05 Wandsbek', '06 Bergedorf', '07 Harburg']);
    const stadtteile = v1.units.filter((u) => u.unitType === 'Stadtteil');
    expect(stadtteile).toHaveLength(104);
    expect(stadtteile.every((s) => s.parentCode === s.code.slice(0, 2))).toBe(true);
  });

  it('matches every name of the Stadtteilprofile 2014 or reports it', async () => {
    const table = await loadNameMappingTable('hamburg-stadtteile-namen');
    await attachNameMapping(t.ctx, 'hamburg-stadtteile', table, actor);
    const index = buildNameIndex((await createAreaRegister(t.ctx.documents).findSchemeVersion('hamburg-stadtteile'))!);
    const rows = parse(await readFile(path.join(DATA, 'hamburg/stadtteilprofile_2014.csv'), 'utf8'), { delimiter: ';', from_line: 2 }) as string[][];
    const names = rows.map((r) => r[0]!);
    // 99 Stadtteile, then the 7 Bezirke and the city.
    const stadtteile = names.slice(0, 99).map((n) => ({ name: n, result: index.match(n, { unitTypes: ['Stadtteil'] }) }));
    expect(stadtteile.filter((s) => s.result.status === 'matched')).toHaveLength(95);
    expect(stadtteile.filter((s) => s.result.status === 'group').map((s) => [s.name, s.result.status === 'group' ? s.result.codes : []])).toEqual([
      ['Kleiner Grasbrook und Steinwerder', ['0117', '0118']],
      ['Waltershof und Finkenwerder', ['0119', '0120']],
      ['Neuland und Gut Moor', ['0702', '0703']],
      ['Moorburg und Altenwerder', ['0711', '0712']],
    ]);
    const bezirke = names.slice(99, 106).map((n) => index.match(n, { unitTypes: ['Bezirk'] }));
    expect(bezirke.map((b) => (b.status === 'matched' ? b.code : b.status))).toEqual(['01', '02', '03', '04', '05', '06', '07']);
    // The city total is no unit of the scheme: reported (with the look-alike Harburg as suggestion), not dropped.
    expect(index.match(names[106]!)).toEqual({ status: 'unmatched', suggestions: [{ code: '07', name: 'Harburg' }, { code: '0701', name: 'Harburg' }] });
    // Neuwerk is the one Stadtteil the profiles do not list.
    const matched = new Set(stadtteile.flatMap((s) => (s.result.status === 'matched' ? [s.result.code] : s.result.status === 'group' ? s.result.codes : [])));
    expect((await createAreaRegister(t.ctx.documents).findSchemeVersion('hamburg-stadtteile'))!.units.filter((u) => u.unitType === 'Stadtteil' && !matched.has(u.code)).map((u) => u.name)).toEqual(['Neuwerk']);
  });
});

describe('Flensburg Stadtteile', () => {
  it('codes the 13 Stadtteile by their leading number, so the Sozialatlas district ids join', async () => {
    const result = await importCity('flensburg-stadtteile', 'Flensburg Stadtteile', '01001', 'flensburg/stadtteile.geojson', 'flensburg-stadtteile');
    expect(result.created).toBe(13);
    const units = (await createAreaRegister(t.ctx.documents).findSchemeVersion('flensburg-stadtteile'))!.units;
    expect(units.find((u) => u.code === '3')).toMatchObject({ name: 'Nordstadt', officialKey: 'STGT03', aliases: ['03 Nordstadt'], unitType: 'Stadtteil' });
    const sql = await readFile(path.join(DATA, 'flensburg/sozialatlas.sql'), 'utf8');
    const districts = [...sql.matchAll(/^\((\d+), '([^']+)', NULL\)/gm)].map((m) => [m[1]!, m[2]!]);
    expect(districts).toHaveLength(13);
    for (const [id, name] of districts) expect(units.find((u) => u.code === id)?.name).toBe(name);
  });

  it('matches the names of the city spreadsheets (underscores for spaces)', async () => {
    const index = buildNameIndex((await createAreaRegister(t.ctx.documents).findSchemeVersion('flensburg-stadtteile'))!);
    const rows = parse(await readFile(path.join(DATA, 'flensburg/raw_tab1_einwohner.csv'), 'utf8'), { columns: true }) as Array<{ id: string; stadtteil: string }>;
    for (const row of rows) expect(index.match(row.stadtteil)).toMatchObject({ status: 'matched', code: row.id });
  });
});

describe('read models', () => {
  it('catch up with events whose projection was lost (a crash between append and projection)', async () => {
    const register = createAreaRegister(t.ctx.documents);
    await catchUpAreaProjections(t.ctx);
    await t.ctx.documents.delete('areas.schemes', 'flensburg-stadtteile');
    await t.ctx.documents.delete('areas.projection', 'checkpoint');
    expect(await register.findScheme('flensburg-stadtteile')).toBeUndefined();
    expect(await catchUpAreaProjections(t.ctx)).toBe(1);
    expect(await register.findScheme('flensburg-stadtteile')).toMatchObject({ currentVersion: 1, tenant: '01001' });
    expect(await catchUpAreaProjections(t.ctx)).toBe(0);
  });
});
