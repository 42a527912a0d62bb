/**
 * `lagebild token create`: the token a city's Datenlieferung uses for the HTTP API in embedded
 * mode. It must be accepted by the platform's verifier with exactly the tenant and roles asked
 * for, and wrong arguments must be refused with a German explanation.
 */
import path from 'node:path';
import { createEmbeddedAuth, silentLogger } from '@lagebild/platform';
import { freshDataDir, type DataDir } from './support';

let dir: DataDir;
beforeAll(async () => {
  dir = await freshDataDir('token');
});
afterAll(() => dir.remove());

describe('lagebild token create', () => {
  it('issues a token the platform verifies with the requested tenant, roles and members', async () => {
    const result = await dir.lagebild('token', 'create', '--tenant', '01054', '--role', 'datenlieferung', '--role', 'sozialplanung', '--member', '01054001');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const auth = await createEmbeddedAuth({ dataDir: dir.path, logger: silentLogger() });
    expect(auth.keyFile).toBe(path.join(dir.path, 'auth', 'keys.json'));
    const principal = await auth.verify(result.stdout.trim());
    expect(principal).toMatchObject({ tenant: '01054', roles: ['datenlieferung', 'sozialplanung'], memberOf: ['01054001'], subject: 'cli' });
  });

  it('refuses an unknown role, a malformed AGS and a member outside the Kreis, naming each', async () => {
    const result = await dir.lagebild('token', 'create', '--tenant', '1054', '--role', 'chef', '--member', '02000000');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--tenant "1054" ist kein AGS');
    expect(result.stderr).toContain('unbekannte Rolle "chef"');
    expect(result.stderr).toContain('--member 02000000 gehört nicht zum Kreis 1054');
  });

  it('gives a Kreis token its member Gemeinden from the loaded Gemeindeverzeichnis, unless told not to', async () => {
    const gv = path.resolve(__dirname, '../demo/germany/GV100AD_301123_auszug.txt');
    expect((await dir.lagebild('areas', 'load-gv100ad', gv)).code).toBe(0);
    const auth = await createEmbeddedAuth({ dataDir: dir.path, logger: silentLogger() });
    const kreis = await dir.lagebild('token', 'create', '--tenant', '01054', '--role', 'sozialplanung');
    expect(kreis.code).toBe(0);
    expect(kreis.stderr).toContain('Kreis 01054: 133 Mitgliedsgemeinden aus dem Gemeindeverzeichnis übernommen');
    const members = (await auth.verify(kreis.stdout.trim())).memberOf ?? [];
    // Nordfriesland has 133 Gemeinden (GV100AD, Gebietsstand 30.11.2023), Husum among them.
    expect(members).toHaveLength(133);
    expect(members).toContain('01054056');
    expect(members.every((m) => m.startsWith('01054'))).toBe(true);
    const alone = await dir.lagebild('token', 'create', '--tenant', '01054', '--role', 'sozialplanung', '--ohne-mitglieder');
    expect((await auth.verify(alone.stdout.trim())).memberOf ?? []).toEqual([]);
  });
});
