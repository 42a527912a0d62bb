/**
 * A background loop for projectors that read the event store from a checkpoint: run `work`,
 * wait, run again, until stopped. A failing round is logged and retried on the next tick;
 * `stop()` resolves once the round in progress has finished.
 */
import type { Logger } from './logger';

export interface PollLoop {
  start(pollIntervalMs?: number): void;
  stop(): Promise<void>;
}

export function pollLoop(work: () => Promise<unknown>, options: { logger?: Logger; failureMessage: string }): PollLoop {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let tick: Promise<unknown> = Promise.resolve();
  return {
    start(pollIntervalMs = 250) {
      if (running) return;
      running = true;
      const loop = async () => {
        try {
          await work();
        } catch (error) {
          options.logger?.error({ err: error }, options.failureMessage);
        }
        if (running) timer = setTimeout(() => (tick = loop()), pollIntervalMs);
      };
      tick = loop();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await tick;
    },
  };
}
