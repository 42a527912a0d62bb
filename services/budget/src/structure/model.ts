/**
 * The budget structure of a tenant (stream `budget-structure-<tenant>`): the Produkte of its
 * Produkthaushalt with classification, responsibility and goal links (ProductDefined, an
 * integration event), and the deviation rules per level (DeviationRulesSet, private).
 */
import type { DeviationRule } from '../domain/report';
import type { ProductDefinedData } from '../integration-events';

export interface DeviationRulesSetData {
  rules: DeviationRule[];
}

export type StructureEvent = { type: 'ProductDefined'; data: ProductDefinedData } | { type: 'DeviationRulesSet'; data: DeviationRulesSetData };

export const STRUCTURE_EVENT_TYPES = ['ProductDefined', 'DeviationRulesSet'] as const;

export interface StructureState {
  /** Every definition of a Produkt in event order (the valid one per year is the latest valid from it). */
  products: Map<string, ProductDefinedData[]>;
  rules: DeviationRule[] | null;
}

export function initialStructureState(): StructureState {
  return { products: new Map(), rules: null };
}

export function evolveStructure(state: StructureState, event: StructureEvent): StructureState {
  switch (event.type) {
    case 'ProductDefined': {
      const products = new Map(state.products);
      products.set(event.data.productCode, [...(products.get(event.data.productCode) ?? []), event.data]);
      return { ...state, products };
    }
    case 'DeviationRulesSet':
      return { ...state, rules: event.data.rules };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The definition of a Produkt valid in a budget year (or the latest, without a year). */
export function productDefinition(state: StructureState, productCode: string, year?: number): ProductDefinedData | undefined {
  const definitions = state.products.get(productCode) ?? [];
  let best: ProductDefinedData | undefined;
  for (const d of definitions) {
    if (year !== undefined && d.validFromYear !== null && d.validFromYear > year) continue;
    if (!best || (d.validFromYear ?? -Infinity) >= (best.validFromYear ?? -Infinity)) best = d;
  }
  return best;
}

export function structureStream(tenant: string): string {
  return `budget-structure-${tenant}`;
}
