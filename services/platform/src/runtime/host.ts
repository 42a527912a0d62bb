/**
 * One HTTP server for one or more services' routers, with graceful shutdown: on SIGTERM or
 * SIGINT it stops accepting connections (and `/ready` turns 503), lets in-flight requests
 * finish, runs the shutdown hooks (close consumers, stores, flush spans), then exits 0. A second
 * signal exits at once; in-flight requests still open after `shutdownTimeoutMs` are cut.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { type AppOptions, createApp } from './http';

export interface HostOptions extends Omit<AppOptions, 'service' | 'isShuttingDown'> {
  /** Host (or service) name, in logs and `/health`. */
  name: string;
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  /** Run in order after the server stopped; errors are logged and make the exit code 1. */
  onShutdown?: () => Promise<void>;
  /** Install SIGTERM / SIGINT handlers that shut down and exit the process. @default true */
  handleSignals?: boolean;
  /** How long in-flight requests may take to finish before connections are cut. @default 10000 */
  shutdownTimeoutMs?: number;
}

export interface Host {
  /** `http://host:port` the server listens on. */
  readonly url: string;
  readonly port: number;
  readonly app: Express;
  readonly server: Server;
  /** Graceful shutdown without exiting the process; idempotent. */
  close(): Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export async function startHost(options: HostOptions): Promise<Host> {
  const { logger } = options;
  let shuttingDown = false;
  const app = createApp({ ...options, service: options.name, isShuttingDown: () => shuttingDown });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  // Requests Node refuses before express sees them (header or URL too large, malformed request
  // line) get a problem+json answer in German instead of a bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: `urn:lagebild:problem:${tooLarge ? 'request-header-too-large' : 'bad-request'}`,
      title: tooLarge ? 'Anfrage zu groß' : 'Ungültige Anfrage',
      status,
      detail: tooLarge ? 'Adresse oder Kopfzeilen der Anfrage sind zu lang (höchstens 16 KB); Filter bitte im Anfragekörper oder in mehreren Anfragen senden.' : 'Die Anfrage ist kein gültiges HTTP.',
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;
  logger.info({ url, mounts: (options.mounts ?? []).map((m) => m.path) }, 'listening');

  let closing: Promise<boolean> | undefined;

  /** Resolves true when every hook succeeded. */
  function shutdown(): Promise<boolean> {
    closing ??= (async () => {
      shuttingDown = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections would hold `close` open until they time out; close them as soon
      // as they are idle (between requests), while requests in flight run to their end.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const cut = setTimeout(() => {
        logger.warn({ timeoutMs: options.shutdownTimeoutMs ?? 10_000 }, 'in-flight requests did not finish in time; closing connections');
        server.closeAllConnections();
      }, options.shutdownTimeoutMs ?? 10_000);
      try {
        await stopped;
      } finally {
        clearInterval(idle);
        clearTimeout(cut);
      }
      logger.info('server stopped');
      let ok = true;
      if (options.onShutdown) {
        try {
          await options.onShutdown();
        } catch (error) {
          ok = false;
          logger.error({ err: error }, 'shutdown hook failed');
        }
      }
      return ok;
    })();
    return closing;
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting immediately');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    void shutdown().then(
      (ok) => process.exit(ok ? 0 : 1),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  /**
   * An error nothing caught (a storage engine failing underneath, e.g. a full disk) ends the
   * process, as Node would, but with one German line for the operator instead of a bare stack
   * trace; the stack goes to the structured log. Committed data stays intact: the next start
   * continues from the stores.
   */
  const onFatal = (error: unknown) => {
    const e = error as (NodeJS.ErrnoException & { commitError?: NodeJS.ErrnoException }) | undefined;
    // lmdb rejects a failed transaction with "Commit failed" and the cause in commitError.
    const cause = e?.commitError ?? e;
    const code = cause?.code ?? (typeof cause?.message === 'string' && /Input\/output error|No space left/i.test(cause.message) ? 'EIO' : undefined);
    const storage = code === 'ENOSPC' || code === 'EIO' || e?.commitError !== undefined;
    const hint = storage ? ' Ist der Datenträger voll oder nicht mehr erreichbar? Platz schaffen und neu starten; gespeicherte Daten bleiben erhalten.' : ' Bitte das Protokoll prüfen und neu starten; gespeicherte Daten bleiben erhalten.';
    logger.fatal({ err: error }, 'uncaught error: exiting');
    const message = e?.commitError ? `Schreiben in den Datenspeicher fehlgeschlagen (${cause?.message ?? 'unbekannt'})` : (e?.message ?? String(error));
    process.stderr.write(`Schwerer Fehler, ${options.name} wird beendet: ${message}.${hint}\n`);
    process.exit(1);
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on('uncaughtException', onFatal);
    process.on('unhandledRejection', onFatal);
  }

  return {
    url,
    port: address.port,
    app,
    server,
    async close() {
      if (handleSignals) {
        for (const signal of SIGNALS) process.off(signal, onSignal);
        process.off('uncaughtException', onFatal);
        process.off('unhandledRejection', onFatal);
      }
      await shutdown();
    },
  };
}
