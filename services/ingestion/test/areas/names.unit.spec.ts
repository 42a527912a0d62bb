import { buildNameIndex, normalizeAreaName } from '../../src/areas/names';
import type { AreaUnitView, SchemeVersionView } from '../../src/areas/register';

function view(units: Array<Partial<AreaUnitView> & { code: string; name: string }>, nameGroups: SchemeVersionView['nameGroups'] = []): SchemeVersionView {
  return {
    schemeId: 's',
    name: 'S',
    tenant: null,
    version: 1,
    validFrom: '2020-01-01',
    validTo: null,
    nameGroups,
    nameMatching: { stripPrefixes: ['Hamburg-'] },
    units: units.map((u) => ({ unitType: 'Stadtteil', parentCode: null, officialKey: null, validFrom: '2020-01-01', validTo: null, designations: [], aliases: [], ...u })),
  };
}

describe('normalizeAreaName', () => {
  it.each([
    ['Barmbek-\u00adSüd', 'barmbek-sued'],
    ['Barmbek -\nSüd', 'barmbek-sued'],
    ['Neugraben-\n  Fischbek', 'neugraben-fischbek'],
    ['  Groß   Borstel ', 'gross borstel'],
    ['GROSS BORSTEL', 'gross borstel'],
    ['Westliche_Höhe', 'westliche hoehe'],
    ['St.Georg', 'st georg'],
    ['St. Georg', 'st georg'],
    ['Farmsen – Berne', 'farmsen-berne'],
    ['Jürgensby', 'juergensby'],
    ['Juergensby', 'juergensby'],
    ['Fruerlund\u200b', 'fruerlund'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeAreaName(input)).toBe(expected);
  });

  it('strips configured prefixes but never a whole name', () => {
    expect(normalizeAreaName('Hamburg-Altstadt', { stripPrefixes: ['Hamburg-'] })).toBe('altstadt');
    expect(normalizeAreaName('hamburg - altstadt', { stripPrefixes: ['Hamburg-'] })).toBe('altstadt');
    expect(normalizeAreaName('Hamburg', { stripPrefixes: ['Hamburg-'] })).toBe('hamburg');
    expect(normalizeAreaName('Hamburg-Altstadt')).toBe('hamburg-altstadt');
  });
});

describe('buildNameIndex', () => {
  const index = buildNameIndex(
    view(
      [
        { code: '0101', name: 'Hamburg-Altstadt' },
        { code: '0117', name: 'Kleiner Grasbrook' },
        { code: '0118', name: 'Steinwerder' },
        { code: '0301', name: 'Eimsbüttel' },
        { code: '03', name: 'Eimsbüttel', unitType: 'Bezirk' },
        { code: '0409', name: 'Dulsberg', aliases: ['Dulsberg-Nord'] },
      ],
      [{ name: 'Kleiner Grasbrook und Steinwerder', codes: ['0117', '0118'], note: 'zusammengefasst' }],
    ),
  );

  it('matches names, aliases and prefixed names', () => {
    expect(index.match('Altstadt')).toMatchObject({ status: 'matched', code: '0101', via: 'name' });
    expect(index.match('HAMBURG-ALTSTADT')).toMatchObject({ status: 'matched', code: '0101' });
    expect(index.match('Dulsberg-Nord')).toMatchObject({ status: 'matched', code: '0409', via: 'alias' });
  });

  it('returns a merged name as the group of its units', () => {
    expect(index.match('Kleiner Grasbrook und Steinwerder')).toEqual({ status: 'group', codes: ['0117', '0118'], name: 'Kleiner Grasbrook und Steinwerder', note: 'zusammengefasst' });
  });

  it('reports a name shared by a Stadtteil and a Bezirk as ambiguous unless the type is given', () => {
    expect(index.match('Eimsbüttel')).toEqual({ status: 'ambiguous', codes: ['0301', '03'] });
    expect(index.match('Eimsbüttel', { unitTypes: ['Bezirk'] })).toMatchObject({ status: 'matched', code: '03' });
  });

  it('reports unknown names with suggestions, never silently', () => {
    expect(index.match('Steinwerda')).toEqual({ status: 'unmatched', suggestions: [{ code: '0118', name: 'Steinwerder' }] });
    expect(index.match('Wilhelmsburg')).toEqual({ status: 'unmatched', suggestions: [] });
  });
});
