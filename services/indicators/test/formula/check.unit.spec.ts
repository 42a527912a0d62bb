import fc from 'fast-check';
import { FormulaError, checkFormula, compileFormula, type FormulaIssue } from '../../src/formula';
import { vocabulary } from './support';

const check = (text: string) => checkFormula(text, vocabulary);

/** jsep's own (English) wording must never reach a user. */
const ENGLISH = /\b(Unexpected|Expected|expected|character|Unclosed|missing|token|names cannot|period|comma|at character)\b/;

function expectWellFormed(issue: FormulaIssue, text: string): void {
  expect(issue.message.startsWith(`Spalte ${issue.column}: `)).toBe(true);
  expect(issue.message).not.toMatch(ENGLISH);
  expect(issue.column).toBeGreaterThanOrEqual(1);
  expect(issue.column).toBeLessThanOrEqual(Array.from(text).length + 1);
}

// [formula, issue code, column, text the message contains]; columns counted by hand, 1-based.
const cases: Array<[string, string, number, string]> = [
  ['', 'empty', 1, 'leer'],
  ['  \t ', 'empty', 1, 'leer'],
  ['arbeitslos % ew', 'unexpected-character', 12, 'unerwartetes Zeichen „%“ – erlaubt sind Zahlen, Variablen, + - * /, Klammern und die Funktionen lag, change, sum.'],
  ['ew == 1', 'unexpected-character', 4, '„==“'],
  ['ew ^ 2', 'unexpected-character', 4, '„^“'],
  ['ew −  1', 'unexpected-character', 4, 'Schreiben Sie „-“ statt „−“'],
  ['ew × 2', 'unexpected-character', 4, 'Schreiben Sie „*“ statt „×“'],
  ['einwohner_über_65', 'unexpected-character', 11, 'Umlaute'],
  ['ew\u00a0+ 1', 'unexpected-character', 3, 'U+00A0'],
  ['ew)', 'unbalanced-parenthesis', 3, '„)“ hat keine passende öffnende Klammer'],
  ['(ew', 'unbalanced-parenthesis', 1, 'es fehlt „)“'],
  ['ew + ()', 'syntax', 6, 'leere Klammern „()“'],
  ['ew +', 'syntax', 5, 'nach „+“ fehlt ein Ausdruck'],
  ['ew * / 2', 'syntax', 6, 'nach „*“ fehlt ein Ausdruck'],
  ['* ew', 'syntax', 1, 'vor „*“ fehlt ein Ausdruck'],
  ['+ew', 'syntax', 1, 'vorangestelltes „+“'],
  ['ew -', 'syntax', 5, 'nach „-“ fehlt ein Ausdruck'],
  ['ew zuzuege', 'syntax', 4, 'zwischen „ew“ und „zuzuege“ fehlt ein Operator'],
  ['ew * 0,5', 'syntax', 7, 'Dezimalzahlen schreiben Sie mit Punkt: „ew * 0.5“'],
  ['(ew, zuzuege)', 'syntax', 4, 'Komma außerhalb einer Funktion'],
  ['ew,', 'syntax', 3, 'nach diesem Komma fehlt ein Ausdruck'],
  ['sum(, ew)', 'syntax', 5, 'vor diesem Komma fehlt ein Ausdruck'],
  ['sum(ew zuzuege)', 'syntax', 8, 'fehlt ein Komma'],
  ['sum', 'syntax', 1, '„sum“ ist eine Funktion'],
  ['lag(*ew, 1)', 'syntax', 5, 'vor „*“ fehlt ein Ausdruck'],
  ['ew * 0()', 'syntax', 7, 'leere Klammern'],
  ['ew.b(1)', 'not-allowed', 1, '„ew.b(1)“ ist ein Aufruf über einen Punkt'],
  ['lag(ew, 1)(2)', 'not-allowed', 1, 'ein Aufruf ohne Funktionsnamen'],
  ['. ew', 'invalid-number', 1, 'unerwarteter Punkt'],
  ['1.2.3 * ew', 'invalid-number', 4, 'höchstens einen Dezimalpunkt'],
  ['1e3 * ew', 'invalid-number', 1, '„1e3“'],
  ['.5 * ew', 'invalid-number', 1, '„.5“'],
  ['ew * 5.', 'invalid-number', 6, '„5.“'],
  ['2ew', 'invalid-name', 1, '„2ew“'],
  ['Ew', 'invalid-name', 1, 'Meinten Sie „ew“ (Einwohner)?'],
  ['ew / _ew', 'invalid-name', 6, '„_ew“'],
  ['arbeitslos / ew', 'unknown-variable', 1, 'unbekannte Variable „arbeitslos“. Meinten Sie „arbeitslose“ (Arbeitslose)?'],
  ['ew / arbeitsloes', 'unknown-variable', 6, 'Meinten Sie „arbeitslose“'],
  ['hze_3 / ew', 'unknown-variable', 1, 'Meinten Sie „hze_33“ oder „hze_34“?'],
  ['max(ew, zuzuege)', 'unknown-function', 1, 'unbekannte Funktion „max“ – erlaubt sind lag, change und sum.'],
  ['ew + summe(ew)', 'unknown-function', 6, 'Meinten Sie „sum“?'],
  ['ew(2)', 'unknown-function', 1, '„ew“ ist eine Variable'],
  ['lag(ew)', 'argument-count', 1, 'lag erwartet 2 Argumente'],
  ['change(ew, 1, 2)', 'argument-count', 1, 'change erwartet 2 Argumente'],
  ['sum()', 'argument-count', 1, 'sum erwartet 1 bis 50 Argumente, gefunden 0'],
  [`sum(${Array.from({ length: 51 }, () => 'ew').join(',')})`, 'argument-count', 1, 'gefunden 51'],
  ['lag(ew, 0)', 'lag-periods', 9, 'ganze Zahl von 1 bis 24 sein, gefunden „0“'],
  ['ew / change(ew, 25)', 'lag-periods', 17, 'gefunden „25“'],
  ['lag(ew, 1.5)', 'lag-periods', 9, '„1.5“'],
  ['lag(ew, 1.0)', 'lag-periods', 9, '„1.0“'],
  ['lag(ew, -1)', 'lag-periods', 9, '„-1“'],
  ['lag(ew, zuzuege)', 'lag-periods', 9, '„zuzuege“'],
  ['ew / 0', 'division-by-zero', 6, 'Division durch null – der Nenner „0“ ist immer 0.'],
  ['ew / 0.0', 'division-by-zero', 6, '„0.0“'],
  ['ew / (2 - 2)', 'division-by-zero', 6, '„(2 - 2)“'],
  ['ew / (0.5 * 4 - 2)', 'division-by-zero', 6, '„(0.5 * 4 - 2)“'],
  ['ew / -(1 - 1)', 'division-by-zero', 6, '„-(1 - 1)“'],
  ['ew / lag(3 - 3, 1)', 'division-by-zero', 6, '„lag(3 - 3, 1)“'],
  ['ew / sum(1, -1)', 'division-by-zero', 6, '„sum(1, -1)“'],
  ['(ew + ausgaben_eur) / ew', 'unit-mismatch', 5, '„ew + ausgaben_eur“ addiert Personen und EUR.'],
  ['ew - ausgaben_eur', 'unit-mismatch', 4, '„ew - ausgaben_eur“ subtrahiert EUR von Personen.'],
  ['sum(hze_33, ew, hze_34)', 'unit-mismatch', 1, '„sum(hze_33, ew, hze_34)“ addiert Fälle und Personen.'],
  ['1 + 2', 'no-variable', 1, 'keine Variable'],
  ['lag(5, 1) * 2', 'no-variable', 1, 'keine Variable'],
  ['ew.einwohner', 'not-allowed', 1, '„ew.einwohner“ ist ein Zugriff mit Punkt'],
  ['ew.', 'not-allowed', 3, 'Zugriffe mit Punkt'],
  ['x'.repeat(2001), 'too-long', 2001, '2001 Zeichen lang, erlaubt sind höchstens 2000'],
  [`${'('.repeat(41)}ew${')'.repeat(41)}`, 'too-deep', 41, 'höchstens 40 Klammerebenen'],
];

describe('checkFormula reports every problem in German with its column', () => {
  it.each(cases)('%j: %s in column %i', (text, code, column, fragment) => {
    const issues = check(text);
    const issue = issues.find((i) => i.code === code);
    expect(issue).toBeDefined();
    expect(issue!.column).toBe(column);
    expect(issue!.message).toContain(fragment);
    for (const i of issues) expectWellFormed(i, text);
  });

  it('returns no issue for a valid formula', () => {
    expect(check('(zuzuege - fortzuege) / ew')).toEqual([]);
  });

  it('counts columns in characters, also after characters outside the basic plane', () => {
    const [issue] = check('ew + 😀 + %');
    expect(issue!.column).toBe(6);
    expect(check('ew + 😀 + %')[1]!.column).toBe(10);
  });

  it('collects all issues of a formula, ordered by column', () => {
    const text = 'arbeitslos / ew + lag(ew, 30) + (ew - ausgaben_eur) + max(ew) + ew / (1 - 1)';
    const issues = check(text);
    expect(issues.map((i) => [i.code, i.column])).toEqual([
      ['unknown-variable', 1],
      ['lag-periods', text.indexOf('30') + 1],
      ['unit-mismatch', text.indexOf(' - ') + 2],
      ['unknown-function', text.indexOf('max') + 1],
      ['division-by-zero', text.indexOf('(1 - 1)') + 1],
    ]);
    for (const i of issues) expectWellFormed(i, text);
  });

  it('reports every stray character, not only the first', () => {
    expect(check('ew % 2 & zuzuege').map((i) => i.column)).toEqual([4, 8]);
  });

  it('names an unknown variable once, at its first occurrence', () => {
    expect(check('zuzuege / arbeitslos + arbeitslos / ew').filter((i) => i.code === 'unknown-variable')).toHaveLength(1);
  });

  it('suggests nothing for a name far from every code', () => {
    const [issue] = check('xyz / ew');
    expect(issue!.message).not.toContain('Meinten Sie');
    expect(issue!.message).toContain('Variablenverzeichnis');
  });

  it('refuses change() nested so deep that its expansion would explode, quickly', () => {
    const depth = 30;
    const text = `${'change('.repeat(depth)}ew${', 1)'.repeat(depth)}`;
    const started = performance.now();
    const issues = check(text);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(issues.map((i) => i.code)).toEqual(['too-large']);
    expectWellFormed(issues[0]!, text);
  });
});

describe('compileFormula', () => {
  it('throws a FormulaError carrying all issues and the formula', () => {
    const text = 'arbeitslos / ew + max(ew)';
    let error: unknown;
    try {
      compileFormula(text, vocabulary);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormulaError);
    const formulaError = error as FormulaError;
    expect(formulaError.formula).toBe(text);
    expect(formulaError.issues).toEqual(checkFormula(text, vocabulary));
    expect(formulaError.issues).toHaveLength(2);
    expect(formulaError.message).toContain('Ungültige Formel');
    expect(formulaError.message).toContain('unbekannte Variable „arbeitslos“');
  });
});

describe('unit check', () => {
  it.each([
    ['arbeitslose / ew + zuzuege / ew', 'quotients of the same units'],
    ['ausgaben_eur / ew + miete_qm * wohnflaeche / ew', 'EUR per person reached in two ways'],
    ['personen_je_haushalt * haushalte - ew', 'Personen/Haushalte times Haushalte'],
    ['ew + 5', 'a number next to a unit'],
    ['100 - anteil_sgb2', 'a number minus a percentage'],
    ['ew * 2 + zuzuege', 'a scaled count plus a count'],
    ['ew / ew + 1', 'a ratio without unit plus a number'],
    ['anteil_sgb2 + anteil_sgb2', 'two percentages'],
    ['sum(ew_jahresmittel, zuzuege) - fortzuege', 'a non-additive average together with counts of the same unit'],
    ['ohne_einheit + ausgaben_eur', 'a variable without unit'],
    ['change(ew, 1) / lag(ew, 1)', 'a change over the previous value'],
  ])('accepts %s (%s)', (text) => {
    expect(check(text)).toEqual([]);
  });

  it.each([
    ['ew * ew + ew', 'addiert Personen^2 und Personen'],
    ['ausgaben_eur / ew + ausgaben_eur', 'addiert EUR/Personen und EUR'],
    ['arbeitslose / ew + ew', 'addiert Werte ohne Einheit und Personen'],
    ['hze_33 + haushalte', 'addiert Fälle und Haushalte'],
    ['lag(ew, 1) - lag(ausgaben_eur, 1)', 'subtrahiert EUR von Personen'],
    ['sum(ew, hze_33, wohnflaeche)', 'addiert Personen, Fälle und m²'],
  ])('reports %s', (text, fragment) => {
    const issues = check(text);
    expect(issues.map((i) => i.code)).toEqual(['unit-mismatch']);
    expect(issues[0]!.message).toContain(fragment);
  });

  it('reports a mismatch once, not again for every enclosing sum', () => {
    expect(check('ew + ausgaben_eur + ew + ew').map((i) => i.code)).toEqual(['unit-mismatch']);
  });
});

describe('division by a constant zero', () => {
  it('is not reported for a divisor that only may be zero', () => {
    expect(check('ew / (zuzuege - fortzuege)')).toEqual([]);
    expect(check('ew / (1 - 0.5 * 2 + zuzuege)')).toEqual([]);
    expect(check('0 / ew')).toEqual([]);
  });
});

describe('any text', () => {
  const pieces = ['ew', 'zuzuege', 'lag', 'change', 'sum', 'x', 'E', '0', '1', '24', '.', ',', '(', ')', '+', '-', '*', '/', ' ', '%', '"', '[', '?', 'ä', '😀', '\n'];

  it('gets issues or compiles, and never makes the check throw', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join('')), (text) => {
        const issues = check(text);
        for (const issue of issues) expectWellFormed(issue, text);
        if (issues.length === 0) expect(() => compileFormula(text, vocabulary)).not.toThrow();
        else expect(() => compileFormula(text, vocabulary)).toThrow(FormulaError);
      }),
      { numRuns: 2000 },
    );
  });
});
