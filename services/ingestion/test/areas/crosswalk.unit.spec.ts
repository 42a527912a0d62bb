import { deriveCrosswalkFromMatches, pairsFromMatchTable } from '../../src/areas/crosswalk';

const fromCodes = new Set(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
const toCodes = new Set(['a', 'b1', 'b2', 'cd', 'ef1', 'ef2', 'g']);
const fromPopulation = new Map([['A', 1000], ['B', 3000], ['C', 400], ['D', 600], ['E', 500], ['F', 500], ['G', 2000], ['H', 10]]);
const toPopulation = new Map([['a', 1010], ['b1', 1000], ['b2', 2000], ['cd', 990], ['ef1', 600], ['ef2', 400], ['g', 1200]]);

describe('pairsFromMatchTable', () => {
  it('orients entries of both directions and leaves out other levels', () => {
    const table = { A: ['a'], B: ['b1', 'b2'], cd: ['C', 'D'], '0101': ['0110'], E: ['zz'] };
    expect(pairsFromMatchTable(table, fromCodes, toCodes)).toEqual({
      pairs: [['A', 'a'], ['B', 'b1'], ['B', 'b2'], ['C', 'cd'], ['D', 'cd']],
      ignoredEntries: 2,
      notes: [],
    });
  });

  it('applies a correction only where the table still says what it expects', () => {
    const fix = [{ key: 'cd', replace: { D: 'E' }, reason: 'Test' }];
    expect(pairsFromMatchTable({ cd: ['C', 'D'] }, fromCodes, toCodes, fix).pairs).toEqual([['C', 'cd'], ['E', 'cd']]);
    expect(() => pairsFromMatchTable({ cd: ['C'] }, fromCodes, toCodes, fix)).toThrow('Die Korrektur der Zuordnungstabelle für "cd" passt nicht mehr');
  });
});

describe('deriveCrosswalkFromMatches', () => {
  const result = deriveCrosswalkFromMatches({
    fromCodes,
    toCodes,
    pairs: [['A', 'a'], ['B', 'b1'], ['B', 'b2'], ['C', 'cd'], ['D', 'cd'], ['E', 'ef1'], ['E', 'ef2'], ['F', 'ef1'], ['F', 'ef2'], ['G', 'g']],
    fromPopulation,
    toPopulation,
  });

  it('weights 1:1 and merges with 1, splits by the new units\' population', () => {
    expect(result.weights).toEqual([
      { fromCode: 'A', toCode: 'a', weight: 1 },
      { fromCode: 'B', toCode: 'b1', weight: 0.333333 },
      { fromCode: 'B', toCode: 'b2', weight: 0.666667 },
      { fromCode: 'C', toCode: 'cd', weight: 1 },
      { fromCode: 'D', toCode: 'cd', weight: 1 },
    ]);
  });

  it('marks n:m groups, groups whose populations disagree and units without a match as series breaks', () => {
    expect(result.seriesBreaks.map((b) => b.code)).toEqual(['E', 'F', 'G', 'H']);
    expect(result.seriesBreaks.find((b) => b.code === 'E')!.reason).toContain('mehrere alte auf mehrere neue Einheiten');
    expect(result.seriesBreaks.find((b) => b.code === 'G')!.reason).toBe('Zuordnung G → g ist keine vollständige Neugliederung: Bevölkerung alt 2000, neu 1200 (Abweichung 40,0 %, erlaubt 5,0 %)');
    expect(result.seriesBreaks.find((b) => b.code === 'H')!.reason).toBe('in der Zuordnungstabelle nicht enthalten');
    expect(result.summary).toMatchObject({ groups: 5, trustedGroups: 3, oneToOne: 1, splits: 1, merges: 1, seriesBreaks: 4 });
  });
});
