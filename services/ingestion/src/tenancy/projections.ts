/**
 * The ingestion service's read model of the tenant register: tenants by AGS and releases by id,
 * in its document store. Updated right after every append (application.ts) and, at start,
 * caught up from the event store, which covers a crash between append and update.
 *
 * Applying is idempotent like every copy of the register (platform/src/tenancy/directory.ts): a
 * tenant keeps its highest version, a release is keyed by its id and a withdrawal is final. So
 * the CLI and a running host may both apply the same events to a shared data directory.
 */
import type { DocumentStore, DocumentWrite, EventStore, TenancyView } from '@lagebild/platform';
import { type ReleaseRecord, RELEASE_STREAM_PREFIX, TENANCY_EVENT_TYPES, type TenancyEvent, type TenantConfiguredData, TENANT_STREAM_PREFIX } from './model';

export const TENANCY_COLLECTIONS = {
  tenants: 'ingestion.tenants',
  releases: 'ingestion.releases',
  projection: 'ingestion.tenancy-projection',
} as const;

/** Applies register events to the read model; returns how many documents changed. */
export async function applyTenancyEvents(documents: DocumentStore, events: readonly TenancyEvent[]): Promise<number> {
  const tenants = new Map<string, TenantConfiguredData>();
  const releases = new Map<string, ReleaseRecord>();
  const tenantNow = async (ags: string) => tenants.get(ags) ?? (await documents.get<TenantConfiguredData>(TENANCY_COLLECTIONS.tenants, ags));
  const releaseNow = async (id: string) => releases.get(id) ?? (await documents.get<ReleaseRecord>(TENANCY_COLLECTIONS.releases, id));
  for (const event of events) {
    switch (event.type) {
      case 'TenantConfigured': {
        const known = await tenantNow(event.data.tenant);
        if (!known || known.version < event.data.version) tenants.set(event.data.tenant, event.data);
        break;
      }
      case 'ReleaseGranted': {
        if (!(await releaseNow(event.data.releaseId))) releases.set(event.data.releaseId, { ...event.data, withdrawnAt: null, withdrawnBy: null });
        break;
      }
      case 'ReleaseWithdrawn': {
        const known = await releaseNow(event.data.releaseId);
        if (known && !known.withdrawnAt) releases.set(known.releaseId, { ...known, withdrawnAt: event.data.withdrawnAt, withdrawnBy: event.data.withdrawnBy });
        break;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }
  const writes: DocumentWrite[] = [
    ...[...tenants].map(([key, doc]) => ({ collection: TENANCY_COLLECTIONS.tenants, key, doc })),
    ...[...releases].map(([key, doc]) => ({ collection: TENANCY_COLLECTIONS.releases, key, doc })),
  ];
  if (writes.length > 0) await documents.write(writes);
  return writes.length;
}

// Small pages: the store holds ObservationsRecorded batches of thousands of values each.
const PAGE = 20;

/**
 * Brings the read model up to the event store from its checkpoint (events of the register's
 * streams only); returns the number of documents changed.
 */
export async function catchUpTenancy(deps: { eventStore: EventStore; documents: DocumentStore }): Promise<number> {
  const { eventStore, documents } = deps;
  const checkpoint = (await documents.get<{ position: number }>(TENANCY_COLLECTIONS.projection, 'checkpoint'))?.position ?? 0;
  let position = checkpoint;
  let changed = 0;
  for (;;) {
    const page = await eventStore.readAll({ after: position, maxCount: PAGE });
    if (page.length === 0) break;
    const events = page.filter(
      (e) => TENANCY_EVENT_TYPES.has(e.type) && (e.stream.startsWith(TENANT_STREAM_PREFIX) || e.stream.startsWith(RELEASE_STREAM_PREFIX)),
    ) as unknown as TenancyEvent[];
    if (events.length > 0) changed += await applyTenancyEvents(documents, events);
    position = page.at(-1)!.position;
    if (page.length < PAGE) break;
  }
  if (position !== checkpoint) await documents.put(TENANCY_COLLECTIONS.projection, 'checkpoint', { position });
  return changed;
}

/** Reads of the register (the ingestion service's own copy). */
export interface TenantRegister {
  tenant(ags: string): Promise<TenantConfiguredData | undefined>;
  tenants(): Promise<TenantConfiguredData[]>;
  /** The registered Kreis of a Gemeinde: its own entry's Kreis, or a Kreis listing it as member. */
  kreisOf(ags: string): Promise<string | undefined>;
  release(releaseId: string): Promise<ReleaseRecord | undefined>;
  /** Releases of a tenant, withdrawn ones included, oldest first. */
  releasesOf(ags: string): Promise<ReleaseRecord[]>;
}

export function createTenantRegister(documents: DocumentStore): TenantRegister {
  const tenants = async () => (await documents.scan<TenantConfiguredData>(TENANCY_COLLECTIONS.tenants)).map((r) => r.doc).sort((a, b) => a.tenant.localeCompare(b.tenant));
  return {
    tenant: (ags) => documents.get<TenantConfiguredData>(TENANCY_COLLECTIONS.tenants, ags),
    tenants,
    async kreisOf(ags) {
      const own = await documents.get<TenantConfiguredData>(TENANCY_COLLECTIONS.tenants, ags);
      if (own?.kind === 'GEMEINDE' && own.kreis) return own.kreis;
      if (ags.length !== 8) return undefined;
      const kreis = await documents.get<TenantConfiguredData>(TENANCY_COLLECTIONS.tenants, ags.slice(0, 5));
      return kreis?.kind === 'KREIS' && kreis.members.some((m) => m.tenant === ags) ? kreis.tenant : undefined;
    },
    release: (releaseId) => documents.get<ReleaseRecord>(TENANCY_COLLECTIONS.releases, releaseId),
    async releasesOf(ags) {
      const all = (await documents.scan<ReleaseRecord>(TENANCY_COLLECTIONS.releases)).map((r) => r.doc);
      return all.filter((r) => r.tenant === ags).sort((a, b) => a.grantedAt.localeCompare(b.grantedAt) || a.releaseId.localeCompare(b.releaseId));
    },
  };
}

/**
 * A synchronous view of the register for the platform's access policy, holding what a decision
 * about `tenants` needs: their entries, their Kreise's entries (with the members) and their
 * releases. Loaded per request; the register is small.
 */
export async function loadTenancyView(register: TenantRegister, tenants: readonly string[]): Promise<TenancyView> {
  const entries = new Map<string, TenantConfiguredData>();
  const kreisOf = new Map<string, string>();
  const releases = new Map<string, ReleaseRecord[]>();
  for (const ags of new Set(tenants)) {
    const own = await register.tenant(ags);
    if (own) entries.set(ags, own);
    const kreis = await register.kreisOf(ags);
    if (kreis) {
      kreisOf.set(ags, kreis);
      const entry = await register.tenant(kreis);
      if (entry) entries.set(kreis, entry);
    }
    const list = await register.releasesOf(ags);
    if (list.length > 0) releases.set(ags, list);
  }
  return {
    tenant: (ags) => entries.get(ags),
    kreisOf: (ags) => kreisOf.get(ags),
    releasesOf: (ags) => releases.get(ags) ?? [],
    releasingTenants: () => [...releases.keys()],
    tenants: () => [...entries.values()],
  };
}
