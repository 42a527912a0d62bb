/**
 * Import profiles: the shipped ones (services/budget/profiles) and those a tenant saves through
 * the API (private event ImportProfileSaved in stream `budget-import-profile-<id>`; every change
 * is a new version, and an import remembers the version it was read with).
 */
import { randomUUID } from 'node:crypto';
import type { DocumentStore, EventStore } from '@lagebild/platform';
import { ImportProfileBody, loadShippedProfiles, type ImportProfile } from './profile';

export interface ImportProfileSavedData {
  profileId: string;
  version: number;
  body: ImportProfileBody;
}

export const PROFILE_EVENT_TYPE = 'ImportProfileSaved';

export const profileStream = (id: string) => `budget-import-profile-${id}`;

export interface ProfileCatalog {
  get(id: string, version?: number): Promise<ImportProfile | undefined>;
  list(tenant: string): Promise<ImportProfile[]>;
  save(id: string, body: ImportProfileBody, meta: { tenant: string; actor: string; now: Date }): Promise<{ version: number; changed: boolean }>;
}

export const PROFILES_COLLECTION = 'budget.import-profiles';

export function createProfileCatalog(eventStore: EventStore, documents: DocumentStore): ProfileCatalog {
  let shipped: Promise<Map<string, ImportProfile>> | undefined;
  const shippedProfiles = () => (shipped ??= loadShippedProfiles().then((list) => new Map(list.map((p) => [p.id, p]))));

  async function versions(id: string): Promise<ImportProfile[]> {
    const events = await eventStore.readStream(profileStream(id));
    return events.map((e) => {
      const d = e.data as ImportProfileSavedData;
      return { ...d.body, id: d.profileId, version: d.version };
    });
  }

  return {
    async get(id, version) {
      const own = await versions(id);
      if (own.length > 0) return version === undefined ? own[own.length - 1] : own.find((p) => p.version === version);
      const s = (await shippedProfiles()).get(id);
      return s && (version === undefined || version === s.version) ? s : undefined;
    },
    async list(tenant) {
      const out = new Map<string, ImportProfile>();
      for (const p of (await shippedProfiles()).values()) if (p.tenant === null || p.tenant === tenant) out.set(p.id, p);
      for (const { doc } of await documents.scan<{ id: string }>(PROFILES_COLLECTION)) {
        const p = await this.get(doc.id);
        if (p && (p.tenant === null || p.tenant === tenant)) out.set(doc.id, p);
      }
      return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
    },
    async save(id, body, meta) {
      const parsed = ImportProfileBody.parse(body);
      const own = await versions(id);
      const current = own[own.length - 1] ?? (await shippedProfiles()).get(id);
      if (current) {
        const { id: _id, version: _v, ...currentBody } = current;
        if (JSON.stringify(currentBody) === JSON.stringify(parsed)) return { version: current.version, changed: false };
      }
      const version = (current?.version ?? 0) + 1;
      await eventStore.appendToStream(
        profileStream(id),
        [{ id: randomUUID(), type: PROFILE_EVENT_TYPE, data: { profileId: id, version, body: parsed } satisfies ImportProfileSavedData, metadata: { tenant: meta.tenant, occurredAt: meta.now.toISOString(), actor: meta.actor, correlationId: randomUUID() } }],
        { expectedVersion: own.length === 0 ? 'no_stream' : own.length },
      );
      await documents.put(PROFILES_COLLECTION, id, { id });
      return { version, changed: true };
    },
  };
}
