import { Packr, REUSE_BUFFER_MODE } from 'msgpackr';
import { openLmdbEnvironment } from '../../src/lmdb/environment';
import { removeDataDir, tempDataDir } from '../helpers/lmdb';

describe('LMDB environment', () => {
  it("never lets lmdb-js tag msgpackr's shared encode buffer, which can slow every later encode five-fold", async () => {
    const dir = await tempDataDir();
    const env = openLmdbEnvironment(dir);
    try {
      const db = env.database<unknown, string>('test.values');
      await db.put('small', { a: 1 });
      await db.childTransaction(() => void db.put('in-transaction', { b: [1, 2, 3] }));
      await env.flushed();
      // In reuse mode msgpackr hands out its shared buffer itself: the one the puts were encoded in.
      const shared = new Packr().pack(0, REUSE_BUFFER_MODE);
      expect(Object.prototype.hasOwnProperty.call(shared, 'address')).toBe(false);
      expect(db.get('in-transaction')).toEqual({ b: [1, 2, 3] });
    } finally {
      await env.release();
      await removeDataDir(dir);
    }
  });
});
