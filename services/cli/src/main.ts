#!/usr/bin/env node
/**
 * The `lagebild` command. Output for people is German; errors name what to change.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '@lagebild/platform';
import { start } from './commands/start';

const USAGE = `Aufruf: lagebild <Kommando>

Kommandos:
  start     startet alle Dienste in einem Prozess (eingebettet: LMDB + chDB unter LAGEBILD_DATA_DIR)
  help      zeigt diese Hilfe

Konfiguration über Umgebungsvariablen, siehe README.md (LAGEBILD_DATA_DIR, LAGEBILD_PORT, ...).`;

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} });
  const [command] = positionals;
  switch (command) {
    case 'start': {
      const { host, services } = await start();
      console.log(`\nLagebild läuft: ${host.url}`);
      console.log(`  Bereitschaft:  ${host.url}/ready`);
      for (const s of services) console.log(`  ${s.name.padEnd(12)}  ${host.url}/api/${s.name}/health`);
      console.log('Beenden mit Strg+C.\n');
      return -1; // keep running until a signal
    }
    case undefined:
    case 'help':
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unbekanntes Kommando "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof Error && error.name === 'TypeError' && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) console.error(`${error.message}\n\n${USAGE}`);
    else console.error('Lagebild konnte nicht starten:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
