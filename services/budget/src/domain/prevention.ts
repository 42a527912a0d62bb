/**
 * The preventive share of spending and its change over the years (DOMAIN.md 6, Göttingen:
 * "Prävention vor Intervention", financed by moving money from Einzelfallhilfe to prevention).
 *
 * Every Aufwand line is classified: the classification stated on its latest appropriation line,
 * else its Produkt's (the definition valid in that year, so a later reclassification does not
 * rewrite earlier years), else not classified. Per year the Ist counts where the year is closed
 * (has postings in December), else the fortgeschriebener Ansatz, or for years of the
 * Finanzplanung the planned value; the basis is named in every row.
 *
 * Präventionsanteil = Aufwand präventiv / (Aufwand präventiv + Aufwand Einzelfallhilfe), with
 * Einzelfallhilfe = nachsorgend and individuell: the formula of the indicator catalogue
 * (praeventionsanteil, no. 49), so the budget service and the indicator service agree.
 */
import type { ApproachClass, PreventionClass } from '../integration-events';
import { figuresOf, UNCLASSIFIED, type Classification, type LedgerLine } from './lines';

export interface ProductClassification {
  productCode: string;
  validFromYear: number | null;
  classification: Classification;
}

export interface PreventionYear {
  year: number;
  basis: 'IST' | 'ANSATZ';
  /** Aufwand by classification, euro cents. */
  byPrevention: Record<PreventionClass, number>;
  byApproach: Record<ApproachClass, number>;
  /** Nachsorgend and individuell. */
  einzelfallhilfeCents: number;
  totalCents: number;
  /** Präventiv / (präventiv + Einzelfallhilfe); null when both are 0. */
  praeventionsanteil: number | null;
  /** Präventiv / (präventiv + nachsorgend). */
  praeventivAnteilKlassifiziert: number | null;
  /** Change of praeventionsanteil against the previous row, in percentage points. */
  changePoints: number | null;
}

/** The classification of a Produkt valid in a year: the latest definition valid from that year on. */
export function productClassificationFor(definitions: readonly ProductClassification[], productCode: string, year: number): Classification {
  let best: ProductClassification | undefined;
  for (const d of definitions) {
    if (d.productCode !== productCode) continue;
    if (d.validFromYear !== null && d.validFromYear > year) continue;
    // Later entries win among those valid; definitions come in event order.
    if (!best || (d.validFromYear ?? -Infinity) >= (best.validFromYear ?? -Infinity)) best = d;
  }
  return best?.classification ?? UNCLASSIFIED;
}

export function classificationOf(line: LedgerLine, definitions: readonly ProductClassification[]): Classification {
  if (line.classification && (line.classification.prevention !== 'NICHT_ZUGEORDNET' || line.classification.approach !== 'NICHT_ZUGEORDNET')) {
    const product = productClassificationFor(definitions, line.productCode, line.budgetYear);
    return {
      prevention: line.classification.prevention !== 'NICHT_ZUGEORDNET' ? line.classification.prevention : product.prevention,
      approach: line.classification.approach !== 'NICHT_ZUGEORDNET' ? line.classification.approach : product.approach,
    };
  }
  return productClassificationFor(definitions, line.productCode, line.budgetYear);
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

export function preventiveShare(lines: readonly LedgerLine[], definitions: readonly ProductClassification[]): PreventionYear[] {
  const byYear = new Map<number, LedgerLine[]>();
  for (const line of lines) {
    if (line.accountKind !== 'AUFWAND') continue;
    const list = byYear.get(line.budgetYear) ?? [];
    list.push(line);
    byYear.set(line.budgetYear, list);
  }
  const rows: PreventionYear[] = [];
  for (const year of [...byYear.keys()].sort((a, b) => a - b)) {
    const yearLines = byYear.get(year)!;
    const figures = yearLines.map((l) => ({ line: l, f: figuresOf(l) }));
    // A year counts with its Ist once it is closed (postings in December); a year in progress
    // would show half a year's Ist against nothing, so it counts with its plan.
    const hasActual = figures.some((x) => x.f.postingCount > 0) && figures.some((x) => x.f.actualMonths[11] !== 0);
    const byPrevention: Record<PreventionClass, number> = { PRAEVENTIV: 0, NACHSORGEND: 0, NICHT_ZUGEORDNET: 0 };
    const byApproach: Record<ApproachClass, number> = { STRUKTURELL: 0, INDIVIDUELL: 0, NICHT_ZUGEORDNET: 0 };
    let einzelfall = 0;
    let total = 0;
    for (const { line, f } of figures) {
      // Plan years: the fortgeschriebener Ansatz, or the Finanzplanung where no Ansatz is adopted yet.
      const cents = hasActual ? f.actualCents : f.adoptedCents !== null ? f.plannedCents : f.planungCents ?? f.plannedCents;
      const c = classificationOf(line, definitions);
      byPrevention[c.prevention] += cents;
      byApproach[c.approach] += cents;
      if (c.prevention === 'NACHSORGEND' && c.approach === 'INDIVIDUELL') einzelfall += cents;
      total += cents;
    }
    const share = ratio(byPrevention.PRAEVENTIV, byPrevention.PRAEVENTIV + einzelfall);
    const previous = rows[rows.length - 1];
    rows.push({
      year,
      basis: hasActual ? 'IST' : 'ANSATZ',
      byPrevention,
      byApproach,
      einzelfallhilfeCents: einzelfall,
      totalCents: total,
      praeventionsanteil: share,
      praeventivAnteilKlassifiziert: ratio(byPrevention.PRAEVENTIV, byPrevention.PRAEVENTIV + byPrevention.NACHSORGEND),
      changePoints: share === null || previous?.praeventionsanteil === null || previous === undefined ? null : Math.round((share - previous.praeventionsanteil!) * 10000) / 100,
    });
  }
  return rows;
}
