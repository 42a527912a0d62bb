import { join } from 'node:path';
import { processedIdsCollection } from '../../src/consumer/processed-ids';
import { createLmdbDocumentStore } from '../../src/documents/lmdb-document-store';
import { createLmdbEventLog } from '../../src/log/lmdb-event-log';
import { runFixture } from '../helpers/child';
import { removeDataDir, requireBuiltPackage, tempDataDir } from '../helpers/lmdb';

describe('graceful shutdown of a consumer process', () => {
  beforeAll(() => {
    requireBuiltPackage();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('on %s finishes the running batch, commits it and exits with 0', async (signal) => {
    const dir = await tempDataDir();
    const log = createLmdbEventLog({ path: dir });
    const documents = createLmdbDocumentStore({ path: dir });
    try {
      await log.publish('lagebild.goals', Array.from({ length: 5 }, (_, i) => ({ key: 'goal-1', value: Buffer.from(String(i)), headers: { 'event-id': `e-${i}` } })));
      const child = runFixture(join(__dirname, 'fixtures', 'graceful-consumer.js'), [dir, 'lagebild.goals', 'projector']);
      await child.waitForLine((line) => line.startsWith('start'), 'Beginn eines Stapels');
      child.process.kill(signal);

      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(child.lines).toEqual(['ready', 'start 0 4', `signal ${signal}`, 'done 4', 'closed']);
      expect(await log.committedOffsets('projector', 'lagebild.goals')).toEqual(new Map([[0, 5]]));
      expect((await documents.scan(processedIdsCollection('projector'))).map((e) => e.key)).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4']);
    } finally {
      await log.close();
      await documents.close();
      await removeDataDir(dir);
    }
  });
});
