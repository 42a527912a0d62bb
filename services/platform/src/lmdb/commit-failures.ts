/**
 * When a commit fails on lmdb-js's write thread (a full disk: the native write reports EIO or
 * ENOSPC), lmdb-js prints the error itself before it rejects the waiting writes: a bare
 * `console.error(error)` in the callback of its write thread (lmdb 3.5, write.js `startWriting`),
 * unconditionally, with no option to turn it off, and before any promise of ours learns of the
 * failure (so catching the commit error earlier cannot prevent it). The print is the error's
 * stack, whose only frame is that callback inside lmdb; the operator of `lagebild start` sees a
 * raw stack trace and no hint.
 *
 * That one print is replaced by a German line with the same message and code and a hint what to
 * do. Nothing else is touched: every other `console.error` call goes out unchanged, also lmdb's
 * other prints (a text first, or an error without an LMDB or system error code). Nothing is
 * hidden either: message and code are kept, and the dropped stack names no frame but lmdb's own
 * callback. What follows is unchanged: lmdb rejects the writes of the failed commit, and under
 * `lagebild start` the host's handler for uncaught errors ends the server with its German line;
 * committed data stay intact (LMDB never overwrites committed pages).
 */
import path from 'node:path';
import { isNativeError } from 'node:util/types';

/** The lmdb package's directory: a frame in a file under it is lmdb's own code. */
const LMDB_DIR = path.dirname(path.dirname(require.resolve('lmdb')));

/** The files of an error's stack frames. */
function frameFiles(stack: string | undefined): string[] {
  const files: string[] = [];
  for (const line of stack?.split('\n') ?? []) {
    if (!/^\s+at /.test(line)) continue;
    const match = /\((.*):\d+:\d+\)\s*$/.exec(line) ?? /at (.*):\d+:\d+\s*$/.exec(line);
    files.push(match?.[1] ?? line);
  }
  return files;
}

function hintFor(code: number): string {
  switch (code) {
    case 5: // EIO: what LMDB reports when the disk is full (ENOSPC on the write) or gone
    case 28: // ENOSPC
    case 122: // EDQUOT
      return 'Ist der Datenträger des Datenverzeichnisses voll oder nicht mehr erreichbar? Platz schaffen und neu starten.';
    case 1: // EPERM
    case 13: // EACCES
    case 30: // EROFS
      return 'Ist das Datenverzeichnis schreibgeschützt? Schreibrechte herstellen und neu starten.';
    default:
      return 'Bitte das Protokoll prüfen und neu starten.';
  }
}

/**
 * The German line for lmdb-js's own print of a failed commit, or undefined when the
 * `console.error` arguments are anything else: exactly one Error with a numeric code (LMDB
 * and system errors carry one) made where only lmdb's code is on the stack, which is the case
 * in the callback its native write thread calls (an error printed by our code, or thrown by
 * lmdb in a call of ours, has our frames on its stack).
 */
export function commitFailureReport(args: readonly unknown[]): string | undefined {
  // isNativeError, not instanceof: the error may come from another realm (lmdb's native code makes it).
  if (args.length !== 1 || !isNativeError(args[0])) return undefined;
  const error = args[0] as Error & { code?: unknown };
  if (typeof error.code !== 'number') return undefined;
  const files = frameFiles(error.stack);
  if (files.length === 0 || !files.every((file) => file.startsWith(LMDB_DIR + path.sep))) return undefined;
  return (
    `Eingebettete Datenbank (LMDB): Speichern fehlgeschlagen: ${error.message} (Code ${error.code}). ${hintFor(error.code)} ` +
    'Bereits gespeicherte Daten bleiben erhalten; die Änderungen dieses Schreibvorgangs sind nicht gespeichert.'
  );
}

/** Marks the replacement, so it is put in place once, and again only over a console.error replaced since. */
const REPLACEMENT = Symbol.for('lagebild.lmdb.commitFailureReport');

/** Replaces lmdb-js's own print of a failed commit (see above) by its German line. */
export function reportCommitFailuresInGerman(): void {
  const original = console.error as typeof console.error & { [REPLACEMENT]?: true };
  if (original[REPLACEMENT]) return;
  const replacement = function error(this: unknown, ...args: unknown[]): void {
    const report = commitFailureReport(args);
    if (report === undefined) original.apply(this, args);
    else original.call(this, report);
  };
  console.error = Object.assign(replacement, { [REPLACEMENT]: true as const });
}
