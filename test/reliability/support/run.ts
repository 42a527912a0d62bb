/**
 * Delivering a plan to a server that may die at any moment, and continuing it after a restart.
 *
 * The plan's progress is what the client knows: a file counts as delivered once the server
 * acknowledged it (202, or 200 for a duplicate) with a delivery id. After a crash the run goes on
 * with the files not acknowledged (an upload cut off by the kill is simply sent again, as a user
 * would) and waits for the acknowledged ones to be decided: an acknowledged delivery that is
 * never decided after a restart is a lost delivery, and the wait fails naming it.
 */
import { BERLIN_PROFILE, type DeliveryPlan } from './data';
import { deliver, waitDecided, type DeliveryView, type Tokens } from './http';
import type { Server } from './lagebild';

export class PlanProgress {
  /** File -> delivery id, for every file the server acknowledged. */
  readonly acknowledged = new Map<string, string>();
  /** Index of the first step not yet completely decided. */
  step = 0;
  readonly views = new Map<string, DeliveryView>();

  constructor(readonly plan: DeliveryPlan) {}

  get done(): boolean {
    return this.step >= this.plan.length;
  }

  deliveryIds(): string[] {
    return [...this.acknowledged.values()];
  }
}

/** Thrown when the server refused a file of the plan: a broken test setup, not a crash to survive. */
export class PlanRefusedError extends Error {}

/**
 * Continues the plan against `server` until it is complete (or up to step `untilStep`, exclusive). Network errors propagate (the caller
 * checks whether the server was killed); a refusal of a plan file throws PlanRefusedError.
 */
export async function advance(progress: PlanProgress, server: Server, tokens: Tokens, options: { untilStep?: number } = {}): Promise<void> {
  const until = Math.min(progress.plan.length, options.untilStep ?? progress.plan.length);
  for (; progress.step < until; progress.step += 1) {
    const files = progress.plan[progress.step]!;
    for (const file of files) {
      if (progress.acknowledged.has(file)) continue;
      const sent = await deliver(server.url, tokens.berlinDelivery, { profile: BERLIN_PROFILE, file });
      if ((sent.status !== 202 && sent.status !== 200) || !sent.deliveryId) throw new PlanRefusedError(`${file}: HTTP ${sent.status} ${sent.answer.text}`);
      progress.acknowledged.set(file, sent.deliveryId);
    }
    const ids = files.map((f) => progress.acknowledged.get(f)!);
    const views = await waitDecided(server.url, tokens.berlinDelivery, ids);
    views.forEach((v, i) => progress.views.set(files[i]!, v));
    const rejected = views.filter((v) => v.status !== 'angenommen');
    if (rejected.length > 0) throw new PlanRefusedError(`abgelehnt: ${rejected.map((v) => v.deliveryId).join(', ')}`);
  }
}

/** Whether an error is the client's side of a killed server (connection refused or reset, aborted). */
export function isConnectionError(error: unknown): boolean {
  // Duck-typed: fetch's errors come from Node's realm, not the test's (instanceof Error fails under jest).
  if (typeof error !== 'object' || error === null) return false;
  const { message, name, cause } = error as { message?: string; name?: string; cause?: { code?: string } };
  return message === 'fetch failed' || name === 'AbortError' || name === 'TimeoutError' || ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(cause?.code ?? '');
}
