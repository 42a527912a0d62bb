/**
 * The MongoDB event store against a real replica set: the EventStore port suite plus what the
 * outbox relay relies on (gap-free positions in commit order under concurrency). Runs where
 * MONGODB_URL points at a replica set (e.g. `mongodb://localhost:27017/?replicaSet=rs0`); every
 * test uses a database of its own and drops it. Elsewhere these tests are reported as skipped.
 *
 * What needs no server runs everywhere: the driver is loaded only when a store is created, and
 * an unreachable server is reported in German without the credentials of the URL.
 */
import { randomUUID } from 'node:crypto';
import { connectMongo, createMongoEventStore, type MongoEventStoreOptions } from '../../src';
import type { EventStore, StoredEvent } from '../../src/ports/event-store';
import { describeEventStorePort, newEvent, type EventStoreHarness } from '../suites/event-store';

jest.mock('mongodb', () => {
  (globalThis as { mongodbRequired?: boolean }).mongodbRequired = true;
  return jest.requireActual('mongodb');
});
const mongodbRequired = () => (globalThis as { mongodbRequired?: boolean }).mongodbRequired === true;

const url = process.env.MONGODB_URL;
const skipReason = url ? undefined : 'MONGODB_URL nicht gesetzt — MongoDB ist auf dieser Maschine nicht installierbar';
if (skipReason) console.warn(`MongoDB-Tests (Ereignisspeicher) übersprungen: ${skipReason}`);

async function mongoEventStoreHarness(options: Partial<MongoEventStoreOptions> = {}): Promise<EventStoreHarness & { open(): Promise<EventStore> }> {
  const database = `lagebild_test_${randomUUID().slice(0, 8)}`;
  const opened: EventStore[] = [];
  const open = async () => {
    const store = await createMongoEventStore({ url: url!, database, ...options });
    opened.push(store);
    return store;
  };
  const store = await open();
  return {
    store,
    open,
    reopen: open,
    async cleanup() {
      for (const instance of opened) await instance.close();
      const client = await connectMongo(url!);
      try {
        await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

describe('MongoDB event store without a server', () => {
  it('loads the driver when a store is created, not when the platform is imported', async () => {
    expect(mongodbRequired()).toBe(false);
    await createMongoEventStore({ url: 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200', database: 'lagebild_test' }).catch(() => undefined);
    expect(mongodbRequired()).toBe(true);
  });

  it('reports an unreachable server in German, naming the host but not the password', async () => {
    const error = await createMongoEventStore({ url: 'mongodb://lagebild:geheim@127.0.0.1:1/?serverSelectionTimeoutMS=200', database: 'lagebild_test' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'MONGO_UNAVAILABLE', retriable: true });
    expect((error as Error).message).toMatch(/^MongoDB unter mongodb:\/\/127\.0\.0\.1:1 ist nicht erreichbar \(.+\)\. MONGODB_URL prüfen und ob der Server läuft\.$/);
    expect((error as Error).message).not.toContain('geheim');
  });

  it('refuses an invalid database name before connecting', async () => {
    await expect(createMongoEventStore({ url: 'mongodb://127.0.0.1:1', database: 'lage.bild' })).rejects.toThrow(/kein gültiger MongoDB-Datenbankname/);
  });
});

describeEventStorePort('MongoDB', () => mongoEventStoreHarness(), skipReason ? { skipReason } : {});

(skipReason ? describe.skip : describe)(`MongoDB event store${skipReason ? ` (übersprungen: ${skipReason})` : ''}`, () => {
  let harness: Awaited<ReturnType<typeof mongoEventStoreHarness>>;
  afterEach(async () => {
    await harness?.cleanup();
  });

  it('gives concurrent appends of two store instances gap-free positions, every reader seeing only a gap-free prefix', async () => {
    harness = await mongoEventStoreHarness();
    const other = await harness.open();
    const observed: number[][] = [];
    let appending = true;
    const reader = (async () => {
      while (appending) observed.push((await harness.store.readAll()).map((e) => e.position));
    })();
    const appends = Array.from({ length: 40 }, (_, i) =>
      (i % 2 === 0 ? harness.store : other).appendToStream(`goal-${i % 7}`, Array.from({ length: 1 + (i % 3) }, () => newEvent())),
    );
    await Promise.all(appends);
    appending = false;
    await reader;

    const total = Array.from({ length: 40 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0);
    const all = await harness.store.readAll();
    expect(all.map((e) => e.position)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    for (const positions of observed) expect(positions).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
    for (let s = 0; s < 7; s += 1) {
      const versions = (await harness.store.readStream(`goal-${s}`)).map((e) => e.version);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    }
    expect(await other.lastPosition()).toBe(total);
  });

  it('stamps recordedAt from the injected clock', async () => {
    harness = await mongoEventStoreHarness({ now: () => new Date('2025-06-30T12:00:00.000Z') });
    await harness.store.appendToStream('goal-1', [newEvent(), newEvent()]);
    expect((await harness.store.readAll()).map((e: StoredEvent) => e.recordedAt)).toEqual(['2025-06-30T12:00:00.000Z', '2025-06-30T12:00:00.000Z']);
  });

  it('refuses an event above 16 MB with a German message and leaves no position behind', async () => {
    harness = await mongoEventStoreHarness();
    await harness.store.appendToStream('delivery-1', [newEvent()]);
    const error = await harness.store.appendToStream('delivery-1', [newEvent('ObservationsRecorded', { blob: 'x'.repeat(17 * 1024 * 1024) })]).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/größer als die 16 MB, die MongoDB je Dokument erlaubt/);
    const next = await harness.store.appendToStream('delivery-1', [newEvent()], { expectedVersion: 1 });
    expect(next).toEqual({ nextExpectedVersion: 2, lastPosition: 2 });
  });

  it('refuses use after close with a German message', async () => {
    harness = await mongoEventStoreHarness();
    await harness.store.close();
    await expect(harness.store.readAll()).rejects.toThrow(/bereits geschlossen/);
  });
});
