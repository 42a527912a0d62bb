/**
 * The projector on the embedded ClickHouse engine (chDB): every event type lands in its table,
 * and the same events projected three times (same batches, other batch cuts, one by one) leave
 * exactly the same tables (exactly-once effect under at-least-once delivery).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCodec, exampleIntegrationEvents, type IntegrationEvent } from '@lagebild/contracts';
import type { Warehouse } from '@lagebild/platform';
import { type ChdbWarehouse, createChdbWarehouse } from '@lagebild/platform';
import { applySchema } from '../src/projection';
import { INSERT_BLOCK_ROWS, project, ProjectionAbortedError, rowsOf } from '../src/projector';
import { schemaFile, TABLES, VIEWS } from '../src/schema';

const codec = createCodec();
let dir: string;
let warehouse: ChdbWarehouse;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-warehouse-'));
  warehouse = await createChdbWarehouse({ path: dir });
  await applySchema(warehouse);
});

afterAll(async () => {
  await warehouse?.close();
  await rm(dir, { recursive: true, force: true });
});

const events = exampleIntegrationEvents();
const records = events.map((e, i) => ({ value: codec.encode(e), topic: codec.topicOf(e.type), partition: 0, offset: i }));

async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    out[t.name] = await warehouse.query(`SELECT * EXCEPT (_ver) FROM lagebild.${t.name} FINAL ORDER BY ALL`);
  }
  return out;
}

async function projectInBatches(size: number): Promise<void> {
  // The consumer hands over one topic at a time, in offset order.
  const byTopic = new Map<string, typeof records>();
  for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
  for (const list of byTopic.values()) {
    for (let i = 0; i < list.length; i += size) await project({ warehouse, codec }, list.slice(i, i + size));
  }
}

describe('projection into the star schema', () => {
  it('writes every event type into its tables', async () => {
    await projectInBatches(1000);
    const counts = new Map<string, number>();
    for (const e of events) for (const [table] of rowsOf(e)) counts.set(table, (counts.get(table) ?? 0) + 1);
    // Every table receives rows from the examples, except those of contexts without examples yet.
    for (const [table, expected] of counts) {
      const [row] = await warehouse.query<{ n: number }>(`SELECT count() AS n FROM lagebild.${table} FINAL`);
      // Rows of one identity (e.g. the same goal status twice) collapse; never more than projected.
      expect(row!.n).toBeGreaterThan(0);
      expect(row!.n).toBeLessThanOrEqual(expected);
    }
    const [value] = await warehouse.query<{ value: number; ampel: string; status: string }>("SELECT value, ampel, status FROM lagebild.fact_indicator_value FINAL WHERE protection = 'RAW' ORDER BY period_end, area_code LIMIT 1");
    expect(value).toBeDefined();
    const [duty] = await warehouse.query<{ status: string; late: boolean }>('SELECT status, late FROM lagebild.fact_contract_duty FINAL ORDER BY period_start LIMIT 1');
    expect(duty).toMatchObject({ status: 'fulfilled', late: false });
  });

  it('leaves the same tables after the same events three times, cut into batches differently', async () => {
    const first = await snapshot();
    const rawCount = async () => (await warehouse.query<{ n: number }>(`SELECT sum(rows) AS n FROM system.parts WHERE database = 'lagebild' AND active`))[0]!.n;
    const before = await rawCount();
    await projectInBatches(1000); // same batches again: dropped whole by the deduplication tokens
    expect(await rawCount()).toBe(before);
    await projectInBatches(3); // other cuts: rows of the same identity replace each other
    await projectInBatches(1);
    expect(await snapshot()).toEqual(first);
    // Also physically, once merged, there is one row per identity.
    await warehouse.command('OPTIMIZE TABLE lagebild.fact_indicator_value FINAL');
    const [plain] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM lagebild.fact_indicator_value');
    expect(plain!.n).toBe(first.fact_indicator_value!.length);
  });

  it('answers every serving view, the as-of views for any day', async () => {
    for (const v of VIEWS) {
      const from = v.select.includes('{asof:') ? `lagebild.${v.name}(asof = '2100-01-01 00:00:00')` : `lagebild.${v.name}`;
      const rows = await warehouse.query<{ n: number }>(`SELECT count() AS n FROM ${from}`);
      expect(rows[0]!.n).toBeGreaterThanOrEqual(0);
    }
    const [goal] = await warehouse.query<{ title: string; level: string; priority: number | null; retired_on: string | null }>("SELECT title, level, priority, retired_on FROM lagebild.v_goal WHERE title LIKE 'Familienzentren%'");
    // The example goal was derived, revised, prioritised (2) and retired: the view shows the latest of each, and the level of its creation.
    expect(goal).toEqual({ title: 'Familienzentren in allen Aktionsräumen ausbauen', level: 'PRODUKTZIEL', priority: null, retired_on: '2027-01-31' });
    const asOfBefore = await warehouse.query<{ n: number }>("SELECT count() AS n FROM lagebild.v_indicator_value_asof(asof = '2000-01-01 00:00:00')");
    expect(asOfBefore[0]!.n).toBe(0);
    const [protectedRow] = await warehouse.query<{ n: number }>("SELECT count() AS n FROM lagebild.v_indicator_value_protected WHERE protection != 'PROTECTED'");
    expect(protectedRow!.n).toBe(0);
  });

  it('gives the Controller Ansatz, fortgeschriebener Ansatz, Ist, Obligo and Hochrechnung per Produkt, and the Abweichungsbericht', async () => {
    const values = await warehouse.query<{ product_code: string; value_kind: string; amount_cents: number; prevention: string }>(
      "SELECT product_code, value_kind, sum(amount_cents) AS amount_cents, any(prevention) AS prevention FROM lagebild.v_budget_value WHERE budget_year = 2024 GROUP BY product_code, value_kind ORDER BY product_code, value_kind",
    );
    const of = (code: string, kind: string) => values.find((v) => v.product_code === code && v.value_kind === kind)?.amount_cents;
    // Frühe Hilfen (361010): Ansatz 980.000 €, + Übertragung 45.000 € + Umschichtung 250.000 € from the Hilfen zur Erziehung.
    expect(of('361010', 'ANSATZ')).toBe(98_000_000);
    expect(of('361010', 'FORTGESCHRIEBENER_ANSATZ')).toBe(98_000_000 + 4_500_000 + 25_000_000);
    expect(of('363010', 'FORTGESCHRIEBENER_ANSATZ')).toBe(1_234_567_800 - 25_000_000);
    expect(of('361010', 'OBLIGO')).toBe(12_000_000);
    expect(of('363010', 'HOCHRECHNUNG')).toBe(1_324_010_000);
    expect(values.find((v) => v.product_code === '361010')?.prevention).toBe('PRAEVENTIV');
    const [report] = await warehouse.query<{ product_name: string; quarter: number; deviation_percent: number; comment: string }>('SELECT product_name, quarter, deviation_percent, comment FROM lagebild.v_budget_deviation');
    expect(report).toEqual({ product_name: 'Hilfen zur Erziehung', quarter: 2, deviation_percent: 9.5, comment: 'Sechs zusätzliche stationäre Unterbringungen nach § 34 SGB VIII seit März.' });
  });

  it('projects a batch larger than one insert block in blocks, the same blocks when it comes again, and gives up between blocks when stopped', async () => {
    // One log batch of 13 deliveries' records of 5,000 observations each: more rows than one block.
    const database = 'blocks';
    await applySchema(warehouse, database);
    const template = events.find((e) => e.type === 'ObservationsRecorded') as Extract<IntegrationEvent, { type: 'ObservationsRecorded' }>;
    const batch = Array.from({ length: 13 }, (_, r) => {
      const observations = Array.from({ length: 5_000 }, (_, i) => ({ ...template.data.observations[0]!, areaCode: `PR${r}-${i}` }));
      const event = { ...template, envelope: { ...template.envelope, id: `00000000-0000-4000-8000-${String(r).padStart(12, '0')}` }, data: { ...template.data, observations } } as IntegrationEvent;
      return { value: codec.encode(event), topic: 'lagebild.ingestion', partition: 0, offset: 100 + r };
    });
    const total = 13 * 5_000;
    expect(total).toBeGreaterThan(INSERT_BLOCK_ROWS);
    const rawRows = async () => (await warehouse.query<{ n: number }>(`SELECT count() AS n FROM ${database}.fact_observation`))[0]!.n;

    // Stopped after the first block: the error says so, and the batch is left to come again.
    const stop = new AbortController();
    const stopping: Warehouse = new Proxy(warehouse, {
      get(target, key, receiver) {
        if (key !== 'insert') return Reflect.get(target, key, receiver) as unknown;
        return async (...args: Parameters<Warehouse['insert']>) => {
          await target.insert(...args);
          stop.abort();
        };
      },
    });
    await expect(project({ warehouse: stopping, codec, database, signal: stop.signal }, batch)).rejects.toBeInstanceOf(ProjectionAbortedError);
    expect(await rawRows()).toBe(INSERT_BLOCK_ROWS);

    // Delivered again whole: the first block is the same block (dropped by its token), the rest goes in.
    expect(await project({ warehouse, codec, database }, batch)).toBe(total);
    expect(await rawRows()).toBe(total);
    expect(await project({ warehouse, codec, database }, batch)).toBe(total);
    expect(await rawRows()).toBe(total);
    const [distinct] = await warehouse.query<{ n: number }>(`SELECT uniqExact(area_code) AS n FROM ${database}.fact_observation`);
    expect(distinct!.n).toBe(total);
  });

  it('ships the DDL of both variants as generated from the schema', async () => {
    for (const variant of ['single', 'cluster'] as const) {
      const file = await readFile(path.resolve(__dirname, `../../../infra/clickhouse/${variant}/schema.sql`), 'utf8');
      expect(file).toBe(schemaFile(variant));
    }
    expect(schemaFile('cluster')).toContain("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lagebild/fact_indicator_value', '{replica}', _ver)");
  });
});
