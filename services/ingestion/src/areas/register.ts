/**
 * What the rest of the ingestion service (deliveries: area validation, name matching, tenancy)
 * needs to know about the spatial register, as a narrow read port. The areas feature
 * implements it from its projections.
 */

/** A designation (Aktionsraum, Gebiet mit besonderem Handlungsbedarf, ...) with its validity. */
export interface DesignationView {
  code: string;
  name: string;
  validFrom: string;
  validTo: string | null;
}

export interface AreaUnitView {
  /** Code within the scheme (LOR id, Stadtteil number, AGS, ...). */
  code: string;
  name: string;
  /** Land, Kreis, Gemeindeverband, Gemeinde, Stadtbezirk, Stadtteil, Planungsraum, Sozialraum, ... */
  unitType: string;
  parentCode: string | null;
  /** Official key where one exists (AGS / Regionalschlüssel). */
  officialKey: string | null;
  /** ISO dates; validTo null = still valid. */
  validFrom: string;
  validTo: string | null;
  designations: readonly DesignationView[];
  /** Alternative spellings users deliver (e.g. Hamburg's merged Stadtteil names). */
  aliases: readonly string[];
}

export interface SchemeVersionView {
  schemeId: string;
  name: string;
  /** Owning tenant (AGS); null for shared reference schemes such as the Gemeindeverzeichnis. */
  tenant: string | null;
  version: number;
  validFrom: string;
  /** Start of the next version, null for the current one. */
  validTo: string | null;
  units: readonly AreaUnitView[];
  /**
   * The scheme's name mapping table (added by the areas feature, optional so existing fakes stay
   * valid): a delivered name for one unit (an alias) or for the sum of several units (Hamburg's
   * merged Stadtteile). `buildNameIndex` (names.ts) uses it together with names and aliases.
   */
  nameGroups?: ReadonlyArray<{ name: string; codes: readonly string[]; note: string | null }>;
  /** Prefixes ignored when matching names (e.g. `Hamburg-`); optional like `nameGroups`. */
  nameMatching?: { stripPrefixes: readonly string[] };
}

export interface SchemeSummary {
  schemeId: string;
  name: string;
  tenant: string | null;
  currentVersion: number;
  versions: ReadonlyArray<{ version: number; validFrom: string; reason: string }>;
}

export interface AreaRegister {
  findScheme(schemeId: string): Promise<SchemeSummary | undefined>;
  /** A version of a scheme; the current one when `version` is omitted. */
  findSchemeVersion(schemeId: string, version?: number): Promise<SchemeVersionView | undefined>;
  /** The version in force on an ISO date (e.g. a delivery's Stichtag). */
  findSchemeVersionOn(schemeId: string, date: string): Promise<SchemeVersionView | undefined>;
}
