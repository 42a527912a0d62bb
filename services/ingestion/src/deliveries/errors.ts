/**
 * Every finding a delivery can produce: the codes of the file itself (encoding, syntax, columns,
 * numbers), shared with every service that reads files (@lagebild/platform, files/findings.ts),
 * and the codes of deliveries (areas, periods, schemes, plausibility). A stable machine code
 * (tests, the bad-input corpus and clients key on it: codes are never renamed or reused, only
 * added) and a German message template that names file, line, column, value and what was
 * expected, so a Sachbearbeiterin can fix the cell without asking anyone.
 */
import {
  buildFinding,
  describePlace,
  FILE_ERROR_CODES,
  FILE_FINDING_TEMPLATES,
  FindingCollector as FileFindingCollector,
  formatNumber,
  quoted,
  renderMessage,
  type FileFinding,
  type FindingFacts,
  type FindingSeverity,
  type FindingTemplates,
} from '@lagebild/platform';

export const DELIVERY_ERROR_CODES = [
  ...FILE_ERROR_CODES,
  // Cells
  'ROW_STATUS_UNKNOWN',
  'VARIABLE_UNKNOWN',
  // Periods and schemes
  'PERIOD_MISSING',
  'PERIOD_INVALID',
  'SCHEME_VERSION_MISSING',
  'SCHEME_UNKNOWN',
  // Areas
  'AREA_EMPTY',
  'AREA_UNKNOWN',
  'AREA_AMBIGUOUS',
  'AREA_NOT_MAPPED',
  'AREA_MISSING',
  'AREA_FORBIDDEN',
  // Plausibility
  'DUPLICATE',
  'NEGATIVE_COUNT',
  'PART_EXCEEDS_TOTAL',
  'RATE_OUT_OF_RANGE',
  'TOTALS_MISMATCH',
  'TOTALS_ROW_EXCLUDED',
  'NO_OBSERVATIONS',
  // Added after the first release of the list: requests
  'PROFILE_UNKNOWN',
] as const;

export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];

/** One finding of the validation report. */
export type DeliveryFinding = FileFinding<DeliveryErrorCode>;

/** German message per code: the file codes as the platform writes them, then the delivery codes. */
const TEMPLATES: FindingTemplates<DeliveryErrorCode> = {
  ...FILE_FINDING_TEMPLATES,
  ROW_STATUS_UNKNOWN: (f) => `${describePlace(f)}: Der Gültigkeitsvermerk ist unbekannt.`,
  VARIABLE_UNKNOWN: (f) => `${describePlace(f)}: Die Variable gehört nicht zum Datensatz ${quoted(f.dataset)}.`,
  PERIOD_MISSING: (f) => `${describePlace(f)}: Der Zeitraum der Lieferung fehlt${f.reason ? ` (${String(f.reason)})` : ''}.`,
  PERIOD_INVALID: (f) => `${describePlace(f)}: Der Zeitraum ist ungültig.`,
  SCHEME_VERSION_MISSING: (f) => `${describePlace(f)}: Für den Stichtag ${String(f.date)} gibt es keine Version der Gebietsgliederung ${quoted(f.scheme)}.`,
  SCHEME_UNKNOWN: (f) => `${describePlace(f)}: Die Gebietsgliederung ${quoted(f.scheme)} des Lieferprofils ist nicht angelegt${f.version !== undefined ? ` (Version ${String(f.version)})` : ''}.`,
  AREA_EMPTY: (f) => `${describePlace(f)}: Das Gebiet fehlt.`,
  AREA_UNKNOWN: (f) => `${describePlace(f)}: Das Gebiet ist in der Gebietsgliederung ${quoted(f.scheme)} (Version ${String(f.schemeVersion)}) unbekannt.`,
  AREA_AMBIGUOUS: (f) => `${describePlace(f)}: Der Gebietsname ist mehrdeutig (${String(f.candidates)}); im Lieferprofil eine Zuordnung (nameMap) eintragen.`,
  AREA_NOT_MAPPED: (f) => `${describePlace(f)}: Das Gebiet wird laut Lieferprofil bewusst keinem Gebiet zugeordnet; die Zeile wird nicht übernommen.`,
  AREA_MISSING: (f) =>
    f.count === 1
      ? `Datei „${f.file}“: 1 Gebiet der Gebietsgliederung ${quoted(f.scheme)} fehlt in der Lieferung: ${String(f.list)}.`
      : `Datei „${f.file}“: ${formatNumber(f.count)} Gebiete der Gebietsgliederung ${quoted(f.scheme)} fehlen in der Lieferung: ${String(f.list)}.`,
  AREA_FORBIDDEN: (f) =>
    `${describePlace(f)}: Das Gebiet gehört nicht zum Mandanten ${String(f.tenant)}, sondern zu ${String(f.owner)}; geliefert werden dürfen nur eigene Gebiete (ein Kreis auch die seiner Mitgliedsgemeinden).`,
  DUPLICATE: (f) => `${describePlace(f)}: Gebiet ${quoted(f.area)}, Variable ${quoted(f.variable)}, Zeitraum ${String(f.period)} wurde schon in Zeile ${String(f.firstLine)} geliefert.`,
  NEGATIVE_COUNT: (f) => `${describePlace(f)}: Eine Anzahl (${String(f.variable)}) kann nicht negativ sein.`,
  PART_EXCEEDS_TOTAL: (f) => `${describePlace(f)}: Gebiet ${quoted(f.value)}: ${String(f.part)} (${formatNumber(f.partValue)}) ist größer als ${String(f.total)} (${formatNumber(f.totalValue)}).`,
  RATE_OUT_OF_RANGE: (f) => `${describePlace(f)}: Der Anteil ${String(f.variable)} liegt über ${formatNumber(f.max)}.`,
  TOTALS_MISMATCH: (f) => `${describePlace(f)}: Die Summenzeile ${quoted(f.label)} weicht bei ${String(f.variable)} von der Summe der Teilgebiete ab (Zeile: ${formatNumber(f.stated)}, Summe: ${formatNumber(f.computed)}).`,
  TOTALS_ROW_EXCLUDED: (f) => `${describePlace(f)}: Summenzeile ${quoted(f.label)} erkannt und nicht übernommen.`,
  NO_OBSERVATIONS: (f) => `${describePlace(f)}: Die Lieferung enthält keine einzige Beobachtung.`,
  PROFILE_UNKNOWN: (f) => `${describePlace(f)}: Das Lieferprofil ${quoted(f.profile)} gibt es nicht${f.version !== undefined ? ` in Version ${String(f.version)}` : ''}.`,
};

export function renderFinding(code: DeliveryErrorCode, facts: FindingFacts): string {
  return renderMessage(TEMPLATES, code, facts);
}

/** Builds a finding with its rendered German message. */
export function finding(code: DeliveryErrorCode, facts: FindingFacts, severity: FindingSeverity = 'error'): DeliveryFinding {
  return buildFinding(TEMPLATES, code, facts, severity);
}

/** Keeps the report bounded (first `limit` findings in full, counts per code of all). */
export class FindingCollector extends FileFindingCollector<DeliveryFinding> {}
