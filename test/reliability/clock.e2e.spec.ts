/**
 * Clock jumps under a running `lagebild start`: the wall clock is set back (a day, then minutes)
 * and forward (days, a year) between deliveries, while the server runs, as an NTP step or an
 * operator would. The services take time as input at their edges (`new Date()` for recordedAt,
 * occurredAt, computedAt, token checks), so a jump reaches everything they record; what must not
 * depend on it are the ordering guarantees: event positions and stream versions gap-free and in
 * append order, every log record delivered to every consumer group, a correction superseding the
 * delivery it corrects, and the warehouse equal to the same deliveries made without a jump (also
 * after a replay).
 *
 * The clock of the server process is shifted by support/clock-shift.cjs (loaded with
 * `node --require`; faketime is not installed, and the platform has no clock setting). Tokens
 * are issued by `lagebild token create` under the same shifted clock, since a token issued a day
 * "in the future" is rightly refused.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cachedRegister, copyDataDir, correctionOf, populationFile, removeDir, tempDir, type DeliveryPlan } from './support/data';
import { issueTokens, type Tokens } from './support/http';
import { Installation } from './support/installation';
import { killAll, requireBuiltCli, runCli } from './support/lagebild';
import { createRandom, readMode } from './support/mode';
import { createFaultReport } from './support/report';
import { advance, PlanProgress } from './support/run';
import { describeServices, type ConsumerInfo } from './support/services';
import { describeSnapshot, snapshot, type Snapshot } from './support/warehouse';

const mode = readMode();
const report = createFaultReport('5-uhr', 'Uhrsprünge im laufenden Server', mode);
const SHIM = path.resolve(__dirname, 'support/clock-shift.cjs');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The jumps, applied one after another before each further step (offsets add up). */
const JUMPS: ReadonlyArray<{ name: string; ms: number }> = [
  { name: 'einen Tag zurück', ms: -DAY },
  { name: 'drei Tage vor', ms: 3 * DAY },
  { name: 'zehn Minuten zurück', ms: -10 * MINUTE },
  { name: 'ein Jahr vor', ms: 365 * DAY },
].slice(0, mode.clockJumps);

let work: string;
let base: string;
let tokens: Tokens;
let consumers: ConsumerInfo[];
/** One step more than jumps: before the first jump, and after each. A correction follows the half-year it corrects. */
let plan: DeliveryPlan;
/** The warehouse after each step of the run without jumps. */
let reference: Snapshot[] | undefined;

beforeAll(async () => {
  requireBuiltCli();
  work = tempDir('clock');
  base = await cachedRegister();
  tokens = await issueTokens(base);
  consumers = (await describeServices()).flatMap((s) => s.consumers);
  const files = path.join(work, 'files');
  const random = createRandom(mode.seed);
  // Year-end half-years (31.12.), for which the catalogue computes indicator values, so the
  // correction after the first jump (the clock a day back) must change indicator values too.
  const steps: string[][] = [[populationFile('2024-02')], [correctionOf('2024-02', files, random)], [populationFile('2023-02')], [populationFile('2022-02')], [correctionOf('2023-02', files, random)]];
  plan = steps.slice(0, JUMPS.length + 1);
}, 300_000);

afterAll(() => {
  killAll();
  report.write();
  removeDir(work);
});

/** An installation whose server runs under the shifted clock of `clockFile`. */
function clockEnv(clockFile: string): Record<string, string> {
  return { NODE_OPTIONS: `--require ${SHIM}`, RELIABILITY_CLOCK_FILE: clockFile };
}

/** Tokens as `lagebild token create` issues them under the same shifted clock. */
async function shiftedTokens(dataDir: string, env: Record<string, string>): Promise<Tokens> {
  const create = async (tenant: string, role: string) => {
    const result = await runCli(['token', 'create', '--tenant', tenant, '--role', role], { dataDir, env });
    if (result.code !== 0) throw new Error(`token create: ${result.output}`);
    return result.output.trim().split('\n').pop()!;
  };
  return { ...tokens, berlinDelivery: await create('11000', 'datenlieferung'), operator: await create('00000', 'admin') };
}

describe('clock jumps', () => {
  it('delivers the steps without a jump (the reference)', async () => {
    const dir = path.join(work, 'reference');
    copyDataDir(base, dir);
    const installation = await Installation.open(dir, consumers);
    try {
      const server = await installation.start();
      const progress = new PlanProgress(plan);
      const snapshots: Snapshot[] = [];
      for (let step = 0; step < plan.length; step += 1) {
        await advance(progress, server, tokens, { untilStep: step + 1 });
        await installation.probe.settled();
        snapshots.push(await snapshot(server.url, tokens.operator));
      }
      expect(snapshots[snapshots.length - 1]!.fact_delivery!.rows).toBe(plan.flat().length);
      reference = snapshots;
    } finally {
      await installation.close();
    }
  }, 300_000);

  it('keeps positions, versions, offsets, supersession and the warehouse as without jumps, also after a replay', async () => {
    if (!reference) throw new Error('Der Referenzlauf ist fehlgeschlagen.');
    const dir = path.join(work, 'jumped');
    copyDataDir(base, dir);
    const clockFile = path.join(work, 'uhr');
    writeFileSync(clockFile, '0');
    const env = clockEnv(clockFile);
    const installation = await Installation.open(dir, consumers, env);
    const defects: string[] = [];
    try {
      const server = await installation.start();
      const progress = new PlanProgress(plan);
      let offset = 0;
      let current = await shiftedTokens(dir, env);
      for (let step = 0; step < plan.length; step += 1) {
        if (step > 0) {
          const jump = JUMPS[step - 1]!;
          offset += jump.ms;
          writeFileSync(clockFile, String(offset));
          await new Promise((resolve) => setTimeout(resolve, 100));
          current = await shiftedTokens(dir, env);
        }
        await advance(progress, server, current, { untilStep: step + 1 });
        // After every step, not only at the end: a later delivery may recompute what a jump got wrong.
        const label = step === 0 ? 'vor dem ersten Sprung' : `nach „${JUMPS[step - 1]!.name}“ und der Lieferung ${path.basename(plan[step]![0]!)}`;
        const mismatch = await installation.expectWarehouse(reference[step]!, { ...tokens, operator: current.operator }, label).then(
          () => null,
          (error: Error) => error.message,
        );
        if (mismatch) defects.push(mismatch);
      }
      const final = reference[reference.length - 1]!;

      // Ordering guarantees in the store: positions in append order, versions gap-free per stream,
      // while recordedAt went backwards at least once (the jump reached the server).
      const events = await installation.probe.eventsSince(0);
      let backwards = 0;
      const versions = new Map<string, number>();
      for (let i = 0; i < events.length; i += 1) {
        const e = events[i]!;
        if (i > 0 && e.position <= events[i - 1]!.position) defects.push(`Position ${e.position} nach ${events[i - 1]!.position}`);
        if (i > 0 && Date.parse(e.recordedAt) < Date.parse(events[i - 1]!.recordedAt)) backwards += 1;
        const expectedVersion = (versions.get(e.stream) ?? 0) + 1;
        if (e.version !== expectedVersion) defects.push(`Stream ${e.stream}: Version ${e.version} statt ${expectedVersion}`);
        versions.set(e.stream, e.version);
      }
      if (backwards === 0) defects.push('recordedAt lief nie rückwärts: der Uhrsprung hat den Server nicht erreicht');
      const pipeline = await installation.probe.pipeline();
      if (Object.values(pipeline.lag).some((n) => n > 0) || pipeline.unpublished > 0) defects.push(`nicht alles zugestellt: ${JSON.stringify(pipeline)}`);

      const replay = await runCli(['replay'], { dataDir: dir, port: installation.port, env });
      if (replay.code !== 0) defects.push(`lagebild replay: Code ${replay.code}: ${replay.output.slice(0, 200)}`);
      const afterReplay = await installation.expectWarehouse(final, { ...tokens, operator: current.operator }, 'nach dem Neuaufbau unter verstellter Uhr').then(
        () => null,
        (error: Error) => error.message,
      );
      if (afterReplay) defects.push(afterReplay);

      report.record({
        fault: `Uhr im laufenden Server verstellt: ${JUMPS.map((j) => j.name).join(', ')}`,
        tries: JUMPS.length,
        outcome: defects.length === 0 ? 'bestanden' : 'fehlgeschlagen',
        detail:
          defects.length === 0
            ? `${events.length} Ereignisse in Positions- und Versionsreihenfolge (recordedAt ${backwards}× rückwärts), alles zugestellt, Warehouse nach jedem Schritt gleich dem Lauf ohne Sprünge (am Ende ${describeSnapshot(final)}), auch nach dem Neuaufbau`
            : defects.slice(0, 4).join(' | '),
      });
      expect(defects).toEqual([]);
    } finally {
      await installation.close();
    }
  }, 600_000);
});
