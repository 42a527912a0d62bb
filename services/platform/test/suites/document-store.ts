/**
 * The DocumentStore port suite: every adapter (LMDB now, MongoDB later) runs exactly these tests.
 */
import type { DocumentStore } from '../../src/ports/document-store';
import type { PortSuiteOptions } from './event-store';

export interface DocumentStoreHarness {
  /** The adapter under test. */
  documents: DocumentStore;
  /** Another adapter instance over the same storage (as after a restart). */
  reopen(): Promise<DocumentStore>;
  /** Close every instance and remove the storage. */
  cleanup(): Promise<void>;
}

interface Area {
  name: string;
  level: string;
  population?: number;
  parent?: string | null;
  active?: boolean;
}

export function describeDocumentStorePort(adapter: string, makeHarness: () => Promise<DocumentStoreHarness>, options: PortSuiteOptions = {}): void {
  const describeOrSkip = options.skipReason ? describe.skip : describe;
  describeOrSkip(`DocumentStore port: ${adapter}${options.skipReason ? ` (übersprungen: ${options.skipReason})` : ''}`, () => {
    let harness: DocumentStoreHarness;
    let documents: DocumentStore;

    beforeEach(async () => {
      harness = await makeHarness();
      documents = harness.documents;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    it('stores a document and reads it back unchanged', async () => {
      const doc = { name: 'Köln', level: 'kreisfreie Stadt', population: 1_084_831, tags: ['Sozialraum', 'Großstadt'], nested: { a: { b: [1, null, true] } } };
      await documents.put('areas', '05315000', doc);
      expect(await documents.get('areas', '05315000')).toEqual(doc);
    });

    it('reads a missing document as undefined', async () => {
      expect(await documents.get('areas', 'nope')).toBeUndefined();
    });

    it('replaces a document on put and removes it on delete', async () => {
      await documents.put<Area>('areas', 'a', { name: 'Alt', level: 'gemeinde', population: 1 });
      await documents.put<Area>('areas', 'a', { name: 'Neu', level: 'gemeinde' });
      expect(await documents.get('areas', 'a')).toEqual({ name: 'Neu', level: 'gemeinde' });

      await documents.delete('areas', 'a');
      expect(await documents.get('areas', 'a')).toBeUndefined();
      await expect(documents.delete('areas', 'a')).resolves.toBeUndefined();
    });

    it('keeps collections apart, also when their names share a prefix', async () => {
      await documents.put('areas', 'k', { v: 1 });
      await documents.put('areas2', 'k', { v: 2 });
      expect(await documents.get('areas', 'k')).toEqual({ v: 1 });
      expect(await documents.get('areas2', 'k')).toEqual({ v: 2 });
      expect((await documents.scan('areas')).map((e) => e.key)).toEqual(['k']);
    });

    it('applies a list of writes across collections as one, deletes included', async () => {
      await documents.put('goals', 'g1', { title: 'weg damit' });
      await documents.write([
        { collection: 'goals', key: 'g2', doc: { title: 'Zwei' } },
        { collection: 'goals', key: 'g1', doc: null },
        { collection: 'checkpoints', key: 'projector', doc: { position: 17 } },
      ]);
      expect(await documents.get('goals', 'g1')).toBeUndefined();
      expect(await documents.get('goals', 'g2')).toEqual({ title: 'Zwei' });
      expect(await documents.get('checkpoints', 'projector')).toEqual({ position: 17 });
    });

    it('writes nothing of a list that contains an invalid write', async () => {
      await documents.put('goals', 'g1', { title: 'bleibt' });
      await expect(
        documents.write([
          { collection: 'goals', key: 'g1', doc: { title: 'geändert' } },
          { collection: 'goals', key: '', doc: { title: 'ohne Schlüssel' } },
        ]),
      ).rejects.toThrow(/Dokumentschlüssel/);
      expect(await documents.get('goals', 'g1')).toEqual({ title: 'bleibt' });
    });

    it('scans a collection in key order, by prefix and up to a limit', async () => {
      for (const key of ['b-2', 'a-1', 'b-10', 'c', 'b-1']) await documents.put('items', key, { key });
      await documents.put('itemsX', 'b-0', { key: 'fremd' });

      expect((await documents.scan('items')).map((e) => e.key)).toEqual(['a-1', 'b-1', 'b-10', 'b-2', 'c']);
      expect(await documents.scan('items', { prefix: 'b-' })).toEqual([
        { key: 'b-1', doc: { key: 'b-1' } },
        { key: 'b-10', doc: { key: 'b-10' } },
        { key: 'b-2', doc: { key: 'b-2' } },
      ]);
      expect((await documents.scan('items', { prefix: 'b-', limit: 2 })).map((e) => e.key)).toEqual(['b-1', 'b-10']);
      expect(await documents.scan('items', { prefix: 'z' })).toEqual([]);
      expect(await documents.scan('empty')).toEqual([]);
    });

    it('finds documents whose top-level fields equal all given values', async () => {
      await documents.put<Area>('areas', '05315000', { name: 'Köln', level: 'kreisfrei', population: 1_084_831, parent: null, active: true });
      await documents.put<Area>('areas', '05334002', { name: 'Aachen', level: 'gemeinde', population: 249_070, parent: '05334', active: true });
      await documents.put<Area>('areas', '05334004', { name: 'Alsdorf', level: 'gemeinde', population: 47_000, parent: '05334', active: false });
      await documents.put<Area>('areas', '05334008', { name: 'Eschweiler', level: 'gemeinde' });

      const keys = async (filter: Record<string, string | number | boolean | null>) => (await documents.find<Area>('areas', filter)).map((e) => e.key);
      expect(await keys({ level: 'gemeinde' })).toEqual(['05334002', '05334004', '05334008']);
      expect(await keys({ parent: '05334', active: true })).toEqual(['05334002']);
      expect(await keys({ population: 47_000 })).toEqual(['05334004']);
      expect(await keys({ population: '47000' })).toEqual([]);
      expect(await keys({ parent: null })).toEqual(['05315000', '05334008']);
      expect(await keys({})).toHaveLength(4);
      const [found] = await documents.find<Area>('areas', { name: 'Aachen' });
      expect(found!.doc.population).toBe(249_070);
    });

    it('keeps documents for a reopened store', async () => {
      await documents.put('checkpoints', 'relay', { position: 99 });
      await documents.close();
      const reopened = await harness.reopen();
      expect(await reopened.get('checkpoints', 'relay')).toEqual({ position: 99 });
    });
  });
}
