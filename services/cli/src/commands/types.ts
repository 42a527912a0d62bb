/** A subcommand of `lagebild`. Output for people is German; errors name what to change. */
export interface Command {
  /** Words after `lagebild`, e.g. `['areas', 'import']`. */
  path: readonly string[];
  /** One line for the help. */
  summary: string;
  /** Detailed usage (German), shown by `lagebild help <command>` and on wrong arguments. */
  usage: string;
  /**
   * Runs with the arguments after the command path; resolves with the exit code, or -1 to keep
   * the process running (servers).
   */
  run(argv: string[]): Promise<number>;
}

/** Wrong arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
