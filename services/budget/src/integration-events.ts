/**
 * The integration events of the budget service, typed by what contracts/ generates from the
 * Avro schemas (contracts/schemas/budget). The generated types are the reader's view, in which a
 * field with a default may be absent; a producer writes every field, so the service works with
 * them complete.
 */
import type {
  AccountKind,
  ActualPosted,
  ApproachClass,
  BudgetAppropriated,
  BudgetCarriedForward,
  BudgetReallocated,
  CommitmentRecorded,
  Decision,
  DeliveryAccepted,
  DeviationCommented,
  DeviationDetected,
  DeviationLevel,
  ForecastComputed,
  ForecastMethod,
  ObservationsRecorded,
  PreventionClass,
  ProductDefined,
} from '@lagebild/contracts';

/** Every field present, through nested records and arrays (defaults written out). */
export type Complete<T> = T extends readonly (infer U)[] ? Array<Complete<U>> : T extends object ? { [K in keyof T]-?: Complete<T[K]> } : T;

export type ActualPostedData = Complete<ActualPosted>;
export type BudgetAppropriatedData = Complete<BudgetAppropriated>;
export type BudgetCarriedForwardData = Complete<BudgetCarriedForward>;
export type BudgetReallocatedData = Complete<BudgetReallocated>;
export type CommitmentRecordedData = Complete<CommitmentRecorded>;
export type ForecastComputedData = Complete<ForecastComputed>;
export type DeviationDetectedData = Complete<DeviationDetected>;
export type DeviationCommentedData = Complete<DeviationCommented>;
export type ProductDefinedData = Complete<ProductDefined>;
export type ObservationsRecordedData = Complete<ObservationsRecorded>;
export type DeliveryAcceptedData = Complete<DeliveryAccepted>;

export type PostingData = ActualPostedData['postings'][number];
export type BudgetLineData = BudgetAppropriatedData['lines'][number];
export type CommitmentLineData = CommitmentRecordedData['lines'][number];
export type ForecastLineData = ForecastComputedData['lines'][number];
export type DecisionData = Complete<Decision>;

export type { AccountKind, ApproachClass, DeviationLevel, ForecastMethod, PreventionClass };
