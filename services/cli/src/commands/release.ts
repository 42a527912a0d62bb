/**
 * `lagebild freigabe add|list|zurueck`: releases (Freigaben) of a tenant's figures from the
 * command line. A Gemeinde decides what its Kreis, the other Gemeinden of the Kreis or the public
 * see; released figures are protected (disclosure-controlled), raw only for the own Kreis. A
 * Sperrfrist delays the effect. The local operator is trusted like the tenant's admin.
 */
import { parseArgs } from 'node:util';
import { createGemeindeverzeichnis, createTenantRegister, grantRelease, type ReleaseAudience, type ReleaseRecord, releaseStatus, withdrawRelease } from '@lagebild/ingestion';
import { cliActor, table, when, withTenancy } from './tenant';
import { type Command, UsageError } from './types';

const AUDIENCE: Record<string, ReleaseAudience> = { kreis: 'KREIS', gemeinden: 'MEMBERS', oeffentlich: 'PUBLIC', öffentlich: 'PUBLIC' };
const AUDIENCE_TEXT: Record<ReleaseAudience, string> = { KREIS: 'den eigenen Kreis', MEMBERS: 'die Gemeinden des Kreises', PUBLIC: 'die Öffentlichkeit' };
const AUDIENCE_SHORT: Record<ReleaseAudience, string> = { KREIS: 'kreis', MEMBERS: 'gemeinden', PUBLIC: 'oeffentlich' };
const FORM: Record<string, 'PROTECTED' | 'RAW'> = { geschuetzt: 'PROTECTED', geschützt: 'PROTECTED', roh: 'RAW' };
const STATUS_TEXT: Record<string, string> = { ACTIVE: 'gilt', EMBARGOED: 'Sperrfrist', WITHDRAWN: 'zurückgezogen' };

function scope(r: ReleaseRecord): string {
  const parts = [r.indicatorId ? `Kennzahl ${r.indicatorId}` : null, r.datasetId ? `Datensatz ${r.datasetId}` : null, r.unitType ? `Ebene ${r.unitType}` : null].filter((p) => p !== null);
  return parts.length === 0 ? 'alle Zahlen' : parts.join(', ');
}

const ADD_USAGE = `Aufruf: lagebild freigabe add --mandant AGS --publikum PUBLIKUM [Optionen]

Gibt Zahlen des Mandanten für ein Publikum frei. Freigegebene Zahlen sind geschützt
(Geheimhaltung angewandt); Rohwerte gibt es nur für den eigenen Kreis. Ohne --kennzahl,
--datensatz und --ebene gilt die Freigabe für alle Zahlen des Mandanten.

Optionen:
  --mandant AGS        wessen Zahlen (Pflicht)
  --publikum P         kreis (der eigene Kreis), gemeinden (die Gemeinden desselben Kreises)
                       oder oeffentlich (alle, auch die Rolle public) (Pflicht)
  --kennzahl ID        nur diese Kennzahl, z. B. sgb2-quote
  --datensatz ID       nur Zahlen dieses Datensatzes
  --ebene TYP          nur diese Ebene (Gebietstyp), z. B. Gemeinde, Stadtteil, Gesamt
  --form F             geschuetzt (Standard) oder roh (nur mit --publikum kreis)
  --sperrfrist DATUM   wirkt erst ab diesem Tag (0 Uhr deutscher Zeit) oder Zeitpunkt
                       (JJJJ-MM-TT oder JJJJ-MM-TTTHH:MM)
  --notiz TEXT         Grund oder Beschluss, z. B. "Sozialausschuss vom 29.02.2024"

Beispiel:
  lagebild freigabe add --mandant 01054056 --publikum gemeinden --kennzahl sgb2-quote --sperrfrist 2024-04-01`;

const addCommand: Command = {
  path: ['freigabe', 'add'],
  summary: 'gibt Zahlen eines Mandanten für Kreis, Gemeinden des Kreises oder Öffentlichkeit frei',
  usage: ADD_USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        mandant: { type: 'string' },
        publikum: { type: 'string' },
        kennzahl: { type: 'string' },
        datensatz: { type: 'string' },
        ebene: { type: 'string' },
        form: { type: 'string' },
        sperrfrist: { type: 'string' },
        notiz: { type: 'string' },
      },
    });
    const problems: string[] = [];
    if (!values.mandant) problems.push('--mandant fehlt.');
    else if (!/^(\d{5}|\d{8})$/.test(values.mandant)) problems.push(`--mandant "${values.mandant}" ist kein AGS (5 oder 8 Ziffern).`);
    const audience = values.publikum === undefined ? undefined : AUDIENCE[values.publikum.toLowerCase()];
    if (values.publikum === undefined) problems.push('--publikum fehlt (kreis, gemeinden oder oeffentlich).');
    else if (!audience) problems.push(`--publikum "${values.publikum}" gibt es nicht; erlaubt: kreis, gemeinden, oeffentlich.`);
    const form = values.form === undefined ? 'PROTECTED' : FORM[values.form.toLowerCase()];
    if (!form) problems.push(`--form "${values.form}" gibt es nicht; erlaubt: geschuetzt, roh.`);
    if (problems.length > 0) throw new UsageError(problems.map((p) => `Fehler: ${p}`).join('\n'));

    return withTenancy('freigabe', async (ctx) => {
      const release = await grantRelease(ctx, {
        tenant: values.mandant!,
        audience: audience!,
        form: form!,
        datasetId: values.datensatz ?? null,
        indicatorId: values.kennzahl ?? null,
        unitType: values.ebene ?? null,
        embargoUntil: values.sperrfrist ?? null,
        note: values.notiz ?? null,
        actor: cliActor(),
      });
      const owner = (await createTenantRegister(ctx.documents).tenant(release.tenant)) ?? (await createGemeindeverzeichnis(ctx.documents).find(release.tenant));
      console.log(`Freigabe ${release.releaseId} erteilt.`);
      console.log(`  Zahlen von ${release.tenant}${owner ? ` ${owner.name}` : ''} für ${AUDIENCE_TEXT[release.audience]}, ${release.form === 'RAW' ? 'ungeschützt (Rohwerte)' : 'geschützt'}: ${scope(release)}.`);
      if (release.embargoUntil !== null && releaseStatus(release, new Date()) === 'EMBARGOED') console.log(`  Sperrfrist bis ${when(release.embargoUntil)} (deutsche Zeit); bis dahin wirkt die Freigabe nicht.`);
      if (release.note) console.log(`  Notiz: ${release.note}`);
      console.log(`  Zurückziehen mit: lagebild freigabe zurueck ${release.releaseId}`);
      return 0;
    });
  },
};

const listCommand: Command = {
  path: ['freigabe', 'list'],
  summary: 'listet die Freigaben eines Mandanten (mit Stand: gilt, Sperrfrist, zurückgezogen)',
  usage: `Aufruf: lagebild freigabe list --mandant AGS [--json]

Zeigt jede Freigabe des Mandanten, älteste zuerst, mit Id, Publikum, Form, Umfang, Sperrfrist,
Stand und wer sie erteilt hat; zurückgezogene bleiben sichtbar.

Optionen:
  --mandant AGS   wessen Freigaben (Pflicht)
  --json          die Freigaben vollständig als JSON`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { mandant: { type: 'string' }, json: { type: 'boolean', default: false } } });
    if (!values.mandant) throw new UsageError('--mandant fehlt.');
    if (!/^(\d{5}|\d{8})$/.test(values.mandant)) throw new UsageError(`--mandant "${values.mandant}" ist kein AGS (5 oder 8 Ziffern).`);
    return withTenancy('freigabe', async (ctx) => {
      const now = new Date();
      const releases = (await createTenantRegister(ctx.documents).releasesOf(values.mandant!)).map((r) => ({ ...r, status: releaseStatus(r, now) }));
      if (values.json) {
        console.log(JSON.stringify(releases, null, 2));
        return 0;
      }
      if (releases.length === 0) {
        console.log(`Der Mandant ${values.mandant} hat keine Freigaben. Erteilen mit: lagebild freigabe add --mandant ${values.mandant} --publikum ...`);
        return 0;
      }
      for (const line of table(
        ['Id', 'Publikum', 'Form', 'Umfang', 'Sperrfrist', 'Stand', 'Erteilt von'],
        releases.map((r) => [r.releaseId, AUDIENCE_SHORT[r.audience], r.form === 'RAW' ? 'roh' : 'geschuetzt', scope(r), when(r.embargoUntil), STATUS_TEXT[r.status] ?? r.status, `${r.grantedBy}, ${when(r.grantedAt)}`]),
      ))
        console.log(line);
      return 0;
    });
  },
};

const withdrawCommand: Command = {
  path: ['freigabe', 'zurueck'],
  summary: 'zieht eine Freigabe zurück',
  usage: `Aufruf: lagebild freigabe zurueck ID

Zieht die Freigabe zurück: ihr Publikum sieht die Zahlen von nun an nicht mehr. Schon
exportierte oder gedruckte Zahlen erreicht das nicht. Die Id zeigt lagebild freigabe list.`,
  async run(argv) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    if (positionals.length !== 1) throw new UsageError('Genau eine Id einer Freigabe angeben.');
    return withTenancy('freigabe', async (ctx) => {
      const release = await withdrawRelease(ctx, { releaseId: positionals[0]!, actor: cliActor() });
      console.log(`Freigabe ${release.releaseId} von ${release.tenant} zurückgezogen (${AUDIENCE_TEXT[release.audience]}, ${scope(release)}).`);
      return 0;
    });
  },
};

export const releaseCommands: readonly Command[] = [addCommand, listCommand, withdrawCommand];
