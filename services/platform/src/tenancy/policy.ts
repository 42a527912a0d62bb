/**
 * Who may read whose figures, and in which form (DOMAIN.md 1 and 7, ARCHITECTURE.md 7).
 *
 * One pure decision used by every service that serves figures (indicator values, delivered
 * observations, the FIS), so the API and the warehouse cannot disagree:
 *
 * - OWN: the tenant's own figures. Raw for Sozialplanung, Statistikstelle and admin, protected
 *   for everyone else (Führung and Controlling read the FIS, never raw counts).
 * - KREIS: a Kreis reading a member Gemeinde (member by the tenant register or by the token's
 *   member list). The Kreis "sees all of its members": a member it plans for (BETREUT) raw like
 *   its own, an equal partner (PARTNER, or unknown to the register) protected unless the
 *   Gemeinde released its figures raw to the Kreis.
 * - PEER: another member of the same Kreis, or a member reading its Kreis: only what the owner
 *   released to MEMBERS or PUBLIC, protected (a Gemeinde decides what its peers see).
 * - FOREIGN: everyone else, and the public role: only PUBLIC releases, protected.
 *
 * Figures from statistics-only deliveries (sensitivity SEALED, e.g. SGB II small-area data of the
 * Bundesagentur) are raw only for the abgeschottete Statistikstelle of the owner (or of the Kreis
 * for a member it plans for); everyone else who may see them gets the protected form. Figures of
 * PUBLIC deliveries are visible to the public role of the own tenant, protected.
 *
 * Releases take effect at their embargo instant (Sperrfrist); a figure served under a release
 * carries it, so the reader can see on which decision the figure is shown.
 */
import type { Principal, Role } from '../runtime/request-context';

export type TenantKind = 'KREIS' | 'KREISFREIE_STADT' | 'GEMEINDE';
export type PlanningModel = 'NONE' | 'BETREUUNG' | 'PARTNERSCHAFT';
export type MemberRelation = 'BETREUT' | 'PARTNER';
export type ReleaseAudience = 'KREIS' | 'MEMBERS' | 'PUBLIC';
export type ReleaseForm = 'PROTECTED' | 'RAW';

export interface KreisMember {
  tenant: string;
  name: string;
  population: number | null;
  relation: MemberRelation;
}

/** One tenant of the register, as carried by TenantConfigured. */
export interface TenantEntry {
  tenant: string;
  version: number;
  name: string;
  kind: TenantKind;
  /** For a Gemeinde: its Kreis. */
  kreis: string | null;
  planningModel: PlanningModel;
  partnerThreshold: number | null;
  members: readonly KreisMember[];
  configuredBy: string;
  configuredAt: string;
}

/** A release (Freigabe), as carried by ReleaseGranted, plus its withdrawal. */
export interface Release {
  releaseId: string;
  tenant: string;
  datasetId: string | null;
  indicatorId: string | null;
  unitType: string | null;
  audience: ReleaseAudience;
  form: ReleaseForm;
  /** Sperrfrist: ISO instant from which the release takes effect. */
  embargoUntil: string | null;
  note: string | null;
  grantedBy: string;
  grantedAt: string;
  withdrawnAt?: string | null;
  withdrawnBy?: string | null;
}

/** Read access to the register; see directory.ts for the kept copy of a service. */
export interface TenancyView {
  tenant(ags: string): TenantEntry | undefined;
  /** The Kreis a Gemeinde belongs to, by the register. */
  kreisOf(ags: string): string | undefined;
  /** Releases of a tenant, withdrawn ones included (filtered by `activeReleases`). */
  releasesOf(ags: string): readonly Release[];
  /** Every tenant that has at least one release. */
  releasingTenants(): readonly string[];
  tenants(): readonly TenantEntry[];
}

export type Relation = 'OWN' | 'KREIS_BETREUT' | 'KREIS_PARTNER' | 'PEER' | 'FOREIGN';

/** Roles that see raw counts of figures they may read raw. */
export const RAW_ROLES: readonly Role[] = ['sozialplanung', 'statistikstelle', 'admin'];

/** What a figure is about, as far as access is concerned. */
export interface FigureScope {
  /** Owner of the figure. */
  tenant: string;
  indicatorId?: string;
  /** Data sets the figure comes from (one for an observation). */
  datasetIds?: readonly string[];
  /** Area level: unit type of the scheme (Gemeinde, Planungsraum, Gesamt ...). */
  unitType?: string;
  /** PUBLIC, INTERNAL, CONFIDENTIAL or SEALED; absent = INTERNAL. */
  sensitivity?: string;
}

export interface FigureAccess {
  form: ReleaseForm;
  relation: Relation;
  /** The release the figure is shown under, when access rests on one. */
  release?: Release;
}

const EMPTY: TenancyView = {
  tenant: () => undefined,
  kreisOf: () => undefined,
  releasesOf: () => [],
  releasingTenants: () => [],
  tenants: () => [],
};

/** A view with no register: own tenant and the token's member list only. */
export function emptyTenancyView(): TenancyView {
  return EMPTY;
}

/** How the principal stands to the owner of a figure. */
export function relationOf(view: TenancyView, principal: Principal, owner: string): Relation {
  if (owner === principal.tenant) return 'OWN';
  const kreisEntry = view.tenant(principal.tenant);
  const registered = kreisEntry?.kind === 'KREIS' ? kreisEntry.members.find((m) => m.tenant === owner) : undefined;
  if (registered) return registered.relation === 'BETREUT' ? 'KREIS_BETREUT' : 'KREIS_PARTNER';
  if (principal.memberOf?.includes(owner)) return 'KREIS_PARTNER';
  const ownKreis = view.kreisOf(principal.tenant);
  if (ownKreis !== undefined && (view.kreisOf(owner) === ownKreis || owner === ownKreis)) return 'PEER';
  return 'FOREIGN';
}

/** Releases of `owner` in effect at `now` (embargo passed, not withdrawn). */
export function activeReleases(view: TenancyView, owner: string, now: Date): Release[] {
  const t = now.getTime();
  return view.releasesOf(owner).filter((r) => !r.withdrawnAt && (r.embargoUntil === null || Date.parse(r.embargoUntil) <= t));
}

/** Whether a release covers a figure (an unset field of the release covers everything). */
export function releaseCovers(release: Release, scope: FigureScope): boolean {
  if (release.indicatorId !== null && release.indicatorId !== scope.indicatorId) return false;
  if (release.unitType !== null && release.unitType !== scope.unitType) return false;
  if (release.datasetId !== null) {
    const sets = scope.datasetIds ?? [];
    if (sets.length === 0 || sets.some((d) => d !== release.datasetId)) return false;
  }
  return true;
}

/** Audiences a relation belongs to. */
function audiencesFor(relation: Relation): readonly ReleaseAudience[] {
  switch (relation) {
    case 'KREIS_BETREUT':
    case 'KREIS_PARTNER':
      return ['KREIS', 'MEMBERS', 'PUBLIC'];
    case 'PEER':
      return ['MEMBERS', 'PUBLIC'];
    default:
      return ['PUBLIC'];
  }
}

const hasRawRole = (principal: Principal): boolean => principal.roles.some((r) => RAW_ROLES.includes(r));
const onlyPublic = (principal: Principal): boolean => principal.roles.length > 0 && principal.roles.every((r) => r === 'public');

/**
 * The form in which `principal` may see a figure, or null when it may not see it at all. Roles
 * gate routes (createApi); this decides the object: whose figure, which form.
 */
export function decideAccess(view: TenancyView, principal: Principal, scope: FigureScope, now: Date): FigureAccess | null {
  const relation = relationOf(view, principal, scope.tenant);
  const sealed = scope.sensitivity === 'SEALED';
  const rawAllowed = (form: ReleaseForm): ReleaseForm =>
    form === 'RAW' && (sealed ? principal.roles.includes('statistikstelle') : hasRawRole(principal)) ? 'RAW' : 'PROTECTED';
  const release = (audiences: readonly ReleaseAudience[]): Release | undefined => {
    const covering = activeReleases(view, scope.tenant, now).filter((r) => audiences.includes(r.audience) && releaseCovers(r, scope));
    // A raw release to the Kreis beats a protected one; otherwise the earliest decision.
    return covering.find((r) => r.form === 'RAW') ?? covering[0];
  };

  if (onlyPublic(principal)) {
    if (relation === 'OWN' && scope.sensitivity === 'PUBLIC') return { form: 'PROTECTED', relation };
    const r = release(['PUBLIC']);
    return r ? { form: 'PROTECTED', relation, release: r } : null;
  }
  switch (relation) {
    case 'OWN':
      return { form: rawAllowed('RAW'), relation };
    case 'KREIS_BETREUT':
      return { form: rawAllowed('RAW'), relation };
    case 'KREIS_PARTNER': {
      const r = release(['KREIS']);
      if (r?.form === 'RAW') return { form: rawAllowed('RAW'), relation, release: r };
      return { form: 'PROTECTED', relation };
    }
    default: {
      const r = release(audiencesFor(relation));
      return r ? { form: 'PROTECTED', relation, release: r } : null;
    }
  }
}

/**
 * Tenants whose figures the principal may see at least partly at `now`: its own, its members,
 * and every tenant with a release in effect for an audience it belongs to. For option lists
 * (FIS tenant variable) and for pre-filtering reads; each figure is still decided on its own.
 */
export function readableTenants(view: TenancyView, principal: Principal, now: Date): string[] {
  // The public role of a tenant sees its own figures from public deliveries.
  const out = new Set<string>([principal.tenant]);
  const kreis = view.tenant(principal.tenant);
  if (!onlyPublic(principal)) {
    for (const m of kreis?.kind === 'KREIS' ? kreis.members : []) out.add(m.tenant);
    for (const m of principal.memberOf ?? []) out.add(m);
  }
  for (const owner of view.releasingTenants()) {
    if (out.has(owner)) continue;
    const relation = onlyPublic(principal) ? 'FOREIGN' : relationOf(view, principal, owner);
    const audiences = audiencesFor(relation);
    if (activeReleases(view, owner, now).some((r) => audiences.includes(r.audience))) out.add(owner);
  }
  return [...out].sort();
}

/** Column names `accessConditionSql` refers to. */
export interface AccessColumns {
  tenant: string;
  indicator: string;
  unitType: string;
  sensitivity: string;
}

const DEFAULT_COLUMNS: AccessColumns = { tenant: 'tenant', indicator: 'indicator_id', unitType: 'unit_type', sensitivity: 'sensitivity' };

/** A ClickHouse string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The same decision as `decideAccess`, as a ClickHouse condition over indicator value rows: the
 * rows the principal may read in `form` at `now`. For the FIS and for generated row policies.
 * Releases scoped to a data set match no warehouse row (indicator rows carry no data set), which
 * fails closed.
 */
export function accessConditionSql(
  view: TenancyView,
  principal: Principal,
  now: Date,
  form: ReleaseForm,
  columns: Partial<AccessColumns> = {},
  options: { embargo?: 'evaluate' | 'sql' } = {},
): string {
  const c = { ...DEFAULT_COLUMNS, ...columns };
  // 'sql': embargoes become part of the condition (for row policies that outlive the moment they are written).
  const embargoInSql = options.embargo === 'sql';
  const FAR_FUTURE = new Date(8.64e15);
  const statistikstelle = principal.roles.includes('statistikstelle');
  const rawSensitivity = statistikstelle ? '1' : `${c.sensitivity} != 'SEALED'`;
  const releaseCondition = (r: Release): string => {
    if (r.datasetId !== null) return '0';
    const parts = [
      ...(r.indicatorId !== null ? [`${c.indicator} = ${sqlString(r.indicatorId)}`] : []),
      ...(r.unitType !== null ? [`${c.unitType} = ${sqlString(r.unitType)}`] : []),
    ];
    if (embargoInSql && r.embargoUntil !== null) parts.push(`now64(3) >= parseDateTime64BestEffort(${sqlString(r.embargoUntil)}, 3)`);
    return parts.length === 0 ? '1' : parts.join(' AND ');
  };
  const any = (conditions: string[]): string => (conditions.length === 0 ? '0' : conditions.includes('1') ? '1' : conditions.map((x) => `(${x})`).join(' OR '));
  // Owners grouped by their condition: a Kreis over 200 members is one `tenant IN (...)`, not 200 ORed comparisons (which cost the engine ~20 ms per query).
  const ownersByCondition = new Map<string, string[]>();
  for (const owner of readableTenants(view, principal, embargoInSql ? FAR_FUTURE : now)) {
    const relation = onlyPublic(principal) ? 'FOREIGN' : relationOf(view, principal, owner);
    const releases = embargoInSql ? view.releasesOf(owner).filter((r) => !r.withdrawnAt) : activeReleases(view, owner, now);
    let condition: string;
    if (onlyPublic(principal)) {
      const pub = releases.filter((r) => r.audience === 'PUBLIC').map(releaseCondition);
      if (owner === principal.tenant) pub.push(`${c.sensitivity} = 'PUBLIC'`);
      condition = form === 'RAW' ? '0' : any(pub);
    } else if (relation === 'OWN' || relation === 'KREIS_BETREUT') {
      condition = form === 'RAW' ? (hasRawRole(principal) ? rawSensitivity : '0') : '1';
    } else if (relation === 'KREIS_PARTNER') {
      condition = form === 'RAW' ? (hasRawRole(principal) ? `(${any(releases.filter((r) => r.audience === 'KREIS' && r.form === 'RAW').map(releaseCondition))}) AND ${rawSensitivity}` : '0') : '1';
    } else {
      const audiences = audiencesFor(relation);
      condition = form === 'RAW' ? '0' : any(releases.filter((r) => audiences.includes(r.audience)).map(releaseCondition));
    }
    if (condition === '0' || condition === '(0) AND 1' || condition.startsWith('(0) AND')) continue;
    const owners = ownersByCondition.get(condition);
    if (owners) owners.push(owner);
    else ownersByCondition.set(condition, [owner]);
  }
  const terms: string[] = [];
  for (const [condition, owners] of ownersByCondition) {
    const tenants = owners.length === 1 ? `${c.tenant} = ${sqlString(owners[0]!)}` : `${c.tenant} IN (${owners.map(sqlString).join(', ')})`;
    terms.push(condition === '1' ? tenants : `(${tenants} AND (${condition}))`);
  }
  return terms.length === 0 ? '0' : terms.join(' OR ');
}
