/**
 * The integration events the ingestion service publishes, typed by the TypeScript that
 * contracts/ generates from the Avro schemas (ingestion/ObservationsRecorded, DeliveryAccepted,
 * AreaSchemeVersionPublished, AreaGeometriesPublished): a schema change the producers do not
 * follow fails the build, not a consumer.
 *
 * The generated types are the reader's view, in which a field with a default may be absent. A
 * producer writes every field, so the service works with them complete.
 */
import type {
  Complete,
  AreaGeometriesPublished,
  AreaSchemeVersionPublished,
  DataSensitivity,
  DeliveryAccepted,
  ObservationsRecorded,
  ObservationStatus,
  ReferencePeriod,
  ReferencePeriodKind,
} from '@lagebild/contracts';

export type { Complete };

export type ObservationsRecordedData = Complete<ObservationsRecorded>;
export type DeliveryAcceptedData = Complete<DeliveryAccepted>;
export type AreaSchemeVersionPublishedData = Complete<AreaSchemeVersionPublished>;
export type AreaGeometriesPublishedData = Complete<AreaGeometriesPublished>;
/** One value of an ObservationsRecorded batch. */
export type Observation = ObservationsRecordedData['observations'][number];

export type { DataSensitivity, ObservationStatus, ReferencePeriod, ReferencePeriodKind };
