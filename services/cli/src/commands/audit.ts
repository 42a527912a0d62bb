/**
 * `lagebild audit`: the access records (who read or changed what) from the event store of the
 * data directory, as a table or JSON. It reads the store directly, so it works whether or not
 * `lagebild start` runs (all services of the embedded host write into the one store); records a
 * running host buffered in the last fraction of a second appear on the next call.
 */
import { parseArgs } from 'node:util';
import { auditEntry, isTenantId, ValidationProblem } from '@lagebild/platform';
import { formatRows } from '@lagebild/warehouse';
import { openCommandContext } from './context';
import { type Command, UsageError } from './types';

const MAX_LIMIT = 100_000;

const USAGE = `Aufruf: lagebild audit [--mandant AGS] [--von DATUM] [--bis DATUM] [--benutzer NAME] [--dienst NAME] [--limit N] [--json]

Zeigt das Zugriffsprotokoll: welche Anfrage (Dienst, Operation) wer (Benutzer, Mandant, Rollen)
wann über welchen Mandanten gestellt hat und mit welchem Ergebnis (HTTP-Status), neueste zuerst.
Abgelehnte Anfragen (403, 404) stehen mit darin. Tage gelten in UTC.

Optionen:
  --mandant AGS     nur Einträge über diesen Mandanten und seiner Benutzer (Standard: alle)
  --von DATUM       erster Tag, JJJJ-MM-TT (Standard: 30 Tage vor --bis)
  --bis DATUM       letzter Tag, JJJJ-MM-TT (Standard: heute); höchstens 366 Tage je Aufruf
  --benutzer NAME   nur Anfragen dieses Benutzers (sub des Tokens)
  --dienst NAME     nur Anfragen an diesen Dienst (ingestion, indicators, goals, budget, warehouse)
  --limit N         höchstens N Einträge (Standard: 1000)
  --json            JSON statt Tabelle (Feldnamen wie GET /api/<dienst>/audit)

Beispiel:
  npx lagebild audit --mandant 01054 --von 2024-05-01 --benutzer kreisplaner`;

export const auditCommand: Command = {
  path: ['audit'],
  summary: 'zeigt das Zugriffsprotokoll (wer hat was gelesen oder geändert)',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        mandant: { type: 'string' },
        von: { type: 'string' },
        bis: { type: 'string' },
        benutzer: { type: 'string' },
        dienst: { type: 'string' },
        limit: { type: 'string', default: '1000' },
        json: { type: 'boolean', default: false },
      },
    });
    const problems: string[] = [];
    if (values.mandant !== undefined && !isTenantId(values.mandant)) problems.push(`--mandant "${values.mandant}" ist kein AGS (5 oder 8 Ziffern).`);
    const limit = Number(values.limit);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) problems.push(`--limit "${values.limit}": erwartet eine ganze Zahl von 1 bis ${MAX_LIMIT.toLocaleString('de-DE')}.`);
    if (problems.length > 0) throw new UsageError(problems.map((p) => `Fehler: ${p}`).join('\n'));

    const ctx = await openCommandContext('audit');
    try {
      const trail = ctx.platform.audit;
      const tenants = values.mandant !== undefined ? [values.mandant] : await trail.tenants();
      let page;
      try {
        page = await trail.query({
          tenants,
          limit,
          ...(values.von !== undefined ? { from: values.von } : {}),
          ...(values.bis !== undefined ? { to: values.bis } : {}),
          ...(values.benutzer !== undefined ? { subject: values.benutzer } : {}),
          ...(values.dienst !== undefined ? { service: values.dienst } : {}),
        });
      } catch (error) {
        if (error instanceof ValidationProblem) throw new UsageError(error.errors.map((e) => `Fehler: --${e.parameter ?? ''} ${e.detail}.`).join('\n'));
        throw error;
      }
      const entries = page.records.map(auditEntry);
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ mandanten: tenants, von: page.from, bis: page.to, eintraege: entries, weitere: page.truncated }, null, 2)}\n`);
      } else {
        process.stdout.write(`Zugriffsprotokoll ${page.from} bis ${page.to} (UTC)${values.mandant ? `, Mandant ${values.mandant}` : ''}\n`);
        const rows = entries.map((e) => ({
          Zeitpunkt: e.zeitpunkt,
          Benutzer: e.benutzer,
          Mandant: e.mandant,
          Rollen: e.rollen.join(','),
          Dienst: e.dienst,
          Operation: e.operation,
          Betroffen: e.betroffeneMandanten.join(','),
          Status: e.status,
          Objekt: e.objekt ? Object.values(e.objekt).join('/') : (e.angelegt ?? ''),
        }));
        process.stdout.write(formatRows(rows, 'table'));
      }
      if (page.truncated) process.stderr.write(`Es gibt weitere Einträge; --limit erhöhen oder den Zeitraum eingrenzen.\n`);
      return 0;
    } finally {
      await ctx.close();
    }
  },
};
