/**
 * The Gemeindeverzeichnis as lookups: Länder, Regierungsbezirke, Kreise, Gemeindeverbände and
 * Gemeinden by their official keys, with population and area (Kreis, Land: sums of their
 * Gemeinden, since GV100AD carries figures only on Gemeinde records). The basis for tenants and
 * Kreis federations: "Kreis 01054 and its Gemeinden", "Gemeinde by AGS".
 *
 * It is the current version of the shared reference scheme `gemeindeverzeichnis`, loaded from
 * GV100AD (sources/gv100ad.ts), projected into `areas.gemeindeverzeichnis` keyed by the key.
 */
import type { DocumentStore, DocumentWrite } from '@lagebild/platform';
import type { AttributeValue, VersionState } from './model';
import { normalizeAreaName } from './names';

export const GEMEINDEVERZEICHNIS_SCHEME_ID = 'gemeindeverzeichnis';
export const GEMEINDEVERZEICHNIS_COLLECTION = 'areas.gemeindeverzeichnis';

export type GvLevel = 'Land' | 'Regierungsbezirk' | 'Region' | 'Kreis' | 'Gemeindeverband' | 'Gemeinde';

export interface GvEntry {
  /** AGS (Land 2, Regierungsbezirk 3, Kreis 5, Gemeinde 8 digits), Region 4, Gemeindeverband 9 (Kreis + Verband). */
  key: string;
  level: GvLevel;
  name: string;
  parentKey: string | null;
  landKey: string;
  kreisKey: string | null;
  verbandKey: string | null;
  /** Kind by Textkennzeichen: Landkreis, Kreisfreie Stadt, Amt, Stadt, Gemeindefreies Gebiet, ... */
  kennzeichen: string | null;
  /** Sitz der Verwaltung (Land, Regierungsbezirk, Kreis, Gemeindeverband). */
  sitz: string | null;
  /** 12-digit Amtlicher Regionalschlüssel of a Gemeinde. */
  ars: string | null;
  einwohner: number | null;
  einwohnerMaennlich: number | null;
  einwohnerWeiblich: number | null;
  flaecheKm2: number | null;
  plz: string | null;
  plzEindeutig: boolean | null;
  /** Gemeinde records below (1 for a Gemeinde; 0 for a Region, which GV100AD does not link). */
  gemeinden: number;
  /** Gebietsstand of the loaded GV100AD (the version's validFrom). */
  gebietsstand: string;
  version: number;
}

function num(value: AttributeValue | undefined): number | null {
  return typeof value === 'number' ? value : null;
}

function str(value: AttributeValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Documents of the lookup collection for a version; stale keys of an older load are deleted. */
export async function gemeindeverzeichnisWrites(documents: DocumentStore, version: VersionState): Promise<DocumentWrite[]> {
  const byKey = new Map(version.units.map((u) => [u.code, u]));
  const sums = new Map<string, { total: number; male: number; ha: number; gemeinden: number; complete: boolean }>();
  const chainOf = (code: string): string[] => {
    const chain: string[] = [];
    let current = byKey.get(code)?.parentCode ?? null;
    while (current !== null && !chain.includes(current)) {
      chain.push(current);
      current = byKey.get(current)?.parentCode ?? null;
    }
    return chain;
  };
  for (const unit of version.units) {
    if (unit.unitType !== 'Gemeinde') continue;
    const total = num(unit.attributes.einwohner);
    const male = num(unit.attributes.einwohnerMaennlich);
    const ha = num(unit.attributes.flaecheHa);
    for (const key of [unit.code, ...chainOf(unit.code)]) {
      const s = sums.get(key) ?? { total: 0, male: 0, ha: 0, gemeinden: 0, complete: true };
      s.total += total ?? 0;
      s.male += male ?? 0;
      // Hectares are integers: summing them and dividing once keeps km² free of float drift.
      s.ha += ha ?? 0;
      s.gemeinden += 1;
      if (total === null || male === null || ha === null) s.complete = false;
      sums.set(key, s);
    }
  }
  const writes: DocumentWrite[] = [];
  for (const unit of version.units) {
    const s = sums.get(unit.code);
    const level = unit.unitType as GvLevel;
    const entry: GvEntry = {
      key: unit.code,
      level,
      name: unit.name,
      parentKey: unit.parentCode,
      landKey: unit.code.slice(0, 2),
      kreisKey: unit.code.length >= 5 && level !== 'Region' && byKey.get(unit.code.slice(0, 5))?.unitType === 'Kreis' ? unit.code.slice(0, 5) : null,
      verbandKey: level === 'Gemeindeverband' ? unit.code : level === 'Gemeinde' ? unit.parentCode : null,
      kennzeichen: str(unit.attributes.kennzeichen),
      sitz: str(unit.attributes.sitz),
      ars: str(unit.attributes.ars),
      einwohner: s?.complete ? s.total : null,
      einwohnerMaennlich: s?.complete ? s.male : null,
      einwohnerWeiblich: s?.complete ? s.total - s.male : null,
      flaecheKm2: s?.complete ? s.ha / 100 : null,
      plz: str(unit.attributes.plz),
      plzEindeutig: typeof unit.attributes.plzEindeutig === 'boolean' ? unit.attributes.plzEindeutig : null,
      gemeinden: s?.gemeinden ?? 0,
      gebietsstand: version.validFrom,
      version: version.version,
    };
    writes.push({ collection: GEMEINDEVERZEICHNIS_COLLECTION, key: unit.code, doc: entry });
  }
  for (const { key } of await documents.scan(GEMEINDEVERZEICHNIS_COLLECTION)) {
    if (!byKey.has(key)) writes.push({ collection: GEMEINDEVERZEICHNIS_COLLECTION, key, doc: null });
  }
  return writes;
}

export interface KreisWithMembers {
  kreis: GvEntry;
  gemeindeverbaende: GvEntry[];
  gemeinden: GvEntry[];
}

/** Lookups of the Gemeindeverzeichnis; what issue 9's tenancy builds on. */
export interface Gemeindeverzeichnis {
  find(key: string): Promise<GvEntry | undefined>;
  findGemeinde(ags: string): Promise<GvEntry | undefined>;
  /** A Kreis (or kreisfreie Stadt) with its Gemeindeverbände and Gemeinden. */
  findKreis(ags: string): Promise<KreisWithMembers | undefined>;
  findGemeindeverband(key: string): Promise<{ gemeindeverband: GvEntry; gemeinden: GvEntry[] } | undefined>;
  findLand(key: string): Promise<{ land: GvEntry; kreise: GvEntry[] } | undefined>;
  listKreise(landKey?: string): Promise<GvEntry[]>;
  /** 8-digit AGS of the Gemeinden of a Kreis: the member tenants of a Kreis federation. */
  memberGemeinden(kreisAgs: string): Promise<string[]>;
  /** Gemeinden whose name contains the text (normalised: case, umlauts, ß). */
  searchGemeinden(text: string, limit?: number): Promise<GvEntry[]>;
}

const byKey = (a: GvEntry, b: GvEntry) => a.key.localeCompare(b.key);

export function createGemeindeverzeichnis(documents: DocumentStore): Gemeindeverzeichnis {
  const find = (key: string) => documents.get<GvEntry>(GEMEINDEVERZEICHNIS_COLLECTION, key);
  const below = async (prefix: string) => (await documents.scan<GvEntry>(GEMEINDEVERZEICHNIS_COLLECTION, { prefix })).map((r) => r.doc);
  return {
    find,
    async findGemeinde(ags) {
      const entry = /^\d{8}$/.test(ags) ? await find(ags) : undefined;
      return entry?.level === 'Gemeinde' ? entry : undefined;
    },
    async findKreis(ags) {
      const kreis = /^\d{5}$/.test(ags) ? await find(ags) : undefined;
      if (kreis?.level !== 'Kreis') return undefined;
      const members = await below(ags);
      return {
        kreis,
        gemeindeverbaende: members.filter((m) => m.level === 'Gemeindeverband').sort(byKey),
        gemeinden: members.filter((m) => m.level === 'Gemeinde').sort(byKey),
      };
    },
    async findGemeindeverband(key) {
      const gemeindeverband = /^\d{9}$/.test(key) ? await find(key) : undefined;
      if (gemeindeverband?.level !== 'Gemeindeverband') return undefined;
      const gemeinden = (await below(key.slice(0, 5))).filter((m) => m.level === 'Gemeinde' && m.verbandKey === key).sort(byKey);
      return { gemeindeverband, gemeinden };
    },
    async findLand(key) {
      const land = /^\d{2}$/.test(key) ? await find(key) : undefined;
      if (land?.level !== 'Land') return undefined;
      return { land, kreise: (await below(key)).filter((m) => m.level === 'Kreis').sort(byKey) };
    },
    async listKreise(landKey) {
      return (await below(landKey ?? '')).filter((m) => m.level === 'Kreis').sort(byKey);
    },
    async memberGemeinden(kreisAgs) {
      if (!/^\d{5}$/.test(kreisAgs)) return [];
      return (await below(kreisAgs)).filter((m) => m.level === 'Gemeinde').map((m) => m.key).sort();
    },
    async searchGemeinden(text, limit = 20) {
      const needle = normalizeAreaName(text);
      if (needle === '') return [];
      const hits = (await below('')).filter((m) => m.level === 'Gemeinde' && normalizeAreaName(m.name).includes(needle));
      // Exact and prefix matches first, then by size: "Flensburg" should find the city first.
      const rank = (m: GvEntry) => {
        const n = normalizeAreaName(m.name);
        return n === needle || n.startsWith(`${needle},`) ? 0 : n.startsWith(needle) ? 1 : 2;
      };
      return hits.sort((a, b) => rank(a) - rank(b) || (b.einwohner ?? 0) - (a.einwohner ?? 0)).slice(0, limit);
    },
  };
}
