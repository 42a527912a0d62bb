/**
 * The reliability report: every fault the suite tried, how often, and what happened, written to
 * `.test-output/reliability-report.md` under the repository root (the folder `npm test` creates
 * and empties first).
 *
 * Each spec runs in its own jest worker, so each writes its own section file
 * (`.test-output/reliability/<spec>.md`, replaced on every run of that spec) and then rebuilds
 * the combined report from all section files; the rename makes the rebuild atomic, so two
 * workers finishing together cannot leave a torn report. A section carries its run's date,
 * variant and seed, so a section left from an earlier run (a spec not run this time) is
 * recognisable as such.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Mode } from './mode';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
const OUTPUT_DIR = path.join(REPO_ROOT, '.test-output');
const SECTIONS_DIR = path.join(OUTPUT_DIR, 'reliability');
export const REPORT_FILE = path.join(OUTPUT_DIR, 'reliability-report.md');

export type Outcome = 'bestanden' | 'fehlgeschlagen' | 'übersprungen';

export interface FaultRecord {
  /** The fault, e.g. "SIGKILL während des Imports". */
  fault: string;
  /** How often it was tried. */
  tries: number;
  outcome: Outcome;
  /** What was observed, in a sentence or two. */
  detail: string;
}

export interface FaultReport {
  /** Adds or extends a fault's row: tries add up, a failure or skip sticks, details are joined. */
  record(entry: FaultRecord): void;
  /** A free line under the table (seeds, timings, limitations). */
  note(line: string): void;
  /** Writes the section and rebuilds the combined report. */
  write(): void;
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function createFaultReport(name: string, title: string, mode: Mode): FaultReport {
  const rows = new Map<string, FaultRecord>();
  const notes: string[] = [];
  const started = new Date();
  return {
    record(entry) {
      const previous = rows.get(entry.fault);
      if (!previous) {
        rows.set(entry.fault, { ...entry });
        return;
      }
      previous.tries += entry.tries;
      if (previous.outcome === 'bestanden') previous.outcome = entry.outcome;
      if (entry.detail && !previous.detail.includes(entry.detail)) previous.detail = `${previous.detail}; ${entry.detail}`;
    },
    note(line) {
      notes.push(line);
    },
    write() {
      const seconds = ((Date.now() - started.getTime()) / 1000).toLocaleString('de-DE', { maximumFractionDigits: 0 });
      const lines = [
        `## ${title}`,
        '',
        `Lauf ${started.toISOString()}, Variante ${mode.variant}, Seed ${mode.seed} (wiederholen mit LAGEBILD_RELIABILITY_SEED=${mode.seed}), Dauer ${seconds} s.`,
        '',
        '| Fehler | Versuche | Ergebnis | Beobachtet |',
        '|---|---:|---|---|',
        ...[...rows.values()].map((r) => `| ${escapeCell(r.fault)} | ${r.tries} | ${r.outcome} | ${escapeCell(r.detail)} |`),
        ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
        '',
      ];
      mkdirSync(SECTIONS_DIR, { recursive: true });
      writeFileSync(path.join(SECTIONS_DIR, `${name}.md`), lines.join('\n'));
      rebuild();
    },
  };
}

function rebuild(): void {
  const sections = readdirSync(SECTIONS_DIR)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => readFileSync(path.join(SECTIONS_DIR, f), 'utf8'));
  const text = [
    '# Zuverlässigkeitsbericht',
    '',
    'Geschrieben von test/reliability (`npx jest reliability` im Ordner test; lange Variante mit LAGEBILD_RELIABILITY=long).',
    'Jede Zeile: ein versuchter Fehler, wie oft, und was danach galt.',
    '',
    ...sections,
  ].join('\n');
  const temporary = `${REPORT_FILE}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, REPORT_FILE);
}
