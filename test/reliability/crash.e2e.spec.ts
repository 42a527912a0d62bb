/**
 * Crash safety of the whole platform as `lagebild start` runs it: the process is killed with
 * SIGKILL (no shutdown hook runs, nothing is flushed) at seeded random moments
 * - while Berlin's population files are being uploaded and checked (the import),
 * - after every file was acknowledged, while observations, indicator values and the warehouse
 *   projection are still being written (the projection),
 * - while `lagebild replay` has the running warehouse service rebuild its tables (online), and
 * - while `lagebild replay` rebuilds the warehouse itself with the server stopped (offline);
 * after each kill it is restarted on the same data directory, the client goes on as a user
 * would (sends again what was not acknowledged), and once the pipeline has drained the warehouse
 * must equal the run without faults exactly: per table and serving view the same row count and
 * the same checksum over every row (support/warehouse.ts). No acknowledged delivery may be lost
 * (it must be decided after the restart), none may be counted twice, and the event store must
 * hold the same ingestion events as the run without faults.
 *
 * The reference run delivers the same plan without faults, replays online and offline, and
 * measures how long each phase takes: the kill moments are drawn from those durations.
 */
import path from 'node:path';
import { buildPlan, cachedRegister, copyDataDir, planFiles, removeDir, tempDir, type DeliveryPlan } from './support/data';
import { issueTokens, type Tokens } from './support/http';
import { Installation } from './support/installation';
import { killAll, requireBuiltCli, runCli, sleep, spawnCli, type Server } from './support/lagebild';
import { createRandom, readMode, type Random } from './support/mode';
import { createFaultReport } from './support/report';
import { advance, isConnectionError, PlanProgress } from './support/run';
import { describeServices, type ConsumerInfo } from './support/services';
import { describeSnapshot, snapshot, type Snapshot } from './support/warehouse';

const mode = readMode();
const random = createRandom(mode.seed);
const report = createFaultReport('1-absturz', 'Absturz: SIGKILL bei Import, Projektion und Neuaufbau', mode);

/** Event types whose number is fixed by the delivered files (the ingestion's and the register's); computation runs vary with batching. */
const FIXED_EVENT_TYPES = /^(Delivery|Observations|Area|Scheme|Gemeindeverzeichnis)/;

let work: string;
let base: string;
let plan: DeliveryPlan;
let tokens: Tokens;
let consumers: ConsumerInfo[];

interface Reference {
  snapshot: Snapshot;
  events: Record<string, number>;
  /** From the first upload until every delivery is decided. */
  importMs: number;
  /** From then until the pipeline has drained. */
  projectionMs: number;
  replayMs: number;
  offlineReplayMs: number;
}
let reference: Reference | undefined;

beforeAll(async () => {
  requireBuiltCli();
  console.log(`Zuverlässigkeit, Absturz: Variante ${mode.variant}, Seed ${mode.seed} (LAGEBILD_RELIABILITY_SEED=${mode.seed} wiederholt die Wahl)`);
  work = tempDir('crash');
  base = await cachedRegister();
  tokens = await issueTokens(base);
  plan = buildPlan(mode, path.join(work, 'files'), random.fork());
  consumers = (await describeServices()).flatMap((s) => s.consumers);
}, 300_000);

afterAll(() => {
  killAll();
  report.write();
  removeDir(work);
});

function fixedEvents(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .filter(([type]) => FIXED_EVENT_TYPES.test(type))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

function requireReference(): Reference {
  if (!reference) throw new Error('Der Referenzlauf ist fehlgeschlagen; ohne ihn kein Vergleich.');
  return reference;
}

describe('crash safety: SIGKILL of lagebild start', () => {
  it('delivers the plan without faults, and replays online and offline to the same warehouse (the reference)', async () => {
    const dir = path.join(work, 'reference');
    copyDataDir(base, dir);
    const installation = await Installation.open(dir, consumers);
    try {
      let server = await installation.start();
      const progress = new PlanProgress(plan);
      const t0 = performance.now();
      await advance(progress, server, tokens);
      const importMs = performance.now() - t0;
      await installation.probe.settled();
      const projectionMs = performance.now() - t0 - importMs;
      const expected = await snapshot(server.url, tokens.operator);

      // The reference is itself checked: every observation of every delivery once, the corrected half-year once.
      const views = [...progress.views.values()];
      const observations = views.reduce((n, v) => n + (v.observationCount ?? 0), 0);
      const superseded = views.filter((v) => v.supersedesDeliveryId).map((v) => v.supersedesDeliveryId);
      expect(views.every((v) => v.status === 'angenommen')).toBe(true);
      expect(superseded).toHaveLength(1);
      expect(expected.fact_delivery!.rows).toBe(planFiles(plan).length);
      expect(expected.fact_observation!.rows).toBe(observations);
      const correctedCount = views.find((v) => v.deliveryId === superseded[0])!.observationCount!;
      expect(expected.v_observation!.rows).toBe(observations - correctedCount);
      expect(expected.v_indicator_value!.rows).toBeGreaterThan(0);

      let t = performance.now();
      const online = await runCli(['replay'], { dataDir: dir, port: installation.port });
      const replayMs = performance.now() - t;
      expect(online.code).toBe(0);
      await installation.expectWarehouse(expected, tokens, 'nach dem Neuaufbau (online)');

      expect((await server.stop()).code).toBe(0);
      t = performance.now();
      const offline = await runCli(['replay'], { dataDir: dir, port: installation.port });
      const offlineReplayMs = performance.now() - t;
      expect(offline.code).toBe(0);
      server = await installation.start();
      await installation.expectWarehouse(expected, tokens, 'nach dem Neuaufbau (offline)');
      expect((await server.stop()).code).toBe(0);

      reference = { snapshot: expected, events: fixedEvents(await installation.probe.typeCounts()), importMs, projectionMs, replayMs, offlineReplayMs };
      const ms = (n: number) => `${Math.round(n).toLocaleString('de-DE')} ms`;
      report.note(
        `Referenz: ${planFiles(plan).length} Lieferungen (${observations.toLocaleString('de-DE')} Beobachtungen, davon eine Korrektur); ${describeSnapshot(expected)}. ` +
          `Ereignisse: ${Object.entries(reference.events).map(([t, n]) => `${n} × ${t}`).join(', ')}. ` +
          `Dauer Import ${ms(importMs)}, Projektion ${ms(projectionMs)}, Neuaufbau online ${ms(replayMs)}, offline ${ms(offlineReplayMs)}: aus diesen Spannen werden die Zeitpunkte der Kills gezogen.`,
      );
    } finally {
      await installation.close();
    }
  }, 600_000);

  for (let iteration = 1; iteration <= mode.crashIterations; iteration += 1) {
    // The long variant kills in every phase of every iteration; the short one (npm test) kills
    // during import and projection each time and alternates the replay kill, online then offline.
    const phases: Phases = mode.variant === 'long' ? { online: true, offline: true, fullReplay: true } : { online: iteration % 2 === 1, offline: iteration % 2 === 0, fullReplay: iteration === mode.crashIterations };
    const during = ['import', 'projection', ...(phases.online ? ['online replay'] : []), ...(phases.offline ? ['offline replay'] : [])];
    const named = `${during.slice(0, -1).join(', ')} and ${during[during.length - 1]}`;
    it(`iteration ${iteration}: after SIGKILL during ${named} the warehouse equals the reference`, async () => {
      await crashIteration(iteration, random.fork(), phases);
    }, 900_000);
  }
});

/** Kills `server` after `atMs`, while `work` runs against it; resolves once the process is gone. */
async function killDuring(server: Server, atMs: number, work: () => Promise<void>): Promise<{ workFinished: boolean }> {
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    server.child.kill('SIGKILL');
  }, atMs);
  let workFinished = false;
  try {
    await work();
    workFinished = true;
  } catch (error) {
    if (!killed || !isConnectionError(error)) {
      clearTimeout(timer);
      throw error;
    }
  }
  const exit = await server.exited;
  if (exit.signal !== 'SIGKILL') throw new Error(`Der Server endete nicht durch SIGKILL, sondern mit ${JSON.stringify(exit)}:\n${server.output()}`);
  return { workFinished };
}

interface Phases {
  online: boolean;
  offline: boolean;
  fullReplay: boolean;
}

async function crashIteration(iteration: number, r: Random, phases: Phases): Promise<void> {
  const ref = requireReference();
  const dir = path.join(work, `run-${iteration}`);
  copyDataDir(base, dir);
  const installation = await Installation.open(dir, consumers);
  const progress = new PlanProgress(plan);
  const total = planFiles(plan).length;
  const state = async () => {
    const s = await installation.probe.pipeline();
    const open = s.unpublished + Object.values(s.lag).reduce((a, b) => a + b, 0);
    return `${progress.acknowledged.size}/${total} Lieferungen quittiert, ${open.toLocaleString('de-DE')} Ereignisse offen`;
  };
  /** Completes the plan, drains the pipeline and compares; records every fault the check covers. */
  const check = async (faults: ReadonlyArray<{ fault: string; detail: string }>) => {
    try {
      await advance(progress, installation.server!, tokens);
      await installation.expectWarehouse(ref.snapshot, tokens, `Durchgang ${iteration}, ${faults.map((f) => f.fault).join(' + ')}`);
      for (const f of faults) report.record({ fault: f.fault, tries: 1, outcome: 'bestanden', detail: `Durchgang ${iteration} ${f.detail}: danach gleich der Referenz` });
    } catch (error) {
      for (const f of faults) report.record({ fault: f.fault, tries: 1, outcome: 'fehlgeschlagen', detail: `Durchgang ${iteration} (${f.detail}): ${(error as Error).message}` });
      throw error;
    }
  };
  try {
    // 1. During the import: uploads, checks, recording.
    let server = await installation.start();
    const atImport = r.int(0, Math.round(ref.importMs));
    await killDuring(server, atImport, () => advance(progress, server, tokens));
    const importState = await state();
    server = await installation.start();

    // 2. During the projection: everything acknowledged and decided, consumers still working.
    await advance(progress, server, tokens);
    const atProjection = r.int(0, Math.round(ref.projectionMs));
    await killDuring(server, atProjection, async () => undefined);
    const projectionState = await state();
    server = await installation.start();
    // Both kills are checked together: the projection kill needs the work the import left in flight.
    await check([
      { fault: 'SIGKILL während des Imports', detail: `nach ${atImport} ms: ${importState}` },
      { fault: 'SIGKILL während der Projektion', detail: `nach ${atProjection} ms: ${projectionState}` },
    ]);

    // 3. During `lagebild replay` against the running server.
    if (phases.online) {
      const online = spawnCli(['replay'], { dataDir: dir, port: installation.port });
      const atReplay = r.int(0, Math.round(ref.replayMs));
      await sleep(atReplay);
      const replayFinished = online.child.exitCode !== null;
      await server.kill();
      const onlineExit = await online.exited;
      server = await installation.start();
      // What the command said last, without the frames of a stack trace.
      const said = online
        .output()
        .split('\n')
        .filter((l) => l.trim() !== '' && !/^\s+at /.test(l))
        .pop();
      const replayAnswer = onlineExit.code === 0 ? 'fertig' : `Code ${onlineExit.code}: ${said?.slice(0, 160) ?? ''}`;
      await check([{ fault: 'SIGKILL während des Neuaufbaus (lagebild replay, Server läuft)', detail: `nach ${atReplay} ms${replayFinished ? ', Neuaufbau war schon fertig' : `, replay: ${replayAnswer}`}` }]);
    }

    // 4. During `lagebild replay` with the server stopped (the command rebuilds the warehouse itself).
    if (phases.offline) {
      expect((await server.stop()).code).toBe(0);
      const offline = spawnCli(['replay'], { dataDir: dir, port: installation.port });
      const atOffline = r.int(0, Math.round(ref.offlineReplayMs));
      await sleep(atOffline);
      const offlineFinished = offline.child.exitCode !== null;
      offline.child.kill('SIGKILL');
      await offline.exited;
      server = await installation.start();
      await check([{ fault: 'SIGKILL von lagebild replay (Server gestoppt)', detail: `nach ${atOffline} ms${offlineFinished ? ', Neuaufbau war schon fertig' : ''}` }]);
    }

    // 5. A replay after all this runs through and changes nothing.
    if (phases.fullReplay) {
      const full = await runCli(['replay'], { dataDir: dir, port: installation.port });
      expect(full.code).toBe(0);
      await check([{ fault: 'vollständiger Neuaufbau nach den Abstürzen', detail: 'lagebild replay' }]);
    }

    // 6. The event store holds each ingestion event once: nothing lost, nothing appended twice.
    expect((await server.stop()).code).toBe(0);
    const events = fixedEvents(await installation.probe.typeCounts());
    const same = JSON.stringify(events) === JSON.stringify(ref.events);
    report.record({ fault: 'Ereignisse im Store nach allen Abstürzen', tries: 1, outcome: same ? 'bestanden' : 'fehlgeschlagen', detail: same ? 'jede Lieferungs- und Beobachtungs-Ereignisart so oft wie in der Referenz' : `Durchgang ${iteration}: ${JSON.stringify(events)} statt ${JSON.stringify(ref.events)}` });
    expect(events).toEqual(ref.events);
  } finally {
    await installation.close();
    removeDir(dir);
  }
}
