/**
 * The delivery aggregate (stream `delivery-<id>`): events, state, evolve.
 *
 * Lifecycle: DeliveryReceived -> DeliveryRejected (every finding; nothing recorded)
 *                             -> DeliveryValidated -> ObservationsRecorded x batchCount -> DeliveryAccepted
 *
 * DeliveryReceived, DeliveryValidated and DeliveryRejected are private to the ingestion service;
 * ObservationsRecorded and DeliveryAccepted are integration events, typed by the contracts'
 * generated types (../integration-events.ts).
 */
import type { DeliveryAcceptedData, ObservationsRecordedData } from '../integration-events';
import type { DeliveryErrorCode, DeliveryFinding } from './errors';
import type { ReferencePeriod } from './periods';

export type { DataSensitivity, DeliveryAcceptedData, Observation, ObservationsRecordedData, ObservationStatus } from '../integration-events';

export interface DeliveryReceivedData {
  deliveryId: string;
  tenant: string;
  datasetId: string;
  profileId: string;
  profileVersion: number;
  fileName: string;
  fileSha256: string;
  fileBytes: number;
  /** Overrides stated with the delivery. */
  period: string | null;
  encoding: string | null;
  /** Who delivered (subject). */
  deliveredBy: string;
  /**
   * For which area owners (AGS) the deliverer may deliver: the tenant and, for a Kreis principal,
   * its members; AGS prefixes for local operators. Kept so that a resumed check applies the
   * rights of the delivery, not of whoever restarts the service.
   */
  access: { owners: string[]; prefixes: string[] };
}

/** The report of a validation: a bounded list plus counts per code over all findings. */
export interface ValidationReport {
  errorCount: number;
  warningCount: number;
  countsByCode: Partial<Record<DeliveryErrorCode, number>>;
  /** The first findings in file order (at most 1,000). */
  findings: DeliveryFinding[];
  truncated: boolean;
}

export interface DeliveryRejectedData extends ValidationReport {
  deliveryId: string;
  rowCount: number;
  encoding: string | null;
}

/** What a clean delivery holds, as the checking pass counted it (validated and accepted alike). */
export interface DeliveryTally {
  rowCount: number;
  observationCount: number;
  valueCount: number;
  areaCount: number;
  variables: string[];
  periods: ReferencePeriod[];
  /** Version of the latest period. */
  schemeVersion: number;
  schemeVersions: number[];
  batchCount: number;
}

export interface DeliveryValidatedData extends ValidationReport, DeliveryTally {
  deliveryId: string;
  schemeId: string;
  supersedesDeliveryId: string | null;
  encoding: string | null;
}

export type DeliveryEvent =
  | { type: 'DeliveryReceived'; data: DeliveryReceivedData }
  | { type: 'DeliveryRejected'; data: DeliveryRejectedData }
  | { type: 'DeliveryValidated'; data: DeliveryValidatedData }
  | { type: 'ObservationsRecorded'; data: ObservationsRecordedData }
  | { type: 'DeliveryAccepted'; data: DeliveryAcceptedData };

export type DeliveryEventType = DeliveryEvent['type'];

export const DELIVERY_EVENT_TYPES: readonly DeliveryEventType[] = ['DeliveryReceived', 'DeliveryRejected', 'DeliveryValidated', 'ObservationsRecorded', 'DeliveryAccepted'];

export type DeliveryStatus = 'none' | 'received' | 'rejected' | 'recording' | 'accepted';

export interface DeliveryState {
  status: DeliveryStatus;
  received?: DeliveryReceivedData;
  validated?: DeliveryValidatedData;
  recordedBatches: number;
  recordedObservations: number;
}

export function initialDeliveryState(): DeliveryState {
  return { status: 'none', recordedBatches: 0, recordedObservations: 0 };
}

export function evolveDelivery(state: DeliveryState, event: DeliveryEvent): DeliveryState {
  switch (event.type) {
    case 'DeliveryReceived':
      return { ...state, status: 'received', received: event.data };
    case 'DeliveryRejected':
      return { ...state, status: 'rejected' };
    case 'DeliveryValidated':
      return { ...state, status: 'recording', validated: event.data };
    case 'ObservationsRecorded':
      return { ...state, recordedBatches: state.recordedBatches + 1, recordedObservations: state.recordedObservations + event.data.observations.length };
    case 'DeliveryAccepted':
      return { ...state, status: 'accepted' };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export function deliveryStream(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}
