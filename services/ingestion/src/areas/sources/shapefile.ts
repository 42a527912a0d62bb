import * as shapefile from 'shapefile';
import { AreaRuleViolation, type AreaErrorEntry } from '../decide';
import { checkGeometry, CrsError, looksLikeLonLat, reproject, reprojectionFrom, roundGeometry, type Reprojection } from '../geometry';
import type { AreaGeometry } from '../model';
import { canonicalEncoding } from './encoding';
import { STORED_PRECISION } from './geojson';
import type { ReadOptions, SourceFeature, SourceRead } from './types';

export interface ShapefileParts {
  fileName: string;
  shp: Buffer;
  dbf: Buffer | null;
  prj: string | null;
  cpg: string | null;
}

/**
 * Reads an Esri shapefile from its parts: geometry from .shp, attributes from .dbf in the
 * encoding of the option, else of the .cpg, else Windows-1252 (the dBASE default of German
 * offices); coordinates reprojected from the .prj's system to WGS84.
 */
export async function readShapefile(parts: ShapefileParts, options: ReadOptions = {}): Promise<SourceRead> {
  const notes: string[] = [];
  const encodingName = options.encoding ?? parts.cpg?.trim() ?? 'windows-1252';
  const encoding = canonicalEncoding(encodingName);
  try {
    new TextDecoder(encoding);
  } catch {
    throw new AreaRuleViolation('invalid-input', `Die Zeichenkodierung "${encodingName}" kann für DBF-Dateien nicht gelesen werden (möglich: utf-8, latin1, windows-1252, iso-8859-15).`);
  }
  notes.push(`DBF-Kodierung ${encoding} (${options.encoding ? 'Option' : parts.cpg ? '.cpg-Datei' : 'Standard für dBASE'}).`);

  const crs = options.crs ?? parts.prj?.trim() ?? null;
  let reprojection: Reprojection | null = null;
  try {
    reprojection = crs ? reprojectionFrom(crs) : null;
  } catch (error) {
    if (error instanceof CrsError) throw new AreaRuleViolation('unparsable-file', `${parts.fileName}: ${error.message}`);
    throw error;
  }
  if (reprojection) notes.push(`Koordinaten aus ${/PROJCS\["([^"]+)"/.exec(crs ?? '')?.[1] ?? crs} nach WGS84 (EPSG:4326) umgerechnet.`);
  if (!parts.dbf) notes.push('Keine .dbf-Datei: die Features haben keine Attribute.');

  let source: shapefile.Source<GeoJSON.Feature>;
  try {
    source = await shapefile.open(new Uint8Array(parts.shp), parts.dbf ? new Uint8Array(parts.dbf) : undefined, { encoding });
  } catch (error) {
    throw new AreaRuleViolation('unparsable-file', `${parts.fileName} ist keine lesbare Shapefile-Datei: ${error instanceof Error ? error.message : String(error)}`);
  }
  const features: SourceFeature[] = [];
  const errors: AreaErrorEntry[] = [];
  for (let index = 0; ; index += 1) {
    let result: { done: boolean; value: GeoJSON.Feature };
    try {
      result = await source.read();
    } catch (error) {
      throw new AreaRuleViolation('unparsable-file', `${parts.fileName}: Datensatz ${index} ist nicht lesbar (${error instanceof Error ? error.message : String(error)}).`, [
        { where: `Feature ${index}`, detail: error instanceof Error ? error.message : String(error) },
      ]);
    }
    if (result.done) break;
    const feature = result.value;
    let geometry: AreaGeometry | null = null;
    if (feature.geometry) {
      const problem = checkGeometry(feature.geometry);
      if (problem) {
        errors.push({ where: `Feature ${index}`, detail: `Geometrie: ${problem}` });
        continue;
      }
      geometry = reproject(feature.geometry as AreaGeometry, reprojection);
      if (!looksLikeLonLat(geometry)) {
        errors.push({ where: `Feature ${index}`, detail: 'die Koordinaten liegen außerhalb von Länge/Breite; die .prj-Datei fehlt oder passt nicht (Option --crs, z. B. EPSG:25833)' });
        continue;
      }
      geometry = roundGeometry(geometry, STORED_PRECISION);
    }
    features.push({ index, properties: { ...(feature.properties ?? {}) }, geometry });
  }
  if (errors.length > 0) throw new AreaRuleViolation('unparsable-file', `${parts.fileName}: ${errors.length} Features sind nicht lesbar.`, errors.slice(0, 100));
  return { format: 'shapefile', features, notes };
}
