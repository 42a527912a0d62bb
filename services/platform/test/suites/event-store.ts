/**
 * The EventStore port suite: every adapter (LMDB now, MongoDB later) runs exactly these tests.
 * A spec file calls `describeEventStorePort` with a harness factory; each test gets a fresh
 * harness (a fresh data dir, database or namespace).
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, StoredEvent } from '../../src/ports/event-store';
import { isWrongExpectedVersionError, WrongExpectedVersionError } from '../../src/store/errors';

export interface EventStoreHarness {
  /** The adapter under test. */
  store: EventStore;
  /** Another adapter instance over the same storage (as after a restart of the process). */
  reopen(): Promise<EventStore>;
  /** Close every instance and remove the storage. */
  cleanup(): Promise<void>;
}

export interface PortSuiteOptions {
  /** When set, the suite is reported as skipped with this reason (e.g. no server configured). */
  skipReason?: string;
}

export function newEvent(type = 'TargetValueSet', data: unknown = { value: 1 }, tenant = '05315000'): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      tenant,
      occurredAt: '2025-03-01T10:00:00.000Z',
      actor: 'user:planung-1',
      correlationId: randomUUID(),
      causationId: null,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
  };
}

function newEvents(count: number, type = 'TargetValueSet'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => newEvent(type, { index: i }));
}

function summary(events: readonly StoredEvent[]): Array<[string, number, number]> {
  return events.map((event) => [event.stream, event.version, event.position]);
}

export function describeEventStorePort(adapter: string, makeHarness: () => Promise<EventStoreHarness>, options: PortSuiteOptions = {}): void {
  const describeOrSkip = options.skipReason ? describe.skip : describe;
  describeOrSkip(`EventStore port: ${adapter}${options.skipReason ? ` (übersprungen: ${options.skipReason})` : ''}`, () => {
    let harness: EventStoreHarness;
    let store: EventStore;

    beforeEach(async () => {
      harness = await makeHarness();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    describe('append and read a stream', () => {
      it('appends to a new stream and reads the events back with versions 1..n and their data', async () => {
        const events = [newEvent('GoalCreated', { title: 'Kinderarmut senken', nested: { values: [1, 2.5, null], flag: true } }), newEvent('TargetValueSet', { value: 42 })];
        const result = await store.appendToStream('goal-1', events, { expectedVersion: 'no_stream' });

        expect(result).toEqual({ nextExpectedVersion: 2, lastPosition: 2 });
        const read = await store.readStream('goal-1');
        expect(read).toHaveLength(2);
        expect(read.map((event) => event.version)).toEqual([1, 2]);
        for (let i = 0; i < events.length; i += 1) {
          expect(read[i]).toMatchObject({ id: events[i]!.id, type: events[i]!.type, data: events[i]!.data, metadata: events[i]!.metadata, stream: 'goal-1' });
          expect(Number.isNaN(Date.parse(read[i]!.recordedAt))).toBe(false);
        }
      });

      it('keeps text with umlauts, emoji and long values intact', async () => {
        const data = { name: 'Straße Mönchengladbach 🏙', long: 'x'.repeat(100_000), zero: 0, negative: -1.25 };
        await store.appendToStream('area-1', [newEvent('AreaRenamed', data)]);
        const [event] = await store.readStream('area-1');
        expect(event!.data).toEqual(data);
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.readStream('goal-unknown')).toEqual([]);
      });

      it('reads a stream from a version and at most maxCount events, across several appends', async () => {
        await store.appendToStream('goal-1', newEvents(3));
        await store.appendToStream('other', newEvents(2));
        await store.appendToStream('goal-1', newEvents(4));

        expect((await store.readStream('goal-1', { fromVersion: 2, maxCount: 4 })).map((e) => e.version)).toEqual([2, 3, 4, 5]);
        expect((await store.readStream('goal-1', { fromVersion: 5 })).map((e) => e.version)).toEqual([5, 6, 7]);
        expect(await store.readStream('goal-1', { fromVersion: 8 })).toEqual([]);
        expect(await store.readStream('goal-1', { maxCount: 0 })).toEqual([]);
      });

      it('does not mix streams whose names share a prefix', async () => {
        await store.appendToStream('goal-1', newEvents(2));
        await store.appendToStream('goal-10', newEvents(3));
        await store.appendToStream('goal-1', newEvents(1));
        expect((await store.readStream('goal-1')).map((e) => [e.stream, e.version])).toEqual([
          ['goal-1', 1],
          ['goal-1', 2],
          ['goal-1', 3],
        ]);
        expect(await store.readStream('goal-10')).toHaveLength(3);
      });
    });

    describe('expected version', () => {
      it("accepts 'no_stream' for a new stream and refuses it once the stream exists", async () => {
        await store.appendToStream('goal-1', [newEvent()], { expectedVersion: 'no_stream' });
        const error = await store.appendToStream('goal-1', [newEvent()], { expectedVersion: 'no_stream' }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ stream: 'goal-1', expected: 'no_stream', actual: 1, retriable: true });
        expect(isWrongExpectedVersionError(error)).toBe(true);
        expect((error as Error).message).toContain('goal-1');
      });

      it('accepts the exact current version and returns the next one', async () => {
        const first = await store.appendToStream('goal-1', newEvents(2), { expectedVersion: 'no_stream' });
        const second = await store.appendToStream('goal-1', newEvents(3), { expectedVersion: first.nextExpectedVersion });
        expect(second.nextExpectedVersion).toBe(5);
        expect(second.lastPosition).toBe(5);
      });

      it('refuses a stale exact version with the actual version and a German message, writing nothing', async () => {
        await store.appendToStream('goal-1', newEvents(3));
        const error = await store.appendToStream('goal-1', newEvents(2), { expectedVersion: 2 }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ stream: 'goal-1', expected: 2, actual: 3 });
        expect((error as Error).message).toMatch(/erwartet war Version 2, vorhanden ist Version 3/);
        expect(await store.readStream('goal-1')).toHaveLength(3);
        expect(await store.lastPosition()).toBe(3);
      });

      it('treats expected version 0 as "the stream does not exist"', async () => {
        await store.appendToStream('goal-1', [newEvent()], { expectedVersion: 0 });
        await expect(store.appendToStream('goal-1', [newEvent()], { expectedVersion: 0 })).rejects.toMatchObject({ actual: 1 });
      });

      it("refuses 'stream_exists' for a missing stream and accepts it for an existing one", async () => {
        await expect(store.appendToStream('goal-1', [newEvent()], { expectedVersion: 'stream_exists' })).rejects.toMatchObject({
          expected: 'stream_exists',
          actual: 0,
        });
        await store.appendToStream('goal-1', [newEvent()]);
        await expect(store.appendToStream('goal-1', [newEvent()], { expectedVersion: 'stream_exists' })).resolves.toMatchObject({ nextExpectedVersion: 2 });
      });

      it("appends with 'any' (the default) whatever the stream's version", async () => {
        await store.appendToStream('goal-1', [newEvent()], { expectedVersion: 'any' });
        await store.appendToStream('goal-1', [newEvent()]);
        expect((await store.readStream('goal-1')).map((e) => e.version)).toEqual([1, 2]);
      });

      it('lets exactly one of many concurrent appends with the same expected version win', async () => {
        await store.appendToStream('goal-1', [newEvent()]);
        const attempts = await Promise.allSettled(Array.from({ length: 10 }, () => store.appendToStream('goal-1', newEvents(2), { expectedVersion: 1 })));

        expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
        const rejected = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
        expect(rejected).toHaveLength(9);
        for (const r of rejected) expect(r.reason).toBeInstanceOf(WrongExpectedVersionError);
        expect((await store.readStream('goal-1')).map((e) => e.version)).toEqual([1, 2, 3]);
      });

      it('checks the expected version of an empty append without writing', async () => {
        await store.appendToStream('goal-1', newEvents(2));
        await expect(store.appendToStream('goal-1', [], { expectedVersion: 2 })).resolves.toEqual({ nextExpectedVersion: 2, lastPosition: 2 });
        await expect(store.appendToStream('goal-1', [], { expectedVersion: 5 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
        expect(await store.lastPosition()).toBe(2);
      });

      it('refuses malformed input before writing anything', async () => {
        await expect(store.appendToStream('', [newEvent()])).rejects.toThrow(/Stream-Name/);
        await expect(store.appendToStream('goal-1', [{ ...newEvent(), id: '' }])).rejects.toThrow(/Kennung/);
        await expect(store.appendToStream('goal-1', [newEvent()], { expectedVersion: -1 })).rejects.toThrow(/erwartete Version/);
        expect(await store.lastPosition()).toBe(0);
      });
    });

    describe('global positions and read all', () => {
      it('gives every event a global position in commit order across streams', async () => {
        await store.appendToStream('a', newEvents(2));
        await store.appendToStream('b', newEvents(1));
        await store.appendToStream('a', newEvents(1));

        expect(summary(await store.readAll())).toEqual([
          ['a', 1, 1],
          ['a', 2, 2],
          ['b', 1, 3],
          ['a', 3, 4],
        ]);
        expect(await store.lastPosition()).toBe(4);
      });

      it('reports position 0 for an empty store', async () => {
        expect(await store.lastPosition()).toBe(0);
        expect(await store.readAll()).toEqual([]);
      });

      it('reads all after a position (exclusive), at most maxCount, and pages through everything', async () => {
        for (let i = 0; i < 7; i += 1) await store.appendToStream(`s-${i % 3}`, newEvents(1 + (i % 4)));
        const all = await store.readAll();
        expect(all.map((e) => e.position)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));

        expect((await store.readAll({ after: 3, maxCount: 2 })).map((e) => e.position)).toEqual([4, 5]);
        const paged: StoredEvent[] = [];
        let after = 0;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 4 });
          if (page.length === 0) break;
          paged.push(...page);
          after = page[page.length - 1]!.position;
        }
        expect(paged).toEqual(all);
        expect(await store.readAll({ after: all.length })).toEqual([]);
      });

      it('returns the same event from readAll and readStream', async () => {
        await store.appendToStream('goal-1', [newEvent('GoalCreated', { title: 'A' })]);
        const [fromAll] = await store.readAll();
        const [fromStream] = await store.readStream('goal-1');
        expect(fromAll).toEqual(fromStream);
      });
    });

    describe('durability', () => {
      it('keeps every acknowledged event for a reopened store', async () => {
        const events = newEvents(5);
        await store.appendToStream('goal-1', events.slice(0, 2), { expectedVersion: 'no_stream' });
        await store.appendToStream('goal-2', events.slice(2));
        const before = await store.readAll();
        await store.close();

        const reopened = await harness.reopen();
        expect(await reopened.readAll()).toEqual(before);
        await expect(reopened.appendToStream('goal-1', [newEvent()], { expectedVersion: 2 })).resolves.toEqual({ nextExpectedVersion: 3, lastPosition: 6 });
      });
    });
  });
}
