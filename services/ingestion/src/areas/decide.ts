/**
 * Commands on an area scheme and the decider that turns them into events or refuses them with
 * every reason at once (a user fixing an import wants the whole list, not the first error).
 * Pure: time (`metadata.now`) and ids (`importId`) arrive with the command.
 */
import { buildPublication, composeCrosswalk } from './publication';
import {
  type AreaGeometry,
  type AreaSchemeEvent,
  type ChangeRecord,
  type CrosswalkDefinition,
  type CrosswalkWeight,
  type DesignationState,
  type ImportSource,
  isIsoDay,
  type NameGroup,
  type NameMatchingOptions,
  type SchemeState,
  type SeriesBreak,
  type UnitRecord,
  type UnitState,
  currentVersion,
  unitsValidOn,
} from './model';
import { sameGeometry } from './geometry';

export interface CommandMetadata {
  /** ISO instant of the command (the clock is read by the caller, not here). */
  now: string;
}

/** Where an imported unit came from, so errors can name the feature or line. */
export interface UnitOrigin {
  /** 0-based feature index (GeoJSON, shapefile) or record number. */
  featureIndex?: number;
  /** 1-based line of the source file (CSV, fixed width). */
  line?: number;
}

export interface ImportedUnit extends UnitRecord {
  origin?: UnitOrigin;
}

export type AreaSchemeCommand =
  | { type: 'CreateScheme'; data: { schemeId: string; name: string; tenant: string | null; description: string | null; nameMatching?: NameMatchingOptions }; metadata: CommandMetadata }
  | {
      type: 'ImportUnits';
      data: {
        importId: string;
        source: ImportSource;
        validFrom: string;
        reason: string;
        /**
         * merge: add and update the named units, leave the others; replace: units of the imported
         * types that the import does not name are retired the day before validFrom.
         */
        mode: 'merge' | 'replace';
        /** Types replace mode replaces; default: the types of the imported units. */
        replaceTypes?: readonly string[];
        units: readonly ImportedUnit[];
      };
      metadata: CommandMetadata;
    }
  | { type: 'CreateUnit'; data: { unit: UnitRecord; validFrom: string; reason: string }; metadata: CommandMetadata }
  | { type: 'RenameUnit'; data: { code: string; name: string; validFrom: string; reason: string }; metadata: CommandMetadata }
  | { type: 'SplitUnit'; data: { code: string; into: readonly UnitRecord[]; weights: readonly CrosswalkWeight[] | null; validFrom: string; reason: string }; metadata: CommandMetadata }
  | { type: 'MergeUnits'; data: { codes: readonly string[]; into: UnitRecord; validFrom: string; reason: string }; metadata: CommandMetadata }
  | { type: 'RetireUnit'; data: { code: string; validFrom: string; reason: string }; metadata: CommandMetadata }
  | { type: 'ChangeBoundary'; data: { code: string; geometry: AreaGeometry | null; validFrom: string; reason: string }; metadata: CommandMetadata }
  | {
      type: 'AssignDesignation';
      data: { unitCode: string; designation: { code: string; name: string }; validFrom: string; validTo: string | null; reason: string };
      metadata: CommandMetadata;
    }
  | { type: 'AttachNameMapping'; data: { source: string; groups: readonly NameGroup[] }; metadata: CommandMetadata }
  | { type: 'DefineCrosswalk'; data: { weights: readonly CrosswalkWeight[]; seriesBreaks: readonly SeriesBreak[]; method: string }; metadata: CommandMetadata }
  | { type: 'PublishVersion'; data: { validFrom: string; reason: string }; metadata: CommandMetadata };

export type AreaErrorCode =
  | 'unknown-scheme'
  | 'scheme-exists'
  | 'invalid-input'
  | 'duplicate-code'
  | 'unknown-unit'
  | 'unit-retired'
  | 'parent-missing'
  | 'cycle'
  | 'validity-overlap'
  | 'nothing-to-publish'
  | 'crosswalk-invalid'
  | 'unparsable-file';

export interface AreaErrorEntry {
  /** Unit code, feature or line the entry is about (`Feature 123`, `Zeile 7`, `Einheit 0101`). */
  where?: string;
  detail: string;
  code?: string;
}

/** A refusal of the register, in German. Routes map `code` to an HTTP status (routes.ts). */
export class AreaRuleViolation extends Error {
  override readonly name = 'AreaRuleViolation';
  constructor(
    readonly code: AreaErrorCode,
    readonly detail: string,
    readonly errors: readonly AreaErrorEntry[] = [],
  ) {
    super(errors.length > 0 ? `${detail}\n${errors.map((e) => `- ${e.where ? `${e.where}: ` : ''}${e.detail}`).join('\n')}` : detail);
  }
}

export const SCHEME_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

function where(unit: ImportedUnit): string {
  if (unit.origin?.line !== undefined) return `Zeile ${unit.origin.line}`;
  if (unit.origin?.featureIndex !== undefined) return `Feature ${unit.origin.featureIndex}`;
  return `Einheit ${unit.code}`;
}

function requireScheme(state: SchemeState): void {
  if (!state.exists) throw new AreaRuleViolation('unknown-scheme', `Die Gebietsgliederung "${state.schemeId}" gibt es nicht.`);
}

function requireDay(value: string, label: string): void {
  if (!isIsoDay(value)) throw new AreaRuleViolation('invalid-input', `${label} ist kein gültiges Datum (erwartet JJJJ-MM-TT): "${value}".`);
}

function requireReason(reason: string): void {
  if (typeof reason !== 'string' || reason.trim() === '') throw new AreaRuleViolation('invalid-input', 'Jede Änderung braucht einen Grund (reason).');
}

/** Changes may not reach back into a published version: that would rewrite history. */
function requireAfterLastVersion(state: SchemeState, validFrom: string): void {
  const last = currentVersion(state);
  if (last && validFrom <= last.validFrom) {
    throw new AreaRuleViolation(
      'validity-overlap',
      `Die Änderung gilt ab ${validFrom}, die veröffentlichte Version ${last.version} gilt aber schon ab ${last.validFrom}. Änderungen müssen nach dem Beginn der aktuellen Version gelten.`,
    );
  }
}

/** The unit a change at `on` is about: it must exist on the day before (a change ends its old shape then). */
/** A dated change of the draft: the scheme exists, the day is valid, a reason is given, and it follows the last version. */
function requireDatedChange(state: SchemeState, change: { validFrom: string; reason: string }): void {
  requireScheme(state);
  requireDay(change.validFrom, 'Gültig ab');
  requireReason(change.reason);
  requireAfterLastVersion(state, change.validFrom);
}

function requireValidUnit(state: SchemeState, code: string, on: string): UnitState {
  const unit = state.units.get(code);
  if (!unit) throw new AreaRuleViolation('unknown-unit', `Die Einheit "${code}" gibt es in der Gebietsgliederung "${state.schemeId}" nicht.`);
  if (unit.validTo !== null && unit.validTo < on) {
    throw new AreaRuleViolation('unit-retired', `Die Einheit "${code}" (${unit.name}) ist seit ${unit.validTo} aufgehoben.`);
  }
  if (unit.validFrom >= on) {
    throw new AreaRuleViolation('validity-overlap', `Die Einheit "${code}" (${unit.name}) gilt erst ab ${unit.validFrom}; eine Änderung ab ${on} ist nicht möglich.`);
  }
  return unit;
}

function requireNewCodes(state: SchemeState, records: readonly UnitRecord[]): void {
  const errors: AreaErrorEntry[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const existing = state.units.get(record.code);
    if (existing) {
      errors.push({
        where: `Einheit ${record.code}`,
        detail:
          existing.validTo === null
            ? `der Code ist schon vergeben (${existing.name})`
            : `der Code war bis ${existing.validTo} vergeben (${existing.name}); Codes werden nicht wiederverwendet`,
      });
    }
    if (seen.has(record.code)) errors.push({ where: `Einheit ${record.code}`, detail: 'der Code kommt mehrfach vor' });
    seen.add(record.code);
  }
  if (errors.length > 0) throw new AreaRuleViolation('duplicate-code', 'Doppelte Codes.', errors);
}

function checkRecordShape(records: readonly ImportedUnit[]): AreaErrorEntry[] {
  const errors: AreaErrorEntry[] = [];
  for (const r of records) {
    if (typeof r.code !== 'string' || r.code.trim() === '') errors.push({ where: where(r), detail: 'der Code fehlt' });
    else if (r.code !== r.code.trim() || r.code.length > 64 || /[/\u0000]/.test(r.code)) {
      errors.push({ where: where(r), detail: `ungültiger Code "${r.code}" (höchstens 64 Zeichen, ohne Schrägstrich und ohne Leerzeichen am Rand)` });
    }
    if (typeof r.name !== 'string' || r.name.trim() === '') errors.push({ where: where(r), detail: `der Name der Einheit ${r.code} fehlt` });
    if (typeof r.unitType !== 'string' || r.unitType.trim() === '') errors.push({ where: where(r), detail: `der Gebietstyp der Einheit ${r.code} fehlt` });
    if (r.parentCode === r.code) errors.push({ where: where(r), detail: `die Einheit ${r.code} ist als ihr eigenes übergeordnetes Gebiet angegeben`, code: 'cycle' });
  }
  return errors;
}

/**
 * Parent links of the units valid on `day` after the change: every parent must exist then, and
 * following parents must end at a top-level unit (no cycle).
 */
function checkHierarchy(units: ReadonlyMap<string, { code: string; name: string; parentCode: string | null }>, label: (code: string) => string): { missing: AreaErrorEntry[]; cycles: AreaErrorEntry[] } {
  const missing: AreaErrorEntry[] = [];
  const cycles: AreaErrorEntry[] = [];
  for (const unit of units.values()) {
    if (unit.parentCode !== null && !units.has(unit.parentCode)) {
      missing.push({ where: label(unit.code), detail: `das übergeordnete Gebiet "${unit.parentCode}" von ${unit.code} (${unit.name}) gibt es nicht` });
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  for (const start of units.keys()) {
    const path: string[] = [];
    let code: string | null = start;
    while (code !== null && units.has(code) && state.get(code) !== 'done') {
      if (state.get(code) === 'visiting') {
        const cycle = path.slice(path.indexOf(code));
        const key = [...cycle].sort().join('|');
        if (!reported.has(key)) {
          reported.add(key);
          cycles.push({ where: label(code), detail: `Zyklus in der Gliederung: ${[...cycle, code].join(' → ')}` });
        }
        break;
      }
      state.set(code, 'visiting');
      path.push(code);
      code = units.get(code)!.parentCode;
    }
    for (const c of path) state.set(c, 'done');
  }
  return { missing, cycles };
}

function hierarchyAfter(state: SchemeState, day: string, changed: readonly UnitRecord[], removed: ReadonlySet<string>): Map<string, UnitRecord> {
  const units = new Map<string, UnitRecord>();
  for (const unit of unitsValidOn(state, day)) if (!removed.has(unit.code)) units.set(unit.code, unit);
  for (const record of changed) units.set(record.code, record);
  return units;
}

function hierarchyProblems(state: SchemeState, day: string, changed: readonly ImportedUnit[], removed: ReadonlySet<string>): { missing: AreaErrorEntry[]; cycles: AreaErrorEntry[] } {
  const origins = new Map<string, ImportedUnit>();
  for (const u of changed) if (!origins.has(u.code)) origins.set(u.code, u);
  const label = (code: string) => (origins.has(code) ? where(origins.get(code)!) : `Einheit ${code}`);
  return checkHierarchy(hierarchyAfter(state, day, [...origins.values()], removed), label);
}

function requireSoundHierarchy(state: SchemeState, day: string, changed: readonly ImportedUnit[], removed: ReadonlySet<string> = new Set()): void {
  const { missing, cycles } = hierarchyProblems(state, day, changed, removed);
  if (cycles.length > 0) throw new AreaRuleViolation('cycle', 'Die Gliederung enthält einen Zyklus.', [...cycles, ...missing]);
  if (missing.length > 0) throw new AreaRuleViolation('parent-missing', 'Übergeordnete Gebiete fehlen.', missing);
}

function sameRecord(a: UnitRecord, b: UnitRecord): boolean {
  return (
    a.name === b.name &&
    a.unitType === b.unitType &&
    a.parentCode === b.parentCode &&
    a.officialKey === b.officialKey &&
    JSON.stringify([...a.aliases].sort()) === JSON.stringify([...b.aliases].sort()) &&
    JSON.stringify(a.attributes) === JSON.stringify(b.attributes) &&
    sameGeometry(a.geometry, b.geometry)
  );
}

function plainRecord(unit: ImportedUnit | UnitState): UnitRecord {
  return {
    code: unit.code,
    name: unit.name,
    unitType: unit.unitType,
    parentCode: unit.parentCode,
    officialKey: unit.officialKey,
    aliases: [...unit.aliases],
    attributes: { ...unit.attributes },
    geometry: unit.geometry,
  };
}

function decideImport(state: SchemeState, command: Extract<AreaSchemeCommand, { type: 'ImportUnits' }>): AreaSchemeEvent[] {
  const d = command.data;
  requireDay(d.validFrom, 'Gültig ab');
  requireReason(d.reason);
  if (d.units.length === 0) throw new AreaRuleViolation('invalid-input', `Die Datei ${d.source.fileName ?? ''} enthält keine Gebietseinheiten.`.replace('  ', ' '));
  requireAfterLastVersion(state, d.validFrom);

  const errors = checkRecordShape(d.units);
  const byCode = new Map<string, ImportedUnit>();
  const duplicates: AreaErrorEntry[] = [];
  for (const unit of d.units) {
    const first = byCode.get(unit.code);
    if (first) duplicates.push({ where: where(unit), detail: `der Code "${unit.code}" kommt schon in ${where(first)} vor (${first.name})` });
    else byCode.set(unit.code, unit);
  }
  if (errors.some((e) => e.code === 'cycle')) throw new AreaRuleViolation('cycle', 'Die Gliederung enthält einen Zyklus.', errors);
  if (errors.length > 0) throw new AreaRuleViolation('invalid-input', `Die Datei ${d.source.fileName ?? ''} enthält ungültige Einheiten.`.replace('  ', ' '), errors);
  if (duplicates.length > 0) {
    // Report the hierarchy's problems with the duplicates: one round of corrections, not two.
    const { missing, cycles } = hierarchyProblems(state, d.validFrom, d.units, new Set());
    throw new AreaRuleViolation('duplicate-code', 'Die Datei enthält doppelte Codes.', [...duplicates, ...cycles, ...missing]);
  }

  const created: UnitRecord[] = [];
  const updated: UnitRecord[] = [];
  let unchanged = 0;
  const changes: ChangeRecord[] = [];
  const renamed: string[] = [];
  const moved: string[] = [];
  const reshaped: string[] = [];
  const touched: string[] = [];
  const reused: AreaErrorEntry[] = [];
  for (const unit of d.units) {
    const existing = state.units.get(unit.code);
    const record = plainRecord(unit);
    if (!existing) {
      created.push(record);
      continue;
    }
    if (existing.validTo !== null && existing.validTo < d.validFrom) {
      reused.push({ where: where(unit), detail: `der Code "${unit.code}" war bis ${existing.validTo} vergeben (${existing.name}); Codes werden nicht wiederverwendet` });
      continue;
    }
    if (existing.validFrom > d.validFrom) {
      reused.push({ where: where(unit), detail: `die Einheit "${unit.code}" gilt erst ab ${existing.validFrom}, der Import ab ${d.validFrom}` });
      continue;
    }
    // Aliases only grow through an import: a mapping table attached earlier must survive a re-import.
    const merged = { ...record, aliases: [...new Set([...existing.aliases, ...record.aliases])] };
    if (sameRecord(existing, merged)) {
      unchanged += 1;
      continue;
    }
    updated.push(merged);
    if (existing.name !== merged.name) renamed.push(unit.code);
    else if (existing.parentCode !== merged.parentCode) moved.push(unit.code);
    else if (!sameGeometry(existing.geometry, merged.geometry) && existing.geometry !== null) reshaped.push(unit.code);
    else touched.push(unit.code);
  }
  if (reused.length > 0) throw new AreaRuleViolation('validity-overlap', 'Die Datei überschneidet sich mit der Gültigkeit bestehender Einheiten.', reused);

  const retired: string[] = [];
  if (d.mode === 'replace') {
    const types = new Set(d.replaceTypes ?? d.units.map((u) => u.unitType));
    for (const unit of unitsValidOn(state, d.validFrom)) {
      if (types.has(unit.unitType) && !byCode.has(unit.code)) retired.push(unit.code);
    }
  }
  requireSoundHierarchy(state, d.validFrom, d.units, new Set(retired));

  // The same units again (a re-import of an unchanged file) change nothing and leave no event.
  if (created.length === 0 && updated.length === 0 && retired.length === 0) return [];

  const day = d.validFrom;
  if (created.length > 0) changes.push({ kind: 'created', codes: created.map((u) => u.code), validFrom: day, reason: d.reason });
  if (renamed.length > 0) changes.push({ kind: 'renamed', codes: renamed, validFrom: day, reason: d.reason });
  if (moved.length > 0) changes.push({ kind: 'reparented', codes: moved, validFrom: day, reason: d.reason });
  if (reshaped.length > 0) changes.push({ kind: 'boundary-changed', codes: reshaped, validFrom: day, reason: d.reason });
  if (touched.length > 0) changes.push({ kind: 'updated', codes: touched, validFrom: day, reason: d.reason });
  if (retired.length > 0) changes.push({ kind: 'retired', codes: retired, validFrom: day, reason: d.reason });

  return [
    {
      type: 'UnitsImported',
      data: { importId: d.importId, source: d.source, importedAt: command.metadata.now, validFrom: day, reason: d.reason, created, updated, retired, unchanged, changes },
    },
  ];
}

function decideCrosswalk(state: SchemeState, command: Extract<AreaSchemeCommand, { type: 'DefineCrosswalk' }>): AreaSchemeEvent[] {
  const last = currentVersion(state);
  if (!last) throw new AreaRuleViolation('crosswalk-invalid', 'Eine Umschlüsselung verbindet zwei Versionen; es gibt noch keine veröffentlichte Version, von der sie ausgehen könnte.');
  const d = command.data;
  if (typeof d.method !== 'string' || d.method.trim() === '') throw new AreaRuleViolation('invalid-input', 'Die Umschlüsselung braucht eine Methodenbeschreibung (method).');
  const oldCodes = new Set(last.units.map((u) => u.code));
  const draftDay = [...state.pendingChanges.map((c) => c.validFrom)].sort().pop() ?? null;
  const newCodes = new Set(draftDay ? unitsValidOn(state, draftDay).map((u) => u.code) : [...state.units.values()].filter((u) => u.validTo === null).map((u) => u.code));
  const errors: AreaErrorEntry[] = [];
  const sums = new Map<string, number>();
  for (const w of d.weights) {
    if (!oldCodes.has(w.fromCode)) errors.push({ where: `${w.fromCode} → ${w.toCode}`, detail: `"${w.fromCode}" ist keine Einheit der Version ${last.version}` });
    if (!newCodes.has(w.toCode)) errors.push({ where: `${w.fromCode} → ${w.toCode}`, detail: `"${w.toCode}" ist keine Einheit des Entwurfs` });
    if (!(typeof w.weight === 'number' && Number.isFinite(w.weight) && w.weight > 0 && w.weight <= 1)) {
      errors.push({ where: `${w.fromCode} → ${w.toCode}`, detail: `das Gewicht ${String(w.weight)} liegt nicht zwischen 0 (ausschließlich) und 1` });
    }
    sums.set(w.fromCode, (sums.get(w.fromCode) ?? 0) + w.weight);
  }
  for (const [code, sum] of sums) {
    if (Math.abs(sum - 1) > 1e-6) errors.push({ where: code, detail: `die Gewichte von ${code} ergeben ${sum.toFixed(4)} statt 1` });
  }
  for (const b of d.seriesBreaks) {
    if (!oldCodes.has(b.code)) errors.push({ where: b.code, detail: `Bruch der Zeitreihe für "${b.code}", das keine Einheit der Version ${last.version} ist` });
    if (sums.has(b.code)) errors.push({ where: b.code, detail: `"${b.code}" hat Gewichte und ist zugleich als Bruch der Zeitreihe markiert` });
  }
  if (errors.length > 0) throw new AreaRuleViolation('crosswalk-invalid', 'Die Umschlüsselung ist fehlerhaft.', errors);
  const definition: CrosswalkDefinition = { fromVersion: last.version, weights: d.weights.map((w) => ({ ...w })), seriesBreaks: d.seriesBreaks.map((b) => ({ ...b })), method: d.method };
  return [{ type: 'CrosswalkDefined', data: definition }];
}

function decidePublish(state: SchemeState, command: Extract<AreaSchemeCommand, { type: 'PublishVersion' }>): AreaSchemeEvent[] {
  const d = command.data;
  requireDay(d.validFrom, 'Gültig ab');
  requireReason(d.reason);
  const last = currentVersion(state);
  if (last && d.validFrom <= last.validFrom) {
    throw new AreaRuleViolation(
      'validity-overlap',
      `Version ${last.version} gilt ab ${last.validFrom}; eine neue Version muss später beginnen (angegeben: ${d.validFrom}).`,
    );
  }
  if (last && state.pendingChanges.length === 0 && state.pendingCrosswalk === null) {
    throw new AreaRuleViolation('nothing-to-publish', `Seit Version ${last.version} hat sich an der Gebietsgliederung "${state.schemeId}" nichts geändert.`);
  }
  const late = state.pendingChanges.filter((c) => c.validFrom > d.validFrom);
  if (late.length > 0) {
    throw new AreaRuleViolation(
      'validity-overlap',
      `Änderungen gelten erst nach dem Beginn der neuen Version (${d.validFrom}).`,
      late.map((c) => ({ where: c.codes.slice(0, 5).join(', '), detail: `${c.kind} ab ${c.validFrom}: ${c.reason}` })),
    );
  }
  const units = unitsValidOn(state, d.validFrom);
  if (units.length === 0) throw new AreaRuleViolation('nothing-to-publish', `Am ${d.validFrom} gilt keine Einheit der Gebietsgliederung "${state.schemeId}".`);
  const { missing, cycles } = checkHierarchy(new Map(units.map((u) => [u.code, u])), (code) => `Einheit ${code}`);
  if (cycles.length > 0) throw new AreaRuleViolation('cycle', 'Die Gliederung enthält einen Zyklus.', cycles);
  if (missing.length > 0) throw new AreaRuleViolation('parent-missing', `Übergeordnete Gebiete gelten am ${d.validFrom} nicht.`, missing);

  const version = (last?.version ?? 0) + 1;
  const crosswalk = composeCrosswalk(state, units);
  return [
    {
      type: 'SchemeVersionPublished',
      data: { version, validFrom: d.validFrom, reason: d.reason, previousVersion: last?.version ?? null, publishedAt: command.metadata.now, unitCount: units.length, crosswalk },
    },
    ...buildPublication(state, { version, validFrom: d.validFrom, reason: d.reason, units, crosswalk }),
  ];
}

export function decide(command: AreaSchemeCommand, state: SchemeState): AreaSchemeEvent[] {
  switch (command.type) {
    case 'CreateScheme': {
      const d = command.data;
      if (state.exists) throw new AreaRuleViolation('scheme-exists', `Die Gebietsgliederung "${d.schemeId}" gibt es schon (${state.name}).`);
      if (!SCHEME_ID.test(d.schemeId)) {
        throw new AreaRuleViolation('invalid-input', `Ungültige Kennung "${d.schemeId}": erlaubt sind Kleinbuchstaben, Ziffern und Bindestriche (2 bis 63 Zeichen), z. B. berlin-lor-planungsraeume.`);
      }
      if (d.name.trim() === '') throw new AreaRuleViolation('invalid-input', 'Die Gebietsgliederung braucht einen Namen.');
      if (d.tenant !== null && !/^(\d{5}|\d{8})$/.test(d.tenant)) {
        throw new AreaRuleViolation('invalid-input', `Der Mandant "${d.tenant}" ist kein AGS (5 oder 8 Ziffern).`);
      }
      return [
        {
          type: 'SchemeCreated',
          data: { schemeId: d.schemeId, name: d.name.trim(), tenant: d.tenant, description: d.description, nameMatching: d.nameMatching ?? { stripPrefixes: [] }, createdAt: command.metadata.now },
        },
      ];
    }
    case 'ImportUnits':
      requireScheme(state);
      return decideImport(state, command);
    case 'CreateUnit': {
      const d = command.data;
      requireDatedChange(state, d);
      const shape = checkRecordShape([d.unit]);
      if (shape.length > 0) throw new AreaRuleViolation(shape.some((e) => e.code === 'cycle') ? 'cycle' : 'invalid-input', 'Die Einheit ist ungültig.', shape);
      requireNewCodes(state, [d.unit]);
      requireSoundHierarchy(state, d.validFrom, [d.unit]);
      return [{ type: 'UnitCreated', data: { unit: plainRecord(d.unit), validFrom: d.validFrom, reason: d.reason } }];
    }
    case 'RenameUnit': {
      const d = command.data;
      requireDatedChange(state, d);
      const unit = requireValidUnit(state, d.code, d.validFrom);
      if (d.name.trim() === '' || d.name.trim() === unit.name) throw new AreaRuleViolation('invalid-input', `Der neue Name von ${d.code} fehlt oder ist der bisherige ("${unit.name}").`);
      return [{ type: 'UnitRenamed', data: { code: d.code, name: d.name.trim(), previousName: unit.name, validFrom: d.validFrom, reason: d.reason } }];
    }
    case 'SplitUnit': {
      const d = command.data;
      requireDatedChange(state, d);
      requireValidUnit(state, d.code, d.validFrom);
      if (d.into.length < 2) throw new AreaRuleViolation('invalid-input', `Eine Teilung von ${d.code} braucht mindestens zwei neue Einheiten.`);
      const shape = checkRecordShape(d.into);
      if (shape.length > 0) throw new AreaRuleViolation('invalid-input', 'Die neuen Einheiten sind ungültig.', shape);
      requireNewCodes(state, d.into);
      if (d.weights) {
        const targets = new Set(d.into.map((u) => u.code));
        const bad = d.weights.filter((w) => w.fromCode !== d.code || !targets.has(w.toCode) || !(w.weight > 0 && w.weight <= 1));
        const sum = d.weights.reduce((s, w) => s + w.weight, 0);
        if (bad.length > 0 || Math.abs(sum - 1) > 1e-6) {
          throw new AreaRuleViolation('crosswalk-invalid', `Die Gewichte der Teilung von ${d.code} müssen von ${d.code} auf die neuen Einheiten führen und zusammen 1 ergeben (Summe ${sum.toFixed(4)}).`);
        }
      }
      requireSoundHierarchy(state, d.validFrom, d.into, new Set([d.code]));
      return [{ type: 'UnitSplit', data: { code: d.code, into: d.into.map(plainRecord), weights: d.weights ? d.weights.map((w) => ({ ...w })) : null, validFrom: d.validFrom, reason: d.reason } }];
    }
    case 'MergeUnits': {
      const d = command.data;
      requireDatedChange(state, d);
      if (new Set(d.codes).size < 2) throw new AreaRuleViolation('invalid-input', 'Eine Zusammenlegung braucht mindestens zwei verschiedene Einheiten.');
      for (const code of d.codes) requireValidUnit(state, code, d.validFrom);
      const shape = checkRecordShape([d.into]);
      if (shape.length > 0) throw new AreaRuleViolation('invalid-input', 'Die neue Einheit ist ungültig.', shape);
      requireNewCodes(state, [d.into]);
      requireSoundHierarchy(state, d.validFrom, [d.into], new Set(d.codes));
      return [{ type: 'UnitsMerged', data: { codes: [...d.codes], into: plainRecord(d.into), validFrom: d.validFrom, reason: d.reason } }];
    }
    case 'RetireUnit': {
      const d = command.data;
      requireDatedChange(state, d);
      requireValidUnit(state, d.code, d.validFrom);
      requireSoundHierarchy(state, d.validFrom, [], new Set([d.code]));
      return [{ type: 'UnitRetired', data: { code: d.code, validFrom: d.validFrom, reason: d.reason } }];
    }
    case 'ChangeBoundary': {
      const d = command.data;
      requireDatedChange(state, d);
      requireValidUnit(state, d.code, d.validFrom);
      return [{ type: 'UnitBoundaryChanged', data: { code: d.code, geometry: d.geometry, validFrom: d.validFrom, reason: d.reason } }];
    }
    case 'AssignDesignation': {
      requireScheme(state);
      const d = command.data;
      requireDay(d.validFrom, 'Gültig ab');
      if (d.validTo !== null) requireDay(d.validTo, 'Gültig bis');
      requireReason(d.reason);
      if (d.validTo !== null && d.validTo < d.validFrom) throw new AreaRuleViolation('invalid-input', `"Gültig bis" (${d.validTo}) liegt vor "Gültig ab" (${d.validFrom}).`);
      if (!/^[a-z0-9][a-z0-9-]*$/.test(d.designation.code) || d.designation.name.trim() === '') {
        throw new AreaRuleViolation('invalid-input', `Die Kennzeichnung braucht einen Code aus Kleinbuchstaben, Ziffern und Bindestrichen und einen Namen (erhalten: "${d.designation.code}").`);
      }
      const unit = state.units.get(d.unitCode);
      if (!unit) throw new AreaRuleViolation('unknown-unit', `Die Einheit "${d.unitCode}" gibt es in der Gebietsgliederung "${state.schemeId}" nicht.`);
      const end = d.validTo ?? '9999-12-31';
      if (d.validFrom < unit.validFrom || (unit.validTo !== null && end > unit.validTo)) {
        throw new AreaRuleViolation(
          'validity-overlap',
          `Die Kennzeichnung (${d.validFrom} bis ${d.validTo ?? 'offen'}) reicht über die Gültigkeit der Einheit ${unit.code} hinaus (${unit.validFrom} bis ${unit.validTo ?? 'offen'}).`,
        );
      }
      const overlapping = unit.designations.find((x) => x.code === d.designation.code && x.validFrom <= end && (x.validTo ?? '9999-12-31') >= d.validFrom);
      if (overlapping) {
        throw new AreaRuleViolation(
          'validity-overlap',
          `${unit.code} (${unit.name}) ist schon von ${overlapping.validFrom} bis ${overlapping.validTo ?? 'offen'} als ${overlapping.name} gekennzeichnet; die Zeiträume überschneiden sich.`,
        );
      }
      const designation: DesignationState = { code: d.designation.code, name: d.designation.name.trim(), validFrom: d.validFrom, validTo: d.validTo, reason: d.reason };
      return [{ type: 'DesignationAssigned', data: { unitCode: d.unitCode, designation } }];
    }
    case 'AttachNameMapping': {
      requireScheme(state);
      const d = command.data;
      const errors: AreaErrorEntry[] = [];
      const seen = new Set<string>();
      d.groups.forEach((g, i) => {
        if (typeof g.name !== 'string' || g.name.trim() === '') errors.push({ where: `Eintrag ${i + 1}`, detail: 'der Name fehlt' });
        if (seen.has(g.name)) errors.push({ where: `Eintrag ${i + 1}`, detail: `der Name "${g.name}" kommt mehrfach vor` });
        seen.add(g.name);
        if (g.codes.length === 0) errors.push({ where: `Eintrag ${i + 1}`, detail: `"${g.name}" nennt keinen Code` });
        for (const code of g.codes) if (!state.units.has(code)) errors.push({ where: `Eintrag ${i + 1}`, detail: `"${g.name}" verweist auf den unbekannten Code "${code}"` });
      });
      if (errors.length > 0) throw new AreaRuleViolation('unknown-unit', 'Die Namenszuordnung verweist auf unbekannte Einheiten oder ist unvollständig.', errors);
      return [{ type: 'NameMappingAttached', data: { source: d.source, groups: d.groups.map((g) => ({ name: g.name.trim(), codes: [...g.codes], note: g.note ?? null })) } }];
    }
    case 'DefineCrosswalk':
      requireScheme(state);
      return decideCrosswalk(state, command);
    case 'PublishVersion':
      requireScheme(state);
      return decidePublish(state, command);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
