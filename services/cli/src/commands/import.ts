/**
 * `lagebild import DATEI --profile PROFIL [--tenant AGS] [--period P] [--encoding E]`: delivers a
 * file as a city's or Gemeinde's Sachbearbeiterin would, on this machine's data directory. The
 * same checks as an upload; a progress bar on stderr for large files (only on a terminal); on
 * rejection every finding in German and exit code 1; on acceptance a summary. The observation
 * read model is up to date when the command exits.
 *
 * The local operator is trusted like an administrator of the tenant named: a Kreis (5-digit
 * AGS) may deliver for the Gemeinden whose AGS starts with its own.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { createDeliveries, DeliveryRefusedError, describePeriod, type DeliveryFinding, type DeliveryView } from '@lagebild/ingestion';
import { Encoding } from '@lagebild/platform';
import { openCommandContext } from './context';
import { type Command, UsageError } from './types';

const USAGE = `Aufruf: lagebild import DATEI --profile PROFIL [Optionen]

Liefert eine Datei (CSV, XLSX, XLS oder JSON) nach einem Lieferprofil: sie wird vollständig
geprüft und nur dann erfasst, wenn sie keinen Fehler enthält. Dieselbe Datei ein zweites Mal
ändert nichts.

Optionen:
  --profile PROFIL        Lieferprofil, z. B. berlin-einwohner-lor (Pflicht; GET /profiles listet alle)
  --tenant AGS            Mandant, für den geliefert wird (5 oder 8 Ziffern); sonst der des Profils
  --period ZEITRAUM       Zeitraum, wenn Profil oder Dateiname ihn nicht nennen, z. B. 2024, 2024-02, 2024-Q3
  --encoding KODIERUNG    auto (Vorgabe), utf-8, utf-8-bom oder windows-1252

Beispiel:
  lagebild import berlin-lor-population-2024-02-t2-planning-areas.csv --profile berlin-einwohner-lor`;

const number = (n: number | null | undefined) => (n ?? 0).toLocaleString('de-DE');
/** "1 Variable", "8 Variablen". */
const counted = (n: number | null | undefined, one: string, many: string) => `${number(n)} ${n === 1 ? one : many}`;

function printFindings(findings: readonly DeliveryFinding[], write: (line: string) => void): void {
  for (const f of findings) write(`  - ${f.severity === 'warning' ? 'Hinweis: ' : ''}${f.message}`);
}

function summary(view: DeliveryView): string {
  const periods = view.periods.length <= 3 ? view.periods.map(describePeriod).join(', ') : `${describePeriod(view.periods[0]!)} bis ${describePeriod(view.periods[view.periods.length - 1]!)} (${view.periods.length} Zeiträume)`;
  return [
    `Lieferung ${view.deliveryId} angenommen.`,
    `  ${counted(view.rowCount, 'Zeile', 'Zeilen')}, ${counted(view.observationCount, 'Beobachtung', 'Beobachtungen')} (${number(view.valueCount)} mit Wert) für ${counted(view.areaCount, 'Gebiet', 'Gebiete')}.`,
    `  Zeitraum: ${periods}; Gebietsgliederung ${view.schemeId} Version ${view.schemeVersion}; ${counted(view.variables.length, 'Variable', 'Variablen')}.`,
    ...(view.supersedesDeliveryId ? [`  Korrigiert die Lieferung ${view.supersedesDeliveryId} (deren Werte bleiben als frühere Fassung lesbar).`] : []),
  ].join('\n');
}

export const importCommand: Command = {
  path: ['import'],
  summary: 'liefert eine Datei nach einem Lieferprofil (prüfen, dann vollständig oder gar nicht erfassen)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { profile: { type: 'string' }, tenant: { type: 'string' }, period: { type: 'string' }, encoding: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Die Datei fehlt.' : `Genau eine Datei angeben, nicht ${positionals.length}.`);
    if (!values.profile) throw new UsageError('--profile fehlt.');
    if (values.tenant !== undefined && !/^(\d{5}|\d{8})$/.test(values.tenant)) throw new UsageError(`--tenant: "${values.tenant}" ist kein AGS (5 oder 8 Ziffern).`);
    const encoding = values.encoding === undefined ? undefined : Encoding.safeParse(values.encoding);
    if (encoding && !encoding.success) throw new UsageError(`--encoding: "${values.encoding}" gibt es nicht; erlaubt: auto, utf-8, utf-8-bom, windows-1252.`);
    const file = path.resolve(positionals[0]!);
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) {
      console.error(`Fehler: Die Datei ${file} gibt es nicht oder sie ist nicht lesbar.`);
      return 1;
    }

    const context = await openCommandContext('import');
    const deliveries = createDeliveries(
      { eventStore: context.platform.eventStore, documents: context.platform.documents, logger: context.logger },
      { workDir: path.join(context.config.dataDir, 'ingestion'), background: false, recover: false },
    );
    let bar: SingleBar | undefined;
    try {
      await deliveries.start();
      const profile = await deliveries.catalog.getProfile(values.profile);
      if (!profile) {
        console.error(`Fehler: Das Lieferprofil „${values.profile}“ gibt es nicht. Vorhanden: ${(await deliveries.catalog.listProfiles()).map((p) => p.id).join(', ')}.`);
        return 1;
      }
      const tenant = values.tenant ?? profile.tenant;
      if (!tenant) throw new UsageError(`Das Lieferprofil „${profile.id}“ gilt für alle Mandanten: --tenant angeben.`);
      if (!/^(\d{5}|\d{8})$/.test(tenant)) throw new UsageError(`Der Mandant "${tenant}" ist kein AGS mit 5 oder 8 Ziffern; --tenant angeben.`);

      // Only on a terminal, and only where it helps: a file that takes more than a moment.
      if (process.stderr.isTTY && size > 8 * 1024 * 1024) {
        bar = new SingleBar({ format: 'Prüfe {bar} {percentage}% | {value}/{total} MB', stream: process.stderr, hideCursor: true, clearOnComplete: true });
        bar.start(Math.ceil(size / 1024 / 1024), 0);
      }
      const stored = await deliveries.service.localFile(file);
      const result = await deliveries.service.submit({
        file: stored,
        profileId: profile.id,
        tenant,
        ...(values.period ? { period: values.period } : {}),
        ...(encoding?.success ? { encoding: encoding.data } : {}),
        actor: `system:cli:${process.env.USER ?? 'lokal'}`,
        access: { owners: [tenant], prefixes: tenant.length === 5 ? [tenant] : [] },
        ...(bar ? { onProgress: (bytes: number) => bar!.update(Math.floor(bytes / 1024 / 1024)) } : {}),
      });
      await result.decided;
      bar?.stop();
      bar = undefined;
      // The read models (status, report, observations) are brought up to date before the command
      // exits, by the same catch-up the running service does in the background: GET /observations
      // shows the values right after the import, whether or not a service is running.
      await deliveries.projector.catchUp();
      const view = await deliveries.service.getDelivery(result.deliveryId);
      const report = await deliveries.service.getReport(result.deliveryId);
      if (!view) {
        console.error(`Fehler: Die Lieferung ${result.deliveryId} wurde nicht gefunden.`);
        return 1;
      }
      if (result.duplicate) console.log(`Diese Datei wurde mit dem Profil ${profile.id} schon geliefert (Lieferung ${view.deliveryId}); es wurde nichts geändert.`);
      if (view.status === 'abgelehnt') {
        const counts = Object.entries(report?.countsByCode ?? {}).map(([code, count]) => `${count} × ${code}`).join(', ');
        console.error(`Lieferung ${view.deliveryId} abgelehnt: ${number(report?.errorCount)} Fehler${report?.warningCount ? `, ${number(report.warningCount)} Hinweise` : ''}. Es wurde nichts erfasst.`);
        printFindings(report?.findings ?? [], (line) => console.error(line));
        if (report?.truncated) console.error(`  … die ersten ${report.findings.length} von ${number(report.errorCount + report.warningCount)} Befunden; insgesamt: ${counts}.`);
        return 1;
      }
      if (view.status !== 'angenommen') {
        console.error(`Lieferung ${view.deliveryId} ist noch nicht entschieden (Stand: ${view.status}); sie wird beim nächsten Start fortgesetzt.`);
        return 1;
      }
      console.log(summary(view));
      if (report && report.warningCount > 0) {
        console.log(`  ${number(report.warningCount)} Hinweise:`);
        printFindings(report.findings.filter((f) => f.severity === 'warning').slice(0, 20), (line) => console.log(line));
      }
      return 0;
    } catch (error) {
      bar?.stop();
      if (error instanceof DeliveryRefusedError) {
        console.error(`Fehler: ${error.finding.message}`);
        return 1;
      }
      throw error;
    } finally {
      await deliveries.stop();
      await context.close();
    }
  },
};
