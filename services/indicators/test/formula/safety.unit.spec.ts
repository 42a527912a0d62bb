import jsep from 'jsep';
import { FormulaError, checkFormula, compileFormula, evaluateScalar, evaluateVector } from '../../src/formula';
import { vocabulary } from './support';

const hostile = [
  'constructor',
  '__proto__',
  'process.exit()',
  'process.exit(1)',
  'a.b',
  'x[0]',
  '"s"',
  "'s'",
  '`s`',
  'a ? b : c',
  'this',
  'this.constructor',
  'globalThis',
  'pwned()',
  'pwned(ew)',
  'ew + pwned(1)',
  'eval("1")',
  'Function("return process")()',
  'constructor.constructor("return process")()',
  'ew.constructor',
  'ew.toString()',
  'toString(ew, 1)',
  'hasOwnProperty(ew)',
  'valueOf()',
  '__proto__.polluted',
  'require("fs")',
  'import("fs")',
  'new Date()',
  'x = 1',
  '() => 1',
  'ew; process.exit()',
  'ew && pwned()',
  'ew || pwned()',
  '!ew',
  '~ew',
  'ew ** 2',
  'ew % 2',
  'ew < 1',
  'ew >= 1',
  'ew == 1',
  '[ew]',
  'true',
  'null',
  'undefined',
  'NaN',
  'Infinity',
];

describe('no formula can run code', () => {
  const marker = jest.fn();
  let exit: jest.SpyInstance;

  beforeAll(() => {
    (globalThis as Record<string, unknown>).pwned = marker;
    exit = jest.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('process.exit called');
    }) as never);
  });

  afterAll(() => {
    delete (globalThis as Record<string, unknown>).pwned;
    exit.mockRestore();
  });

  it.each(hostile)('rejects %j with an issue and runs nothing', (text) => {
    const issues = checkFormula(text, vocabulary);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue.message).toMatch(/^Spalte \d+: /);
    expect(() => compileFormula(text, vocabulary)).toThrow(FormulaError);
    expect(marker).not.toHaveBeenCalled();
    expect(exit).not.toHaveBeenCalled();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('neither evaluates strings nor constructs functions while compiling and evaluating', () => {
    const calls: string[] = [];
    const realEval = globalThis.eval;
    const RealFunction = globalThis.Function;
    globalThis.eval = ((source: string) => {
      calls.push(`eval ${source}`);
      return undefined;
    }) as typeof eval;
    globalThis.Function = new Proxy(RealFunction, {
      apply: () => calls.push('Function()'),
      construct: () => {
        calls.push('new Function()');
        return () => undefined;
      },
    });
    try {
      for (const text of hostile) checkFormula(text, vocabulary);
      const f = compileFormula('change(ew, 1) / lag(ew, 1) + sum(zuzuege, -fortzuege) / ew', vocabulary);
      evaluateVector(f.node, () => new Float64Array([1, 2]), 2);
      evaluateScalar(f.node, () => 3);
    } finally {
      globalThis.eval = realEval;
      globalThis.Function = RealFunction;
    }
    expect(calls).toEqual([]);
  });

  it('treats a code that is also an object property as a plain variable, read only through the reader', () => {
    const variables = new Map([
      ['constructor', { unit: 'Personen', additive: true }],
      ['to_string', { unit: 'Personen', additive: true }],
    ]);
    const f = compileFormula('constructor / to_string', variables);
    const reads: string[] = [];
    const value = evaluateScalar(f.node, (code, lag) => {
      reads.push(`${code}@${lag}`);
      return code === 'constructor' ? 6 : 3;
    });
    expect(value).toBe(2);
    expect(reads).toEqual(['constructor@0', 'to_string@0']);
  });

  it('leaves jsep configured to exactly the formula grammar', () => {
    // jsep's defaults would read all of these; the formula module removed them.
    expect(() => jsep('a ? b : c')).toThrow();
    expect(() => jsep('a % b')).toThrow();
    expect(() => jsep('a == b')).toThrow();
    expect(() => jsep('!a')).toThrow();
    expect(jsep('true')).toEqual({ type: 'Identifier', name: 'true' });
    expect(jsep('a - -b * c')).toMatchObject({ type: 'BinaryExpression', operator: '-', right: { operator: '*' } });
  });
});
