/**
 * The area scheme (Gebietsgliederung) as an event-sourced aggregate: one stream per scheme
 * (`area-scheme-<schemeId>`). Units live in a working state (the draft) that imports and changes
 * edit; publishing freezes the units valid on a date into a numbered scheme version, which is what
 * observations refer to (DOMAIN.md 3).
 *
 * Pure: events, state and evolve only. Dates are ISO days (`YYYY-MM-DD`); unit validity is
 * inclusive on both ends (validTo = last day), a version is valid from its validFrom until the
 * next version's validFrom (exclusive), as the AreaRegister port documents.
 */
import type { AreaGeometriesPublishedData, AreaSchemeVersionPublishedData } from '../integration-events';

/** A GeoJSON geometry in WGS84 (lon, lat). Kept loose: imports check the shape once. */
export interface AreaGeometry {
  type: string;
  coordinates?: unknown;
  geometries?: unknown;
}

export type AttributeValue = string | number | boolean | null;

/** A unit as it arrives from an import or a change command. */
export interface UnitRecord {
  code: string;
  name: string;
  unitType: string;
  parentCode: string | null;
  officialKey: string | null;
  aliases: readonly string[];
  /** Facts that are not structure: population, area, postcode (Gemeindeverzeichnis), source fields. */
  attributes: Readonly<Record<string, AttributeValue>>;
  geometry: AreaGeometry | null;
}

export interface DesignationState {
  /** Stable slug, e.g. `aktionsraum`. */
  code: string;
  /** As users write it, e.g. `Aktionsraum`. */
  name: string;
  validFrom: string;
  validTo: string | null;
  reason: string;
}

export interface UnitState extends UnitRecord {
  validFrom: string;
  /** Last day the unit exists (inclusive); null while current. */
  validTo: string | null;
  designations: readonly DesignationState[];
}

export type ChangeKind = 'created' | 'updated' | 'renamed' | 'split' | 'merged' | 'retired' | 'boundary-changed' | 'reparented';

/** One structural change of the draft, kept until the next version is published. */
export interface ChangeRecord {
  kind: ChangeKind;
  /** Units the change is about (for split/merge: the old ones first, then the new ones). */
  codes: readonly string[];
  /** For split and merge: the units that replace `codes`' old part. */
  into?: readonly string[];
  /** For split (when known) and merge (always 1): how the old units' figures carry over. */
  weights?: readonly CrosswalkWeight[];
  validFrom: string;
  reason: string;
}

export interface CrosswalkWeight {
  fromCode: string;
  toCode: string;
  weight: number;
}

/** A unit of the previous version whose series cannot be carried over (no honest weight). */
export interface SeriesBreak {
  code: string;
  /** German explanation, e.g. "Bevölkerung der Zuordnung weicht um 35 % ab". */
  reason: string;
}

export interface CrosswalkDefinition {
  /** The version the weights lead from (the new version's predecessor). */
  fromVersion: number;
  weights: readonly CrosswalkWeight[];
  seriesBreaks: readonly SeriesBreak[];
  /** How the weights were derived, in German, for the methods section of a report. */
  method: string;
}

export interface NameGroup {
  /** The name deliveries use, e.g. `Kleiner Grasbrook und Steinwerder`. */
  name: string;
  /** One code: an alias; several: the name stands for the sum of these units. */
  codes: readonly string[];
  note: string | null;
}

export interface VersionState {
  version: number;
  validFrom: string;
  reason: string;
  previousVersion: number | null;
  publishedAt: string;
  /** The units valid on validFrom, as they were when the version was published. */
  units: readonly UnitState[];
  changes: readonly ChangeRecord[];
  crosswalk: CrosswalkDefinition | null;
}

export interface NameMatchingOptions {
  /** Prefixes ignored when names are compared, e.g. `Hamburg-` (`Hamburg-Altstadt` ~ `Altstadt`). */
  stripPrefixes: readonly string[];
}

export interface SchemeState {
  exists: boolean;
  schemeId: string;
  name: string;
  /** Owning tenant (AGS); null for shared reference schemes (Gemeindeverzeichnis). */
  tenant: string | null;
  description: string | null;
  nameMatching: NameMatchingOptions;
  createdAt: string | null;
  /** Every unit ever created in the scheme, by code (codes are never reused). */
  units: ReadonlyMap<string, UnitState>;
  versions: readonly VersionState[];
  pendingChanges: readonly ChangeRecord[];
  pendingCrosswalk: CrosswalkDefinition | null;
  nameGroups: readonly NameGroup[];
  imports: readonly ImportRecord[];
}

export interface ImportRecord {
  importId: string;
  fileName: string | null;
  format: string;
  sha256: string | null;
  importedAt: string;
  unitCount: number;
}

export interface ImportSource {
  fileName: string | null;
  format: string;
  sha256: string | null;
  /** Features / rows read from the source. */
  featureCount: number;
  /** How the file was read and corrected (CRS, encoding, applied corrections), in German. */
  notes: readonly string[];
}

// ---- events (private to the areas feature; the integration events are in contracts/) ----

export interface SchemeCreated {
  type: 'SchemeCreated';
  data: { schemeId: string; name: string; tenant: string | null; description: string | null; nameMatching: NameMatchingOptions; createdAt: string };
}

export interface UnitsImported {
  type: 'UnitsImported';
  data: {
    importId: string;
    source: ImportSource;
    importedAt: string;
    validFrom: string;
    reason: string;
    /** Units that are new in the scheme. */
    created: readonly UnitRecord[];
    /** Existing units whose record changed (name, parent, attributes, geometry, ...): the new record. */
    updated: readonly UnitRecord[];
    /** Existing units the import does not name any more (replace mode): retired the day before validFrom. */
    retired: readonly string[];
    /** Units the import names unchanged. */
    unchanged: number;
    /** What the import changed, classified (created, renamed, boundary-changed, reparented, updated, retired). */
    changes: readonly ChangeRecord[];
  };
}

export interface UnitCreated {
  type: 'UnitCreated';
  data: { unit: UnitRecord; validFrom: string; reason: string };
}

export interface UnitRenamed {
  type: 'UnitRenamed';
  data: { code: string; name: string; previousName: string; validFrom: string; reason: string };
}

export interface UnitSplit {
  type: 'UnitSplit';
  data: { code: string; into: readonly UnitRecord[]; weights: readonly CrosswalkWeight[] | null; validFrom: string; reason: string };
}

export interface UnitsMerged {
  type: 'UnitsMerged';
  data: { codes: readonly string[]; into: UnitRecord; validFrom: string; reason: string };
}

export interface UnitRetired {
  type: 'UnitRetired';
  data: { code: string; validFrom: string; reason: string };
}

export interface UnitBoundaryChanged {
  type: 'UnitBoundaryChanged';
  data: { code: string; geometry: AreaGeometry | null; validFrom: string; reason: string };
}

export interface DesignationAssigned {
  type: 'DesignationAssigned';
  data: { unitCode: string; designation: DesignationState };
}

export interface NameMappingAttached {
  type: 'NameMappingAttached';
  data: { source: string; groups: readonly NameGroup[] };
}

export interface CrosswalkDefined {
  type: 'CrosswalkDefined';
  data: CrosswalkDefinition;
}

export interface SchemeVersionPublished {
  type: 'SchemeVersionPublished';
  data: {
    version: number;
    validFrom: string;
    reason: string;
    previousVersion: number | null;
    publishedAt: string;
    unitCount: number;
    /** The weights from the previous version, as published (null for the first version). */
    crosswalk: CrosswalkDefinition | null;
  };
}

/** Integration events are appended to the scheme's stream too (the outbox relays them); the state ignores them. */
export type IntegrationEventRecord =
  | { type: 'AreaSchemeVersionPublished'; data: AreaSchemeVersionPublishedData }
  | { type: 'AreaGeometriesPublished'; data: AreaGeometriesPublishedData };

export type AreaSchemeEvent =
  | SchemeCreated
  | UnitsImported
  | UnitCreated
  | UnitRenamed
  | UnitSplit
  | UnitsMerged
  | UnitRetired
  | UnitBoundaryChanged
  | DesignationAssigned
  | NameMappingAttached
  | CrosswalkDefined
  | SchemeVersionPublished
  | IntegrationEventRecord;

export type AreaSchemeEventType = AreaSchemeEvent['type'];

export const AREA_SCHEME_EVENT_TYPES: readonly AreaSchemeEventType[] = [
  'SchemeCreated',
  'UnitsImported',
  'UnitCreated',
  'UnitRenamed',
  'UnitSplit',
  'UnitsMerged',
  'UnitRetired',
  'UnitBoundaryChanged',
  'DesignationAssigned',
  'NameMappingAttached',
  'CrosswalkDefined',
  'SchemeVersionPublished',
  'AreaSchemeVersionPublished',
  'AreaGeometriesPublished',
];

export const STREAM_PREFIX = 'area-scheme-';

export function streamOf(schemeId: string): string {
  return `${STREAM_PREFIX}${schemeId}`;
}

export function initialState(schemeId = ''): SchemeState {
  return {
    exists: false,
    schemeId,
    name: '',
    tenant: null,
    description: null,
    nameMatching: { stripPrefixes: [] },
    createdAt: null,
    units: new Map(),
    versions: [],
    pendingChanges: [],
    pendingCrosswalk: null,
    nameGroups: [],
    imports: [],
  };
}

// ---- dates (ISO days, pure arithmetic in UTC) ----

export function isIsoDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export function dayBefore(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

/** Whether a unit exists on `day`. */
export function validOn(unit: { validFrom: string; validTo: string | null }, day: string): boolean {
  return unit.validFrom <= day && (unit.validTo === null || unit.validTo >= day);
}

function unitFrom(record: UnitRecord, validFrom: string): UnitState {
  return { ...record, aliases: [...record.aliases], validFrom, validTo: null, designations: [] };
}

function withAlias(aliases: readonly string[], alias: string): string[] {
  return aliases.includes(alias) ? [...aliases] : [...aliases, alias];
}

// ---- evolve ----

export function evolve(state: SchemeState, event: AreaSchemeEvent): SchemeState {
  switch (event.type) {
    case 'SchemeCreated': {
      const d = event.data;
      return { ...state, exists: true, schemeId: d.schemeId, name: d.name, tenant: d.tenant, description: d.description, nameMatching: d.nameMatching, createdAt: d.createdAt };
    }
    case 'UnitsImported': {
      const d = event.data;
      const units = new Map(state.units);
      for (const record of d.created) units.set(record.code, unitFrom(record, d.validFrom));
      for (const record of d.updated) {
        const before = units.get(record.code);
        if (!before) continue;
        // The old name stays an alias: deliveries keep using it for years.
        const aliases = before.name !== record.name ? withAlias(record.aliases, before.name) : [...record.aliases];
        units.set(record.code, { ...before, ...record, aliases });
      }
      for (const code of d.retired) {
        const before = units.get(code);
        if (before) units.set(code, { ...before, validTo: dayBefore(d.validFrom) });
      }
      const imports = [
        ...state.imports,
        { importId: d.importId, fileName: d.source.fileName, format: d.source.format, sha256: d.source.sha256, importedAt: d.importedAt, unitCount: d.created.length + d.updated.length + d.unchanged },
      ];
      return { ...state, units, imports, pendingChanges: [...state.pendingChanges, ...d.changes] };
    }
    case 'UnitCreated': {
      const d = event.data;
      const units = new Map(state.units);
      units.set(d.unit.code, unitFrom(d.unit, d.validFrom));
      return { ...state, units, pendingChanges: [...state.pendingChanges, { kind: 'created', codes: [d.unit.code], validFrom: d.validFrom, reason: d.reason }] };
    }
    case 'UnitRenamed': {
      const d = event.data;
      const before = state.units.get(d.code);
      if (!before) return state;
      const units = new Map(state.units);
      units.set(d.code, { ...before, name: d.name, aliases: withAlias(before.aliases, d.previousName) });
      return { ...state, units, pendingChanges: [...state.pendingChanges, { kind: 'renamed', codes: [d.code], validFrom: d.validFrom, reason: d.reason }] };
    }
    case 'UnitSplit': {
      const d = event.data;
      const before = state.units.get(d.code);
      if (!before) return state;
      const units = new Map(state.units);
      units.set(d.code, { ...before, validTo: dayBefore(d.validFrom) });
      for (const record of d.into) units.set(record.code, unitFrom(record, d.validFrom));
      return {
        ...state,
        units,
        pendingChanges: [
          ...state.pendingChanges,
          { kind: 'split', codes: [d.code], into: d.into.map((u) => u.code), ...(d.weights ? { weights: d.weights } : {}), validFrom: d.validFrom, reason: d.reason },
        ],
      };
    }
    case 'UnitsMerged': {
      const d = event.data;
      const units = new Map(state.units);
      for (const code of d.codes) {
        const before = units.get(code);
        if (before) units.set(code, { ...before, validTo: dayBefore(d.validFrom) });
      }
      units.set(d.into.code, unitFrom(d.into, d.validFrom));
      return {
        ...state,
        units,
        pendingChanges: [
          ...state.pendingChanges,
          {
            kind: 'merged',
            codes: [...d.codes],
            into: [d.into.code],
            weights: d.codes.map((code) => ({ fromCode: code, toCode: d.into.code, weight: 1 })),
            validFrom: d.validFrom,
            reason: d.reason,
          },
        ],
      };
    }
    case 'UnitRetired': {
      const d = event.data;
      const before = state.units.get(d.code);
      if (!before) return state;
      const units = new Map(state.units);
      units.set(d.code, { ...before, validTo: dayBefore(d.validFrom) });
      return { ...state, units, pendingChanges: [...state.pendingChanges, { kind: 'retired', codes: [d.code], validFrom: d.validFrom, reason: d.reason }] };
    }
    case 'UnitBoundaryChanged': {
      const d = event.data;
      const before = state.units.get(d.code);
      if (!before) return state;
      const units = new Map(state.units);
      units.set(d.code, { ...before, geometry: d.geometry });
      return { ...state, units, pendingChanges: [...state.pendingChanges, { kind: 'boundary-changed', codes: [d.code], validFrom: d.validFrom, reason: d.reason }] };
    }
    case 'DesignationAssigned': {
      const d = event.data;
      const before = state.units.get(d.unitCode);
      if (!before) return state;
      const units = new Map(state.units);
      units.set(d.unitCode, { ...before, designations: [...before.designations, d.designation] });
      return { ...state, units };
    }
    case 'NameMappingAttached': {
      // A newer table replaces the entries for the same names; others stay.
      const names = new Set(event.data.groups.map((g) => g.name));
      return { ...state, nameGroups: [...state.nameGroups.filter((g) => !names.has(g.name)), ...event.data.groups] };
    }
    case 'CrosswalkDefined':
      return { ...state, pendingCrosswalk: event.data };
    case 'SchemeVersionPublished': {
      const d = event.data;
      const units = [...state.units.values()].filter((u) => validOn(u, d.validFrom));
      const version: VersionState = {
        version: d.version,
        validFrom: d.validFrom,
        reason: d.reason,
        previousVersion: d.previousVersion,
        publishedAt: d.publishedAt,
        units,
        changes: state.pendingChanges,
        crosswalk: d.crosswalk,
      };
      return { ...state, versions: [...state.versions, version], pendingChanges: [], pendingCrosswalk: null };
    }
    case 'AreaSchemeVersionPublished':
    case 'AreaGeometriesPublished':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export function fold(events: readonly AreaSchemeEvent[], schemeId = ''): SchemeState {
  return events.reduce(evolve, initialState(schemeId));
}

export function currentVersion(state: SchemeState): VersionState | undefined {
  return state.versions[state.versions.length - 1];
}

/** Units of the draft that exist on `day` (the working set a new version would freeze). */
export function unitsValidOn(state: SchemeState, day: string): UnitState[] {
  return [...state.units.values()].filter((u) => validOn(u, day));
}
