import { AreaRuleViolation, type AreaErrorEntry } from '../decide';
import { checkGeometry, crsFromGeoJsonMember, CrsError, looksLikeLonLat, reproject, reprojectionFrom, roundGeometry } from '../geometry';
import type { AreaGeometry } from '../model';
import { decodeText } from './encoding';
import type { ReadOptions, SourceFeature, SourceRead } from './types';

/** Stored precision: 7 decimal places of a degree are about a centimetre. */
export const STORED_PRECISION = 7;

/** Line and column of a character offset, for a parse error a user can find in an editor. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position ? lineAndColumn(text, Number(position[1])) : null;
    throw new AreaRuleViolation(
      'unparsable-file',
      `${fileName} ist kein gültiges JSON${where ? ` (Zeile ${where.line}, Spalte ${where.column})` : ''}: ${message}`,
      where ? [{ where: `Zeile ${where.line}, Spalte ${where.column}`, detail: message }] : [],
    );
  }
}

/**
 * Reads a GeoJSON FeatureCollection (or a single Feature). Coordinates are WGS84 lon/lat unless
 * the legacy `crs` member or the `crs` option names another system; then they are reprojected.
 */
export function readGeoJson(bytes: Buffer, fileName: string, options: ReadOptions = {}): SourceRead {
  const { text } = decodeText(bytes, options.encoding);
  const document = parseJson(text, fileName) as { type?: unknown; features?: unknown; crs?: unknown };
  let rawFeatures: unknown[];
  if (document?.type === 'FeatureCollection' && Array.isArray(document.features)) rawFeatures = document.features;
  else if (document?.type === 'Feature') rawFeatures = [document];
  else {
    throw new AreaRuleViolation('unparsable-file', `${fileName} ist kein GeoJSON: erwartet ein Objekt mit "type": "FeatureCollection" und "features" (gefunden: ${JSON.stringify(document?.type ?? null)}).`);
  }
  const crs = options.crs ?? crsFromGeoJsonMember(document.crs);
  const notes: string[] = [];
  let reprojection;
  try {
    reprojection = crs ? reprojectionFrom(crs) : null;
  } catch (error) {
    if (error instanceof CrsError) throw new AreaRuleViolation('unparsable-file', error.message);
    throw error;
  }
  if (reprojection) notes.push(`Koordinaten von ${crs} nach WGS84 (EPSG:4326) umgerechnet.`);

  const errors: AreaErrorEntry[] = [];
  const features: SourceFeature[] = [];
  rawFeatures.forEach((raw, index) => {
    const feature = raw as { type?: unknown; properties?: unknown; geometry?: unknown; id?: unknown };
    if (feature === null || typeof feature !== 'object' || feature.type !== 'Feature') {
      errors.push({ where: `Feature ${index}`, detail: 'kein GeoJSON-Feature ("type": "Feature" erwartet)' });
      return;
    }
    const properties = feature.properties !== null && typeof feature.properties === 'object' ? { ...(feature.properties as Record<string, unknown>) } : {};
    // The feature id is a property for the mapping too (some files carry the code only there).
    if (feature.id !== undefined && !('id' in properties)) properties.id = feature.id;
    let geometry: AreaGeometry | null = null;
    if (feature.geometry !== null && feature.geometry !== undefined) {
      const problem = checkGeometry(feature.geometry);
      if (problem) {
        errors.push({ where: `Feature ${index}`, detail: `Geometrie: ${problem}` });
        return;
      }
      geometry = reproject(feature.geometry as AreaGeometry, reprojection);
      if (!looksLikeLonLat(geometry)) {
        errors.push({
          where: `Feature ${index}`,
          detail: 'die Koordinaten liegen außerhalb von Länge/Breite (WGS84); das Koordinatensystem fehlt (crs-Angabe oder Option --crs, z. B. EPSG:25833)',
        });
        return;
      }
      geometry = roundGeometry(geometry, STORED_PRECISION);
    }
    features.push({ index, properties, geometry });
  });
  if (errors.length > 0) throw new AreaRuleViolation('unparsable-file', `${fileName}: ${errors.length} Features sind nicht lesbar.`, errors);
  return { format: 'geojson', features, notes };
}
