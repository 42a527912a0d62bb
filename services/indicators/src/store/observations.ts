/**
 * The indicator service's own copy of what it computes from (ARCHITECTURE: each service keeps
 * its state): observations by tenant, scheme version, variable and period, and the scheme
 * versions' units and crosswalks. Filled by the consumer from ObservationsRecorded and
 * AreaSchemeVersionPublished; writes are keyed so that a replayed event overwrites itself.
 *
 * A later delivery overwrites the cells it carries (a correction names the delivery it
 * supersedes: that delivery's cells which the correction does not carry are removed when the
 * correction completes).
 */
import type { DocumentStore, DocumentWrite } from '@lagebild/platform';
import { MemoryCube } from '../engine/cube';
import { buildHierarchy, type Hierarchy, type SchemeUnit } from '../engine/hierarchy';
import { periodKey, type ReferencePeriod } from '../engine/periods';

export const OBSERVATIONS_COLLECTION = 'indicators.observations';
export const SCHEMES_COLLECTION = 'indicators.schemes';
export const DELIVERIES_COLLECTION = 'indicators.deliveries';

/** One cell: value (null = missing) and the delivery it came from. */
type Cell = [number | null, string];

interface SliceDoc {
  tenant: string;
  schemeId: string;
  schemeVersion: number;
  code: string;
  period: string;
  cells: Record<string, Cell>;
}

export interface DeliveryDoc {
  deliveryId: string;
  tenant: string;
  datasetId: string;
  schemeId: string;
  schemeVersion: number;
  sensitivity: string;
  supersedesDeliveryId: string | null;
  /** Slice keys (code|period) the delivery wrote. */
  slices: string[];
  complete: boolean;
}

export interface SchemeDoc {
  schemeId: string;
  schemeName: string;
  version: number;
  validFrom: string;
  previousVersion: number | null;
  /** Tenant that owns the scheme (envelope tenant); `00000` for shared reference schemes. */
  tenant: string;
  units: SchemeUnit[];
  crosswalk: Array<{ fromCode: string; toCode: string; weight: number }>;
}

export interface IncomingObservation {
  areaCode: string;
  variable: string;
  dimensions: Record<string, string>;
  period: ReferencePeriod;
  value: number | null;
  status: string;
}

export interface IncomingBatch {
  tenant: string;
  deliveryId: string;
  datasetId: string;
  schemeId: string;
  schemeVersion: number;
  sensitivity: string;
  supersedesDeliveryId: string | null;
  isLastBatch: boolean;
  observations: readonly IncomingObservation[];
}

/** Variable code with its breakdown, e.g. `arbeitslose[altersgruppe=u25]`; the total keeps the plain code. */
export function variableKey(variable: string, dimensions: Record<string, string>): string {
  const entries = Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? variable : `${variable}[${entries.map(([k, v]) => `${k}=${v}`).join(';')}]`;
}

const sliceKey = (tenant: string, schemeId: string, version: number, code: string, period: string) => `${tenant}|${schemeId}|${version}|${code}|${period}`;
const schemeKey = (schemeId: string, version: number) => `${schemeId}|${String(version).padStart(6, '0')}`;

export interface ObservationStore {
  saveScheme(doc: SchemeDoc): Promise<void>;
  scheme(schemeId: string, version: number): Promise<SchemeDoc | undefined>;
  schemeVersions(schemeId: string): Promise<SchemeDoc[]>;
  hierarchy(schemeId: string, version: number): Promise<Hierarchy | undefined>;
  /** Records a batch; returns the delivered codes it touched. */
  record(batch: IncomingBatch): Promise<{ codes: Set<string> }>;
  delivery(deliveryId: string): Promise<DeliveryDoc | undefined>;
  /** All observations of a tenant in a scheme version as a cube. */
  cube(tenant: string, schemeId: string, version: number): Promise<{ cube: MemoryCube; deliveries: Map<string, DeliveryDoc> } | undefined>;
  /** Scheme versions in which a tenant has observations. */
  versionsWithData(tenant: string, schemeId: string): Promise<number[]>;
  /** Schemes in which a tenant has observations. */
  schemesWithData(tenant: string): Promise<string[]>;
}

export function createObservationStore(documents: DocumentStore): ObservationStore {
  const hierarchies = new Map<string, Hierarchy>();

  const store: ObservationStore = {
    async saveScheme(doc) {
      await documents.put(SCHEMES_COLLECTION, schemeKey(doc.schemeId, doc.version), doc);
      hierarchies.delete(schemeKey(doc.schemeId, doc.version));
    },

    scheme(schemeId, version) {
      return documents.get<SchemeDoc>(SCHEMES_COLLECTION, schemeKey(schemeId, version));
    },

    async schemeVersions(schemeId) {
      return (await documents.scan<SchemeDoc>(SCHEMES_COLLECTION, { prefix: `${schemeId}|` })).map((e) => e.doc);
    },

    async hierarchy(schemeId, version) {
      const key = schemeKey(schemeId, version);
      const known = hierarchies.get(key);
      if (known) return known;
      const doc = await store.scheme(schemeId, version);
      if (!doc) return undefined;
      const total = doc.tenant === '00000' ? { code: 'DG', name: 'Deutschland' } : { code: doc.tenant, name: `${doc.schemeName} (gesamt)` };
      const h = buildHierarchy(schemeId, version, doc.units, total);
      hierarchies.set(key, h);
      return h;
    },

    async record(batch) {
      const bySlice = new Map<string, { code: string; period: string; cells: Array<[string, number | null]> }>();
      for (const o of batch.observations) {
        const code = variableKey(o.variable, o.dimensions);
        const period = periodKey(o.period);
        const key = `${code}|${period}`;
        let group = bySlice.get(key);
        if (!group) bySlice.set(key, (group = { code, period, cells: [] }));
        const value = o.status === 'VALUE' ? o.value : o.status === 'ZERO_BY_DEFINITION' ? 0 : null;
        group.cells.push([o.areaCode, value]);
      }
      const deliveryDoc: DeliveryDoc = (await store.delivery(batch.deliveryId)) ?? {
        deliveryId: batch.deliveryId,
        tenant: batch.tenant,
        datasetId: batch.datasetId,
        schemeId: batch.schemeId,
        schemeVersion: batch.schemeVersion,
        sensitivity: batch.sensitivity,
        supersedesDeliveryId: batch.supersedesDeliveryId,
        slices: [],
        complete: false,
      };
      const writes: DocumentWrite[] = [];
      const codes = new Set<string>();
      const slices = new Set(deliveryDoc.slices);
      for (const [key, group] of bySlice) {
        const id = sliceKey(batch.tenant, batch.schemeId, batch.schemeVersion, group.code, group.period);
        const doc: SliceDoc = (await documents.get<SliceDoc>(OBSERVATIONS_COLLECTION, id)) ?? {
          tenant: batch.tenant,
          schemeId: batch.schemeId,
          schemeVersion: batch.schemeVersion,
          code: group.code,
          period: group.period,
          cells: {},
        };
        for (const [area, value] of group.cells) doc.cells[area] = [value, batch.deliveryId];
        writes.push({ collection: OBSERVATIONS_COLLECTION, key: id, doc });
        slices.add(key);
        codes.add(group.code);
      }
      deliveryDoc.slices = [...slices];
      if (batch.isLastBatch) {
        deliveryDoc.complete = true;
        // A correction replaces the delivery it supersedes: cells of the old one it did not overwrite go.
        const old = batch.supersedesDeliveryId ? await store.delivery(batch.supersedesDeliveryId) : undefined;
        if (old) {
          const pending = new Map(writes.map((w) => [w.key, w]));
          for (const key of old.slices) {
            const [code, period] = key.split('|') as [string, string];
            const id = sliceKey(old.tenant, old.schemeId, old.schemeVersion, code, period);
            const doc = (pending.get(id)?.doc as SliceDoc | undefined) ?? (await documents.get<SliceDoc>(OBSERVATIONS_COLLECTION, id));
            if (!doc) continue;
            let removed = false;
            for (const [area, cell] of Object.entries(doc.cells)) {
              if (cell[1] === old.deliveryId) {
                delete doc.cells[area];
                removed = true;
              }
            }
            if (!removed) continue;
            codes.add(code);
            const write = { collection: OBSERVATIONS_COLLECTION, key: id, doc: Object.keys(doc.cells).length === 0 ? null : doc };
            if (pending.has(id)) Object.assign(pending.get(id)!, write);
            else writes.push(write);
          }
        }
      }
      writes.push({ collection: DELIVERIES_COLLECTION, key: batch.deliveryId, doc: deliveryDoc });
      await documents.write(writes);
      return { codes };
    },

    delivery(deliveryId) {
      return documents.get<DeliveryDoc>(DELIVERIES_COLLECTION, deliveryId);
    },

    async cube(tenant, schemeId, version) {
      const h = await store.hierarchy(schemeId, version);
      if (!h) return undefined;
      const cube = new MemoryCube(h);
      const deliveryIds = new Set<string>();
      for (const { doc } of await documents.scan<SliceDoc>(OBSERVATIONS_COLLECTION, { prefix: `${tenant}|${schemeId}|${version}|` })) {
        for (const [area, [value, delivery]] of Object.entries(doc.cells)) {
          cube.set(doc.code, doc.period, area, value, delivery);
          deliveryIds.add(delivery);
        }
      }
      const deliveries = new Map<string, DeliveryDoc>();
      for (const id of deliveryIds) {
        const d = await store.delivery(id);
        if (d) deliveries.set(id, d);
      }
      return { cube, deliveries };
    },

    async versionsWithData(tenant, schemeId) {
      const versions = new Set<number>();
      for (const { doc } of await documents.scan<SchemeDoc>(SCHEMES_COLLECTION, { prefix: `${schemeId}|` })) {
        const any = await documents.scan(OBSERVATIONS_COLLECTION, { prefix: `${tenant}|${schemeId}|${doc.version}|`, limit: 1 });
        if (any.length > 0) versions.add(doc.version);
      }
      return [...versions].sort((a, b) => a - b);
    },

    async schemesWithData(tenant) {
      const schemes = new Set<string>();
      for (const { doc } of await documents.find<DeliveryDoc>(DELIVERIES_COLLECTION, { tenant })) schemes.add(doc.schemeId);
      return [...schemes].sort();
    },
  };
  return store;
}
