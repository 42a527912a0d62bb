import { findQuery, isPlainFieldName, matchesFilter, mongoCollectionName, prefixQuery, prefixSuccessor } from './mongo-document-store';

/** MongoDB's simple collation compares strings by their UTF-8 bytes. */
function inRange(key: string, query: ReturnType<typeof prefixQuery>): boolean {
  const range = (query as { _id?: { $gte: string; $lt?: string } })._id;
  if (!range) return true;
  const bytes = Buffer.from(key);
  if (Buffer.compare(bytes, Buffer.from(range.$gte)) < 0) return false;
  return range.$lt === undefined || Buffer.compare(bytes, Buffer.from(range.$lt)) < 0;
}

describe('MongoDB document store layout', () => {
  it('maps port collections to prefixed MongoDB collections, escaping what MongoDB forbids without collisions', () => {
    expect(mongoCollectionName('areas')).toBe('docs.areas');
    expect(mongoCollectionName('processed:projector')).toBe('docs.processed:projector');
    expect(mongoCollectionName('outbox.checkpoints')).toBe('docs.outbox.checkpoints');
    expect(mongoCollectionName('preis$')).toBe('docs.preis%24');
    expect(mongoCollectionName('preis%24')).toBe('docs.preis%2524');
    expect(mongoCollectionName('system.users')).toBe('docs.system.users');
  });

  it('scans a key prefix as a range that holds exactly the keys starting with it, in UTF-8 byte order', () => {
    const keys = ['b', 'b-', 'b-1', 'b-10', 'b-2', 'b.', 'b0', 'bä', 'bäx', 'b😀', 'b😀z', 'b\uffff', 'b\uffffa', 'c', 'a-1', '', 'b-\u{10ffff}', 'b-\u{10ffff}x'];
    for (const prefix of ['b-', 'b', 'bä', 'b😀', 'b\uffff', 'b-\u{10ffff}', '']) {
      const query = prefixQuery(prefix);
      expect(keys.filter((key) => inRange(key, query)).sort()).toEqual(keys.filter((key) => key.startsWith(prefix)).sort());
    }
  });

  it('steps over the surrogate range and carries over the largest code point', () => {
    expect(prefixSuccessor('a')).toBe('b');
    expect(prefixSuccessor('a\ud7ff')).toBe('a\ue000');
    expect(prefixSuccessor('a\u{10ffff}')).toBe('b');
    expect(prefixSuccessor('\u{10ffff}')).toBeUndefined();
    expect(prefixQuery('\u{10ffff}')).toEqual({ _id: { $gte: '\u{10ffff}' } });
  });

  it('queries plain top-level fields under doc and leaves dotted or operator-like names to the exact check', () => {
    expect(findQuery({ tenant: '05315000', status: 'angenommen', active: true, parent: null })).toEqual({
      'doc.tenant': '05315000',
      'doc.status': 'angenommen',
      'doc.active': true,
      'doc.parent': null,
    });
    expect(findQuery({ 'a.b': 1, $where: 'x', n: 2 })).toEqual({ 'doc.n': 2 });
    expect(['a', 'a.b', '$x', ''].map(isPlainFieldName)).toEqual([true, false, false, false]);
  });

  it('matches exactly like the embedded store: equal values, missing as null, no array membership', () => {
    const doc = { tenant: '05315000', population: 47_000, tags: ['a', 'b'], parent: null, 'a.b': 1 };
    expect(matchesFilter(doc, { tenant: '05315000', population: 47_000 })).toBe(true);
    expect(matchesFilter(doc, { population: '47000' })).toBe(false);
    expect(matchesFilter(doc, { tags: 'a' })).toBe(false);
    expect(matchesFilter(doc, { parent: null, missing: null })).toBe(true);
    expect(matchesFilter(doc, { 'a.b': 1 })).toBe(true);
    expect(matchesFilter(doc, {})).toBe(true);
  });
});
