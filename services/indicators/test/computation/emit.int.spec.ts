/**
 * Emitting a large computation run into the real embedded stores (LMDB event store and document
 * store): the events and read-model documents are exactly those the warehouse, the goals service
 * and the API rely on (batch numbering RAW 1..n then PROTECTED n+1..2n, isLastBatch on the last,
 * values in period and hierarchy order, PROTECTED without the numbers of suppressed values, one
 * document per period), while the run is written in bounded chunks instead of one append that
 * holds every value of the run at once. The expected events are built here from the engine's
 * results independently of computation.ts, the plain way: every value, then batches of BATCH_SIZE.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type DocumentWrite, type EventStore, type NewEvent, type StoredEvent } from '@lagebild/platform';
import type { IndicatorValuesComputed } from '@lagebild/contracts';
import type { IndicatorDefinition, VariableDefinition } from '../../src/catalogue/model';
import { compileSources } from '../../src/catalogue/registry';
import { BATCH_SIZE, EVENTS_PER_APPEND, VALUES_COLLECTION, emitRun, valuesKey, type Run, type ValuesDoc } from '../../src/computation';
import { DEFAULT_DISCLOSURE_RULES } from '../../src/disclosure';
import { MemoryCube } from '../../src/engine/cube';
import { ComputationContext, computeIndicator, STATUS_NAMES, type StepResult, type VocabularyEntry } from '../../src/engine/compute';
import { buildHierarchy, type Hierarchy } from '../../src/engine/hierarchy';
import { periodOfStep, stepLabel } from '../../src/engine/periods';
import type { DeliveryDoc } from '../../src/store/observations';
import { compileFormula } from '../../src/formula';

const TENANT = '11000';
const DELIVERY_A = '00000000-0000-4000-8000-00000000000a';
const DELIVERY_B = '00000000-0000-4000-8000-00000000000b';
const NOW = new Date('2026-01-15T10:00:00.000Z');
const STREAM = `indicator-values-${TENANT}-anteil_u6`;

/** 30 Bezirke with 90 Planungsräume each, 20 half-years: about 54,000 values, 28 RAW batches. */
function largeRun(): { h: Hierarchy; run: Run; deliveries: Map<string, DeliveryDoc> } {
  const units = [
    ...Array.from({ length: 30 }, (_, b) => ({ code: `B${b}`, name: `Bezirk ${b}`, unitType: 'Bezirk', parentCode: null })),
    ...Array.from({ length: 2700 }, (_, p) => ({ code: `P${p}`, name: `Planungsraum ${p}`, unitType: 'Planungsraum', parentCode: `B${p % 30}` })),
  ];
  const h = buildHierarchy('test-gross', 3, units, { code: TENANT, name: 'Teststadt' });
  const cube = new MemoryCube(h);
  for (let step = 2015 * 2; step < 2025 * 2; step += 1) {
    const key = `S:${periodOfStep(step, 'halbjährlich', 'STICHTAG').end}`;
    const ew = new Float64Array(h.codes.length).fill(Number.NaN);
    const u6 = new Float64Array(h.codes.length).fill(Number.NaN);
    for (let i = 0; i < h.codes.length; i += 1) {
      if (h.unitTypes[i] !== 'Planungsraum') continue;
      // Every 89th unit has no data in odd steps (not covered); small counts get suppressed.
      if (i % 89 === 0 && step % 2 === 1) continue;
      ew[i] = 20 + ((i * 7919 + step) % 900);
      u6[i] = (i * 31 + step) % 7 === 0 ? 1 : Math.floor(ew[i]! * 0.05);
    }
    cube.setColumn('ew', key, ew, [step < 2020 * 2 ? DELIVERY_A : DELIVERY_B]);
    cube.setColumn('u6', key, u6, [DELIVERY_B]);
  }
  const variables: VariableDefinition[] = [
    { code: 'ew', name: 'Einwohner', unit: 'Personen', additive: true, sources: ['ew'] },
    { code: 'u6', name: 'unter 6', unit: 'Personen', additive: true, sources: ['u6'] },
  ];
  const vocabulary = new Map<string, VocabularyEntry>(variables.map((v) => [v.code, { def: v, sources: compileSources(v) }]));
  const def: IndicatorDefinition = {
    id: 'anteil_u6',
    name: 'Anteil unter 6',
    description: 'Anteil der Kinder unter 6 Jahren',
    formula: 'u6 / ew',
    scale: 100,
    unit: '%',
    polarity: '-',
    type: 'Kontext',
    source: 'Test',
    levels: ['Sozialraum'],
    periodicity: 'halbjährlich',
    sensitivity: 'INTERNAL',
    thresholds: { kind: 'relative', reference: 'parent', yellowFromPercent: 10, redFromPercent: 25 },
  };
  const formula = compileFormula(def.formula, new Map(variables.map((v) => [v.code, { unit: v.unit, additive: v.additive }])));
  const results = computeIndicator(new ComputationContext(cube, vocabulary, DEFAULT_DISCLOSURE_RULES), { def, version: 2, formula });
  const delivery = (deliveryId: string, sensitivity: string): DeliveryDoc => ({ deliveryId, tenant: TENANT, datasetId: 'einwohner', schemeId: h.schemeId, schemeVersion: 3, sensitivity, supersedesDeliveryId: null, slices: [], complete: true });
  const deliveries = new Map([
    [DELIVERY_A, delivery(DELIVERY_A, 'SEALED')],
    [DELIVERY_B, delivery(DELIVERY_B, 'CONFIDENTIAL')],
  ]);
  return { h, run: { indicatorId: 'anteil_u6', formulaVersion: 2, periodicity: 'halbjährlich', stichtag: undefined, crosswalkFromVersion: null, results }, deliveries };
}

const num = (v: number) => (Number.isFinite(v) ? v : null);

/** The read-model values of one period, the plain way. */
function expectedDocValues(h: Hierarchy, r: StepResult) {
  const out = [];
  for (let i = 0; i < h.codes.length; i += 1) {
    if (!r.covered[i]) continue;
    const shown = STATUS_NAMES[r.status[i]!] === 'COMPUTED';
    out.push({
      areaCode: h.codes[i]!,
      areaName: h.names[i]!,
      unitType: h.unitTypes[i]!,
      numerator: num(r.numerator[i]!),
      denominator: r.denominator ? num(r.denominator[i]!) : null,
      value: num(r.value[i]!),
      status: STATUS_NAMES[r.status[i]!]!,
      disclosureRule: r.rule[i] ?? null,
      comparison: shown ? { parentValue: num(r.parentValue[i]!), previousValue: num(r.previousValue[i]!), rank: r.rank[i]! > 0 ? r.rank[i]! : null, zScore: num(r.zScore[i]!) } : null,
      seriesBreak: r.seriesBreak[i] === 1,
      ampel: shown ? (r.ampel[i] ?? null) : null,
      indexClass: shown ? (r.indexClass[i] ?? null) : null,
    });
  }
  return out;
}

/** The events' values in order, RAW or PROTECTED: no area name, the period with each value. */
function expectedEventValues(h: Hierarchy, run: Run, protection: 'RAW' | 'PROTECTED') {
  return run.results.flatMap((r) => {
    const period = periodOfStep(r.step, run.periodicity, r.zeitraum ? 'ZEITRAUM' : 'STICHTAG');
    return expectedDocValues(h, r).map(({ areaName: _name, ...v }) => {
      const suppressed = v.status === 'SUPPRESSED_PRIMARY' || v.status === 'SUPPRESSED_SECONDARY';
      return protection === 'PROTECTED' && suppressed ? { ...v, numerator: null, denominator: null, value: null, period } : { ...v, period };
    });
  });
}

/** Passes everything on to the real store and keeps what each call carried. */
function recording(eventStore: EventStore, documents: DocumentStore) {
  const appends: number[] = [];
  const writes: number[] = [];
  let failAppend: number | null = null;
  return {
    appends,
    writes,
    failOnAppend(n: number | null) {
      failAppend = n;
    },
    eventStore: {
      ...eventStore,
      appendToStream: async (stream: string, events: readonly NewEvent[], options?: Parameters<EventStore['appendToStream']>[2]) => {
        appends.push(events.length);
        if (failAppend === appends.length) throw new Error('Schreibfehler (Test)');
        return eventStore.appendToStream(stream, events, options);
      },
    } satisfies EventStore,
    documents: {
      ...documents,
      write: async (w: readonly DocumentWrite[]) => {
        writes.push(w.reduce((n, x) => n + (x.doc as ValuesDoc).values.length, 0));
        return documents.write(w);
      },
    } satisfies DocumentStore,
  };
}

describe('emitting a large computation run', () => {
  let dir: string;
  let eventStore: EventStore;
  let documents: DocumentStore;
  const { h, run, deliveries } = largeRun();
  const total = run.results.reduce((n, r) => n + r.covered.reduce((a, c) => a + c, 0), 0);
  const batches = Math.ceil(total / BATCH_SIZE);
  const request = { tenant: TENANT, schemeId: h.schemeId, actor: 'system:test', now: NOW, correlationId: '00000000-0000-4000-8000-0000000000cc' };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lagebild-indicators-emit-'));
    eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
    documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  });

  afterEach(async () => {
    await documents.close();
    await eventStore.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is a run large enough to need several appends, with suppressed and uncovered values', () => {
    expect(total).toBeGreaterThan(EVENTS_PER_APPEND * BATCH_SIZE);
    expect(total % BATCH_SIZE).not.toBe(0);
    const statuses = new Set(run.results.flatMap((r) => [...r.status].filter((_, i) => r.covered[i])));
    expect(statuses.has(2) || statuses.has(3)).toBe(true);
    expect(run.results.some((r) => r.covered.some((c, i) => c === 0 && h.unitTypes[i] === 'Planungsraum'))).toBe(true);
  });

  it('stores RAW batches 1..n, then PROTECTED n+1..2n with the same values, the last one marked', async () => {
    const rec = recording(eventStore, documents);
    const summary = await emitRun(rec, request, run, h, 3, deliveries);
    const events = (await eventStore.readStream(STREAM)) as Array<StoredEvent<'IndicatorValuesComputed', IndicatorValuesComputed>>;

    expect(events).toHaveLength(2 * batches);
    expect(events.map((e) => e.data.batchNumber)).toEqual(Array.from({ length: 2 * batches }, (_, i) => i + 1));
    expect(events.map((e) => e.data.protection)).toEqual([...Array(batches).fill('RAW'), ...Array(batches).fill('PROTECTED')]);
    expect(events.filter((e) => e.data.isLastBatch).map((e) => e.data.batchNumber)).toEqual([2 * batches]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const computationId = events[0]!.data.computationId;
    for (const e of events) {
      expect(e.type).toBe('IndicatorValuesComputed');
      expect(e.metadata).toEqual({ tenant: TENANT, occurredAt: NOW.toISOString(), actor: 'system:test', correlationId: request.correlationId });
      expect(e.data).toMatchObject({
        computationId,
        indicatorId: 'anteil_u6',
        formulaVersion: 2,
        schemeId: 'test-gross',
        schemeVersion: 3,
        // Over the whole run, not per batch: the last batches hold only periods of DELIVERY_B.
        sourceDeliveryIds: [DELIVERY_A, DELIVERY_B],
        sensitivity: 'SEALED',
        crosswalkFromVersion: null,
      });
      expect(e.data.values.length).toBe(e.data.batchNumber === batches || e.data.batchNumber === 2 * batches ? total - (batches - 1) * BATCH_SIZE : BATCH_SIZE);
    }
    const raw = events.filter((e) => e.data.protection === 'RAW').flatMap((e) => e.data.values);
    const protectedValues = events.filter((e) => e.data.protection === 'PROTECTED').flatMap((e) => e.data.values);
    expect(raw).toEqual(expectedEventValues(h, run, 'RAW'));
    expect(protectedValues).toEqual(expectedEventValues(h, run, 'PROTECTED'));
    expect(protectedValues.some((v) => v.status === 'SUPPRESSED_PRIMARY' && v.value === null)).toBe(true);
    expect(raw.some((v) => v.status === 'SUPPRESSED_PRIMARY' && v.value !== null)).toBe(true);
    expect(summary).toEqual({
      indicatorId: 'anteil_u6',
      formulaVersion: 2,
      schemeVersion: 3,
      crosswalkFromVersion: null,
      steps: 20,
      values: total,
      suppressed: raw.filter((v) => v.status.startsWith('SUPPRESSED')).length,
    });
  });

  it('writes one read-model document per period with every value of the period', async () => {
    await emitRun(recording(eventStore, documents), request, run, h, 3, deliveries);
    const [first] = (await eventStore.readStream(STREAM, { maxCount: 1 })) as Array<StoredEvent<'IndicatorValuesComputed', IndicatorValuesComputed>>;
    for (const r of run.results) {
      const periodLabel = stepLabel(r.step, 'halbjährlich');
      const key = valuesKey({ tenant: TENANT, indicatorId: 'anteil_u6', formulaVersion: 2, schemeId: 'test-gross', schemeVersion: 3, periodLabel, crosswalkFromVersion: null });
      const doc = await documents.get<ValuesDoc>(VALUES_COLLECTION, key);
      expect(doc).toEqual({
        tenant: TENANT,
        indicatorId: 'anteil_u6',
        formulaVersion: 2,
        schemeId: 'test-gross',
        schemeVersion: 3,
        crosswalkFromVersion: null,
        periodLabel,
        period: periodOfStep(r.step, 'halbjährlich', 'STICHTAG'),
        computationId: first!.data.computationId,
        computedAt: NOW.toISOString(),
        sensitivity: r.step < 2020 * 2 ? 'SEALED' : 'CONFIDENTIAL',
        sourceDeliveryIds: r.step < 2020 * 2 ? [DELIVERY_A, DELIVERY_B] : [DELIVERY_B],
        values: expectedDocValues(h, r),
      });
    }
  });

  it('writes the run in chunks: no append or document write holds the whole run', async () => {
    const rec = recording(eventStore, documents);
    await emitRun(rec, request, run, h, 3, deliveries);
    expect(rec.appends.length).toBe(Math.ceil((2 * batches) / EVENTS_PER_APPEND));
    expect(Math.max(...rec.appends)).toBeLessThanOrEqual(EVENTS_PER_APPEND);
    expect(rec.appends.reduce((a, b) => a + b, 0)).toBe(2 * batches);
    expect(rec.writes.length).toBeGreaterThan(1);
    expect(Math.max(...rec.writes)).toBeLessThan(total);
    expect(rec.writes.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('after a failure between appends, the redone run supersedes every value of the partial one', async () => {
    const rec = recording(eventStore, documents);
    rec.failOnAppend(2);
    await expect(emitRun(rec, request, run, h, 3, deliveries)).rejects.toThrow('Schreibfehler');
    const partial = (await eventStore.readStream(STREAM)) as Array<StoredEvent<'IndicatorValuesComputed', IndicatorValuesComputed>>;
    expect(partial).toHaveLength(EVENTS_PER_APPEND);
    expect(partial.some((e) => e.data.isLastBatch)).toBe(false);
    // The read model is written only after all events: nothing of the partial run.
    expect(await documents.scan(VALUES_COLLECTION)).toEqual([]);

    rec.failOnAppend(null);
    await emitRun(rec, request, run, h, 3, deliveries);
    const all = (await eventStore.readStream(STREAM)) as Array<StoredEvent<'IndicatorValuesComputed', IndicatorValuesComputed>>;
    const redo = all[all.length - 1]!.data.computationId;
    // As the warehouse picks the current value: the highest stream version per protection, area and period.
    const current = new Map<string, { version: number; computationId: string }>();
    for (const e of all) {
      for (const v of e.data.values) {
        const id = `${e.data.protection}|${v.areaCode}|${v.period.start}|${v.period.end}`;
        if ((current.get(id)?.version ?? 0) < e.version) current.set(id, { version: e.version, computationId: e.data.computationId });
      }
    }
    expect(current.size).toBe(2 * total);
    expect([...current.values()].every((c) => c.computationId === redo)).toBe(true);
    expect((await documents.scan<ValuesDoc>(VALUES_COLLECTION)).every((d) => d.doc.computationId === redo)).toBe(true);
  });
});
