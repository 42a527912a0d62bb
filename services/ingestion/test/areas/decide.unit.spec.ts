/**
 * The scheme decider as given(events).when(command).then(events or refusal), no stores.
 */
import { type AreaSchemeCommand, AreaRuleViolation, decide, type ImportedUnit } from '../../src/areas/decide';
import { type AreaSchemeEvent, fold, type SchemeState, type UnitRecord } from '../../src/areas/model';

const now = '2024-05-02T08:00:00.000Z';
const metadata = { now };

function unit(code: string, name: string, parentCode: string | null = null, unitType = 'Stadtteil'): ImportedUnit {
  return { code, name, unitType, parentCode, officialKey: null, aliases: [], attributes: {}, geometry: null };
}

function square(x: number): UnitRecord['geometry'] {
  return { type: 'Polygon', coordinates: [[[x, 54], [x + 0.01, 54], [x + 0.01, 54.01], [x, 54.01], [x, 54]]] };
}

const created: AreaSchemeEvent = {
  type: 'SchemeCreated',
  data: { schemeId: 'flensburg-stadtteile', name: 'Flensburg Stadtteile', tenant: '01001', description: null, nameMatching: { stripPrefixes: [] }, createdAt: now },
};

/** The data of the UnitsImported event that opens `events`. */
function unitsImported(events: readonly AreaSchemeEvent[]) {
  const event = events[0];
  if (event?.type !== 'UnitsImported') throw new Error(`expected UnitsImported, got ${event?.type ?? 'no event'}`);
  return event.data;
}

function importCommand(units: ImportedUnit[], validFrom = '2011-01-01', mode: 'merge' | 'replace' = 'merge'): AreaSchemeCommand {
  return {
    type: 'ImportUnits',
    data: { importId: 'import-1', source: { fileName: 'stadtteile.geojson', format: 'geojson', sha256: null, featureCount: units.length, notes: [] }, validFrom, reason: 'Ersteinrichtung', mode, units },
    metadata,
  };
}

function given(...events: AreaSchemeEvent[]): { when(command: AreaSchemeCommand): { events: AreaSchemeEvent[]; state: SchemeState } } {
  const state = fold(events, 'flensburg-stadtteile');
  return {
    when(command) {
      const result = decide(command, state);
      return { events: result, state: fold([...events, ...result], 'flensburg-stadtteile') };
    },
  };
}

function refusal(run: () => unknown): AreaRuleViolation {
  try {
    run();
  } catch (error) {
    if (error instanceof AreaRuleViolation) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** Events of a scheme with Altstadt, Neustadt, Nordstadt published as version 1 from 2011-01-01. */
function publishedScheme(): AreaSchemeEvent[] {
  const units = [unit('1', 'Altstadt'), { ...unit('2', 'Neustadt'), geometry: square(9.4) }, unit('3', 'Nordstadt')];
  const imported = given(created).when(importCommand(units)).events;
  const published = given(created, ...imported).when({ type: 'PublishVersion', data: { validFrom: '2011-01-01', reason: 'Ersteinrichtung' }, metadata }).events;
  return [created, ...imported, ...published];
}

describe('area scheme decider', () => {
  it('creates a scheme only once', () => {
    expect(given().when({ type: 'CreateScheme', data: { schemeId: 'flensburg-stadtteile', name: 'Flensburg Stadtteile', tenant: '01001', description: null }, metadata }).events).toEqual([
      { ...created, data: { ...created.data } },
    ]);
    expect(refusal(() => given(created).when({ type: 'CreateScheme', data: { schemeId: 'flensburg-stadtteile', name: 'x', tenant: null, description: null }, metadata })).code).toBe('scheme-exists');
  });

  it('refuses an import with duplicate codes, naming both features', () => {
    const units = [{ ...unit('1', 'Altstadt'), origin: { featureIndex: 0 } }, { ...unit('1', 'Neustadt'), origin: { featureIndex: 4 } }];
    const error = refusal(() => given(created).when(importCommand(units)));
    expect(error.code).toBe('duplicate-code');
    expect(error.errors).toEqual([{ where: 'Feature 4', detail: 'der Code "1" kommt schon in Feature 0 vor (Altstadt)' }]);
  });

  it('refuses units whose parent is missing, and parent cycles', () => {
    const missing = refusal(() => given(created).when(importCommand([{ ...unit('0101', 'Altstadt', '01'), origin: { line: 2 } }])));
    expect(missing.code).toBe('parent-missing');
    expect(missing.errors[0]).toEqual({ where: 'Zeile 2', detail: 'das übergeordnete Gebiet "01" von 0101 (Altstadt) gibt es nicht' });
    const cycle = refusal(() => given(created).when(importCommand([unit('A', 'A', 'B'), unit('B', 'B', 'C'), unit('C', 'C', 'A')])));
    expect(cycle.code).toBe('cycle');
    expect(cycle.errors[0]!.detail).toMatch(/^Zyklus in der Gliederung: [ABC] → [ABC] → [ABC] → [ABC]$/);
    expect(refusal(() => given(created).when(importCommand([unit('A', 'A', 'A')]))).code).toBe('cycle');
  });

  it('publishes the units valid on the version start, with the integration event', () => {
    const events = publishedScheme();
    const version = events.find((e) => e.type === 'AreaSchemeVersionPublished')!;
    expect(version.data).toMatchObject({ schemeId: 'flensburg-stadtteile', version: 1, validFrom: '2011-01-01', previousVersion: null, crosswalk: [] });
    expect((version.data as { units: Array<{ code: string }> }).units.map((u) => u.code)).toEqual(['1', '2', '3']);
    const geometries = events.filter((e) => e.type === 'AreaGeometriesPublished');
    expect(geometries.map((e) => (e.data as { geometries: Array<{ code: string }> }).geometries.map((g) => g.code))).toEqual([['2']]);
  });

  it('refuses a version or a change that does not start after the current version', () => {
    const events = publishedScheme();
    const overlap = refusal(() => given(...events).when({ type: 'RenameUnit', data: { code: '1', name: 'Innenstadt', validFrom: '2011-01-01', reason: 'Ratsbeschluss' }, metadata }));
    expect(overlap.code).toBe('validity-overlap');
    expect(refusal(() => given(...events).when({ type: 'PublishVersion', data: { validFrom: '2010-01-01', reason: 'x' }, metadata })).code).toBe('validity-overlap');
    expect(refusal(() => given(...events).when({ type: 'PublishVersion', data: { validFrom: '2020-01-01', reason: 'nichts geändert' }, metadata })).code).toBe('nothing-to-publish');
  });

  it('keeps the old name of a renamed unit as an alias and carries its series 1:1', () => {
    const events = publishedScheme();
    const renamed = given(...events).when({ type: 'RenameUnit', data: { code: '1', name: 'Innenstadt', validFrom: '2018-01-01', reason: 'Ratsbeschluss 2017' }, metadata });
    expect(renamed.state.units.get('1')).toMatchObject({ name: 'Innenstadt', aliases: ['Altstadt'] });
    const v2 = given(...events, ...renamed.events).when({ type: 'PublishVersion', data: { validFrom: '2018-01-01', reason: 'Fortschreibung 2018' }, metadata });
    const published = v2.events.find((e) => e.type === 'AreaSchemeVersionPublished')!.data as { crosswalk: unknown[] };
    expect(published.crosswalk).toEqual([
      { fromCode: '1', toCode: '1', weight: 1 },
      { fromCode: '2', toCode: '2', weight: 1 },
      { fromCode: '3', toCode: '3', weight: 1 },
    ]);
  });

  it('splits a unit with weights and merges units, deriving the crosswalk; a boundary change without weights is a series break', () => {
    const events = publishedScheme();
    const split = given(...events).when({
      type: 'SplitUnit',
      data: { code: '3', into: [unit('3a', 'Nordstadt-West'), unit('3b', 'Nordstadt-Ost')], weights: [{ fromCode: '3', toCode: '3a', weight: 0.4 }, { fromCode: '3', toCode: '3b', weight: 0.6 }], validFrom: '2020-01-01', reason: 'Neubaugebiet' },
      metadata,
    });
    const boundary = given(...events, ...split.events).when({ type: 'ChangeBoundary', data: { code: '2', geometry: square(9.5), validFrom: '2020-01-01', reason: 'Grenzbereinigung' }, metadata });
    const all = [...events, ...split.events, ...boundary.events];
    const state = fold(all, 'flensburg-stadtteile');
    expect(state.units.get('3')!.validTo).toBe('2019-12-31');
    const v2 = given(...all).when({ type: 'PublishVersion', data: { validFrom: '2020-01-01', reason: 'Fortschreibung 2020' }, metadata });
    const published = v2.events.find((e) => e.type === 'SchemeVersionPublished')!.data as { crosswalk: { weights: readonly unknown[]; seriesBreaks: ReadonlyArray<{ code: string; reason: string }> } };
    expect(published.crosswalk.weights).toEqual([
      { fromCode: '1', toCode: '1', weight: 1 },
      { fromCode: '3', toCode: '3a', weight: 0.4 },
      { fromCode: '3', toCode: '3b', weight: 0.6 },
    ]);
    expect(published.crosswalk.seriesBreaks).toEqual([{ code: '2', reason: 'Grenze geändert ab 2020-01-01 (Grenzbereinigung); keine Gewichte angegeben' }]);

    const merged = given(...events).when({ type: 'MergeUnits', data: { codes: ['1', '2'], into: unit('12', 'Altstadt-Neustadt'), validFrom: '2020-01-01', reason: 'Zusammenlegung' }, metadata });
    const v2m = given(...events, ...merged.events).when({ type: 'PublishVersion', data: { validFrom: '2020-01-01', reason: 'Zusammenlegung' }, metadata });
    expect((v2m.events.find((e) => e.type === 'AreaSchemeVersionPublished')!.data as { crosswalk: unknown[] }).crosswalk).toEqual([
      { fromCode: '1', toCode: '12', weight: 1 },
      { fromCode: '2', toCode: '12', weight: 1 },
      { fromCode: '3', toCode: '3', weight: 1 },
    ]);
  });

  it('refuses split weights that do not sum to 1 and reusing a retired code', () => {
    const events = publishedScheme();
    const weights = [{ fromCode: '3', toCode: '3a', weight: 0.4 }, { fromCode: '3', toCode: '3b', weight: 0.4 }];
    expect(refusal(() => given(...events).when({ type: 'SplitUnit', data: { code: '3', into: [unit('3a', 'W'), unit('3b', 'O')], weights, validFrom: '2020-01-01', reason: 'x' }, metadata })).code).toBe('crosswalk-invalid');
    const retired = given(...events).when({ type: 'RetireUnit', data: { code: '1', validFrom: '2020-01-01', reason: 'aufgelöst' }, metadata });
    const reuse = refusal(() => given(...events, ...retired.events).when({ type: 'CreateUnit', data: { unit: unit('1', 'Neu'), validFrom: '2021-01-01', reason: 'x' }, metadata }));
    expect(reuse.code).toBe('duplicate-code');
    expect(reuse.errors[0]!.detail).toBe('der Code war bis 2019-12-31 vergeben (Altstadt); Codes werden nicht wiederverwendet');
  });

  it('refuses retiring a unit that still has children', () => {
    const units = [unit('01', 'Mitte', null, 'Bezirk'), unit('0101', 'Altstadt', '01')];
    const imported = given(created).when(importCommand(units)).events;
    const error = refusal(() => given(created, ...imported).when({ type: 'RetireUnit', data: { code: '01', validFrom: '2012-01-01', reason: 'x' }, metadata }));
    expect(error.code).toBe('parent-missing');
  });

  it('keeps designations as flags with validity and refuses overlapping ones', () => {
    const events = publishedScheme();
    const assign = (validFrom: string, validTo: string | null): AreaSchemeCommand => ({
      type: 'AssignDesignation',
      data: { unitCode: '3', designation: { code: 'aktionsraum', name: 'Aktionsraum' }, validFrom, validTo, reason: 'Ratsbeschluss' },
      metadata,
    });
    const first = given(...events).when(assign('2015-01-01', '2019-12-31'));
    expect(first.state.units.get('3')!.designations).toEqual([{ code: 'aktionsraum', name: 'Aktionsraum', validFrom: '2015-01-01', validTo: '2019-12-31', reason: 'Ratsbeschluss' }]);
    expect(given(...events, ...first.events).when(assign('2020-01-01', null)).events).toHaveLength(1);
    expect(refusal(() => given(...events, ...first.events).when(assign('2019-06-01', null))).code).toBe('validity-overlap');
  });

  it('imports again without events when nothing changed, and classifies what did', () => {
    const units = [unit('1', 'Altstadt'), { ...unit('2', 'Neustadt'), geometry: square(9.4) }];
    const first = given(created).when(importCommand(units));
    expect(given(created, ...first.events).when(importCommand(units)).events).toEqual([]);
    const changed = given(created, ...first.events).when(importCommand([unit('1', 'Altstadt'), { ...unit('2', 'Neustadt'), geometry: square(9.5) }, unit('4', 'Sandberg')], '2011-01-01'));
    expect(unitsImported(changed.events).changes.map((c) => [c.kind, c.codes])).toEqual([
      ['created', ['4']],
      ['boundary-changed', ['2']],
    ]);
    const replaced = given(created, ...first.events).when(importCommand([unit('1', 'Altstadt')], '2012-01-01', 'replace'));
    expect(unitsImported(replaced.events).retired).toEqual(['2']);
  });
});
