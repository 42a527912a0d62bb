/**
 * Replay: the live projection fills the warehouse from the log; `replayWarehouse` rebuilds every
 * table from offset 0 into fresh tables and switches over, while a reader keeps querying, and
 * the tables afterwards equal the ones before. Projection lag is zero once caught up.
 */
import { createCodec, exampleIntegrationEvents } from '@lagebild/contracts';
import { type ChdbWarehouse, type DocumentStore, type EventLog } from '@lagebild/platform';
import { createProjection, projectionLag } from '../src/projection';
import { replayWarehouse } from '../src/replay';
import { TABLES } from '../src/schema';
import { closeWarehouseStores, openWarehouseStores, type WarehouseStores } from './stores';

const codec = createCodec();
let stores: WarehouseStores | undefined;
let warehouse: ChdbWarehouse;
let log: EventLog;
let documents: DocumentStore;

beforeAll(async () => {
  stores = await openWarehouseStores('lagebild-replay-');
  ({ warehouse, log, documents } = stores);
});

afterAll(() => closeWarehouseStores(stores));

async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) out[t.name] = await warehouse.query(`SELECT * EXCEPT (_ver) FROM lagebild.${t.name} FINAL ORDER BY ALL`);
  return out;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('timed out');
}

describe('replay', () => {
  it('rebuilds every table from offset 0 and switches over without stopping reads', async () => {
    const events = exampleIntegrationEvents();
    for (const e of events) await log.publish(codec.topicOf(e.type), [{ key: e.envelope.stream, value: codec.encode(e) }]);
    const live = createProjection({ warehouse, eventLog: log, documents, codec });
    await live.start();
    await waitFor(async () => (await live.lag()) === 0);
    expect(await projectionLag(log)).toBe(0);
    const before = await snapshot();
    expect(before.fact_indicator_value!.length).toBeGreaterThan(0);

    // A reader on the FIS views during the whole replay: it must never fail or see an empty goal list.
    let reading = true;
    const seen: number[] = [];
    const reader = (async () => {
      while (reading) {
        const [row] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM lagebild.v_goal');
        seen.push(row!.n);
      }
    })();
    const progress: string[] = [];
    const result = await replayWarehouse({ warehouse, eventLog: log, documents, codec }, { onProgress: (m) => progress.push(m) });
    reading = false;
    await reader;
    await live.stop();

    expect(result.rows).toBeGreaterThan(0);
    expect(progress.at(-1)).toContain('Tabellen neu aufgebaut');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((n) => n === seen[0] && n > 0)).toBe(true);
    expect(await snapshot()).toEqual(before);
    const databases = await warehouse.query<{ name: string }>("SELECT name FROM system.databases WHERE name LIKE 'lagebild%' ORDER BY name");
    expect(databases).toEqual([{ name: 'lagebild' }]);
  }, 60_000);
});
