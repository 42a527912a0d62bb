#!/usr/bin/env node
/**
 * The `lagebild` command: finds the subcommand by its words and runs it.
 */
import { ConfigError } from '@lagebild/platform';
import { COMMANDS } from './commands';
import { UsageError, type Command } from './commands/types';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length));
  return [
    'Aufruf: lagebild <Kommando> [Optionen]',
    '',
    'Kommandos:',
    ...COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  zeigt diese Hilfe, "lagebild help <Kommando>" die eines Kommandos`,
  ].join('\n');
}

function find(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  // Longest matching path first, so `areas import` wins over a hypothetical `areas`.
  const sorted = [...COMMANDS].sort((a, b) => b.path.length - a.path.length);
  for (const command of sorted) {
    if (command.path.every((word, i) => argv[i] === word)) return { command, rest: argv.slice(command.path.length) };
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    const topic = argv[0] === 'help' ? find(argv.slice(1)) : undefined;
    console.log(topic ? topic.command.usage : help());
    return 0;
  }
  const found = find(argv);
  if (!found) {
    console.error(`Unbekanntes Kommando "${argv.join(' ')}".\n\n${help()}`);
    return 2;
  }
  try {
    return await found.command.run(found.rest);
  } catch (error) {
    const parseArgsError = error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
    if (error instanceof UsageError || parseArgsError) {
      console.error(`${(error as Error).message}\n\n${found.command.usage}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error('Fehler:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
