/**
 * Read models of the register in the DocumentStore, written from a scheme's folded state after
 * every command (and by the catch-up at start), and the AreaRegister port read from them.
 *
 * Collections (keys in brackets):
 * - `areas.schemes` [schemeId]: summary, versions, draft status, name mapping table
 * - `areas.units` [schemeId/vvvvvv/code]: one unit of one version (AreaUnitView + attributes)
 * - `areas.geometries` [schemeId/vvvvvv/code]: its GeoJSON geometry (WGS84), written once per version
 * - `areas.crosswalks` [schemeId/vvvvvv]: the weights from the previous version, with series breaks
 * - `areas.gemeindeverzeichnis` [AGS / key]: the Gemeindeverzeichnis lookups (gemeindeverzeichnis.ts)
 */
import type { DocumentStore, DocumentWrite } from '@lagebild/platform';
import { centroidOf } from './geometry';
import {
  type AreaGeometry,
  type AttributeValue,
  type ChangeRecord,
  type CrosswalkDefinition,
  type ImportRecord,
  type NameGroup,
  type NameMatchingOptions,
  type SchemeState,
  type UnitState,
  type VersionState,
  unitsValidOn,
} from './model';
import type { AreaRegister, AreaUnitView, SchemeSummary, SchemeVersionView } from './register';
import { GEMEINDEVERZEICHNIS_SCHEME_ID, gemeindeverzeichnisWrites } from './gemeindeverzeichnis';

export const COLLECTIONS = {
  schemes: 'areas.schemes',
  units: 'areas.units',
  geometries: 'areas.geometries',
  crosswalks: 'areas.crosswalks',
  projection: 'areas.projection',
} as const;

export interface VersionSummary {
  version: number;
  validFrom: string;
  /** Start of the next version (exclusive); null for the current one. */
  validTo: string | null;
  reason: string;
  previousVersion: number | null;
  publishedAt: string;
  unitCount: number;
  unitTypes: Record<string, number>;
  changes: ChangeRecord[];
  crosswalk: { weights: number; seriesBreaks: number; method: string } | null;
  hasGeometry: boolean;
}

export interface SchemeDocument {
  schemeId: string;
  name: string;
  tenant: string | null;
  description: string | null;
  nameMatching: NameMatchingOptions;
  createdAt: string | null;
  currentVersion: number;
  versions: VersionSummary[];
  draft: { pendingChanges: ChangeRecord[]; hasCrosswalk: boolean; currentUnits: number };
  nameGroups: NameGroup[];
  imports: ImportRecord[];
  /** Stream version the documents reflect (catch-up compares it with the event store). */
  streamVersion: number;
  /** Versions whose geometry documents are written (they never change afterwards). */
  geometryVersions: number[];
}

export interface UnitDocument extends AreaUnitView {
  schemeId: string;
  version: number;
  attributes: Record<string, AttributeValue>;
  hasGeometry: boolean;
  /** Label point (lon, lat) for maps; null without geometry. */
  centroid: [number, number] | null;
}

export interface CrosswalkDocument extends CrosswalkDefinition {
  schemeId: string;
  toVersion: number;
}

export function versionKey(version: number): string {
  return String(version).padStart(6, '0');
}

export function unitKey(schemeId: string, version: number, code: string): string {
  return `${schemeId}/${versionKey(version)}/${code}`;
}

function summaryOf(version: VersionState, next: VersionState | undefined): VersionSummary {
  // Types listed from the top of the hierarchy down (Land before Kreis before Gemeinde).
  const byCode = new Map(version.units.map((u) => [u.code, u]));
  const depth = (u: UnitState): number => {
    let d = 0;
    for (let p = u.parentCode; p !== null && d < 20; p = byCode.get(p)?.parentCode ?? null) d += 1;
    return d;
  };
  const typeDepth = new Map<string, number>();
  for (const u of version.units) typeDepth.set(u.unitType, Math.min(typeDepth.get(u.unitType) ?? Infinity, depth(u)));
  const unitTypes: Record<string, number> = {};
  for (const type of [...typeDepth.keys()].sort((a, b) => typeDepth.get(a)! - typeDepth.get(b)! || a.localeCompare(b, 'de'))) {
    unitTypes[type] = version.units.filter((u) => u.unitType === type).length;
  }
  return {
    version: version.version,
    validFrom: version.validFrom,
    validTo: next?.validFrom ?? null,
    reason: version.reason,
    previousVersion: version.previousVersion,
    publishedAt: version.publishedAt,
    unitCount: version.units.length,
    unitTypes,
    // Codes of large changes are capped: the full list is in the events and the unit documents.
    changes: version.changes.map((c) => ({ ...c, codes: c.codes.slice(0, 50), ...(c.weights ? { weights: c.weights.slice(0, 50) } : {}) })),
    crosswalk: version.crosswalk ? { weights: version.crosswalk.weights.length, seriesBreaks: version.crosswalk.seriesBreaks.length, method: version.crosswalk.method } : null,
    hasGeometry: version.units.some((u) => u.geometry !== null),
  };
}

function unitDocument(state: SchemeState, version: VersionState, unit: UnitState): UnitDocument {
  // Name and shape as published; validity and designations as known now (they are not version-bound).
  const current = state.units.get(unit.code) ?? unit;
  return {
    schemeId: state.schemeId,
    version: version.version,
    code: unit.code,
    name: unit.name,
    unitType: unit.unitType,
    parentCode: unit.parentCode,
    officialKey: unit.officialKey,
    validFrom: current.validFrom,
    validTo: current.validTo,
    designations: current.designations.map((d) => ({ code: d.code, name: d.name, validFrom: d.validFrom, validTo: d.validTo })),
    aliases: [...new Set([...unit.aliases, ...current.aliases])],
    attributes: { ...unit.attributes },
    hasGeometry: unit.geometry !== null,
    centroid: unit.geometry ? centroidOf(unit.geometry) : null,
  };
}

/**
 * Writes every document of a scheme from its state. Idempotent: a replay writes the same
 * documents. Unit documents of all versions are rewritten (designations and aliases change
 * without a new version); geometries only for versions not written before.
 */
export async function projectScheme(documents: DocumentStore, state: SchemeState, streamVersion: number): Promise<void> {
  const previous = await documents.get<SchemeDocument>(COLLECTIONS.schemes, state.schemeId);
  const writtenGeometry = new Set(previous?.geometryVersions ?? []);
  const writes: DocumentWrite[] = [];
  state.versions.forEach((version) => {
    for (const unit of version.units) {
      writes.push({ collection: COLLECTIONS.units, key: unitKey(state.schemeId, version.version, unit.code), doc: unitDocument(state, version, unit) });
      if (!writtenGeometry.has(version.version) && unit.geometry) {
        writes.push({ collection: COLLECTIONS.geometries, key: unitKey(state.schemeId, version.version, unit.code), doc: { geometry: unit.geometry } });
      }
    }
    if (version.crosswalk) {
      const doc: CrosswalkDocument = { ...version.crosswalk, schemeId: state.schemeId, toVersion: version.version };
      writes.push({ collection: COLLECTIONS.crosswalks, key: `${state.schemeId}/${versionKey(version.version)}`, doc });
    }
  });
  const latestDay = [...state.pendingChanges.map((c) => c.validFrom), state.versions.at(-1)?.validFrom ?? ''].sort().pop() ?? '';
  const document: SchemeDocument = {
    schemeId: state.schemeId,
    name: state.name,
    tenant: state.tenant,
    description: state.description,
    nameMatching: { stripPrefixes: [...state.nameMatching.stripPrefixes] },
    createdAt: state.createdAt,
    currentVersion: state.versions.at(-1)?.version ?? 0,
    versions: state.versions.map((v, i) => summaryOf(v, state.versions[i + 1])),
    draft: {
      pendingChanges: state.pendingChanges.map((c) => ({ ...c, codes: c.codes.slice(0, 50) })),
      hasCrosswalk: state.pendingCrosswalk !== null,
      currentUnits: latestDay ? unitsValidOn(state, latestDay).length : state.units.size,
    },
    nameGroups: state.nameGroups.map((g) => ({ ...g, codes: [...g.codes] })),
    imports: [...state.imports],
    streamVersion,
    geometryVersions: state.versions.map((v) => v.version),
  };
  if (state.schemeId === GEMEINDEVERZEICHNIS_SCHEME_ID && state.versions.length > 0) {
    writes.push(...(await gemeindeverzeichnisWrites(documents, state.versions.at(-1)!)));
  }
  // Writes go in slices (LMDB commits them fast; a 16,000-unit Gemeindeverzeichnis is one slice
  // per few thousand), and the scheme document last, so its streamVersion only moves once all
  // documents it describes exist: a crash in between is repaired by the catch-up.
  for (let i = 0; i < writes.length; i += 5000) await documents.write(writes.slice(i, i + 5000));
  await documents.put(COLLECTIONS.schemes, state.schemeId, document);
}

// ---- the AreaRegister port and the reads behind the routes ----

export interface AreaRegisterReads extends AreaRegister {
  listSchemes(): Promise<SchemeDocument[]>;
  schemeDocument(schemeId: string): Promise<SchemeDocument | undefined>;
  unitDocuments(schemeId: string, version: number): Promise<UnitDocument[]>;
  geometries(schemeId: string, version: number): Promise<Array<{ code: string; geometry: AreaGeometry }>>;
  crosswalk(schemeId: string, toVersion: number): Promise<CrosswalkDocument | undefined>;
}

function summary(doc: SchemeDocument): SchemeSummary {
  return {
    schemeId: doc.schemeId,
    name: doc.name,
    tenant: doc.tenant,
    currentVersion: doc.currentVersion,
    versions: doc.versions.map((v) => ({ version: v.version, validFrom: v.validFrom, reason: v.reason })),
  };
}

function stripUnit(doc: UnitDocument): AreaUnitView {
  return {
    code: doc.code,
    name: doc.name,
    unitType: doc.unitType,
    parentCode: doc.parentCode,
    officialKey: doc.officialKey,
    validFrom: doc.validFrom,
    validTo: doc.validTo,
    designations: doc.designations,
    aliases: doc.aliases,
  };
}

export function createAreaRegister(documents: DocumentStore): AreaRegisterReads {
  const unitDocuments = async (schemeId: string, version: number): Promise<UnitDocument[]> => {
    const rows = await documents.scan<UnitDocument>(COLLECTIONS.units, { prefix: `${schemeId}/${versionKey(version)}/` });
    return rows.map((r) => r.doc).sort((a, b) => a.code.localeCompare(b.code, 'de', { numeric: true }));
  };
  const view = async (doc: SchemeDocument, version: number): Promise<SchemeVersionView | undefined> => {
    const index = doc.versions.findIndex((v) => v.version === version);
    if (index < 0) return undefined;
    const v = doc.versions[index]!;
    const units = await unitDocuments(doc.schemeId, version);
    return {
      schemeId: doc.schemeId,
      name: doc.name,
      tenant: doc.tenant,
      version,
      validFrom: v.validFrom,
      validTo: doc.versions[index + 1]?.validFrom ?? null,
      units: units.map(stripUnit),
      nameGroups: doc.nameGroups,
      nameMatching: doc.nameMatching,
    };
  };
  const schemeDocument = (schemeId: string) => documents.get<SchemeDocument>(COLLECTIONS.schemes, schemeId);
  return {
    async findScheme(schemeId) {
      const doc = await schemeDocument(schemeId);
      return doc ? summary(doc) : undefined;
    },
    async findSchemeVersion(schemeId, version) {
      const doc = await schemeDocument(schemeId);
      if (!doc || doc.currentVersion === 0) return undefined;
      return view(doc, version ?? doc.currentVersion);
    },
    async findSchemeVersionOn(schemeId, date) {
      const doc = await schemeDocument(schemeId);
      if (!doc) return undefined;
      const match = doc.versions.find((v, i) => v.validFrom <= date && (doc.versions[i + 1] === undefined || date < doc.versions[i + 1]!.validFrom));
      return match ? view(doc, match.version) : undefined;
    },
    async listSchemes() {
      return (await documents.scan<SchemeDocument>(COLLECTIONS.schemes)).map((r) => r.doc);
    },
    schemeDocument,
    unitDocuments,
    async geometries(schemeId, version) {
      const rows = await documents.scan<{ geometry: AreaGeometry }>(COLLECTIONS.geometries, { prefix: `${schemeId}/${versionKey(version)}/` });
      return rows.map((r) => ({ code: r.key.slice(r.key.lastIndexOf('/') + 1), geometry: r.doc.geometry }));
    },
    async crosswalk(schemeId, toVersion) {
      return documents.get<CrosswalkDocument>(COLLECTIONS.crosswalks, `${schemeId}/${versionKey(toVersion)}`);
    },
  };
}
