/**
 * The tenant register's two aggregates, written by the ingestion service (which owns the
 * Gemeindeverzeichnis the register is built from) and read by every service through the
 * integration events (contracts/schemas/ingestion/TenantConfigured, ReleaseGranted,
 * ReleaseWithdrawn; platform/src/tenancy keeps a service's copy):
 *
 * - a tenant (stream `tenant-<AGS>`): every event is a TenantConfigured carrying the complete
 *   new state, so the stream version is the tenant's version;
 * - the releases of a tenant (stream `release-<AGS>`): ReleaseGranted and ReleaseWithdrawn, one
 *   stream per owner, so the owner's decisions are ordered and checked against each other.
 *
 * Event data are the contract's generated types in their writer's view (`Complete`): a schema
 * change the writer does not follow fails the build.
 */
import type { Complete, ReleaseGranted, ReleaseWithdrawn, TenantConfigured } from '@lagebild/contracts';

export type TenantConfiguredData = Complete<TenantConfigured>;
export type ReleaseGrantedData = Complete<ReleaseGranted>;
export type ReleaseWithdrawnData = Complete<ReleaseWithdrawn>;
export type TenantKind = TenantConfiguredData['kind'];
export type PlanningModel = TenantConfiguredData['planningModel'];
export type KreisMemberEntry = TenantConfiguredData['members'][number];
export type MemberRelation = KreisMemberEntry['relation'];
export type ReleaseAudience = ReleaseGrantedData['audience'];
export type ReleaseForm = ReleaseGrantedData['form'];

export type TenantEvent = { type: 'TenantConfigured'; data: TenantConfiguredData };
export type ReleaseEvent = { type: 'ReleaseGranted'; data: ReleaseGrantedData } | { type: 'ReleaseWithdrawn'; data: ReleaseWithdrawnData };
export type TenancyEvent = TenantEvent | ReleaseEvent;

export const TENANT_STREAM_PREFIX = 'tenant-';
export const RELEASE_STREAM_PREFIX = 'release-';
export const TENANCY_EVENT_TYPES: ReadonlySet<string> = new Set(['TenantConfigured', 'ReleaseGranted', 'ReleaseWithdrawn']);

export const tenantStream = (ags: string): string => `${TENANT_STREAM_PREFIX}${ags}`;
export const releaseStream = (ags: string): string => `${RELEASE_STREAM_PREFIX}${ags}`;

/** A tenant's state: its latest configuration, or null before it was added. */
export type TenantState = TenantConfiguredData | null;

export function evolveTenant(_state: TenantState, event: TenantEvent): TenantState {
  return event.data;
}

/** A release as the owner's stream knows it. */
export interface ReleaseRecord extends ReleaseGrantedData {
  withdrawnAt: string | null;
  withdrawnBy: string | null;
}

/** The releases of one owner, by id. */
export interface ReleaseState {
  tenant: string;
  releases: ReadonlyMap<string, ReleaseRecord>;
}

export function initialReleaseState(tenant: string): ReleaseState {
  return { tenant, releases: new Map() };
}

export function evolveRelease(state: ReleaseState, event: ReleaseEvent): ReleaseState {
  const releases = new Map(state.releases);
  switch (event.type) {
    case 'ReleaseGranted':
      releases.set(event.data.releaseId, { ...event.data, withdrawnAt: null, withdrawnBy: null });
      break;
    case 'ReleaseWithdrawn': {
      const known = releases.get(event.data.releaseId);
      if (known) releases.set(known.releaseId, { ...known, withdrawnAt: event.data.withdrawnAt, withdrawnBy: event.data.withdrawnBy });
      break;
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
  return { ...state, releases };
}

/** Where a release stands at an instant: in effect, waiting for its Sperrfrist, or withdrawn. */
export type ReleaseStatus = 'ACTIVE' | 'EMBARGOED' | 'WITHDRAWN';

export function releaseStatus(release: Pick<ReleaseRecord, 'withdrawnAt' | 'embargoUntil'>, now: Date): ReleaseStatus {
  if (release.withdrawnAt) return 'WITHDRAWN';
  if (release.embargoUntil !== null && Date.parse(release.embargoUntil) > now.getTime()) return 'EMBARGOED';
  return 'ACTIVE';
}
