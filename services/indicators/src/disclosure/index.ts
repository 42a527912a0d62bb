export {
  type CellDecision,
  type CellStatus,
  type DisclosureRules,
  type HierarchyCell,
  DEFAULT_DISCLOSURE_RULES,
  DisclosureInputError,
} from './model';
export { primaryRule } from './primary';
export { protect } from './protect';
export { disclosedCells } from './audit';
