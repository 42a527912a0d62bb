/**
 * A goal-system file with mistakes is refused as a whole, with every problem at once, each with
 * file, line and column and a German message saying what was expected.
 */
import { COLLECTIONS, listByTenant, type GoalView } from '../../src/projections';
import { formatProblem, type GoalSystemProblem } from '../../src/goal-system';
import { at, edit, SAMPLE } from './sample';
import { accepted, openStore, rejected, type Store } from './support';

let store: Store;

beforeEach(async () => {
  store = await openStore();
});

afterEach(async () => {
  await store.close();
});

function only(problems: readonly GoalSystemProblem[]): GoalSystemProblem {
  expect(problems.map(formatProblem)).toHaveLength(1);
  return problems[0]!;
}

describe('the goal-system file', () => {
  it('is accepted as written in the sample, with unquoted codes keeping their leading zeros', async () => {
    const summary = await accepted(store, SAMPLE);
    expect(summary).toMatchObject({ tenant: '09461', goals: { created: 2 }, targets: { created: 1 }, measures: { created: 1 }, traeger: { created: 1 }, contracts: { created: 1 } });
    const goals = await listByTenant<GoalView>(store.ctx.documents, COLLECTIONS.goals, '09461');
    expect(goals.find((g) => g.title === 'Arbeitslosendichte senken')?.spatialScope).toEqual({ schemeId: 'gemeindeverzeichnis', areaCodes: ['09461000'] });
  });

  it('names line and column of a YAML syntax error', async () => {
    const text = edit(SAMPLE, '    titel: Teilhabe für Alle', '    titel: "Teilhabe für Alle');
    const p = only((await rejected(store, text)).problems);
    expect(p).toMatchObject({ file: 'ziele.yaml', line: at(text, '"Teilhabe').line });
    expect(p.message).toMatch(/Anführungszeichen/);
  });

  it('refuses a key given twice in one section, at the second one', async () => {
    const text = edit(SAMPLE, '    titel: Teilhabe für Alle\n', '    titel: Teilhabe für Alle\n    titel: Noch einmal\n');
    expect(only((await rejected(store, text)).problems)).toMatchObject({ ...at(text, 'titel: Noch einmal'), message: 'Diese Angabe steht im selben Abschnitt zweimal.' });
  });

  it('names an unknown key at the key, with the key probably meant and the keys allowed', async () => {
    const text = edit(SAMPLE, '    titel: Teilhabe für Alle', '    tittel: Teilhabe für Alle');
    const { problems } = await rejected(store, text);
    expect(problems).toHaveLength(2);
    expect(problems).toContainEqual(expect.objectContaining({ ...at(text, 'tittel'), path: 'ziele[0].tittel', message: expect.stringMatching(/^Unbekannte Angabe „tittel“\. Meinten Sie „titel“\? Erlaubt sind: schluessel, ebene/) }));
    // The missing title is reported at the goal it belongs to.
    expect(problems).toContainEqual(expect.objectContaining({ ...at(text, 'schluessel: teilhabe'), path: 'ziele[0].titel', message: 'Pflichtangabe fehlt' }));
  });

  it('lists the allowed words of a closed list and the word probably meant', async () => {
    const text = edit(SAMPLE, 'ebene: strategisches Ziel', 'ebene: stratgisches Ziel');
    expect(only((await rejected(store, text)).problems)).toMatchObject({
      ...at(text, 'stratgisches Ziel'),
      path: 'ziele[0].ebene',
      message: '„stratgisches Ziel“ ist als Ebene nicht vorgesehen; erlaubt: Leitbild, strategisches Ziel, Fachbereichsziel, Produktziel, Teilziel. Meinten Sie „strategisches Ziel“?',
    });
  });

  it('explains a decimal comma, an impossible date, too many cents and a twice-given baseline period', async () => {
    let text = edit(SAMPLE, 'zielwert: 3.0', 'zielwert: 3,0');
    text = edit(text, 'termin: 2021-12-31', 'termin: 31.02.2021');
    text = edit(text, 'jahresbetrag: 48500.5', 'jahresbetrag: 48500.505');
    text = edit(text, '{ wert: 3.34, jahr: 2017 }', '{ wert: 3.34, jahr: 2017, stichtag: 2017-12-31 }');
    const { problems } = await rejected(store, text);
    expect(problems.map((p) => [p.line, p.column, p.path, p.message])).toEqual([
      [at(text, '{ wert: 3.34').line, at(text, '{ wert: 3.34').column, 'ziele[0].ziele[0].zielwerte[0].ausgangswert', expect.stringContaining('genau einmal angeben')],
      [at(text, '3,0').line, at(text, '3,0').column, 'ziele[0].ziele[0].zielwerte[0].zielwert', 'Zahl erwartet, erhalten „3,0“: Dezimalzahlen mit Punkt schreiben (3.0)'],
      [at(text, '31.02.2021').line, at(text, '31.02.2021').column, 'ziele[0].ziele[0].zielwerte[0].termin', '„31.02.2021“ ist kein Kalenderdatum.'],
      [at(text, '48500.505').line, at(text, '48500.505').column, 'vertraege[0].finanzierung.jahresbetrag', expect.stringContaining('mehr als zwei Nachkommastellen')],
    ]);
  });

  it('refuses an indicator the catalogue does not know, suggesting the one probably meant', async () => {
    const text = edit(SAMPLE, 'kennzahl: arbeitslosendichte', 'kennzahl: arbeitslosendichtee');
    expect(only((await rejected(store, text)).problems)).toMatchObject({
      ...at(text, 'arbeitslosendichtee'),
      message: 'Die Kennzahl „arbeitslosendichtee“ gibt es im Katalog des Mandanten nicht. Meinten Sie „arbeitslosendichte“?',
    });
  });

  it('says so when the goals service has not received the catalogue yet', async () => {
    const empty = await openStore([]);
    try {
      const { problems } = await rejected(empty, SAMPLE);
      expect(problems.map((p) => p.path)).toEqual(['ziele[0].ziele[0].zielwerte[0].kennzahl', 'ziele[0].ziele[0].kontextkennzahlen[0].kennzahl']);
      expect(problems[0]!.message).toMatch(/kennt noch keinen Kennzahlenkatalog/);
    } finally {
      await empty.close();
    }
  });

  it('refuses references to goal and Träger keys that are not in the file', async () => {
    let text = edit(SAMPLE, 'ziele: [arbeit]', 'ziele: [arbeiten]');
    text = edit(text, '    traeger: verein\ntraeger:', '    traeger: vereins\ntraeger:');
    const { problems } = await rejected(store, text);
    expect(problems).toEqual([
      expect.objectContaining({ ...at(text, 'arbeiten'), path: 'massnahmen[0].ziele[0]', message: 'Ein Ziel mit dem Schlüssel „arbeiten“ steht nicht in der Datei. Meinten Sie „arbeit“?' }),
      expect.objectContaining({ ...at(text, 'vereins'), path: 'massnahmen[0].traeger', message: expect.stringMatching(/^Einen Träger mit dem Schlüssel „vereins“ gibt es unter `traeger:` nicht\. Meinten Sie „verein“\?/) }),
    ]);
  });

  it('refuses a key given to two goals', async () => {
    const text = edit(SAMPLE, '            notiz: Lage der Familien\n', '            notiz: Lage der Familien\n      - schluessel: teilhabe\n        ebene: Teilziel\n        titel: Noch einmal\n');
    const p = only((await rejected(store, text)).problems);
    expect(p).toMatchObject({ ...at(text, 'teilhabe\n        ebene'), message: `Der Schlüssel „teilhabe“ ist schon an das Ziel in Zeile ${at(text, 'teilhabe\n    ebene').line} vergeben.` });
  });

  it('reports the deciders’ rules at the entry they concern: a Leitbild cannot derive from a strategic goal', async () => {
    const text = edit(SAMPLE, 'ebene: Fachbereichsziel', 'ebene: Leitbild');
    const { problems } = await rejected(store, text);
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [at(text, 'Leitbild').line, 'ziele[0].ziele[0].ebene'],
      [at(text, 'Leitbild').line, 'ziele[0].ziele[0].ebene'],
    ]);
    expect(problems.map((p) => p.message)).toEqual([
      'Ein Leitbild bzw. eine Leitlinie steht an der Spitze des Zielsystems und hat kein Oberziel.',
      expect.stringMatching(/^Ein Leitbild\/Leitlinie kann nicht aus einem strategisches Ziel abgeleitet werden/),
    ]);
  });

  it('reports a contract’s reporting duty that names a Kennzahl the contract does not agree on', async () => {
    const text = edit(SAMPLE, 'kennzahlen: [beratene] }', 'kennzahlen: [beratene, wartezeit] }');
    expect(only((await rejected(store, text)).problems)).toMatchObject({
      line: at(text, 'kennzahlen: [beratene, wartezeit]').line,
      path: 'vertraege[0].berichtspflichten[0].kennzahlen',
      message: 'Die Kennzahl „wartezeit“ ist im Vertrag nicht vereinbart.',
    });
  });

  it('reports every problem of a file at once, in the order of the lines', async () => {
    // A structural mistake hides the content checks of its own entry only: the goal under the
    // broken one is still checked against the catalogue.
    let text = edit(SAMPLE, 'ebene: strategisches Ziel', 'ebene: Strategie');
    text = edit(text, 'kennzahl: kinderarmut', 'kennzahl: kinderarmuth');
    text = edit(text, 'kennzahl: arbeitslosendichte', 'kennzahl: ald');
    text = edit(text, 'ziele: [arbeit]', 'ziele: [arbeiten]');
    text = edit(text, 'rechtsform: e.V.', 'rechtsfrom: e.V.');
    text = edit(text, 'rhythmus: jährlich', 'rhythmus: jedes Jahr');
    const { problems } = await rejected(store, text);
    expect(problems.map((p) => p.path)).toEqual([
      'ziele[0].ebene',
      'ziele[0].ziele[0].zielwerte[0].kennzahl',
      'ziele[0].ziele[0].kontextkennzahlen[0].kennzahl',
      'massnahmen[0].ziele[0]',
      'traeger[0].rechtsform',
      'traeger[0].rechtsfrom',
      'vertraege[0].berichtspflichten[0].rhythmus',
    ]);
    const lines = problems.map((p) => p.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(problems.every((p) => p.line > 0 && p.column > 0)).toBe(true);
    expect(formatProblem(problems[2]!)).toBe(`ziele.yaml:${at(text, 'kinderarmuth').line}:${at(text, 'kinderarmuth').column}: ziele[0].ziele[0].kontextkennzahlen[0].kennzahl: Die Kennzahl „kinderarmuth“ gibt es im Katalog des Mandanten nicht. Meinten Sie „kinderarmut“?`);
  });

  it('still checks the content when the top of the file has a mistake', async () => {
    let text = edit(SAMPLE, 'titel: Beispiel\n', 'titel: Beispiel\nfassung: 2\n');
    text = edit(text, 'kennzahl: kinderarmut', 'kennzahl: kinderarmuth');
    const { problems } = await rejected(store, text);
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [at(text, 'fassung').line, 'fassung'],
      [at(text, 'kinderarmuth').line, 'ziele[0].ziele[0].kontextkennzahlen[0].kennzahl'],
    ]);
  });

  it('reads JSON the same way, with line and column of its mistakes', async () => {
    const json = JSON.stringify({ mandant: '09461', ziele: [{ schluessel: 'leitbild', ebene: 'Leitbild', titel: 'Teilhabe', verantwortlich: 'Sozialreferat', prioritaet: 'hoch' }] }, null, 2);
    const p = only((await rejected(store, json, 'ziele.json')).problems);
    expect(p).toMatchObject({ file: 'ziele.json', ...at(json, '"hoch"'), path: 'ziele[0].prioritaet', message: 'Zahl erwartet, Text erhalten' });
    const broken = json.replace('"titel": "Teilhabe",', '"titel": "Teilhabe"');
    expect(only((await rejected(store, broken, 'ziele.json')).problems)).toMatchObject({ file: 'ziele.json', line: at(broken, '"verantwortlich"').line });
  });

  it('needs a tenant, and refuses one that contradicts the file', async () => {
    const withoutTenant = edit(SAMPLE, 'mandant: 09461\n', '');
    expect(only((await rejected(store, withoutTenant)).problems).message).toMatch(/Für welchen Mandanten\?/);
    expect(only((await rejected(store, SAMPLE, 'ziele.yaml', '03159')).problems)).toMatchObject({ line: at(SAMPLE, 'mandant').line, column: 10, message: 'Die Datei gilt für den Mandanten 09461, importiert wird für 03159; eins von beiden anpassen.' });
    expect((await accepted(store, withoutTenant, 'ziele.yaml', '09461')).tenant).toBe('09461');
  });
});
