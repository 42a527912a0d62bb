/**
 * A commitment (Mittelbindung / Obligo), stream `commitment-<tenant>-<commitmentId>`: recorded
 * through the API (an order, a grant notice) or derived from a contract of the goals service. For
 * a contract the stream also keeps the contract's financing terms per version (ContractTermsNoted,
 * private), because an amendment changes the amounts only from its effectiveFrom on.
 */
import type { ContractVersion } from '../domain/commitments';
import type { CommitmentRecordedData } from '../integration-events';

export interface ContractTermsNotedData {
  contractId: string;
  /** A version of the contract (concluded = 1, amendments +1); null for a termination. */
  version: ContractVersion | null;
  /** Last day of a terminated contract. */
  terminatedOn: string | null;
}

export type CommitmentEvent = { type: 'ContractTermsNoted'; data: ContractTermsNotedData } | { type: 'CommitmentRecorded'; data: CommitmentRecordedData };

export const COMMITMENT_EVENT_TYPES = ['ContractTermsNoted', 'CommitmentRecorded'] as const;

export interface CommitmentState {
  revision: number;
  current: CommitmentRecordedData | null;
  versions: ContractVersion[];
  terminatedOn: string | null;
}

export function initialCommitmentState(): CommitmentState {
  return { revision: 0, current: null, versions: [], terminatedOn: null };
}

export function evolveCommitment(state: CommitmentState, event: CommitmentEvent): CommitmentState {
  switch (event.type) {
    case 'ContractTermsNoted': {
      const { version, terminatedOn } = event.data;
      const versions = version ? [...state.versions.filter((v) => v.version !== version.version), version].sort((a, b) => a.version - b.version) : state.versions;
      return { ...state, versions, terminatedOn: terminatedOn ?? state.terminatedOn };
    }
    case 'CommitmentRecorded':
      return { ...state, revision: event.data.revision, current: event.data };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export function commitmentStream(tenant: string, commitmentId: string): string {
  return `commitment-${tenant}-${commitmentId}`;
}

export function contractCommitmentId(contractId: string): string {
  return `contract-${contractId}`;
}
