/**
 * Who sees what in the FIS (ARCHITECTURE.md 7):
 * - the FIS is read by every role that steers or plans: Führung, Controlling, Sozialplanung,
 *   Statistikstelle and Administration;
 * - raw counts only for the Sozialplanung, Statistikstelle and Administration of the tenant whose
 *   figures they are; everyone else, and a Kreis looking at a member Gemeinde, sees protected values;
 * - every query is restricted to the caller's tenant and, for a Kreis, its member Gemeinden.
 */
import type { Principal, Role } from '@lagebild/platform';

export const FIS_ROLES: readonly Role[] = ['fuehrung', 'controlling', 'sozialplanung', 'statistikstelle', 'admin'];

const RAW_ROLES: readonly Role[] = ['sozialplanung', 'statistikstelle', 'admin'];

export const PROTECTED_VIEW = 'v_indicator_value_protected';
export const RAW_VIEW = 'v_indicator_value_raw';

/** Tenants whose figures the caller may read: its own and, for a Kreis, the member Gemeinden in its token. */
export function visibleTenants(principal: Principal): string[] {
  return [principal.tenant, ...(principal.memberOf ?? [])];
}

/** Whether the caller may see raw (not disclosure-controlled) values of `tenant`. */
export function maySeeRaw(principal: Principal, tenant: string | null): boolean {
  return tenant === principal.tenant && principal.roles.some((r) => RAW_ROLES.includes(r));
}
