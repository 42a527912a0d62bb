/**
 * Commands on a delivery and the decider (pure). The expensive parts (reading and checking a
 * file of millions of rows) happen outside, in the pipeline; the decider keeps the lifecycle
 * honest: a delivery is received once, decided once (rejected or validated), its batches are
 * recorded in order and completely, and only then is it accepted.
 */
import type {
  DeliveryAcceptedData,
  DeliveryEvent,
  DeliveryReceivedData,
  DeliveryRejectedData,
  DeliveryState,
  DeliveryValidatedData,
  ObservationsRecordedData,
} from './model';

export type DeliveryCommand =
  | { type: 'ReceiveDelivery'; data: DeliveryReceivedData }
  | { type: 'RejectDelivery'; data: DeliveryRejectedData }
  | { type: 'ValidateDelivery'; data: DeliveryValidatedData }
  | { type: 'RecordObservations'; batches: readonly ObservationsRecordedData[] }
  | { type: 'AcceptDelivery'; data: DeliveryAcceptedData };

/** The command does not fit the delivery's state (a programming or concurrency error, 409). */
export class DeliveryStateError extends Error {
  constructor(
    readonly deliveryId: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'DeliveryStateError';
  }
}

function requireStatus(state: DeliveryState, id: string, wanted: DeliveryState['status'], action: string): void {
  if (state.status !== wanted) throw new DeliveryStateError(id, `Die Lieferung ${id} kann nicht ${action}: sie ist im Zustand „${state.status}“.`);
}

/**
 * Returns the events of the command. `ReceiveDelivery` on an existing delivery returns none: the
 * same content delivered again changes nothing.
 */
export function decideDelivery(command: DeliveryCommand, state: DeliveryState): DeliveryEvent[] {
  switch (command.type) {
    case 'ReceiveDelivery':
      if (state.status !== 'none') return [];
      return [{ type: 'DeliveryReceived', data: command.data }];
    case 'RejectDelivery':
      requireStatus(state, command.data.deliveryId, 'received', 'abgelehnt werden');
      if (command.data.errorCount === 0) throw new DeliveryStateError(command.data.deliveryId, 'Eine Ablehnung braucht mindestens einen Fehler.');
      return [{ type: 'DeliveryRejected', data: command.data }];
    case 'ValidateDelivery':
      requireStatus(state, command.data.deliveryId, 'received', 'als geprüft gelten');
      if (command.data.errorCount > 0) throw new DeliveryStateError(command.data.deliveryId, 'Eine Lieferung mit Fehlern kann nicht als geprüft gelten.');
      return [{ type: 'DeliveryValidated', data: command.data }];
    case 'RecordObservations': {
      const id = state.received?.deliveryId ?? '?';
      requireStatus(state, id, 'recording', 'Beobachtungen erfassen');
      const expected = state.validated!.batchCount;
      let next = state.recordedBatches + 1;
      for (const batch of command.batches) {
        if (batch.deliveryId !== id) throw new DeliveryStateError(id, `Stapel ${batch.batchNumber} gehört zur Lieferung ${batch.deliveryId}.`);
        if (batch.batchNumber !== next) throw new DeliveryStateError(id, `Stapel ${batch.batchNumber} kommt außer der Reihe; erwartet wird Stapel ${next}.`);
        if (batch.batchNumber > expected) throw new DeliveryStateError(id, `Die Lieferung hat nur ${expected} Stapel.`);
        if (batch.isLastBatch !== (batch.batchNumber === expected)) throw new DeliveryStateError(id, `Stapel ${batch.batchNumber}: isLastBatch passt nicht zu ${expected} Stapeln.`);
        next += 1;
      }
      return command.batches.map((data) => ({ type: 'ObservationsRecorded' as const, data }));
    }
    case 'AcceptDelivery': {
      const id = command.data.deliveryId;
      requireStatus(state, id, 'recording', 'angenommen werden');
      const validated = state.validated!;
      if (state.recordedBatches !== validated.batchCount) {
        throw new DeliveryStateError(id, `Erst ${state.recordedBatches} von ${validated.batchCount} Stapeln sind erfasst.`);
      }
      if (state.recordedObservations !== validated.observationCount || command.data.observationCount !== validated.observationCount) {
        throw new DeliveryStateError(id, `Erfasst sind ${state.recordedObservations} Beobachtungen, geprüft wurden ${validated.observationCount}.`);
      }
      return [{ type: 'DeliveryAccepted', data: command.data }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
