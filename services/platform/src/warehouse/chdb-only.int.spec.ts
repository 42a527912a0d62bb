/**
 * What the chDB adapter guarantees beyond the port suite: deduplication tokens (engines >= 22),
 * the one-directory-per-process rule, exact values outside the safe number range, and types an
 * old ClickHouse server lacks (DateTime64, Bool).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ChdbWarehouse, createChdbWarehouse } from './chdb';
import { WarehouseConnectionError } from './errors';

let root: string;
let warehouse: ChdbWarehouse;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'lagebild-chdb-only-'));
  warehouse = await createChdbWarehouse({ path: path.join(root, 'main') });
});

afterAll(async () => {
  await warehouse?.close();
  await rm(root, { recursive: true, force: true });
});

describe('chDB warehouse', () => {
  it('does not duplicate rows when an insert is retried with the same deduplication token', async () => {
    await warehouse.command(
      `CREATE TABLE dedup (id UInt32, value String) ENGINE = MergeTree() ORDER BY id
       SETTINGS non_replicated_deduplication_window = 100`,
    );
    const batch = [
      { id: 1, value: 'a' },
      { id: 2, value: 'b' },
    ];

    await warehouse.insert('dedup', batch, { deduplicationToken: 'event-7f3a:0' });
    await warehouse.insert('dedup', batch, { deduplicationToken: 'event-7f3a:0' });
    // The token decides, not the data: different rows under a used token are dropped too ...
    await warehouse.insert('dedup', [{ id: 3, value: 'c' }], { deduplicationToken: 'event-7f3a:0' });
    // ... and the same rows under a new token are a new insert.
    await warehouse.insert('dedup', batch, { deduplicationToken: 'event-8b2c:0' });

    expect(await warehouse.query('SELECT id, count() AS n FROM dedup GROUP BY id ORDER BY id')).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });

  it('keeps 64-bit integers beyond 2^53 and long decimals exact, as strings', async () => {
    const rows = await warehouse.query(
      `SELECT toUInt64('18446744073709551615') AS max_u64, toInt64('-9007199254740993') AS beyond_safe,
              toDecimal64('1.50', 2) AS short_decimal, toDecimal128('12345678901234567890.12', 2) AS long_decimal,
              [toUInt64(1), toUInt64('9007199254740993')] AS mixed`,
    );

    expect(rows).toEqual([
      {
        max_u64: '18446744073709551615',
        beyond_safe: '-9007199254740993',
        short_decimal: 1.5,
        long_decimal: '12345678901234567890.12',
        mixed: [1, '9007199254740993'],
      },
    ]);
  });

  it('stores a JavaScript Date in a DateTime64 column to the millisecond and binds Bool parameters', async () => {
    await warehouse.command(`CREATE TABLE moments (at DateTime64(3, 'UTC'), published Bool) ENGINE = MergeTree() ORDER BY at`);
    await warehouse.insert('moments', [
      { at: new Date(Date.UTC(2024, 11, 31, 23, 59, 58, 123)), published: true },
      { at: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, 1)), published: false },
    ]);

    const rows = await warehouse.query('SELECT at FROM moments WHERE published = {published:Bool}', { published: true });

    expect(rows).toEqual([{ at: '2024-12-31 23:59:58.123' }]);
  });

  it('runs concurrent queries and inserts on one warehouse', async () => {
    await warehouse.command('CREATE TABLE concurrent (id UInt32) ENGINE = MergeTree() ORDER BY id');

    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? warehouse.insert('concurrent', [{ id: i }]) : warehouse.query('SELECT count() AS n FROM concurrent WHERE id > {id:UInt32}', { id: i }),
      ),
    );

    expect(await warehouse.query('SELECT count() AS n FROM concurrent')).toEqual([{ n: 20 }]);
  });

  it('refuses a second data directory while one is open, and opens it once the first is closed', async () => {
    const otherPath = path.join(root, 'other');

    await expect(createChdbWarehouse({ path: otherPath })).rejects.toThrow(WarehouseConnectionError);
    await expect(createChdbWarehouse({ path: otherPath })).rejects.toThrow(/one data directory per process/);

    await warehouse.command('CREATE TABLE survivor (id UInt32) ENGINE = MergeTree() ORDER BY id');
    await warehouse.insert('survivor', [{ id: 42 }]);
    await warehouse.close();
    const other = await createChdbWarehouse({ path: otherPath });
    const inOther = await other.query("SELECT count() AS n FROM system.tables WHERE database = 'default' AND name = 'survivor'");
    await other.close();
    warehouse = await createChdbWarehouse({ path: path.join(root, 'main') });

    expect(inOther).toEqual([{ n: 0 }]);
    expect(await warehouse.query('SELECT id FROM survivor')).toEqual([{ id: 42 }]);
  });

  it('fails operations after close with a connection error that a retry cannot fix', async () => {
    const closing = await createChdbWarehouse({ path: path.join(root, 'main') });
    await closing.close();

    await expect(closing.query('SELECT 1')).rejects.toMatchObject({ kind: 'connection', retriable: false });
    await expect(closing.insert('survivor', [{ id: 1 }])).rejects.toBeInstanceOf(WarehouseConnectionError);
    await expect(warehouse.query('SELECT count() AS n FROM survivor')).resolves.toEqual([{ n: 1 }]);
  });
});
