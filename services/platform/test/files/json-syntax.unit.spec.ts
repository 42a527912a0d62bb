import { findJsonSyntaxError, lineAndColumn } from '../../src/files/json-syntax';

describe('findJsonSyntaxError', () => {
  it('finds nothing in valid JSON', () => {
    expect(findJsonSyntaxError('[{"a": 1.5e3, "b": "x\\"y\\u00e4", "c": [true, false, null]}, -0]')).toBeUndefined();
  });

  it('names a trailing comma before the closing brace, with line and column as an editor counts them', () => {
    expect(findJsonSyntaxError('[\r\n  {"Einwohner": 2611,}\r\n]')).toEqual({
      offset: 24,
      line: 2,
      column: 22,
      found: '}',
      expected: 'ein Spaltenname in doppelten Anführungszeichen ("…")',
      hint: 'vor „}“ steht in JSON kein Komma',
    });
    expect(findJsonSyntaxError('[1, 2,\n]')).toMatchObject({ line: 2, column: 1, found: ']', hint: 'vor „]“ steht in JSON kein Komma' });
  });

  it('expects a comma or the closing bracket after a value', () => {
    expect(findJsonSyntaxError('[\n  {\n    "Name": "Linse"\n    "Zeitraum": "2024-02"\n  }\n]')).toMatchObject({ line: 4, column: 5, found: '"', expected: 'ein Komma (,) oder „}“' });
  });

  it('explains single quotes, a decimal comma, a line break in a text and an early end', () => {
    expect(findJsonSyntaxError("[{'Name': 1}]")).toMatchObject({ column: 3, found: "'", hint: expect.stringContaining('doppelten Anführungszeichen') });
    expect(findJsonSyntaxError('{"a": 1,5}')).toMatchObject({ column: 9, found: '5' });
    expect(findJsonSyntaxError('{"a": 01}')).toMatchObject({ column: 8, expected: expect.stringContaining('keine führenden Nullen') });
    expect(findJsonSyntaxError('["Schöne\nberg"]')).toMatchObject({ line: 1, column: 9, hint: expect.stringContaining('keinen Zeilenumbruch') });
    expect(findJsonSyntaxError('[{"a": 1}')).toEqual(expect.objectContaining({ line: 1, column: 10, hint: 'die Datei endet mitten in den Daten' }));
    expect(findJsonSyntaxError('[{"a": 1}')).not.toHaveProperty('found');
    expect(findJsonSyntaxError('[1] [2]')).toMatchObject({ column: 5, expected: 'das Ende der Datei' });
  });

  it('agrees with JSON.parse on what is valid', () => {
    for (const text of ['[]', '{}', '"x"', '[1,]', '{"a":}', '[01]', '["\\x"]', '[1 2]', '', ' ', 'nul', '[-]', '[1.]', '{"a" 1}']) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect({ text, valid: findJsonSyntaxError(text) === undefined }).toEqual({ text, valid });
    }
  });
});

describe('lineAndColumn', () => {
  it('counts CRLF, LF and a lone CR as one line break each and columns in characters', () => {
    expect(lineAndColumn('a\r\nb\nc\rdé😀x', 11)).toEqual({ line: 4, column: 4 });
  });
});
