/**
 * The bad-input corpus (test/fixtures/bad-input, issue 3): every file goes through the real
 * delivery pipeline and must be rejected with exactly its expected error codes, at the expected
 * line and column, with the German message, and must record nothing: no ObservationsRecorded,
 * no DeliveryAccepted, observation read model unchanged.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OBSERVATIONS_COLLECTION } from '../../src/deliveries/projections';
import {
  BERLIN,
  deliverFile,
  deliveryEventTypes,
  eventTypeCounts,
  FIXTURES,
  FLENSBURG,
  loadBerlinLor2021,
  loadFlensburgStadtteile,
  loadGemeinden,
  openIngestion,
  runScript,
  seedCorpusProfiles,
  seedFlensburgProfiles,
  type Ingestion,
} from './support';

export interface ExpectedFinding {
  code: string;
  line?: number;
  /** Spreadsheet letter. */
  column?: string;
  /** A part of the German message. */
  message?: string;
}

export interface CorpusCase {
  file: string;
  profile: string;
  tenant: string;
  case: string;
  expected: ExpectedFinding[];
  generated?: boolean;
  /** Only ever streamed into an upload (the 1 GB-class file). */
  stream?: boolean;
}

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

describe('every corpus file is rejected with its expected error and records nothing', () => {
  it.each(fileCases.map((c) => [c.file, c] as const))('%s', async (_name, entry) => {
    const filePath = path.join(entry.generated ? generatedDir : CORPUS, entry.file);
    const observationsBefore = (await t.documents.scan(OBSERVATIONS_COLLECTION)).length;
    const before = await eventTypeCounts(t);
    const members = entry.tenant === FLENSBURG.tenant ? FLENSBURG.members : BERLIN.members;

    const delivered = await deliverFile(t, filePath, { profileId: entry.profile, tenant: entry.tenant, members });

    const errors = delivered.report.findings.filter((f) => f.severity === 'error');
    const summary = errors.map((f) => `${f.code} Z.${f.line ?? '-'} ${f.column?.letter ?? '-'}: ${f.message}`).join('\n');
    expect({ status: delivered.view.status, summary }).toMatchObject({ status: 'abgelehnt' });
    // Exactly the expected codes: no surprise error, none missing.
    expect([...new Set(errors.map((f) => f.code))].sort()).toEqual([...new Set(entry.expected.map((e) => e.code))].sort());
    for (const wanted of entry.expected) {
      const match = errors.find(
        (f) =>
          f.code === wanted.code &&
          (wanted.line === undefined || f.line === wanted.line) &&
          (wanted.column === undefined || f.column?.letter === wanted.column) &&
          (wanted.message === undefined || f.message.includes(wanted.message)),
      );
      if (!match) throw new Error(`${entry.file}: erwartet ${JSON.stringify(wanted)}, gefunden:\n${summary}`);
      // Every message names the file; German, complete.
      expect(match.message).toContain(`Datei „${entry.file}“`);
    }

    // Nothing recorded: the delivery's stream ends in its rejection, the store holds no new
    // observations or acceptances, the observation read model is unchanged.
    expect(await deliveryEventTypes(t, delivered.deliveryId)).toEqual(['DeliveryReceived', 'DeliveryRejected']);
    const after = await eventTypeCounts(t);
    expect(after.ObservationsRecorded ?? 0).toBe(before.ObservationsRecorded ?? 0);
    expect(after.DeliveryAccepted ?? 0).toBe(before.DeliveryAccepted ?? 0);
    expect(after.DeliveryValidated ?? 0).toBe(before.DeliveryValidated ?? 0);
    expect((await t.documents.scan(OBSERVATIONS_COLLECTION)).length).toBe(observationsBefore);
  });
});

describe('the same bad file delivered again', () => {
  it('is recognised and changes nothing', async () => {
    const entry = fileCases.find((c) => c.file === 'fl-negative-anzahl.csv')!;
    const first = await deliverFile(t, path.join(CORPUS, entry.file), { profileId: entry.profile, tenant: entry.tenant, members: FLENSBURG.members });
    const before = await eventTypeCounts(t);
    const again = await deliverFile(t, path.join(CORPUS, entry.file), { profileId: entry.profile, tenant: entry.tenant, members: FLENSBURG.members });
    expect(again).toMatchObject({ deliveryId: first.deliveryId, duplicate: true });
    expect(await eventTypeCounts(t)).toEqual(before);
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
