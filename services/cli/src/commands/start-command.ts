import type { Command } from './types';
import { start } from './start';

export const startCommand: Command = {
  path: ['start'],
  summary: 'startet alle Dienste in einem Prozess (eingebettet: LMDB + chDB unter LAGEBILD_DATA_DIR)',
  usage: 'lagebild start\n\nKonfiguration über Umgebungsvariablen, siehe README.md (LAGEBILD_DATA_DIR, LAGEBILD_PORT, ...).',
  async run() {
    const { host, services } = await start();
    console.log(`\nLagebild läuft: ${host.url}`);
    console.log(`  Bereitschaft:  ${host.url}/ready`);
    for (const s of services) console.log(`  ${s.name.padEnd(12)}  ${host.url}/api/${s.name}/health`);
    console.log('Beenden mit Strg+C.\n');
    return -1;
  },
};
