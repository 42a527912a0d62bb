/** A small vocabulary and node builders for the formula tests. */
import type { FormulaNode, VariableInfo } from '../../src/formula';

export const vocabulary: ReadonlyMap<string, VariableInfo> = new Map<string, VariableInfo>([
  ['ew', { unit: 'Personen', additive: true, name: 'Einwohner' }],
  ['ew_jahresmittel', { unit: 'Personen', additive: false }],
  ['ew_15_bis_unter_65', { unit: 'Personen', additive: true }],
  ['arbeitslose', { unit: 'Personen', additive: true, name: 'Arbeitslose' }],
  ['zuzuege', { unit: 'Personen', additive: true }],
  ['fortzuege', { unit: 'Personen', additive: true }],
  ['haushalte', { unit: 'Haushalte', additive: true }],
  ['alleinerziehende', { unit: 'Haushalte', additive: true }],
  ['hze_33', { unit: 'Fälle', additive: true }],
  ['hze_34', { unit: 'Fälle', additive: true }],
  ['ausgaben_eur', { unit: 'EUR', additive: true }],
  ['wohnflaeche', { unit: 'm²', additive: true }],
  ['miete_qm', { unit: 'EUR/m²', additive: false }],
  ['personen_je_haushalt', { unit: 'Personen/Haushalte', additive: false }],
  ['anteil_sgb2', { unit: '%', additive: false }],
  ['ohne_einheit', { unit: '', additive: true }],
]);

export const num = (value: number): FormulaNode => ({ kind: 'number', value });
export const v = (code: string): FormulaNode => ({ kind: 'variable', code });
export const neg = (operand: FormulaNode): FormulaNode => ({ kind: 'negate', operand });
export const lag = (operand: FormulaNode, periods: number): FormulaNode => ({ kind: 'lag', operand, periods });
export const sum = (...operands: FormulaNode[]): FormulaNode => ({ kind: 'sum', operands });
export const add = (left: FormulaNode, right: FormulaNode): FormulaNode => ({ kind: 'binary', op: '+', left, right });
export const sub = (left: FormulaNode, right: FormulaNode): FormulaNode => ({ kind: 'binary', op: '-', left, right });
export const mul = (left: FormulaNode, right: FormulaNode): FormulaNode => ({ kind: 'binary', op: '*', left, right });
export const div = (left: FormulaNode, right: FormulaNode): FormulaNode => ({ kind: 'binary', op: '/', left, right });
