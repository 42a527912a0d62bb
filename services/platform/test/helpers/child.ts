/** Runs a fixture in a child `node` process and follows its stdout line by line. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningChild {
  process: ChildProcess;
  lines: string[];
  stderr(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once a line satisfying `predicate` arrived (also one that arrived before). */
  waitForLine(predicate: (line: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
}

export function runFixture(script: string, args: readonly string[], onLine?: (line: string) => void): RunningChild {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let errors = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      onLine?.(line);
      newline = buffered.indexOf('\n');
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (errors += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  return {
    process: child,
    lines,
    stderr: () => errors,
    exited,
    waitForLine(predicate, what, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(predicate);
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (hasExited) {
            finish();
            reject(new Error(`Kindprozess endete ohne ${what}. stderr:\n${errors}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`Zeitüberschreitung beim Warten auf ${what}. stderr:\n${errors}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
