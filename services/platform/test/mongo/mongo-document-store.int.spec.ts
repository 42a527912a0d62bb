/**
 * The MongoDB document store against a real replica set: the DocumentStore port suite plus the
 * MongoDB layout (collection names, query indexes, transactions, a shared client). Runs where
 * MONGODB_URL points at a replica set; every test uses a database of its own and drops it.
 * Elsewhere these tests are reported as skipped.
 */
import { randomUUID } from 'node:crypto';
import { connectMongo, createMongoDocumentStore, createMongoEventStore } from '../../src';
import type { DocumentStore } from '../../src/ports/document-store';
import { describeDocumentStorePort, type DocumentStoreHarness } from '../suites/document-store';
import { newEvent } from '../suites/event-store';
import { waitFor } from '../suites/event-log';

const url = process.env.MONGODB_URL;
const skipReason = url ? undefined : 'MONGODB_URL nicht gesetzt — MongoDB ist auf dieser Maschine nicht installierbar';
if (skipReason) console.warn(`MongoDB-Tests (Dokumentspeicher) übersprungen: ${skipReason}`);

async function mongoDocumentStoreHarness(): Promise<DocumentStoreHarness & { database: string }> {
  const database = `lagebild_test_${randomUUID().slice(0, 8)}`;
  const opened: DocumentStore[] = [];
  const open = async () => {
    const documents = await createMongoDocumentStore({ url: url!, database });
    opened.push(documents);
    return documents;
  };
  const documents = await open();
  return {
    database,
    documents,
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

describeDocumentStorePort('MongoDB', () => mongoDocumentStoreHarness(), skipReason ? { skipReason } : {});

(skipReason ? describe.skip : describe)(`MongoDB document store${skipReason ? ` (übersprungen: ${skipReason})` : ''}`, () => {
  let harness: Awaited<ReturnType<typeof mongoDocumentStoreHarness>>;
  afterEach(async () => {
    await harness?.cleanup();
  });

  it('keeps collections whose names MongoDB has to escape apart, and finds fields with dots in their names', async () => {
    harness = await mongoDocumentStoreHarness();
    const { documents } = harness;
    await documents.put('preis$', 'k', { v: 1 });
    await documents.put('preis%24', 'k', { v: 2 });
    await documents.put('processed:projector', 'e1', { 'a.b': 'x', $wert: 3, _id: 'eigenes Feld' });
    expect(await documents.get('preis$', 'k')).toEqual({ v: 1 });
    expect(await documents.get('preis%24', 'k')).toEqual({ v: 2 });
    expect(await documents.get('processed:projector', 'e1')).toEqual({ 'a.b': 'x', $wert: 3, _id: 'eigenes Feld' });
    expect((await documents.find('processed:projector', { 'a.b': 'x' })).map((e) => e.key)).toEqual(['e1']);
    expect(await documents.find('processed:projector', { 'a.b': 'y' })).toEqual([]);
  });

  it('does not count an array that merely contains the value as equal', async () => {
    harness = await mongoDocumentStoreHarness();
    await harness.documents.put('areas', 'a', { tags: ['sozialraum'] });
    await harness.documents.put('areas', 'b', { tags: 'sozialraum' });
    expect((await harness.documents.find('areas', { tags: 'sozialraum' })).map((e) => e.key)).toEqual(['b']);
  });

  it('builds an index for the fields a find filters on', async () => {
    harness = await mongoDocumentStoreHarness();
    await harness.documents.put('deliveries', 'd1', { tenant: '05315000', status: 'angenommen' });
    await harness.documents.find('deliveries', { tenant: '05315000', status: 'angenommen' });
    const client = await connectMongo(url!);
    try {
      const indexKeys = async () => (await client.db(harness.database).collection('docs.deliveries').indexes()).map((index) => index.key);
      await waitFor(async () => (await indexKeys()).some((key) => key['doc.status'] === 1 && key['doc.tenant'] === 1), 'Abfrage-Index');
    } finally {
      await client.close();
    }
  });

  it('writes nothing of a list whose later write the server refuses', async () => {
    harness = await mongoDocumentStoreHarness();
    await harness.documents.put('goals', 'g1', { title: 'bleibt' });
    const tooLarge = { blob: 'x'.repeat(17 * 1024 * 1024) };
    await expect(
      harness.documents.write([
        { collection: 'goals', key: 'g1', doc: { title: 'geändert' } },
        { collection: 'checkpoints', key: 'projector', doc: tooLarge },
      ]),
    ).rejects.toThrow();
    expect(await harness.documents.get('goals', 'g1')).toEqual({ title: 'bleibt' });
    expect(await harness.documents.get('checkpoints', 'projector')).toBeUndefined();
  });

  it('shares one client between the event store and the document store and leaves it open for its owner', async () => {
    harness = await mongoDocumentStoreHarness();
    const client = await connectMongo(url!);
    try {
      const store = await createMongoEventStore({ client, database: harness.database });
      const documents = await createMongoDocumentStore({ client, database: harness.database });
      await store.appendToStream('goal-1', [newEvent()]);
      await documents.put('checkpoints', 'relay', { position: 1 });
      await store.close();
      await documents.close();
      const stillOpen = await client.db(harness.database).collection('events').countDocuments();
      expect(stillOpen).toBe(1);
    } finally {
      await client.close();
    }
  });
});
