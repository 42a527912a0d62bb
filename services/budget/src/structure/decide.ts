/**
 * Commands on the budget structure and the decider (pure).
 */
import { BudgetRefusal } from '../domain/errors';
import { LEVEL_LABEL, type DeviationRule } from '../domain/report';
import type { ProductDefinedData } from '../integration-events';
import type { StructureEvent, StructureState } from './model';

export type StructureCommand = { type: 'DefineProduct'; data: ProductDefinedData } | { type: 'SetDeviationRules'; rules: DeviationRule[] };

const sameDefinition = (a: ProductDefinedData, b: ProductDefinedData) => JSON.stringify(a) === JSON.stringify(b);

export function decideStructure(command: StructureCommand, state: StructureState): StructureEvent[] {
  switch (command.type) {
    case 'DefineProduct': {
      const d = command.data;
      if (!/^\d{2}$/.test(d.productArea)) throw new BudgetRefusal(`Produktbereich „${d.productArea}“: erwartet werden zwei Ziffern des Produktrahmens, z. B. 05 oder 06.`);
      if (d.productGroup !== null && !d.productGroup.startsWith(d.productArea)) {
        throw new BudgetRefusal(`Die Produktgruppe ${d.productGroup} gehört nicht zum Produktbereich ${d.productArea}: ihre Nummer beginnt mit dem Produktbereich.`);
      }
      if (d.productGroup !== null && !d.productCode.startsWith(d.productGroup)) {
        throw new BudgetRefusal(`Das Produkt ${d.productCode} gehört nicht zur Produktgruppe ${d.productGroup}: seine Nummer beginnt mit der Produktgruppe.`);
      }
      if (new Set(d.goalIds).size !== d.goalIds.length) throw new BudgetRefusal(`Das Produkt ${d.productCode} nennt ein Ziel mehrfach.`);
      const history = state.products.get(d.productCode) ?? [];
      const last = history[history.length - 1];
      // The same definition again changes nothing (a repeated request, a re-seeded structure).
      if (last && sameDefinition(last, d)) return [];
      return [{ type: 'ProductDefined', data: d }];
    }
    case 'SetDeviationRules': {
      const seen = new Set<string>();
      for (const rule of command.rules) {
        if (seen.has(rule.level)) throw new BudgetRefusal(`Für die Ebene ${LEVEL_LABEL[rule.level]} ist mehr als eine Regel angegeben.`);
        seen.add(rule.level);
        if (rule.absoluteThresholdCents < 0 || rule.relativeThreshold < 0) throw new BudgetRefusal(`Die Schwellen der Ebene ${LEVEL_LABEL[rule.level]} dürfen nicht negativ sein.`);
      }
      if (state.rules && JSON.stringify(state.rules) === JSON.stringify(command.rules)) return [];
      return [{ type: 'DeviationRulesSet', data: { rules: command.rules } }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
