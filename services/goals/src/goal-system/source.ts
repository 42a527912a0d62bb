/**
 * Reading a goal-system file (YAML or JSON: JSON is read as YAML 1.2, of which it is a subset)
 * with the position of every node, so that each problem names file, line and column.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type ScalarTag } from 'yaml';

/** One problem with the file, in German, at a place in it. */
export interface Problem {
  file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  line: number;
  /** 1-based; 0 when the problem concerns the whole file. */
  column: number;
  /** Where in the structure, e.g. `ziele[0].zielwerte[1].termin`; empty for the whole file. */
  path: string;
  message: string;
}

export type DocPath = ReadonlyArray<string | number>;

export function formatPath(path: DocPath): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out === '' ? segment : `${out}.${segment}`), '');
}

/** `datei.yaml:12:5: ziele[0].titel: Pflichtangabe fehlt` */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/**
 * Digit strings with a leading zero (AGS `09461`, Gemeinde `09461000`, phone numbers) stay text:
 * YAML's core schema would read them as numbers and drop the zero. Tried before the core
 * schema's integer tag.
 */
const LEADING_ZERO_DIGITS: ScalarTag = { tag: 'tag:yaml.org,2002:str', test: /^0\d+$/, resolve: (s: string) => s, default: true };

const YAML_MESSAGES: Record<string, string> = {
  DUPLICATE_KEY: 'Diese Angabe steht im selben Abschnitt zweimal.',
  BAD_INDENT: 'Die Einrückung stimmt nicht: Einträge eines Abschnitts müssen gleich weit eingerückt sein.',
  TAB_AS_INDENT: 'Eingerückt wird mit Leerzeichen, nicht mit Tabulatoren.',
  MISSING_CHAR: 'Hier fehlt ein Zeichen (z. B. ein schließendes Anführungszeichen oder eine Klammer).',
  MULTILINE_IMPLICIT_KEY: 'Eine Angabe (Text vor dem Doppelpunkt) muss auf einer Zeile stehen; fehlt ein Doppelpunkt oder Anführungszeichen?',
  BLOCK_AS_IMPLICIT_KEY: 'Vor dem Doppelpunkt steht keine einfache Angabe; stimmt die Einrückung?',
  UNEXPECTED_TOKEN: 'An dieser Stelle ist das Zeichen nicht erlaubt.',
  BAD_SCALAR_START: 'Ein Wert darf so nicht beginnen; Text mit Sonderzeichen in Anführungszeichen setzen.',
  BAD_DQ_ESCAPE: 'Ungültige Escape-Sequenz in Anführungszeichen.',
  MULTIPLE_DOCS: 'Die Datei enthält mehrere Dokumente (---); ein Zielsystem steht in genau einem.',
  BAD_ALIAS: 'Verweis (*anker) auf einen unbekannten Anker.',
  BLOCK_IN_FLOW: 'In einer Liste oder einem Objekt in Klammern ist kein eingerückter Block erlaubt.',
  KEY_OVER_1024_CHARS: 'Die Angabe vor dem Doppelpunkt ist zu lang.',
  NON_STRING_KEY: 'Angaben vor dem Doppelpunkt müssen Text sein.',
};

export interface SourceFile {
  fileName: string;
  /** The parsed value (plain JS), undefined when the file could not be read at all. */
  value: unknown;
  /** Problems of the syntax; nothing else is checked while there are any. */
  syntaxProblems: Problem[];
  /** The problem at a path; `atKey` places it on the key of the last segment instead of its value. */
  problemAt(path: DocPath, message: string, options?: { atKey?: boolean }): Problem;
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value !== null && typeof value === 'object') {
    // An empty `beschreibung:` in YAML is null: it counts as not given.
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null).map(([k, v]) => [k, stripNulls(v)]));
  }
  return value;
}

export function readSource(fileName: string, text: string): SourceFile {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, schema: 'core', customTags: (tags) => [LEADING_ZERO_DIGITS, ...tags], prettyErrors: false, uniqueKeys: true });

  const position = (offset: number | undefined): { line: number; column: number } => {
    if (offset === undefined) return { line: 0, column: 0 };
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };

  /** The node at `path`, or the deepest existing ancestor; the key node of the last pair when asked. */
  const nodeAt = (path: DocPath, atKey: boolean): Node | null => {
    let node: unknown = doc.contents;
    let last: Node | null = (doc.contents as Node | null) ?? null;
    for (let i = 0; i < path.length; i += 1) {
      const segment = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === segment);
        if (!pair) return last;
        if (atKey && i === path.length - 1) return (pair.key as Node) ?? last;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        return last;
      }
      if (node && typeof node === 'object' && 'range' in node) last = node as Node;
      else return last;
    }
    return last;
  };

  const problemAt = (path: DocPath, message: string, options: { atKey?: boolean } = {}): Problem => {
    const node = nodeAt(path, options.atKey ?? false);
    return { file: fileName, ...position(node?.range?.[0]), path: formatPath(path), message };
  };

  const syntaxProblems: Problem[] = doc.errors.map((e) => {
    const german = YAML_MESSAGES[e.code] ?? 'Die Datei ist an dieser Stelle kein gültiges YAML bzw. JSON.';
    return { file: fileName, ...position(e.pos[0]), path: '', message: german };
  });
  if (syntaxProblems.length === 0 && (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null))) {
    syntaxProblems.push({ file: fileName, line: 0, column: 0, path: '', message: 'Die Datei ist leer.' });
  }
  let value: unknown;
  if (syntaxProblems.length === 0) {
    try {
      value = stripNulls(doc.toJS({ maxAliasCount: 100 }));
    } catch (error) {
      syntaxProblems.push({ file: fileName, line: 0, column: 0, path: '', message: `Die Datei lässt sich nicht lesen: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return { fileName, value, syntaxProblems, problemAt };
}
