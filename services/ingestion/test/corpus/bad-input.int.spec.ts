/**
 * The bad-input corpus (test/fixtures/bad-input, issue 3): every file goes through the real
 * delivery pipeline and must be rejected with exactly its expected error codes, at the expected
 * line and column, with the German message, and must record nothing: no ObservationsRecorded,
 * no DeliveryAccepted, observation read model unchanged.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeliveryRefusedError } from '../../src/deliveries/application';
import { OBSERVATIONS_COLLECTION } from '../../src/deliveries/projections';
import {
  BERLIN,
  deliverFile,
  deliveryEventTypes,
  eventsSince,
  FIXTURES,
  FLENSBURG,
  loadBerlinLor2021,
  loadFlensburgStadtteile,
  loadGemeinden,
  openIngestion,
  runScript,
  seedCorpusProfiles,
  seedFlensburgProfiles,
  storePosition,
  type CorpusCase,
  type Ingestion,
} from './support';

const CORPUS = path.join(FIXTURES, 'bad-input');
// Read synchronously at load time: jest needs the cases to name the tests.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const manifest = require(path.join(CORPUS, 'manifest.json')) as { cases: CorpusCase[] };
const fileCases = manifest.cases.filter((c) => !c.stream);

let t: Ingestion;
let generatedDir: string;

beforeAll(async () => {
  t = await openIngestion();
  generatedDir = await mkdtemp(path.join(tmpdir(), 'lagebild-bad-input-'));
  await Promise.all([runScript(path.join(CORPUS, 'generate.mjs'), [generatedDir]), loadFlensburgStadtteile(t), loadBerlinLor2021(t), loadGemeinden(t)]);
  await seedFlensburgProfiles(t);
  await seedCorpusProfiles(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (generatedDir) await rm(generatedDir, { recursive: true, force: true });
});

describe('the manifest', () => {
  it('lists at least 50 files, each with a profile and at least one expected error', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(50);
    expect(new Set(manifest.cases.map((c) => c.file)).size).toBe(manifest.cases.length);
    for (const entry of manifest.cases) {
      expect(entry.profile).toMatch(/^[a-z0-9-]+$/);
      expect(entry.expected.length).toBeGreaterThan(0);
    }
  });
});

/** Checks one corpus file through the pipeline; throws with the actual findings on a mismatch. */
async function checkCase(entry: CorpusCase): Promise<void> {
  const filePath = path.join(entry.generated ? generatedDir : CORPUS, entry.file);
  const observationsBefore = (await t.documents.scan(OBSERVATIONS_COLLECTION)).length;
  const position = await storePosition(t);
  const members = entry.tenant === FLENSBURG.tenant ? FLENSBURG.members : BERLIN.members;

  const delivered = await deliverFile(t, filePath, { profileId: entry.profile, tenant: entry.tenant, members });

  const errors = delivered.report.findings.filter((f) => f.severity === 'error');
  const summary = errors.map((f) => `${f.code} Z.${f.line ?? '-'} ${f.column?.letter ?? '-'}: ${f.message}`).join('\n');
  expect({ status: delivered.view.status, summary }).toMatchObject({ status: 'abgelehnt' });
  // Exactly the expected codes: no surprise error, none missing.
  expect({ codes: [...new Set(errors.map((f) => f.code))].sort(), summary }).toMatchObject({ codes: [...new Set(entry.expected.map((e) => e.code))].sort() });
  for (const wanted of entry.expected) {
    const match = errors.find(
      (f) =>
        f.code === wanted.code &&
        (wanted.line === undefined || f.line === wanted.line) &&
        (wanted.column === undefined || f.column?.letter === wanted.column) &&
        (wanted.message === undefined || f.message.includes(wanted.message)),
    );
    if (!match) throw new Error(`${entry.file}: erwartet ${JSON.stringify(wanted)}, gefunden:\n${summary}`);
    if (wanted.count !== undefined) expect({ code: wanted.code, count: errors.filter((f) => f.code === wanted.code).length, summary }).toMatchObject({ count: wanted.count });
    // Every message names the file: German, complete, actionable without the manifest.
    expect(match.message).toContain(`Datei „${entry.file}“`);
  }

  // Nothing recorded: the delivery's stream ends in its rejection, the store gained nothing
  // else (no validation, observations or acceptance), the observation read model is unchanged.
  expect(await deliveryEventTypes(t, delivered.deliveryId)).toEqual(['DeliveryReceived', 'DeliveryRejected']);
  expect(await eventsSince(t, position)).toEqual(['DeliveryReceived', 'DeliveryRejected']);
  expect((await t.documents.scan(OBSERVATIONS_COLLECTION)).length).toBe(observationsBefore);
}

describe('every corpus file is rejected with its expected error and records nothing', () => {
  for (const entry of fileCases) {
    it(`${entry.file}: ${entry.case}`, () => checkCase(entry));
  }
});

describe('the same bad file delivered again', () => {
  it('is recognised and changes nothing', async () => {
    const entry = fileCases.find((c) => c.file === 'fl-negative-anzahl.csv')!;
    const first = await deliverFile(t, path.join(CORPUS, entry.file), { profileId: entry.profile, tenant: entry.tenant, members: FLENSBURG.members });
    const position = await storePosition(t);
    const again = await deliverFile(t, path.join(CORPUS, entry.file), { profileId: entry.profile, tenant: entry.tenant, members: FLENSBURG.members });
    expect(again).toMatchObject({ deliveryId: first.deliveryId, duplicate: true });
    expect(await eventsSince(t, position)).toEqual([]);
  });
});

describe('a file of the corpus after it was fixed', () => {
  it('is accepted: the corpus files fail for their defect, not for their profile', async () => {
    // fl-negative-anzahl.csv with the one broken cell restored is the shipped Tabelle 5.
    const broken = await readFile(path.join(CORPUS, 'fl-negative-anzahl.csv'), 'utf8');
    const original = await readFile(path.join(FIXTURES, 'flensburg/tab05_altersgruppen_2021_2022.csv'), 'utf8');
    expect(broken.replace(';-5;', ';133;')).toBe(original);
    const delivered = await deliverFile(t, path.join(FIXTURES, 'flensburg/tab05_altersgruppen_2021_2022.csv'), { profileId: 'flensburg-altersgruppen-detail', ...FLENSBURG });
    expect(delivered.view).toMatchObject({ status: 'angenommen', errorCount: 0, observationCount: 13 * 2 * 8 });
  });
});

describe('the 1 GB-class file', () => {
  it('is refused at the size limit while it streams, long before its end, and leaves nothing behind', async () => {
    const entry = manifest.cases.find((c) => c.stream)!;
    const profile = (await t.catalog.getProfile(entry.profile))!;
    const limit = profile.maxFileBytes!;
    const child = spawn(process.execPath, [path.join(CORPUS, 'generate.mjs'), '--stream-1gb'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let read = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      read += chunk.length;
    });
    const position = await storePosition(t);
    try {
      const refusal = await t.deliveries.receiveUpload(child.stdout, entry.file, limit).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(DeliveryRefusedError);
      const { status, finding } = refusal as DeliveryRefusedError;
      expect({ status, code: finding.code }).toEqual({ status: 413, code: 'FILE_TOO_LARGE' });
      expect(finding.message).toContain(`Datei „${entry.file}“: Die Datei ist größer als erlaubt (höchstens 8 MB)`);
      // Refused early: far less than the gigabyte was produced (the limit plus pipe buffers).
      expect(read).toBeLessThan(limit + 64 * 1024 * 1024);
    } finally {
      child.kill();
    }
    // No partial upload kept, nothing appended.
    expect((await readdir(path.join(t.dir, 'work', 'uploads')).catch(() => [])).length).toBe(0);
    expect(await eventsSince(t, position)).toEqual([]);
  });
});
