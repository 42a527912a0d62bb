/**
 * `lagebild goals import DATEI [--tenant AGS]`: loads a goal system written as YAML or JSON
 * (format: services/goals/README.md, "Zielsystem als Datei") on this machine's data directory.
 * The file is checked completely first; on any problem every one is printed with line and
 * column, nothing is written and the exit code is 1. The same file again changes nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCodec, outboxMapper } from '@lagebild/contracts';
import { createGoals, formatProblem, importGoalSystem, type ImportAccepted, type ImportCounts, STATUS_NAMES } from '@lagebild/goals';
import { catalogueStream, createIndicators, SHIPPED_CATALOGUE_DIR } from '@lagebild/indicators';
import { type CommandContext, openCommandContext } from './context';
import { type Command, UsageError } from './types';

const USAGE = `Aufruf: lagebild goals import DATEI [--tenant AGS]

Lädt ein Zielsystem aus einer YAML- oder JSON-Datei: Ziele mit Zielwerten und Kontextkennzahlen,
Maßnahmen, Träger und Verträge. Die Datei wird vollständig geprüft und nur dann übernommen, wenn
sie keinen Fehler enthält; jeder Fehler nennt Zeile und Spalte. Dieselbe Datei ein zweites Mal
ändert nichts; eine geänderte Datei schreibt die betroffenen Einträge fort. Was im Zielsystem
steht, aber nicht in der Datei, wird nur aufgelistet (nicht beendet).

Optionen:
  --tenant AGS            Mandant (5 oder 8 Ziffern); sonst der der Datei (mandant:)

Beispiel:
  lagebild goals import services/goals/scenarios/bamberg.yaml --tenant 09461`;

const number = (n: number) => n.toLocaleString('de-DE');

function tally(label: string, c: ImportCounts): string {
  return `  ${label}: ${number(c.created)} neu, ${number(c.changed)} geändert, ${number(c.unchanged)} unverändert`;
}

function summary(s: ImportAccepted): string[] {
  const lines = [
    `Zielsystem ${s.title ? `„${s.title}“ ` : ''}aus ${s.fileName} für den Mandanten ${s.tenant} übernommen (${number(s.events)} ${s.events === 1 ? 'Ereignis' : 'Ereignisse'}).`,
    tally('Ziele', s.goals),
    tally('Zielwerte', s.targets),
    tally('Maßnahmen', s.measures),
    tally('Träger', s.traeger),
    tally('Verträge', s.contracts),
  ];
  const judged = s.targetOutcomes.filter((t) => t.latest !== null);
  if (judged.length > 0) {
    lines.push('  Zielerreichung nach den vorliegenden Werten:');
    for (const t of judged) {
      const l = t.latest!;
      const actual = l.actualValue === null ? 'kein Wert' : l.actualValue.toLocaleString('de-DE', { maximumFractionDigits: 2 });
      lines.push(`    - ${t.goalKey}/${t.targetKey} (${t.indicatorId}): ${STATUS_NAMES[l.status]} zum ${l.periodEnd} (Ist ${actual}, Ziel ${l.resolvedTargetValue.toLocaleString('de-DE', { maximumFractionDigits: 2 })})`);
    }
  }
  const waiting = s.targetOutcomes.filter((t) => t.latest === null);
  if (waiting.length > 0) lines.push(`  ${number(waiting.length)} ${waiting.length === 1 ? 'Zielwert wartet' : 'Zielwerte warten'} auf Werte ihrer Kennzahl: ${waiting.map((t) => `${t.goalKey}/${t.targetKey} (${t.indicatorId})`).join(', ')}.`);
  const missing = s.notInFile;
  const listed: Array<[string, string[]]> = [
    ['Ziele', missing.goals.map((g) => `„${g.title}“ (${g.goalId})`)],
    ['Zielwerte', missing.targets.map((t) => `${t.goalKey}: ${t.indicatorId} (${t.targetId})`)],
    ['Maßnahmen', missing.measures.map((m) => `„${m.title}“ (${m.measureId})`)],
    ['Träger', missing.traeger.map((t) => `„${t.name}“ (${t.traegerId})`)],
    ['Verträge', missing.contracts.map((v) => `„${v.title}“ (${v.contractId})`)],
  ];
  for (const [what, entries] of listed) {
    if (entries.length === 0) continue;
    lines.push(`  Im Zielsystem, aber nicht in der Datei (bleiben unverändert) – ${what}:`);
    for (const e of entries) lines.push(`    - ${e}`);
  }
  for (const note of s.notes) lines.push(`  Hinweis: ${note}`);
  return lines;
}

/**
 * The goals service learns the indicator catalogue from the indicators' events (its consumer). On a
 * data directory where the platform has not run yet, or has not relayed them yet, this command
 * seeds the shipped catalogue (idempotent) and hands the definition events to the goals module
 * itself, as its consumer would: targets can then name every catalogue indicator at once.
 */
async function knowCatalogue(context: CommandContext, tenant: string | undefined): Promise<void> {
  const { eventStore, documents } = context.platform;
  const indicators = createIndicators({ eventStore, documents });
  await indicators.catalogue.seedShipped(SHIPPED_CATALOGUE_DIR, new Date());
  const codec = createCodec();
  const toRecord = outboxMapper(codec);
  const goals = createGoals({ eventStore, documents }, codec);
  const catalogue = await indicators.catalogue.forTenant(tenant ?? '00000');
  for (const entry of [...catalogue.indicators.values(), ...catalogue.indices.values()]) {
    const events = await eventStore.readStream(catalogueStream(entry.scope, entry.kind, entry.id));
    const records = events.map((e) => toRecord(e)).filter((r): r is NonNullable<typeof r> => r !== undefined);
    await goals.handle(records.map((r) => r.record));
  }
}

const importGoals: Command = {
  path: ['goals', 'import'],
  summary: 'lädt ein Zielsystem aus einer YAML- oder JSON-Datei (prüfen, dann vollständig oder gar nicht übernehmen)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { tenant: { type: 'string' } } });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Die Datei fehlt.' : `Genau eine Datei angeben, nicht ${positionals.length}.`);
    if (values.tenant !== undefined && !/^(\d{5}|\d{8})$/.test(values.tenant)) throw new UsageError(`--tenant: "${values.tenant}" ist kein AGS (5 oder 8 Ziffern).`);
    const file = path.resolve(positionals[0]!);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) {
      console.error(`Fehler: Die Datei ${file} gibt es nicht oder sie ist nicht lesbar.`);
      return 1;
    }

    const context = await openCommandContext('goals-import');
    try {
      await knowCatalogue(context, values.tenant);
      const result = await importGoalSystem(
        { eventStore: context.platform.eventStore, documents: context.platform.documents, logger: context.logger },
        { fileName: positionals[0]!, text, ...(values.tenant ? { tenant: values.tenant } : {}), actor: { subject: `system:cli:${process.env.USER ?? 'lokal'}` } },
      );
      if (!result.accepted) {
        console.error(`Zielsystem aus ${result.fileName} nicht übernommen: ${number(result.problems.length)} Fehler. Es wurde nichts geschrieben.`);
        for (const p of result.problems) console.error(`  ${formatProblem(p)}`);
        return 1;
      }
      for (const line of summary(result)) console.log(line);
      return 0;
    } finally {
      await context.close();
    }
  },
};

export const goalsCommands: readonly Command[] = [importGoals];
