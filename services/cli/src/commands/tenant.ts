/**
 * `lagebild tenant add|list|show|clickhouse-sql`: the tenant register from the command line. A tenant is built
 * from the loaded Gemeindeverzeichnis (name, kind, a Kreis' member Gemeinden with population);
 * for a Kreis the Kreistyp says whom it plans for (BETREUT, raw figures) and who is an equal
 * partner. Written on this machine's data directory like every one-shot command: the events are
 * relayed to the other services by the running host, or at its next start.
 *
 * Nothing requires the register: `lagebild start` runs without it, and an unregistered tenant
 * keeps working with its own figures and a Kreis token's member list.
 */
import { parseArgs } from 'node:util';
import {
  type Actor,
  configureTenant,
  createTenantRegister,
  DEFAULT_PARTNER_THRESHOLD,
  type TenancyContext,
  TenancyRuleViolation,
  type TenantConfiguredData,
  type TenantKind,
  loadTenancyView,
} from '@lagebild/ingestion';
import { AccessInputError, clickhouseAccessSql, tenantsFromRegister } from '@lagebild/warehouse';
import { openCommandContext } from './context';
import { type Command, UsageError } from './types';

/** Who changes the register from this machine, as the contract names it (`cli:<user>`). */
export function cliActor(): Actor {
  return { subject: `cli:${process.env.USER ?? process.env.USERNAME ?? 'lokal'}` };
}

export const number = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : n.toLocaleString('de-DE'));

const germanTime = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
/** An instant as German local time, e.g. 01.04.2024, 00:00. */
export const when = (iso: string | null): string => (iso === null ? '–' : germanTime.format(new Date(iso)));

/** Runs with the register's ports; prints a refusal with every problem and returns 1. */
export async function withTenancy(name: string, work: (ctx: TenancyContext) => Promise<number>): Promise<number> {
  const context = await openCommandContext(name);
  try {
    return await work({ eventStore: context.platform.eventStore, documents: context.platform.documents, logger: context.logger });
  } catch (error) {
    if (error instanceof TenancyRuleViolation) {
      console.error(`Fehler: ${error.detail}`);
      for (const line of error.errors) console.error(`  - ${line}`);
      return 1;
    }
    throw error;
  } finally {
    await context.close();
  }
}

const KIND: Record<TenantKind, string> = { KREIS: 'Kreis', KREISFREIE_STADT: 'kreisfreie Stadt', GEMEINDE: 'Gemeinde' };

function kindText(t: TenantConfiguredData): string {
  return t.kind === 'GEMEINDE' && t.kreis ? `Gemeinde im Kreis ${t.kreis}` : KIND[t.kind];
}

function modelText(t: TenantConfiguredData): string {
  if (t.planningModel === 'BETREUUNG') return t.partnerThreshold === null ? 'Betreuung (Zuordnung von Hand)' : `Betreuung (Partner ab ${number(t.partnerThreshold)} EW)`;
  if (t.planningModel === 'PARTNERSCHAFT') return 'Partnerschaft';
  return '–';
}

function counts(t: TenantConfiguredData): { betreut: number; partner: number } {
  return { betreut: t.members.filter((m) => m.relation === 'BETREUT').length, partner: t.members.filter((m) => m.relation === 'PARTNER').length };
}

function membersText(t: TenantConfiguredData): string {
  if (t.kind !== 'KREIS') return '–';
  const c = counts(t);
  return `${t.members.length} (${c.betreut} betreut, ${c.partner} Partner)`;
}

/** Lines describing a Kreis' members after a change: the partners by name when they are few. */
function memberSummary(t: TenantConfiguredData): string[] {
  const c = counts(t);
  const lines: string[] = [];
  if (t.planningModel === 'BETREUUNG') {
    lines.push(
      t.partnerThreshold === null
        ? '  Kreistyp Betreuung: jede Gemeinde von Hand zugeordnet.'
        : `  Kreistyp Betreuung: Gemeinden unter ${number(t.partnerThreshold)} Einwohnern betreut der Kreis (er sieht ihre Zahlen ungeschützt), die übrigen sind Partner.`,
    );
  } else lines.push('  Kreistyp Partnerschaft: alle Gemeinden sind gleichberechtigte Partner; der Kreis sieht ihre Zahlen geschützt, solange sie nichts anderes freigeben.');
  const partners = t.members.filter((m) => m.relation === 'PARTNER');
  const named = partners.length > 0 && partners.length <= 10 ? ` (${partners.map((m) => `${m.name} ${m.tenant}: ${number(m.population)} EW`).join('; ')})` : '';
  lines.push(`  ${t.members.length} Mitgliedsgemeinden: ${c.betreut} betreut, ${c.partner} Partner${named}.`);
  return lines;
}

/** Gemeindeschlüssel from repeated and comma-separated options. */
function agsList(values: readonly string[] | undefined, option: string): string[] {
  const out = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const wrong = out.filter((v) => !/^\d{8}$/.test(v));
  if (wrong.length > 0) throw new UsageError(`${option}: ${wrong.map((w) => `"${w}"`).join(', ')} ${wrong.length === 1 ? 'ist kein Gemeindeschlüssel' : 'sind keine Gemeindeschlüssel'} (8 Ziffern).`);
  return out;
}

const ADD_USAGE = `Aufruf: lagebild tenant add AGS [Optionen]

Trägt einen Mandanten aus dem geladenen Gemeindeverzeichnis ins Mandantenregister ein oder ändert
ihn: einen Kreis (5 Ziffern) mit seinen Mitgliedsgemeinden und deren Einwohnern, eine kreisfreie
Stadt (5 Ziffern) oder eine Gemeinde (8 Ziffern, mit ihrem Kreis). Ein zweiter Aufruf ändert nur,
was sich geändert hat (neue Version); ohne Optionen bleiben Kreistyp und Partnergrenze, wie sie sind.

Optionen (nur für einen Kreis):
  --kreistyp TYP          betreuung (Standard): der Kreis betreut die kleinen Gemeinden und sieht
                          ihre Zahlen ungeschützt, größere sind Partner; partnerschaft: alle Partner
  --partner-ab N          Betreuung: Gemeinden ab N Einwohnern sind Partner (Standard ${number(DEFAULT_PARTNER_THRESHOLD)},
                          die Grenze zwischen Klein- und Mittelstadt der BBSR-Stadt- und Gemeindetypen)
  --partner AGS           Gemeinde ist unabhängig von der Größe Partner (mehrfach oder mit Kommas)
  --betreut AGS           Gemeinde wird unabhängig von der Größe betreut (mehrfach oder mit Kommas)
  --ausnahmen-verwerfen   frühere --partner/--betreut-Zuordnungen verwerfen

Vorher das Gemeindeverzeichnis laden: lagebild areas load-gv100ad GV100AD_TTMMJJ.txt

Beispiel:
  lagebild tenant add 01054 --kreistyp betreuung --partner-ab 20000 --partner 01054168`;

const addCommand: Command = {
  path: ['tenant', 'add'],
  summary: 'trägt einen Kreis, eine kreisfreie Stadt oder Gemeinde aus dem Gemeindeverzeichnis ins Mandantenregister ein',
  usage: ADD_USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        kreistyp: { type: 'string' },
        'partner-ab': { type: 'string' },
        partner: { type: 'string', multiple: true },
        betreut: { type: 'string', multiple: true },
        'ausnahmen-verwerfen': { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Der AGS fehlt.' : `Genau einen AGS angeben, nicht ${positionals.length}.`);
    const ags = positionals[0]!;
    if (!/^(\d{5}|\d{8})$/.test(ags)) throw new UsageError(`"${ags}" ist kein AGS (5 Ziffern für Kreis oder kreisfreie Stadt, 8 für eine Gemeinde).`);
    const kreistyp = values.kreistyp?.toLowerCase();
    if (kreistyp !== undefined && kreistyp !== 'betreuung' && kreistyp !== 'partnerschaft') throw new UsageError(`--kreistyp: "${values.kreistyp}" gibt es nicht; erlaubt: betreuung, partnerschaft.`);
    const rawThreshold = values['partner-ab']?.replace(/[._\s]/g, '');
    if (rawThreshold !== undefined && !/^\d+$/.test(rawThreshold)) throw new UsageError(`--partner-ab: "${values['partner-ab']}" ist keine Einwohnerzahl (ganze Zahl ab 0).`);
    const partners = agsList(values.partner, '--partner');
    const betreut = agsList(values.betreut, '--betreut');

    return withTenancy('tenant', async (ctx) => {
      const outcome = await configureTenant(ctx, {
        tenant: ags,
        ...(kreistyp ? { planningModel: kreistyp === 'betreuung' ? ('BETREUUNG' as const) : ('PARTNERSCHAFT' as const) } : {}),
        ...(rawThreshold !== undefined ? { partnerThreshold: Number(rawThreshold) } : {}),
        ...(partners.length > 0 ? { partners } : {}),
        ...(betreut.length > 0 ? { betreut } : {}),
        ...(values['ausnahmen-verwerfen'] ? { resetOverrides: true } : {}),
        actor: cliActor(),
      });
      const t = outcome.entry;
      const what = `Mandant ${t.tenant} ${t.name} (${kindText(t)})`;
      if (!outcome.changed) {
        console.log(`${what} ist schon so eingetragen (Version ${t.version}); nichts geändert.`);
        return 0;
      }
      console.log(`${what} ${outcome.previous ? 'geändert' : 'eingetragen'}, Version ${t.version}.`);
      if (t.kind === 'KREIS') for (const line of memberSummary(t)) console.log(line);
      return 0;
    });
  },
};

/** A plain text table: columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const listCommand: Command = {
  path: ['tenant', 'list'],
  summary: 'listet das Mandantenregister (AGS, Name, Art, Kreistyp, Mitglieder)',
  usage: `Aufruf: lagebild tenant list [--json]

Zeigt jeden eingetragenen Mandanten mit AGS, Name, Art, Kreistyp und (für einen Kreis) seinen
Mitgliedsgemeinden: wie viele der Kreis betreut und wie viele Partner sind.

Optionen:
  --json   die Einträge vollständig als JSON (mit allen Mitgliedsgemeinden)`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
    return withTenancy('tenant', async (ctx) => {
      const tenants = await createTenantRegister(ctx.documents).tenants();
      if (values.json) {
        console.log(JSON.stringify(tenants, null, 2));
        return 0;
      }
      if (tenants.length === 0) {
        console.log('Noch kein Mandant eingetragen. Eintragen mit: lagebild tenant add AGS (vorher das Gemeindeverzeichnis laden: lagebild areas load-gv100ad DATEI).');
        return 0;
      }
      for (const line of table(
        ['AGS', 'Name', 'Art', 'Kreistyp', 'Mitglieder'],
        tenants.map((t) => [t.tenant, t.name, kindText(t), modelText(t), membersText(t)]),
      ))
        console.log(line);
      return 0;
    });
  },
};

const RELATION: Record<string, string> = { BETREUT: 'betreut', PARTNER: 'Partner' };

const showCommand: Command = {
  path: ['tenant', 'show'],
  summary: 'zeigt einen Eintrag des Mandantenregisters mit allen Mitgliedsgemeinden',
  usage: 'Aufruf: lagebild tenant show AGS\n\nZeigt Name, Art, Version, wer ihn wann eingetragen hat, Kreistyp und jede Mitgliedsgemeinde mit Einwohnern und Beziehung (betreut oder Partner).',
  async run(argv) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    if (positionals.length !== 1) throw new UsageError('Genau einen AGS angeben.');
    const ags = positionals[0]!;
    if (!/^(\d{5}|\d{8})$/.test(ags)) throw new UsageError(`"${ags}" ist kein AGS (5 oder 8 Ziffern).`);
    return withTenancy('tenant', async (ctx) => {
      const register = createTenantRegister(ctx.documents);
      const t = await register.tenant(ags);
      if (!t) {
        const kreis = await register.kreisOf(ags);
        console.error(`Der Mandant ${ags} ist nicht im Mandantenregister eingetragen${kreis ? ` (er ist Mitglied des eingetragenen Kreises ${kreis}: lagebild tenant show ${kreis})` : ''}. Eintragen mit: lagebild tenant add ${ags}`);
        return 1;
      }
      console.log(`${t.tenant}  ${t.name}`);
      console.log(`  Art:        ${kindText(t)}`);
      console.log(`  Version:    ${t.version}, von ${t.configuredBy} am ${when(t.configuredAt)}`);
      if (t.kind === 'KREIS') {
        console.log(`  Kreistyp:   ${modelText(t)}`);
        console.log(`  Mitglieder: ${membersText(t)}`);
        console.log('');
        for (const line of table(
          ['AGS', 'Gemeinde', 'Einwohner', 'Beziehung'],
          t.members.map((m) => [m.tenant, m.name, number(m.population), RELATION[m.relation] ?? m.relation]),
        ))
          console.log(`  ${line}`);
      }
      return 0;
    });
  },
};

const accessSqlCommand: Command = {
  path: ['tenant', 'clickhouse-sql'],
  summary: 'erzeugt Lesebenutzer und Zeilenrichtlinien für Grafana aus dem Mandantenregister (SQL)',
  usage: `Aufruf: lagebild tenant clickhouse-sql [--cluster NAME] [--betriebsleser NAME ...] [--datenbank NAME]

Schreibt auf die Standardausgabe das SQL, das auf einem ClickHouse-Server (ab Version 24) je
eingetragenem Mandanten einen Lesebenutzer lagebild_fis_<AGS> mit Zeilenrichtlinien anlegt: ein
Kreis liest seine Zeilen und die seiner Mitgliedsgemeinden, eine Gemeinde ihre eigenen; bei
Kennzahlwerten zusätzlich, was andere Mandanten ihr freigegeben haben (geschützt, ab der
Sperrfrist: die Sperrfrist steht in der Bedingung). Nach jeder Änderung des Registers oder einer
Freigabe erneut ausführen; Passwörter bleiben erhalten. Siehe docs/betrieb.md.

Optionen:
  --cluster NAME        jede Anweisung ON CLUSTER (Name oder {cluster})
  --betriebsleser NAME  lesender Benutzer des Betriebs (CLICKHOUSE_READONLY_USER des Warehouse-Dienstes)
  --datenbank NAME      Datenbank des Warehouse (Standard: lagebild)

Beispiel:
  npx lagebild tenant clickhouse-sql --betriebsleser lagebild_readonly | clickhouse-client --multiquery`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { cluster: { type: 'string' }, betriebsleser: { type: 'string', multiple: true }, datenbank: { type: 'string' } } });
    return withTenancy('tenant', async (ctx) => {
      const register = createTenantRegister(ctx.documents);
      const tenants = await register.tenants();
      if (tenants.length === 0) {
        console.error('Das Mandantenregister ist leer: zuerst Mandanten eintragen (lagebild tenant add AGS).');
        return 1;
      }
      const view = await loadTenancyView(register, [...tenants.map((t) => t.tenant), ...tenants.flatMap((t) => t.members.map((m) => m.tenant))]);
      try {
        const { sql } = clickhouseAccessSql({
          tenants: tenantsFromRegister(view),
          register: view,
          ...(values.betriebsleser ? { operatorReaders: values.betriebsleser } : {}),
          ...(values.cluster ? { onCluster: values.cluster } : {}),
          ...(values.datenbank ? { database: values.datenbank } : {}),
        });
        process.stdout.write(`-- Lagebild: Lesezugriff für Grafana aus dem Mandantenregister (${tenants.length} Mandanten), erzeugt ${when(new Date().toISOString())}.\n${sql}`);
        return 0;
      } catch (error) {
        if (error instanceof AccessInputError) {
          console.error(error.message);
          return 1;
        }
        throw error;
      }
    });
  },
};

export const tenantCommands: readonly Command[] = [addCommand, listCommand, showCommand, accessSqlCommand];
