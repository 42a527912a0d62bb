/**
 * The register over HTTP: uploads (GeoJSON, CSV, shapefile parts, zipped shapefile, GV100AD),
 * reads, roles and tenants, and German problem+json for every refusal.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, createEmbeddedAuth, type EmbeddedAuth, type Role, serviceMount, silentLogger } from '@lagebild/platform';
import { createAreasRouter, loadAreaImportProfile } from '../../src/areas';
import { DATA, openContext, type TestContext } from './support';

let t: TestContext;
let auth: EmbeddedAuth;
let server: Server;
let base: string;
const tokens = new Map<string, string>();

const hasZip = (() => {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function token(tenant: string, ...roles: Role[]): Promise<string> {
  const key = `${tenant}:${roles.join(',')}`;
  if (!tokens.has(key)) tokens.set(key, await auth.issueToken({ subject: `user-${key}`, tenant, roles }));
  return tokens.get(key)!;
}

async function call(method: string, url: string, bearer: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${bearer}` } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  return fetch(`${base}${url}`, init);
}

async function problem(response: Response, status: number, type: string): Promise<{ detail: string; errors?: Array<{ where?: string; detail: string }> }> {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await response.json()) as { status: number; type: string; detail: string };
  expect({ status: response.status, type: body.type }).toEqual({ status, type: `urn:lagebild:problem:${type}` });
  return body;
}

function form(fields: Record<string, string>, files: Array<{ name: string; bytes: Buffer }>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  for (const f of files) data.append('file', new Blob([new Uint8Array(f.bytes)]), f.name);
  return data;
}

beforeAll(async () => {
  t = await openContext();
  auth = await createEmbeddedAuth({ dataDir: t.dir });
  const app = createApp({
    service: 'ingestion',
    logger: silentLogger(),
    auth,
    mounts: [serviceMount('ingestion', createAreasRouter(t.ctx, { uploadLimits: { fileBytes: 8 * 1024 * 1024, files: 8 } }))],
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/ingestion`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

describe('spatial register over HTTP', () => {
  it('lets Sozialplanung create a scheme, import a GeoJSON upload and publish it', async () => {
    const sp = await token('01001', 'sozialplanung');
    const created = await call('POST', '/schemes', sp, { schemeId: 'flensburg-stadtteile', name: 'Flensburg Stadtteile' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ schemeId: 'flensburg-stadtteile', tenant: '01001', currentVersion: 0 });
    const profile = await loadAreaImportProfile('flensburg-stadtteile');
    const upload = form(
      { validFrom: '2018-01-01', reason: 'Stadtteile laut Geodaten der Stadt', publish: 'true', mapping: JSON.stringify(profile.mapping) },
      [{ name: 'stadtteile.geojson', bytes: await readFile(path.join(DATA, 'flensburg/stadtteile.geojson')) }],
    );
    const imported = await call('POST', '/schemes/flensburg-stadtteile/imports', sp, upload);
    expect(imported.status).toBe(201);
    expect(await imported.json()).toMatchObject({ created: 13, publishedVersion: 1, format: 'geojson' });

    const geometry = await call('GET', '/schemes/flensburg-stadtteile/geometry', sp);
    expect(geometry.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const collection = (await geometry.json()) as { features: Array<{ properties: { code: string; name: string } }> };
    expect(collection.features.map((f) => f.properties.code).sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13']);
    const units = (await (await call('GET', '/schemes/flensburg-stadtteile/units?on=2020-12-31', sp)).json()) as { version: number; units: unknown[] };
    expect(units).toMatchObject({ version: 1 });
    expect(units.units).toHaveLength(13);
  });

  it('lets the tenant’s roles read (the Träger too), but only admin and Sozialplanung write; other tenants see nothing', async () => {
    const traeger = await token('01001', 'traeger');
    expect((await call('GET', '/schemes/flensburg-stadtteile', traeger)).status).toBe(200);
    const write = await problem(await call('POST', '/schemes/flensburg-stadtteile/versions', traeger, { validFrom: '2024-01-01', reason: 'Fortschreibung' }), 403, 'forbidden');
    // The route's declared access refuses before the scheme is looked at, in the platform's words.
    expect(write.detail).toBe('Für diese Aktion ist eine der Rollen admin, sozialplanung nötig; Ihre Rollen: traeger.');
    const kiel = await token('01002', 'sozialplanung');
    await problem(await call('GET', '/schemes/flensburg-stadtteile', kiel), 403, 'forbidden');
    expect(((await (await call('GET', '/schemes', kiel)).json()) as { schemes: unknown[] }).schemes).toEqual([]);
    const sharedByNonAdmin = await problem(await call('POST', '/schemes', kiel, { schemeId: 'referenz', name: 'Referenz', tenant: null }), 403, 'forbidden');
    expect(sharedByNonAdmin.detail).toContain('nur die Rolle admin');
  });

  it('answers every refusal in German problem+json', async () => {
    const sp = await token('01001', 'sozialplanung');
    const unknown = await problem(await call('GET', '/schemes/gibt-es-nicht', sp), 404, 'area-unknown-scheme');
    expect(unknown.detail).toBe('Die Gebietsgliederung "gibt-es-nicht" gibt es nicht.');
    const unit = { code: '3', name: 'Nordstadt', unitType: 'Stadtteil' };
    const duplicate = await problem(await call('POST', '/schemes/flensburg-stadtteile/changes', sp, { kind: 'create', unit, validFrom: '2024-01-01', reason: 'Test' }), 409, 'area-duplicate-code');
    expect(duplicate.errors).toEqual([{ where: 'Einheit 3', detail: 'der Code ist schon vergeben (Nordstadt)' }]);
    const orphan = await problem(
      await call('POST', '/schemes/flensburg-stadtteile/changes', sp, { kind: 'create', unit: { ...unit, code: '14', name: 'Neubaugebiet', parentCode: '99' }, validFrom: '2024-01-01', reason: 'Test' }),
      422,
      'area-parent-missing',
    );
    expect(orphan.errors![0]!.detail).toBe('das übergeordnete Gebiet "99" von 14 (Neubaugebiet) gibt es nicht');
    const overlap = await problem(await call('POST', '/schemes/flensburg-stadtteile/versions', sp, { validFrom: '2017-01-01', reason: 'zu früh' }), 409, 'area-validity-overlap');
    expect(overlap.detail).toContain('Version 1 gilt ab 2018-01-01');
    const csv = Buffer.from('code;name;type;parent\nA;Nord;Sozialraum;B\nB;Süd;Sozialraum;A\n');
    const cycle = await problem(await call('POST', '/schemes/flensburg-stadtteile/imports', sp, form({ validFrom: '2024-01-01', reason: 'Sozialräume' }, [{ name: 'sozialraeume.csv', bytes: csv }])), 422, 'area-cycle');
    expect(cycle.errors![0]!.detail).toMatch(/^Zyklus in der Gliederung: (A → B → A|B → A → B)$/);
    const broken = Buffer.from('{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature", "properties": {}, }\n ]}');
    const unparsable = await problem(await call('POST', '/schemes/flensburg-stadtteile/imports', sp, form({ validFrom: '2024-01-01', reason: 'kaputt' }, [{ name: 'kaputt.geojson', bytes: broken }])), 422, 'area-unparsable-file');
    expect(unparsable.errors![0]!.where).toBe('Zeile 3, Spalte 41');
    const invalid = await problem(await call('POST', '/schemes/flensburg-stadtteile/versions', sp, { validFrom: '31.12.2024' }), 400, 'validation');
    expect(invalid.errors).toEqual([
      { pointer: '#/validFrom', detail: 'erwartet ein Datum (JJJJ-MM-TT)' },
      { pointer: '#/reason', detail: 'Pflichtangabe fehlt' },
    ]);
  });

  it('flags units with designations, attaches name mappings and matches delivered names', async () => {
    const sp = await token('01001', 'sozialplanung');
    const designation = { unitCode: '3', designation: { code: 'aktionsraum', name: 'Aktionsraum' }, validFrom: '2019-01-01', reason: 'Ratsbeschluss RV-45/2018' };
    expect((await call('POST', '/schemes/flensburg-stadtteile/designations', sp, designation)).status).toBe(201);
    const overlap = await problem(await call('POST', '/schemes/flensburg-stadtteile/designations', sp, { ...designation, validFrom: '2020-01-01' }), 409, 'area-validity-overlap');
    expect(overlap.detail).toBe('3 (Nordstadt) ist schon von 2019-01-01 bis offen als Aktionsraum gekennzeichnet; die Zeiträume überschneiden sich.');
    const mapping = { source: 'Sozialatlas', groups: [{ name: 'Innenstadt', codes: ['1', '2'], note: 'Altstadt und Neustadt' }, { name: 'Mürwik-Nord', codes: ['99'] }] };
    const unknown = await problem(await call('POST', '/schemes/flensburg-stadtteile/name-mappings', sp, mapping), 404, 'area-unknown-unit');
    expect(unknown.errors).toEqual([{ where: 'Eintrag 2', detail: '"Mürwik-Nord" verweist auf den unbekannten Code "99"' }]);
    expect((await call('POST', '/schemes/flensburg-stadtteile/name-mappings', sp, { ...mapping, groups: [mapping.groups[0]] })).status).toBe(201);
    const matched = (await (await call('POST', '/schemes/flensburg-stadtteile/match', sp, { names: ['Westliche_Höhe', 'INNENSTADT', 'Mürwick', 'Hafen'] })).json()) as { matched: number; unmatched: string[]; results: unknown[] };
    expect(matched).toEqual({
      schemeId: 'flensburg-stadtteile',
      version: 1,
      matched: 1,
      unmatched: ['Mürwick', 'Hafen'],
      results: [
        { name: 'Westliche_Höhe', status: 'matched', code: '4', via: 'name' },
        { name: 'INNENSTADT', status: 'group', codes: ['1', '2'], groupName: 'Innenstadt', note: 'Altstadt und Neustadt' },
        { name: 'Mürwick', status: 'unmatched', suggestions: [{ code: '11', name: 'Mürwik' }] },
        { name: 'Hafen', status: 'unmatched', suggestions: [] },
      ],
    });
    const units = (await (await call('GET', '/schemes/flensburg-stadtteile/versions/1/units', sp)).json()) as { units: Array<{ code: string; designations: unknown[] }> };
    expect(units.units.find((u) => u.code === '3')!.designations).toEqual([{ code: 'aktionsraum', name: 'Aktionsraum', validFrom: '2019-01-01', validTo: null }]);
  });

  it('imports a shapefile uploaded as its parts, reprojected from EPSG:25833', async () => {
    const sp = await token('11000', 'sozialplanung');
    expect((await call('POST', '/schemes', sp, { schemeId: 'berlin-plr', name: 'Berlin Planungsräume' })).status).toBe(201);
    const files = ['shp', 'dbf', 'prj', 'cpg'].map((ext) => ext);
    const parts = await Promise.all(files.map(async (ext) => ({ name: `upload.${ext}`, bytes: await readFile(path.join(DATA, `berlin/geometry/lor_planungsraeume_2021.${ext}`)) })));
    const response = await call('POST', '/schemes/berlin-plr/imports', sp, form({ validFrom: '2021-01-01', reason: 'LOR 2021', codeField: 'PLR_ID', nameField: 'PLR_NAME', unitType: 'Planungsraum', publish: 'true' }, parts));
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ format: 'shapefile', created: 542, publishedVersion: 1 });
    const units = (await (await call('GET', '/schemes/berlin-plr/versions/1/units', sp)).json()) as { units: Array<{ code: string; centroid: [number, number] }> };
    const [lon, lat] = units.units.find((u) => u.code === '11501341')!.centroid;
    // Karlshorst Süd, Lichtenberg: about 13.53 E, 52.47 N.
    expect(lon).toBeGreaterThan(13.5);
    expect(lon).toBeLessThan(13.56);
    expect(lat).toBeGreaterThan(52.46);
    expect(lat).toBeLessThan(52.49);
  });

  (hasZip ? it : it.skip)('imports a zipped shapefile and refuses a zip bomb', async () => {
    const sp = await token('11000', 'sozialplanung');
    const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-zip-'));
    try {
      const geometry = path.join(DATA, 'berlin/geometry');
      execFileSync('zip', ['-q', '-j', path.join(dir, 'lor.zip'), ...['shp', 'shx', 'dbf', 'prj', 'cpg'].map((e) => path.join(geometry, `lor_planungsraeume_2021.${e}`))]);
      expect((await call('POST', '/schemes', sp, { schemeId: 'berlin-plr-zip', name: 'Berlin Planungsräume (ZIP)' })).status).toBe(201);
      const zipped = await call('POST', '/schemes/berlin-plr-zip/imports', sp, form({ validFrom: '2021-01-01', reason: 'LOR 2021', codeField: 'PLR_ID', nameField: 'PLR_NAME', unitType: 'Planungsraum' }, [{ name: 'lor.zip', bytes: await readFile(path.join(dir, 'lor.zip')) }]));
      expect(zipped.status).toBe(201);
      expect(await zipped.json()).toMatchObject({ created: 542, format: 'shapefile' });

      await writeFile(path.join(dir, 'gebiete.shp'), Buffer.alloc(64 * 1024 * 1024));
      execFileSync('zip', ['-q', '-j', path.join(dir, 'bomb.zip'), path.join(dir, 'gebiete.shp')]);
      const bomb = await problem(await call('POST', '/schemes/berlin-plr-zip/imports', sp, form({ validFrom: '2022-01-01', reason: 'Bombe' }, [{ name: 'bomb.zip', bytes: await readFile(path.join(dir, 'bomb.zip')) }])), 422, 'area-unparsable-file');
      expect(bomb.detail).toMatch(/gebiete\.shp ist \d+-fach komprimiert .* ZIP-Bombe abgelehnt/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an upload over the size limit with 413', async () => {
    const sp = await token('11000', 'sozialplanung');
    const big = Buffer.alloc(9 * 1024 * 1024, 0x20);
    const response = await problem(await call('POST', '/schemes/berlin-plr/imports', sp, form({ validFrom: '2022-01-01', reason: 'zu groß' }, [{ name: 'gross.geojson', bytes: big }])), 413, 'upload-too-large');
    expect(response.detail).toBe('Die Datei gross.geojson ist größer als erlaubt (höchstens 8 MB).');
  });

  it('loads the Gemeindeverzeichnis as admin and serves Kreis and Gemeinde lookups to every tenant', async () => {
    const sp = await token('01054', 'sozialplanung');
    await problem(await call('GET', '/gemeindeverzeichnis/kreise/01054', sp), 404, 'not-found');
    await problem(await call('POST', '/gemeindeverzeichnis', sp, form({}, [])), 403, 'forbidden');
    const admin = await token('01054', 'admin');
    const loaded = await call('POST', '/gemeindeverzeichnis', admin, form({}, [{ name: 'GV100AD_301123.txt', bytes: await readFile(path.join(DATA, 'germany/GV100AD_301123.txt')) }]));
    expect(loaded.status).toBe(201);
    const kreis = (await (await call('GET', '/gemeindeverzeichnis/kreise/01054', sp)).json()) as { kreis: { name: string }; gemeinden: unknown[] };
    expect(kreis.kreis.name).toBe('Nordfriesland');
    expect(kreis.gemeinden).toHaveLength(133);
    expect(await (await call('GET', '/gemeindeverzeichnis/gemeinden/01001000', sp)).json()).toMatchObject({ name: 'Flensburg, Stadt', einwohner: 92_550 });
    const missing = await problem(await call('GET', '/gemeindeverzeichnis/gemeinden/0100100', sp), 404, 'not-found');
    expect(missing.detail).toContain('erwartet 8 Ziffern');
    // The shared reference scheme is readable by any tenant.
    expect((await call('GET', '/schemes/gemeindeverzeichnis', await token('11000', 'fuehrung'))).status).toBe(200);
  });
});
