import type { AreaGeometry } from '../model';

/** One feature / row of an area file, before the mapping to units. */
export interface SourceFeature {
  /** 0-based position in the file. */
  index: number;
  /** 1-based line for line-oriented formats (CSV, GV100AD). */
  line?: number;
  properties: Record<string, unknown>;
  /** WGS84 lon/lat after reprojection; null when the format or feature has none. */
  geometry: AreaGeometry | null;
}

export type AreaFileFormat = 'geojson' | 'shapefile' | 'csv' | 'gv100ad';

export interface SourceRead {
  format: AreaFileFormat;
  features: SourceFeature[];
  /** What was done to read the file (CRS, encoding), for the import report. */
  notes: string[];
}

/** An area file as it arrives (upload or path), by its parts. */
export type AreaFile =
  | { kind: 'geojson'; fileName: string; bytes: Buffer }
  | { kind: 'csv'; fileName: string; bytes: Buffer }
  | { kind: 'gv100ad'; fileName: string; bytes: Buffer }
  /** The parts of a shapefile; .dbf, .prj and .cpg are optional as in the format. */
  | { kind: 'shapefile'; fileName: string; shp: Buffer; dbf: Buffer | null; prj: string | null; cpg: string | null }
  | { kind: 'zip'; fileName: string; bytes: Buffer };

export interface ReadOptions {
  /** Text encoding of DBF / CSV (`utf-8`, `latin1`, `windows-1252`); overrides .cpg and detection. */
  encoding?: string;
  /** CRS of the coordinates when the file does not say (EPSG code or WKT). */
  crs?: string;
}
