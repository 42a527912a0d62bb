/**
 * A small city for tests that need hand-made files: four Sozialräume of "Teststadt" (tenant
 * 01001) in the real register (imported through the areas feature from a CSV), a data set and
 * a delivery profile saved through the catalog, and helpers that write delivery files.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { importAreaFile, publishVersion, type AreasContext } from '../../src/areas';
import type { Catalog, DeliveryProfileInput } from '../../src/profiles';
import { actor } from './support';

export const TEST_SCHEME = 'teststadt-sozialraeume';
export const TEST_TENANT = '01001';
export const TEST_DATASET = 'teststadt-einwohner';

export async function teststadt(h: { areas: AreasContext; deliveries: { catalog: Catalog } }): Promise<void> {
  const csv = ['code;name;type;parent', '01001000;Teststadt;Gemeinde;', 'SR01;Altstadt;Sozialraum;01001000', 'SR02;Neustadt;Sozialraum;01001000', 'SR03;Nordstadt;Sozialraum;01001000', 'SR04;Westliche Höhe;Sozialraum;01001000'].join('\n');
  await importAreaFile(
    h.areas,
    { schemeId: TEST_SCHEME, file: { kind: 'csv', fileName: 'sozialraeume.csv', bytes: Buffer.from(csv) }, validFrom: '2010-01-01', reason: 'Ersteinrichtung', createScheme: { name: 'Teststadt Sozialräume', tenant: TEST_TENANT } },
    actor,
  );
  await publishVersion(h.areas, TEST_SCHEME, { validFrom: '2010-01-01', reason: 'Ersteinrichtung' }, actor);
  const context = { actor: 'user:test', tenant: TEST_TENANT, now: new Date() };
  await h.deliveries.catalog.saveDataset(
    TEST_DATASET,
    {
      name: 'Einwohner Teststadt',
      source: { name: 'Einwohnermelderegister' },
      sensitivity: 'INTERNAL',
      variables: [
        { code: 'ew', name: 'Einwohner', unit: 'Personen', kind: 'count' },
        { code: 'ew_unter_18', name: 'Einwohner unter 18', unit: 'Personen', kind: 'count' },
        { code: 'quote_sgb2', name: 'SGB-II-Quote', unit: '%', kind: 'rate' },
      ],
    },
    context,
  );
  await h.deliveries.catalog.saveProfile('teststadt-einwohner', teststadtProfile(), context);
}

export function teststadtProfile(overrides: Partial<DeliveryProfileInput> = {}): DeliveryProfileInput {
  return {
    name: 'Teststadt: Einwohner je Sozialraum',
    tenant: TEST_TENANT,
    dataset: TEST_DATASET,
    source: { name: 'Einwohnermelderegister', provider: 'Bürgerbüro' },
    scheme: { schemeId: TEST_SCHEME },
    format: { type: 'csv', encoding: 'auto', delimiter: ';', headerRows: 1 },
    numbers: { decimal: ',', thousands: ['.'], percentSign: false },
    area: { column: { header: 'Sozialraum' }, by: 'name' },
    period: { granularity: 'year', kind: 'STICHTAG', from: 'profile', value: '2023' },
    variables: {
      layout: 'wide',
      values: [
        { column: { header: 'Einwohner' }, variable: 'ew' },
        { column: { header: 'unter 18' }, variable: 'ew_unter_18' },
        { column: { header: 'SGB-II-Quote' }, variable: 'quote_sgb2' },
      ],
    },
    plausibility: { partOfTotal: [{ part: 'ew_unter_18', total: 'ew' }], missingAreas: 'warning', maxRate: 100 },
    ...overrides,
  };
}

export const GOOD_ROWS = ['Sozialraum;Einwohner;unter 18;SGB-II-Quote', 'Altstadt;1.234;210;12,5', 'Neustadt;4.725;801;8,1', 'Nordstadt;12.291;2.310;15,0', 'Westliche Höhe;6.002;1.100;-'];

export async function writeLines(dir: string, name: string, lines: readonly string[], encoding: 'utf8' | 'latin1' = 'utf8'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, Buffer.from(`${lines.join('\r\n')}\r\n`, encoding));
  return file;
}

/** A zip with one deflated entry of `size` zero bytes: a few KB on disk, `size` inflated. */
export function zipWithZeros(entryName: string, size: number): Buffer {
  const data = Buffer.alloc(size);
  const compressed = deflateRawSync(data, { level: 9 });
  const name = Buffer.from(entryName);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const centralOffset = local.length + name.length + compressed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, name, compressed, central, name, end]);
}
