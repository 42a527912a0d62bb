/**
 * Reading area files of every supported kind into source features (the mapping to units is
 * mapping.ts). Files arrive as bytes: from an upload, or read from disk by the CLI.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AreaRuleViolation } from '../decide';
import { readCsv } from './csv';
import { readGeoJson } from './geojson';
import { readShapefile } from './shapefile';
import type { AreaFile, ReadOptions, SourceRead } from './types';
import { readZipEntries } from './zip';

export * from './types';
export { readGv100ad, TEXTKENNZEICHEN, GV_UNIT_TYPES, type Gv100adRead } from './gv100ad';
export { ZIP_LIMITS } from './zip';

const SHAPEFILE_PARTS = ['.shp', '.dbf', '.prj', '.cpg', '.shx'];

/** The kind of an area file by its name (and, for .txt, its first bytes). */
export function kindOf(fileName: string, bytes?: Buffer): AreaFile['kind'] | null {
  const extension = path.extname(fileName).toLowerCase();
  if (extension === '.geojson' || extension === '.json') return 'geojson';
  if (extension === '.csv' || extension === '.tsv') return 'csv';
  if (extension === '.zip') return 'zip';
  if (extension === '.shp') return 'shapefile';
  if (extension === '.txt' || /^GV100AD/i.test(path.basename(fileName))) {
    // GV100AD records start with the Satzart and an 8-digit Gebietsstand.
    if (!bytes || /^(10|20|30|40|50|60)\d{8}/.test(bytes.subarray(0, 12).toString('latin1'))) return 'gv100ad';
  }
  return null;
}

/** Reads a shapefile from disk with its sibling parts (.dbf, .prj, .cpg beside the .shp). */
export async function readShapefileFromDisk(shpPath: string): Promise<AreaFile> {
  const base = shpPath.replace(/\.shp$/i, '');
  const optional = async (extension: string): Promise<Buffer | null> => {
    for (const candidate of [`${base}${extension}`, `${base}${extension.toUpperCase()}`]) {
      try {
        return await readFile(candidate);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return null;
  };
  const [shp, dbf, prj, cpg] = await Promise.all([readFile(shpPath), optional('.dbf'), optional('.prj'), optional('.cpg')]);
  return { kind: 'shapefile', fileName: path.basename(shpPath), shp, dbf, prj: prj?.toString('utf8') ?? null, cpg: cpg?.toString('utf8') ?? null };
}

/** Reads any supported file from disk (CLI). */
export async function areaFileFromDisk(filePath: string, format?: AreaFile['kind']): Promise<AreaFile> {
  const fileName = path.basename(filePath);
  const kind = format ?? kindOf(fileName);
  if (kind === 'shapefile') return readShapefileFromDisk(filePath);
  const bytes = await readFile(filePath);
  const detected = kind ?? kindOf(fileName, bytes);
  if (!detected) {
    throw new AreaRuleViolation('unparsable-file', `Das Format von ${fileName} ist unbekannt (erwartet .geojson, .json, .shp, .zip mit Shapefile, .csv oder GV100AD .txt); Option --format angeben.`);
  }
  if (detected === 'shapefile') return readShapefileFromDisk(filePath);
  return { kind: detected, fileName, bytes } as AreaFile;
}

/** Shapefile parts from uploaded files (any names; matched by extension). */
export function shapefileFromParts(files: ReadonlyArray<{ fileName: string; bytes: Buffer }>): AreaFile {
  const byExtension = new Map<string, { fileName: string; bytes: Buffer }>();
  for (const file of files) {
    const extension = path.extname(file.fileName).toLowerCase();
    if (byExtension.has(extension)) {
      throw new AreaRuleViolation('unparsable-file', `Mehrere ${extension}-Dateien hochgeladen (${byExtension.get(extension)!.fileName}, ${file.fileName}); bitte ein Shapefile je Import.`);
    }
    byExtension.set(extension, file);
  }
  const shp = byExtension.get('.shp');
  if (!shp) throw new AreaRuleViolation('unparsable-file', `Die .shp-Datei fehlt (erhalten: ${files.map((f) => f.fileName).join(', ') || 'keine Datei'}).`);
  return {
    kind: 'shapefile',
    fileName: shp.fileName,
    shp: shp.bytes,
    dbf: byExtension.get('.dbf')?.bytes ?? null,
    prj: byExtension.get('.prj')?.bytes.toString('utf8') ?? null,
    cpg: byExtension.get('.cpg')?.bytes.toString('utf8') ?? null,
  };
}

/** Features of an area file (not GV100AD, which has its own fixed mapping: readGv100ad). */
export async function readAreaFile(file: AreaFile, options: ReadOptions = {}): Promise<SourceRead> {
  switch (file.kind) {
    case 'geojson':
      return readGeoJson(file.bytes, file.fileName, options);
    case 'csv':
      return readCsv(file.bytes, file.fileName, options);
    case 'shapefile':
      return readShapefile(file, options);
    case 'zip': {
      const entries = await readZipEntries(file.bytes, file.fileName, [...SHAPEFILE_PARTS, '.geojson', '.json', '.csv']);
      const shapes = entries.filter((e) => e.name.toLowerCase().endsWith('.shp'));
      if (shapes.length > 1) {
        throw new AreaRuleViolation('unparsable-file', `${file.fileName} enthält mehrere Shapefiles (${shapes.map((s) => s.name).join(', ')}); bitte eines je Import.`);
      }
      if (shapes.length === 1) {
        const base = shapes[0]!.name.replace(/\.shp$/i, '').toLowerCase();
        const parts = entries.filter((e) => e.name.replace(/\.[^.]+$/, '').toLowerCase() === base).map((e) => ({ fileName: path.basename(e.name), bytes: e.bytes }));
        const inner = shapefileFromParts(parts.filter((p) => path.extname(p.fileName).toLowerCase() !== '.shx'));
        return readShapefile({ ...(inner as Extract<AreaFile, { kind: 'shapefile' }>), fileName: `${file.fileName}/${shapes[0]!.name}` }, options);
      }
      const others = entries.filter((e) => /\.(geo)?json$|\.csv$/i.test(e.name));
      if (others.length === 1) {
        const inner = others[0]!;
        return inner.name.toLowerCase().endsWith('.csv') ? readCsv(inner.bytes, inner.name, options) : readGeoJson(inner.bytes, inner.name, options);
      }
      throw new AreaRuleViolation('unparsable-file', `${file.fileName} enthält kein Shapefile (.shp mit .dbf/.prj) und keine einzelne GeoJSON- oder CSV-Datei.`);
    }
    case 'gv100ad':
      throw new AreaRuleViolation('invalid-input', 'GV100AD-Dateien werden mit dem Gemeindeverzeichnis-Import gelesen (lagebild areas load-gv100ad).');
    default: {
      const _exhaustive: never = file;
      return _exhaustive;
    }
  }
}
