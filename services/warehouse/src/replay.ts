/**
 * Replay: rebuild every table from offset 0 into a fresh database and switch over when caught up,
 * without stopping reads (`lagebild replay`, and automatically at start when tables of an earlier
 * schema are found, see projection.ts).
 *
 * 1. A new consumer group reads every topic from the beginning into `lagebild_replay`, created
 *    from the same schema, while the live projector keeps filling `lagebild`.
 * 2. When the group has caught up, each table is swapped with `EXCHANGE TABLES` (atomic per
 *    table): the serving views, which name `lagebild.<table>`, read the rebuilt data from then on,
 *    and are created again (a view of a changed schema can only be created once its tables are).
 * 3. The replay group goes on into `lagebild` until it has caught up again, so events that arrived
 *    during the swap (and that the live projector wrote into the tables now swapped out) are in
 *    the new tables too; projecting an event twice changes nothing (replacing merge).
 * 4. The swapped-out tables are dropped.
 *
 * One rebuild at a time per warehouse: a second call while one runs waits for it and returns its
 * result (both would use the same replay database). A rebuild that is aborted, or whose process
 * dies, leaves the live tables as they were; the next one starts over.
 */
import { randomUUID } from 'node:crypto';
import type { IntegrationEventCodec } from '@lagebild/contracts';
import { type DocumentStore, type EventLog, type Logger, runConsumer, type Warehouse } from '@lagebild/platform';
import { project, projectionLag, TOPICS } from './projector';
import { applySchema, TABLES } from './schema';

export interface ReplayDeps {
  warehouse: Warehouse;
  eventLog: EventLog;
  documents: DocumentStore;
  codec: IntegrationEventCodec;
  logger?: Logger;
}

export interface ReplayOptions {
  pollMs?: number;
  timeoutMs?: number;
  onProgress?: (message: string) => void;
  /** The live database. @default 'lagebild' */
  database?: string;
  /** Ends the rebuild early (the service stops); the live tables stay as they were until the swap. */
  signal?: AbortSignal;
}

export interface ReplayResult {
  group: string;
  /** Rows written by the replay. */
  rows: number;
  tables: number;
  durationMs: number;
}

export const REPLAY_DATABASE = 'lagebild_replay';

/** Raised when a rebuild was aborted (the service stops); nothing was switched over. */
export class ReplayAbortedError extends Error {
  constructor() {
    super('Neuaufbau des Warehouse abgebrochen, weil der Dienst beendet wird; er beginnt beim nächsten Start von vorn.');
    this.name = 'ReplayAbortedError';
  }
}

async function caughtUp(log: EventLog, group: string, pollMs: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new ReplayAbortedError();
    if ((await projectionLag(log, group)) === 0) return;
    if (Date.now() > deadline) throw new Error(`Neuaufbau nicht fertig geworden: Consumer-Gruppe ${group} hängt nach ${Math.round(timeoutMs / 1000)} s noch zurück.`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

const running = new WeakMap<Warehouse, Promise<ReplayResult>>();

export function replayWarehouse(deps: ReplayDeps, options: ReplayOptions = {}): Promise<ReplayResult> {
  const current = running.get(deps.warehouse);
  if (current) return current;
  const run = rebuild(deps, options).finally(() => running.delete(deps.warehouse));
  running.set(deps.warehouse, run);
  return run;
}

async function rebuild(deps: ReplayDeps, options: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  const pollMs = options.pollMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 60 * 60 * 1000;
  const say = options.onProgress ?? (() => undefined);
  const live = options.database ?? 'lagebild';
  const replica = live === 'lagebild' ? REPLAY_DATABASE : `${live}_replay`;
  const group = `warehouse-replay-${randomUUID()}`;
  // Missing tables are created so every one can be swapped; tables of an earlier schema stay until the swap.
  await applySchema(deps.warehouse, live);
  await deps.warehouse.command(`DROP DATABASE IF EXISTS ${replica}`);
  await applySchema(deps.warehouse, replica);
  let database = replica;
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
    handle: async (records, { signal }) => {
      rows += await project({ warehouse: deps.warehouse, codec: deps.codec, database, signal }, records);
    },
  });
  let switched = false;
  try {
    try {
      await caughtUp(deps.eventLog, group, pollMs, timeoutMs, options.signal);
      say(`Aufgeholt (${rows.toLocaleString('de-DE')} Zeilen); Tabellen werden umgeschaltet …`);
      for (const table of TABLES) await deps.warehouse.command(`EXCHANGE TABLES ${live}.${table.name} AND ${replica}.${table.name}`);
      switched = true;
      database = live;
      // Views again: after a schema change they can only now be created over the new tables.
      await applySchema(deps.warehouse, live);
      // Switched over: stopping now loses nothing, the live projection catches up on its own.
      await caughtUp(deps.eventLog, group, pollMs, timeoutMs, options.signal).catch((error: unknown) => {
        if (!(error instanceof ReplayAbortedError)) throw error;
      });
    } finally {
      await subscription.stop();
    }
  } catch (error) {
    // Not switched over: the copy goes; the live tables still answer, and the next rebuild starts over.
    if (!switched) await deps.warehouse.command(`DROP DATABASE IF EXISTS ${replica}`).catch(() => undefined);
    throw error;
  }
  await deps.warehouse.command(`DROP DATABASE IF EXISTS ${replica}`);
  const durationMs = Math.round(performance.now() - started);
  say(`Fertig: ${TABLES.length} Tabellen neu aufgebaut in ${(durationMs / 1000).toLocaleString('de-DE', { maximumFractionDigits: 1 })} s.`);
  return { group, rows, tables: TABLES.length, durationMs };
}
