/**
 * Replay: rebuild every table from offset 0 into a fresh database and switch over when caught up,
 * without stopping reads (`lagebild replay`).
 *
 * 1. A new consumer group reads every topic from the beginning into `lagebild_replay`, created
 *    from the same schema, while the live projector keeps filling `lagebild`.
 * 2. When the group has caught up, each table is swapped with `EXCHANGE TABLES` (atomic per
 *    table): the serving views, which name `lagebild.<table>`, read the rebuilt data from then on.
 * 3. The replay group goes on into `lagebild` until it has caught up again, so events that arrived
 *    during the swap (and that the live projector wrote into the tables now swapped out) are in
 *    the new tables too; projecting an event twice changes nothing (replacing merge).
 * 4. The swapped-out tables are dropped.
 */
import { randomUUID } from 'node:crypto';
import type { IntegrationEventCodec } from '@lagebild/contracts';
import { type DocumentStore, type EventLog, type Logger, runConsumer, type Warehouse } from '@lagebild/platform';
import { applySchema, projectionLag, TOPICS } from './projection';
import { project } from './projector';
import { TABLES } from './schema';

export interface ReplayDeps {
  warehouse: Warehouse;
  eventLog: EventLog;
  documents: DocumentStore;
  codec: IntegrationEventCodec;
  logger?: Logger;
}

export interface ReplayResult {
  group: string;
  /** Rows written by the replay. */
  rows: number;
  tables: number;
  durationMs: number;
}

export const REPLAY_DATABASE = 'lagebild_replay';

async function caughtUp(log: EventLog, group: string, pollMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await projectionLag(log, group)) === 0) return;
    if (Date.now() > deadline) throw new Error(`Neuaufbau nicht fertig geworden: Consumer-Gruppe ${group} hängt nach ${Math.round(timeoutMs / 1000)} s noch zurück.`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export async function replayWarehouse(deps: ReplayDeps, options: { pollMs?: number; timeoutMs?: number; onProgress?: (message: string) => void } = {}): Promise<ReplayResult> {
  const started = performance.now();
  const pollMs = options.pollMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 60 * 60 * 1000;
  const say = options.onProgress ?? (() => undefined);
  const group = `warehouse-replay-${randomUUID()}`;
  await applySchema(deps.warehouse);
  await deps.warehouse.command(`DROP DATABASE IF EXISTS ${REPLAY_DATABASE}`);
  await applySchema(deps.warehouse, REPLAY_DATABASE);
  let database = REPLAY_DATABASE;
  let rows = 0;
  say('Neuaufbau aller Tabellen ab dem ersten Ereignis …');
  const subscription = await runConsumer({
    log: deps.eventLog,
    group,
    topics: TOPICS,
    documents: deps.documents,
    idempotency: false,
    fromBeginning: true,
    logger: deps.logger?.child({ component: 'warehouse-replay' }),
    handle: async (records) => {
      rows += await project({ warehouse: deps.warehouse, codec: deps.codec, database }, records);
    },
  });
  try {
    await caughtUp(deps.eventLog, group, pollMs, timeoutMs);
    say(`Aufgeholt (${rows.toLocaleString('de-DE')} Zeilen); Tabellen werden umgeschaltet …`);
    for (const table of TABLES) await deps.warehouse.command(`EXCHANGE TABLES lagebild.${table.name} AND ${REPLAY_DATABASE}.${table.name}`);
    database = 'lagebild';
    await caughtUp(deps.eventLog, group, pollMs, timeoutMs);
  } finally {
    await subscription.stop();
  }
  await deps.warehouse.command(`DROP DATABASE IF EXISTS ${REPLAY_DATABASE}`);
  const durationMs = Math.round(performance.now() - started);
  say(`Fertig: ${TABLES.length} Tabellen neu aufgebaut in ${(durationMs / 1000).toLocaleString('de-DE', { maximumFractionDigits: 1 })} s.`);
  return { group, rows, tables: TABLES.length, durationMs };
}
