/**
 * `lagebild token create`: a bearer token for the embedded mode, signed with the local key
 * file (LAGEBILD_DATA_DIR/auth/keys.json). With OIDC configured, tokens come from the
 * identity provider instead, and this command refuses.
 *
 * Tenant and roles come from the options, or from a user account (`--benutzer`, see user.ts).
 * A Kreis token carries its member Gemeinden: from the tenant register when the Kreis is
 * registered, else from the loaded Gemeindeverzeichnis.
 */
import { parseArgs } from 'node:util';
import { createGemeindeverzeichnis, createTenantRegister } from '@lagebild/ingestion';
import { createEmbeddedAuth, type DocumentStore, isRole, isTenantId, loadPlatformConfig, ROLES, silentLogger, type Role } from '@lagebild/platform';
import { openCommandContext } from './context';
import { UsageError, type Command } from './types';
import { findUser, USER_NAME } from './user';

const USAGE = `lagebild token create --tenant AGS --role ROLLE [--role ROLLE ...] [Optionen]
lagebild token create --benutzer NAME [Optionen]

Stellt ein Zugangstoken für den eingebetteten Betrieb aus (signiert mit ${'LAGEBILD_DATA_DIR'}/auth/keys.json)
und gibt es auf der Standardausgabe aus.

Optionen:
  --benutzer NAME    Mandant und Rollen aus dem Benutzerkonto (lagebild user add); das Token
                     nennt NAME als Benutzer
  --tenant AGS       Mandant: Gemeinde (8 Stellen), Kreis oder kreisfreie Stadt (5 Stellen)
  --role ROLLE       ${ROLES.join(', ')} (mehrfach möglich)
  --member AGS       für Kreis-Token: Mitgliedsgemeinde (8 Stellen, mehrfach möglich); ohne
                     --member nimmt ein Kreis-Token alle Gemeinden des Kreises aus dem
                     Mandantenregister (lagebild tenant add), sonst aus dem geladenen
                     Gemeindeverzeichnis
  --ohne-mitglieder  Kreis-Token nur für den Kreis selbst, ohne Mitgliedsgemeinden
  --subject NAME     wer das Token nutzt (Standard: cli, mit --benutzer: NAME)
  --expires DAUER    Gültigkeit, z. B. 15m, 8h, 30d (Standard: 8h)

Beispiele:
  TOKEN=$(npx lagebild token create --tenant 11000 --role datenlieferung)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/ingestion/deliveries
  TOKEN=$(npx lagebild token create --benutzer husum-planung)`;

export const tokenCommand: Command = {
  path: ['token', 'create'],
  summary: 'stellt ein lokales Zugangstoken aus (eingebetteter Betrieb)',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        benutzer: { type: 'string' },
        tenant: { type: 'string' },
        role: { type: 'string', multiple: true },
        member: { type: 'string', multiple: true },
        subject: { type: 'string' },
        expires: { type: 'string', default: '8h' },
        'ohne-mitglieder': { type: 'boolean', default: false },
      },
    });
    const problems: string[] = [];
    const user = values.benutzer;
    if (user !== undefined) {
      if (!USER_NAME.test(user)) problems.push(`--benutzer "${user}" ist kein Name eines Benutzerkontos (Kleinbuchstaben, Ziffern, „.“, „_“, „-“).`);
      if (values.tenant !== undefined || values.role !== undefined) problems.push('--benutzer nimmt Mandant und Rollen aus dem Benutzerkonto; --tenant und --role nicht zusätzlich angeben.');
    } else {
      if (!values.tenant) problems.push('--tenant fehlt (oder --benutzer NAME).');
      else if (!isTenantId(values.tenant)) problems.push(`--tenant "${values.tenant}" ist kein AGS (5 oder 8 Ziffern).`);
      if ((values.role ?? []).length === 0) problems.push('mindestens eine --role ist nötig.');
      for (const role of values.role ?? []) if (!isRole(role)) problems.push(`unbekannte Rolle "${role}"; erlaubt: ${ROLES.join(', ')}.`);
    }
    for (const member of values.member ?? []) {
      if (!/^\d{8}$/.test(member)) problems.push(`--member "${member}" ist kein Gemeindeschlüssel (8 Ziffern).`);
      else if (values.tenant && !member.startsWith(values.tenant)) problems.push(`--member ${member} gehört nicht zum Kreis ${values.tenant}.`);
    }
    if (!/^\d+[smhd]$/.test(values.expires)) problems.push(`--expires "${values.expires}": erwartet eine Dauer wie 15m, 8h oder 30d.`);
    if (problems.length > 0) throw new UsageError(problems.map((p) => `Fehler: ${p}`).join('\n'));

    const config = loadPlatformConfig();
    if (config.auth) {
      console.error('Fehler: OIDC ist konfiguriert (LAGEBILD_AUTH_JWKS_URL); Tokens stellt der Identity Provider aus.');
      return 1;
    }
    let tenant = values.tenant;
    let roles = (values.role ?? []) as Role[];
    if (user !== undefined) {
      const account = await withDocuments((documents) => findUser(documents, user));
      if (!account) {
        console.error(`Fehler: Ein Benutzerkonto ${user} gibt es nicht. Anlegen mit: lagebild user add ${user} --mandant AGS --rolle ROLLE`);
        return 1;
      }
      tenant = account.tenant;
      roles = account.roles;
      const foreign = (values.member ?? []).filter((m) => !m.startsWith(tenant!));
      if (foreign.length > 0) throw new UsageError(`Fehler: --member ${foreign.join(', ')} gehört nicht zum Mandanten ${tenant} des Benutzers ${user}.`);
    }
    const auth = await createEmbeddedAuth({ dataDir: config.dataDir, logger: silentLogger() });
    // A Kreis without --member gets its member Gemeinden from the register or the Gemeindeverzeichnis.
    const found = values.member === undefined && tenant!.length === 5 && !values['ohne-mitglieder'] ? await withDocuments((documents) => kreisMembers(documents, tenant!)) : undefined;
    const members = values.member ?? found?.members ?? [];
    if (found && found.members.length > 0) console.error(`Kreis ${tenant}: ${found.members.length} Mitgliedsgemeinden ${found.source} übernommen (--ohne-mitglieder: keine).`);
    const token = await auth.issueToken({
      subject: values.subject ?? user ?? 'cli',
      tenant: tenant!,
      roles,
      ...(members.length > 0 ? { memberOf: members } : {}),
      expiresIn: values.expires,
    });
    console.log(token);
    return 0;
  },
};

/** Runs with the platform's document store (where `user add`, `tenant add` and the Gemeindeverzeichnis write). */
async function withDocuments<T>(work: (documents: DocumentStore) => Promise<T>): Promise<T> {
  const context = await openCommandContext('token');
  try {
    return await work(context.platform.documents);
  } finally {
    await context.close();
  }
}

/**
 * The Kreis's member Gemeinden: every member of the register entry when the Kreis is registered
 * (betreut and partners alike; what the Kreis sees of each is decided per figure), else every
 * Gemeinde of the loaded Gemeindeverzeichnis (none when not loaded).
 */
async function kreisMembers(documents: DocumentStore, kreis: string): Promise<{ members: string[]; source: string }> {
  const entry = await createTenantRegister(documents).tenant(kreis);
  if (entry?.kind === 'KREIS') {
    const betreut = entry.members.filter((m) => m.relation === 'BETREUT').length;
    return { members: entry.members.map((m) => m.tenant), source: `aus dem Mandantenregister (${betreut} betreut, ${entry.members.length - betreut} Partner)` };
  }
  return { members: await createGemeindeverzeichnis(documents).memberGemeinden(kreis), source: 'aus dem Gemeindeverzeichnis' };
}
