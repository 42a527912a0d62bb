/**
 * Read models of deliveries:
 *
 * - `ingestion.deliveries`: status and summary per delivery (GET /deliveries/:id).
 * - `ingestion.delivery-reports`: the validation report (GET /deliveries/:id/report).
 * - `ingestion.observations`: every observed value per tenant, data set, scheme, variable, area,
 *   period and breakdown, with all its versions (one per accepting delivery, with the time it was
 *   recorded), so a query can ask for the figures "as recorded on" a date. Fed on
 *   DeliveryAccepted only, from the delivery's batches: the read model follows the same rule as
 *   every consumer (a delivery's observations count once it is accepted).
 * - `ingestion.observation-series`: which data sets hold a variable of a scheme for a tenant, so
 *   a query that names no data set finds it.
 *
 * A variable code belongs to its data set: two data sets of one tenant may use the same code
 * for different figures (Flensburg's `ew_unter_18` per Stadtteil from Tabelle 4 and, with other
 * age groups, from Tabelle 5), and a correction replaces values only within its data set. So the
 * data set is part of every observation's key.
 */
import type { DocumentStore, DocumentWrite, EventStore, StoredEvent } from '@lagebild/platform';
import type { DeliveryErrorCode, DeliveryFinding } from './errors';
import {
  deliveryStream,
  type DeliveryAcceptedData,
  type DeliveryReceivedData,
  type DeliveryRejectedData,
  type DeliveryValidatedData,
  type ObservationStatus,
  type ObservationsRecordedData,
} from './model';
import type { ReferencePeriod } from './periods';

export const DELIVERIES_COLLECTION = 'ingestion.deliveries';
export const REPORTS_COLLECTION = 'ingestion.delivery-reports';
export const OBSERVATIONS_COLLECTION = 'ingestion.observations';
export const SERIES_COLLECTION = 'ingestion.observation-series';

export type DeliveryViewStatus = 'in_pruefung' | 'abgelehnt' | 'wird_erfasst' | 'angenommen';

export interface DeliveryView {
  deliveryId: string;
  tenant: string;
  status: DeliveryViewStatus;
  profileId: string;
  profileVersion: number;
  datasetId: string;
  fileName: string;
  fileSha256: string;
  fileBytes: number;
  period: string | null;
  receivedAt: string;
  deliveredBy: string;
  decidedAt: string | null;
  acceptedAt: string | null;
  rowCount: number | null;
  observationCount: number | null;
  valueCount: number | null;
  areaCount: number | null;
  variables: string[];
  periods: ReferencePeriod[];
  schemeId: string | null;
  schemeVersion: number | null;
  supersedesDeliveryId: string | null;
  batchCount: number | null;
  recordedBatches: number;
  errorCount: number;
  warningCount: number;
  countsByCode: Partial<Record<DeliveryErrorCode, number>>;
  encoding: string | null;
}

export interface DeliveryReportView {
  deliveryId: string;
  tenant: string;
  status: DeliveryViewStatus;
  errorCount: number;
  warningCount: number;
  countsByCode: Partial<Record<DeliveryErrorCode, number>>;
  findings: DeliveryFinding[];
  truncated: boolean;
}

export interface ObservationVersion {
  deliveryId: string;
  schemeVersion: number;
  value: number | null;
  status: ObservationStatus;
  sourceLine: number | null;
  recordedAt: string;
}

export interface ObservationDoc {
  tenant: string;
  datasetId: string;
  schemeId: string;
  areaCode: string;
  variable: string;
  dimensions: Record<string, string>;
  period: ReferencePeriod;
  /** Ascending by recordedAt; the last is the current value. */
  versions: ObservationVersion[];
}

function dimensionsKey(dimensions: Record<string, string>): string {
  return Object.keys(dimensions)
    .sort()
    .map((k) => `${k}=${dimensions[k]}`)
    .join(',');
}

/** A series: the values of one variable of one data set in one scheme, for a tenant. */
export interface SeriesDoc {
  tenant: string;
  schemeId: string;
  variable: string;
  datasetId: string;
}

function seriesPrefix(tenant: string, schemeId: string, variable: string): string {
  return `${tenant}|${schemeId}|${variable}|`;
}

function observationPrefix(tenant: string, datasetId: string, schemeId: string, variable: string): string {
  return `${tenant}|${datasetId}|${schemeId}|${variable}|`;
}

export function observationKey(
  tenant: string,
  datasetId: string,
  schemeId: string,
  variable: string,
  areaCode: string,
  period: ReferencePeriod,
  dimensions: Record<string, string>,
): string {
  return `${observationPrefix(tenant, datasetId, schemeId, variable)}${areaCode}|${period.end}|${period.start}|${period.kind}|${dimensionsKey(dimensions)}`;
}

const STATUS_OF_EVENT: Record<string, DeliveryViewStatus> = {
  DeliveryReceived: 'in_pruefung',
  DeliveryRejected: 'abgelehnt',
  DeliveryValidated: 'wird_erfasst',
  DeliveryAccepted: 'angenommen',
};

export const DELIVERY_PROJECTION_TYPES = new Set(['DeliveryReceived', 'DeliveryRejected', 'DeliveryValidated', 'ObservationsRecorded', 'DeliveryAccepted']);

/** Writes for one delivery event; the observation writes of an acceptance go through `projectAcceptedObservations`. */
export async function projectDeliveryEvent(documents: DocumentStore, event: StoredEvent): Promise<DocumentWrite[]> {
  switch (event.type) {
    case 'DeliveryReceived': {
      const data = event.data as DeliveryReceivedData;
      const view: DeliveryView = {
        deliveryId: data.deliveryId,
        tenant: data.tenant,
        status: 'in_pruefung',
        profileId: data.profileId,
        profileVersion: data.profileVersion,
        datasetId: data.datasetId,
        fileName: data.fileName,
        fileSha256: data.fileSha256,
        fileBytes: data.fileBytes,
        period: data.period,
        receivedAt: event.recordedAt,
        deliveredBy: data.deliveredBy,
        decidedAt: null,
        acceptedAt: null,
        rowCount: null,
        observationCount: null,
        valueCount: null,
        areaCount: null,
        variables: [],
        periods: [],
        schemeId: null,
        schemeVersion: null,
        supersedesDeliveryId: null,
        batchCount: null,
        recordedBatches: 0,
        errorCount: 0,
        warningCount: 0,
        countsByCode: {},
        encoding: data.encoding,
      };
      return [{ collection: DELIVERIES_COLLECTION, key: data.deliveryId, doc: view }];
    }
    case 'DeliveryRejected':
    case 'DeliveryValidated': {
      const data = event.data as DeliveryRejectedData | DeliveryValidatedData;
      const view = await documents.get<DeliveryView>(DELIVERIES_COLLECTION, data.deliveryId);
      if (!view) return [];
      const status = STATUS_OF_EVENT[event.type]!;
      const next: DeliveryView = {
        ...view,
        status,
        decidedAt: event.recordedAt,
        rowCount: data.rowCount,
        errorCount: data.errorCount,
        warningCount: data.warningCount,
        countsByCode: data.countsByCode,
        encoding: data.encoding,
      };
      if (event.type === 'DeliveryValidated') {
        const validated = data as DeliveryValidatedData;
        Object.assign(next, {
          observationCount: validated.observationCount,
          valueCount: validated.valueCount,
          areaCount: validated.areaCount,
          variables: validated.variables,
          periods: validated.periods,
          schemeId: validated.schemeId,
          schemeVersion: validated.schemeVersion,
          supersedesDeliveryId: validated.supersedesDeliveryId,
          batchCount: validated.batchCount,
        });
      }
      const report: DeliveryReportView = {
        deliveryId: data.deliveryId,
        tenant: view.tenant,
        status,
        errorCount: data.errorCount,
        warningCount: data.warningCount,
        countsByCode: data.countsByCode,
        findings: data.findings,
        truncated: data.truncated,
      };
      return [
        { collection: DELIVERIES_COLLECTION, key: data.deliveryId, doc: next },
        { collection: REPORTS_COLLECTION, key: data.deliveryId, doc: report },
      ];
    }
    case 'ObservationsRecorded': {
      const data = event.data as ObservationsRecordedData;
      const view = await documents.get<DeliveryView>(DELIVERIES_COLLECTION, data.deliveryId);
      if (!view) return [];
      return [{ collection: DELIVERIES_COLLECTION, key: data.deliveryId, doc: { ...view, recordedBatches: Math.max(view.recordedBatches, data.batchNumber) } }];
    }
    case 'DeliveryAccepted': {
      const data = event.data as DeliveryAcceptedData;
      const view = await documents.get<DeliveryView>(DELIVERIES_COLLECTION, data.deliveryId);
      const report = await documents.get<DeliveryReportView>(REPORTS_COLLECTION, data.deliveryId);
      const writes: DocumentWrite[] = [];
      if (view) writes.push({ collection: DELIVERIES_COLLECTION, key: data.deliveryId, doc: { ...view, status: 'angenommen', acceptedAt: event.recordedAt, recordedBatches: data.batchCount } });
      if (report) writes.push({ collection: REPORTS_COLLECTION, key: data.deliveryId, doc: { ...report, status: 'angenommen' } });
      return writes;
    }
    default:
      return [];
  }
}

/**
 * Adds the accepted delivery's observations as new versions, batch by batch (idempotent: a
 * version of the same delivery is replaced, so a repeated projection changes nothing).
 */
export async function projectAcceptedObservations(eventStore: EventStore, documents: DocumentStore, accepted: StoredEvent): Promise<number> {
  const data = accepted.data as DeliveryAcceptedData;
  const stream = deliveryStream(data.deliveryId);
  let fromVersion = 1;
  let written = 0;
  const page = 20;
  for (;;) {
    const events = await eventStore.readStream(stream, { fromVersion, maxCount: page });
    if (events.length === 0) break;
    fromVersion = events[events.length - 1]!.version + 1;
    for (const event of events) {
      if (event.type !== 'ObservationsRecorded') continue;
      const batch = event.data as ObservationsRecordedData;
      const keys = batch.observations.map((o) => observationKey(data.tenant, batch.datasetId, batch.schemeId, o.variable, o.areaCode, o.period, o.dimensions));
      const writes: DocumentWrite[] = [];
      for (const variable of new Set(batch.observations.map((o) => o.variable))) {
        const series: SeriesDoc = { tenant: data.tenant, schemeId: batch.schemeId, variable, datasetId: batch.datasetId };
        writes.push({ collection: SERIES_COLLECTION, key: `${seriesPrefix(data.tenant, batch.schemeId, variable)}${batch.datasetId}`, doc: series });
      }
      // The reads of a batch in one go: each is a synchronous LMDB lookup behind a promise.
      const existingDocs = await Promise.all(keys.map((key) => documents.get<ObservationDoc>(OBSERVATIONS_COLLECTION, key)));
      for (let i = 0; i < batch.observations.length; i += 1) {
        const o = batch.observations[i]!;
        const key = keys[i]!;
        const existing = existingDocs[i];
        const version: ObservationVersion = {
          deliveryId: data.deliveryId,
          schemeVersion: batch.schemeVersion,
          value: o.value,
          status: o.status,
          sourceLine: o.sourceLine,
          recordedAt: accepted.recordedAt,
        };
        const versions = (existing?.versions ?? []).filter((v) => v.deliveryId !== data.deliveryId);
        versions.push(version);
        versions.sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0));
        const doc: ObservationDoc = {
          tenant: data.tenant,
          datasetId: batch.datasetId,
          schemeId: batch.schemeId,
          areaCode: o.areaCode,
          variable: o.variable,
          dimensions: o.dimensions,
          period: o.period,
          versions,
        };
        writes.push({ collection: OBSERVATIONS_COLLECTION, key, doc });
      }
      await documents.write(writes);
      written += batch.observations.length;
    }
    if (events.length < page) break;
  }
  return written;
}

export interface ObservationQuery {
  tenant: string;
  /** The data set the variable belongs to. */
  datasetId: string;
  schemeId: string;
  variable: string;
  areaCode?: string;
  /** ISO date: observations whose period contains this day. */
  periodOn?: string;
  /** ISO date or instant: the values as they were recorded on that day (end of day) or instant. */
  asOf?: string;
  limit?: number;
}

export interface ObservationResult {
  datasetId: string;
  areaCode: string;
  variable: string;
  dimensions: Record<string, string>;
  period: ReferencePeriod;
  value: number | null;
  status: ObservationStatus;
  deliveryId: string;
  schemeVersion: number;
  recordedAt: string;
  sourceLine: number | null;
  /** Versions recorded up to asOf (1 = never corrected). */
  versionCount: number;
}

/** The data sets that hold values of a variable of a scheme for a tenant, sorted. */
export async function datasetsOfVariable(documents: DocumentStore, tenant: string, schemeId: string, variable: string): Promise<string[]> {
  return (await documents.scan<SeriesDoc>(SERIES_COLLECTION, { prefix: seriesPrefix(tenant, schemeId, variable) })).map((entry) => entry.doc.datasetId);
}

export async function queryObservations(documents: DocumentStore, query: ObservationQuery): Promise<ObservationResult[]> {
  const prefix = `${observationPrefix(query.tenant, query.datasetId, query.schemeId, query.variable)}${query.areaCode === undefined ? '' : `${query.areaCode}|`}`;
  const asOf = query.asOf === undefined ? undefined : /^\d{4}-\d{2}-\d{2}$/.test(query.asOf) ? `${query.asOf}T23:59:59.999Z` : new Date(query.asOf).toISOString();
  const results: ObservationResult[] = [];
  for (const { doc } of await documents.scan<ObservationDoc>(OBSERVATIONS_COLLECTION, { prefix })) {
    if (query.periodOn !== undefined && !(doc.period.start <= query.periodOn && query.periodOn <= doc.period.end)) continue;
    const visible = asOf === undefined ? doc.versions : doc.versions.filter((v) => v.recordedAt <= asOf);
    const current = visible[visible.length - 1];
    if (!current) continue;
    results.push({
      datasetId: doc.datasetId,
      areaCode: doc.areaCode,
      variable: doc.variable,
      dimensions: doc.dimensions,
      period: doc.period,
      value: current.value,
      status: current.status,
      deliveryId: current.deliveryId,
      schemeVersion: current.schemeVersion,
      recordedAt: current.recordedAt,
      sourceLine: current.sourceLine,
      versionCount: visible.length,
    });
    if (query.limit !== undefined && results.length >= query.limit) break;
  }
  return results;
}
