/**
 * Upgrading a data directory: a warehouse whose tables an earlier version created (the schema
 * before fact_indicator_value.stream_version, kept in test/fixtures as released) is rebuilt from
 * the log when the projection starts, so it ends exactly as a warehouse projected from the first
 * event by this version, and the projection goes on from there. A rebuild that is stopped leaves
 * the old tables readable, and the next start completes it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createCodec, exampleIntegrationEvents, type IntegrationEvent } from '@lagebild/contracts';
import { type ChdbWarehouse, type DocumentStore, type EventLog, runConsumer } from '@lagebild/platform';
import { createProjection, projectionLag, staleTables } from '../src/projection';
import { project, tableRows } from '../src/projector';
import { ReplayAbortedError, replayWarehouse } from '../src/replay';
import { applySchema, TABLES } from '../src/schema';
import { closeWarehouseStores, openWarehouseStores, type WarehouseStores } from './stores';

const codec = createCodec();
let stores: WarehouseStores | undefined;
let warehouse: ChdbWarehouse;
let log: EventLog;
let documents: DocumentStore;

beforeAll(async () => {
  stores = await openWarehouseStores('lagebild-migration-');
  ({ warehouse, log, documents } = stores);
});

afterAll(() => closeWarehouseStores(stores));

async function publish(events: readonly IntegrationEvent[]): Promise<void> {
  for (const e of events) await log.publish(codec.topicOf(e.type), [{ key: e.envelope.stream, value: codec.encode(e) }]);
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('timed out');
}

async function snapshot(database: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) out[t.name] = await warehouse.query(`SELECT * EXCEPT (_ver) FROM ${database}.${t.name} FINAL ORDER BY ALL`);
  return out;
}

/** The warehouse as the earlier version left it: its schema, its rows, and the live group's offsets at the end of the log. */
async function earlierInstallation(events: readonly IntegrationEvent[]): Promise<void> {
  const ddl = await readFile(path.join(__dirname, 'fixtures/schema-before-stream-version.sql'), 'utf8');
  const statements = ddl
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .split(';\n\n')
    .map((s) => s.replace(/;\s*$/, '').trim())
    .filter((s) => s.length > 0);
  for (const statement of statements) await warehouse.command(statement);
  for (const [table, rows] of tableRows(events)) {
    // The earlier projector wrote no stream version.
    await warehouse.insert(`lagebild.${table}`, rows.map(({ stream_version: _version, ...row }) => row));
  }
  const caughtUp = await runConsumer({ log, group: 'warehouse', topics: ['lagebild.ingestion', 'lagebild.indicators', 'lagebild.goals', 'lagebild.budget'], idempotency: false, handle: async () => undefined });
  await waitFor(async () => (await projectionLag(log)) === 0);
  await caughtUp.stop();
}

describe('a warehouse of an earlier schema', () => {
  const events = exampleIntegrationEvents();

  it('is found out by its structure, and a fresh schema is not', async () => {
    await applySchema(warehouse, 'fresh');
    expect(await staleTables(warehouse, 'fresh')).toEqual([]);
    await publish(events);
    await earlierInstallation(events);
    // The earlier table also keeps ClickHouse's default index granularity, which this version lowered.
    const difference = 'neue Spalten stream_version; andere Indexgranularität (8192 statt 256 Zeilen)';
    expect(await staleTables(warehouse)).toEqual([{ table: 'fact_indicator_value', difference }]);
    // Applying the schema leaves it (and its views) as they are: the FIS reads the old data meanwhile.
    expect(await applySchema(warehouse)).toEqual({ stale: [{ table: 'fact_indicator_value', difference }] });
    const [old] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM lagebild.v_indicator_value');
    expect(old!.n).toBeGreaterThan(0);
  });

  it('is found out when only the index granularity differs (it cannot be altered, so the table is rebuilt)', async () => {
    const [create] = await warehouse.query<{ statement: string }>("SELECT create_table_query AS statement FROM system.tables WHERE database = 'fresh' AND name = 'fact_indicator_value'");
    expect(create!.statement).toContain('index_granularity = 256');
    await warehouse.command('DROP TABLE fresh.fact_indicator_value');
    await warehouse.command(create!.statement.replace('index_granularity = 256', 'index_granularity = 8192'));
    expect(await staleTables(warehouse, 'fresh')).toEqual([{ table: 'fact_indicator_value', difference: 'andere Indexgranularität (8192 statt 256 Zeilen)' }]);
    await warehouse.command('DROP DATABASE fresh');
  });

  it('stays as it was when the rebuild is stopped before the switch', async () => {
    const stop = new AbortController();
    stop.abort();
    await expect(replayWarehouse({ warehouse, eventLog: log, documents, codec }, { signal: stop.signal })).rejects.toBeInstanceOf(ReplayAbortedError);
    expect((await staleTables(warehouse)).map((t) => t.table)).toEqual(['fact_indicator_value']);
    expect(await warehouse.query("SELECT name FROM system.databases WHERE name = 'lagebild_replay'")).toEqual([]);
    const [old] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM lagebild.v_indicator_value');
    expect(old!.n).toBeGreaterThan(0);
  });

  it('is rebuilt from the log at start to what this version projects, and the projection goes on', async () => {
    await applySchema(warehouse, 'expected');
    await project({ warehouse, codec, database: 'expected' }, events.map((e, offset) => ({ value: codec.encode(e), topic: codec.topicOf(e.type), partition: 0, offset })));

    const projection = createProjection({ warehouse, eventLog: log, documents, codec });
    await projection.start();
    try {
      expect(await staleTables(warehouse)).toEqual([]);
      expect(await snapshot('lagebild')).toEqual(await snapshot('expected'));
      const [versions] = await warehouse.query<{ unversioned: number }>('SELECT countIf(stream_version = 0) AS unversioned FROM lagebild.fact_indicator_value');
      expect(versions!.unversioned).toBe(0);
      expect(await warehouse.query('SELECT * FROM lagebild.v_indicator_value ORDER BY ALL')).toEqual(await warehouse.query('SELECT * FROM expected.v_indicator_value ORDER BY ALL'));
      const databases = await warehouse.query<{ name: string }>("SELECT name FROM system.databases WHERE name LIKE 'lagebild%' ORDER BY name");
      expect(databases).toEqual([{ name: 'lagebild' }]);

      // A computation after the upgrade reaches the rebuilt tables through the live projection.
      const computed = events.find((e): e is IntegrationEvent<'IndicatorValuesComputed'> => e.type === 'IndicatorValuesComputed')!;
      const next = structuredClone(computed);
      next.envelope = { ...next.envelope, id: '00000000-0000-4000-9000-00000000000a', version: computed.envelope.version + 1 };
      next.data = { ...next.data, computationId: '00000000-0000-4000-a000-00000000000a', values: next.data.values.map((v) => ({ ...v, value: 42 })) };
      await publish([next]);
      await waitFor(async () => (await projection.lag()) === 0);
      const current = await warehouse.query<{ value: number; stream_version: number }>(`SELECT value, stream_version FROM lagebild.v_indicator_value WHERE protection = 'RAW' AND indicator_id = '${computed.data.indicatorId}' AND value IS NOT NULL`);
      expect(current.length).toBeGreaterThan(0);
      expect(current.every((row) => row.value === 42 && row.stream_version === next.envelope.version)).toBe(true);
    } finally {
      await projection.stop();
    }
  }, 60_000);
});
