/**
 * The data the suite delivers, and the data directory it starts from.
 *
 * Deliveries are Berlin's population per LOR-Planungsraum (the demo's real half-year files of the
 * Amt für Statistik Berlin-Brandenburg, CC BY 4.0, committed under services/cli/demo), delivered
 * with the shipped profile berlin-einwohner-lor: 542 rows and 11,382 observations per half-year;
 * for a year-end half-year (31.12.) the indicators service computes 4,440 indicator values (four
 * catalogue indicators over the 555 Planungsräume, Bezirke and Berlin, raw and protected), for a
 * mid-year one none. The long variant adds synthetic half-years from 2025 on (the last real one
 * with every count scaled by a seeded factor), and every run ends with a correction of the last
 * real half-year (a few foreigner counts one lower), so supersession is part of what must survive.
 *
 * The prepared data directory holds the spatial register only (Berlin's Bezirke and 542
 * Planungsräume 2021, Flensburg's 13 Stadtteile, imported with `lagebild areas import` as the
 * README shows) and the key file; each run works on its own copy of it.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmbeddedAuth, silentLogger } from '@lagebild/platform';
import { runCli } from './lagebild';
import type { Random } from './mode';

export const DEMO_DIR = path.resolve(__dirname, '../../../services/cli/demo');
export const POPULATION_DIR = path.join(DEMO_DIR, 'berlin/population');
export const FLENSBURG_FIXTURES = path.resolve(__dirname, '../../fixtures/flensburg');
export const BERLIN_PROFILE = 'berlin-einwohner-lor';
export const BERLIN_TENANT = '11000';
export const FLENSBURG_TENANT = '01001';

/** The eight real half-years, oldest first. */
export const HALF_YEARS = ['2021-01', '2021-02', '2022-01', '2022-02', '2023-01', '2023-02', '2024-01', '2024-02'] as const;
export const populationFile = (halfYear: string) => path.join(POPULATION_DIR, `berlin-lor-population-${halfYear}-t2-planning-areas.csv`);

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `lagebild-reliability-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Copies a data directory that no process has open (LMDB and chDB files are consistent at rest). */
export function copyDataDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

/**
 * A data directory with the spatial register: Berlin (Bezirke as draft, then the Planungsräume,
 * published as version 1 valid from 2021-01-01) and Flensburg's Stadtteile (valid from 2011).
 */
export async function prepareRegister(dataDir: string): Promise<void> {
  const geometry = path.join(DEMO_DIR, 'berlin/geometry');
  const steps: string[][] = [
    ['areas', 'import', path.join(geometry, 'bezirke.geojson'), '--scheme', 'berlin-lor-planungsraeume', '--name', 'Berlin LOR-Planungsräume', '--tenant', BERLIN_TENANT, '--profile', 'berlin-bezirke', '--valid-from', '2021-01-01', '--draft'],
    ['areas', 'import', path.join(geometry, 'lor_planungsraeume_2021.shp'), '--scheme', 'berlin-lor-planungsraeume', '--profile', 'berlin-lor-2021', '--valid-from', '2021-01-01'],
    ['areas', 'import', path.join(DEMO_DIR, 'flensburg/stadtteile.geojson'), '--scheme', 'flensburg-stadtteile', '--name', 'Flensburg Stadtteile', '--tenant', FLENSBURG_TENANT, '--profile', 'flensburg-stadtteile', '--valid-from', '2011-01-01'],
  ];
  for (const args of steps) {
    const { code, output } = await runCli(args, { dataDir });
    if (code !== 0) throw new Error(`lagebild ${args.slice(0, 3).join(' ')} fehlgeschlagen (${code}):\n${output}`);
  }
}

const CACHE_PREFIX = 'lagebild-reliability-register-';
const BUILT = ['cli', 'ingestion', 'platform'].map((p) => path.resolve(__dirname, `../../../services/${p}/dist`));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The prepared register (prepareRegister plus the key file), shared by the specs of one build:
 * made once under the system's temp folder, keyed by the build (the newest file of the CLI's,
 * ingestion's and platform's dist), and only ever copied, never opened in place. Two workers
 * that make it at the same time both finish; the first rename wins, the other copy is dropped.
 */
export async function cachedRegister(): Promise<string> {
  const key = createHash('sha1')
    .update(BUILT.map(newestMtime).join(','))
    .digest('hex')
    .slice(0, 12);
  const target = path.join(tmpdir(), `${CACHE_PREFIX}${key}`);
  if (existsSync(path.join(target, 'fertig'))) return target;
  const building = mkdtempSync(path.join(tmpdir(), `${CACHE_PREFIX}bau-`));
  try {
    await prepareRegister(building);
    await createEmbeddedAuth({ dataDir: building, logger: silentLogger() });
    writeFileSync(path.join(building, 'fertig'), '');
    renameSync(building, target);
  } catch (error) {
    removeDir(building);
    if (!existsSync(path.join(target, 'fertig'))) throw error;
  }
  // Registers of earlier builds go after an hour (a run of another checkout may still copy one).
  for (const name of readdirSync(tmpdir())) {
    const full = path.join(tmpdir(), name);
    if (name.startsWith(CACHE_PREFIX) && full !== target && Date.now() - statSync(full).mtimeMs > 3_600_000) removeDir(full);
  }
  return target;
}

// ---- the Berlin population files --------------------------------------------------------------

/** Column positions of the t2 table (header in the file). */
const COL = { total: 5, ageFirst: 6, ageLast: 13, female: 14, foreigners: 15, share: 16, ageShareFirst: 17, femaleShare: 25, foreignersShare: 26 } as const;

function readRows(file: string): { header: string; rows: string[][] } {
  const [header, ...lines] = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  return { header: header!, rows: lines.map((l) => l.split(',')) };
}

const share = (part: number, total: number) => (total === 0 ? '0.0' : String((part / total) * 100));

function recomputeShares(row: string[]): void {
  const total = Number(row[COL.total]);
  for (let i = 0; i <= COL.ageLast - COL.ageFirst; i += 1) row[COL.ageShareFirst + i] = share(Number(row[COL.ageFirst + i]), total);
  row[COL.femaleShare] = share(Number(row[COL.female]), total);
  row[COL.foreignersShare] = share(Number(row[COL.foreigners]), total);
}

function writeRows(file: string, header: string, rows: string[][]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${[header, ...rows.map((r) => r.join(','))].join('\n')}\n`);
}

/**
 * A synthetic half-year: every count of `from` scaled by its own seeded factor in [0.97, 1.03],
 * parts never above the total, shares recomputed, so it passes the profile's plausibility checks.
 */
export function syntheticHalfYear(from: string, halfYear: string, dir: string, random: Random): string {
  const { header, rows } = readRows(from);
  for (const row of rows) {
    const scale = (text: string | undefined) => Math.round(Number(text) * (0.97 + random.next() * 0.06));
    const ages: number[] = [];
    for (let i = COL.ageFirst; i <= COL.ageLast; i += 1) ages.push(scale(row[i]));
    const total = ages.reduce((a, b) => a + b, 0);
    row[COL.total] = String(total);
    ages.forEach((n, i) => (row[COL.ageFirst + i] = String(n)));
    row[COL.female] = String(Math.min(total, scale(row[COL.female])));
    row[COL.foreigners] = String(Math.min(total, scale(row[COL.foreigners])));
    row[COL.share] = total === 0 ? '0.0' : '100.0';
    recomputeShares(row);
  }
  const file = path.join(dir, `berlin-lor-population-${halfYear}-t2-planning-areas.csv`);
  writeRows(file, header, rows);
  return file;
}

/** A correction of a half-year: the foreigner count one lower in about every seventh populated row. */
export function correctionOf(halfYear: string, dir: string, random: Random): string {
  const { header, rows } = readRows(populationFile(halfYear));
  let changed = 0;
  for (const row of rows) {
    const foreigners = Number(row[COL.foreigners]);
    if (foreigners > 0 && random.next() < 1 / 7) {
      row[COL.foreigners] = String(foreigners - 1);
      recomputeShares(row);
      changed += 1;
    }
  }
  if (changed === 0) throw new Error('Korrektur ohne Änderung');
  const file = path.join(dir, `berlin-lor-population-${halfYear}-t2-planning-areas-korrektur.csv`);
  writeRows(file, header, rows);
  return file;
}

/** What a run delivers, in steps: each step's files are delivered in order, and a step waits until the previous one is decided. */
export type DeliveryPlan = ReadonlyArray<readonly string[]>;

export interface PlanOptions {
  halfYears: number;
  syntheticHalfYears: number;
}

/**
 * The last `halfYears` real half-years and the synthetic ones as the first step, the correction
 * of the last real one as the second (a correction comes after what it corrects has been decided,
 * as a Sachbearbeiterin would send it).
 */
export function buildPlan(options: PlanOptions, dir: string, random: Random): DeliveryPlan {
  const real = HALF_YEARS.slice(HALF_YEARS.length - options.halfYears);
  const synthetic: string[] = [];
  for (let i = 0; i < options.syntheticHalfYears; i += 1) {
    const halfYear = `${2025 + Math.floor(i / 2)}-0${(i % 2) + 1}`;
    synthetic.push(syntheticHalfYear(populationFile('2024-02'), halfYear, dir, random));
  }
  return [[...real.map(populationFile), ...synthetic], [correctionOf(real[real.length - 1]!, dir, random)]];
}

export function planFiles(plan: DeliveryPlan): string[] {
  return plan.flat();
}
