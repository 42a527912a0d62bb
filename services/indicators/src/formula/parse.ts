/**
 * The syntax layer: checks the characters and brackets of a formula text, then lets jsep build
 * its expression tree and records where each token stands in the text. jsep only parses (it has
 * no evaluator); the compiler then accepts a fixed set of node kinds and nothing else, so even a
 * differently configured jsep could not make a formula run code.
 */
import jsep from 'jsep';
import { ALLOWED_SUMMARY, MAX_FORMULA_LENGTH, MAX_NESTING_DEPTH } from './grammar';
import { issueAt, quote, type FormulaIssue } from './issues';

/** Half-open range of UTF-16 indices into the formula text, without surrounding whitespace. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface TokenSpans {
  /** Where the token itself stands, e.g. `a` in `((a))`. */
  inner: Span;
  /** Including the parentheses that group exactly this node, e.g. `((a))`. */
  outer: Span;
}

export type SyntaxResult =
  | { ok: true; root: jsep.Expression; spans: ReadonlyMap<jsep.Expression, TokenSpans> }
  | { ok: false; issues: FormulaIssue[] };

// ---------------------------------------------------------------------------------------------
// jsep configuration. jsep keeps its operators, literals and hooks in process-wide statics; this
// module is the only user of jsep in the package and sets them once, on load, to the formula
// grammar: binary + - * / (usual precedence), unary minus, no literals (true, false, null are just
// unknown names), no `$` in names and no plugins (the default ternary `?:` plugin is removed).

const BINARY_OPERATORS = new Map([
  ['+', 1],
  ['-', 1],
  ['*', 2],
  ['/', 2],
]);
const UNARY_OPERATORS = new Set(['-']);
const HOOK_NAMES = ['before-all', 'after-all', 'gobble-expression', 'after-expression', 'gobble-token', 'after-token', 'gobble-spaces'];

/** Positions recorded while one of our parses runs; null otherwise, so the hooks stay inert. */
let recording: { starts: number[]; spans: Map<jsep.Expression, TokenSpans> } | null = null;

function configureJsep(): void {
  for (const op of Object.keys(jsep.binary_ops)) if (!BINARY_OPERATORS.has(op)) jsep.removeBinaryOp(op);
  for (const [op, precedence] of BINARY_OPERATORS) jsep.addBinaryOp(op, precedence);
  for (const op of Object.keys(jsep.unary_ops)) if (!UNARY_OPERATORS.has(op)) jsep.removeUnaryOp(op);
  for (const op of UNARY_OPERATORS) jsep.addUnaryOp(op);
  jsep.removeAllLiterals();
  jsep.removeIdentifierChar('$');
  jsep.addIdentifierChar('_');
  // jsep's typings declare one callback per hook, the runtime keeps arrays; emptying them turns
  // off every registered plugin.
  const registry = jsep.hooks as unknown as Record<string, unknown>;
  for (const name of HOOK_NAMES) registry[name] = [];
  jsep.hooks.add('gobble-token', function startToken(env) {
    if (!recording) return;
    recording.starts.push(this.index);
    // jsep returns numeric literals without running after-token; reading them here keeps the
    // start/end pairs balanced.
    const code = this.code;
    if ((code >= 48 && code <= 57) || code === 46) env.node = this.gobbleNumericLiteral();
  });
  jsep.hooks.add('after-token', function endToken(env) {
    if (!recording) return;
    const start = recording.starts.pop();
    const node = env.node;
    if (!node || start === undefined) return;
    let end = this.index;
    while (end > start && isSpace(this.expr.charCodeAt(end - 1))) end -= 1;
    const known = recording.spans.get(node);
    // The first record is the token itself; a later one for the same node is a group around it.
    if (!known) recording.spans.set(node, { inner: { start, end }, outer: { start, end } });
    else if (end - start > known.outer.end - known.outer.start) known.outer = { start, end };
  });
}

configureJsep();

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

// ---------------------------------------------------------------------------------------------
// Character and bracket check before parsing: reports every stray character and bracket at once
// and keeps jsep's recursion within the nesting limit.

const ALLOWED_CHARACTER = /^[A-Za-z0-9_.+\-*/(), \t\r\n]$/;

/** Characters pasted from word processors, with what to write instead. */
const REPLACEMENTS = new Map([
  ['−', '-'],
  ['–', '-'],
  ['—', '-'],
  ['×', '*'],
  ['·', '*'],
  ['⋅', '*'],
  ['÷', '/'],
  [':', '/'],
]);

function describeCharacters(run: string): string {
  const chars = Array.from(run);
  const visible = chars.every((c) => !/[\s\p{C}]/u.test(c));
  if (visible) return quote(run);
  return chars.map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
}

function characterHint(run: string): string {
  const first = Array.from(run)[0]!;
  const replacement = REPLACEMENTS.get(first);
  if (replacement) return ` Schreiben Sie ${quote(replacement)} statt ${quote(first)}.`;
  if (/[äöüÄÖÜß]/.test(run)) return ' Namen enthalten keine Umlaute und kein ß (ae, oe, ue, ss).';
  if (run.includes('%')) return ' Für Prozentwerte schreiben Sie den Bruch und setzen die Skalierung (scale) auf 100.';
  if (/[\s\p{C}]/u.test(first)) return ' Unsichtbare Sonderzeichen entstehen oft beim Kopieren; tippen Sie die Stelle neu.';
  return '';
}

function checkCharacters(text: string): FormulaIssue[] {
  const issues: FormulaIssue[] = [];
  let runStart = -1;
  let run = '';
  const flush = () => {
    if (runStart < 0) return;
    const many = Array.from(run).length > 1;
    issues.push(
      issueAt(
        'unexpected-character',
        text,
        runStart,
        `${many ? 'unerwartete Zeichen' : 'unerwartetes Zeichen'} ${describeCharacters(run)} – ${ALLOWED_SUMMARY}${characterHint(run)}`,
      ),
    );
    runStart = -1;
    run = '';
  };
  let index = 0;
  for (const char of text) {
    if (ALLOWED_CHARACTER.test(char)) flush();
    else {
      if (runStart < 0) runStart = index;
      run += char;
    }
    index += char.length;
  }
  flush();
  return issues;
}

function checkBrackets(text: string): FormulaIssue[] {
  const issues: FormulaIssue[] = [];
  const open: number[] = [];
  let tooDeep = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '(') {
      open.push(i);
      if (open.length > MAX_NESTING_DEPTH && !tooDeep) {
        tooDeep = true;
        issues.push(issueAt('too-deep', text, i, `zu tief verschachtelt – höchstens ${MAX_NESTING_DEPTH} Klammerebenen (Gruppen und Funktionen) sind erlaubt.`));
      }
    } else if (char === ',') {
      // jsep silently skips a comma at the start or end of a list (`ew,` reads as `ew`).
      const before = text.slice(0, i).trimEnd();
      const after = text.slice(i + 1).trimStart();
      if (before === '' || before.endsWith('(') || before.endsWith(',')) {
        issues.push(issueAt('syntax', text, i, `vor diesem Komma fehlt ein Ausdruck.`));
      } else if (after === '' || after.startsWith(')') || after.startsWith(',')) {
        issues.push(issueAt('syntax', text, i, `nach diesem Komma fehlt ein Ausdruck.`));
      }
    } else if (char === ')') {
      const start = open.pop();
      if (start === undefined) {
        issues.push(issueAt('unbalanced-parenthesis', text, i, `${quote(')')} hat keine passende öffnende Klammer.`));
        continue;
      }
      const inside = text.slice(start + 1, i);
      const before = text.slice(0, start).trimEnd();
      // `sum()` is a call without arguments (reported by the compiler); `()` alone is empty.
      if (inside.trim() === '' && !/(^|[^A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*$/.test(before)) {
        issues.push(issueAt('syntax', text, start, `leere Klammern ${quote(text.slice(start, i + 1))} – in die Klammern gehört ein Ausdruck.`));
      }
    }
  }
  for (const start of open) {
    issues.push(issueAt('unbalanced-parenthesis', text, start, `${quote('(')} wird nicht geschlossen – es fehlt ${quote(')')}.`));
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------
// jsep's error messages, in German.

interface JsepError {
  index: number;
  description: string;
}

function isJsepError(error: unknown): error is JsepError {
  return (
    error instanceof Error &&
    typeof (error as Partial<JsepError>).index === 'number' &&
    typeof (error as Partial<JsepError>).description === 'string'
  );
}

function translate(text: string, error: JsepError): FormulaIssue {
  const { index, description } = error;
  const found = index < text.length ? `, gefunden ${quote(text[index]!)}` : ' – die Formel endet hier';
  let match: RegExpExecArray | null;
  if ((match = /^Expected expression after (.+)$/.exec(description))) {
    return issueAt('syntax', text, index, `nach ${quote(match[1]!)} fehlt ein Ausdruck (Zahl, Variable, Funktion oder Klammer)${found}.`);
  }
  if (description === 'missing unaryOp argument') {
    return issueAt('syntax', text, index, `nach ${quote('-')} fehlt ein Ausdruck${found}.`);
  }
  if ((match = /^Unexpected "(.*)"$/s.exec(description))) {
    const char = match[1]!;
    if (char === '+' && text.slice(0, index).trim() === '') {
      return issueAt('syntax', text, index, `ein vorangestelltes ${quote('+')} ist nicht erlaubt – lassen Sie es weg.`);
    }
    if (char === '+' || char === '*' || char === '/') {
      return issueAt('syntax', text, index, `vor ${quote(char)} fehlt ein Ausdruck – ein Operator steht immer zwischen zwei Ausdrücken.`);
    }
    return issueAt('unexpected-character', text, index, `unerwartetes Zeichen ${quote(char)} – ${ALLOWED_SUMMARY}`);
  }
  if ((match = /^(?:Variable names cannot start with a number|Expected exponent) \((.*)\)$/s.exec(description))) {
    // jsep reports the number read so far plus the character at `index` (none at the end).
    const next = index < text.length ? 1 : 0;
    const start = Math.max(0, index - (match[1]!.length - next));
    const rest = text.slice(start);
    const word = /^[0-9.]+[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word && !/^[0-9.]+[eE]([0-9+-]|$)/.test(word[0])) {
      return issueAt('invalid-name', text, start, `${quote(word[0])} – Namen beginnen mit einem Buchstaben; zwischen Zahl und Name fehlt vielleicht ein ${quote('*')}.`);
    }
    const number = /^[0-9.]*[eE][+-]?[0-9]*/.exec(rest)?.[0] ?? match[1]!;
    return issueAt('invalid-number', text, start, `ungültige Zahl ${quote(number)} – schreiben Sie Zahlen aus, z. B. 1000 oder 0.5 (keine Exponentschreibweise).`);
  }
  if (description === 'Unexpected period') {
    const dot = text.lastIndexOf('.', index);
    return issueAt('invalid-number', text, dot >= 0 ? dot : index, `unerwarteter Punkt – eine Zahl hat höchstens einen Dezimalpunkt (z. B. 0.5), Variablen haben keine Felder.`);
  }
  if (description === 'Unexpected token )') {
    return issueAt('syntax', text, index, `nach dem letzten Komma fehlt ein Argument.`);
  }
  if (description === 'Unexpected token ,') {
    return issueAt('syntax', text, index, `vor diesem Komma fehlt ein Argument.`);
  }
  if (description === 'Expected comma') {
    // Also thrown when an argument cannot be read at all, e.g. `lag(* ew, 1)`.
    const char = text[index];
    if (char === '+' || char === '*' || char === '/') {
      return issueAt('syntax', text, index, `vor ${quote(char)} fehlt ein Ausdruck – ein Operator steht immer zwischen zwei Ausdrücken.`);
    }
    return issueAt('syntax', text, index, `zwischen den Argumenten fehlt ein Komma${found}.`);
  }
  if (/^Unexpected ?.?$/s.test(description)) {
    // gobbleIdentifier after a dot: `a.` or `a.1`.
    const dot = text.lastIndexOf('.', index);
    return issueAt('not-allowed', text, dot >= 0 ? dot : index, `Zugriffe mit Punkt sind nicht erlaubt – der Punkt steht nur als Dezimalpunkt in Zahlen (z. B. 0.5).`);
  }
  if (description === 'Expected )' || description === 'Unclosed (') {
    return issueAt('unbalanced-parenthesis', text, index, `es fehlt ${quote(')')}.`);
  }
  return issueAt('syntax', text, index, `die Formel ist an dieser Stelle nicht lesbar${found} – ${ALLOWED_SUMMARY}`);
}

// ---------------------------------------------------------------------------------------------

/**
 * Checks length, characters and brackets, then parses. On success, `spans` has the position of
 * every token (numbers, names, calls, unary minus, parenthesised groups); the positions of binary
 * operations follow from their operands.
 */
export function parseSyntax(text: string): SyntaxResult {
  if (Array.from(text).length > MAX_FORMULA_LENGTH) {
    return {
      ok: false,
      issues: [issueAt('too-long', text, MAX_FORMULA_LENGTH, `die Formel ist ${Array.from(text).length} Zeichen lang, erlaubt sind höchstens ${MAX_FORMULA_LENGTH}.`)],
    };
  }
  if (text.trim() === '') return { ok: false, issues: [issueAt('empty', text, 0, 'die Formel ist leer – geben Sie einen Ausdruck an, z. B. „arbeitslose / ew“.')] };
  const issues = [...checkCharacters(text), ...checkBrackets(text)];
  if (issues.length > 0) return { ok: false, issues: issues.sort((a, b) => a.column - b.column) };

  recording = { starts: [], spans: new Map() };
  try {
    const root = jsep(text);
    return { ok: true, root, spans: recording.spans };
  } catch (error) {
    if (isJsepError(error)) return { ok: false, issues: [translate(text, error)] };
    // Within the nesting limit this cannot happen; if it does, it must not escape as a crash.
    if (error instanceof RangeError) {
      return { ok: false, issues: [issueAt('too-deep', text, 0, 'die Formel ist zu tief verschachtelt – vereinfachen Sie sie.')] };
    }
    throw error;
  } finally {
    recording = null;
  }
}
