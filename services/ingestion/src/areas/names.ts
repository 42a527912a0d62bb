/**
 * Matching delivered area names to units. Deliveries name areas the way the people who typed the
 * spreadsheet wrote them: `Westliche_Höhe`, `Barmbek-Süd` with a soft hyphen, `St.Georg`,
 * `Hamburg-Altstadt` vs `Altstadt`, `Groß Borstel` vs `Gross Borstel`. Both sides go through the
 * same normalisation; what still does not match is reported with suggestions, never dropped.
 * Pure.
 */
import type { AreaUnitView, SchemeVersionView } from './register';

export interface NormalizeOptions {
  /** Prefixes ignored when comparing, e.g. `Hamburg-`; applied after normalisation. */
  stripPrefixes?: readonly string[];
}

const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/g;
const DASHES = /[\u2010-\u2015\u2212]/g;
const UMLAUTS: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };

/**
 * The comparison form of an area name: NFC, soft hyphens and zero-width characters removed,
 * hyphenated line breaks joined, lower case, ß -> ss, umlauts -> ae/oe/ue, other diacritics
 * dropped, dashes unified, spaces around hyphens removed, `_` and `.` as spaces, whitespace
 * collapsed, and configured prefixes stripped.
 */
export function normalizeAreaName(name: string, options: NormalizeOptions = {}): string {
  let s = String(name).normalize('NFC').replace(INVISIBLE, '').replace(DASHES, '-');
  s = s.replace(/-[ \t]*\r?\n\s*/g, '-');
  s = s.toLocaleLowerCase('de-DE').replace(/[äöüß]/g, (c) => UMLAUTS[c] ?? c);
  // Remaining accents (é, č, ...) compare without their marks.
  s = s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
  s = s.replace(/[_.]/g, ' ').replace(/\s+/g, ' ').trim();
  s = s.replace(/ ?- ?/g, '-');
  for (const prefix of options.stripPrefixes ?? []) {
    const p = normalizeAreaName(prefix);
    if (p !== '' && s.startsWith(p) && s.length > p.length) {
      s = s.slice(p.length).trim();
      break;
    }
  }
  return s;
}

export type NameMatch =
  | { status: 'matched'; code: string; unit: AreaUnitView; via: 'name' | 'alias' | 'mapping' }
  /** The name stands for several units together (e.g. Hamburg's merged Stadtteile). */
  | { status: 'group'; codes: string[]; name: string; note: string | null }
  | { status: 'ambiguous'; codes: string[] }
  | { status: 'unmatched'; suggestions: Array<{ code: string; name: string }> };

export interface MatchOptions {
  /** Only units of these types count (e.g. `['Stadtteil']` where a Bezirk has the same name). */
  unitTypes?: readonly string[];
}

export interface AreaNameIndex {
  match(name: string, options?: MatchOptions): NameMatch;
  /** The normalisation this index uses (with the scheme's prefixes). */
  normalize(name: string): string;
}

interface Candidate {
  unit: AreaUnitView;
  via: 'name' | 'alias' | 'mapping';
}

/** Edit distance, small strings only (suggestions for unmatched names). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/**
 * Builds the matcher for one scheme version: unit names, aliases, and the scheme's name mapping
 * table (`nameGroups`: a name for one unit, or for the sum of several).
 */
export function buildNameIndex(version: SchemeVersionView, options: NormalizeOptions = { stripPrefixes: version.nameMatching?.stripPrefixes ?? [] }): AreaNameIndex {
  const normalize = (name: string) => normalizeAreaName(name, options);
  const byName = new Map<string, Candidate[]>();
  const byCode = new Map(version.units.map((u) => [u.code, u]));
  const add = (key: string, candidate: Candidate) => {
    if (key === '') return;
    const list = byName.get(key) ?? [];
    if (!list.some((c) => c.unit.code === candidate.unit.code)) list.push(candidate);
    byName.set(key, list);
  };
  for (const unit of version.units) {
    add(normalize(unit.name), { unit, via: 'name' });
    for (const alias of unit.aliases) add(normalize(alias), { unit, via: 'alias' });
  }
  const groups = new Map<string, { name: string; codes: string[]; note: string | null }>();
  for (const group of version.nameGroups ?? []) {
    const codes = group.codes.filter((c) => byCode.has(c));
    if (codes.length === 0) continue;
    if (codes.length === 1) add(normalize(group.name), { unit: byCode.get(codes[0]!)!, via: 'mapping' });
    else groups.set(normalize(group.name), { name: group.name, codes, note: group.note ?? null });
  }

  return {
    normalize,
    match(name, matchOptions = {}) {
      const key = normalize(name);
      const types = matchOptions.unitTypes;
      const allowed = (unit: AreaUnitView | undefined) => unit !== undefined && (!types || types.includes(unit.unitType));
      const group = groups.get(key);
      if (group && group.codes.every((c) => allowed(byCode.get(c)))) return { status: 'group', codes: [...group.codes], name: group.name, note: group.note };
      const candidates = (byName.get(key) ?? []).filter((c) => allowed(c.unit));
      if (candidates.length === 1) return { status: 'matched', code: candidates[0]!.unit.code, unit: candidates[0]!.unit, via: candidates[0]!.via };
      if (candidates.length > 1) {
        // A unit's own name beats another unit's alias (a renamed unit keeps its old name as alias).
        const byOwnName = candidates.filter((c) => c.via === 'name');
        if (byOwnName.length === 1) return { status: 'matched', code: byOwnName[0]!.unit.code, unit: byOwnName[0]!.unit, via: 'name' };
        return { status: 'ambiguous', codes: candidates.map((c) => c.unit.code) };
      }
      const scored: Array<{ code: string; name: string; score: number }> = [];
      for (const unit of version.units) {
        if (!allowed(unit)) continue;
        const unitKey = normalize(unit.name);
        const d = distance(key, unitKey);
        const contains = key.length >= 4 && (unitKey.includes(key) || key.includes(unitKey));
        if (d <= Math.max(2, Math.floor(key.length / 5)) || contains) scored.push({ code: unit.code, name: unit.name, score: contains ? Math.min(d, 1) : d });
      }
      scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name, 'de'));
      return { status: 'unmatched', suggestions: scored.slice(0, 3).map(({ code, name: n }) => ({ code, name: n })) };
    },
  };
}
