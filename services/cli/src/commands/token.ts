/**
 * `lagebild token create`: a bearer token for the embedded mode, signed with the local key
 * file (LAGEBILD_DATA_DIR/auth/keys.json). With OIDC configured, tokens come from the
 * identity provider instead, and this command refuses.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createGemeindeverzeichnis } from '@lagebild/ingestion';
import { createEmbeddedAuth, createLmdbDocumentStore, isRole, isTenantId, loadPlatformConfig, ROLES, silentLogger, type Role } from '@lagebild/platform';
import { UsageError, type Command } from './types';

const USAGE = `lagebild token create --tenant AGS --role ROLLE [--role ROLLE ...] [Optionen]

Stellt ein Zugangstoken für den eingebetteten Betrieb aus (signiert mit ${'LAGEBILD_DATA_DIR'}/auth/keys.json)
und gibt es auf der Standardausgabe aus.

Optionen:
  --tenant AGS       Mandant: Gemeinde (8 Stellen), Kreis oder kreisfreie Stadt (5 Stellen)
  --role ROLLE       ${ROLES.join(', ')} (mehrfach möglich)
  --member AGS       für Kreis-Token: Mitgliedsgemeinde (8 Stellen, mehrfach möglich); ohne
                     --member nimmt ein Kreis-Token alle Gemeinden des Kreises aus dem geladenen
                     Gemeindeverzeichnis
  --ohne-mitglieder  Kreis-Token nur für den Kreis selbst, ohne Mitgliedsgemeinden
  --subject NAME     wer das Token nutzt (Standard: cli)
  --expires DAUER    Gültigkeit, z. B. 15m, 8h, 30d (Standard: 8h)

Beispiel:
  TOKEN=$(npx lagebild token create --tenant 11000 --role datenlieferung)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/ingestion/deliveries`;

export const tokenCommand: Command = {
  path: ['token', 'create'],
  summary: 'stellt ein lokales Zugangstoken aus (eingebetteter Betrieb)',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        tenant: { type: 'string' },
        role: { type: 'string', multiple: true },
        member: { type: 'string', multiple: true },
        subject: { type: 'string', default: 'cli' },
        expires: { type: 'string', default: '8h' },
        'ohne-mitglieder': { type: 'boolean', default: false },
      },
    });
    const problems: string[] = [];
    if (!values.tenant) problems.push('--tenant fehlt.');
    else if (!isTenantId(values.tenant)) problems.push(`--tenant "${values.tenant}" ist kein AGS (5 oder 8 Ziffern).`);
    const roles = values.role ?? [];
    if (roles.length === 0) problems.push('mindestens eine --role ist nötig.');
    for (const role of roles) if (!isRole(role)) problems.push(`unbekannte Rolle "${role}"; erlaubt: ${ROLES.join(', ')}.`);
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
    const auth = await createEmbeddedAuth({ dataDir: config.dataDir, logger: silentLogger() });
    // A Kreis without --member gets its member Gemeinden from the Gemeindeverzeichnis, when loaded.
    const members = values.member ?? (values.tenant!.length === 5 && !values['ohne-mitglieder'] ? await kreisMembers(config.dataDir, values.tenant!) : []);
    if (!values.member && members.length > 0) console.error(`Kreis ${values.tenant}: ${members.length} Mitgliedsgemeinden aus dem Gemeindeverzeichnis übernommen (--ohne-mitglieder: keine).`);
    const token = await auth.issueToken({
      subject: values.subject,
      tenant: values.tenant!,
      roles: roles as Role[],
      ...(members.length > 0 ? { memberOf: members } : {}),
      expiresIn: values.expires,
    });
    console.log(token);
    return 0;
  },
};

/** The Kreis's member Gemeinden from the Gemeindeverzeichnis in the data directory (none when not loaded). */
async function kreisMembers(dataDir: string, kreis: string): Promise<string[]> {
  const lmdb = path.join(dataDir, 'lmdb');
  if (!existsSync(lmdb)) return [];
  const documents = createLmdbDocumentStore({ path: lmdb });
  try {
    return await createGemeindeverzeichnis(documents).memberGemeinden(kreis);
  } finally {
    await documents.close();
  }
}
