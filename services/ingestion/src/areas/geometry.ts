/**
 * Geometry helpers for the register: coordinate reference systems (proj4, definitions from .prj
 * WKT or an EPSG code), a shape check for GeoJSON geometries, rounding for publication, and the
 * little planar geometry the register needs (bounding box, centroid, point in polygon).
 * Everything here works on GeoJSON coordinates in WGS84 (lon, lat) unless said otherwise.
 */
import proj4 from 'proj4';
import type { AreaGeometry } from './model';

type Position = number[];
type Ring = Position[];

/**
 * proj4 definitions of the reference systems German geodata come in (EPSG registry values).
 * proj4 itself knows only WGS84 and Web Mercator by code; WKT from a .prj needs no table.
 */
const KNOWN_CRS: Record<string, string> = {
  'EPSG:4326': '+proj=longlat +datum=WGS84 +no_defs',
  'EPSG:4258': '+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs',
  'EPSG:25832': '+proj=utm +zone=32 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:25833': '+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:31467': '+proj=tmerc +lat_0=0 +lon_0=9 +k=1 +x_0=3500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs',
  'EPSG:31468': '+proj=tmerc +lat_0=0 +lon_0=12 +k=1 +x_0=4500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs',
  'EPSG:3035': '+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:3857': '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs',
};

export class CrsError extends Error {
  override readonly name = 'CrsError';
}

/** Converts one source position to WGS84 lon/lat. */
export type Reprojection = (position: readonly number[]) => [number, number];

/** EPSG code from a GeoJSON `crs` member (`urn:ogc:def:crs:EPSG::25833`, `EPSG:25833`, CRS84). */
export function crsFromGeoJsonMember(crs: unknown): string | null {
  if (crs === null || typeof crs !== 'object') return null;
  const name = (crs as { properties?: { name?: unknown } }).properties?.name;
  if (typeof name !== 'string') return null;
  if (/CRS84$/i.test(name)) return 'EPSG:4326';
  const match = /EPSG:{1,2}(\d+)$/i.exec(name);
  return match ? `EPSG:${match[1]}` : name;
}

/** True for lon/lat definitions on WGS84 or ETRS89 (sub-metre apart: no transformation needed). */
function isGeographicWgs84(definition: string): boolean {
  if (definition === 'EPSG:4326' || definition === 'EPSG:4258') return true;
  const wkt = definition.trim().toUpperCase();
  return /^GEOGCS\[/.test(wkt) && /(WGS_?19?84|WGS 84|ETRS_?19?89|ETRS89)/.test(wkt);
}

/**
 * A converter from the given CRS (EPSG code or WKT from a .prj) to WGS84 lon/lat; `null` when the
 * data already are lon/lat on WGS84 / ETRS89.
 */
export function reprojectionFrom(definition: string): Reprojection | null {
  if (isGeographicWgs84(definition)) return null;
  const source = KNOWN_CRS[definition.toUpperCase()] ?? definition;
  let converter: proj4.Converter;
  try {
    converter = proj4(source, KNOWN_CRS['EPSG:4326']!);
  } catch (error) {
    throw new CrsError(
      `Das Koordinatensystem "${definition.slice(0, 120)}" ist unbekannt (bekannt: WKT aus einer .prj-Datei oder ${Object.keys(KNOWN_CRS).join(', ')}).`,
      { cause: error },
    );
  }
  return (position) => {
    const [lon, lat] = converter.forward([position[0]!, position[1]!]);
    return [lon!, lat!];
  };
}

function mapPositions(coordinates: unknown, depth: number, fn: (p: readonly number[]) => number[]): unknown {
  if (depth === 0) return fn(coordinates as number[]);
  return (coordinates as unknown[]).map((c) => mapPositions(c, depth - 1, fn));
}

const DEPTH: Record<string, number> = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 };

export function mapGeometry(geometry: AreaGeometry, fn: (p: readonly number[]) => number[]): AreaGeometry {
  if (geometry.type === 'GeometryCollection') {
    return { type: geometry.type, geometries: (geometry.geometries as AreaGeometry[]).map((g) => mapGeometry(g, fn)) };
  }
  return { type: geometry.type, coordinates: mapPositions(geometry.coordinates, DEPTH[geometry.type]!, fn) };
}

export function reproject(geometry: AreaGeometry, reprojection: Reprojection | null): AreaGeometry {
  if (!reprojection) return geometry;
  return mapGeometry(geometry, (p) => reprojection(p));
}

function isPosition(value: unknown): boolean {
  return Array.isArray(value) && value.length >= 2 && value.every((n) => typeof n === 'number' && Number.isFinite(n));
}

function checkNesting(value: unknown, depth: number): boolean {
  if (depth === 0) return isPosition(value);
  return Array.isArray(value) && value.every((v) => checkNesting(v, depth - 1));
}

/** German description of what is wrong with a GeoJSON geometry, or null when it is usable. */
export function checkGeometry(geometry: unknown): string | null {
  if (geometry === null || typeof geometry !== 'object') return 'keine Geometrie (Objekt mit type und coordinates erwartet)';
  const g = geometry as AreaGeometry;
  if (g.type === 'GeometryCollection') {
    if (!Array.isArray(g.geometries)) return 'GeometryCollection ohne geometries';
    for (const part of g.geometries) {
      const problem = checkGeometry(part);
      if (problem) return problem;
    }
    return null;
  }
  const depth = DEPTH[g.type];
  if (depth === undefined) return `unbekannter Geometrietyp "${String(g.type)}" (erwartet Polygon, MultiPolygon, Point, ...)`;
  if (!checkNesting(g.coordinates, depth)) return `die Koordinaten passen nicht zum Typ ${g.type}`;
  return null;
}

export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

function eachPosition(geometry: AreaGeometry, fn: (p: readonly number[]) => void): void {
  mapGeometry(geometry, (p) => {
    fn(p);
    return p as number[];
  });
}

export function bboxOf(geometry: AreaGeometry): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  eachPosition(geometry, (p) => {
    box[0] = Math.min(box[0], p[0]!);
    box[1] = Math.min(box[1], p[1]!);
    box[2] = Math.max(box[2], p[0]!);
    box[3] = Math.max(box[3], p[1]!);
  });
  return box;
}

/** True when every coordinate could be lon/lat (a check against unprojected metres). */
export function looksLikeLonLat(geometry: AreaGeometry): boolean {
  const [minX, minY, maxX, maxY] = bboxOf(geometry);
  return minX >= -180 && maxX <= 180 && minY >= -90 && maxY <= 90;
}

function polygonsOf(geometry: AreaGeometry): Ring[][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates as Ring[]];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates as Ring[][];
  if (geometry.type === 'GeometryCollection') return (geometry.geometries as AreaGeometry[]).flatMap(polygonsOf);
  return [];
}

/** Signed planar area and centroid of a ring (shoelace), in coordinate units. */
function ringMoments(ring: Ring): { area: number; cx: number; cy: number } {
  let area = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [x0, y0] = ring[j]!;
    const [x1, y1] = ring[i]!;
    const cross = x0! * y1! - x1! * y0!;
    area += cross;
    cx += (x0! + x1!) * cross;
    cy += (y0! + y1!) * cross;
  }
  return { area: area / 2, cx, cy };
}

/**
 * Area-weighted centroid of the polygons (holes subtracted). Planar in degrees, which is exact
 * enough for placing a label or checking which city a unit lies in.
 */
export function centroidOf(geometry: AreaGeometry): [number, number] | null {
  let total = 0;
  let sx = 0;
  let sy = 0;
  for (const polygon of polygonsOf(geometry)) {
    polygon.forEach((ring, index) => {
      const m = ringMoments(ring);
      // Outer rings count positive, holes negative, whatever their winding.
      const sign = index === 0 ? Math.sign(m.area) : -Math.sign(m.area);
      total += sign * m.area;
      sx += sign * m.cx;
      sy += sign * m.cy;
    });
  }
  if (total === 0) {
    if (geometry.type === 'Point') return [(geometry.coordinates as number[])[0]!, (geometry.coordinates as number[])[1]!];
    return null;
  }
  return [sx / (6 * total), sy / (6 * total)];
}

function inRing(point: readonly [number, number], ring: Ring): boolean {
  let inside = false;
  const [x, y] = point;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi! > y !== yj! > y && x < ((xj! - xi!) * (y - yi!)) / (yj! - yi!) + xi!) inside = !inside;
  }
  return inside;
}

/** Point in (multi)polygon by ray casting, holes respected. */
export function containsPoint(geometry: AreaGeometry, point: readonly [number, number]): boolean {
  return polygonsOf(geometry).some((polygon) => polygon.length > 0 && inRing(point, polygon[0]!) && !polygon.slice(1).some((hole) => inRing(point, hole)));
}

function roundRing(ring: Ring, factor: number, closed: boolean): Ring {
  const out: Ring = [];
  for (const p of ring) {
    const q = [Math.round(p[0]! * factor) / factor, Math.round(p[1]! * factor) / factor];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  if (closed && out.length > 1) {
    const first = out[0]!;
    const last = out[out.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) out.push([first[0]!, first[1]!]);
  }
  return out;
}

/**
 * Rounds to `decimals` places (5 = about a metre) and drops the points that become duplicates;
 * rings that collapse below a triangle disappear, a polygon whose outer ring collapses too. Used
 * for publication, where a choropleth map needs shape, not survey precision.
 */
export function roundGeometry(geometry: AreaGeometry, decimals: number): AreaGeometry | null {
  const factor = 10 ** decimals;
  const polygon = (rings: Ring[]): Ring[] | null => {
    const kept: Ring[] = [];
    rings.forEach((ring, index) => {
      const r = roundRing(ring, factor, true);
      if (r.length >= 4) kept.push(r);
      else if (index === 0) kept.length = 0;
    });
    const outer = rings[0] ? roundRing(rings[0], factor, true) : [];
    return outer.length >= 4 ? kept : null;
  };
  switch (geometry.type) {
    case 'Polygon': {
      const p = polygon(geometry.coordinates as Ring[]);
      return p ? { type: 'Polygon', coordinates: p } : null;
    }
    case 'MultiPolygon': {
      const parts = (geometry.coordinates as Ring[][]).map(polygon).filter((p): p is Ring[] => p !== null);
      return parts.length > 0 ? { type: 'MultiPolygon', coordinates: parts } : null;
    }
    case 'GeometryCollection': {
      const parts = (geometry.geometries as AreaGeometry[]).map((g) => roundGeometry(g, decimals)).filter((g): g is AreaGeometry => g !== null);
      return parts.length > 0 ? { type: 'GeometryCollection', geometries: parts } : null;
    }
    case 'LineString':
      return { type: 'LineString', coordinates: roundRing(geometry.coordinates as Ring, factor, false) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: (geometry.coordinates as Ring[]).map((l) => roundRing(l, factor, false)) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: roundRing(geometry.coordinates as Ring, factor, false) };
    default:
      return mapGeometry(geometry, (p) => [Math.round(p[0]! * factor) / factor, Math.round(p[1]! * factor) / factor]);
  }
}

/** Same shape, same coordinates (for telling a boundary change from an unchanged import). */
export function sameGeometry(a: AreaGeometry | null, b: AreaGeometry | null): boolean {
  if (a === null || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}
