/**
 * A read-only look into a data directory beside the running `lagebild start`: the LMDB event
 * store, event log and documents are shared across processes of one machine (that is how
 * `lagebild import` works next to a running server), so this process can see what the server
 * committed, also right after the server was killed. It never writes, and it never opens the
 * warehouse (chDB binds its directory to one process; warehouse checks go through HTTP).
 *
 * "Settled" is the same notion `lagebild start` uses after loading the demo: every event in the
 * store relayed to the log, every consumer group (indicators, goals, budget, warehouse) at the
 * end of its topics, in two consecutive looks with the same store position.
 */
import { loadPlatformConfig, OUTBOX_CHECKPOINTS, openPlatform, silentLogger, type Platform, type StoredEvent } from '@lagebild/platform';
import { sleep } from './lagebild';
import type { ConsumerInfo } from './services';

/** The relay of `lagebild start` keeps its checkpoint under this name (services/cli start.ts). */
const RELAY_NAME = 'lagebild';

export interface PipelineState {
  position: number;
  unpublished: number;
  lag: Record<string, number>;
}

export const pendingOf = (s: PipelineState) => s.unpublished + Object.values(s.lag).reduce((a, b) => a + b, 0);

export interface Probe {
  position(): Promise<number>;
  pipeline(): Promise<PipelineState>;
  /** Resolves when settled; throws with the last state after `timeoutMs`. */
  settled(timeoutMs?: number): Promise<PipelineState>;
  /** Events after a position, in store order. */
  eventsSince(position: number): Promise<StoredEvent[]>;
  /** Events appended after `position` that change data: audit records (one per request) are not counted. */
  changesSince(position: number): Promise<number>;
  /** Events per type over the whole store. */
  typeCounts(): Promise<Record<string, number>>;
  /** Records per topic on the log (end offsets). */
  logEnds(topics: readonly string[]): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function openProbe(dataDir: string, consumers: readonly ConsumerInfo[]): Promise<Probe> {
  const config = loadPlatformConfig({ LAGEBILD_DATA_DIR: dataDir });
  const platform: Platform = await openPlatform({ config, logger: silentLogger(), warehouse: false, name: 'reliability-probe' });
  const { eventStore, eventLog, documents } = platform;

  async function pipeline(): Promise<PipelineState> {
    const position = await eventStore.lastPosition();
    const checkpoint = (await documents.get<{ position: number }>(OUTBOX_CHECKPOINTS, RELAY_NAME))?.position ?? 0;
    const lag: Record<string, number> = {};
    for (const { group, topics } of consumers) {
      let behind = 0;
      for (const topic of topics) {
        const [ends, committed] = await Promise.all([eventLog.endOffsets(topic), eventLog.committedOffsets(group, topic)]);
        for (const [partition, end] of ends) behind += Math.max(0, end - (committed.get(partition) ?? 0));
      }
      lag[group] = behind;
    }
    return { position, unpublished: Math.max(0, position - checkpoint), lag };
  }

  async function eventsSince(position: number): Promise<StoredEvent[]> {
    const all: StoredEvent[] = [];
    let after = position;
    for (;;) {
      const batch = await eventStore.readAll({ after, maxCount: 2000 });
      if (batch.length === 0) return all;
      all.push(...batch);
      after = batch[batch.length - 1]!.position;
    }
  }

  return {
    position: () => eventStore.lastPosition(),
    pipeline,
    async settled(timeoutMs = 180_000) {
      const until = Date.now() + timeoutMs;
      let previous: PipelineState | undefined;
      for (;;) {
        const state = await pipeline();
        if (pendingOf(state) === 0 && previous && pendingOf(previous) === 0 && previous.position === state.position) return state;
        if (Date.now() > until) throw new Error(`Verarbeitung nach ${timeoutMs / 1000} s nicht abgeschlossen: ${JSON.stringify(state)}`);
        previous = state;
        await sleep(300);
      }
    },
    eventsSince,
    async changesSince(position) {
      return (await eventsSince(position)).filter((e) => e.type !== 'AccessAudited').length;
    },
    async typeCounts() {
      const counts: Record<string, number> = {};
      let after = 0;
      for (;;) {
        const batch = await eventStore.readAll({ after, maxCount: 2000 });
        if (batch.length === 0) return counts;
        // Audit records (one per HTTP request) are not results: their number follows the requests made.
        for (const e of batch) if (e.type !== 'AccessAudited') counts[e.type] = (counts[e.type] ?? 0) + 1;
        after = batch[batch.length - 1]!.position;
      }
    },
    async logEnds(topics) {
      const ends: Record<string, number> = {};
      for (const topic of topics) ends[topic] = [...(await eventLog.endOffsets(topic)).values()].reduce((a, b) => a + b, 0);
      return ends;
    },
    close: () => platform.close(),
  };
}
