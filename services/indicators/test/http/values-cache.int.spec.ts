/**
 * The keeping of GET /values answers against a real embedded event store: it finds the newest
 * version of a values stream however many events a computation appended since it last looked,
 * makes an answer once per version, and stays within its bounds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLmdbEventStore, type EventStore } from '@lagebild/platform';
import type { ValuesDoc } from '../../src/computation';
import { createValuesCache, valuesStream } from '../../src/http/values-cache';

const TENANT = '02000';
const INDICATOR = 'ew';
const PERIOD = { kind: 'STICHTAG' as const, start: '2024-12-31', end: '2024-12-31' };

let dir: string;
let store: EventStore;
/** The computation whose documents are written (the test writes them with its events). */
let written = 'none';

/** A computation of `events` event batches, its documents written after them. */
async function compute(events: number): Promise<void> {
  const computationId = randomUUID();
  const data = { computationId, formulaVersion: 1, schemeId: 'stadtteile', schemeVersion: 1, crosswalkFromVersion: null, values: [{ period: PERIOD }] };
  await store.appendToStream(
    valuesStream(TENANT, INDICATOR),
    Array.from({ length: events }, () => ({ id: randomUUID(), type: 'IndicatorValuesComputed', data, metadata: { tenant: TENANT, occurredAt: '2026-01-01T00:00:00.000Z', actor: 'test', correlationId: randomUUID() } })),
  );
  written = computationId;
}

/** The read model as a build reads it: one document of the written computation. */
function docs(): ValuesDoc[] {
  return [{ tenant: TENANT, indicatorId: INDICATOR, formulaVersion: 1, schemeId: 'stadtteile', schemeVersion: 1, crosswalkFromVersion: null, periodLabel: '2024', period: PERIOD, computationId: written, computedAt: '2026-01-01T00:00:00.000Z', sensitivity: 'INTERNAL', sourceDeliveryIds: [], values: [] }];
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-values-cache-'));
  store = createLmdbEventStore({ path: dir });
  written = 'none';
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('values cache', () => {
  it('makes each answer once per computation, whatever number of events the computation appended', async () => {
    const cache = createValuesCache(store);
    let builds = 0;
    const build = async () => {
      builds += 1;
      return { body: { computationId: written }, docs: docs() };
    };
    for (const events of [1, 2, 3, 5, 8, 13, 100, 1]) {
      await compute(events);
      const before = builds;
      const first = JSON.parse((await cache.answer(TENANT, INDICATOR, 'k', build)).body.toString()) as { computationId: string };
      const again = JSON.parse((await cache.answer(TENANT, INDICATOR, 'k', build)).body.toString()) as { computationId: string };
      expect([events, first.computationId, again.computationId, builds - before]).toEqual([events, written, written, 1]);
    }
  });

  it('shares one build among requests that miss at the same time', async () => {
    await compute(1);
    const cache = createValuesCache(store);
    let builds = 0;
    const build = async () => {
      builds += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { body: { n: builds }, docs: docs() };
    };
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.answer(TENANT, INDICATOR, 'k', build)));
    expect(builds).toBe(1);
    expect(new Set(answers.map((a) => a.body.toString()))).toEqual(new Set(['{"n":1}']));
  });

  it('keeps at most the configured answers and bytes, the least recently used going first', async () => {
    await compute(1);
    const cache = createValuesCache(store, { maxEntries: 2, maxEntryBytes: 100 });
    const build = (body: unknown) => async () => ({ body, docs: docs() });
    await cache.answer(TENANT, INDICATOR, 'a', build({ key: 'a' }));
    await cache.answer(TENANT, INDICATOR, 'b', build({ key: 'b' }));
    await cache.answer(TENANT, INDICATOR, 'a', build({ key: 'a' }));
    await cache.answer(TENANT, INDICATOR, 'c', build({ key: 'c' }));
    expect(cache.stats().entries).toBe(2);
    let rebuilt: string[] = [];
    const tracked = (key: string) => async () => {
      rebuilt.push(key);
      return { body: { key }, docs: docs() };
    };
    // b was used least recently, so it went; a and c are kept.
    await cache.answer(TENANT, INDICATOR, 'a', tracked('a'));
    await cache.answer(TENANT, INDICATOR, 'c', tracked('c'));
    expect(rebuilt).toEqual([]);
    const large = await cache.answer(TENANT, INDICATOR, 'large', build({ text: 'x'.repeat(200) }));
    expect(large.gzip).toBeUndefined();
    rebuilt = [];
    await cache.answer(TENANT, INDICATOR, 'large', tracked('large'));
    expect(rebuilt).toEqual(['large']);
  });

  it('serves the same bytes compressed as uncompressed', async () => {
    await compute(1);
    const cache = createValuesCache(store);
    const answer = await cache.answer(TENANT, INDICATOR, 'k', async () => ({ body: { values: Array.from({ length: 500 }, (_, i) => ({ i })) }, docs: docs() }));
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(answer.gzip!()).equals(answer.body)).toBe(true);
    expect(answer.gzip!().length).toBeLessThan(answer.body.length);
  });
});
