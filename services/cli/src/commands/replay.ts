/**
 * `lagebild replay`: rebuilds the warehouse from the first event and switches over when caught
 * up. While `lagebild start` runs, its warehouse service does it (reads go on meanwhile);
 * otherwise this process opens the platform and does it itself.
 */
import { createCodec, envelopeSchemaCatalog } from '@lagebild/contracts';
import { createEmbeddedAuth, createLogger, loadPlatformConfig, openPlatform, silentLogger } from '@lagebild/platform';
import { OPERATOR_TENANT, replayWarehouse } from '@lagebild/warehouse';
import { hostUrl, runningHost } from './host';
import { type Command, UsageError } from './types';

const USAGE = `Aufruf: lagebild replay

Baut alle Tabellen des Warehouse aus den Ereignissen neu auf (ab dem ersten Ereignis jedes
Topics) und schaltet um, sobald der Neuaufbau aufgeholt hat; Abfragen laufen währenddessen auf
den bisherigen Tabellen weiter. Nötig nach einer Änderung der Projektion oder des Schemas.`;

export const replayCommand: Command = {
  path: ['replay'],
  summary: 'baut das Warehouse aus allen Ereignissen neu auf',
  usage: USAGE,
  async run(argv) {
    if (argv.length > 0) throw new UsageError(`Unerwartete Argumente: ${argv.join(' ')}`);
    const config = loadPlatformConfig(process.env);
    const url = hostUrl(config);
    const write = (line: string) => process.stdout.write(`${line}\n`);
    if (url && (await runningHost(url))) {
      write('Der laufende Warehouse-Dienst baut neu auf …');
      const auth = await createEmbeddedAuth({ dataDir: config.dataDir, logger: silentLogger() });
      const token = await auth.issueToken({ subject: 'cli-replay', tenant: OPERATOR_TENANT, roles: ['admin'], expiresIn: '2h' });
      const res = await fetch(`${url}/api/warehouse/replay`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { rows?: number; tables?: number; durationMs?: number; detail?: string };
      if (!res.ok) {
        process.stderr.write(`Neuaufbau fehlgeschlagen: ${body.detail ?? res.statusText}\n`);
        return 1;
      }
      write(`Fertig: ${body.tables} Tabellen, ${(body.rows ?? 0).toLocaleString('de-DE')} Zeilen, ${((body.durationMs ?? 0) / 1000).toLocaleString('de-DE', { maximumFractionDigits: 1 })} s.`);
      return 0;
    }
    const logger = createLogger({ service: 'lagebild-replay', level: 'warn' });
    const platform = await openPlatform({ config, logger, name: 'lagebild-replay', ...(config.schemaRegistryUrl ? { schemaCatalog: envelopeSchemaCatalog() } : {}) });
    try {
      await replayWarehouse({ warehouse: platform.warehouse, eventLog: platform.eventLog, documents: platform.documents, codec: createCodec(), logger }, { onProgress: write });
      return 0;
    } finally {
      await platform.close();
    }
  },
};
