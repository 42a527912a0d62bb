import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createGemeindeverzeichnis } from '@lagebild/ingestion';
import type { EmbeddedAuth, Role } from '@lagebild/platform';
import { isDemoLoaded, loadDemo, waitUntilSettled } from '../demo';
import { start, type StartedPlatform } from './start';
import { UsageError, type Command } from './types';

const USAGE = `lagebild start [--ohne-demo]

Startet alle Dienste in einem Prozess. Ohne KAFKA_BROKERS / MONGODB_URL / CLICKHOUSE_URL läuft
alles eingebettet (LMDB und chDB unter LAGEBILD_DATA_DIR).

Beim ersten Start in einem leeren Datenverzeichnis wird die Demo geladen (Berlin, Flensburg,
Kreis Nordfriesland, Bamberg, Landkreis Göttingen, Münster; Quellen in services/cli/demo/README.md)
und die Adresse des FIS mit einem Zugang ausgegeben. Ein weiterer Start nutzt die Daten wieder.

Optionen:
  --ohne-demo   keine Demo laden (leere Plattform, z. B. für eigene Daten)

Konfiguration über Umgebungsvariablen, siehe README.md (LAGEBILD_DATA_DIR, LAGEBILD_PORT, ...).`;

/** The demo's tenants with the role whose view of the FIS shows each best. */
const DEMO_ACCESS: ReadonlyArray<{ tenant: string; name: string; role: Role; kreis?: boolean }> = [
  { tenant: '11000', name: 'Berlin', role: 'sozialplanung' },
  { tenant: '01001', name: 'Flensburg', role: 'sozialplanung' },
  { tenant: '01054', name: 'Kreis Nordfriesland', role: 'fuehrung', kreis: true },
  { tenant: '01054056', name: 'Husum (Gemeinde im Kreis Nordfriesland)', role: 'sozialplanung' },
  { tenant: '09461', name: 'Bamberg', role: 'fuehrung' },
  { tenant: '03159', name: 'Landkreis Göttingen', role: 'fuehrung', kreis: true },
  { tenant: '05515', name: 'Münster', role: 'controlling' },
];
const ACCESS_FILE = 'fis-demo-zugaenge.txt';
const TOKEN_LIFETIME = '12h';

export const startCommand: Command = {
  path: ['start'],
  summary: 'startet alle Dienste in einem Prozess und lädt beim ersten Start die Demo',
  usage: USAGE,
  async run(argv) {
    let withoutDemo = false;
    try {
      withoutDemo = parseArgs({ args: argv, strict: true, options: { 'ohne-demo': { type: 'boolean', default: false } } }).values['ohne-demo'];
    } catch (error) {
      throw new UsageError(`Fehler: ${(error as Error).message}`);
    }
    let loaded = false;
    const t0 = performance.now();
    const started = await start(process.env, {
      prepare: async ({ platform, dataDir }) => {
        if (withoutDemo) return;
        if (await isDemoLoaded(platform.documents)) {
          console.log('Demo: bereits geladen, die Daten werden weiter genutzt.');
          return;
        }
        console.log('Demo wird geladen (nur beim ersten Start):');
        await loadDemo({ eventStore: platform.eventStore, documents: platform.documents, dataDir }, { onProgress: (line) => console.log(`  ${line}`) });
        loaded = true;
      },
    });
    const { host, services } = started;
    console.log(`\nLagebild läuft: ${host.url}`);
    console.log(`  Bereitschaft:  ${host.url}/ready`);
    for (const s of services) console.log(`  ${s.name.padEnd(12)}  ${host.url}/api/${s.name}/health`);
    if (loaded) await settle(started, t0);
    if (!withoutDemo) await printFisAccess(started);
    console.log('Beenden mit Strg+C.\n');
    return -1;
  },
};

/** Waits until the demo has flowed through indicators, goals, budget and into the warehouse. */
async function settle(started: StartedPlatform, t0: number): Promise<void> {
  const consumers = started.services.flatMap((s) => s.consumers ?? []);
  console.log('Demo: Kennzahlen, Ziele, Haushalt und Warehouse werden fortgeschrieben …');
  const settled = await waitUntilSettled(started.platform, started.relayCheckpoint, consumers, {
    onProgress: (open) => console.log(`  noch ${open.toLocaleString('de-DE')} Ereignisse`),
  });
  const seconds = ((performance.now() - t0) / 1000).toLocaleString('de-DE', { maximumFractionDigits: 1 });
  console.log(settled ? `Demo geladen in ${seconds} s.` : `Demo geladen; die Verarbeitung läuft noch im Hintergrund (Stand unter ${started.host.url}/ready).`);
}

/** Prints the FIS URL with a demo access (embedded mode only; with OIDC users sign in at their IdP). */
async function printFisAccess(started: StartedPlatform): Promise<void> {
  const { auth, host, platform } = started;
  const fis = `${host.url}/fis/`;
  if (auth.mode !== 'embedded') {
    console.log(`\nFIS: ${fis} (Anmeldung über den Identity Provider)`);
    return;
  }
  const embedded = auth as EmbeddedAuth;
  const gv = createGemeindeverzeichnis(platform.documents);
  const lines: string[] = [];
  for (const access of DEMO_ACCESS) {
    const memberOf = access.kreis ? await gv.memberGemeinden(access.tenant) : [];
    const token = await embedded.issueToken({ subject: `demo:${access.role}`, tenant: access.tenant, roles: [access.role], ...(memberOf.length > 0 ? { memberOf } : {}), expiresIn: TOKEN_LIFETIME });
    lines.push(`${access.name} (${access.tenant}), Rolle ${access.role}:\n${fis}#token=${token}\n`);
  }
  const file = path.join(started.dataDir, ACCESS_FILE);
  await writeFile(file, `FIS-Zugänge der Demo, ${TOKEN_LIFETIME.replace('h', ' Stunden')} gültig ab ${new Date().toLocaleString('de-DE')}.\nWeitere Zugänge: npx lagebild token create --tenant AGS --role ROLLE\n\n${lines.join('\n')}`, { mode: 0o600 });
  console.log(`\nFIS (${DEMO_ACCESS[0]!.name}, Rolle ${DEMO_ACCESS[0]!.role}):\n  ${lines[0]!.split('\n')[1]}`);
  console.log(`Zugänge für alle Demo-Mandanten (${DEMO_ACCESS.map((a) => a.name).join(', ')}): ${file}`);
}
