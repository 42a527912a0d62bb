/**
 * The data directory misbehaving under `lagebild start`: read-only, and a disk that fills up
 * while a delivery is written.
 *
 * - Read-only: the start (and `lagebild import`) must stop with a non-zero exit code and a clear
 *   German message (no stack trace), and must not damage anything: once the directory is
 *   writable again the platform starts, the warehouse is exactly as before, and it accepts the
 *   next delivery.
 * - Disk full: the data directory sits on a small tmpfs that is filled up to a few MB before a
 *   delivery; the upload is refused or the delivery fails cleanly (the server stays up, or stops
 *   with a German message); once space is freed (and the server restarted, if it stopped), the
 *   same delivery completes and the warehouse equals the run on a roomy disk.
 *
 * Both need a file system the suite can make read-only or small. As root (the CI machines) it
 * mounts a tmpfs and a read-only bind mount; without root, read-only is emulated with chmod and
 * the disk-full test is skipped. If mounting is not permitted (a container without the
 * capability) the tests are skipped with that reason.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { BERLIN_PROFILE, cachedRegister, copyDataDir, populationFile, removeDir, tempDir } from './support/data';
import { call, deliver, issueTokens, looksGerman, problemDefect, waitDecided, type Tokens } from './support/http';
import { Installation } from './support/installation';
import { killAll, requireBuiltCli, runCli, sleep } from './support/lagebild';
import { readMode } from './support/mode';
import { createFaultReport } from './support/report';
import { describeServices, type ConsumerInfo } from './support/services';
import { differences, snapshot, type Snapshot } from './support/warehouse';

const mode = readMode();
const report = createFaultReport('4-speicher', 'Speicher: schreibgeschütztes Datenverzeichnis, volle Platte', mode);
const isRoot = process.getuid?.() === 0;

/** Whether this process may mount a tmpfs (checked once, at load time, so the skip is decided before the tests run). */
function probeMount(): { ok: boolean; reason: string } {
  if (!isRoot) return { ok: false, reason: 'nicht root: tmpfs und Bind-Mounts brauchen Root-Rechte' };
  const dir = tempDir('mount-probe');
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
    if (mounted.status !== 0) return { ok: false, reason: `mount nicht erlaubt: ${(mounted.stderr || mounted.error?.message || '').trim()}` };
    spawnSync('umount', [dir]);
    return { ok: true, reason: '' };
  } finally {
    removeDir(dir);
  }
}

const mountProbe = probeMount();
/** Read-only works as root with a bind mount, and without root with chmod (root ignores file modes). */
const readOnlyPossible = mountProbe.ok || !isRoot;
if (!readOnlyPossible) console.log(`Zuverlässigkeit, Speicher: schreibgeschützt übersprungen (${mountProbe.reason})`);
if (!mountProbe.ok) console.log(`Zuverlässigkeit, Speicher: volle Platte übersprungen (${mountProbe.reason})`);

let work: string;
let base: string;
let tokens: Tokens;
let consumers: ConsumerInfo[];
/** The warehouse after the base register plus Berlin 2024-02, delivered on a roomy, writable disk. */
let expected: Snapshot;

function mount(args: string[]): void {
  const result = spawnSync('mount', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mount ${args.join(' ')}: ${result.stderr}`);
}

function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}

function setWritable(dir: string, writable: boolean): void {
  if (isRoot) {
    if (writable) unmount(dir);
    else {
      mount(['--bind', dir, dir]);
      mount(['-o', 'remount,bind,ro', dir]);
    }
    return;
  }
  const walk = (p: string) => {
    const isDir = statSync(p).isDirectory();
    chmodSync(p, writable ? (isDir ? 0o755 : 0o644) : isDir ? 0o555 : 0o444);
    if (isDir) for (const entry of readdirSync(p)) walk(path.join(p, entry));
  };
  walk(dir);
}

function dirBytes(dir: string): number {
  const du = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(du.stdout.split('\t')[0]);
}

/** What a clear refusal to start looks like: German, no stack trace. Returns the defect, or null. (Structured log lines, JSON, are left out.) */
function unclearExit(output: string): string | null {
  const text = output
    .split('\n')
    .filter((line) => !line.startsWith('{'))
    .join('\n')
    .trim();
  if (/\n\s+at [^\n]+:\d+:\d+/.test(text)) return `Stacktrace statt Meldung: ${text.split('\n').slice(0, 2).join(' / ').slice(0, 200)}`;
  if (!looksGerman(text)) return `keine deutsche Meldung: ${text.slice(0, 200)}`;
  return null;
}

beforeAll(async () => {
  requireBuiltCli();
  work = tempDir('storage');
  base = await cachedRegister();
  tokens = await issueTokens(base);
  consumers = (await describeServices()).flatMap((s) => s.consumers);
}, 300_000);

afterAll(() => {
  killAll();
  report.write();
  if (!work) return;
  // A failed test must not leave a mount or a read-only tree behind.
  if (isRoot) for (const dir of ['readonly', 'small']) unmount(path.join(work, dir));
  else {
    try {
      setWritable(path.join(work, 'readonly'), true);
    } catch {
      // nothing to restore
    }
  }
  removeDir(work);
});

/** Delivers Berlin 2024-02 on a fresh copy and returns the warehouse; the copy stays for the read-only test. */
async function deliverOnce(dir: string): Promise<Snapshot> {
  copyDataDir(base, dir);
  const installation = await Installation.open(dir, consumers);
  try {
    const server = await installation.start();
    const sent = await deliver(server.url, tokens.berlinDelivery, { profile: BERLIN_PROFILE, file: populationFile('2024-02') });
    expect(sent.status).toBe(202);
    await waitDecided(server.url, tokens.berlinDelivery, [sent.deliveryId!]);
    await installation.probe.settled();
    const result = await snapshot(server.url, tokens.operator);
    expect((await server.stop()).code).toBe(0);
    return result;
  } finally {
    await installation.close();
  }
}

(readOnlyPossible ? describe : describe.skip)('a read-only data directory', () => {
  it('stops start and import with a German message and exit code != 0, and damages nothing', async () => {
    const dir = path.join(work, 'readonly');
    expected = await deliverOnce(dir);
    const defects: string[] = [];
    setWritable(dir, false);
    try {
      const start = await runCli(['start', '--ohne-demo'], { dataDir: dir, timeoutMs: 90_000 });
      if (start.code === 0 || start.code === null) defects.push(`lagebild start endete mit Code ${start.code}`);
      const startDefect = unclearExit(start.output);
      if (startDefect) defects.push(`lagebild start: ${startDefect}`);
      const imported = await runCli(['import', populationFile('2024-01'), '--profile', BERLIN_PROFILE], { dataDir: dir, timeoutMs: 90_000 });
      if (imported.code === 0 || imported.code === null) defects.push(`lagebild import endete mit Code ${imported.code}`);
      const importDefect = unclearExit(imported.output);
      if (importDefect) defects.push(`lagebild import: ${importDefect}`);
      report.record({
        fault: 'Datenverzeichnis schreibgeschützt: lagebild start und import',
        tries: 2,
        outcome: defects.length === 0 ? 'bestanden' : 'fehlgeschlagen',
        detail: `start: Code ${start.code}, „${start.output.trim().split('\n')[0]?.slice(0, 120)}“; import: Code ${imported.code}${defects.length > 0 ? `; Mängel: ${defects.join(' | ')}` : ''}`,
      });
    } finally {
      setWritable(dir, true);
    }

    // Writable again: everything is where it was, and the platform works on.
    const installation = await Installation.open(dir, consumers);
    try {
      const server = await installation.start();
      const intact = differences(expected, await snapshot(server.url, tokens.operator));
      const next = await deliver(server.url, tokens.berlinDelivery, { profile: BERLIN_PROFILE, file: populationFile('2024-01') });
      const [view] = next.deliveryId ? await waitDecided(server.url, tokens.berlinDelivery, [next.deliveryId]) : [undefined];
      const works = view?.status === 'angenommen';
      report.record({
        fault: 'danach wieder beschreibbar',
        tries: 1,
        outcome: intact.length === 0 && works ? 'bestanden' : 'fehlgeschlagen',
        detail: intact.length === 0 ? `Warehouse unverändert, nächste Lieferung ${view?.status ?? `HTTP ${next.status}`}` : intact.join('; '),
      });
      expect(intact).toEqual([]);
      expect(works).toBe(true);
    } finally {
      await installation.close();
    }
    expect(defects).toEqual([]);
  }, 600_000);
});

(mountProbe.ok ? describe : describe.skip)('a disk that fills up during a delivery', () => {
  it('refuses the delivery or fails cleanly, and once space is freed the same delivery completes to the expected warehouse', async () => {
    if (!expected) expected = await deliverOnce(path.join(work, 'reference'));
    const small = path.join(work, 'small');
    const dir = path.join(small, 'data');
    rmSync(small, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', small]);
    // Room for the register and the start, not for a delivery's events (~20 MB for Berlin's 11,000 observations).
    const sizeMb = Math.ceil(dirBytes(base) / 1024 / 1024) + 24;
    mount(['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', small]);
    const defects: string[] = [];
    try {
      copyDataDir(base, dir);
      const installation = await Installation.open(dir, consumers);
      try {
        let server = await installation.start();
        const filler = path.join(small, 'fuellung');
        const free = Number(spawnSync('df', ['-k', '--output=avail', small], { encoding: 'utf8' }).stdout.trim().split('\n').pop());
        const fill = spawnSync('fallocate', ['-l', `${Math.max(0, free - 3 * 1024)}k`, filler]);
        if (fill.status !== 0) throw new Error(`fallocate: ${fill.stderr}`);

        let answer = 'keine Antwort';
        let deliveryId: string | undefined;
        try {
          const sent = await deliver(server.url, tokens.berlinDelivery, { profile: BERLIN_PROFILE, file: populationFile('2024-02') });
          answer = `HTTP ${sent.status}`;
          deliveryId = sent.deliveryId;
          if (sent.status >= 400) {
            const defect = problemDefect(sent.answer);
            if (defect) defects.push(`Antwort auf die Lieferung: ${defect}`);
          }
          if (deliveryId) {
            // Decided, or the server gone: whichever comes first.
            const until = Date.now() + 60_000;
            while (server.alive() && Date.now() < until) {
              const view = await call(`${server.url}/api/ingestion/deliveries/${deliveryId}`, { token: tokens.berlinDelivery }).catch(() => undefined);
              const status = (view?.json as { status?: string } | undefined)?.status;
              if (status === 'angenommen' || status === 'abgelehnt') {
                answer += `, dann ${status}`;
                break;
              }
              await sleep(250);
            }
          }
        } catch (error) {
          answer = `Verbindung abgebrochen (${(error as Error).message})`;
        }
        await sleep(2000);
        let processOutcome: string;
        if (server.alive()) {
          const health = await call(`${server.url}/health`).then((a) => a.status, () => 0);
          processOutcome = `Server läuft weiter (/health ${health})`;
          if (health !== 200) defects.push(`Server antwortet nicht mehr (/health ${health})`);
        } else {
          const exit = await server.exited;
          processOutcome = `Server beendet (Code ${exit.code}, Signal ${exit.signal})`;
          const ending = server.output().split('Beenden mit Strg+C.').pop() ?? '';
          const unclear = unclearExit(ending);
          if (unclear) defects.push(`Server bei voller Platte abgestürzt: ${unclear}`);
          else if (!/Datenträger[^\n]* voll/.test(ending)) defects.push(`Server bei voller Platte beendet, ohne den vollen Datenträger zu nennen: ${ending.trim().slice(0, 200)}`);
        }

        // Space freed: the same delivery completes and the warehouse is what a roomy disk gives.
        rmSync(filler);
        if (!server.alive()) server = await installation.start();
        const again = await deliver(server.url, tokens.berlinDelivery, { profile: BERLIN_PROFILE, file: populationFile('2024-02') });
        const [view] = await waitDecided(server.url, tokens.berlinDelivery, [again.deliveryId!]);
        const after = await installation.expectWarehouse(expected, tokens, 'nach dem Freigeben des Platzes').then(
          () => [],
          (error: Error) => [error.message],
        );
        report.record({
          fault: 'Platte voll während einer Lieferung (tmpfs)',
          tries: 1,
          outcome: defects.length === 0 && after.length === 0 && view?.status === 'angenommen' ? 'bestanden' : 'fehlgeschlagen',
          detail: `Lieferung: ${answer}; ${processOutcome}; nach dem Freigeben: Lieferung ${view?.status}, ${after.length === 0 ? 'Warehouse gleich der Referenz' : after.join('; ')}${defects.length > 0 ? `; Mängel: ${defects.join(' | ')}` : ''}`,
        });
        expect(view?.status).toBe('angenommen');
        expect(after).toEqual([]);
      } finally {
        await installation.close();
      }
    } finally {
      unmount(small);
    }
    expect(defects).toEqual([]);
  }, 600_000);
});
