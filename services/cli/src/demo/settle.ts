/**
 * Waits until everything appended to the event store has flowed through the platform: the outbox
 * relay has published it, and every consumer group (indicators, goals, budget, warehouse) has
 * handled every record on its topics. Used by `lagebild start` after loading the demo, so the FIS
 * URL is printed when the FIS shows the demo, not while indicators are still being computed.
 *
 * "Settled" means nothing pending in two consecutive looks with the same store position: a
 * consumer that has just committed may append new events (indicator values computed from a
 * delivery), which the second look sees.
 */
import type { EventLog, EventStore } from '@lagebild/platform';

export interface PipelineConsumers {
  group: string;
  topics: readonly string[];
}

export interface SettleOptions {
  /** Called when the number of pending records changed, at most every `progressEveryMs`. */
  onProgress?: (pending: number) => void;
  /** @default 250 */
  pollMs?: number;
  /** @default 2000 */
  progressEveryMs?: number;
  /** Give up after this long (the caller says what to do then). @default 600000 */
  timeoutMs?: number;
}

export interface PipelineState {
  /** Highest position in the event store. */
  position: number;
  /** Events committed in the store that the relay has not published yet. */
  unpublished: number;
  /** Records on the log not yet handled, per consumer group. */
  lag: Record<string, number>;
}

export async function pipelineState(ports: { eventStore: EventStore; eventLog: EventLog }, relayCheckpoint: () => Promise<number>, consumers: readonly PipelineConsumers[]): Promise<PipelineState> {
  const position = await ports.eventStore.lastPosition();
  const unpublished = Math.max(0, position - (await relayCheckpoint()));
  const lag: Record<string, number> = {};
  for (const { group, topics } of consumers) {
    let behind = 0;
    for (const topic of topics) {
      const [ends, committed] = await Promise.all([ports.eventLog.endOffsets(topic), ports.eventLog.committedOffsets(group, topic)]);
      for (const [partition, end] of ends) behind += Math.max(0, end - (committed.get(partition) ?? 0));
    }
    lag[group] = behind;
  }
  return { position, unpublished, lag };
}

export function pending(state: PipelineState): number {
  return state.unpublished + Object.values(state.lag).reduce((a, b) => a + b, 0);
}

/** Resolves true when settled, false when `timeoutMs` passed first. */
export async function waitUntilSettled(
  ports: { eventStore: EventStore; eventLog: EventLog },
  relayCheckpoint: () => Promise<number>,
  consumers: readonly PipelineConsumers[],
  options: SettleOptions = {},
): Promise<boolean> {
  const pollMs = options.pollMs ?? 250;
  const progressEveryMs = options.progressEveryMs ?? 2000;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let previous: PipelineState | undefined;
  let reported = -1;
  let reportedAt = 0;
  for (;;) {
    const state = await pipelineState(ports, relayCheckpoint, consumers);
    const open = pending(state);
    if (open === 0 && previous && pending(previous) === 0 && previous.position === state.position) return true;
    if (open > 0 && open !== reported && Date.now() - reportedAt >= progressEveryMs) {
      options.onProgress?.(open);
      reported = open;
      reportedAt = Date.now();
    }
    if (Date.now() > deadline) return false;
    previous = state;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
