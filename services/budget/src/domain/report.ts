/**
 * Plan / actual / forecast per Produkt, Produktgruppe and Produktbereich, the deviation rules, and
 * the data of the quarterly Abweichungsbericht (DOMAIN.md 6: Controlling reports quarterly to the
 * Verwaltungsführung with a Hochrechnung to year end).
 *
 * The Hochrechnung is made per Produkt and Kontenart from the Produkt's monthly Ist (all its
 * lines together: a Kostenstelle's single postings are too erratic for a profile) and summed
 * upwards; plans, Ist and Obligo are summed from the lines.
 */
import type { AccountKind, DeviationLevel } from '../integration-events';
import { forecastLine, type ForecastResult, type LineHistory } from './forecast';
import { actualThroughMonth, figuresOf, isSpending, type LedgerLine } from './lines';

export const LEVELS: readonly DeviationLevel[] = ['PRODUKTBEREICH', 'PRODUKTGRUPPE', 'PRODUKT'];

export const LEVEL_LABEL: Record<DeviationLevel, string> = { PRODUKTBEREICH: 'Produktbereich', PRODUKTGRUPPE: 'Produktgruppe', PRODUKT: 'Produkt' };

/** A deviation rule: both thresholds must be reached (set one to 0 to use the other alone). */
export interface DeviationRule {
  level: DeviationLevel;
  absoluteThresholdCents: number;
  /** 0.05 = 5 % of the fortgeschriebener Ansatz. */
  relativeThreshold: number;
  /** Report only more Aufwand / less Ertrag than planned. */
  onlyUnfavourable: boolean;
}

/** Defaults in the range cities use in their Haushaltssatzung for reportable deviations. */
export const DEFAULT_RULES: readonly DeviationRule[] = [
  { level: 'PRODUKTBEREICH', absoluteThresholdCents: 250_000_00, relativeThreshold: 0.03, onlyUnfavourable: false },
  { level: 'PRODUKTGRUPPE', absoluteThresholdCents: 100_000_00, relativeThreshold: 0.05, onlyUnfavourable: false },
  { level: 'PRODUKT', absoluteThresholdCents: 50_000_00, relativeThreshold: 0.05, onlyUnfavourable: false },
];

/** The Produktbereiche of the Produktrahmen (NKF NRW), for reports where the data name none. */
export const PRODUKTBEREICHE: Readonly<Record<string, string>> = {
  '01': 'Innere Verwaltung',
  '02': 'Sicherheit und Ordnung',
  '03': 'Schulträgeraufgaben',
  '04': 'Kultur und Wissenschaft',
  '05': 'Soziale Leistungen',
  '06': 'Kinder-, Jugend- und Familienhilfe',
  '07': 'Gesundheitsdienste',
  '08': 'Sportförderung',
  '09': 'Räumliche Planung und Entwicklung, Geoinformationen',
  '10': 'Bauen und Wohnen',
  '11': 'Ver- und Entsorgung',
  '12': 'Verkehrsflächen und -anlagen, ÖPNV',
  '13': 'Natur- und Landschaftspflege',
  '14': 'Umweltschutz',
  '15': 'Wirtschaft und Tourismus',
  '16': 'Allgemeine Finanzwirtschaft',
  '17': 'Stiftungen',
};

export interface ProductInfo {
  code: string;
  name: string;
  productArea: string;
  productGroup: string | null;
}

export interface UnitFigures {
  level: DeviationLevel;
  code: string;
  name: string;
  accountKind: AccountKind;
  adoptedCents: number;
  plannedCents: number;
  planungCents: number | null;
  commitmentCents: number;
  actualToDateCents: number;
  forecastCents: number;
  deviationCents: number;
  deviationRatio: number | null;
  unfavourable: boolean;
  /** Produktbereich and Produktgruppe (Produkt level only). */
  productArea?: string;
  productGroup?: string | null;
  /** Forecast details (Produkt level only). */
  forecast?: ForecastResult;
}

export interface ReportInput {
  year: number;
  /** Cut-off month 1-12. */
  month: number;
  /** The year's ledger lines. */
  lines: readonly LedgerLine[];
  /** Ledger lines of earlier years (for the seasonal profile). */
  history: readonly LedgerLine[];
  /** Names of Produkte, Produktgruppen and Produktbereiche by code. */
  names: ReadonlyMap<string, string>;
}

function productKindKey(productCode: string, kind: AccountKind): string {
  return `${productCode}|${kind}`;
}

function deviationOf(planned: number, forecast: number, kind: AccountKind): Pick<UnitFigures, 'deviationCents' | 'deviationRatio' | 'unfavourable'> {
  const deviation = forecast - planned;
  return {
    deviationCents: deviation,
    deviationRatio: planned === 0 ? null : deviation / Math.abs(planned),
    unfavourable: isSpending(kind) ? deviation > 0 : deviation < 0,
  };
}

/** Figures per unit of every level and Kontenart at the cut-off month. */
export function computeReport(input: ReportInput): UnitFigures[] {
  const histories = new Map<string, Map<number, number[]>>();
  for (const line of input.history) {
    const key = productKindKey(line.productCode, line.accountKind);
    let byYear = histories.get(key);
    if (!byYear) histories.set(key, (byYear = new Map()));
    const months = byYear.get(line.budgetYear) ?? new Array<number>(12).fill(0);
    const figures = figuresOf(line);
    for (let m = 0; m < 12; m += 1) months[m]! += figures.actualMonths[m]!;
    byYear.set(line.budgetYear, months);
  }

  interface Acc {
    info: { productArea: string; productGroup: string | null; productCode: string };
    kind: AccountKind;
    adopted: number;
    planned: number;
    planung: number | null;
    commitment: number;
    months: number[];
  }
  const products = new Map<string, Acc>();
  for (const line of input.lines) {
    const f = figuresOf(line);
    const key = productKindKey(line.productCode, line.accountKind);
    let acc = products.get(key);
    if (!acc) {
      acc = { info: { productArea: line.productArea, productGroup: line.productGroup, productCode: line.productCode }, kind: line.accountKind, adopted: 0, planned: 0, planung: null, commitment: 0, months: new Array<number>(12).fill(0) };
      products.set(key, acc);
    }
    acc.adopted += f.adoptedCents ?? 0;
    acc.planned += f.plannedCents;
    if (f.planungCents !== null) acc.planung = (acc.planung ?? 0) + f.planungCents;
    acc.commitment += f.commitmentCents;
    for (let m = 0; m < 12; m += 1) acc.months[m]! += f.actualMonths[m]!;
  }

  const out: UnitFigures[] = [];
  const groups = new Map<string, UnitFigures>();
  const add = (level: DeviationLevel, code: string, kind: AccountKind, p: UnitFigures) => {
    const key = `${level}|${code}|${kind}`;
    const existing = groups.get(key);
    if (!existing) {
      const { forecast: _forecast, productArea: _area, productGroup: _group, ...figures } = p;
      groups.set(key, { ...figures, level, code, name: input.names.get(code) ?? (level === 'PRODUKTBEREICH' ? PRODUKTBEREICHE[code] : undefined) ?? code });
      return;
    }
    existing.adoptedCents += p.adoptedCents;
    existing.plannedCents += p.plannedCents;
    existing.planungCents = p.planungCents === null ? existing.planungCents : (existing.planungCents ?? 0) + p.planungCents;
    existing.commitmentCents += p.commitmentCents;
    existing.actualToDateCents += p.actualToDateCents;
    existing.forecastCents += p.forecastCents;
  };

  for (const [key, acc] of products) {
    const history: LineHistory = { monthsByYear: histories.get(key) ?? new Map() };
    const forecast = forecastLine({ year: input.year, month: input.month, months: acc.months, history, plannedCents: acc.planned, commitmentCents: acc.commitment, spending: isSpending(acc.kind) });
    const unit: UnitFigures = {
      level: 'PRODUKT',
      code: acc.info.productCode,
      productArea: acc.info.productArea,
      productGroup: acc.info.productGroup,
      name: input.names.get(acc.info.productCode) ?? acc.info.productCode,
      accountKind: acc.kind,
      adoptedCents: acc.adopted,
      plannedCents: acc.planned,
      planungCents: acc.planung,
      commitmentCents: acc.commitment,
      actualToDateCents: actualThroughMonth(acc.months, input.month),
      forecastCents: forecast.forecastCents,
      ...deviationOf(acc.planned, forecast.forecastCents, acc.kind),
      forecast,
    };
    out.push(unit);
    // Budgets without a Produkt level (Münster: Produktgruppen only) keep the group as Produkt.
    if (acc.info.productGroup && acc.info.productGroup !== acc.info.productCode) add('PRODUKTGRUPPE', acc.info.productGroup, acc.kind, unit);
    add('PRODUKTBEREICH', acc.info.productArea, acc.kind, unit);
  }
  for (const unit of groups.values()) {
    Object.assign(unit, deviationOf(unit.plannedCents, unit.forecastCents, unit.accountKind));
    out.push(unit);
  }
  const order = (l: DeviationLevel) => LEVELS.indexOf(l);
  return out.sort((a, b) => order(a.level) - order(b.level) || a.code.localeCompare(b.code) || a.accountKind.localeCompare(b.accountKind));
}

/** Whether a unit's deviation reaches the rule of its level. */
export function breaches(unit: UnitFigures, rules: readonly DeviationRule[]): DeviationRule | undefined {
  const rule = rules.find((r) => r.level === unit.level);
  if (!rule) return undefined;
  if (unit.deviationCents === 0) return undefined;
  if (rule.onlyUnfavourable && !unit.unfavourable) return undefined;
  if (Math.abs(unit.deviationCents) < rule.absoluteThresholdCents) return undefined;
  if (unit.deviationRatio !== null && Math.abs(unit.deviationRatio) < rule.relativeThreshold) return undefined;
  return rule;
}

/** The last day of a month as ISO date. */
export function monthEnd(year: number, month: number): string {
  const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Cut-off month of a quarter (1-4). */
export function quarterMonth(quarter: number): number {
  return quarter * 3;
}
