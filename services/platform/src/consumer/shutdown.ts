import { silentLogger, type Logger } from './logger';

export interface ShutdownOptions {
  /** Default SIGTERM (orchestrators, `kill`) and SIGINT (Ctrl+C). */
  signals?: readonly NodeJS.Signals[];
  /** End the process once shutdown finished (exit code 0, or 1 if it failed). Default true. */
  exit?: boolean;
  /** End the process anyway when shutdown takes longer than this. Default 30 000 ms. */
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * Graceful shutdown on SIGTERM / SIGINT: the first signal runs `shutdown` (stop subscriptions
 * and relays, which finish their batch and commit, then close adapters); a second signal, or
 * the timeout, ends the process at once. Returns a function that removes the handlers.
 *
 * Lives next to the consumer runner because stopping consumers is what it is for; the service
 * runtime uses the same helper for its HTTP server.
 */
export function onShutdownSignals(shutdown: (signal: NodeJS.Signals) => Promise<void> | void, options: ShutdownOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? true;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const logger = options.logger ?? silentLogger;
  let shuttingDown = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'Zweites Signal: Prozess wird sofort beendet');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'Signal empfangen: laufende Arbeit wird abgeschlossen, dann wird beendet');
    const timer = setTimeout(() => {
      logger.error({ signal, timeoutMs }, 'Beenden dauert zu lange: Prozess wird sofort beendet');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    Promise.resolve()
      .then(() => shutdown(signal))
      .then(
        () => {
          clearTimeout(timer);
          logger.info({ signal }, 'Sauber beendet');
          if (exit) process.exit(0);
          dispose();
        },
        (error: unknown) => {
          clearTimeout(timer);
          logger.error({ err: error, signal }, 'Fehler beim Beenden');
          if (exit) process.exit(1);
          dispose();
        },
      );
  };

  function dispose(): void {
    for (const signal of signals) process.off(signal, onSignal);
  }

  for (const signal of signals) process.on(signal, onSignal);
  return dispose;
}
