/**
 * From formula text to a checked FormulaNode: converts jsep's tree into ours (accepting only the
 * node kinds of the grammar), expands change(), and checks names, functions, lag periods, units
 * and constant divisors. Every problem is collected; the caller gets all of them at once.
 */
import type jsep from 'jsep';
import type { BinaryOperator, CompiledFormula, FormulaNode, VariableInfo } from './ast';
import {
  FUNCTION_NAMES,
  MAX_EXPANDED_NODES,
  MAX_LAG_PERIODS,
  MAX_SUM_ARGUMENTS,
  VARIABLE_NAME,
  isFunctionName,
  type FunctionName,
} from './grammar';
import { FormulaError, issueAt, listGerman, quote, type FormulaIssue, type FormulaIssueCode } from './issues';
import { parseSyntax, type Span, type TokenSpans } from './parse';
import { suggestNames } from '@lagebild/platform';
import { NEUTRAL, UNKNOWN, combineProduct, describeDims, formatDims, parseUnit, sameUnit, type UnitValue } from './units';

/** Where a node of our tree came from: its own text, the text with its grouping parentheses, its operator. */
interface Location {
  start: number;
  end: number;
  outerStart: number;
  outerEnd: number;
  /** Index of the operator of a binary node; the start for other nodes. */
  operator: number;
}

/** Stands in for a part of the formula that is already reported as wrong; it is never handed out. */
const INVALID: FormulaNode = Object.freeze({ kind: 'number', value: Number.NaN });

interface Context {
  text: string;
  variables: ReadonlyMap<string, VariableInfo>;
  spans: ReadonlyMap<jsep.Expression, TokenSpans>;
  issues: FormulaIssue[];
  locations: WeakMap<FormulaNode, Location>;
  reportedUnknown: Set<string>;
  /** True once any part was replaced by INVALID. */
  invalid: boolean;
  nodeCount: number;
  tooLargeReported: boolean;
  /** Valid parts of an invalid whole: checked on their own, so that their issues are reported too. */
  orphans: FormulaNode[];
}

interface Converted {
  node: FormulaNode;
  /** Span including the parentheses around this node. */
  outer: Span;
}

function report(ctx: Context, code: FormulaIssueCode, index: number, message: string): void {
  ctx.issues.push(issueAt(code, ctx.text, index, message));
}

function textOf(ctx: Context, span: Span): string {
  return ctx.text.slice(span.start, span.end);
}

function place(ctx: Context, node: FormulaNode, location: Location): FormulaNode {
  ctx.nodeCount += 1;
  ctx.locations.set(node, location);
  return node;
}

/** Replaces a wrong part; `parts` already converted below it are still checked on their own. */
function invalid(ctx: Context, outer: Span, parts: ReadonlyArray<Converted | null> = []): Converted {
  ctx.invalid = true;
  for (const part of parts) if (part && part.node !== INVALID) ctx.orphans.push(part.node);
  return { node: INVALID, outer };
}

/** Span of a jsep node: recorded for tokens and groups, derived from the operands otherwise. */
function spansOf(ctx: Context, expression: jsep.Expression): TokenSpans {
  const recorded = ctx.spans.get(expression);
  if (recorded) return recorded;
  let span: Span = { start: 0, end: ctx.text.length };
  if (expression.type === 'BinaryExpression') {
    const e = expression as jsep.BinaryExpression;
    span = { start: spansOf(ctx, e.left).outer.start, end: spansOf(ctx, e.right).outer.end };
  } else if (expression.type === 'Compound' || expression.type === 'SequenceExpression') {
    const parts = expression.type === 'Compound' ? (expression as jsep.Compound).body : (expression as jsep.SequenceExpression).expressions;
    const first = parts[0];
    const last = parts[parts.length - 1];
    if (first && last) span = { start: spansOf(ctx, first).outer.start, end: spansOf(ctx, last).outer.end };
  }
  return { inner: span, outer: span };
}

function locationOf(spans: TokenSpans, operator = spans.inner.start): Location {
  return { start: spans.inner.start, end: spans.inner.end, outerStart: spans.outer.start, outerEnd: spans.outer.end, operator };
}

// ---------------------------------------------------------------------------------------------
// Conversion

function convert(ctx: Context, expression: jsep.Expression): Converted {
  const spans = spansOf(ctx, expression);
  switch (expression.type) {
    case 'Literal':
      return convertLiteral(ctx, expression as jsep.Literal, spans);
    case 'Identifier':
      return convertName(ctx, (expression as jsep.Identifier).name, spans);
    case 'ThisExpression':
      // jsep reads `this` as a keyword; in a formula it is just a name.
      return convertName(ctx, 'this', spans);
    case 'UnaryExpression': {
      const e = expression as jsep.UnaryExpression;
      const operand = convert(ctx, e.argument);
      if (e.operator !== '-') return notAllowed(ctx, spans, `der Operator ${quote(e.operator)}`, '.', [operand]);
      if (operand.node === INVALID) return invalid(ctx, spans.outer);
      return { node: place(ctx, { kind: 'negate', operand: operand.node }, locationOf(spans)), outer: spans.outer };
    }
    case 'BinaryExpression':
      return convertBinary(ctx, expression as jsep.BinaryExpression, spans);
    case 'CallExpression':
      return convertCall(ctx, expression as jsep.CallExpression, spans);
    case 'Compound':
      return convertList(ctx, (expression as jsep.Compound).body, spans);
    case 'SequenceExpression':
      return convertList(ctx, (expression as jsep.SequenceExpression).expressions, spans);
    case 'MemberExpression':
      return notAllowed(ctx, spans, 'ein Zugriff mit Punkt oder eckigen Klammern', ' – der Punkt steht nur als Dezimalpunkt in Zahlen (z. B. 0.5).');
    case 'ArrayExpression':
      return notAllowed(ctx, spans, 'eine Liste in eckigen Klammern');
    case 'ConditionalExpression':
      return notAllowed(ctx, spans, 'eine Bedingung mit ? und :');
    default:
      return notAllowed(ctx, spans, 'dieser Ausdruck');
  }
}

function notAllowed(ctx: Context, spans: TokenSpans, what: string, hint = '.', parts: ReadonlyArray<Converted | null> = []): Converted {
  report(ctx, 'not-allowed', spans.inner.start, `${quote(textOf(ctx, spans.inner))} ist ${what} und in Formeln nicht erlaubt${hint}`);
  return invalid(ctx, spans.outer, parts);
}

function convertLiteral(ctx: Context, literal: jsep.Literal, spans: TokenSpans): Converted {
  if (typeof literal.value !== 'number') return notAllowed(ctx, spans, 'kein Zahlenwert');
  // jsep also reads `.5`, `5.` and `1e3`; the language writes numbers as digits with an optional
  // decimal point between digits, so every formula reads the same way.
  if (!/^[0-9]+(\.[0-9]+)?$/.test(literal.raw) || !Number.isFinite(literal.value)) {
    report(ctx, 'invalid-number', spans.inner.start, `ungültige Zahl ${quote(literal.raw)} – schreiben Sie Zahlen mit Ziffern vor und nach dem Dezimalpunkt, z. B. 1000 oder 0.5.`);
    return invalid(ctx, spans.outer);
  }
  return { node: place(ctx, { kind: 'number', value: literal.value }, locationOf(spans)), outer: spans.outer };
}

function describeCandidate(ctx: Context, code: string): string {
  const name = ctx.variables.get(code)?.name;
  return name ? `${quote(code)} (${name})` : quote(code);
}

function convertName(ctx: Context, name: string, spans: TokenSpans): Converted {
  const at = spans.inner.start;
  if (!VARIABLE_NAME.test(name)) {
    const lower = name.toLowerCase();
    const hint = ctx.variables.has(lower) ? ` Meinten Sie ${describeCandidate(ctx, lower)}?` : '';
    report(ctx, 'invalid-name', at, `ungültiger Name ${quote(name)} – Variablen beginnen mit einem Kleinbuchstaben und bestehen aus a–z, Ziffern und _.${hint}`);
    return invalid(ctx, spans.outer);
  }
  if (ctx.variables.has(name)) return { node: place(ctx, { kind: 'variable', code: name }, locationOf(spans)), outer: spans.outer };
  if (isFunctionName(name)) {
    report(ctx, 'syntax', at, `${quote(name)} ist eine Funktion und braucht Argumente in Klammern, z. B. ${functionExample(name)}.`);
    return invalid(ctx, spans.outer);
  }
  if (!ctx.reportedUnknown.has(name)) {
    ctx.reportedUnknown.add(name);
    const candidates = suggestNames(name, ctx.variables.keys());
    const hint =
      candidates.length > 0
        ? ` Meinten Sie ${listGerman(candidates.map((c) => describeCandidate(ctx, c)), 'oder')}?`
        : ' Sie steht nicht im Variablenverzeichnis; verwenden Sie einen Code von dort.';
    report(ctx, 'unknown-variable', at, `unbekannte Variable ${quote(name)}.${hint}`);
  }
  // Kept as a variable so that the rest of the formula is still checked; its unit is unknown.
  return { node: place(ctx, { kind: 'variable', code: name }, locationOf(spans)), outer: spans.outer };
}

function functionExample(name: FunctionName): string {
  switch (name) {
    case 'lag':
      return 'lag(ew, 1)';
    case 'change':
      return 'change(ew, 1)';
    case 'sum':
      return 'sum(hze_33, hze_34)';
    default: {
      const exhaustive: never = name;
      return exhaustive;
    }
  }
}

function isBinaryOperator(op: string): op is BinaryOperator {
  return op === '+' || op === '-' || op === '*' || op === '/';
}

function convertBinary(ctx: Context, e: jsep.BinaryExpression, spans: TokenSpans): Converted {
  const left = convert(ctx, e.left);
  const right = convert(ctx, e.right);
  // The operator stands between the operands (only whitespace around it).
  const between = ctx.text.indexOf(e.operator, left.outer.end);
  const operator = between >= 0 && between < right.outer.start ? between : left.outer.end;
  if (!isBinaryOperator(e.operator)) return notAllowed(ctx, spans, `der Operator ${quote(e.operator)}`, '.', [left, right]);
  if (left.node === INVALID || right.node === INVALID) return invalid(ctx, spans.outer, [left, right]);
  const location: Location = { start: left.outer.start, end: right.outer.end, outerStart: spans.outer.start, outerEnd: spans.outer.end, operator };
  return { node: place(ctx, { kind: 'binary', op: e.operator, left: left.node, right: right.node }, location), outer: spans.outer };
}

/** Top level `a b`, `a, b` or a group `(a, b)`: several expressions where one is expected. */
function convertList(ctx: Context, parts: jsep.Expression[], spans: TokenSpans): Converted {
  if (parts.length === 0) {
    report(ctx, 'syntax', spans.inner.start, 'hier fehlt ein Ausdruck – leere Klammern sind nicht erlaubt.');
    return invalid(ctx, spans.outer);
  }
  const converted = parts.map((p) => convert(ctx, p));
  for (let i = 1; i < converted.length; i += 1) {
    const previous = converted[i - 1]!;
    const current = converted[i]!;
    const gap = ctx.text.slice(previous.outer.end, current.outer.start);
    const comma = gap.indexOf(',');
    if (comma >= 0) {
      const at = previous.outer.end + comma;
      const decimal = /[0-9]$/.test(ctx.text.slice(0, at)) && /^[0-9]/.test(ctx.text.slice(at + 1));
      const hint = decimal
        ? ` Dezimalzahlen schreiben Sie mit Punkt: ${quote(ctx.text.slice(previous.outer.start, current.outer.end).replace(',', '.'))}.`
        : ' Kommas trennen nur die Argumente von lag, change und sum.';
      report(ctx, 'syntax', at, `unerwartetes Komma außerhalb einer Funktion.${hint}`);
    } else {
      report(
        ctx,
        'syntax',
        current.outer.start,
        `zwischen ${quote(textOf(ctx, previous.outer))} und ${quote(textOf(ctx, current.outer))} fehlt ein Operator (+ - * /).`,
      );
    }
  }
  return invalid(ctx, spans.outer, converted);
}

function convertCall(ctx: Context, call: jsep.CallExpression, spans: TokenSpans): Converted {
  const at = spans.inner.start;
  const args = call.arguments.map((a) => ({ expression: a, spans: spansOf(ctx, a) }));
  // jsep also accepts arguments separated by spaces only (`sum(a b)`); the language needs commas.
  for (let i = 1; i < args.length; i += 1) {
    const gap = ctx.text.slice(args[i - 1]!.spans.outer.end, args[i]!.spans.outer.start);
    if (!gap.includes(',')) report(ctx, 'syntax', args[i]!.spans.outer.start, 'zwischen den Argumenten fehlt ein Komma.');
  }
  if (call.callee.type !== 'Identifier') {
    // `process.exit()`, `lag(ew, 1)(2)`: only lag, change and sum can be called.
    const what = call.callee.type === 'MemberExpression' ? 'ein Aufruf über einen Punkt' : 'ein Aufruf ohne Funktionsnamen';
    return notAllowed(ctx, spans, what, ' – aufrufen lassen sich nur lag, change und sum.');
  }
  const name = (call.callee as jsep.Identifier).name;
  if (!isFunctionName(name)) {
    const converted = args.map((a) => convert(ctx, a.expression));
    const candidates = suggestNames(name, FUNCTION_NAMES);
    let hint = candidates.length > 0 ? ` Meinten Sie ${listGerman(candidates.map(quote), 'oder')}?` : '';
    if (ctx.variables.has(name)) hint = ` ${quote(name)} ist eine Variable – fehlt zwischen ihr und der Klammer ein Operator?`;
    report(ctx, 'unknown-function', at, `unbekannte Funktion ${quote(name)} – erlaubt sind lag, change und sum.${hint}`);
    return invalid(ctx, spans.outer, converted);
  }
  if (name === 'sum') {
    const operands = args.map((a) => convert(ctx, a.expression));
    if (args.length < 1 || args.length > MAX_SUM_ARGUMENTS) {
      report(ctx, 'argument-count', at, `sum erwartet 1 bis ${MAX_SUM_ARGUMENTS} Argumente, gefunden ${args.length}.`);
      return invalid(ctx, spans.outer, operands);
    }
    if (operands.some((o) => o.node === INVALID)) return invalid(ctx, spans.outer, operands);
    return { node: place(ctx, { kind: 'sum', operands: operands.map((o) => o.node) }, locationOf(spans)), outer: spans.outer };
  }
  // lag(x, n) and change(x, n)
  const operand = args[0] ? convert(ctx, args[0].expression) : null;
  if (args.length !== 2) {
    const rest = args.slice(1).map((a) => convert(ctx, a.expression));
    report(ctx, 'argument-count', at, `${name} erwartet 2 Argumente – ${name}(Ausdruck, Anzahl Perioden) –, gefunden ${args.length}.`);
    return invalid(ctx, spans.outer, [operand, ...rest]);
  }
  const periods = lagPeriods(ctx, name, args[1]!.expression, args[1]!.spans);
  if (!operand || operand.node === INVALID || periods === null) return invalid(ctx, spans.outer, [operand]);
  const location = locationOf(spans);
  if (name === 'lag') return { node: place(ctx, { kind: 'lag', operand: operand.node, periods }, location), outer: spans.outer };
  // change(x, n) = x - lag(x, n); the copy of x keeps x's positions for messages.
  if (ctx.nodeCount + size(operand.node) + 2 > MAX_EXPANDED_NODES) {
    if (!ctx.tooLargeReported) {
      ctx.tooLargeReported = true;
      report(ctx, 'too-large', at, `die Formel wird zu groß: change(x, n) steht für x - lag(x, n), verschachtelt verdoppelt sich x jedes Mal (höchstens ${MAX_EXPANDED_NODES} Teilausdrücke). Verschachteln Sie change() weniger tief.`);
    }
    return invalid(ctx, spans.outer, [operand]);
  }
  const earlier = place(ctx, { kind: 'lag', operand: copy(ctx, operand.node), periods }, location);
  return { node: place(ctx, { kind: 'binary', op: '-', left: operand.node, right: earlier }, location), outer: spans.outer };
}

function lagPeriods(ctx: Context, name: string, expression: jsep.Expression, spans: TokenSpans): number | null {
  if (expression.type === 'Literal') {
    const literal = expression as jsep.Literal;
    if (typeof literal.value === 'number' && /^[0-9]+$/.test(literal.raw) && literal.value >= 1 && literal.value <= MAX_LAG_PERIODS) return literal.value;
  }
  report(
    ctx,
    'lag-periods',
    spans.inner.start,
    `die Anzahl Perioden von ${name} muss eine ganze Zahl von 1 bis ${MAX_LAG_PERIODS} sein, gefunden ${quote(textOf(ctx, spans.outer))}.`,
  );
  return null;
}

function size(node: FormulaNode): number {
  switch (node.kind) {
    case 'number':
    case 'variable':
      return 1;
    case 'negate':
    case 'lag':
      return 1 + size(node.operand);
    case 'binary':
      return 1 + size(node.left) + size(node.right);
    case 'sum':
      return node.operands.reduce((total, o) => total + size(o), 1);
    default: {
      const exhaustive: never = node;
      return exhaustive;
    }
  }
}

/** A structural copy, so that no node appears twice in the tree handed out. */
function copy(ctx: Context, node: FormulaNode): FormulaNode {
  let result: FormulaNode;
  switch (node.kind) {
    case 'number':
    case 'variable':
      result = { ...node };
      break;
    case 'negate':
      result = { kind: 'negate', operand: copy(ctx, node.operand) };
      break;
    case 'lag':
      result = { kind: 'lag', operand: copy(ctx, node.operand), periods: node.periods };
      break;
    case 'binary':
      result = { kind: 'binary', op: node.op, left: copy(ctx, node.left), right: copy(ctx, node.right) };
      break;
    case 'sum':
      result = { kind: 'sum', operands: node.operands.map((o) => copy(ctx, o)) };
      break;
    default: {
      const exhaustive: never = node;
      return exhaustive;
    }
  }
  const location = ctx.locations.get(node);
  if (location) return place(ctx, result, location);
  ctx.nodeCount += 1;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Checks on the converted tree: units of sums and differences, constant divisors.

interface Facts {
  unit: UnitValue;
  /** Value when the node contains no variable, else null. */
  constant: number | null;
}

function location(ctx: Context, node: FormulaNode): Location {
  return ctx.locations.get(node) ?? { start: 0, end: ctx.text.length, outerStart: 0, outerEnd: ctx.text.length, operator: 0 };
}

function analyse(ctx: Context, node: FormulaNode): Facts {
  if (node === INVALID) return { unit: UNKNOWN, constant: null };
  switch (node.kind) {
    case 'number':
      return { unit: NEUTRAL, constant: node.value };
    case 'variable': {
      const info = ctx.variables.get(node.code);
      return { unit: info ? parseUnit(info.unit) : UNKNOWN, constant: null };
    }
    case 'negate': {
      const operand = analyse(ctx, node.operand);
      return { unit: operand.unit, constant: operand.constant === null ? null : -operand.constant };
    }
    case 'lag':
      // A constant is the same in every period.
      return analyse(ctx, node.operand);
    case 'sum': {
      const operands = node.operands.map((o) => analyse(ctx, o));
      const unit = additiveUnit(ctx, node, operands.map((o) => o.unit));
      const constant = operands.every((o) => o.constant !== null) ? operands.reduce((total, o) => total + o.constant!, 0) : null;
      return { unit, constant };
    }
    case 'binary': {
      const left = analyse(ctx, node.left);
      const right = analyse(ctx, node.right);
      const both = left.constant !== null && right.constant !== null;
      switch (node.op) {
        case '+':
          return { unit: additiveUnit(ctx, node, [left.unit, right.unit]), constant: both ? left.constant! + right.constant! : null };
        case '-':
          return { unit: additiveUnit(ctx, node, [left.unit, right.unit]), constant: both ? left.constant! - right.constant! : null };
        case '*':
          return { unit: combineProduct(left.unit, right.unit, 1), constant: both ? left.constant! * right.constant! : null };
        case '/': {
          if (right.constant === 0) {
            const divisor = location(ctx, node.right);
            const shown = ctx.text.slice(divisor.outerStart, divisor.outerEnd);
            report(ctx, 'division-by-zero', divisor.outerStart, `Division durch null – der Nenner ${quote(shown)} ist immer 0.`);
          }
          const constant = both && right.constant !== 0 ? left.constant! / right.constant! : null;
          return { unit: combineProduct(left.unit, right.unit, -1), constant };
        }
        default: {
          const exhaustive: never = node.op;
          return exhaustive;
        }
      }
    }
    default: {
      const exhaustive: never = node;
      return exhaustive;
    }
  }
}

/** + - and sum() need operands of one unit; numbers fit any. A mismatch is reported once and ends the check upwards. */
function additiveUnit(ctx: Context, node: FormulaNode, units: UnitValue[]): UnitValue {
  const distinct: Array<ReadonlyMap<string, number>> = [];
  for (const unit of units) {
    if (unit.kind === 'known' && !distinct.some((d) => sameUnit(d, unit.dims))) distinct.push(unit.dims);
  }
  if (distinct.length > 1) {
    const where = location(ctx, node);
    const shown = quote(ctx.text.slice(where.start, where.end));
    const names = distinct.map(describeDims);
    const verb =
      node.kind === 'binary' && node.op === '-' ? `subtrahiert ${names[1]!} von ${names[0]!}` : `addiert ${listGerman(names)}`;
    report(ctx, 'unit-mismatch', where.operator, `${shown} ${verb}. Summen und Differenzen brauchen Werte derselben Einheit.`);
    return UNKNOWN;
  }
  if (units.some((u) => u.kind === 'unknown')) return UNKNOWN;
  return units.find((u) => u.kind === 'known') ?? NEUTRAL;
}

// ---------------------------------------------------------------------------------------------

/** (variable, total lag) pairs a node reads; lags of nested lag() add up. */
export function inputsOf(node: FormulaNode): Array<{ code: string; lag: number }> {
  const out = new Map<string, { code: string; lag: number }>();
  collectInputs(node, 0, out);
  return [...out.values()];
}

function collectInputs(node: FormulaNode, lag: number, out: Map<string, { code: string; lag: number }>): void {
  switch (node.kind) {
    case 'number':
      return;
    case 'variable':
      out.set(`${node.code}\u0000${lag}`, { code: node.code, lag });
      return;
    case 'negate':
      collectInputs(node.operand, lag, out);
      return;
    case 'lag':
      collectInputs(node.operand, lag + node.periods, out);
      return;
    case 'binary':
      collectInputs(node.left, lag, out);
      collectInputs(node.right, lag, out);
      return;
    case 'sum':
      for (const operand of node.operands) collectInputs(operand, lag, out);
      return;
    default: {
      const exhaustive: never = node;
      return exhaustive;
    }
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Outcome {
  issues: FormulaIssue[];
  compiled: CompiledFormula | null;
}

function run(text: string, variables: ReadonlyMap<string, VariableInfo>): Outcome {
  if (typeof text !== 'string') {
    return { issues: [{ code: 'empty', column: 1, message: 'Spalte 1: die Formel muss ein Text sein.' }], compiled: null };
  }
  const syntax = parseSyntax(text);
  if (!syntax.ok) return { issues: syntax.issues, compiled: null };
  const ctx: Context = {
    text,
    variables,
    spans: syntax.spans,
    issues: [],
    locations: new WeakMap(),
    reportedUnknown: new Set(),
    invalid: false,
    nodeCount: 0,
    tooLargeReported: false,
    orphans: [],
  };
  const { node } = convert(ctx, syntax.root);
  const facts = analyse(ctx, node);
  for (const orphan of ctx.orphans) analyse(ctx, orphan);
  const inputs = new Map<string, { code: string; lag: number }>();
  collectInputs(node, 0, inputs);
  if (inputs.size === 0 && !ctx.invalid) {
    report(ctx, 'no-variable', 0, 'die Formel enthält keine Variable – eine Kennzahl rechnet mit Variablen aus dem Variablenverzeichnis, z. B. „arbeitslose / ew“.');
  }
  // Stable: issues at one column keep the order in which they were found.
  const issues = ctx.issues.map((issue, order) => ({ issue, order })).sort((a, b) => a.issue.column - b.issue.column || a.order - b.order).map((x) => x.issue);
  // Every INVALID comes with an issue; should one ever not, checkFormula must still not call the formula valid.
  if (ctx.invalid && issues.length === 0) issues.push(issueAt('syntax', text, 0, 'die Formel ist ungültig.'));
  if (issues.length > 0) return { issues, compiled: null };

  const split = node.kind === 'binary' && node.op === '/';
  const numerator = split ? node.left : node;
  const numeratorUnit = split ? analyse({ ...ctx, issues: [] }, numerator).unit : facts.unit;
  const sortedInputs = [...inputs.values()].sort((a, b) => compareText(a.code, b.code) || a.lag - b.lag);
  return {
    issues: [],
    compiled: {
      text,
      node,
      numerator,
      denominator: split ? node.right : null,
      variables: [...new Set(sortedInputs.map((i) => i.code))],
      inputs: sortedInputs,
      maxLag: sortedInputs.reduce((max, i) => Math.max(max, i.lag), 0),
      unit: numeratorUnit.kind === 'known' ? formatDims(numeratorUnit.dims) : null,
    },
  };
}

/**
 * Parses and checks a formula over the given variables. Throws a FormulaError carrying every
 * issue found (syntax errors stop the check early, since nothing after them can be read reliably).
 */
export function compileFormula(text: string, variables: ReadonlyMap<string, VariableInfo>): CompiledFormula {
  const outcome = run(text, variables);
  if (!outcome.compiled) throw new FormulaError(text, outcome.issues);
  return outcome.compiled;
}

/** The issues compileFormula would throw, or an empty list for a valid formula. */
export function checkFormula(text: string, variables: ReadonlyMap<string, VariableInfo>): FormulaIssue[] {
  return run(text, variables).issues;
}
