/**
 * The checking pass of a delivery: applies a profile to the rows a reader pushes, checks every
 * cell and row, collects every finding (not just the first), and spools the observations of a
 * clean delivery for recording. Runs in constant memory per row; what it keeps grows with the
 * number of areas x variables x periods (duplicate and coverage bitmaps), never with rows.
 *
 * Checks, in the order a row meets them: width (shifted columns), area (empty, totals row,
 * name mapping, unknown, ambiguous, foreign), row status (KOM), each value cell (special values,
 * number format, formula text, negative counts, rate bound), duplicates (same area, variable,
 * breakdown and period twice); at the end: part <= total, totals rows against the sum of their
 * parts, areas of the scheme missing from the delivery.
 */
import type { Dataset } from '../datasets/schema';
import type { VariableKind } from '../datasets/schema';
import {
  buildHeader,
  cellText,
  describeColumns,
  describeNumberFormat,
  describeRef,
  formatNumber,
  guessDelimiter,
  looksLikeFormula,
  numberParser,
  positionOf,
  resolveColumn,
  type Cell,
  type ColumnPosition,
  type ColumnRef,
  type FindingFacts,
  type FindingSeverity,
  type Header,
  type NumberParser,
  type ParseProblem,
  type RowSink,
} from '@lagebild/platform';
import { type DeliveryErrorCode, FindingCollector, finding } from './errors';
import { normalizeAreaName } from '../areas/names';
import { type DeliveryProfile, type SpecialMeaning, specialValuesOf } from '../profiles/schema';
import type { DeliveryTally, ObservationStatus } from './model';
import { describeGranularity, describePeriod, parsePeriod, periodKey, type ReferencePeriod } from './periods';
import type { SchemeContext, VersionContext } from './scheme-context';
import { ChunkBuilder, STATUS_CODES, type Spool } from './spool';

export interface CheckConfig {
  fileName: string;
  profile: DeliveryProfile;
  dataset: Dataset;
  scheme: SchemeContext;
  /** Period stated with the delivery (wins over the profile). */
  periodOverride?: string;
  spool: Spool;
  batchSize: number;
  findingLimit?: number;
  /** The delivering tenant (named in AREA_FORBIDDEN). */
  tenant?: string;
  /** Who the delivery may deliver for (AGS); used to skip foreign rows of shared schemes early. */
  mayDeliverFor?: (owner: string) => boolean;
}

const MEANING_STATUS: Record<SpecialMeaning, ObservationStatus> = {
  zero: 'ZERO_BY_DEFINITION',
  missing: 'MISSING',
  suppressed: 'SUPPRESSED',
  not_applicable: 'NOT_APPLICABLE',
  unreliable: 'UNRELIABLE',
};

/** Bound on the area texts of refused rows kept (a file of garbage has a new text on every row). */
const MAX_REFUSED_AREAS = 65_536;

const STATUS_INDEX = new Map(STATUS_CODES.map((s, i) => [s, i]));
const VALUE = STATUS_INDEX.get('VALUE')!;
const ZERO = STATUS_INDEX.get('ZERO_BY_DEFINITION')!;

interface ValuePlan {
  index: number;
  column: ColumnPosition;
  variable: number;
  kind: VariableKind;
  dimensions: number;
  /** Period index of the column (header periods), or -1: the row's period. */
  period: number;
}

interface TotalsRow {
  line: number;
  label: string;
  period: number;
  /** The row's values with the cell text as written (named in a mismatch). */
  values: Array<{ plan: ValuePlan; value: number; text: string }>;
}

export interface CheckResult extends DeliveryTally {
  findings: FindingCollector;
  /** Tables the spooled chunks index into. */
  tables: SpoolTables;
}

export interface SpoolTables {
  variables: string[];
  dimensions: Array<Record<string, string>>;
  periods: ReferencePeriod[];
  versions: VersionContext[];
}

function isEmptyCell(cell: Cell | undefined): boolean {
  return cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');
}

export class DeliveryCheck implements RowSink {
  readonly findings: FindingCollector;
  private readonly profile: DeliveryProfile;
  private readonly parse: NumberParser;
  private readonly specials: Map<string, SpecialMeaning>;
  private readonly expectedNumber: string;
  private readonly variableIndex = new Map<string, number>();
  private readonly variableKinds: VariableKind[] = [];
  private readonly variables: string[] = [];
  private readonly dimensionsTable: Array<Record<string, string>> = [{}];
  private readonly dimensionsIndex = new Map<string, number>([['{}', 0]]);
  private readonly periods: ReferencePeriod[] = [];
  private readonly periodIndex = new Map<string, number>();
  private readonly periodByText = new Map<string, number>();
  private readonly periodVersion: Array<VersionContext | undefined> = [];
  private readonly chunks = new Map<number, ChunkBuilder>();
  /** Duplicate detection: per (version, period, variable, dims) the first line per unit. */
  private readonly seen = new Map<number, Uint32Array>();
  /** Coverage per (version, period): units with at least one row. */
  private readonly covered = new Map<number, { version: VersionContext; period: number; units: Uint8Array; types: Set<string> }>();
  private readonly usedVariables = new Set<number>();
  private readonly usedVersions = new Set<VersionContext>();
  private readonly areasWithData = new Set<string>();
  /** part <= total: values of the variables in a rule, per (version, unit, period, dims). */
  private readonly partValues = new Map<string, Map<number, { value: number; line: number }>>();
  private readonly partVariables = new Set<number>();
  /** Totals check: sums of count values per (version:parent|*, variable, dims, period). */
  private readonly sums = new Map<string, number>();
  private readonly totalsRows: TotalsRow[] = [];
  private readonly unitCache: Array<Map<string, number>> = [];
  private readonly hasNameMap: boolean;
  /** Units a group row (one name for several units) stands for: not reported as missing. */
  private readonly groupCovered = new Set<string>();
  /** Area texts of rows refused for an error: their areas were delivered, if wrongly (checkCoverage). */
  private readonly refusedAreas = new Set<string>();
  /** The area text of the row being checked ('' between rows). */
  private rowArea = '';
  /** A CSV record could not be split into fields (CSV_SYNTAX). */
  private unsplitRecords = false;
  /** Blank lines before the header. */
  private blankLines = 0;
  /** `period.pattern` of the profile: where in a file name or header the period stands. */
  private readonly periodPattern: RegExp | undefined;
  /** Totals labels of the profile, in the register's name comparison form. */
  private readonly totalsLabels: { from: string | undefined; labels: Set<string>; grand: Set<string>; pattern: RegExp | undefined } | undefined;
  private readonly labelKeys = new Map<string, string>();

  private headerRows: Array<readonly Cell[]> = [];
  private headerLines: number[] = [];
  private header: Header | undefined;
  private plans: ValuePlan[] = [];
  private areaColumn = -1;
  private periodColumn = -1;
  private rowStatusColumn = -1;
  private longValueColumn = -1;
  private longVariableColumns: number[] = [];
  private longDimensionColumns: Array<{ name: string; index: number }> = [];
  private fixedPeriod = -1;
  private broken = false;
  private headerDone = false;
  private totalsReached = false;
  private footer: Array<{ line: number; cells: readonly Cell[] }> = [];
  private rowCount = 0;
  private observationCount = 0;
  private valueCount = 0;
  private batchCount = 0;
  private readonly skippedForeign = { rows: 0 };

  constructor(private readonly config: CheckConfig) {
    this.profile = config.profile;
    this.findings = new FindingCollector(config.findingLimit ?? 1000);
    this.parse = numberParser(this.profile.numbers);
    this.hasNameMap = Object.keys(this.profile.area.nameMap).length > 0;
    this.specials = new Map(specialValuesOf(this.profile).map((s) => [s.token.trim(), s.meaning]));
    const tokens = [...this.specials.keys()].filter((t) => t !== '').map((t) => `„${t}“`);
    this.expectedNumber = `${describeNumberFormat(this.profile.numbers)}${tokens.length > 0 ? ` oder eines der Zeichen ${tokens.join(', ')}` : ''}`;
    config.dataset.variables.forEach((variable) => {
      this.variableIndex.set(variable.code, this.variables.length);
      this.variables.push(variable.code);
      this.variableKinds.push(variable.kind);
    });
    for (const rule of this.profile.plausibility.partOfTotal) {
      for (const code of [rule.part, rule.total]) {
        const index = this.variableIndex.get(code);
        if (index !== undefined) this.partVariables.add(index);
      }
    }
    this.periodPattern = this.profile.period.pattern === undefined ? undefined : new RegExp(this.profile.period.pattern, 'u');
    const totals = this.profile.totals;
    this.totalsLabels = totals && {
      from: totals.fromLabel === undefined ? undefined : normalizeAreaName(totals.fromLabel),
      labels: new Set(totals.labels.map((l) => normalizeAreaName(l))),
      grand: new Set(totals.grandTotalLabels.map((l) => normalizeAreaName(l))),
      pattern: totals.pattern === undefined ? undefined : new RegExp(totals.pattern, 'u'),
    };
    this.resolveFixedPeriod();
  }

  // ---- findings -------------------------------------------------------------------------

  private report(code: DeliveryErrorCode, facts: Omit<FindingFacts, 'file'>, severity: FindingSeverity = 'error'): void {
    this.findings.add(finding(code, { file: this.config.fileName, ...facts }, severity));
    // A row refused for an error still names its area: that area is not missing (checkCoverage).
    if (severity === 'error' && this.rowArea !== '' && this.refusedAreas.size < MAX_REFUSED_AREAS) this.refusedAreas.add(this.rowArea);
  }

  problem(problem: ParseProblem): void {
    this.report(problem.code, {
      ...(problem.facts ?? {}),
      ...(problem.line !== undefined ? { line: problem.line } : {}),
      ...(problem.column !== undefined ? { column: positionOf(this.header, problem.column - 1) } : {}),
      ...(problem.value !== undefined ? { value: problem.value } : {}),
      ...(problem.expected !== undefined ? { expected: problem.expected } : {}),
    });
    if (problem.fatal) this.broken = true;
    // A record that cannot be split into fields hides which areas it held (an open quote can
    // swallow the rest of the file): missing areas cannot be judged.
    if (problem.code === 'CSV_SYNTAX') this.unsplitRecords = true;
  }

  // ---- tables ---------------------------------------------------------------------------

  private periodOf(period: ReferencePeriod): number {
    const key = periodKey(period);
    let index = this.periodIndex.get(key);
    if (index === undefined) {
      index = this.periods.length;
      this.periods.push(period);
      this.periodIndex.set(key, index);
      this.periodVersion.push(this.config.scheme.versionOn(period.end));
    }
    return index;
  }

  private dimensionsOf(dimensions: Record<string, string>): number {
    const keys = Object.keys(dimensions).sort();
    if (keys.length === 0) return 0;
    const key = JSON.stringify(keys.map((k) => [k, dimensions[k]]));
    let index = this.dimensionsIndex.get(key);
    if (index === undefined) {
      index = this.dimensionsTable.length;
      this.dimensionsTable.push(Object.fromEntries(keys.map((k) => [k, dimensions[k]!])));
      this.dimensionsIndex.set(key, index);
    }
    return index;
  }

  private resolveFixedPeriod(): void {
    const spec = this.profile.period;
    const override = this.config.periodOverride?.trim();
    let text: string | undefined;
    if (override) text = override;
    else if (spec.from === 'profile') text = spec.value;
    else if (spec.from === 'fileName') {
      text = this.periodText(this.config.fileName);
      if (text === undefined) {
        this.report('PERIOD_MISSING', { reason: `der Dateiname passt nicht zum Muster /${spec.pattern}/ des Lieferprofils`, expected: describeGranularity(spec.granularity) });
        this.broken = true;
        return;
      }
    } else if (spec.from === 'delivery') {
      this.report('PERIOD_MISSING', { reason: 'das Lieferprofil erwartet den Zeitraum bei der Lieferung (Angabe „period“ bzw. --period)', expected: describeGranularity(spec.granularity) });
      this.broken = true;
      return;
    } else return;
    const period = parsePeriod(text!, spec.granularity, spec.kind);
    if (!period) {
      this.report('PERIOD_INVALID', { value: text!, expected: describeGranularity(spec.granularity) });
      this.broken = true;
      return;
    }
    this.fixedPeriod = this.periodOf(period);
    this.requireVersion(this.fixedPeriod, undefined);
  }

  /**
   * The period in a file name or header text: what the profile's `period.pattern` captures
   * (group `period`, else the first group, else the whole match), or the whole text without a
   * pattern; undefined when the pattern does not match.
   */
  private periodText(text: string): string | undefined {
    if (!this.periodPattern) return text;
    const match = this.periodPattern.exec(text);
    return match ? (match.groups?.period ?? match[1] ?? match[0]) : undefined;
  }

  /** Reports (once per period) when no scheme version is in force on the period's Stichtag. */
  private readonly missingVersionReported = new Set<number>();
  private requireVersion(period: number, line: number | undefined): VersionContext | undefined {
    const version = this.periodVersion[period];
    if (!version && !this.missingVersionReported.has(period)) {
      this.missingVersionReported.add(period);
      this.report('SCHEME_VERSION_MISSING', { ...(line !== undefined ? { line } : {}), date: describePeriod({ kind: 'STICHTAG', start: this.periods[period]!.end, end: this.periods[period]!.end }), scheme: this.config.scheme.name });
    }
    return version;
  }

  // ---- header ---------------------------------------------------------------------------

  private resolveOne(ref: ColumnRef, what: string, missing: string[]): number {
    const resolution = resolveColumn(ref, this.header);
    if (resolution.ok) {
      if (resolution.indices.length > 1) {
        this.report('COLUMN_AMBIGUOUS', { line: this.headerLines[0], wanted: `${what} ${describeRef(ref)}`, matches: resolution.indices.map((i) => positionOf(this.header, i).letter).join(', ') });
        this.broken = true;
      }
      return resolution.indices[0]!;
    }
    if (resolution.reason === 'ambiguous') {
      this.report('COLUMN_AMBIGUOUS', { line: this.headerLines[0], wanted: `${what} ${describeRef(ref)}`, matches: resolution.matches.map((i) => positionOf(this.header, i).letter).join(', ') });
      this.broken = true;
      return -1;
    }
    missing.push(`${what} ${describeRef(ref)}`);
    return -1;
  }

  private completeHeader(): void {
    this.headerDone = true;
    const format = this.profile.format;
    this.header = format.headerRows > 0 || format.type === 'json' ? buildHeader(this.headerRows) : undefined;
    const headerLine = this.headerLines[0];
    if (this.header && format.type === 'csv' && this.header.width <= 1) {
      const text = cellText(this.headerRows[0]?.[0]);
      const detected = guessDelimiter(text, format.delimiter);
      if (detected) {
        this.report('DELIMITER_MISMATCH', { line: headerLine, delimiter: format.delimiter === '\t' ? 'Tabulator' : format.delimiter, detected: detected === '\t' ? 'Tabulator' : detected, value: text.slice(0, 120) });
        this.broken = true;
        return;
      }
    }
    const missing: string[] = [];
    this.areaColumn = this.resolveOne(this.profile.area.column, 'Gebietsspalte', missing);
    if (this.profile.period.from === 'column' && !this.config.periodOverride) this.periodColumn = this.resolveOne(this.profile.period.column!, 'Zeitraumspalte', missing);
    if (this.profile.rowStatus) this.rowStatusColumn = this.resolveOne(this.profile.rowStatus.column, 'Gültigkeitsspalte', missing);
    const layout = this.profile.variables;
    if (layout.layout === 'wide') {
      for (const spec of layout.values) {
        const variable = this.variableIndex.get(spec.variable);
        if (variable === undefined) {
          this.report('VARIABLE_UNKNOWN', { line: headerLine, value: spec.variable, dataset: this.config.dataset.id, expected: `eine Variable von ${this.variables.join(', ')}` });
          this.broken = true;
          continue;
        }
        const resolution = resolveColumn(spec.column, this.header);
        if (!resolution.ok) {
          if (resolution.reason === 'ambiguous') {
            this.report('COLUMN_AMBIGUOUS', { line: headerLine, wanted: `Wertspalte ${describeRef(spec.column)}`, matches: resolution.matches.map((i) => positionOf(this.header, i).letter).join(', ') });
            this.broken = true;
          } else missing.push(`Wertspalte ${describeRef(spec.column)} (${spec.variable})`);
          continue;
        }
        const dimensions = this.dimensionsOf(spec.dimensions);
        for (const index of resolution.indices) {
          let period = -1;
          const fromHeader = spec.periodFromHeader && this.profile.period.from === 'header' && !this.config.periodOverride;
          if (spec.period && !this.config.periodOverride) {
            const parsed = parsePeriod(spec.period.value, spec.period.granularity, spec.period.kind);
            if (!parsed) {
              this.report('PERIOD_INVALID', { line: headerLine, column: positionOf(this.header, index), value: spec.period.value, expected: describeGranularity(spec.period.granularity) });
              this.broken = true;
              continue;
            }
            period = this.periodOf(parsed);
            this.requireVersion(period, headerLine);
          } else if (fromHeader) {
            const headerRow = 'headerRow' in spec.column && spec.column.headerRow !== undefined ? spec.column.headerRow : this.header!.rows.length;
            const text = this.header!.rows[headerRow - 1]?.[index] ?? '';
            const periodText = this.periodText(text);
            const parsed = periodText === undefined ? undefined : parsePeriod(periodText, this.profile.period.granularity, this.profile.period.kind);
            if (!parsed) {
              const expected = `${describeGranularity(this.profile.period.granularity)}${this.periodPattern ? ` (nach dem Muster /${this.periodPattern.source}/ des Lieferprofils)` : ''}`;
              this.report('PERIOD_INVALID', { line: this.headerLines[headerRow - 1] ?? headerLine, column: positionOf(this.header, index), value: text, expected });
              this.broken = true;
              continue;
            }
            period = this.periodOf(parsed);
            this.requireVersion(period, headerLine);
          } else period = this.fixedPeriod;
          if (period < 0 && this.periodColumn < 0) {
            this.report('PERIOD_MISSING', { line: headerLine, column: positionOf(this.header, index), reason: `die Wertspalte für ${spec.variable} hat keinen Zeitraum (weder im Lieferprofil noch bei der Lieferung noch in der Spalte)`, expected: describeGranularity(this.profile.period.granularity) });
            this.broken = true;
            continue;
          }
          this.plans.push({ index, column: positionOf(this.header, index), variable, kind: this.variableKinds[variable]!, dimensions, period });
        }
      }
    } else {
      this.longValueColumn = this.resolveOne(layout.valueColumn, 'Wertspalte', missing);
      this.longVariableColumns = (layout.variableColumns ?? []).map((ref) => this.resolveOne(ref, 'Variablenspalte', missing));
      this.longDimensionColumns = Object.entries(layout.dimensionColumns).map(([name, ref]) => ({ name, index: this.resolveOne(ref, `Spalte für ${name}`, missing) }));
      if (this.fixedPeriod < 0 && this.periodColumn < 0 && !this.broken && missing.length === 0) {
        this.report('PERIOD_MISSING', { line: headerLine, reason: 'weder das Lieferprofil noch die Lieferung nennen einen Zeitraum', expected: describeGranularity(this.profile.period.granularity) });
        this.broken = true;
      }
    }
    if (missing.length > 0) {
      for (const wanted of missing) this.report('COLUMN_MISSING', { line: headerLine, wanted, available: this.header ? describeColumns(this.header) : 'keine Kopfzeile' });
      this.broken = true;
    }
  }

  // ---- rows -----------------------------------------------------------------------------

  row(line: number, cells: readonly Cell[]): void {
    if (this.broken) return;
    const format = this.profile.format;
    const headerCount = format.type === 'json' ? 1 : format.headerRows;
    if (this.headerRows.length < headerCount) {
      // Blank lines above the header (an export with empty rows over the table, or a file of
      // nothing but line breaks) are not the header.
      if (this.headerRows.length === 0 && cells.every(isEmptyCell)) {
        this.blankLines += 1;
        return;
      }
      this.headerRows.push(cells);
      this.headerLines.push(line);
      if (this.headerRows.length === headerCount) this.completeHeader();
      return;
    }
    if (!this.headerDone) {
      // No header rows: columns are named by letter or position.
      this.headerLines.push(line);
      this.completeHeader();
    }
    if (this.broken) return;
    if (format.skipFooterRows > 0) {
      this.footer.push({ line, cells });
      if (this.footer.length <= format.skipFooterRows) return;
      const held = this.footer.shift()!;
      this.dataRow(held.line, held.cells);
      return;
    }
    this.dataRow(line, cells);
  }

  private dataRow(line: number, cells: readonly Cell[]): void {
    let empty = true;
    for (const cell of cells) {
      if (!isEmptyCell(cell)) {
        empty = false;
        break;
      }
    }
    if (empty) return;
    this.rowArea = cellText(cells[this.areaColumn]).trim();
    this.checkRow(line, cells);
    this.rowArea = '';
  }

  private checkRow(line: number, cells: readonly Cell[]): void {
    const header = this.header;
    if (header && this.profile.format.type === 'csv' && cells.length !== header.width) {
      // A trailing delimiter (one empty cell more) is common and harmless; anything else shifts columns.
      const extraEmpty = cells.length > header.width && cells.slice(header.width).every(isEmptyCell);
      if (!extraEmpty) {
        this.report('ROW_LENGTH', { line, actual: cells.length, wantedLength: header.width, expected: `${formatNumber(header.width)} Felder, getrennt durch „${this.profile.format.delimiter === '\t' ? 'Tabulator' : this.profile.format.delimiter}“` });
        return;
      }
    }
    this.rowCount += 1;

    const areaText = this.rowArea;
    const areaColumn = positionOf(header, this.areaColumn);
    if (areaText === '') {
      if (!this.profile.skipEmptyAreaRows) this.report('AREA_EMPTY', { line, column: areaColumn, expected: this.profile.area.by === 'code' ? 'ein Gebietsschlüssel' : 'ein Gebietsname' });
      this.rowCount -= 1;
      return;
    }

    // Period of the row.
    let rowPeriod = this.fixedPeriod;
    if (this.periodColumn >= 0) {
      const text = cellText(cells[this.periodColumn]).trim();
      let index = this.periodByText.get(text);
      if (index === undefined) {
        const parsed = parsePeriod(text, this.profile.period.granularity, this.profile.period.kind);
        if (!parsed) {
          this.report('PERIOD_INVALID', { line, column: positionOf(header, this.periodColumn), value: text, expected: describeGranularity(this.profile.period.granularity) });
          return;
        }
        index = this.periodOf(parsed);
        this.periodByText.set(text, index);
      }
      rowPeriod = index;
    }

    // Totals rows by label.
    const totals = this.profile.totals;
    const labels = this.totalsLabels;
    if (totals && labels) {
      let key = this.labelKeys.get(areaText);
      if (key === undefined) {
        key = normalizeAreaName(areaText);
        this.labelKeys.set(areaText, key);
      }
      if (key === labels.from) this.totalsReached = true;
      const byLabel = this.totalsReached || labels.labels.has(key) || labels.grand.has(key) || (labels.pattern !== undefined && labels.pattern.test(areaText));
      if (byLabel) {
        this.totalsRow(line, areaText, cells, rowPeriod);
        return;
      }
    }

    // The row's periods and their scheme versions: a row of a wide layout with header periods
    // spans several periods, possibly several scheme versions.
    const versions = this.versionsOfRow(rowPeriod, line);
    if (versions.length === 0) return;

    // Area -> unit per version.
    const mapped = this.hasNameMap && Object.hasOwn(this.profile.area.nameMap, areaText) ? this.profile.area.nameMap[areaText] : undefined;
    if (mapped === null) {
      this.report('AREA_NOT_MAPPED', { line, column: areaColumn, value: areaText }, 'warning');
      this.rowCount -= 1;
      this.addGrandSums(cells, rowPeriod);
      return;
    }
    // National files (INKAR) from which a tenant takes its own rows: a row of a shared scheme
    // whose AGS the tenant does not own is skipped before it is even looked up.
    if (this.profile.area.foreignAreas === 'skip' && this.config.scheme.tenant === null && this.profile.area.by === 'code' && this.config.mayDeliverFor) {
      const code = mapped ?? areaText;
      const owner = this.profile.area.padCodeTo && /^\d+$/.test(code) ? code.padStart(this.profile.area.padCodeTo, '0') : code;
      if (!this.config.mayDeliverFor(owner)) {
        this.skippedForeign.rows += 1;
        this.rowCount -= 1;
        return;
      }
    }
    const units = new Map<VersionContext, number>();
    for (const version of versions) {
      // Large files repeat each area many times: a resolved area is looked up once per version.
      let cache = this.unitCache[version.index];
      if (!cache) cache = this.unitCache[version.index] = new Map();
      let unit: number | { group: string[] } | undefined = cache.get(areaText);
      if (unit === undefined) {
        unit = this.resolveUnit(version, mapped ?? areaText, line, areaColumn, areaText);
        if (typeof unit === 'number') cache.set(areaText, unit);
      }
      if (unit === undefined) return;
      if (typeof unit !== 'number') {
        // One name for several units (a merged Stadtteil): counted toward their common parent.
        this.addGroupSums(cells, rowPeriod, version, unit.group);
        return;
      }
      units.set(version, unit);
    }
    const [firstVersion, firstUnit] = units.entries().next().value as [VersionContext, number];
    const unitType = firstVersion.units[firstUnit]!.unitType;
    if (totals && totals.unitTypes.includes(unitType)) {
      this.totalsRow(line, areaText, cells, rowPeriod);
      return;
    }
    for (const [version, unit] of units) {
      if (version.allowed[unit] !== 1) {
        if (this.profile.area.foreignAreas === 'skip') {
          this.skippedForeign.rows += 1;
          this.rowCount -= 1;
          return;
        }
        this.report('AREA_FORBIDDEN', { line, column: areaColumn, value: areaText, tenant: this.config.tenant ?? '?', owner: this.config.scheme.tenant ?? version.units[unit]!.officialKey ?? version.units[unit]!.code });
        return;
      }
    }

    // Row status (KOM).
    let rowMeaning: SpecialMeaning | null = null;
    if (this.rowStatusColumn >= 0) {
      const text = cellText(cells[this.rowStatusColumn]).trim();
      const values = this.profile.rowStatus!.values;
      if (!(text in values)) {
        this.report('ROW_STATUS_UNKNOWN', { line, column: positionOf(header, this.rowStatusColumn), value: text, expected: Object.keys(values).map((v) => `„${v}“`).join(', ') });
        return;
      }
      rowMeaning = values[text] ?? null;
    }

    if (this.profile.variables.layout === 'wide') {
      for (const plan of this.plans) {
        const period = plan.period >= 0 ? plan.period : rowPeriod;
        const version = this.periodVersion[period]!;
        this.value(line, cells[plan.index], plan.column, plan.variable, plan.kind, plan.dimensions, period, version, units.get(version)!, rowMeaning);
      }
    } else {
      const layout = this.profile.variables;
      let variable: number | undefined;
      let variableText = layout.variable ?? '';
      if (!layout.variable) {
        variableText = this.longVariableColumns.map((i) => cellText(cells[i]).trim()).join('_');
        const code = layout.variableMap ? layout.variableMap[variableText] : variableText;
        variable = code === undefined ? undefined : this.variableIndex.get(code);
      } else variable = this.variableIndex.get(layout.variable);
      if (variable === undefined) {
        this.report('VARIABLE_UNKNOWN', {
          line,
          column: positionOf(header, this.longVariableColumns[0] ?? this.longValueColumn),
          value: variableText,
          dataset: this.config.dataset.id,
          expected: layout.variableMap ? `einer der Texte ${Object.keys(layout.variableMap).slice(0, 20).map((t) => `„${t}“`).join(', ')}` : `eine Variable von ${this.variables.slice(0, 20).join(', ')}`,
        });
        return;
      }
      let dimensions = 0;
      if (this.longDimensionColumns.length > 0) {
        const dims: Record<string, string> = {};
        for (const { name, index } of this.longDimensionColumns) {
          const text = cellText(cells[index]).trim();
          if (text !== '') dims[name] = text;
        }
        dimensions = this.dimensionsOf(dims);
      }
      const version = this.periodVersion[rowPeriod]!;
      this.value(line, cells[this.longValueColumn], positionOf(header, this.longValueColumn), variable, this.variableKinds[variable]!, dimensions, rowPeriod, version, units.get(version)!, rowMeaning);
    }
  }

  private readonly oneVersion: VersionContext[] = [];
  private versionsOfRow(rowPeriod: number, line: number): VersionContext[] {
    if (this.profile.variables.layout === 'long') {
      // One period per row: no allocation per row.
      const version = rowPeriod < 0 ? undefined : this.requireVersion(rowPeriod, line);
      if (!version) return [];
      this.oneVersion[0] = version;
      return this.oneVersion;
    }
    const result: VersionContext[] = [];
    const periods = this.profile.variables.layout === 'wide' ? this.plans.map((p) => (p.period >= 0 ? p.period : rowPeriod)) : [rowPeriod];
    for (const period of periods) {
      if (period < 0) continue;
      const version = this.requireVersion(period, line);
      if (!version) return [];
      if (!result.includes(version)) result.push(version);
    }
    return result;
  }

  /** A unit by its code; delivered codes may have lost leading zeros (Excel). */
  private unitByCode(version: VersionContext, code: string): number | undefined {
    const types = this.profile.area.unitTypes;
    const padTo = this.profile.area.padCodeTo;
    const unit = version.byCode.get(padTo && /^\d+$/.test(code) ? code.padStart(padTo, '0') : code);
    return unit !== undefined && (!types || types.includes(version.units[unit]!.unitType)) ? unit : undefined;
  }

  /** The one unit a delivered area text stands for, as `resolveUnit` finds it, but reporting nothing. */
  private unitNamed(version: VersionContext, delivered: string): number | undefined {
    const cached = this.unitCache[version.index]?.get(delivered);
    if (cached !== undefined) return cached;
    const spec = this.profile.area;
    const mapped = this.hasNameMap && Object.hasOwn(spec.nameMap, delivered) ? spec.nameMap[delivered] : undefined;
    if (mapped === null) return undefined;
    if (spec.by === 'code' || mapped !== undefined) return this.unitByCode(version, mapped ?? delivered);
    const match = version.names.match(delivered, spec.unitTypes ? { unitTypes: spec.unitTypes } : {});
    return match.status === 'matched' ? version.byCode.get(match.code) : undefined;
  }

  private resolveUnit(version: VersionContext, text: string, line: number, column: ColumnPosition, delivered: string): number | { group: string[] } | undefined {
    const spec = this.profile.area;
    const types = spec.unitTypes;
    const unknown = (suggestions = '') => {
      const severity = this.profile.plausibility.unknownAreas;
      this.report(
        'AREA_UNKNOWN',
        {
          line,
          column,
          value: delivered,
          scheme: this.config.scheme.name,
          schemeVersion: version.version,
          expected:
            (spec.by === 'code' ? 'ein Gebietsschlüssel der Gebietsgliederung' : 'ein Gebietsname der Gebietsgliederung oder eine Zuordnung im Lieferprofil (nameMap)') +
            (suggestions ? `; ähnlich: ${suggestions}` : ''),
        },
        severity,
      );
      if (severity === 'warning') this.rowCount -= 1;
      return undefined;
    };
    // A nameMap target is always a code.
    if (spec.by === 'code' || text !== delivered) return this.unitByCode(version, text) ?? unknown();
    const match = version.names.match(text, types ? { unitTypes: types } : {});
    switch (match.status) {
      case 'matched':
        return version.byCode.get(match.code) ?? unknown();
      case 'group':
        // The scheme's name mapping says: this name stands for several units together.
        this.report('AREA_NOT_MAPPED', { line, column, value: delivered, expected: `Werte je Einzelgebiet (${match.codes.join(', ')})${match.note ? `; ${match.note}` : ''}` }, 'warning');
        for (const code of match.codes) this.groupCovered.add(`${version.index}|${code}`);
        this.rowCount -= 1;
        return { group: match.codes };
      case 'ambiguous':
        this.report('AREA_AMBIGUOUS', { line, column, value: delivered, candidates: match.codes.map((c) => `${c} ${version.units[version.byCode.get(c)!]?.name ?? ''}`.trim()).join(', ') });
        return undefined;
      case 'unmatched':
        return unknown(match.suggestions.map((s) => `${s.code} „${s.name}“`).join(', '));
      default: {
        const _exhaustive: never = match;
        return _exhaustive;
      }
    }
  }

  private cellStatus(cell: Cell | undefined, column: ColumnPosition, line: number, kind: VariableKind, variable: number): { status: number; value: number } | undefined {
    if (typeof cell === 'number') return { status: VALUE, value: cell };
    const text = cell ?? '';
    const trimmed = text.trim();
    const meaning = this.specials.get(trimmed);
    if (meaning !== undefined) {
      const status = STATUS_INDEX.get(MEANING_STATUS[meaning])!;
      return { status, value: status === ZERO ? 0 : Number.NaN };
    }
    const value = this.parse(text);
    if (Number.isNaN(value)) {
      if (looksLikeFormula(trimmed)) this.report('FORMULA_IN_NUMBER', { line, column, value: trimmed, expected: this.expectedNumber });
      else this.report('NUMBER_INVALID', { line, column, value: trimmed, expected: this.expectedNumber });
      return undefined;
    }
    if (kind === 'count' && value < 0) {
      const severity = this.profile.plausibility.nonNegativeCounts;
      if (severity !== 'off') {
        this.report('NEGATIVE_COUNT', { line, column, value: trimmed, variable: this.variables[variable], expected: 'eine Anzahl ab 0' }, severity);
        if (severity === 'error') return undefined;
      }
    }
    const maxRate = this.profile.plausibility.maxRate;
    if (kind === 'rate' && maxRate !== undefined && value > maxRate) {
      this.report('RATE_OUT_OF_RANGE', { line, column, value: trimmed, variable: this.variables[variable], max: maxRate, expected: `höchstens ${formatNumber(maxRate)}` });
      return undefined;
    }
    return { status: VALUE, value };
  }

  private value(
    line: number,
    cell: Cell | undefined,
    column: ColumnPosition,
    variable: number,
    kind: VariableKind,
    dimensions: number,
    period: number,
    version: VersionContext,
    unit: number,
    rowMeaning: SpecialMeaning | null,
  ): void {
    let status: number;
    let value: number;
    if (rowMeaning !== null) {
      status = STATUS_INDEX.get(MEANING_STATUS[rowMeaning])!;
      value = status === ZERO ? 0 : Number.NaN;
    } else {
      const parsed = this.cellStatus(cell, column, line, kind, variable);
      if (!parsed) return;
      status = parsed.status;
      value = parsed.value;
    }

    // Duplicates: same unit, variable, breakdown and period.
    // Numeric keys (tables are bounded: 2^16 periods, variables, breakdowns; 256 scheme versions).
    const key = ((period * 65536 + variable) * 65536 + dimensions) * 256 + version.index;
    let lines = this.seen.get(key);
    if (!lines) {
      lines = new Uint32Array(version.units.length);
      this.seen.set(key, lines);
    }
    const first = lines[unit]!;
    if (first !== 0) {
      this.report('DUPLICATE', {
        line,
        column,
        value: cellText(cell).trim(),
        area: version.units[unit]!.code,
        variable: this.variables[variable],
        period: describePeriod(this.periods[period]!),
        firstLine: first,
        expected: 'jede Kombination aus Gebiet, Variable und Zeitraum nur einmal',
      });
      return;
    }
    lines[unit] = line;

    const coverageKey = period * 256 + version.index;
    let coverage = this.covered.get(coverageKey);
    if (!coverage) {
      coverage = { version, period, units: new Uint8Array(version.units.length), types: new Set() };
      this.covered.set(coverageKey, coverage);
    }
    if (coverage.units[unit] === 0) {
      coverage.units[unit] = 1;
      coverage.types.add(version.units[unit]!.unitType);
    }
    this.areasWithData.add(version.units[unit]!.code);
    this.usedVariables.add(variable);
    this.usedVersions.add(version);

    const hasValue = status === VALUE || status === ZERO;
    if (hasValue && this.partVariables.has(variable)) {
      const partKey = `${version.index}|${unit}|${period}|${dimensions}`;
      let values = this.partValues.get(partKey);
      if (!values) {
        values = new Map();
        this.partValues.set(partKey, values);
      }
      values.set(variable, { value, line });
    }
    if (hasValue && kind === 'count' && this.profile.totals?.action === 'check') {
      const parent = version.parent[unit]!;
      const suffix = `|${variable}|${dimensions}|${period}`;
      this.sums.set(`*${suffix}`, (this.sums.get(`*${suffix}`) ?? 0) + value);
      for (let p = parent; p >= 0; p = version.parent[p]!) {
        const k = `${version.index}:${p}${suffix}`;
        this.sums.set(k, (this.sums.get(k) ?? 0) + value);
      }
    }

    this.observationCount += 1;
    if (hasValue) this.valueCount += 1;
    let chunk = this.chunks.get(version.index);
    if (!chunk) {
      chunk = new ChunkBuilder(version.index, this.config.batchSize);
      this.chunks.set(version.index, chunk);
    }
    chunk.add(unit, variable, dimensions, period, status, hasValue ? value : 0, line);
    if (chunk.full) {
      this.config.spool.append(chunk.seal());
      this.batchCount += 1;
      this.chunks.delete(version.index);
    }
  }

  /** Rows of deliberately unmapped areas still count toward the city total of a totals check. */
  private addGrandSums(cells: readonly Cell[], rowPeriod: number): void {
    this.addRowSums(cells, rowPeriod, ['*']);
  }

  /** A group row counts toward the city total and toward the parent its units share. */
  private addGroupSums(cells: readonly Cell[], rowPeriod: number, version: VersionContext, codes: readonly string[]): void {
    const parents = new Set(codes.map((code) => version.parent[version.byCode.get(code) ?? -1] ?? -1));
    const targets = ['*'];
    if (parents.size === 1) {
      for (let p = [...parents][0]!; p >= 0; p = version.parent[p]!) targets.push(`${version.index}:${p}`);
    }
    this.addRowSums(cells, rowPeriod, targets);
  }

  private addRowSums(cells: readonly Cell[], rowPeriod: number, prefixes: readonly string[]): void {
    if (this.profile.totals?.action !== 'check' || this.profile.variables.layout !== 'wide') return;
    for (const plan of this.plans) {
      if (plan.kind !== 'count') continue;
      const cell = cells[plan.index];
      const value = typeof cell === 'number' ? cell : this.parse(cellText(cell));
      if (Number.isNaN(value)) continue;
      const period = plan.period >= 0 ? plan.period : rowPeriod;
      for (const prefix of prefixes) {
        const k = `${prefix}|${plan.variable}|${plan.dimensions}|${period}`;
        this.sums.set(k, (this.sums.get(k) ?? 0) + value);
      }
    }
  }

  private totalsRow(line: number, label: string, cells: readonly Cell[], rowPeriod: number): void {
    this.rowCount -= 1;
    const totals = this.profile.totals!;
    if (totals.action === 'exclude' || this.profile.variables.layout !== 'wide') {
      this.report('TOTALS_ROW_EXCLUDED', { line, column: positionOf(this.header, this.areaColumn), label }, 'warning');
      return;
    }
    const values: TotalsRow['values'] = [];
    for (const plan of this.plans) {
      if (plan.kind !== 'count') continue;
      const cell = cells[plan.index];
      const value = typeof cell === 'number' ? cell : this.parse(cellText(cell));
      if (!Number.isNaN(value)) values.push({ plan, value, text: cellText(cell).trim() });
    }
    this.totalsRows.push({ line, label, period: rowPeriod, values });
  }

  // ---- end ------------------------------------------------------------------------------

  finish(): CheckResult {
    if (!this.broken && this.footer.length > 0) this.footer = [];
    if (!this.broken && this.headerRows.length < (this.profile.format.type === 'json' ? 1 : this.profile.format.headerRows)) {
      if (this.headerRows.length === 0) this.report('FILE_EMPTY', this.blankLines > 0 ? { reason: this.blankLines === 1 ? 'nur eine Leerzeile' : `nur ${formatNumber(this.blankLines)} Leerzeilen` } : {});
      else this.report('HEADER_ONLY', { line: this.headerLines[0] });
    } else if (!this.broken && !this.headerDone) {
      this.report('FILE_EMPTY', {});
    } else if (!this.broken) {
      this.checkPartOfTotal();
      this.checkTotals();
      this.checkCoverage();
      if (this.rowCount === 0 && this.observationCount === 0 && !this.findings.hasErrors) {
        if (this.skippedForeign.rows > 0) this.report('NO_OBSERVATIONS', { expected: `Zeilen für Gebiete des Mandanten (${formatNumber(this.skippedForeign.rows)} Zeilen anderer Gebiete übersprungen)` });
        else this.report('HEADER_ONLY', { line: this.headerLines[0] });
      } else if (this.observationCount === 0 && !this.findings.hasErrors) this.report('NO_OBSERVATIONS', {});
    }
    if (!this.findings.hasErrors) {
      for (const chunk of this.chunks.values()) {
        if (chunk.count === 0) continue;
        this.config.spool.append(chunk.seal());
        this.batchCount += 1;
      }
    }
    this.chunks.clear();
    const usedVersions = [...this.usedVersions].sort((a, b) => a.version - b.version);
    const periods = this.periods.map((period, index) => ({ period, index })).filter(({ index }) => [...this.covered.values()].some((c) => c.period === index));
    const latest = [...periods].sort((a, b) => (a.period.end < b.period.end ? -1 : 1)).pop();
    const latestVersion = latest ? this.periodVersion[latest.index] : undefined;
    return {
      findings: this.findings,
      rowCount: this.rowCount,
      observationCount: this.observationCount,
      valueCount: this.valueCount,
      areaCount: this.areasWithData.size,
      variables: [...this.usedVariables].map((v) => this.variables[v]!).sort(),
      periods: periods.map((p) => p.period).sort((a, b) => (a.start === b.start ? (a.end < b.end ? -1 : 1) : a.start < b.start ? -1 : 1)),
      schemeVersions: usedVersions.map((v) => v.version),
      schemeVersion: latestVersion?.version ?? usedVersions[usedVersions.length - 1]?.version ?? 0,
      batchCount: this.batchCount,
      tables: { variables: this.variables, dimensions: this.dimensionsTable, periods: this.periods, versions: this.config.scheme.versions },
    };
  }

  private checkPartOfTotal(): void {
    const rules = this.profile.plausibility.partOfTotal
      .map((rule) => ({ rule, part: this.variableIndex.get(rule.part), total: this.variableIndex.get(rule.total) }))
      .filter((r) => r.part !== undefined && r.total !== undefined);
    if (rules.length === 0) return;
    for (const [key, values] of this.partValues) {
      for (const { rule, part, total } of rules) {
        const p = values.get(part!);
        const t = values.get(total!);
        if (p && t && p.value > t.value) {
          const [versionIndex, unit] = key.split('|').map(Number);
          const version = this.config.scheme.versions[versionIndex!]!;
          this.report('PART_EXCEEDS_TOTAL', {
            line: p.line,
            value: version.units[unit!]!.code,
            part: rule.part,
            partValue: p.value,
            total: rule.total,
            totalValue: t.value,
            expected: `${rule.part} höchstens so groß wie ${rule.total}`,
          });
        }
      }
    }
  }

  private checkTotals(): void {
    const totals = this.profile.totals;
    if (!totals || totals.action !== 'check') return;
    for (const row of this.totalsRows) {
      let prefix: string | undefined;
      if (this.totalsLabels?.grand.has(normalizeAreaName(row.label))) prefix = '*';
      else {
        // The unit the totals row stands for: the one unit of that name that has parts.
        for (const version of this.config.scheme.versions) {
          const match = version.names.match(row.label);
          const codes = match.status === 'matched' ? [match.code] : match.status === 'ambiguous' ? match.codes : [];
          const candidates = codes.map((code) => version.byCode.get(code)!).filter((c) => version.hasChildren[c] === 1);
          if (candidates.length === 1) prefix = `${version.index}:${candidates[0]}`;
        }
      }
      if (prefix === undefined) {
        this.report('TOTALS_ROW_EXCLUDED', { line: row.line, label: row.label }, 'warning');
        continue;
      }
      for (const { plan, value, text } of row.values) {
        if (totals.variables && !totals.variables.includes(this.variables[plan.variable]!)) continue;
        const period = plan.period >= 0 ? plan.period : row.period;
        const computed = this.sums.get(`${prefix}|${plan.variable}|${plan.dimensions}|${period}`) ?? 0;
        if (Math.abs(computed - value) > totals.tolerance) {
          this.report('TOTALS_MISMATCH', {
            line: row.line,
            column: plan.column,
            value: text,
            label: row.label,
            variable: this.variables[plan.variable],
            stated: value,
            computed,
            expected: totals.tolerance > 0 ? `die Summe der Teilgebiete (± ${formatNumber(totals.tolerance)})` : 'die Summe der Teilgebiete',
          }, totals.mismatch);
        }
      }
    }
  }

  /**
   * Areas of the scheme without a row. Only real gaps are reported: an area whose row is in the
   * file but was refused for an error (a shifted row, an invalid year, a duplicate key) is not
   * missing, its error is reported where it is; and when a record could not even be split into
   * fields, which areas the file holds is unknown, so nothing is called missing.
   */
  private checkCoverage(): void {
    const severity = this.profile.plausibility.missingAreas;
    if (severity === 'off' || this.unsplitRecords) return;
    const refused = new Map<VersionContext, Set<number>>();
    const refusedIn = (version: VersionContext) => {
      let units = refused.get(version);
      if (!units) {
        units = new Set();
        for (const text of this.refusedAreas) {
          const unit = this.unitNamed(version, text);
          if (unit !== undefined) units.add(unit);
        }
        refused.set(version, units);
      }
      return units;
    };
    for (const coverage of this.covered.values()) {
      const { version, units, types } = coverage;
      const period = this.periods[coverage.period]!;
      const missing: string[] = [];
      version.units.forEach((unit, i) => {
        if (units[i] === 1 || !types.has(unit.unitType) || version.allowed[i] !== 1 || this.groupCovered.has(`${version.index}|${unit.code}`)) return;
        if (this.refusedAreas.size > 0 && refusedIn(version).has(i)) return;
        if (unit.validFrom > period.end || (unit.validTo !== null && unit.validTo <= period.end)) return;
        missing.push(`${unit.code} ${unit.name}`);
      });
      if (missing.length === 0) continue;
      const list = missing.length > 20 ? `${missing.slice(0, 20).join(', ')} und ${formatNumber(missing.length - 20)} weitere` : missing.join(', ');
      this.report('AREA_MISSING', { count: missing.length, scheme: `${this.config.scheme.name} (Version ${version.version}, ${describePeriod(period)})`, list, expected: 'eine Zeile für jedes Gebiet der Gebietsgliederung' }, severity);
    }
  }

  get skippedForeignRows(): number {
    return this.skippedForeign.rows;
  }
}
