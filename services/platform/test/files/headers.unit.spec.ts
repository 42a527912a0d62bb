import { buildHeader, headerKey, resolveColumn } from '../../src/files';

describe('header texts', () => {
  it('compares headers across soft hyphens, hyphenated line breaks, padding and case', () => {
    expect(headerKey('Bevölkerungs-\ndichte')).toBe(headerKey('Bevölkerungsdichte'));
    expect(headerKey('Migra\u00adtions-hintergrund')).toBe(headerKey('Migrationshintergrund'));
    expect(headerKey(' 65-Jährige und Ältere ')).toBe(headerKey('65-Jährige und Ältere'));
    expect(headerKey('Wohnungen in Ein- und Zweifamilien-häusern')).toBe('wohnungen in ein- und zweifamilienhäusern');
  });

  it('fills merged group headers of a two-row header and finds columns by row and pattern', () => {
    const header = buildHeader([
      ['Kennziffer', 'Raumeinheit', 'Aggregat', 'Arbeitslose', null, null],
      [null, null, null, '1998', '1999', '2000'],
    ]);
    expect(header.joined).toEqual(['Kennziffer', 'Raumeinheit', 'Aggregat', 'Arbeitslose 1998', 'Arbeitslose 1999', 'Arbeitslose 2000']);
    expect(resolveColumn({ header: 'Kennziffer' }, header)).toEqual({ ok: true, indices: [0] });
    expect(resolveColumn({ headerPattern: '^\\d{4}$', headerRow: 2 }, header)).toEqual({ ok: true, indices: [3, 4, 5] });
    expect(resolveColumn({ header: '1999' }, header)).toEqual({ ok: true, indices: [4] });
    expect(resolveColumn({ letter: 'F' }, header)).toEqual({ ok: true, indices: [5] });
    expect(resolveColumn({ header: 'Einwohner' }, header)).toEqual({ ok: false, reason: 'missing', matches: [] });
  });
});
