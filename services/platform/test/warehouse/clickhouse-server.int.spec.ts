/**
 * The ClickHouse server adapter over HTTP: the Warehouse port's shared suite, then what only this
 * adapter has (server-side parameters, the read-only user, sockets, network errors) and proof that
 * it returns the same values as the chDB adapter. One server per file: CLICKHOUSE_URL, or a private
 * clickhouse-server (test/helpers/clickhouse-server.ts); without either the file is skipped and
 * says why.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChdbWarehouse } from '../../src/warehouse/chdb';
import { type ClickHouseWarehouse, type ClickHouseWarehouseOptions, createClickHouseWarehouse } from '../../src/warehouse/clickhouse';
import { WarehouseConnectionError, WarehouseQueryError, WarehouseSyntaxError } from '../../src/warehouse/errors';
import { clickHouseAvailability, type ClickHouseTestServer, readonlyUserAvailable, startClickHouseServer } from '../helpers/clickhouse-server';
import { describeWarehousePort } from '../suites/warehouse-suite';

const availability = clickHouseAvailability();
if (!availability.available) console.warn(`ClickHouse-Server-Tests übersprungen: ${availability.reason}`);
const describeWithServer = availability.available ? describe : describe.skip;
if (availability.available && !readonlyUserAvailable()) {
  console.warn('Tests mit Lesebenutzer übersprungen: CLICKHOUSE_URL ist gesetzt, CLICKHOUSE_READONLY_USER nicht.');
}
const itWithReadonlyUser = readonlyUserAvailable() ? it : it.skip;

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

/**
 * Established TCP connections of this process to `port`, by socket inode (Linux: the sockets among
 * /proc/self/fd, looked up in /proc/self/net/tcp{,6}). Node's own handle lists leave out idle
 * keep-alive sockets, which the HTTP agent unrefs.
 */
function connectionsTo(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (target) inodes.add(target[1]!);
    } catch {
      // closed while listing
    }
  }
  const found = new Set<string>();
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, , remote, state, , , , , , inode] = line.trim().split(/\s+/);
      if (remote && state === '01' && parseInt(remote.split(':').pop()!, 16) === port && inodes.has(inode!)) found.add(inode!);
    }
  }
  return found;
}

async function settle(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
}

describeWithServer('ClickHouse server warehouse over HTTP', () => {
  let server: ClickHouseTestServer;
  let admin: ClickHouseWarehouse;
  const opened: ClickHouseWarehouse[] = [];
  const tables: string[] = [];
  const prefix = `ch_http_${randomBytes(4).toString('hex')}`;

  function table(purpose: string): string {
    const t = `${prefix}_${purpose}`;
    tables.push(t);
    return t;
  }

  function serverPort(): number {
    const url = new URL(server.url);
    return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  }

  async function open(options: Partial<ClickHouseWarehouseOptions> = {}): Promise<ClickHouseWarehouse> {
    const warehouse = await createClickHouseWarehouse({ url: server.url, username: server.username, password: server.password, ...options });
    opened.push(warehouse);
    return warehouse;
  }

  beforeAll(async () => {
    server = await startClickHouseServer();
    admin = await open();
  });

  afterAll(async () => {
    if (admin) for (const t of tables) await admin.command(`DROP TABLE IF EXISTS ${t}`);
    for (const warehouse of opened) await warehouse.close();
    await server?.stop();
  });

  describeWarehousePort('ClickHouse-Server (HTTP)', () =>
    createClickHouseWarehouse({ url: server.url, username: server.username, password: server.password }),
  );

  describe('values', () => {
    // Every type the port promises to decode, in SQL both chDB 26 and clickhouse-server 18.16 accept.
    const PARITY_SQL = `SELECT
      toUInt8(200) AS u8, toInt32(-7) AS i32, toUInt64(42) AS small_u64,
      toUInt64('18446744073709551615') AS max_u64, toInt64('-9223372036854775807') AS min_i64,
      toFloat64(0.1) + toFloat64(0.2) AS f64, toFloat32(0.5) AS f32,
      toDecimal64('12.50', 2) AS price, toDecimal128('1234567890123456789.0123456789', 10) AS big_decimal,
      toDecimal32('-0.05', 2) AS negative_decimal,
      CAST(NULL AS Nullable(Int64)) AS no_count, CAST(5 AS Nullable(Int64)) AS some_count,
      CAST(NULL AS Nullable(Decimal(9, 2))) AS no_amount,
      [toUInt64(1), toUInt64('9007199254740993')] AS ids, [toDecimal32('1.5', 2), toDecimal32('2', 2)] AS shares,
      ['Südstadt', 'O\\'Brien', 'Zeile 1\\nZeile 2'] AS names,
      toDate('2024-02-29') AS day, toDateTime('2024-03-01 23:59:59', 'UTC') AS at,
      toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0') AS id, CAST('b' AS Enum8('a' = 1, 'b' = 2)) AS kind
    FROM system.one`;

    it('returns the same JavaScript values as the chDB adapter, for the writing and the read-only user', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'lagebild-chdb-parity-'));
      const chdb = await createChdbWarehouse({ path: dir });
      let embedded: Record<string, unknown>[];
      try {
        embedded = await chdb.query(PARITY_SQL);
      } finally {
        await chdb.close();
        await rm(dir, { recursive: true, force: true });
      }
      const asWriter = await admin.query(PARITY_SQL);
      const readers = server.readonly ? [await open({ readonlyUsername: server.readonly.username, readonlyPassword: server.readonly.password })] : [];
      const asReader = await Promise.all(readers.map((reader) => reader.query(PARITY_SQL)));

      expect(asWriter).toEqual(embedded);
      for (const rows of asReader) expect(rows).toEqual(embedded);
      expect(asWriter[0]).toMatchObject({
        small_u64: 42,
        max_u64: '18446744073709551615',
        min_i64: '-9223372036854775807',
        price: 12.5,
        big_decimal: '1234567890123456789.0123456789',
        negative_decimal: -0.05,
        no_count: null,
        some_count: 5,
        ids: [1, '9007199254740993'],
        shares: [1.5, 2],
      });
    });

    it('inserts a hundred thousand rows in one call, 64-bit values exact', async () => {
      const t = table('bulk');
      await admin.command(`CREATE TABLE ${t} (tenant String, n UInt32, amount_cents Int64, share Float64) ENGINE = MergeTree() ORDER BY (tenant, n)`);
      const base = 2n ** 53n;
      const rows = Array.from({ length: 100_000 }, (_, n) => ({ tenant: n % 2 === 0 ? '05315000' : '05334002', n, amount_cents: base + BigInt(n), share: n / 4 }));

      await admin.insert(t, rows);

      const [summary] = await admin.query(`SELECT count() AS rows, uniqExact(tenant) AS tenants, sum(n) AS n_total, max(amount_cents) AS top, sum(share) AS shares FROM ${t}`);
      const picked = await admin.query(`SELECT amount_cents FROM ${t} WHERE n = {n:UInt32}`, { n: 12_345 });
      expect(summary).toEqual({ rows: 100_000, tenants: 2, n_total: (99_999 * 100_000) / 2, top: String(base + 99_999n), shares: (99_999 * 100_000) / 2 / 4 });
      expect(picked).toEqual([{ amount_cents: String(base + 12_345n) }]);
    });

    it('inserts rows of different shapes, a left-out column taking its default', async () => {
      const t = table('shapes');
      await admin.command(`CREATE TABLE ${t} (id UInt32, name String, note Nullable(String), weight Float64 DEFAULT 1) ENGINE = MergeTree() ORDER BY id`);
      // DEFAULT expressions for left-out fields need input_format_defaults_for_omitted_fields;
      // servers without it (18.16) fill in the type's default, as their documentation says.
      const expressionDefaults =
        (await admin.query<{ n: number }>("SELECT count() AS n FROM system.settings WHERE name = 'input_format_defaults_for_omitted_fields'"))[0]!.n > 0;
      const weight = expressionDefaults ? 1 : 0;

      await admin.insert(t, [{ id: 1, name: 'Nordstadt' }, { id: 2, name: 'Südstadt', note: 'Pilot', weight: 0.5 }, { id: 3, note: null, name: 'Mitte' }, { id: 4 }]);

      expect(await admin.query(`SELECT id, name, note, weight FROM ${t} ORDER BY id`)).toEqual([
        { id: 1, name: 'Nordstadt', note: null, weight },
        { id: 2, name: 'Südstadt', note: 'Pilot', weight: 0.5 },
        { id: 3, name: 'Mitte', note: null, weight },
        { id: 4, name: '', note: null, weight },
      ]);
    });

    it('passes the deduplication token to the server with the insert', async () => {
      const t = table('dedup');
      const tokenKnown = (await admin.query<{ n: number }>("SELECT count() AS n FROM system.settings WHERE name = 'insert_deduplication_token'"))[0]!.n > 0;
      const rows = [{ tenant: '05315000', value: 1 }, { tenant: '05315000', value: 2 }];
      if (tokenKnown) {
        // ClickHouse 22.2+: a retried batch with the same token is dropped whole.
        await admin.command(`CREATE TABLE ${t} (tenant String, value Int32) ENGINE = MergeTree() ORDER BY tenant SETTINGS non_replicated_deduplication_window = 100`);
        await admin.insert(t, rows, { deduplicationToken: 'lagebild.goals-0-17-42' });
        await admin.insert(t, rows, { deduplicationToken: 'lagebild.goals-0-17-42' });
        await admin.insert(t, rows, { deduplicationToken: 'lagebild.goals-0-43-44' });

        expect(await admin.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: 4 }]);
      } else {
        // Older servers (18.16 here) know neither the token nor the deduplication window of
        // non-replicated tables: refusing the unknown setting shows the token reached the server.
        await admin.command(`CREATE TABLE ${t} (tenant String, value Int32) ENGINE = MergeTree() ORDER BY tenant`);

        const error = await caught(admin.insert(t, rows, { deduplicationToken: 'lagebild.goals-0-17-42' }));
        await admin.insert(t, rows);

        expect(error).toBeInstanceOf(WarehouseQueryError);
        expect(error).toMatchObject({ clickhouseCode: 115, retriable: false });
        expect(error.message).toContain('insert_deduplication_token');
        expect(await admin.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: 2 }]);
      }
    });
  });

  describe('parameters', () => {
    it('binds values of every kind as single literals, and leaves placeholders in strings and comments alone', async () => {
      const tenant = "05315000'); DROP TABLE x; --";
      const names = ["O'Brien", 'Back\\slash', 'Tab\tund\nZeile'];

      const rows = await admin.query(
        `SELECT '{tenant:String}' AS literal, {tenant:String} AS bound, {names:Array(String)} AS names, {ids:Array(UInt32)} AS ids,
          {note:Nullable(String)} AS note, {flag:UInt8} AS flag, {share:Float64} AS share, {day:Date} AS day -- {tenant:String}
          /* {tenant:String} */`,
        { tenant, names, ids: [3, 1], note: null, flag: true, share: -0.25, day: '2024-02-29' },
      );

      expect(rows).toEqual([{ literal: '{tenant:String}', bound: tenant, names, ids: [3, 1], note: null, flag: 1, share: -0.25, day: '2024-02-29' }]);
    });

    it('refuses a placeholder without a value instead of running the statement', async () => {
      const errors = [await caught(admin.query('SELECT {tenant:String} AS tenant', { other: 'x' })), await caught(admin.query('SELECT {tenant:String} AS tenant'))];

      for (const error of errors) {
        expect(error).toBeInstanceOf(WarehouseQueryError);
        expect(error).toMatchObject({ clickhouseCode: 456, retriable: false });
      }
    });
  });

  describe('users', () => {
    itWithReadonlyUser('runs queries as the read-only user, so a write through the query path is refused by the server', async () => {
      const t = table('readonly');
      const warehouse = await open({ readonlyUsername: server.readonly!.username, readonlyPassword: server.readonly!.password });
      // DDL and inserts still go through the writing user.
      await warehouse.command(`CREATE TABLE ${t} (tenant String, value Int32) ENGINE = MergeTree() ORDER BY tenant`);
      await warehouse.insert(t, [{ tenant: '05315000', value: 7 }]);

      const mode = await warehouse.query("SELECT value FROM system.settings WHERE name = 'readonly'");
      const read = await warehouse.query(`SELECT tenant, value FROM ${t} WHERE tenant = {tenant:String}`, { tenant: '05315000' });
      const drop = await caught(warehouse.query(`DROP TABLE ${t}`));
      const create = await caught(warehouse.query(`CREATE TABLE ${t}_copy (tenant String) ENGINE = MergeTree() ORDER BY tenant`));

      expect(mode).toEqual([{ value: '1' }]);
      expect(read).toEqual([{ tenant: '05315000', value: 7 }]);
      for (const error of [drop, create]) {
        expect(error).toBeInstanceOf(WarehouseQueryError);
        expect(error).toMatchObject({ clickhouseCode: 164, retriable: false });
      }
      expect(await admin.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: 1 }]);
    });

    itWithReadonlyUser('reports a wrong password as a connection error a retry cannot fix', async () => {
      const warehouse = await open({ readonlyUsername: server.readonly!.username, readonlyPassword: 'falsch' });

      const error = await caught(warehouse.ping());

      expect(error).toBeInstanceOf(WarehouseConnectionError);
      expect(error).toMatchObject({ retriable: false });
      expect(error.message).toContain(`als Benutzer "${server.readonly!.username}" abgelehnt`);
    });
  });

  describe('connections', () => {
    it('reports an unreachable server as a retriable connection error naming the address without the password', async () => {
      const port = await new Promise<number>((resolve) => {
        // A port that was free a moment ago and has nobody listening.
        const probe = createServer();
        probe.listen(0, '127.0.0.1', () => {
          const { port: p } = probe.address() as AddressInfo;
          probe.close(() => resolve(p));
        });
      });
      const warehouse = await createClickHouseWarehouse({ url: `http://lagebild:streng-geheim@127.0.0.1:${port}` });
      opened.push(warehouse);

      const errors = await Promise.all([caught(warehouse.query('SELECT 1')), caught(warehouse.command('SELECT 1')), caught(warehouse.insert('t', [{ id: 1 }])), caught(warehouse.ping())]);

      expect(warehouse.url).toBe(`http://127.0.0.1:${port}`);
      for (const error of errors) {
        expect(error).toBeInstanceOf(WarehouseConnectionError);
        expect(error).toMatchObject({ retriable: true });
        expect(error.message).toContain(`ClickHouse-Server unter http://127.0.0.1:${port} ist nicht erreichbar`);
        expect(error.message).not.toContain('streng-geheim');
      }
    });

    it('reports a response that takes longer than the request timeout as a retriable connection error', async () => {
      const warehouse = await open({ requestTimeoutMs: 1_000 });

      const error = await caught(warehouse.query('SELECT sleep(3) AS s'));

      expect(error).toBeInstanceOf(WarehouseConnectionError);
      expect(error).toMatchObject({ retriable: true });
      expect(error.message).toContain('nicht innerhalb von 1 s geantwortet');
    });

    it('reports an exception raised after the first rows were sent as a query error, not as broken JSON', async () => {
      const error = await caught(admin.query('SELECT throwIf(number = 150000) AS x FROM system.numbers LIMIT 200000'));

      expect(error).toBeInstanceOf(WarehouseQueryError);
      expect(error).toMatchObject({ clickhouseCode: 395 });
    });

    it('hands its socket back after every kind of operation, so one kept-alive socket serves them all', async () => {
      const t = table('pool');
      const before = connectionsTo(serverPort());
      const used = new Set<string>();
      const note = () => connectionsTo(serverPort()).forEach((inode) => before.has(inode) || used.add(inode));
      // A response left unread would keep the only socket busy: the client would have to open
      // another one (or the next request would wait for the timeout).
      const warehouse = await open({ maxOpenConnections: 1, requestTimeoutMs: 5_000 });

      await warehouse.command(`CREATE TABLE ${t} (id UInt32, name String) ENGINE = MergeTree() ORDER BY id`);
      note();
      for (let round = 0; round < 5; round += 1) {
        await warehouse.insert(t, [{ id: round, name: `Sozialraum ${round}` }]);
        note();
        await warehouse.insert(t, [{ id: 100 + round }, { id: 200 + round, name: 'x' }]);
        note();
        expect(await caught(warehouse.insert(t, [{ id: 1, idd: 2 }]))).toBeInstanceOf(WarehouseQueryError);
        note();
        expect(await caught(warehouse.query('SELEC 1'))).toBeInstanceOf(WarehouseSyntaxError);
        note();
        expect(await caught(warehouse.command(`ALTER TABLE ${t}_missing DELETE WHERE 1`))).toBeInstanceOf(WarehouseQueryError);
        note();
        await warehouse.ping();
        note();
        await warehouse.query(`SELECT count() AS n FROM ${t}`);
        note();
      }

      expect(await warehouse.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: 15 }]);
      expect(used.size).toBe(1);
    });

    it('keeps sockets alive between requests and releases them all on close, refusing work afterwards', async () => {
      const port = serverPort();
      const before = connectionsTo(port);
      const own = () => [...connectionsTo(port)].filter((inode) => !before.has(inode));
      const warehouse = await createClickHouseWarehouse({ url: server.url, username: server.username, password: server.password });

      await Promise.all(Array.from({ length: 4 }, () => warehouse.query('SELECT sleep(0.1) AS s')));
      const held = own();
      await warehouse.close();
      // Closing destroys the sockets at once; the idle timeout (2.5 s) would take far longer.
      await settle(() => own().length === 0);

      expect(held.length).toBeGreaterThanOrEqual(2);
      expect(own()).toEqual([]);
      const error = await caught(warehouse.query('SELECT 1'));
      expect(error).toBeInstanceOf(WarehouseConnectionError);
      expect(error).toMatchObject({ retriable: false });
    });
  });
});
