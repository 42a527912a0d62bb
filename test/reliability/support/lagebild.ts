/**
 * The `lagebild` command as a user runs it: the built CLI (services/cli/dist/main.js) in its own
 * process, so that the suite can kill it with SIGKILL at any moment, restart it on the same data
 * directory, and see exactly what a user sees (exit code, German output). `npm test` builds every
 * package first; run `npm run build` before `npx jest reliability` on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '../../../services/cli/dist/main.js');

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error('services/cli ist nicht gebaut: `npm run build` ausführen (npm test baut vorher).');
}

const running = new Set<ChildProcess>();

/** Kills every process this module started that is still running (afterAll: a failed test must not leave servers behind). */
export function killAll(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}

/** A free TCP port on 127.0.0.1 (the host must listen on a known port for `lagebild replay` and `query` to find it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('kein Port'))));
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr as far as written. */
  output(): string;
  exited: Promise<Exit>;
}

export interface CliOptions {
  dataDir: string;
  /** LAGEBILD_PORT; 0 when not given (commands then work on the data directory itself). */
  port?: number;
  /** Further environment (e.g. NODE_OPTIONS for the clock shift). */
  env?: Record<string, string>;
}

export function spawnCli(args: readonly string[], options: CliOptions): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      LAGEBILD_DATA_DIR: options.dataDir,
      LAGEBILD_PORT: String(options.port ?? 0),
      LAGEBILD_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output: () => out, exited };
}

/** Runs a command to its end; throws when it takes longer than `timeoutMs`. */
export async function runCli(args: readonly string[], options: CliOptions & { timeoutMs?: number }): Promise<{ code: number | null; output: string }> {
  const cli = spawnCli(args, options);
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.child.kill('SIGKILL');
      reject(new Error(`lagebild ${args.join(' ')} nach ${timeoutMs / 1000} s nicht fertig:\n${cli.output()}`));
    }, timeoutMs);
  });
  try {
    const { code } = await Promise.race([cli.exited, timeout]);
    return { code, output: cli.output() };
  } finally {
    clearTimeout(timer);
  }
}

export interface Server extends CliProcess {
  url: string;
  port: number;
  dataDir: string;
  /** SIGKILL, then wait until the process is gone. */
  kill(): Promise<Exit>;
  /** SIGTERM (graceful shutdown), then wait. */
  stop(): Promise<Exit>;
  alive(): boolean;
}

/**
 * `lagebild start --ohne-demo` (plus `args`) on `dataDir`, resolved once the banner with the URL
 * is printed; rejects with the output when the process exits first or takes too long.
 */
export async function startServer(options: CliOptions & { port: number; args?: readonly string[]; timeoutMs?: number }): Promise<Server> {
  const cli = spawnCli(['start', '--ohne-demo', ...(options.args ?? [])], options);
  const timeoutMs = options.timeoutMs ?? 90_000;
  const until = Date.now() + timeoutMs;
  let exit: Exit | undefined;
  void cli.exited.then((e) => (exit = e));
  for (;;) {
    const match = cli.output().match(/Lagebild läuft: (http:\/\/\S+)/);
    if (match) {
      const server: Server = {
        ...cli,
        url: match[1]!,
        port: options.port,
        dataDir: options.dataDir,
        alive: () => cli.child.exitCode === null && cli.child.signalCode === null,
        async kill() {
          if (server.alive()) cli.child.kill('SIGKILL');
          return cli.exited;
        },
        async stop() {
          if (server.alive()) cli.child.kill('SIGTERM');
          return cli.exited;
        },
      };
      return server;
    }
    if (exit) throw new Error(`lagebild start endete beim Start (Code ${exit.code}, Signal ${exit.signal}):\n${cli.output()}`);
    if (Date.now() > until) {
      cli.child.kill('SIGKILL');
      throw new Error(`lagebild start nach ${timeoutMs / 1000} s nicht bereit:\n${cli.output()}`);
    }
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
