import { compileFormula } from '../../src/formula';
import { add, div, lag, mul, neg, num, sub, sum, v, vocabulary } from './support';

const compile = (text: string) => compileFormula(text, vocabulary);

describe('compileFormula reads every construct of the language', () => {
  it('reads a variable and a ratio of two variables', () => {
    expect(compile('ew').node).toEqual(v('ew'));
    expect(compile('arbeitslose / ew_15_bis_unter_65').node).toEqual(div(v('arbeitslose'), v('ew_15_bis_unter_65')));
  });

  it('reads whole numbers and numbers with a decimal point', () => {
    expect(compile('ew * 1000').node).toEqual(mul(v('ew'), num(1000)));
    expect(compile('0.5 * ew').node).toEqual(mul(num(0.5), v('ew')));
    expect(compile('ew * 007.250').node).toEqual(mul(v('ew'), num(7.25)));
  });

  it('gives * and / precedence over + and -, and reads operators of equal rank from left to right', () => {
    expect(compile('zuzuege + fortzuege * 2').node).toEqual(add(v('zuzuege'), mul(v('fortzuege'), num(2))));
    expect(compile('ew - zuzuege - fortzuege').node).toEqual(sub(sub(v('ew'), v('zuzuege')), v('fortzuege')));
    expect(compile('ew / zuzuege / fortzuege').node).toEqual(div(div(v('ew'), v('zuzuege')), v('fortzuege')));
    expect(compile('ew / zuzuege * 100').node).toEqual(mul(div(v('ew'), v('zuzuege')), num(100)));
  });

  it('lets parentheses override precedence and ignores redundant ones', () => {
    expect(compile('(zuzuege + fortzuege) * 2').node).toEqual(mul(add(v('zuzuege'), v('fortzuege')), num(2)));
    expect(compile('ew - (zuzuege - fortzuege)').node).toEqual(sub(v('ew'), sub(v('zuzuege'), v('fortzuege'))));
    expect(compile('((ew))').node).toEqual(v('ew'));
  });

  it('reads unary minus, also repeated and after an operator', () => {
    expect(compile('-ew + zuzuege').node).toEqual(add(neg(v('ew')), v('zuzuege')));
    expect(compile('ew - -fortzuege').node).toEqual(sub(v('ew'), neg(v('fortzuege'))));
    expect(compile('--ew').node).toEqual(neg(neg(v('ew'))));
    expect(compile('-(ew * 2)').node).toEqual(neg(mul(v('ew'), num(2))));
  });

  it('accepts spaces, tabs and line breaks anywhere between tokens', () => {
    expect(compile(' \t(zuzuege\n -\r\n fortzuege )\t/ ew \n').node).toEqual(div(sub(v('zuzuege'), v('fortzuege')), v('ew')));
    expect(compile('lag ( ew ,  2 )').node).toEqual(lag(v('ew'), 2));
  });

  it('reads sum() with one to fifty arguments in their order', () => {
    expect(compile('sum(hze_33, hze_34)').node).toEqual(sum(v('hze_33'), v('hze_34')));
    expect(compile('sum(ew)').node).toEqual(sum(v('ew')));
    const fifty = Array.from({ length: 50 }, () => 'ew').join(', ');
    expect(compile(`sum(${fifty})`).node).toEqual(sum(...Array.from({ length: 50 }, () => v('ew'))));
  });

  it('reads lag() with 1 to 24 periods', () => {
    expect(compile('lag(ew, 1)').node).toEqual(lag(v('ew'), 1));
    expect(compile('lag(ew, 24)').node).toEqual(lag(v('ew'), 24));
    expect(compile('lag(zuzuege - fortzuege, 3)').node).toEqual(lag(sub(v('zuzuege'), v('fortzuege')), 3));
  });

  it('keeps the text as given', () => {
    expect(compile(' ew ').text).toBe(' ew ');
  });
});

describe('change()', () => {
  it('is expanded to x - lag(x, n)', () => {
    expect(compile('change(ew, 1)').node).toEqual(sub(v('ew'), lag(v('ew'), 1)));
    expect(compile('change(ew, 1) / lag(ew, 1)').node).toEqual(div(sub(v('ew'), lag(v('ew'), 1)), lag(v('ew'), 1)));
  });

  it('expands a compound argument with a copy, so no node appears twice in the tree', () => {
    const node = compile('change(zuzuege - fortzuege, 2)').node;
    expect(node).toEqual(sub(sub(v('zuzuege'), v('fortzuege')), lag(sub(v('zuzuege'), v('fortzuege')), 2)));
    if (node.kind !== 'binary' || node.right.kind !== 'lag') throw new Error('unexpected shape');
    expect(node.right.operand).not.toBe(node.left);
  });

  it('reads the population development in per cent as numerator change and denominator previous value', () => {
    const f = compile('change(ew, 1) / lag(ew, 1)');
    expect(f.numerator).toEqual(sub(v('ew'), lag(v('ew'), 1)));
    expect(f.denominator).toEqual(lag(v('ew'), 1));
    expect(f.inputs).toEqual([
      { code: 'ew', lag: 0 },
      { code: 'ew', lag: 1 },
    ]);
    expect(f.maxLag).toBe(1);
  });

  it('nested in itself reads the values of every period back to the sum of both lags', () => {
    // change(change(ew,1),1) = (ew - ew[1]) - (ew[1] - ew[2])
    const f = compile('change(change(ew, 1), 1)');
    expect(f.inputs).toEqual([
      { code: 'ew', lag: 0 },
      { code: 'ew', lag: 1 },
      { code: 'ew', lag: 2 },
    ]);
    expect(f.maxLag).toBe(2);
  });
});

describe('lags of nested lag() add up', () => {
  it('reads the inner variable at the sum of both lags', () => {
    const f = compile('lag(lag(ew, 2) + zuzuege, 3)');
    expect(f.inputs).toEqual([
      { code: 'ew', lag: 5 },
      { code: 'zuzuege', lag: 3 },
    ]);
    expect(f.maxLag).toBe(5);
  });

  it('lists each (variable, lag) pair once, sorted by code and lag', () => {
    const f = compile('zuzuege / lag(ew, 12) + lag(zuzuege, 12) / ew + lag(ew, 12) / ew');
    expect(f.inputs).toEqual([
      { code: 'ew', lag: 0 },
      { code: 'ew', lag: 12 },
      { code: 'zuzuege', lag: 0 },
      { code: 'zuzuege', lag: 12 },
    ]);
    expect(f.variables).toEqual(['ew', 'zuzuege']);
    expect(f.maxLag).toBe(12);
  });

  it('has a maximum lag of 0 without lag()', () => {
    expect(compile('hze_33 + hze_34').maxLag).toBe(0);
  });
});

describe('numerator and denominator', () => {
  it('split at a top-level division', () => {
    const f = compile('(zuzuege - fortzuege) / ew');
    expect(f.numerator).toEqual(sub(v('zuzuege'), v('fortzuege')));
    expect(f.denominator).toEqual(v('ew'));
  });

  it('split at the last of several divisions, which is the top level', () => {
    const f = compile('ew / zuzuege / fortzuege');
    expect(f.numerator).toEqual(div(v('ew'), v('zuzuege')));
    expect(f.denominator).toEqual(v('fortzuege'));
    const g = compile('ew / (zuzuege / fortzuege)');
    expect(g.numerator).toEqual(v('ew'));
    expect(g.denominator).toEqual(div(v('zuzuege'), v('fortzuege')));
  });

  it('do not split when the top level is no division: a count, a scaled ratio, a negated ratio', () => {
    for (const text of ['hze_33 + hze_34', 'arbeitslose / ew * 100', '-(arbeitslose / ew)', 'arbeitslose / ew + 1']) {
      const f = compile(text);
      expect(f.numerator).toBe(f.node);
      expect(f.denominator).toBeNull();
    }
  });

  it('split a parenthesised whole formula', () => {
    expect(compile('(arbeitslose / ew)').denominator).toEqual(v('ew'));
  });
});

describe('the unit of the numerator', () => {
  it('is the unit of a count or of the numerator of a ratio', () => {
    expect(compile('hze_33 + hze_34').unit).toBe('Fälle');
    expect(compile('arbeitslose / ew_15_bis_unter_65').unit).toBe('Personen');
    expect(compile('sum(alleinerziehende, haushalte) / ew').unit).toBe('Haushalte');
  });

  it('multiplies and divides units', () => {
    expect(compile('miete_qm * wohnflaeche').unit).toBe('EUR');
    expect(compile('ausgaben_eur / ew / haushalte').unit).toBe('EUR/Personen');
    expect(compile('(ausgaben_eur / ew) / haushalte').unit).toBe('EUR/Personen');
    expect(compile('ausgaben_eur / (ew * haushalte)').unit).toBe('EUR');
    expect(compile('(ausgaben_eur / (ew * haushalte)) * 1').unit).toBe('EUR/(Haushalte·Personen)');
    expect(compile('ew * ew').unit).toBe('Personen^2');
    expect(compile('ew / ew * 1').unit).toBe('ohne Einheit');
  });

  it('is null when the numerator is a number or has a variable without unit', () => {
    expect(compile('1 / ew').unit).toBeNull();
    expect(compile('ohne_einheit / ew').unit).toBeNull();
  });
});
