import { lmdbDocumentStoreHarness } from '../helpers/lmdb';
import { describeDocumentStorePort } from '../suites/document-store';

describeDocumentStorePort('LMDB (eingebettet)', () => lmdbDocumentStoreHarness());

describe('LMDB document store', () => {
  it('refuses keys LMDB cannot hold instead of truncating them', async () => {
    const harness = await lmdbDocumentStoreHarness();
    try {
      await expect(harness.documents.put('areas', 'a\u0000b', { x: 1 })).rejects.toThrow(/Nullzeichen/);
      await expect(harness.documents.put('areas', 'x'.repeat(5000), { x: 1 })).rejects.toThrow(/zu lang/);
      await expect(harness.documents.put('areas', 'liste', [1, 2])).rejects.toThrow(/Objekt/);
    } finally {
      await harness.cleanup();
    }
  });
});
