/**
 * Who sees what in the FIS (ARCHITECTURE.md 7, DOMAIN.md 1 and 7), from the platform's tenancy
 * policy so the FIS, the indicator API and the generated row policies decide alike:
 * - the FIS is read by every role that steers or plans: Führung, Controlling, Sozialplanung,
 *   Statistikstelle and Administration;
 * - dashboards open for the caller's own tenant and, for a Kreis, its member Gemeinden (by the
 *   tenant register or the token's member list): goals, contracts and budget are never shown to
 *   peers;
 * - indicator values are filtered row by row: raw only where the policy gives raw (own tenant,
 *   members the Kreis plans for, a partner's raw release to its Kreis; statistics-only values
 *   only for the Statistikstelle), protected values of peers and others only where the owner
 *   released them (audience, indicator, area level, after the embargo). Comparisons across
 *   tenants (Kreisvergleich) span every tenant with something visible.
 */
import { accessConditionSql, activeReleases, emptyTenancyView, RAW_ROLES, readableTenants, relationOf, type Principal, type Role, type TenancyView } from '@lagebild/platform';

export const FIS_ROLES: readonly Role[] = ['fuehrung', 'controlling', 'sozialplanung', 'statistikstelle', 'admin'];

export const PROTECTED_VIEW = 'v_indicator_value_protected';
export const RAW_VIEW = 'v_indicator_value_raw';

/** The register and the instant a FIS request is decided with. */
export interface FisTenancy {
  view: TenancyView;
  now: Date;
}

/** Without a register: own tenant and the token's members, as before the register existed. */
export function noTenancy(): FisTenancy {
  return { view: emptyTenancyView(), now: new Date() };
}

/** Tenants whose dashboards the caller may open: its own and, for a Kreis, the member Gemeinden. */
export function visibleTenants(principal: Principal, tenancy: FisTenancy = noTenancy()): string[] {
  const kreis = tenancy.view.tenant(principal.tenant);
  const members = kreis?.kind === 'KREIS' ? kreis.members.map((m) => m.tenant) : [];
  return [...new Set([principal.tenant, ...members, ...(principal.memberOf ?? [])])];
}

/** Tenants with at least some indicator values the caller may see (for comparisons). */
export function comparisonTenants(principal: Principal, tenancy: FisTenancy = noTenancy()): string[] {
  return readableTenants(tenancy.view, principal, tenancy.now);
}

/** Whether the raw view may be offered for `tenant`: the policy gives raw for at least part of its values. */
export function maySeeRaw(principal: Principal, tenant: string | null, tenancy: FisTenancy = noTenancy()): boolean {
  if (tenant === null) return false;
  const relation = relationOf(tenancy.view, principal, tenant);
  if (relation !== 'OWN' && relation !== 'KREIS_BETREUT' && relation !== 'KREIS_PARTNER') return false;
  if (relation === 'KREIS_PARTNER') {
    const rawRelease = activeReleases(tenancy.view, tenant, tenancy.now).some((r) => r.audience === 'KREIS' && r.form === 'RAW');
    if (!rawRelease) return false;
  }
  return principal.roles.some((r) => RAW_ROLES.includes(r));
}

const VIEW_REFERENCE = /lagebild\.\{indicator_view:Identifier\}/g;
const PROTECTED_REFERENCE = /lagebild\.v_indicator_value_protected\b/g;

/**
 * The statement with every read of indicator values narrowed to the rows the caller may see in
 * the chosen form: `lagebild.{indicator_view:Identifier}` and `lagebild.v_indicator_value_protected`
 * become subqueries with the policy's condition (literals escaped by the policy).
 */
export function restrictIndicatorReads(sql: string, principal: Principal, raw: boolean, tenancy: FisTenancy = noTenancy()): string {
  const condition = (form: 'RAW' | 'PROTECTED') => accessConditionSql(tenancy.view, principal, tenancy.now, form);
  return sql
    .replace(VIEW_REFERENCE, () => `(SELECT * FROM lagebild.{indicator_view:Identifier} WHERE ${condition(raw ? 'RAW' : 'PROTECTED')})`)
    .replace(PROTECTED_REFERENCE, () => `(SELECT * FROM lagebild.v_indicator_value_protected WHERE ${condition('PROTECTED')})`);
}
