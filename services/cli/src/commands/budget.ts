/**
 * `lagebild budget …`: what a Controller does on the machine with the data directory.
 *
 * - `budget import DATEI --profile P [--tenant AGS]`: a finance system's export (plan or Ist) by
 *   an import profile; all or nothing, the same file twice changes nothing; on rejection every
 *   finding in German and exit code 1.
 * - `budget bericht --jahr J [--quartal Q | --monat M] [--tenant AGS] [--alle]`: the
 *   Abweichungsbericht (per Produkt: fortgeschriebener Ansatz, Ist bis zum Stichtag,
 *   Hochrechnung, Abweichung, Kommentar); `--pruefen` records the check (ForecastComputed,
 *   DeviationDetected) as `POST …/abweichungen/pruefen` does.
 * - `budget praevention [--tenant AGS]`: the preventive share over the years.
 *
 * The local operator is trusted like the tenant's Controlling.
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createBudgetService, formatEuro, type BudgetService } from '@lagebild/budget';
import { openCommandContext } from './context';
import { type Command, UsageError } from './types';

const AGS = /^(\d{5}|\d{8})$/;
const number = (n: number) => n.toLocaleString('de-DE');
const percent = (x: number | null) => (x === null ? '–' : `${(x * 100).toLocaleString('de-DE', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`);

async function withBudget<T>(work: (service: BudgetService) => Promise<T>): Promise<T> {
  const context = await openCommandContext('budget');
  const service = createBudgetService({ eventStore: context.platform.eventStore, documents: context.platform.documents, logger: context.logger });
  try {
    return await work(service);
  } finally {
    await service.projector.stop();
    await context.close();
  }
}

function tenantOption(value: string | undefined, fallback?: string | null): string {
  const tenant = value ?? fallback ?? undefined;
  if (!tenant) throw new UsageError('--tenant fehlt (das Importprofil gilt für alle Mandanten).');
  if (!AGS.test(tenant)) throw new UsageError(`--tenant: "${tenant}" ist kein AGS (5 oder 8 Ziffern).`);
  return tenant;
}

const IMPORT_USAGE = `Aufruf: lagebild budget import DATEI --profile PROFIL [--tenant AGS]

Importiert den Export eines Finanzverfahrens (Plan oder Ist, CSV oder XLSX) nach einem
Importprofil: die Datei wird vollständig geprüft und nur dann erfasst, wenn sie keinen Fehler
enthält. Dieselbe Datei ein zweites Mal ändert nichts; Buchungen, die ein früherer Import schon
erfasst hat, werden übersprungen.

Optionen:
  --profile PROFIL   Importprofil, z. B. muenster-ergebnisse (Pflicht; GET /api/budget/import-profiles listet alle)
  --tenant AGS       Mandant (5 oder 8 Ziffern); sonst der des Profils

Beispiel:
  lagebild budget import ../shared/data/budget/muenster_ergebnisse_2007_2016.csv --profile muenster-ergebnisse`;

export const budgetImportCommand: Command = {
  path: ['budget', 'import'],
  summary: 'importiert Plan- oder Ist-Daten eines Finanzverfahrens (prüfen, dann vollständig oder gar nicht)',
  usage: IMPORT_USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { profile: { type: 'string' }, tenant: { type: 'string' } } });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Die Datei fehlt.' : `Genau eine Datei angeben, nicht ${positionals.length}.`);
    if (!values.profile) throw new UsageError('--profile fehlt.');
    const file = path.resolve(positionals[0]!);
    if (!(await stat(file).then((s) => s.isFile(), () => false))) {
      console.error(`Fehler: Die Datei ${file} gibt es nicht oder sie ist nicht lesbar.`);
      return 1;
    }
    return withBudget(async (service) => {
      const profile = await service.profiles.get(values.profile!);
      if (!profile) {
        console.error(`Fehler: Das Importprofil „${values.profile}“ gibt es nicht.`);
        return 1;
      }
      const tenant = tenantOption(values.tenant, profile.tenant);
      let result;
      try {
        result = await service.importFile({ tenant, profileId: profile.id, filePath: file, actor: `system:cli:${process.env.USER ?? 'lokal'}` });
      } catch (error) {
        if (error instanceof Error && error.name === 'BudgetRefusal') {
          console.error(`Fehler: ${error.message}`);
          return 1;
        }
        throw error;
      }
      const v = result.view;
      if (result.duplicate) console.log(`Diese Datei wurde mit dem Profil ${profile.id} schon importiert (Import ${v.importId}); es wurde nichts geändert.`);
      if (v.status === 'abgelehnt') {
        console.error(`Import ${v.importId} abgelehnt: ${number(v.errorCount)} Fehler${v.warningCount ? `, ${number(v.warningCount)} Hinweise` : ''}. Es wurde nichts erfasst.`);
        for (const f of v.findings) console.error(`  - ${f.severity === 'warning' ? 'Hinweis: ' : ''}${f.message}`);
        if (v.truncated) console.error(`  … die ersten ${v.findings.length} Befunde.`);
        return 1;
      }
      if (!result.duplicate) {
        console.log(`Import ${v.importId} angenommen.`);
        console.log(`  ${number(v.rowCount)} Zeilen; Haushaltsjahre ${v.years.join(', ')}.`);
        console.log(`  ${number(v.postingCount)} Buchungen neu (${formatEuro(v.actualCents)}), ${number(v.skippedPostingCount)} schon erfasst oder unverändert; ${number(v.appropriationCount)} Veranschlagungen (Ansatz, Nachtrag, Planung).`);
        for (const f of v.findings.filter((x) => x.severity === 'warning')) console.log(`  - Hinweis: ${f.message}`);
      }
      return 0;
    });
  },
};

const REPORT_USAGE = `Aufruf: lagebild budget bericht --jahr JAHR [--quartal Q | --monat M] [--tenant AGS] [--alle] [--pruefen]

Zeigt den Abweichungsbericht: je Produkt und Kontenart den fortgeschriebenen Ansatz, das Ist bis
zum Stichtag (Ende des Quartals oder Monats), die Hochrechnung zum Jahresende, die Abweichung und
den Kommentar der verantwortlichen Person. Ohne --alle nur die Zeilen über der Schwelle.

Optionen:
  --jahr JAHR      Haushaltsjahr (Pflicht)
  --quartal Q      1 bis 4 (Stichtag Quartalsende); sonst --monat M (1 bis 12), sonst Jahresende
  --tenant AGS     Mandant (5 oder 8 Ziffern, Pflicht)
  --alle           alle Produkte, nicht nur die auffälligen
  --pruefen        Hochrechnung und Abweichungen festhalten (Ereignisse, wie POST …/abweichungen/pruefen)`;

export const budgetReportCommand: Command = {
  path: ['budget', 'bericht'],
  summary: 'zeigt den Abweichungsbericht eines Haushaltsjahres (Ansatz, Ist, Hochrechnung, Abweichung)',
  usage: REPORT_USAGE,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { jahr: { type: 'string' }, quartal: { type: 'string' }, monat: { type: 'string' }, tenant: { type: 'string' }, alle: { type: 'boolean' }, pruefen: { type: 'boolean' } } });
    const year = Number(values.jahr);
    if (!Number.isInteger(year) || year < 1990 || year > 2100) throw new UsageError('--jahr fehlt oder ist kein Haushaltsjahr.');
    if (values.quartal && values.monat) throw new UsageError('Entweder --quartal oder --monat angeben.');
    const month = values.quartal ? Number(values.quartal) * 3 : values.monat ? Number(values.monat) : 12;
    if (!Number.isInteger(month) || month < 1 || month > 12) throw new UsageError('--quartal: 1 bis 4, --monat: 1 bis 12.');
    const tenant = tenantOption(values.tenant);
    return withBudget(async (service) => {
      if (values.pruefen) {
        const checked = await service.checkDeviations({ tenant, subject: `system:cli:${process.env.USER ?? 'lokal'}` }, year, month);
        console.log(`Hochrechnung zum ${checked.forecast.cutOffDate} festgehalten: ${checked.detected.length} Abweichungen, ${checked.recorded} neu.`);
      }
      const report = await service.abweichungsbericht(tenant, year, month);
      const rows = report.rows.filter((r) => values.alle || r.flagged);
      console.log(`Abweichungsbericht ${year}, Stichtag ${report.cutOffDate.split('-').reverse().join('.')} (Mandant ${tenant}): ${rows.length} ${values.alle ? 'Zeilen' : 'Abweichungen über der Schwelle'}.`);
      for (const r of rows) {
        const label = r.level === 'PRODUKT' ? 'Produkt' : r.level === 'PRODUKTGRUPPE' ? 'Produktgruppe' : 'Produktbereich';
        console.log(`  ${label} ${r.code}${r.name !== r.code ? ` ${r.name}` : ''} (${r.accountKind === 'ERTRAG' ? 'Ertrag' : r.accountKind === 'AUFWAND' ? 'Aufwand' : r.accountKind})`);
        console.log(`    fortgeschr. Ansatz ${formatEuro(r.plannedCents)} | Ist bis Stichtag ${formatEuro(r.actualToDateCents)} | Hochrechnung ${formatEuro(r.forecastCents)} (${r.method ?? 'Summe'}) | Abweichung ${formatEuro(r.deviationCents)} (${percent(r.deviationRatio)})${r.flagged ? (r.unfavourable ? ' – ungünstig' : ' – günstig') : ''}`);
        if (r.comment) console.log(`    Kommentar (${r.comment.author}): ${r.comment.text}${r.comment.measures ? ` Maßnahmen: ${r.comment.measures}` : ''}`);
      }
      return 0;
    });
  },
};

export const budgetPreventionCommand: Command = {
  path: ['budget', 'praevention'],
  summary: 'zeigt den Präventionsanteil des Aufwands über die Jahre',
  usage: 'Aufruf: lagebild budget praevention --tenant AGS\n\nPräventionsanteil = Aufwand präventiv / (Aufwand präventiv + Einzelfallhilfe), je Jahr aus dem Ist, für Planjahre aus dem Ansatz.',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { tenant: { type: 'string' } } });
    const tenant = tenantOption(values.tenant);
    return withBudget(async (service) => {
      for (const y of await service.preventiveShare(tenant)) {
        console.log(`${y.year} (${y.basis === 'IST' ? 'Ist' : 'Plan'}): Präventionsanteil ${percent(y.praeventionsanteil)}${y.changePoints === null ? '' : ` (${y.changePoints >= 0 ? '+' : ''}${y.changePoints.toLocaleString('de-DE')} Prozentpunkte)`}; präventiv ${formatEuro(y.byPrevention.PRAEVENTIV)}, Einzelfallhilfe ${formatEuro(y.einzelfallhilfeCents)}, nicht zugeordnet ${formatEuro(y.byPrevention.NICHT_ZUGEORDNET)}`);
      }
      return 0;
    });
  },
};

export const budgetCommands: readonly Command[] = [budgetImportCommand, budgetReportCommand, budgetPreventionCommand];
