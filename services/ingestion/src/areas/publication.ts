/**
 * What publishing a scheme version tells the other services, as integration events of
 * contracts/ (ingestion/AreaSchemeVersionPublished v1, ingestion/AreaGeometriesPublished v1):
 * the units with their hierarchy and the crosswalk from the previous version, and the geometries
 * in batches (too big for one event: Berlin's 542 Planungsräume are megabytes of coordinates).
 * Pure; typed by the contracts' generated types (../integration-events.ts; dates as ISO days, as
 * the codec reads them).
 */
import type { AreaGeometriesPublishedData, AreaSchemeVersionPublishedData } from '../integration-events';
import { roundGeometry } from './geometry';
import {
  type AreaSchemeEvent,
  type ChangeRecord,
  type CrosswalkDefinition,
  type CrosswalkWeight,
  type SchemeState,
  type SeriesBreak,
  type UnitState,
  currentVersion,
  validOn,
} from './model';

export type { AreaGeometriesPublishedData, AreaSchemeVersionPublishedData } from '../integration-events';

/** 5 decimal places of a degree: about 1.1 m north-south, 0.7 m east-west in Germany. */
export const PUBLISHED_PRECISION = 5;
/**
 * Geometry characters per AreaGeometriesPublished event. Kafka's default message limit is 1 MB;
 * half of it leaves room for the envelope and for brokers configured tighter.
 */
export const GEOMETRY_BATCH_CHARS = 500_000;

const IDENTITY_METHOD = 'Aus den Änderungen abgeleitet: unveränderte und umbenannte Einheiten 1:1, Zusammenlegungen mit Gewicht 1, Teilungen mit den angegebenen Gewichten.';

/**
 * The crosswalk from the current version to the draft about to be published: the explicitly
 * defined weights (DefineCrosswalk) win for the units they cover; for the others the weights
 * follow from the changes (identity for units whose shape did not change, 1 for merged units,
 * the split's weights). A unit of the previous version left without weights is a series break.
 */
export function composeCrosswalk(state: SchemeState, newUnits: readonly UnitState[]): CrosswalkDefinition | null {
  const previous = currentVersion(state);
  if (!previous) return null;
  const newCodes = new Set(newUnits.map((u) => u.code));
  const explicit = state.pendingCrosswalk && state.pendingCrosswalk.fromVersion === previous.version ? state.pendingCrosswalk : null;
  const reshaped = new Map<string, ChangeRecord>();
  const derived = new Map<string, CrosswalkWeight[]>();
  for (const change of state.pendingChanges) {
    if (change.kind === 'boundary-changed' || change.kind === 'retired' || change.kind === 'split' || change.kind === 'merged') {
      for (const code of change.codes) reshaped.set(code, change);
    }
    for (const w of change.weights ?? []) derived.set(w.fromCode, [...(derived.get(w.fromCode) ?? []), w]);
  }
  const explicitByFrom = new Map<string, CrosswalkWeight[]>();
  for (const w of explicit?.weights ?? []) explicitByFrom.set(w.fromCode, [...(explicitByFrom.get(w.fromCode) ?? []), w]);
  const explicitBreaks = new Map((explicit?.seriesBreaks ?? []).map((b) => [b.code, b.reason]));

  const weights: CrosswalkWeight[] = [];
  const seriesBreaks: SeriesBreak[] = [];
  for (const unit of previous.units) {
    const code = unit.code;
    const chosen = explicitByFrom.get(code) ?? (explicitBreaks.has(code) ? undefined : derived.get(code));
    if (chosen && chosen.every((w) => newCodes.has(w.toCode))) {
      weights.push(...chosen);
      continue;
    }
    if (!explicitBreaks.has(code) && !reshaped.has(code) && newCodes.has(code)) {
      weights.push({ fromCode: code, toCode: code, weight: 1 });
      continue;
    }
    const change = reshaped.get(code);
    const reason =
      explicitBreaks.get(code) ??
      (change?.kind === 'boundary-changed'
        ? `Grenze geändert ab ${change.validFrom} (${change.reason}); keine Gewichte angegeben`
        : change?.kind === 'split'
          ? `geteilt ab ${change.validFrom} (${change.reason}); keine Gewichte angegeben`
          : change?.kind === 'retired'
            ? `aufgehoben ab ${change.validFrom} (${change.reason}); keine Zuordnung angegeben`
            : 'keine Zuordnung zur neuen Version');
    seriesBreaks.push({ code, reason });
  }
  return { fromVersion: previous.version, weights, seriesBreaks, method: explicit?.method ?? IDENTITY_METHOD };
}

function designationsOn(unit: UnitState, day: string): string[] {
  return unit.designations.filter((d) => validOn(d, day)).map((d) => d.name);
}

function sortedByCode<T extends { code: string }>(units: readonly T[]): T[] {
  return [...units].sort((a, b) => a.code.localeCompare(b.code, 'de', { numeric: true }));
}

export function versionPublishedData(state: SchemeState, input: { version: number; validFrom: string; reason: string; units: readonly UnitState[]; crosswalk: CrosswalkDefinition | null }): AreaSchemeVersionPublishedData {
  return {
    schemeId: state.schemeId,
    schemeName: state.name,
    version: input.version,
    validFrom: input.validFrom,
    reason: input.reason,
    previousVersion: input.version > 1 ? input.version - 1 : null,
    units: sortedByCode(input.units).map((u) => ({
      code: u.code,
      name: u.name,
      unitType: u.unitType,
      parentCode: u.parentCode,
      officialKey: u.officialKey,
      validFrom: u.validFrom,
      validTo: u.validTo,
      designations: designationsOn(u, input.validFrom),
    })),
    crosswalk: input.crosswalk ? input.crosswalk.weights.map((w) => ({ fromCode: w.fromCode, toCode: w.toCode, weight: w.weight })) : [],
  };
}

/** The geometries of a version, rounded, in batches that stay under the size budget. */
export function geometryBatches(schemeId: string, version: number, units: readonly UnitState[], budget = GEOMETRY_BATCH_CHARS, precision = PUBLISHED_PRECISION): AreaGeometriesPublishedData[] {
  const batches: Array<AreaGeometriesPublishedData['geometries']> = [];
  let current: AreaGeometriesPublishedData['geometries'] = [];
  let size = 0;
  for (const unit of sortedByCode(units)) {
    if (!unit.geometry) continue;
    const rounded = roundGeometry(unit.geometry, precision);
    if (!rounded) continue;
    const text = JSON.stringify(rounded);
    if (current.length > 0 && size + text.length > budget) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push({ code: unit.code, geometry: text });
    size += text.length + unit.code.length;
  }
  if (current.length > 0) batches.push(current);
  return batches.map((geometries, i) => ({ schemeId, version, batchNumber: i + 1, isLastBatch: i === batches.length - 1, precision, geometries }));
}

/** The private version event's companions: the integration events of a publication. */
export function buildPublication(
  state: SchemeState,
  input: { version: number; validFrom: string; reason: string; units: readonly UnitState[]; crosswalk: CrosswalkDefinition | null },
): AreaSchemeEvent[] {
  return [
    { type: 'AreaSchemeVersionPublished', data: versionPublishedData(state, input) },
    ...geometryBatches(state.schemeId, input.version, input.units).map((data) => ({ type: 'AreaGeometriesPublished' as const, data })),
  ];
}
