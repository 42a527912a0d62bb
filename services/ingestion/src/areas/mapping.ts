/**
 * From source features to units: which field holds the code, the name, the type, the parent;
 * explicit corrections of known errors in a source; parents created from attribute columns
 * (Hamburg's Stadtteile name their Bezirk). Pure.
 */
import { AreaRuleViolation, type AreaErrorEntry, type ImportedUnit } from './decide';
import type { AttributeValue } from './model';
import type { SourceFeature } from './sources/types';

/**
 * A fix of a known error in a source file, applied only when the feature still looks as
 * expected (so a corrected upstream file makes the correction fail loudly, not misfire).
 */
export interface FeatureCorrection {
  featureIndex: number;
  /** Property values the feature must have for the correction to apply. */
  expect: Record<string, string>;
  /** Property values to set. */
  set: Record<string, string>;
  reason: string;
}

export interface ImportMapping {
  codeField?: string;
  nameField?: string;
  /** Field with the unit type; or `unitType` for all units. */
  typeField?: string;
  unitType?: string;
  parentField?: string;
  /** Parent code = the first N characters of the unit's code (e.g. 2 for Berlin's Bezirk in a LOR id). */
  parentCodePrefix?: number;
  /** With parentField: field holding the parent's name, so missing parents are created (type parentType). */
  parentNameField?: string;
  parentType?: string;
  officialKeyField?: string;
  aliasFields?: string[];
  /** Fields copied into the unit's attributes (e.g. an area in m²). */
  attributeFields?: string[];
  /** `leading-number`: the code is the leading number of the code field, without leading zeros (`03 Nordstadt` -> `3`). */
  codeTransform?: 'none' | 'leading-number';
  /** `strip-leading-number`: `03 Nordstadt` -> `Nordstadt` (the original stays an alias). */
  nameTransform?: 'none' | 'strip-leading-number';
  corrections?: FeatureCorrection[];
}

const DEFAULT_FIELDS = {
  code: ['code', 'schluessel', 'schlüssel', 'kennziffer', 'id', 'ags', 'area_id', 'plr_id', 'key'],
  name: ['name', 'bezeichnung', 'area_name', 'plr_name', 'gebiet', 'gebietsname'],
  type: ['type', 'typ', 'gebietstyp', 'unit_type', 'ebene'],
  parent: ['parent', 'parent_code', 'parentcode', 'übergeordnet', 'uebergeordnet', 'parent_id'],
  aliases: ['aliases', 'alias', 'aliase'],
} as const;

export interface MappedUnits {
  units: ImportedUnit[];
  /** Types of the imported units themselves (not of created parents): what replace mode replaces. */
  unitTypes: string[];
  notes: string[];
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = typeof value === 'number' ? String(value) : String(value).trim();
  return s === '' ? null : s;
}

function findField(properties: readonly string[], explicit: string | undefined, defaults: readonly string[]): string | undefined {
  if (explicit !== undefined) return explicit;
  const lower = new Map(properties.map((p) => [p.toLowerCase(), p]));
  for (const candidate of defaults) {
    const hit = lower.get(candidate);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function attributeValue(value: unknown): AttributeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

function where(feature: SourceFeature): string {
  return feature.line !== undefined ? `Zeile ${feature.line}` : `Feature ${feature.index}`;
}

/**
 * Maps features to units. `existingCodes` are the scheme's current units, so a parent named in
 * the file is only created when the scheme does not have it yet.
 */
export function mapFeatures(features: readonly SourceFeature[], mapping: ImportMapping, existingCodes: ReadonlySet<string> = new Set()): MappedUnits {
  const notes: string[] = [];
  const errors: AreaErrorEntry[] = [];
  const working = features.map((f) => ({ ...f, properties: { ...f.properties } }));

  for (const correction of mapping.corrections ?? []) {
    const feature = working.find((f) => f.index === correction.featureIndex);
    const mismatch = feature ? Object.entries(correction.expect).filter(([k, v]) => text(feature.properties[k]) !== v) : [];
    if (!feature || mismatch.length > 0) {
      errors.push({
        where: `Feature ${correction.featureIndex}`,
        detail: `die Korrektur "${correction.reason}" passt nicht mehr zur Datei (erwartet ${JSON.stringify(correction.expect)}${feature ? `, gefunden ${JSON.stringify(Object.fromEntries(mismatch.map(([k]) => [k, feature.properties[k]])))}` : ', Feature fehlt'})`,
      });
      continue;
    }
    Object.assign(feature.properties, correction.set);
    notes.push(`Feature ${correction.featureIndex}: ${Object.entries(correction.expect).map(([k, v]) => `${k} ${v}`).join(', ')} → ${Object.entries(correction.set).map(([k, v]) => `${k} ${v}`).join(', ')} (${correction.reason}).`);
  }

  const propertyNames = [...new Set(working.flatMap((f) => Object.keys(f.properties)))];
  const codeField = findField(propertyNames, mapping.codeField, DEFAULT_FIELDS.code);
  const nameField = findField(propertyNames, mapping.nameField, DEFAULT_FIELDS.name);
  const typeField = mapping.unitType === undefined ? findField(propertyNames, mapping.typeField, DEFAULT_FIELDS.type) : mapping.typeField;
  const parentField = mapping.parentCodePrefix === undefined ? findField(propertyNames, mapping.parentField, DEFAULT_FIELDS.parent) : undefined;
  const aliasFields = mapping.aliasFields ?? (findField(propertyNames, undefined, DEFAULT_FIELDS.aliases) ? [findField(propertyNames, undefined, DEFAULT_FIELDS.aliases)!] : []);
  const missing: string[] = [];
  const known = `vorhandene Felder: ${propertyNames.join(', ') || 'keine'}`;
  if (!codeField || !propertyNames.includes(codeField)) missing.push(`kein Feld für den Code${mapping.codeField ? ` ("${mapping.codeField}" fehlt)` : ''} (Option --code-field; ${known})`);
  if (!nameField || !propertyNames.includes(nameField)) missing.push(`kein Feld für den Namen${mapping.nameField ? ` ("${mapping.nameField}" fehlt)` : ''} (Option --name-field; ${known})`);
  if (mapping.unitType === undefined && (!typeField || !propertyNames.includes(typeField))) missing.push(`kein Gebietstyp (Option --type, z. B. Stadtteil, oder ein Feld "type"; ${known})`);
  if (mapping.parentField !== undefined && !propertyNames.includes(mapping.parentField)) missing.push(`das Feld "${mapping.parentField}" für das übergeordnete Gebiet fehlt (${known})`);
  if (mapping.parentNameField !== undefined && !propertyNames.includes(mapping.parentNameField)) missing.push(`das Feld "${mapping.parentNameField}" für den Namen des übergeordneten Gebiets fehlt (${known})`);
  if (mapping.parentNameField !== undefined && mapping.parentType === undefined) missing.push('zum Anlegen übergeordneter Gebiete fehlt deren Gebietstyp (Option --parent-type)');
  if (missing.length > 0) throw new AreaRuleViolation('invalid-input', 'Die Zuordnung der Felder ist unvollständig.', missing.map((detail) => ({ detail })));

  const units: ImportedUnit[] = [];
  const parents = new Map<string, ImportedUnit>();
  for (const feature of working) {
    const p = feature.properties;
    const rawCode = text(p[codeField!]);
    const rawName = text(p[nameField!]);
    let code = rawCode;
    if (rawCode !== null && mapping.codeTransform === 'leading-number') {
      const match = /^\s*0*(\d+)/.exec(rawCode);
      code = match ? match[1]! : null;
      if (!match) errors.push({ where: where(feature), detail: `"${rawCode}" beginnt nicht mit einer Nummer (Code aus der führenden Nummer erwartet)` });
    }
    let name = rawName;
    const aliases = new Set<string>();
    if (rawName !== null && mapping.nameTransform === 'strip-leading-number') {
      const stripped = rawName.replace(/^\s*\d+[\s.:-]*/, '').trim();
      if (stripped !== '' && stripped !== rawName) {
        name = stripped;
        aliases.add(rawName);
      }
    }
    for (const field of aliasFields) {
      const value = text(p[field]);
      if (value === null) continue;
      for (const alias of value.split('|').map((a) => a.trim())) if (alias !== '' && alias !== name) aliases.add(alias);
    }
    const unitType = mapping.unitType ?? text(p[typeField!]);
    if (code === null) errors.push({ where: where(feature), detail: `der Code fehlt (Feld "${codeField}")` });
    if (name === null) errors.push({ where: where(feature), detail: `der Name fehlt (Feld "${nameField}")` });
    if (unitType === null) errors.push({ where: where(feature), detail: `der Gebietstyp fehlt (Feld "${typeField}")` });
    if (code === null || name === null || unitType === null) continue;
    let parentCode: string | null = null;
    if (mapping.parentCodePrefix !== undefined) {
      parentCode = code.length > mapping.parentCodePrefix ? code.slice(0, mapping.parentCodePrefix) : null;
    } else if (parentField) {
      parentCode = text(p[parentField]);
    }
    if (parentCode !== null && mapping.parentNameField && !existingCodes.has(parentCode) && !parents.has(parentCode)) {
      const parentName = text(p[mapping.parentNameField]);
      if (parentName === null) errors.push({ where: where(feature), detail: `der Name des übergeordneten Gebiets ${parentCode} fehlt (Feld "${mapping.parentNameField}")` });
      else parents.set(parentCode, { code: parentCode, name: parentName, unitType: mapping.parentType!, parentCode: null, officialKey: null, aliases: [], attributes: {}, geometry: null, origin: { featureIndex: feature.index } });
    }
    const officialKey = mapping.officialKeyField ? text(p[mapping.officialKeyField]) : null;
    const attributes: Record<string, AttributeValue> = {};
    for (const field of mapping.attributeFields ?? []) attributes[field] = attributeValue(p[field]);
    units.push({
      code,
      name,
      unitType,
      parentCode,
      officialKey,
      aliases: [...aliases],
      attributes,
      geometry: feature.geometry,
      origin: feature.line !== undefined ? { line: feature.line } : { featureIndex: feature.index },
    });
  }
  if (errors.length > 0) throw new AreaRuleViolation('invalid-input', `${errors.length} Einheiten der Datei sind unvollständig.`, errors);
  // Parents named in the file but also present as features are features, not created parents.
  const featureCodes = new Set(units.map((u) => u.code));
  const created = [...parents.values()].filter((p) => !featureCodes.has(p.code));
  if (created.length > 0) notes.push(`${created.length} übergeordnete Gebiete (${mapping.parentType}) aus den Feldern ${mapping.parentField}/${mapping.parentNameField} angelegt.`);
  return { units: [...created, ...units], unitTypes: [...new Set(units.map((u) => u.unitType))], notes };
}
