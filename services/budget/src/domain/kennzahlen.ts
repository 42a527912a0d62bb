/**
 * Financial Kennzahlen for the indicator service (DOMAIN.md 6). The budget service publishes the
 * money as observations of the indicator catalogue's finance variables; the indicator service
 * forms the ratios with what it already has from other deliveries:
 *
 * | variable                 | what                                                    | indicator (catalogue)            |
 * |--------------------------|---------------------------------------------------------|----------------------------------|
 * | aufwand, ertrag          | Ist per Produktbereich / -gruppe / Produkt (dimension)  | aufwand_je_1000 (with ew), kostendeckung |
 * | aufwand_gesamt           | Ist Aufwand of the whole budget                         | anteil_gesamtaufwand             |
 * | aufwand_praevention, aufwand_einzelfallhilfe | by classification                   | praeventionsanteil               |
 * | a Produkt's kennzahlVariables (aufwand_hze, aufwand_sgb2) | Aufwand of the Produkte so marked | kosten_je_hze with the case numbers (hze_gesamt) delivered to ingestion |
 * | aufwand_ansatz, soll_ist_abweichung | fortgeschriebener Ansatz and Ist - Ansatz (Aufwand) | Soll-Ist-Abweichung            |
 *
 * The plain variable (no dimension) is the whole budget; the breakdowns carry the dimension
 * `produktbereich`, `produktgruppe` or `produkt`. Values in EUR, period = the Haushaltsjahr.
 */
import { classificationOf, type ProductClassification } from './prevention';
import { figuresOf, type LedgerLine } from './lines';

export interface KennzahlObservation {
  variable: string;
  dimensions: Record<string, string>;
  valueEuro: number;
}

export const BREAKDOWNS = ['produktbereich', 'produktgruppe', 'produkt'] as const;

export function financialKennzahlen(lines: readonly LedgerLine[], definitions: readonly ProductClassification[], variablesByProduct: ReadonlyMap<string, readonly string[]>): KennzahlObservation[] {
  const sums = new Map<string, KennzahlObservation>();
  const add = (variable: string, dimensions: Record<string, string>, cents: number) => {
    const key = `${variable}|${JSON.stringify(dimensions)}`;
    const existing = sums.get(key);
    if (existing) existing.valueEuro += cents;
    else sums.set(key, { variable, dimensions, valueEuro: cents });
  };
  const withBreakdowns = (variable: string, line: LedgerLine, cents: number) => {
    add(variable, {}, cents);
    add(variable, { produktbereich: line.productArea }, cents);
    if (line.productGroup) add(variable, { produktgruppe: line.productGroup }, cents);
    if (line.productCode !== line.productGroup) add(variable, { produkt: line.productCode }, cents);
  };
  for (const line of lines) {
    const f = figuresOf(line);
    if (line.accountKind === 'ERTRAG') {
      if (f.postingCount > 0) withBreakdowns('ertrag', line, f.actualCents);
      continue;
    }
    if (line.accountKind !== 'AUFWAND') continue;
    withBreakdowns('aufwand_ansatz', line, f.plannedCents);
    if (f.postingCount === 0) continue;
    withBreakdowns('aufwand', line, f.actualCents);
    withBreakdowns('soll_ist_abweichung', line, f.actualCents - f.plannedCents);
    add('aufwand_gesamt', {}, f.actualCents);
    const c = classificationOf(line, definitions);
    if (c.prevention === 'PRAEVENTIV') add('aufwand_praevention', {}, f.actualCents);
    if (c.prevention === 'NACHSORGEND' && c.approach === 'INDIVIDUELL') add('aufwand_einzelfallhilfe', {}, f.actualCents);
    for (const variable of variablesByProduct.get(line.productCode) ?? []) add(variable, {}, f.actualCents);
  }
  return [...sums.values()].map((o) => ({ ...o, valueEuro: o.valueEuro / 100 }));
}
