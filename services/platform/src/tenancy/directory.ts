/**
 * A service's copy of the tenant register (tenants and releases), kept from the
 * TenantConfigured, ReleaseGranted and ReleaseWithdrawn events the ingestion service publishes on
 * lagebild.ingestion. Stored in the service's own DocumentStore (so a restart does not depend on
 * re-reading the log from the start) and held in memory for the synchronous decisions of
 * policy.ts; `load()` once at start, `apply()` from the service's consumer.
 *
 * Applying is idempotent: a tenant keeps its highest version, a release is keyed by its id and a
 * withdrawal is final (a ReleaseGranted redelivered after its withdrawal does not revive it).
 */
import type { DocumentStore, DocumentWrite } from '../ports/document-store';
import type { Release, TenancyView, TenantEntry } from './policy';

export const TENANTS_COLLECTION = 'tenancy-tenants';
export const RELEASES_COLLECTION = 'tenancy-releases';

/** The register events, structurally (the generated contract types fit). */
export type TenancyEvent =
  | { type: 'TenantConfigured'; data: TenantEntry }
  | { type: 'ReleaseGranted'; data: Omit<Release, 'withdrawnAt' | 'withdrawnBy'> }
  | { type: 'ReleaseWithdrawn'; data: { releaseId: string; tenant: string; withdrawnBy: string; withdrawnAt: string } };

export const TENANCY_EVENT_TYPES: ReadonlySet<string> = new Set(['TenantConfigured', 'ReleaseGranted', 'ReleaseWithdrawn']);

export function isTenancyEvent(event: { type: string }): event is TenancyEvent {
  return TENANCY_EVENT_TYPES.has(event.type);
}

export interface TenancyDirectory {
  /** Reads the stored register into memory; call before serving. */
  load(): Promise<void>;
  /** Applies register events (others are ignored); returns whether anything changed. */
  apply(events: readonly { type: string; data: unknown }[]): Promise<boolean>;
  /** The register as it is now (a live view: later applies show through). */
  view(): TenancyView;
}

export function createTenancyDirectory(documents: DocumentStore): TenancyDirectory {
  const tenants = new Map<string, TenantEntry>();
  const releases = new Map<string, Release>();
  const kreisOfMember = new Map<string, string>();
  const releasesByTenant = new Map<string, Release[]>();

  const index = (): void => {
    kreisOfMember.clear();
    for (const t of tenants.values()) {
      if (t.kind === 'GEMEINDE' && t.kreis) kreisOfMember.set(t.tenant, t.kreis);
    }
    for (const t of tenants.values()) {
      if (t.kind === 'KREIS') for (const m of t.members) kreisOfMember.set(m.tenant, t.tenant);
    }
    releasesByTenant.clear();
    for (const r of [...releases.values()].sort((a, b) => a.grantedAt.localeCompare(b.grantedAt) || a.releaseId.localeCompare(b.releaseId))) {
      const list = releasesByTenant.get(r.tenant) ?? [];
      list.push(r);
      releasesByTenant.set(r.tenant, list);
    }
  };

  const view: TenancyView = {
    tenant: (ags) => tenants.get(ags),
    kreisOf: (ags) => kreisOfMember.get(ags),
    releasesOf: (ags) => releasesByTenant.get(ags) ?? [],
    releasingTenants: () => [...releasesByTenant.keys()],
    tenants: () => [...tenants.values()],
  };

  return {
    async load() {
      tenants.clear();
      releases.clear();
      for (const { doc } of await documents.scan<TenantEntry>(TENANTS_COLLECTION)) tenants.set(doc.tenant, doc);
      for (const { doc } of await documents.scan<Release>(RELEASES_COLLECTION)) releases.set(doc.releaseId, doc);
      index();
    },
    async apply(events) {
      const writes: DocumentWrite[] = [];
      const nextTenants = new Map<string, TenantEntry>();
      const nextReleases = new Map<string, Release>();
      const tenantNow = (ags: string) => nextTenants.get(ags) ?? tenants.get(ags);
      const releaseNow = (id: string) => nextReleases.get(id) ?? releases.get(id);
      for (const event of events) {
        if (!isTenancyEvent(event)) continue;
        switch (event.type) {
          case 'TenantConfigured': {
            const d = event.data;
            const known = tenantNow(d.tenant);
            if (known && known.version >= d.version) break;
            const entry: TenantEntry = { ...d, members: d.members.map((m) => ({ ...m })) };
            nextTenants.set(d.tenant, entry);
            break;
          }
          case 'ReleaseGranted': {
            const known = releaseNow(event.data.releaseId);
            if (known) break;
            nextReleases.set(event.data.releaseId, { ...event.data, withdrawnAt: null, withdrawnBy: null });
            break;
          }
          case 'ReleaseWithdrawn': {
            const known = releaseNow(event.data.releaseId);
            if (!known || known.withdrawnAt) break;
            nextReleases.set(known.releaseId, { ...known, withdrawnAt: event.data.withdrawnAt, withdrawnBy: event.data.withdrawnBy });
            break;
          }
        }
      }
      for (const [key, doc] of nextTenants) writes.push({ collection: TENANTS_COLLECTION, key, doc });
      for (const [key, doc] of nextReleases) writes.push({ collection: RELEASES_COLLECTION, key, doc });
      if (writes.length === 0) return false;
      await documents.write(writes);
      for (const [key, doc] of nextTenants) tenants.set(key, doc);
      for (const [key, doc] of nextReleases) releases.set(key, doc);
      index();
      return true;
    },
    view: () => view,
  };
}
