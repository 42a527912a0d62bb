/**
 * `lagebild freigabe add|list|zurueck`: a Gemeinde of Nordfriesland releases figures to the
 * other Gemeinden with a Sperrfrist and raw figures to its Kreis; the releases are listed with
 * their state, withdrawn once, and the rules (raw only for the Kreis, audiences a kreisfreie
 * Stadt does not have) are refused in German with every problem named.
 */
import path from 'node:path';
import type { ReleaseRecord } from '@lagebild/ingestion';
import { freshDataDir, type DataDir } from './support';

const GV = path.resolve(__dirname, '../demo/germany/GV100AD_301123_auszug.txt');

let dir: DataDir;
beforeAll(async () => {
  dir = await freshDataDir('freigabe');
  expect((await dir.lagebild('areas', 'load-gv100ad', GV)).code).toBe(0);
  expect((await dir.lagebild('tenant', 'add', '01054')).code).toBe(0);
});
afterAll(() => dir.remove());

const idOf = (stdout: string) => /Freigabe ([0-9a-f-]{36}) erteilt\./.exec(stdout)?.[1];

describe('lagebild freigabe', () => {
  let peers: string;
  let kreis: string;

  it('releases Husum’s SGB II rate to the other Gemeinden of the Kreis, protected, from a Sperrfrist in German time', async () => {
    const result = await dir.lagebild('freigabe', 'add', '--mandant', '01054056', '--publikum', 'gemeinden', '--kennzahl', 'sgb2-quote', '--ebene', 'Gemeinde', '--sperrfrist', '2099-04-01', '--notiz', 'Hauptausschuss vom 29.02.2024');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    peers = idOf(result.stdout)!;
    expect(peers).toBeDefined();
    expect(result.stdout).toContain('Zahlen von 01054056 Husum, Stadt für die Gemeinden des Kreises, geschützt: Kennzahl sgb2-quote, Ebene Gemeinde.');
    expect(result.stdout).toContain('Sperrfrist bis 01.04.2099, 00:00 (deutsche Zeit)');
    const stores = dir.openStores();
    try {
      const stream = await stores.eventStore.readStream('release-01054056');
      expect(stream.map((e) => e.type)).toEqual(['ReleaseGranted']);
      expect(stream[0]!.data).toMatchObject({ releaseId: peers, audience: 'MEMBERS', form: 'PROTECTED', indicatorId: 'sgb2-quote', unitType: 'Gemeinde', embargoUntil: '2099-03-31T22:00:00.000Z', note: 'Hauptausschuss vom 29.02.2024' });
    } finally {
      await stores.close();
    }
  });

  it('releases raw figures to the own Kreis', async () => {
    const result = await dir.lagebild('freigabe', 'add', '--mandant', '01054056', '--publikum', 'kreis', '--form', 'roh');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('für den eigenen Kreis, ungeschützt (Rohwerte): alle Zahlen.');
    kreis = idOf(result.stdout)!;
  });

  it('refuses raw figures for the public and the audience Gemeinden for a kreisfreie Stadt, naming both, and records nothing', async () => {
    const result = await dir.lagebild('freigabe', 'add', '--mandant', '01001', '--publikum', 'gemeinden', '--form', 'roh');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Fehler: Die Freigabe für 01001 ist so nicht möglich:');
    expect(result.stderr).toContain('  - Rohwerte gibt es nur für den eigenen Kreis (Publikum kreis)');
    expect(result.stderr).toContain('  - Das Publikum gemeinden (die Gemeinden desselben Kreises) gibt es nur für einen Kreis und seine Gemeinden; 01001 ist eine kreisfreie Stadt.');
    const usage = await dir.lagebild('freigabe', 'add', '--mandant', '01054056', '--publikum', 'alle');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--publikum "alle" gibt es nicht; erlaubt: kreis, gemeinden, oeffentlich.');
  });

  it('lists the releases with their state, oldest first, as a table and as JSON', async () => {
    const table = await dir.lagebild('freigabe', 'list', '--mandant', '01054056');
    expect(table.code).toBe(0);
    const rows = table.stdout.trimEnd().split('\n').slice(2).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => [r[0], r[1], r[2], r[5]])).toEqual([
      [peers, 'gemeinden', 'geschuetzt', 'Sperrfrist'],
      [kreis, 'kreis', 'roh', 'gilt'],
    ]);
    const json = JSON.parse((await dir.lagebild('freigabe', 'list', '--mandant', '01054056', '--json')).stdout) as Array<ReleaseRecord & { status: string }>;
    expect(json.map((r) => [r.releaseId, r.status])).toEqual([
      [peers, 'EMBARGOED'],
      [kreis, 'ACTIVE'],
    ]);
    expect((await dir.lagebild('freigabe', 'list', '--mandant', '01054001')).stdout).toContain('Der Mandant 01054001 hat keine Freigaben.');
  });

  it('withdraws a release once; a second withdrawal and an unknown id are refused', async () => {
    const result = await dir.lagebild('freigabe', 'zurueck', peers);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Freigabe ${peers} von 01054056 zurückgezogen (die Gemeinden des Kreises, Kennzahl sgb2-quote, Ebene Gemeinde).\n`);
    const twice = await dir.lagebild('freigabe', 'zurueck', peers);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/wurde schon am \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} von cli:.* zurückgezogen/);
    const unknown = await dir.lagebild('freigabe', 'zurueck', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('lagebild freigabe list --mandant AGS');
    const json = JSON.parse((await dir.lagebild('freigabe', 'list', '--mandant', '01054056', '--json')).stdout) as Array<{ releaseId: string; status: string }>;
    expect(json.find((r) => r.releaseId === peers)?.status).toBe('WITHDRAWN');
  });
});
