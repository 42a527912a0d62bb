import { checkFormula, compileFormula, formatFormula } from '../../src/formula';
const v = new Map([
  ['ew', { unit: 'Personen', additive: true }],
  ['arbeitslose', { unit: 'Personen', additive: true, name: 'Arbeitslose' }],
  ['ausgaben_eur', { unit: 'EUR', additive: true }],
  ['flaeche', { unit: 'm²', additive: true }],
  ['miete', { unit: 'EUR/m²', additive: false }],
]);
it('scratch', () => {
  for (const t of ['arbeitslose / ew', '(ew + ausgaben_eur) / ew', 'arbeitslos / ew', 'a % b', 'x / (2 - 2)', 'ew / 0.0', 'change(ew, 1) / lag(ew, 1)',
    'lag(lag(ew, 1) + arbeitslose, 2)', 'sum(ew, arbeitslose, ausgaben_eur)', 'ew - ausgaben_eur', 'miete * flaeche + ausgaben_eur', 'miete * flaeche + ew',
    '1 + 2', 'constructor', '__proto__', 'process.exit()', 'a.b', 'x[0]', '"s"', 'a ? b : c', 'this', 'lag(ew 1)', 'ew 5', '0,5 * ew', 'ew * 0,5', '(ew, ew)',
    'lag(ew, 0)', 'lag(ew, 25)', 'lag(ew, 1.0)', 'lag(ew)', 'max(ew, 1)', 'ew(2)', 'sum()', 'Ew', '2ew', '1e3 * ew', '.5 * ew', 'ew +', '* ew', '+ew', 'ew −  1', '()', 'ew + ()',
    '((ew)', 'ew)', 'f(a,)', 'sum(,ew)', 'sum(ew, 1 2)', '1.2.3 * ew', 'ew.', 'ew . 1', '-ew / -(ew * ew)', 'ew / ew + 1', 'ew / ew + ew', 'ew\u00a0+ ew', 'größe', 'true', 'sum', ',ew', 'ew,', '(ew,)', 'sum(ew,,ew)', '2ew', '2e5', '1.5e', '1.5e+', 'ew * 2e', '2ex', 'max(ew)', 'summe(ew)', 'e', 'Sum(ew)', 'change(change(change(ew,1),1),1)', 'lag(1,1)*ew']) {
    const issues = checkFormula(t, v);
    console.log(JSON.stringify(t), issues.length ? issues.map((i) => `[${i.code}] ${i.message}`).join('\n   ') : formatFormula(compileFormula(t, v).node) + '  unit=' + compileFormula(t, v).unit);
  }
});
