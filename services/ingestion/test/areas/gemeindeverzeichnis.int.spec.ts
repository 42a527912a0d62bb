/**
 * The whole Gemeindeverzeichnis (Destatis GV100AD, Gebietsstand 30.11.2023) into the register:
 * counts, the Kreis federation lookups issue 9 builds tenants on, and population and area read
 * from the right columns (checked against figures Destatis publishes).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createAreaRegister, createGemeindeverzeichnis, GEMEINDEVERZEICHNIS_SCHEME_ID, loadGemeindeverzeichnis, type GvEntry } from '../../src/areas';
import { actor, DATA, openContext, type TestContext } from './support';

const FILE = path.join(DATA, 'germany/GV100AD_301123.txt');

let t: TestContext;
let bytes: Buffer;

beforeAll(async () => {
  t = await openContext();
  bytes = await readFile(FILE);
});

afterAll(async () => {
  await t.close();
});

describe('Gemeindeverzeichnis (GV100AD)', () => {
  it('loads all records as a version valid from the Gebietsstand', async () => {
    const result = await loadGemeindeverzeichnis(t.ctx, { fileName: 'GV100AD_301123.txt', bytes }, actor);
    expect(result.gebietsstand).toBe('2023-11-30');
    expect(result.counts).toEqual({ Land: 16, Regierungsbezirk: 29, Region: 12, Kreis: 400, Gemeindeverband: 4597, Gemeinde: 10981 });
    expect(result.created).toBe(16035);
    expect(result.publishedVersion).toBe(1);
    const scheme = await createAreaRegister(t.ctx.documents).findScheme(GEMEINDEVERZEICHNIS_SCHEME_ID);
    expect(scheme).toMatchObject({ tenant: null, currentVersion: 1, versions: [{ version: 1, validFrom: '2023-11-30' }] });
  });

  it('knows 400 Kreise and Nordfriesland (01054) with its 133 Gemeinden', async () => {
    const gv = createGemeindeverzeichnis(t.ctx.documents);
    expect(await gv.listKreise()).toHaveLength(400);
    const nf = (await gv.findKreis('01054'))!;
    expect(nf.kreis).toMatchObject({ name: 'Nordfriesland', kennzeichen: 'Kreis', parentKey: '01', landKey: '01', gemeinden: 133 });
    expect(nf.gemeinden).toHaveLength(133);
    expect(nf.gemeinden.every((g) => g.key.startsWith('01054') && g.level === 'Gemeinde')).toBe(true);
    expect(await gv.memberGemeinden('01054')).toEqual(nf.gemeinden.map((g) => g.key));
    // Ämter: every Gemeinde belongs to one of the Kreis' Gemeindeverbände.
    const verbaende = new Set(nf.gemeindeverbaende.map((v) => v.key));
    expect(nf.gemeinden.every((g) => verbaende.has(g.verbandKey!))).toBe(true);
    const husum = nf.gemeinden.find((g) => g.name.startsWith('Husum'))!;
    expect((await gv.findGemeindeverband(husum.verbandKey!))!.gemeinden.map((g) => g.key)).toContain(husum.key);
  });

  it('sums a Kreis from its Gemeinden, a Land from its Kreise, Germany from its Länder', async () => {
    const gv = createGemeindeverzeichnis(t.ctx.documents);
    const nf = (await gv.findKreis('01054'))!;
    const sum = (entries: GvEntry[], field: 'einwohner' | 'einwohnerMaennlich' | 'einwohnerWeiblich') => entries.reduce((s, e) => s + e[field]!, 0);
    // GV100AD has figures only on Gemeinde records; the Kreis record is their sum.
    expect(nf.kreis.einwohner).toBe(sum(nf.gemeinden, 'einwohner'));
    expect(nf.kreis.einwohnerWeiblich).toBe(sum(nf.gemeinden, 'einwohnerWeiblich'));
    expect(nf.kreis.flaecheKm2).toBeCloseTo(nf.gemeinden.reduce((s, g) => s + g.flaecheKm2!, 0), 6);
    // Länder with and without Regierungsbezirke: the Kreise reach their Land either way.
    let germany = 0;
    for (const land of ['01', '05', '08', '09', '11', '16']) {
      const { land: entry, kreise } = (await gv.findLand(land))!;
      expect(entry.einwohner).toBe(sum(kreise, 'einwohner'));
    }
    for (let l = 1; l <= 16; l += 1) germany += (await gv.findLand(String(l).padStart(2, '0')))!.land.einwohner!;
    // Destatis: Bevölkerung Deutschlands am 31.12.2022 (Stand of the population in this issue).
    expect(germany).toBe(84_358_845);
  });

  it('reads population, area and postcode of a Gemeinde from their columns', async () => {
    const gv = createGemeindeverzeichnis(t.ctx.documents);
    const flensburg = (await gv.findGemeinde('01001000'))!;
    expect(flensburg).toMatchObject({
      name: 'Flensburg, Stadt',
      kennzeichen: 'Kreisfreie Stadt',
      kreisKey: '01001',
      ars: '010010000000',
      einwohner: 92_550,
      einwohnerMaennlich: 45_874,
      einwohnerWeiblich: 46_676,
      flaecheKm2: 56.73,
      plz: '24937',
      plzEindeutig: false,
    });
    expect((await gv.findKreis('01001'))!.kreis).toMatchObject({ kennzeichen: 'Kreisfreie Stadt', einwohner: 92_550 });
    const berlin = (await gv.findGemeinde('11000000'))!;
    expect(berlin.parentKey).toBe('110000000');
    expect((await gv.searchGemeinden('flensburg'))[0]!.key).toBe('01001000');
    expect(await gv.findGemeinde('01054')).toBeUndefined();
  });

  it('recognises the same Gebietsstand loaded again and changes nothing', async () => {
    const before = (await t.ctx.eventStore.readStream(`area-scheme-${GEMEINDEVERZEICHNIS_SCHEME_ID}`)).length;
    const again = await loadGemeindeverzeichnis(t.ctx, { fileName: 'GV100AD_301123.txt', bytes }, actor);
    expect(again).toMatchObject({ created: 0, updated: 0, retired: 0, publishedVersion: null, importId: null });
    expect((await t.ctx.eventStore.readStream(`area-scheme-${GEMEINDEVERZEICHNIS_SCHEME_ID}`)).length).toBe(before);
  });

  it('refuses a damaged record with its line and column', async () => {
    const lines = bytes.toString('utf8').split('\n');
    const index = lines.findIndex((l) => l.startsWith('6020231130010010000000'));
    lines[index] = `${lines[index]!.slice(0, 139)}00000092x50${lines[index]!.slice(150)}`;
    const attempt = loadGemeindeverzeichnis(t.ctx, { fileName: 'kaputt.txt', bytes: Buffer.from(lines.join('\n')) }, actor);
    await expect(attempt).rejects.toMatchObject({
      code: 'unparsable-file',
      errors: [{ where: `Zeile ${index + 1}, Spalte 140`, detail: 'Bevölkerung insgesamt: "00000092x50" ist keine ganze Zahl (Stellen 140-150)' }],
    });
  });
});
