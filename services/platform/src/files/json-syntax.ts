/**
 * Where a JSON text breaks, and what should stand there, in words a Sachbearbeiterin can act on.
 * JSON.parse only says so in English and, depending on the engine version, with or without a
 * position; so after it failed, this scanner walks the text once more (iteratively: deep nesting
 * cannot overflow the stack) and stops at the first character that cannot continue valid JSON
 * (RFC 8259). Only ever run on a text JSON.parse refused, so speed does not matter.
 */

export interface JsonSyntaxError {
  /** UTF-16 offset into the text of the first character that cannot continue valid JSON. */
  offset: number;
  /** 1-based line as an editor shows it (CRLF, LF and a lone CR each end a line). */
  line: number;
  /** 1-based column in characters (code points) as an editor shows it. */
  column: number;
  /** What stands there ("]", "k"), or undefined at the end of the text. */
  found?: string;
  /** What was expected there, in German. */
  expected: string;
  /** A hint beyond the expectation (trailing comma, single quotes), in German. */
  hint?: string;
}

const VALUE = 'ein Wert: eine Zahl, ein Text in doppelten Anführungszeichen ("…"), true, false, null, ein Objekt {…} oder eine Liste […]';
const KEY = 'ein Spaltenname in doppelten Anführungszeichen ("…")';
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];

type Expectation = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrCloseObject' | 'commaOrCloseArray' | 'end';

/** Line and column (both 1-based) of an offset, as an editor counts them. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line += 1;
      lineStart = i + 1;
    }
  }
  // Code points, not UTF-16 units: an emoji or a rare CJK character is one column.
  return { line, column: [...text.slice(lineStart, offset)].length + 1 };
}

/** The first syntax error of a JSON text, or undefined if the text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: Array<'{' | '['> = [];
  // Widened on purpose: afterValue() assigns it from a closure, which narrowing cannot see.
  let expect = 'value' as Expectation;
  let pos = 0;

  const fail = (expected: string, hint?: string): JsonSyntaxError => {
    const found = pos < text.length ? String.fromCodePoint(text.codePointAt(pos)!) : undefined;
    return { offset: pos, ...lineAndColumn(text, pos), ...(found === undefined ? {} : { found }), expected, ...(hint === undefined ? {} : { hint }) };
  };
  const afterValue = (): void => {
    const top = stack[stack.length - 1];
    expect = top === undefined ? 'end' : top === '{' ? 'commaOrCloseObject' : 'commaOrCloseArray';
  };
  /** Whether the last character before pos (whitespace aside) is a comma: a trailing comma. */
  const afterComma = (): boolean => {
    let i = pos - 1;
    while (i >= 0 && ' \t\n\r'.includes(text[i]!)) i -= 1;
    return text[i] === ',';
  };
  /** Scans a string starting at its opening quote; returns an error or moves pos past it. */
  const string = (): JsonSyntaxError | undefined => {
    pos += 1;
    for (;;) {
      if (pos >= text.length) return fail('ein schließendes Anführungszeichen (")');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos += 1;
        return undefined;
      }
      if (c < 0x20) return fail('ein schließendes Anführungszeichen (") vor dem Zeilenende', 'ein Text in "…" darf keinen Zeilenumbruch und kein Steuerzeichen enthalten');
      if (c === 0x5c) {
        pos += 1;
        const e = text[pos];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 1, pos + 5))) return fail('vier Hexadezimalziffern nach \\u');
          pos += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          pos += 1;
        } else {
          return fail('nach einem \\ eines der Zeichen " \\ / b f n r t u');
        }
        continue;
      }
      pos += 1;
    }
  };

  for (;;) {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos += 1;
    const c = text[pos];
    switch (expect) {
      case 'end':
        return c === undefined ? undefined : fail('das Ende der Datei', 'nach dem ersten vollständigen Wert folgt weiterer Text');
      case 'value':
      case 'valueOrClose': {
        if (c === ']' && expect === 'valueOrClose') {
          stack.pop();
          pos += 1;
          afterValue();
          break;
        }
        if (c === undefined) return fail(VALUE, 'die Datei endet mitten in den Daten');
        if (c === ']' || c === '}') return fail(VALUE, afterComma() ? `vor „${c}“ steht in JSON kein Komma` : undefined);
        if (c === '{') {
          stack.push('{');
          pos += 1;
          expect = 'keyOrClose';
          break;
        }
        if (c === '[') {
          stack.push('[');
          pos += 1;
          expect = 'valueOrClose';
          break;
        }
        if (c === '"') {
          const error = string();
          if (error) return error;
          afterValue();
          break;
        }
        if (c === '-' || (c >= '0' && c <= '9')) {
          NUMBER.lastIndex = pos;
          const match = NUMBER.exec(text);
          if (!match || match[0] === '-') return fail('eine Zahl in JSON-Schreibweise: Punkt als Dezimaltrennzeichen, kein Tausendertrennzeichen');
          pos += match[0].length;
          // "1,5" or "007" run on: the next character decides (a comma is read as the separator).
          if (pos < text.length && /[0-9.eE+\-]/.test(text[pos]!)) return fail('eine Zahl in JSON-Schreibweise: Punkt als Dezimaltrennzeichen, keine führenden Nullen');
          afterValue();
          break;
        }
        const literal = LITERALS.find((l) => text.startsWith(l, pos));
        if (literal) {
          pos += literal.length;
          afterValue();
          break;
        }
        return fail(VALUE, c === "'" ? 'Texte stehen in JSON in doppelten Anführungszeichen ("…"), nicht in einfachen' : undefined);
      }
      case 'key':
      case 'keyOrClose': {
        if (c === '}' && expect === 'keyOrClose') {
          stack.pop();
          pos += 1;
          afterValue();
          break;
        }
        if (c === '"') {
          const error = string();
          if (error) return error;
          expect = 'colon';
          break;
        }
        if (c === undefined) return fail(KEY, 'die Datei endet mitten in den Daten');
        if (c === '}') return fail(KEY, afterComma() ? 'vor „}“ steht in JSON kein Komma' : undefined);
        return fail(KEY, c === "'" ? 'Spaltennamen stehen in JSON in doppelten Anführungszeichen ("…"), nicht in einfachen' : undefined);
      }
      case 'colon':
        if (c !== ':') return fail('ein Doppelpunkt (:) nach dem Spaltennamen', c === undefined ? 'die Datei endet mitten in den Daten' : undefined);
        pos += 1;
        expect = 'value';
        break;
      case 'commaOrCloseObject':
      case 'commaOrCloseArray': {
        const close = expect === 'commaOrCloseObject' ? '}' : ']';
        if (c === ',') {
          pos += 1;
          expect = close === '}' ? 'key' : 'value';
          break;
        }
        if (c === close) {
          stack.pop();
          pos += 1;
          afterValue();
          break;
        }
        return fail(`ein Komma (,) oder „${close}“`, c === undefined ? 'die Datei endet mitten in den Daten' : undefined);
      }
      default: {
        const _exhaustive: never = expect;
        return _exhaustive;
      }
    }
  }
}
