/**
 * Runs a fixture script in a child process against the built runtime (dist/), collecting the
 * JSON lines it reports on stdout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const DIST_ENTRY = path.join(__dirname, '..', '..', 'dist', 'runtime', 'index.js');

/** Call in beforeAll: the fixtures require the compiled runtime. */
export function assertRuntimeBuilt(): void {
  if (!existsSync(DIST_ENTRY)) {
    throw new Error(
      `The runtime is not built (${path.relative(process.cwd(), DIST_ENTRY)} is missing). ` +
        'Build it first: cd services/platform && npx tsc -p tsconfig.build.json',
    );
  }
}

export interface ChildEvent {
  event?: string;
  [key: string]: unknown;
}

export interface Child {
  process: ChildProcess;
  events: ChildEvent[];
  /** Resolves with the first reported line matching `predicate`. */
  waitFor(predicate: (event: ChildEvent) => boolean, timeoutMs?: number): Promise<ChildEvent>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function runFixture(name: string, env: Record<string, string>): Child {
  // A clean environment: the parent's LAGEBILD_* variables must not leak into the child's config.
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', name)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: ChildEvent[] = [];
  const waiters: Array<{ predicate: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void }> = [];
  let stdoutBuffer = '';
  let stderrText = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdoutBuffer += chunk;
    let newline: number;
    while ((newline = stdoutBuffer.indexOf('\n')) >= 0) {
      const line = stdoutBuffer.slice(0, newline);
      stdoutBuffer = stdoutBuffer.slice(newline + 1);
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as ChildEvent;
      events.push(event);
      for (const waiter of waiters.filter((w) => w.predicate(event))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderrText += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    process: child,
    events,
    exited,
    stderr: () => stderrText,
    waitFor(predicate, timeoutMs = 10_000) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`child did not report the expected event in ${timeoutMs} ms; stderr:\n${stderrText}`)),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    },
  };
}
