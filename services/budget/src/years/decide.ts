/**
 * Commands on a budget year and the decider (pure). Figures the decider needs from the ledger
 * (what is still available on a line, whether an Ansatz exists) arrive with the command: the
 * application reads them from the ledger read model just before deciding.
 */
import { BudgetRefusal } from '../domain/errors';
import { describeLine, formatEuro, lineKey, sameLine } from '../domain/lines';
import { LEVEL_LABEL } from '../domain/report';
import type {
  BudgetAppropriatedData,
  BudgetCarriedForwardData,
  BudgetReallocatedData,
  DeviationCommentedData,
  DeviationDetectedData,
  ForecastComputedData,
} from '../integration-events';
import { deviationKey, type YearEvent, type YearState } from './model';

export type YearCommand =
  | { type: 'Appropriate'; data: BudgetAppropriatedData; ansatzExists: boolean }
  | { type: 'CarryForward'; data: BudgetCarriedForwardData; availableInFromYear: ReadonlyMap<string, number> }
  | { type: 'Reallocate'; data: BudgetReallocatedData; availableOnFromLine: number }
  | { type: 'RecordDeviationCheck'; forecast: ForecastComputedData; deviations: readonly DeviationDetectedData[] }
  | { type: 'CommentDeviation'; data: DeviationCommentedData };

function requireDistinctLines(lines: ReadonlyArray<Parameters<typeof lineKey>[0]>, what: string): void {
  const seen = new Set<string>();
  for (const line of lines) {
    const key = lineKey(line);
    if (seen.has(key)) throw new BudgetRefusal(`${what}: ${describeLine(line)} steht mehrfach in der Liste.`);
    seen.add(key);
  }
}

const sameFigures = (a: DeviationDetectedData, b: DeviationDetectedData) =>
  a.plannedCents === b.plannedCents && a.actualToDateCents === b.actualToDateCents && a.forecastCents === b.forecastCents && a.absoluteThresholdCents === b.absoluteThresholdCents && a.relativeThreshold === b.relativeThreshold;

export function decideYear(command: YearCommand, state: YearState): YearEvent[] {
  switch (command.type) {
    case 'Appropriate': {
      const d = command.data;
      if (d.lines.length === 0) throw new BudgetRefusal('Die Veranschlagung enthält keine Haushaltsposition.');
      requireDistinctLines(d.lines, 'Veranschlagung');
      if (d.kind === 'NACHTRAG' && !command.ansatzExists) {
        throw new BudgetRefusal(`Ein Nachtrag für ${d.budgetYear} setzt einen Ansatz voraus; für ${d.budgetYear} ist noch keiner veranschlagt.`, 'conflict');
      }
      return [{ type: 'BudgetAppropriated', data: d }];
    }
    case 'CarryForward': {
      const d = command.data;
      if (state.transferIds.has(d.transferId)) return [];
      if (d.fromYear !== d.budgetYear - 1) throw new BudgetRefusal(`Übertragen wird aus dem Vorjahr: aus ${d.budgetYear - 1} nach ${d.budgetYear}, nicht aus ${d.fromYear}.`);
      if (d.lines.length === 0) throw new BudgetRefusal('Die Übertragung enthält keine Haushaltsposition.');
      requireDistinctLines(d.lines, 'Übertragung');
      for (const line of d.lines) {
        if (line.amountCents <= 0) throw new BudgetRefusal(`Übertragung ${describeLine(line)}: der Betrag muss positiv sein.`);
        const available = command.availableInFromYear.get(lineKey(line)) ?? 0;
        if (line.amountCents > available) {
          throw new BudgetRefusal(
            `Übertragung ${describeLine(line)}: ${formatEuro(line.amountCents)} sind mehr als die in ${d.fromYear} nicht verbrauchte Ermächtigung (${formatEuro(Math.max(0, available))}: fortgeschriebener Ansatz abzüglich Ist und Obligo).`,
            'conflict',
          );
        }
      }
      return [{ type: 'BudgetCarriedForward', data: d }];
    }
    case 'Reallocate': {
      const d = command.data;
      if (state.reallocationIds.has(d.reallocationId)) return [];
      if (d.amountCents <= 0) throw new BudgetRefusal('Der umgeschichtete Betrag muss positiv sein.');
      if (sameLine(d.from, d.to)) throw new BudgetRefusal(`Umschichtung: abgebende und empfangende Position sind dieselbe (${describeLine(d.from)}).`);
      if (d.from.accountKind !== d.to.accountKind) {
        throw new BudgetRefusal(`Umgeschichtet wird innerhalb einer Kontenart: ${describeLine(d.from)} und ${describeLine(d.to)} haben verschiedene.`);
      }
      if (d.reason.trim() === '') throw new BudgetRefusal('Eine Umschichtung braucht eine Begründung.');
      if (d.amountCents > command.availableOnFromLine) {
        throw new BudgetRefusal(
          `Umschichtung: auf ${describeLine(d.from)} sind nur ${formatEuro(Math.max(0, command.availableOnFromLine))} verfügbar (fortgeschriebener Ansatz abzüglich Ist und Obligo), umgeschichtet werden sollen ${formatEuro(d.amountCents)}.`,
          'conflict',
        );
      }
      return [{ type: 'BudgetReallocated', data: d }];
    }
    case 'RecordDeviationCheck': {
      const events: YearEvent[] = [];
      const previous = state.forecasts.get(command.forecast.cutOffDate);
      if (!previous || JSON.stringify(previous) !== JSON.stringify(command.forecast)) events.push({ type: 'ForecastComputed', data: command.forecast });
      for (const deviation of command.deviations) {
        const known = state.deviations.get(deviationKey(deviation));
        if (known && sameFigures(known, deviation)) continue;
        events.push({ type: 'DeviationDetected', data: deviation });
      }
      return events;
    }
    case 'CommentDeviation': {
      const d = command.data;
      if (d.comment.trim() === '') throw new BudgetRefusal('Der Kommentar ist leer.');
      if (!state.deviations.has(deviationKey(d))) {
        throw new BudgetRefusal(`Für ${LEVEL_LABEL[d.level]} ${d.code} (${d.accountKind === 'ERTRAG' ? 'Ertrag' : 'Aufwand'}) ist zum Stichtag ${d.cutOffDate} keine Abweichung festgestellt; kommentiert werden festgestellte Abweichungen.`, 'not-found');
      }
      const known = state.comments.get(deviationKey(d));
      if (known && known.comment === d.comment && known.measures === d.measures && known.author === d.author) return [];
      return [{ type: 'DeviationCommented', data: d }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
