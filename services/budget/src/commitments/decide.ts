/**
 * Commands on a commitment and the decider (pure): a recorded commitment replaces its earlier
 * lines; a contract's terms are noted per version and the commitment follows from all of them.
 */
import { commitmentSchedule, type ContractVersion } from '../domain/commitments';
import { BudgetRefusal } from '../domain/errors';
import { describeLine, lineKey } from '../domain/lines';
import type { CommitmentLineData, CommitmentRecordedData } from '../integration-events';
import type { CommitmentEvent, CommitmentState } from './model';

export type CommitmentCommand =
  | { type: 'RecordCommitment'; data: Omit<CommitmentRecordedData, 'revision'> }
  | { type: 'NoteContractTerms'; contractId: string; description: string; version: ContractVersion | null; terminatedOn: string | null };

function sameLines(a: readonly CommitmentLineData[], b: readonly CommitmentLineData[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function decideCommitment(command: CommitmentCommand, state: CommitmentState): CommitmentEvent[] {
  switch (command.type) {
    case 'RecordCommitment': {
      const d = command.data;
      const seen = new Set<string>();
      for (const line of d.lines) {
        const key = `${line.budgetYear}|${lineKey(line)}`;
        if (seen.has(key)) throw new BudgetRefusal(`Mittelbindung ${d.commitmentId}: ${describeLine(line)} für ${line.budgetYear} steht mehrfach in der Liste.`);
        seen.add(key);
        if (line.amountCents < 0) throw new BudgetRefusal(`Mittelbindung ${d.commitmentId}: ${describeLine(line)}: der Betrag darf nicht negativ sein.`);
      }
      if (state.current && sameLines(state.current.lines, d.lines) && state.current.description === d.description) return [];
      return [{ type: 'CommitmentRecorded', data: { ...d, revision: state.revision + 1 } }];
    }
    case 'NoteContractTerms': {
      const noted: CommitmentEvent = { type: 'ContractTermsNoted', data: { contractId: command.contractId, version: command.version, terminatedOn: command.terminatedOn } };
      const known = command.version ? state.versions.find((v) => v.version === command.version!.version) : undefined;
      if (known && JSON.stringify(known) === JSON.stringify(command.version) && !command.terminatedOn) return [];
      if (!command.version && command.terminatedOn === state.terminatedOn) return [];
      const versions = command.version ? [...state.versions.filter((v) => v.version !== command.version!.version), command.version] : state.versions;
      const lines = commitmentSchedule(versions, command.terminatedOn ?? state.terminatedOn);
      const events: CommitmentEvent[] = [noted];
      if (!state.current || !sameLines(state.current.lines, lines) || state.current.description !== command.description) {
        events.push({
          type: 'CommitmentRecorded',
          data: { commitmentId: `contract-${command.contractId}`, source: 'VERTRAG', contractId: command.contractId, description: command.description, revision: state.revision + 1, lines },
        });
      }
      return events;
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
