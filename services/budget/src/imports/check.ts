/**
 * The checking pass of a budget import: a row sink for the platform's file readers (CSV,
 * XLSX, XLS) that turns every row into plan or actual records by the import profile, or into
 * findings. Nothing is recorded from here: the application appends only when the whole file is
 * clean (all or nothing).
 */
import {
  buildHeader,
  cellText,
  columnLetter,
  columnPosition,
  describeRef,
  looksLikeFormula,
  numberParser,
  resolveColumn,
  type Cell,
  type ColumnRef,
  type Header,
  type NumberParser,
  type ParseProblem,
  type RowSink,
} from '@lagebild/platform';
import { isSpending, lineKey, type LineRef } from '../domain/lines';
import type { AccountKind } from '../integration-events';
import { budgetFinding, Findings } from './findings';
import type { ImportProfile, ValueKind } from './profile';

/** One value of the file. */
export interface ImportRecord {
  line: number;
  kind: ValueKind;
  year: number;
  ref: LineRef;
  amountCents: number;
  postingId: string | null;
  postingDate: string | null;
  text: string | null;
}

type ColumnName = keyof ImportProfile['columns'];

interface ResolvedColumns {
  [name: string]: number | undefined;
}

const VALUE_KIND_LIST = 'IST, ANSATZ, NACHTRAG, PLANUNG';

function keyText(text: string): string {
  return text.trim().toLocaleLowerCase('de-DE');
}

function lookup<T>(map: Record<string, T>, text: string): T | undefined {
  if (text in map) return map[text];
  const wanted = keyText(text);
  for (const [k, v] of Object.entries(map)) if (keyText(k) === wanted) return v;
  return undefined;
}

/** ISO date from "31.12.2024", "2024-12-31" or a spreadsheet date; undefined when invalid. */
export function parseDate(text: string): string | undefined {
  const t = text.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t))) [y, m, d] = [Number(match[3]), Number(match[2]), Number(match[1])];
  else return undefined;
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export class ImportCheck implements RowSink {
  readonly findings: Findings;
  readonly records: ImportRecord[] = [];
  /** Names of Produktbereiche, -gruppen and Produkte as the file writes them. */
  readonly names = new Map<string, string>();
  rowCount = 0;
  private headerRows: Cell[][] = [];
  private header: Header | undefined;
  private columns: ResolvedColumns = {};
  private wideColumns: Array<{ index: number; year: number; kind: ValueKind }> = [];
  private readonly parse: NumberParser;
  private readonly seenPostings = new Map<string, number>();
  private readonly seenLines = new Map<string, number>();
  private fatal = false;
  private readonly footer: Array<{ line: number; cells: readonly Cell[] }> = [];
  /** One LineRef object per line: a file of many postings has few lines. */
  private readonly refs = new Map<string, LineRef>();

  constructor(
    private readonly profile: ImportProfile,
    private readonly fileName: string,
    findingLimit = 1000,
  ) {
    this.findings = new Findings(findingLimit);
    this.parse = numberParser(profile.numbers ?? { decimal: '.', thousands: [], percentSign: false });
  }

  problem(problem: ParseProblem): void {
    if (problem.fatal) this.fatal = true;
    this.findings.add(
      budgetFinding(problem.code, {
        file: this.fileName,
        ...(problem.line !== undefined ? { line: problem.line } : {}),
        ...(problem.column !== undefined ? { column: columnPosition(problem.column) } : {}),
        ...(problem.value !== undefined ? { value: problem.value } : {}),
        ...(problem.expected !== undefined ? { expected: problem.expected } : {}),
        ...problem.facts,
      }),
    );
  }

  row(line: number, cells: readonly Cell[]): void {
    if (this.fatal) return;
    const headerRows = this.profile.format.headerRows;
    if (this.headerRows.length < headerRows) {
      this.headerRows.push([...cells]);
      if (this.headerRows.length === headerRows) this.resolveHeader(line);
      return;
    }
    if (headerRows > 0 && !this.header) return;
    // Footer rows (sources, notes) are only known to be footer rows at the end: hold them back.
    const skipFooter = this.profile.format.skipFooterRows;
    if (skipFooter > 0) {
      this.footer.push({ line, cells });
      if (this.footer.length <= skipFooter) return;
      const next = this.footer.shift()!;
      this.dataRow(next.line, next.cells);
      return;
    }
    this.dataRow(line, cells);
  }

  private error(code: Parameters<typeof budgetFinding>[0], facts: Omit<Parameters<typeof budgetFinding>[1], 'file'>, severity: 'error' | 'warning' = 'error'): void {
    this.findings.add(budgetFinding(code, { file: this.fileName, ...facts }, severity));
  }

  private resolveHeader(line: number): void {
    const header = buildHeader(this.headerRows);
    this.header = header;
    const available = header.joined.map((t, i) => `${columnLetter(i + 1)} „${t}“`).filter((_, i) => header.joined[i] !== '').join(', ');
    const resolve = (name: string, ref: ColumnRef): number | undefined => {
      const r = resolveColumn(ref, header);
      if (r.ok) return r.indices[0];
      if (r.reason === 'ambiguous') this.error('COLUMN_AMBIGUOUS', { line, wanted: describeRef(ref), matches: r.matches.map((i) => columnLetter(i + 1)).join(', ') });
      else this.error('COLUMN_MISSING', { line, wanted: `${describeRef(ref)} (${name})`, available: available || 'keine' });
      this.fatal = true;
      return undefined;
    };
    for (const [name, ref] of Object.entries(this.profile.columns) as Array<[ColumnName, ColumnRef | undefined]>) {
      if (ref) this.columns[name] = resolve(name, ref);
    }
    for (const w of this.profile.wide ?? []) {
      const index = resolve(`${w.kind} ${w.year}`, w.column);
      if (index !== undefined) this.wideColumns.push({ index, year: w.year, kind: w.kind });
    }
  }

  private position(index: number) {
    return columnPosition(index + 1, this.header?.joined[index]);
  }

  private text(cells: readonly Cell[], name: ColumnName): string | undefined {
    const index = this.columns[name];
    return index === undefined ? undefined : cellText(cells[index]).trim();
  }

  private dataRow(line: number, cells: readonly Cell[]): void {
    if (cells.every((c) => c === null || cellText(c).trim() === '')) return;
    this.rowCount += 1;
    const p = this.profile;
    const at = (name: ColumnName) => ({ line, column: this.position(this.columns[name]!) });
    let ok = true;

    // Produkt, Produktgruppe, Produktbereich.
    const group = this.text(cells, 'productGroup') || null;
    let product = this.text(cells, 'product') || null;
    if (!product && p.productFromGroup) product = group;
    if (!product) {
      const column = this.columns.product ?? this.columns.productGroup;
      this.error('PRODUCT_EMPTY', { line, ...(column !== undefined ? { column: this.position(column) } : {}), expected: 'die Nummer des Produkts im Produkthaushalt' });
      ok = false;
    }
    let area = this.text(cells, 'productArea') || null;
    if (!area && p.areaFromCode) area = (group ?? product)?.slice(0, 2) ?? null;
    if (!area || !/^\d{2}$/.test(area)) {
      if (product) this.error('AREA_INVALID', { line, ...(this.columns.productArea !== undefined ? { column: this.position(this.columns.productArea) } : {}), value: area ?? '', expected: 'zwei Ziffern, z. B. 05 Soziale Leistungen' });
      ok = false;
    }
    const names: Array<[ColumnName, string | null]> = [['productAreaName', area], ['productGroupName', group], ['productName', product]];
    for (const [column, code] of names) {
      const name = this.text(cells, column);
      if (code && name) this.names.set(code, name);
    }

    // Kontenart: from the direction column or the account's class.
    const account = this.text(cells, 'account') || '*';
    let kind: AccountKind | undefined;
    if (this.columns.direction !== undefined) {
      const direction = this.text(cells, 'direction') ?? '';
      kind = lookup(p.directions, direction);
      if (!kind) {
        this.error('DIRECTION_UNKNOWN', { ...at('direction'), value: direction, expected: Object.keys(p.directions).map((k) => `„${k}“`).join(' oder ') || 'eine Zuordnung in directions' });
        ok = false;
      }
    } else {
      kind = p.accountClasses.find((c) => account.startsWith(c.prefix))?.kind;
      if (!kind) {
        this.error('ACCOUNT_CLASS_UNKNOWN', { ...(this.columns.account !== undefined ? at('account') : { line }), value: account, expected: `ein Konto mit der Kontenklasse ${p.accountClasses.map((c) => c.prefix).join(', ')}` });
        ok = false;
      }
    }
    const costCentre = this.text(cells, 'costCentre') || null;
    const text = this.text(cells, 'text') || null;

    if (p.layout === 'wide') {
      if (!ok) return;
      const ref: LineRef = { productArea: area!, productGroup: group, productCode: product!, costCentre, account, accountKind: kind! };
      for (const w of this.wideColumns) {
        const cell = cells[w.index];
        if (cell === null || cell === undefined || cellText(cell).trim() === '') continue;
        const cents = this.amount(cell, line, w.index, kind!);
        if (cents === undefined) continue;
        this.add({ line, kind: w.kind, year: w.year, ref, amountCents: cents, postingId: null, postingDate: null, text });
      }
      return;
    }

    // Long layout: year, value kind, amount per row.
    let year = p.year;
    if (this.columns.year !== undefined) {
      const yearText = this.text(cells, 'year') ?? '';
      const parsed = /^\d{4}$/.test(yearText) ? Number(yearText) : Number.NaN;
      if (!(parsed >= 1990 && parsed <= 2100)) {
        this.error('YEAR_INVALID', { ...at('year'), value: yearText, expected: 'ein Haushaltsjahr mit vier Ziffern, z. B. 2024' });
        ok = false;
      } else year = parsed;
    }
    let valueKind = p.valueKind;
    if (this.columns.valueKind !== undefined) {
      const kindText = this.text(cells, 'valueKind') ?? '';
      valueKind = lookup(p.valueKinds, kindText);
      if (!valueKind) {
        this.error('KIND_UNKNOWN', { ...at('valueKind'), value: kindText, expected: `${Object.keys(p.valueKinds).map((k) => `„${k}“`).join(', ') || 'eine Zuordnung in valueKinds'} (Wertarten ${VALUE_KIND_LIST})` });
        ok = false;
      }
    }
    const amountIndex = this.columns.amount!;
    const amountCell = cells[amountIndex];
    if (amountCell === null || amountCell === undefined || cellText(amountCell).trim() === '') {
      const warn = p.emptyAmount === 'hinweis';
      this.error('AMOUNT_EMPTY', { line, column: this.position(amountIndex), expected: 'ein Betrag in Euro' }, warn ? 'warning' : 'error');
      return;
    }
    const cents = kind ? this.amount(amountCell, line, amountIndex, kind) : undefined;
    if (cents === undefined) ok = false;

    let postingId: string | null = null;
    let postingDate: string | null = null;
    if (this.columns.postingId !== undefined) {
      postingId = this.text(cells, 'postingId') || null;
      if (!postingId && p.mode === 'BUCHUNGEN') {
        this.error('POSTING_ID_EMPTY', { ...at('postingId'), expected: 'die Belegnummer und Position der Buchung' });
        ok = false;
      }
    }
    if (this.columns.postingDate !== undefined) {
      const raw = this.text(cells, 'postingDate') ?? '';
      const parsed = parseDate(raw);
      if (!parsed) {
        this.error('POSTING_DATE_INVALID', { ...at('postingDate'), value: raw, expected: 'ein Datum wie 31.12.2024 oder 2024-12-31' });
        ok = false;
      } else postingDate = parsed;
    }
    if (!ok || year === undefined || valueKind === undefined || cents === undefined) return;
    this.add({ line, kind: valueKind, year, ref: this.ref(area!, group, product!, costCentre, account, kind!), amountCents: cents, postingId, postingDate, text });
  }

  private ref(productArea: string, productGroup: string | null, productCode: string, costCentre: string | null, account: string, accountKind: AccountKind): LineRef {
    const key = `${productArea}|${productGroup ?? ''}|${productCode}|${costCentre ?? ''}|${account}|${accountKind}`;
    let ref = this.refs.get(key);
    if (!ref) this.refs.set(key, (ref = { productArea, productGroup, productCode, costCentre, account, accountKind }));
    return ref;
  }

  /** Amount in cents with the profile's sign convention turned into positive-per-Kontenart. */
  private amount(cell: Cell, line: number, index: number, kind: AccountKind): number | undefined {
    let value: number;
    if (typeof cell === 'number') value = cell;
    else {
      const text = cellText(cell).trim();
      if (looksLikeFormula(text)) {
        this.error('FORMULA_IN_NUMBER', { line, column: this.position(index), value: text, expected: 'der Betrag als Zahl' });
        return undefined;
      }
      value = this.parse(text);
      if (Number.isNaN(value)) {
        const n = this.profile.numbers ?? { decimal: '.', thousands: [] };
        this.error('NUMBER_INVALID', { line, column: this.position(index), value: text, expected: `ein Betrag mit Dezimaltrennzeichen „${n.decimal}“${n.thousands.length ? ` und Tausendertrennzeichen ${n.thousands.map((t) => `„${t}“`).join(' oder ')}` : ''}` });
        return undefined;
      }
    }
    const negate = isSpending(kind) ? this.profile.signs.aufwand === 'negativ' : this.profile.signs.ertrag === 'negativ';
    const cents = Math.sign(value) * Math.round(Math.abs(value) * 100);
    return negate ? -cents : cents;
  }

  private add(record: ImportRecord): void {
    // Postings are unique by key within a file; balances and plan values by line, year and kind.
    if (this.profile.mode === 'BUCHUNGEN' && record.kind === 'IST') {
      const key = `${record.year}|${record.postingId}`;
      const first = this.seenPostings.get(key);
      if (first !== undefined) {
        this.error('POSTING_DUPLICATE', { line: record.line, ...(this.columns.postingId !== undefined ? { column: this.position(this.columns.postingId) } : {}), value: record.postingId ?? '', firstLine: first, expected: 'jede Buchung einmal' });
        return;
      }
      this.seenPostings.set(key, record.line);
    } else {
      const key = `${record.kind}|${record.year}|${lineKey(record.ref)}`;
      const first = this.seenLines.get(key);
      if (first !== undefined) {
        const what = `${record.kind === 'IST' ? 'Das Ist' : `Der Wert (${record.kind})`} von Produkt ${record.ref.productCode}${record.ref.costCentre ? `, Kostenstelle ${record.ref.costCentre}` : ''}${record.ref.account !== '*' ? `, Konto ${record.ref.account}` : ''} (${record.ref.accountKind === 'ERTRAG' ? 'Ertrag' : record.ref.accountKind === 'AUFWAND' ? 'Aufwand' : record.ref.accountKind})`;
        this.error('LINE_DUPLICATE', { line: record.line, what, year: record.year, firstLine: first, expected: 'je Position, Jahr und Wertart eine Zeile' });
        return;
      }
      this.seenLines.set(key, record.line);
    }
    this.records.push(record);
  }

  /** Ends the pass: rows held back as footer are dropped; a file without values is an error. */
  finish(): void {
    if (!this.fatal && this.profile.format.headerRows > 0 && !this.header) {
      this.error('FILE_EMPTY', { reason: 'nicht einmal eine Kopfzeile' });
      return;
    }
    if (!this.fatal && this.findings.errorCount === 0 && this.records.length === 0) {
      if (this.rowCount === 0) this.error('HEADER_ONLY', {});
      else this.error('NO_VALUES', { expected: 'mindestens eine Zeile mit Betrag' });
    }
  }
}
