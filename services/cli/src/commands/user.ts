/**
 * `lagebild user add|list|remove`: user accounts of the embedded mode (no identity provider): a
 * name with its tenant and roles, from which `lagebild token create --benutzer NAME` issues a
 * token. Stored in the platform's document store (collection auth-users).
 *
 * A change of an account changes who may do what, so it is recorded: as the private event
 * UserAccountChanged on the stream user-<name> of the event store. Private means it has no schema
 * in contracts/, and the outbox relays only events with a schema (outboxMapper skips the rest), so
 * it stays in the store and never reaches the log. In production, accounts live in the identity
 * provider (docs/zugang.md).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { tenantStanding } from '@lagebild/ingestion';
import { type DocumentStore, type EventStore, isRole, isWrongExpectedVersionError, ROLES, type Role } from '@lagebild/platform';
import { openCommandContext } from './context';
import { cliActor, table, when } from './tenant';
import { type Command, UsageError } from './types';

export const USERS_COLLECTION = 'auth-users';
export const USER_STREAM_PREFIX = 'user-';
/** Lower-case letters, digits, `.`, `_` and `-`; what a token's subject and a stream name carry safely. */
export const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface UserAccount {
  name: string;
  tenant: string;
  roles: Role[];
  createdAt: string;
  changedAt: string;
  changedBy: string;
}

/** The private audit event of an account change. */
export interface UserAccountChangedData {
  name: string;
  change: 'ADDED' | 'CHANGED' | 'REMOVED';
  tenant: string;
  roles: Role[];
  previous: { tenant: string; roles: Role[] } | null;
  changedBy: string;
  changedAt: string;
}

export async function findUser(documents: DocumentStore, name: string): Promise<UserAccount | undefined> {
  return USER_NAME.test(name) ? documents.get<UserAccount>(USERS_COLLECTION, name) : undefined;
}

/** Appends the audit event (expected version: the stream as read), then writes the account. */
async function recordChange(ports: { eventStore: EventStore; documents: DocumentStore }, data: UserAccountChangedData, account: UserAccount | null): Promise<void> {
  const stream = `${USER_STREAM_PREFIX}${data.name}`;
  for (let attempt = 1; ; attempt += 1) {
    const version = (await ports.eventStore.readStream(stream)).at(-1)?.version ?? 0;
    try {
      await ports.eventStore.appendToStream(
        stream,
        [{ id: randomUUID(), type: 'UserAccountChanged', data, metadata: { tenant: data.tenant, occurredAt: data.changedAt, actor: data.changedBy, correlationId: randomUUID(), causationId: null } }],
        { expectedVersion: version === 0 ? 'no_stream' : version },
      );
      break;
    } catch (error) {
      if (isWrongExpectedVersionError(error) && attempt < 5) continue;
      throw error;
    }
  }
  if (account) await ports.documents.put(USERS_COLLECTION, data.name, account);
  else await ports.documents.delete(USERS_COLLECTION, data.name);
}

const ADD_USAGE = `Aufruf: lagebild user add NAME --mandant AGS --rolle ROLLE [--rolle ROLLE ...]

Legt ein Benutzerkonto des eingebetteten Betriebs an oder ändert es (Mandant, Rollen). Tokens
dafür stellt lagebild token create --benutzer NAME aus. Jede Änderung wird als Ereignis
UserAccountChanged im Ereignisspeicher festgehalten (Stream user-NAME).

Optionen:
  --mandant AGS    Mandant: Gemeinde (8 Stellen), Kreis oder kreisfreie Stadt (5 Stellen)
                   (gleichbedeutend: --tenant, wie bei lagebild token create)
  --rolle ROLLE    ${ROLES.join(', ')} (mehrfach oder mit Kommas; gleichbedeutend: --role)

Beispiel:
  lagebild user add husum-planung --mandant 01054056 --rolle sozialplanung --rolle datenlieferung`;

function checkName(name: string | undefined): string {
  if (name === undefined) throw new UsageError('Der Name fehlt.');
  if (!USER_NAME.test(name)) throw new UsageError(`Der Name "${name}" geht nicht: Kleinbuchstaben, Ziffern, „.“, „_“ und „-“, höchstens 64 Zeichen, z. B. husum-planung.`);
  return name;
}

const addCommand: Command = {
  path: ['user', 'add'],
  summary: 'legt ein Benutzerkonto (Mandant, Rollen) des eingebetteten Betriebs an oder ändert es',
  usage: ADD_USAGE,
  async run(argv) {
    // --tenant and --role as in `lagebild token create` work too.
    const parsed = parseArgs({ args: argv, allowPositionals: true, options: { mandant: { type: 'string' }, tenant: { type: 'string' }, rolle: { type: 'string', multiple: true }, role: { type: 'string', multiple: true } } });
    const { positionals } = parsed;
    if (parsed.values.mandant && parsed.values.tenant && parsed.values.mandant !== parsed.values.tenant) throw new UsageError('--mandant und --tenant nennen verschiedene Mandanten; bitte nur eines angeben.');
    const values = { mandant: parsed.values.mandant ?? parsed.values.tenant, rolle: [...(parsed.values.rolle ?? []), ...(parsed.values.role ?? [])] };
    if (positionals.length > 1) throw new UsageError(`Genau einen Namen angeben, nicht ${positionals.length}.`);
    const problems: string[] = [];
    let name: string | undefined;
    try {
      name = checkName(positionals[0]);
    } catch (error) {
      problems.push((error as Error).message);
    }
    if (!values.mandant) problems.push('--mandant fehlt.');
    else if (!/^(\d{5}|\d{8})$/.test(values.mandant)) problems.push(`--mandant "${values.mandant}" ist kein AGS (5 oder 8 Ziffern).`);
    const roles = [...new Set((values.rolle ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter((r) => r !== ''))];
    if (roles.length === 0) problems.push('mindestens eine --rolle ist nötig.');
    for (const role of roles) if (!isRole(role)) problems.push(`unbekannte Rolle "${role}"; erlaubt: ${ROLES.join(', ')}.`);
    if (problems.length > 0) throw new UsageError(problems.map((p) => `Fehler: ${p}`).join('\n'));

    const context = await openCommandContext('user');
    try {
      const { eventStore, documents } = context.platform;
      const existing = await findUser(documents, name!);
      const tenant = values.mandant!;
      const sortedRoles = ROLES.filter((r) => roles.includes(r));
      if (existing && existing.tenant === tenant && existing.roles.join() === sortedRoles.join()) {
        console.log(`Benutzer ${name} ist schon so angelegt (Mandant ${tenant}, Rollen ${sortedRoles.join(', ')}); nichts geändert.`);
        return 0;
      }
      const now = new Date().toISOString();
      const actor = cliActor().subject;
      await recordChange(
        { eventStore, documents },
        { name: name!, change: existing ? 'CHANGED' : 'ADDED', tenant, roles: sortedRoles, previous: existing ? { tenant: existing.tenant, roles: existing.roles } : null, changedBy: actor, changedAt: now },
        { name: name!, tenant, roles: sortedRoles, createdAt: existing?.createdAt ?? now, changedAt: now, changedBy: actor },
      );
      console.log(`Benutzer ${name} ${existing ? 'geändert' : 'angelegt'}: Mandant ${tenant}, Rollen ${sortedRoles.join(', ')}.`);
      const standing = await tenantStanding(documents, tenant);
      if (standing.kind === null) console.log(`  Hinweis: ${tenant} ist weder im Mandantenregister noch im geladenen Gemeindeverzeichnis; stimmt der Schlüssel?`);
      console.log(`  Token ausstellen mit: lagebild token create --benutzer ${name}`);
      return 0;
    } finally {
      await context.close();
    }
  },
};

const listCommand: Command = {
  path: ['user', 'list'],
  summary: 'listet die Benutzerkonten des eingebetteten Betriebs',
  usage: 'Aufruf: lagebild user list [--json]\n\nZeigt jedes Benutzerkonto mit Mandant, Rollen und letzter Änderung.',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
    const context = await openCommandContext('user');
    try {
      const users = (await context.platform.documents.scan<UserAccount>(USERS_COLLECTION)).map((r) => r.doc);
      if (values.json) console.log(JSON.stringify(users, null, 2));
      else if (users.length === 0) console.log('Noch kein Benutzerkonto. Anlegen mit: lagebild user add NAME --mandant AGS --rolle ROLLE');
      else for (const line of table(['Name', 'Mandant', 'Rollen', 'Geändert'], users.map((u) => [u.name, u.tenant, u.roles.join(', '), `${when(u.changedAt)} (${u.changedBy})`]))) console.log(line);
      return 0;
    } finally {
      await context.close();
    }
  },
};

const removeCommand: Command = {
  path: ['user', 'remove'],
  summary: 'entfernt ein Benutzerkonto des eingebetteten Betriebs',
  usage: `Aufruf: lagebild user remove NAME

Entfernt das Benutzerkonto: für NAME werden keine Tokens mehr ausgestellt. Schon ausgestellte
Tokens bleiben bis zu ihrem Ablauf gültig (Standard 8 Stunden); sofort sperren lässt sich alles
nur durch einen neuen Schlüssel (LAGEBILD_DATA_DIR/auth/keys.json löschen und neu starten).`,
  async run(argv) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    if (positionals.length !== 1) throw new UsageError('Genau einen Namen angeben.');
    const name = checkName(positionals[0]);
    const context = await openCommandContext('user');
    try {
      const { eventStore, documents } = context.platform;
      const existing = await findUser(documents, name);
      if (!existing) {
        console.error(`Fehler: Ein Benutzerkonto ${name} gibt es nicht; lagebild user list zeigt alle.`);
        return 1;
      }
      await recordChange(
        { eventStore, documents },
        { name, change: 'REMOVED', tenant: existing.tenant, roles: existing.roles, previous: { tenant: existing.tenant, roles: existing.roles }, changedBy: cliActor().subject, changedAt: new Date().toISOString() },
        null,
      );
      console.log(`Benutzer ${name} entfernt (war Mandant ${existing.tenant}, Rollen ${existing.roles.join(', ')}). Schon ausgestellte Tokens gelten bis zu ihrem Ablauf.`);
      return 0;
    } finally {
      await context.close();
    }
  },
};

export const userCommands: readonly Command[] = [addCommand, listCommand, removeCommand];
