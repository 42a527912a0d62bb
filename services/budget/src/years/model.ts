/**
 * A tenant's budget year (stream `budget-year-<tenant>-<year>`): appropriations made through the
 * API (Ansatz, Nachtrag, Planung; imports carry theirs in the import stream), Übertragungen,
 * Umschichtungen, Hochrechnungen, detected deviations and the comments on them. All are
 * integration events (contracts/schemas/budget).
 */
import type {
  BudgetAppropriatedData,
  BudgetCarriedForwardData,
  BudgetReallocatedData,
  DeviationCommentedData,
  DeviationDetectedData,
  ForecastComputedData,
} from '../integration-events';

export type YearEvent =
  | { type: 'BudgetAppropriated'; data: BudgetAppropriatedData }
  | { type: 'BudgetCarriedForward'; data: BudgetCarriedForwardData }
  | { type: 'BudgetReallocated'; data: BudgetReallocatedData }
  | { type: 'ForecastComputed'; data: ForecastComputedData }
  | { type: 'DeviationDetected'; data: DeviationDetectedData }
  | { type: 'DeviationCommented'; data: DeviationCommentedData };

export const YEAR_EVENT_TYPES = ['BudgetAppropriated', 'BudgetCarriedForward', 'BudgetReallocated', 'ForecastComputed', 'DeviationDetected', 'DeviationCommented'] as const;

export interface YearState {
  appropriations: number;
  transferIds: Set<string>;
  reallocationIds: Set<string>;
  /** Latest forecast per cut-off date. */
  forecasts: Map<string, ForecastComputedData>;
  /** Latest detection per deviationKey. */
  deviations: Map<string, DeviationDetectedData>;
  /** Latest comment per deviationKey. */
  comments: Map<string, DeviationCommentedData>;
}

export function initialYearState(): YearState {
  return { appropriations: 0, transferIds: new Set(), reallocationIds: new Set(), forecasts: new Map(), deviations: new Map(), comments: new Map() };
}

export function deviationKey(d: { cutOffDate: string; level: string; code: string; accountKind: string }): string {
  return `${d.cutOffDate}|${d.level}|${d.code}|${d.accountKind}`;
}

export function evolveYear(state: YearState, event: YearEvent): YearState {
  switch (event.type) {
    case 'BudgetAppropriated':
      return { ...state, appropriations: state.appropriations + 1 };
    case 'BudgetCarriedForward':
      return { ...state, transferIds: new Set([...state.transferIds, event.data.transferId]) };
    case 'BudgetReallocated':
      return { ...state, reallocationIds: new Set([...state.reallocationIds, event.data.reallocationId]) };
    case 'ForecastComputed':
      return { ...state, forecasts: new Map(state.forecasts).set(event.data.cutOffDate, event.data) };
    case 'DeviationDetected':
      return { ...state, deviations: new Map(state.deviations).set(deviationKey(event.data), event.data) };
    case 'DeviationCommented':
      return { ...state, comments: new Map(state.comments).set(deviationKey(event.data), event.data) };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export function yearStream(tenant: string, year: number): string {
  return `budget-year-${tenant}-${year}`;
}
