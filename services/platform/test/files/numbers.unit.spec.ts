import { looksLikeFormula, numberParser } from '../../src/files';

describe('numbers as German offices write them', () => {
  const hamburg = numberParser({ decimal: ',', thousands: [' '], percentSign: false });
  const dotted = numberParser({ decimal: ',', thousands: ['.'], percentSign: true });
  const plain = numberParser({ decimal: '.', thousands: [], percentSign: false });

  it('reads space thousands, padding blanks, decimal commas and "-  23" negatives', () => {
    expect(hamburg(' 1 675    ')).toBe(1675);
    expect(hamburg('1 788 994')).toBe(1788994);
    expect(hamburg(' 9,7    ')).toBe(9.7);
    expect(hamburg('-  23    ')).toBe(-23);
    expect(hamburg('1\u00a0300')).toBe(1300);
  });

  it('reads dot thousands and a trailing percent sign', () => {
    expect(dotted('1.374')).toBe(1374);
    expect(dotted('53,40%')).toBe(53.4);
    expect(dotted('1.234.567,5')).toBe(1234567.5);
  });

  it('refuses wrong grouping instead of guessing', () => {
    expect(dotted('1.5')).toBeNaN();
    expect(hamburg('12 34')).toBeNaN();
    expect(hamburg('1.5')).toBeNaN();
    expect(plain('1,5')).toBeNaN();
    expect(plain('zwölf')).toBeNaN();
    expect(plain('')).toBeNaN();
  });

  it('keeps float artefacts of exports and exponents where the decimal is a dot', () => {
    expect(plain('109.00000000000001')).toBe(109.00000000000001);
    expect(plain('1e-3')).toBe(0.001);
    expect(hamburg('1e3')).toBeNaN();
  });

  it('tells formula text from negative numbers', () => {
    expect(looksLikeFormula('=HYPERLINK("http://x";"klick")')).toBe(true);
    expect(looksLikeFormula('@SUM(A1:A2)')).toBe(true);
    expect(looksLikeFormula('+cmd|calc')).toBe(true);
    expect(looksLikeFormula('-23')).toBe(false);
    expect(looksLikeFormula('-  23')).toBe(false);
  });
});
