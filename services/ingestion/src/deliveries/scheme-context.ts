/**
 * The spatial register as the checking pass needs it: every version of the delivery's scheme,
 * loaded once before the first row (the row callback is synchronous), with lookup tables per
 * version (codes, normalised names and aliases, parents, ownership).
 *
 * Ownership (tenancy): a scheme with an owning tenant (a city's Planungsräume) belongs to that
 * tenant as a whole; a shared reference scheme (the Gemeindeverzeichnis, tenant null) belongs
 * unit by unit to the Gemeinde or Kreis of the unit's AGS.
 */
import { buildNameIndex, type AreaNameIndex } from '../areas/names';
import type { AreaRegister, AreaUnitView, SchemeSummary, SchemeVersionView } from '../areas/register';

export interface VersionContext {
  /** Position in SchemeContext.versions. */
  index: number;
  version: number;
  validFrom: string;
  validTo: string | null;
  units: readonly AreaUnitView[];
  byCode: Map<string, number>;
  /** The register's matcher for delivered names and totals labels: aliases, name mapping table, prefixes, suggestions. */
  names: AreaNameIndex;
  /** Unit index -> parent unit index, -1 for none. */
  parent: Int32Array;
  /** 1 when the delivering tenant may deliver for the unit. */
  allowed: Uint8Array;
  /** Units that have children (totals rows resolve to them). */
  hasChildren: Uint8Array;
}

export interface SchemeContext {
  schemeId: string;
  name: string;
  tenant: string | null;
  versions: VersionContext[];
  /** Fixed version (number or current) from the profile, else undefined: by period. */
  fixed: VersionContext | undefined;
  /** The version for a period's last day. */
  versionOn(date: string): VersionContext | undefined;
}

/** Who may deliver for an owner (AGS): the delivery's tenant and, for a Kreis, its members. */
export type OwnerPredicate = (owner: string) => boolean;

function ownerOf(scheme: SchemeVersionView, unit: AreaUnitView): string {
  return scheme.tenant ?? unit.officialKey ?? unit.code;
}

function buildVersion(index: number, view: SchemeVersionView, mayDeliverFor: OwnerPredicate): VersionContext {
  const units = view.units;
  const byCode = new Map<string, number>();
  units.forEach((unit, i) => byCode.set(unit.code, i));
  const parent = new Int32Array(units.length).fill(-1);
  const hasChildren = new Uint8Array(units.length);
  const allowed = new Uint8Array(units.length);
  const schemeAllowed = view.tenant === null ? undefined : mayDeliverFor(view.tenant);
  units.forEach((unit, i) => {
    const p = unit.parentCode === null ? undefined : byCode.get(unit.parentCode);
    if (p !== undefined) {
      parent[i] = p;
      hasChildren[p] = 1;
    }
    allowed[i] = (schemeAllowed ?? mayDeliverFor(ownerOf(view, unit))) ? 1 : 0;
  });
  return { index, version: view.version, validFrom: view.validFrom, validTo: view.validTo, units, byCode, names: buildNameIndex(view), parent, allowed, hasChildren };
}

export type SchemeLoadResult = { ok: true; scheme: SchemeContext } | { ok: false; reason: 'scheme-missing' | 'version-missing'; schemeId: string; version?: number | 'current' };

export async function loadSchemeContext(
  register: AreaRegister,
  ref: { schemeId: string; version?: number | 'current'; on?: string },
  mayDeliverFor: OwnerPredicate,
): Promise<SchemeLoadResult> {
  const summary: SchemeSummary | undefined = await register.findScheme(ref.schemeId);
  if (!summary) return { ok: false, reason: 'scheme-missing', schemeId: ref.schemeId };
  const versions: VersionContext[] = [];
  const wanted = ref.version === undefined ? summary.versions.map((v) => v.version) : [ref.version === 'current' ? summary.currentVersion : ref.version];
  for (const version of [...new Set(wanted)].sort((a, b) => a - b)) {
    const view = await register.findSchemeVersion(ref.schemeId, version);
    if (!view) return { ok: false, reason: 'version-missing', schemeId: ref.schemeId, version };
    versions.push(buildVersion(versions.length, view, mayDeliverFor));
  }
  let fixed = ref.version === undefined ? undefined : versions[0];
  if (ref.on !== undefined) {
    fixed = versions.find((v) => v.validFrom <= ref.on! && (v.validTo === null || ref.on! < v.validTo));
    if (!fixed) return { ok: false, reason: 'version-missing', schemeId: ref.schemeId };
  }
  return {
    ok: true,
    scheme: {
      schemeId: summary.schemeId,
      name: summary.name,
      tenant: summary.tenant,
      versions,
      fixed,
      versionOn(date) {
        if (fixed) return fixed;
        let found: VersionContext | undefined;
        for (const version of versions) if (version.validFrom <= date && (version.validTo === null || date < version.validTo)) found = version;
        return found;
      },
    },
  };
}
