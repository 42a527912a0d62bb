/**
 * The Warehouse port's contract, run by every adapter's spec (chDB embedded, ClickHouse server
 * over HTTP). Its SQL stays within what both chDB (26.x) and clickhouse-server 18.16 accept:
 * no DateTime64, Bool, LowCardinality or table settings; engine behaviour that only new engines
 * have (deduplication tokens, ...) is tested in the adapter's own spec.
 *
 * Usage: `describeWarehousePort('chDB', () => createChdbWarehouse({ path: freshDir }))`. The
 * suite opens one warehouse for all its tests (engines like chDB open a directory slowly and
 * once per process), gives every test its own tables, drops them and closes the warehouse at
 * the end.
 */
import { randomBytes } from 'node:crypto';
import type { Warehouse } from '../../src/ports/warehouse';
import { WarehouseError, WarehouseQueryError, WarehouseSyntaxError } from '../../src/warehouse/errors';

export function describeWarehousePort(name: string, make: () => Promise<Warehouse>): void {
  describe(`Warehouse port: ${name}`, () => {
    let warehouse: Warehouse;
    const prefix = `port_suite_${randomBytes(4).toString('hex')}`;
    const tables: string[] = [];
    let counter = 0;

    /** A fresh table name for one test; dropped in afterAll. */
    function table(purpose: string): string {
      const t = `${prefix}_${purpose}_${++counter}`;
      tables.push(t);
      return t;
    }

    async function caught(promise: Promise<unknown>): Promise<unknown> {
      try {
        await promise;
      } catch (error) {
        return error;
      }
      throw new Error('expected the operation to fail, but it succeeded');
    }

    beforeAll(async () => {
      warehouse = await make();
    });

    afterAll(async () => {
      if (!warehouse) return;
      for (const t of tables) await warehouse.command(`DROP TABLE IF EXISTS ${t}`);
      await warehouse.close();
    });

    it('creates a table, inserts rows and reads them back as objects', async () => {
      const t = table('basic');
      await warehouse.command(
        `CREATE TABLE ${t} (id UInt32, name String, share Float64, note Nullable(String)) ENGINE = MergeTree() ORDER BY id`,
      );
      await warehouse.insert(t, [
        { id: 2, name: 'Nordstadt', share: 0.25, note: null },
        { id: 1, name: 'Südstadt', share: 12.5, note: 'Pilot-Sozialraum' },
      ]);

      const rows = await warehouse.query(`SELECT id, name, share, note FROM ${t} ORDER BY id`);

      expect(rows).toEqual([
        { id: 1, name: 'Südstadt', share: 12.5, note: 'Pilot-Sozialraum' },
        { id: 2, name: 'Nordstadt', share: 0.25, note: null },
      ]);
    });

    it('binds query parameters in the engine, so a quote in a value cannot change the statement', async () => {
      const t = table('params');
      await warehouse.command(`CREATE TABLE ${t} (tenant String, id UInt32, value Int32) ENGINE = MergeTree() ORDER BY (tenant, id)`);
      await warehouse.insert(t, [
        { tenant: '05315000', id: 1, value: 10 },
        { tenant: '05315000', id: 2, value: 20 },
        { tenant: '05315000', id: 3, value: 30 },
        { tenant: '05334002', id: 1, value: 99 },
      ]);

      const own = await warehouse.query(`SELECT id, value FROM ${t} WHERE tenant = {tenant:String} AND value >= {min:Int32} ORDER BY id`, {
        tenant: '05315000',
        min: 20,
      });
      // has(array, x) rather than `x IN {ids:Array(...)}`: an array literal after IN is a type
      // error on old servers, where an adapter has to substitute parameters itself.
      const listed = await warehouse.query(`SELECT id FROM ${t} WHERE tenant = {tenant:String} AND has({ids:Array(UInt32)}, id) ORDER BY id`, {
        tenant: '05315000',
        ids: [1, 3],
      });
      const injected = await warehouse.query(`SELECT count() AS n FROM ${t} WHERE tenant = {tenant:String}`, {
        tenant: "05315000' OR '1'='1",
      });

      expect(own).toEqual([
        { id: 2, value: 20 },
        { id: 3, value: 30 },
      ]);
      expect(listed).toEqual([{ id: 1 }, { id: 3 }]);
      expect(injected).toEqual([{ n: 0 }]);
    });

    it('returns counts and 64-bit integers in the safe range as numbers', async () => {
      const rows = await warehouse.query(
        'SELECT count() AS n, toUInt64(9007199254740991) AS max_safe, toInt64(-42) AS negative, toFloat64(1.5) AS f FROM system.one',
      );

      expect(rows).toEqual([{ n: 1, max_safe: 9007199254740991, negative: -42, f: 1.5 }]);
    });

    it('keeps only the latest version of a key in a ReplacingMergeTree read with FINAL', async () => {
      const t = table('replacing');
      await warehouse.command(
        `CREATE TABLE ${t} (tenant String, goal_id String, title String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY (tenant, goal_id)`,
      );
      // Separate inserts make separate parts, so only FINAL (not a merge) can collapse them.
      await warehouse.insert(t, [{ tenant: '05315000', goal_id: 'g1', title: 'Kinderarmut senken', version: 1 }]);
      await warehouse.insert(t, [{ tenant: '05315000', goal_id: 'g1', title: 'Kinderarmut bis 2030 senken', version: 2 }]);
      await warehouse.insert(t, [{ tenant: '05315000', goal_id: 'g2', title: 'Schulabbrüche verringern', version: 1 }]);
      // A replayed older event must not win over the newer one.
      await warehouse.insert(t, [{ tenant: '05315000', goal_id: 'g1', title: 'Kinderarmut senken', version: 1 }]);

      const rows = await warehouse.query(`SELECT goal_id, title, version FROM ${t} FINAL WHERE tenant = {tenant:String} ORDER BY goal_id`, {
        tenant: '05315000',
      });

      expect(rows).toEqual([
        { goal_id: 'g1', title: 'Kinderarmut bis 2030 senken', version: 2 },
        { goal_id: 'g2', title: 'Schulabbrüche verringern', version: 1 },
      ]);
    });

    it('reports malformed SQL as a syntax error that a retry cannot fix', async () => {
      const error = await caught(warehouse.query('SELEC 1'));

      expect(error).toBeInstanceOf(WarehouseSyntaxError);
      expect(error).toMatchObject({ kind: 'syntax', retriable: false, clickhouseCode: 62 });
      expect((error as Error).cause).toBeDefined();
    });

    it('reports a query on a missing table as a query error with the engine code', async () => {
      const error = await caught(warehouse.query(`SELECT * FROM ${prefix}_does_not_exist`));

      expect(error).toBeInstanceOf(WarehouseQueryError);
      expect(error).toMatchObject({ kind: 'query', retriable: false, clickhouseCode: 60 });
    });

    it('refuses an insert that names a column the table does not have', async () => {
      const t = table('strict');
      await warehouse.command(`CREATE TABLE ${t} (id UInt32) ENGINE = MergeTree() ORDER BY id`);

      const error = await caught(warehouse.insert(t, [{ id: 1, idd: 2 }]));

      expect(error).toBeInstanceOf(WarehouseQueryError);
      expect(await warehouse.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: 0 }]);
    });

    it('refuses a parameter value that does not fit its declared type', async () => {
      const error = await caught(warehouse.query('SELECT {n:UInt8} AS n', { n: 'viele' }));

      expect(error).toBeInstanceOf(WarehouseError);
      expect(error).not.toBeInstanceOf(WarehouseSyntaxError);
    });

    it('treats an empty insert as a no-op', async () => {
      const t = table('empty');
      await warehouse.command(`CREATE TABLE ${t} (id UInt32) ENGINE = MergeTree() ORDER BY id`);

      await warehouse.insert(t, []);

      expect(await warehouse.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: 0 }]);
    });

    it('round-trips quotes, backslashes, control characters and Umlaute, in rows and in parameters', async () => {
      const t = table('strings');
      await warehouse.command(`CREATE TABLE ${t} (id UInt32, text String) ENGINE = MergeTree() ORDER BY id`);
      const texts = [
        `Träger "Arbeiterwohlfahrt" e. V.`,
        "O'Brien's Straße",
        'Back\\slash and \\N and tab\there',
        'Zeile 1\nZeile 2\r\n',
        'Größe: 5 € – Maß ½ – 🚸',
        '',
      ];
      await warehouse.insert(
        t,
        texts.map((text, i) => ({ id: i, text })),
      );

      const rows = await warehouse.query<{ id: number; text: string }>(`SELECT id, text FROM ${t} ORDER BY id`);
      const matches = await Promise.all(
        texts.map((text) => warehouse.query<{ id: number }>(`SELECT id FROM ${t} WHERE text = {text:String}`, { text })),
      );

      expect(rows.map((r) => r.text)).toEqual(texts);
      expect(matches).toEqual(texts.map((_, i) => [{ id: i }]));
    });

    it('round-trips dates and UTC date-times as the engine text, and filters by a date parameter', async () => {
      const t = table('dates');
      await warehouse.command(
        `CREATE TABLE ${t} (stichtag Date, recorded_at DateTime('UTC'), value Int32) ENGINE = MergeTree() ORDER BY stichtag`,
      );
      await warehouse.insert(t, [
        { stichtag: '2023-12-31', recorded_at: '2024-01-15 08:30:00', value: 1 },
        { stichtag: '2024-02-29', recorded_at: '2024-03-01 23:59:59', value: 2 },
      ]);

      const all = await warehouse.query(`SELECT stichtag, recorded_at, toYear(stichtag) AS year FROM ${t} ORDER BY stichtag`);
      const from = await warehouse.query(`SELECT value FROM ${t} WHERE stichtag >= {from:Date}`, { from: '2024-01-01' });

      expect(all).toEqual([
        { stichtag: '2023-12-31', recorded_at: '2024-01-15 08:30:00', year: 2023 },
        { stichtag: '2024-02-29', recorded_at: '2024-03-01 23:59:59', year: 2024 },
      ]);
      expect(from).toEqual([{ value: 2 }]);
    });

    it('inserts thousands of rows in one call', async () => {
      const t = table('bulk');
      await warehouse.command(`CREATE TABLE ${t} (area String, value Float64) ENGINE = MergeTree() ORDER BY area`);
      const rows = Array.from({ length: 5000 }, (_, i) => ({ area: `SR${String(i % 50).padStart(2, '0')}`, value: i }));

      await warehouse.insert(t, rows);

      expect(await warehouse.query(`SELECT count() AS n, uniqExact(area) AS areas, sum(value) AS total FROM ${t}`)).toEqual([
        { n: 5000, areas: 50, total: (4999 * 5000) / 2 },
      ]);
    });

    it('returns no rows for a query that matches nothing, and none for a statement without result', async () => {
      const t = table('nothing');
      await warehouse.command(`CREATE TABLE ${t} (id UInt32) ENGINE = MergeTree() ORDER BY id`);

      expect(await warehouse.query(`SELECT id FROM ${t} WHERE id = {id:UInt32}`, { id: 7 })).toEqual([]);
      expect(await warehouse.query(`DROP TABLE IF EXISTS ${t}`)).toEqual([]);
    });
  });
}
