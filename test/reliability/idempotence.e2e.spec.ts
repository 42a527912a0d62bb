/**
 * Idempotence, as users meet it: a Sachbearbeiterin who uploads the same file again (or ten
 * times, some of them at the same moment), and an operator who runs `lagebild replay` more than
 * once. The same delivery ten times must be one accepted delivery with the same observations and
 * indicator values as after the first time, and appends no event but the audit record each
 * request leaves (AccessAudited, one per HTTP request by design); the same events
 * replayed three times (the command against the running service, the HTTP route, and the command
 * with the server stopped) must give the same warehouse tables each time and leave the event
 * store and log as they were.
 */
import path from 'node:path';
import { BERLIN_PROFILE, cachedRegister, copyDataDir, populationFile, removeDir, tempDir } from './support/data';
import { call, deliver, issueTokens, waitDecided, type Tokens } from './support/http';
import { Installation } from './support/installation';
import { killAll, requireBuiltCli, runCli } from './support/lagebild';
import { readMode } from './support/mode';
import { createFaultReport } from './support/report';
import { describeServices } from './support/services';
import { describeSnapshot, differences, snapshot, type Snapshot } from './support/warehouse';

const mode = readMode();
const report = createFaultReport('2-idempotenz', 'Idempotenz: dieselbe Lieferung zehnmal, dieselben Ereignisse dreimal', mode);
const TOPICS = ['lagebild.ingestion', 'lagebild.indicators', 'lagebild.goals', 'lagebild.budget'];
const FILE = populationFile('2024-02');

let work: string;
let tokens: Tokens;
let installation: Installation;
let afterFirst: Snapshot | undefined;

beforeAll(async () => {
  requireBuiltCli();
  work = tempDir('idempotence');
  const base = await cachedRegister();
  tokens = await issueTokens(base);
  const dir = path.join(work, 'data');
  copyDataDir(base, dir);
  installation = await Installation.open(dir, (await describeServices()).flatMap((s) => s.consumers));
  await installation.start();
}, 300_000);

/** Events appended after `position`, audit records left out: their number follows the requests made. */
async function appendedSince(position: number): Promise<string[]> {
  return (await installation.probe.eventsSince(position)).filter((e) => e.type !== 'AccessAudited').map((e) => `${e.type} (${e.stream})`);
}

afterAll(async () => {
  await installation?.close();
  killAll();
  report.write();
  removeDir(work);
});

async function record<T>(fault: string, tries: number, detail: string, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    report.record({ fault, tries, outcome: 'bestanden', detail });
    return result;
  } catch (error) {
    report.record({ fault, tries, outcome: 'fehlgeschlagen', detail: (error as Error).message });
    throw error;
  }
}

describe('the same delivery ten times', () => {
  it('is one accepted delivery: the same observations and indicator values as after the first, and no event appended', async () => {
    const server = installation.server!;
    // Five at the same moment, the first upload among them: the duplicate check races with itself.
    const concurrent = await record('dieselbe Lieferung fünfmal gleichzeitig (HTTP)', 5, 'eine Lieferung (202), viermal 200 mit duplicate: true, alle dieselbe ID', async () => {
      const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(server.url, tokens.berlinDelivery, { profile: BERLIN_PROFILE, file: FILE })));
      const ids = new Set(answers.map((a) => a.deliveryId));
      expect({ ids: ids.size, statuses: answers.map((a) => a.status).sort() }).toEqual({ ids: 1, statuses: [200, 200, 200, 200, 202] });
      expect(answers.filter((a) => a.duplicate === false)).toHaveLength(1);
      return answers;
    });
    const deliveryId = concurrent[0]!.deliveryId!;
    const [view] = await waitDecided(server.url, tokens.berlinDelivery, [deliveryId]);
    expect(view!.status).toBe('angenommen');
    await installation.probe.settled();
    afterFirst = await snapshot(server.url, tokens.operator);
    const position = await installation.probe.position();
    const events = await installation.probe.typeCounts();
    // One delivery, its observations once.
    expect(events).toMatchObject({ DeliveryReceived: 1, DeliveryValidated: 1, DeliveryAccepted: 1 });
    expect(afterFirst.fact_delivery!.rows).toBe(1);
    expect(afterFirst.fact_observation!.rows).toBe(view!.observationCount);
    expect(afterFirst.v_observation!.rows).toBe(view!.observationCount);

    await record('dieselbe Lieferung erneut (HTTP), nacheinander', 4, 'jedes Mal 200 mit duplicate: true und derselben ID', async () => {
      for (let i = 0; i < 4; i += 1) {
        const again = await deliver(server.url, tokens.berlinDelivery, { profile: BERLIN_PROFILE, file: FILE });
        expect({ status: again.status, id: again.deliveryId, duplicate: again.duplicate }).toEqual({ status: 200, id: deliveryId, duplicate: true });
      }
    });

    await record('dieselbe Lieferung erneut (lagebild import, Server läuft)', 1, 'Exit-Code 0, Meldung „schon geliefert“', async () => {
      const cli = await runCli(['import', FILE, '--profile', BERLIN_PROFILE], { dataDir: installation.dataDir });
      expect(cli.code).toBe(0);
      expect(cli.output).toContain('schon geliefert');
      expect(cli.output).toContain(deliveryId);
    });

    await record('Ergebnis nach zehn Lieferungen derselben Datei', 1, `gleich dem nach der ersten (${describeSnapshot(afterFirst)}), kein Ereignis angehängt`, async () => {
      await installation.probe.settled();
      expect(await appendedSince(position)).toEqual([]);
      expect(await installation.probe.typeCounts()).toEqual(events);
      expect(differences(afterFirst!, await snapshot(server.url, tokens.operator))).toEqual([]);
    });
  }, 300_000);
});

describe('the same events replayed three times', () => {
  it('rebuilds identical tables each time, online, over HTTP and offline, and appends and publishes nothing', async () => {
    if (!afterFirst) throw new Error('Der erste Test hat kein Ergebnis hinterlassen.');
    const expected = afterFirst;
    const position = await installation.probe.position();
    const ends = await installation.probe.logEnds(TOPICS);

    await record('Neuaufbau 1: lagebild replay (Server läuft)', 1, 'Tabellen gleich', async () => {
      const cli = await runCli(['replay'], { dataDir: installation.dataDir, port: installation.port });
      expect(cli.code).toBe(0);
      await installation.expectWarehouse(expected, tokens, 'nach dem ersten Neuaufbau');
    });
    await record('Neuaufbau 2: POST /api/warehouse/replay', 1, 'Tabellen gleich', async () => {
      const answer = await call(`${installation.server!.url}/api/warehouse/replay`, { method: 'POST', token: tokens.operator });
      expect(answer.status).toBe(200);
      await installation.expectWarehouse(expected, tokens, 'nach dem zweiten Neuaufbau');
    });
    await record('Neuaufbau 3: lagebild replay (Server gestoppt)', 1, 'Tabellen gleich', async () => {
      expect((await installation.server!.stop()).code).toBe(0);
      const cli = await runCli(['replay'], { dataDir: installation.dataDir, port: installation.port });
      expect(cli.code).toBe(0);
      await installation.start();
      await installation.expectWarehouse(expected, tokens, 'nach dem dritten Neuaufbau');
    });
    await record('Event Store und Log nach drei Neuaufbauten', 3, 'keine Ereignisse angehängt, keine Datensätze veröffentlicht', async () => {
      expect(await appendedSince(position)).toEqual([]);
      expect(await installation.probe.logEnds(TOPICS)).toEqual(ends);
    });
  }, 300_000);
});
