/**
 * `lagebild user add|list|remove` and `lagebild token create --benutzer`: accounts of the
 * embedded mode give tokens their tenant and roles; a Kreis account's token carries the members
 * of the registered Kreis; every change is recorded as the private event UserAccountChanged,
 * which the outbox does not publish.
 */
import path from 'node:path';
import { createCodec, outboxMapper } from '@lagebild/contracts';
import { createEmbeddedAuth, silentLogger } from '@lagebild/platform';
import { freshDataDir, type DataDir } from './support';

const GV = path.resolve(__dirname, '../demo/germany/GV100AD_301123_auszug.txt');

let dir: DataDir;
beforeAll(async () => {
  dir = await freshDataDir('user');
});
afterAll(() => dir.remove());

async function verify(token: string) {
  const auth = await createEmbeddedAuth({ dataDir: dir.path, logger: silentLogger() });
  return auth.verify(token);
}

describe('lagebild user and token create --benutzer', () => {
  it('adds an account for a Gemeinde and issues a token with its tenant and roles, named after the account', async () => {
    const add = await dir.lagebild('user', 'add', 'husum-planung', '--mandant', '01054056', '--rolle', 'sozialplanung', '--rolle', 'datenlieferung');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('Benutzer husum-planung angelegt: Mandant 01054056, Rollen sozialplanung, datenlieferung.');
    expect(add.stdout).toContain('Token ausstellen mit: lagebild token create --benutzer husum-planung');
    const token = await dir.lagebild('token', 'create', '--benutzer', 'husum-planung');
    expect(token.stderr).toBe('');
    expect(token.code).toBe(0);
    expect(await verify(token.stdout.trim())).toEqual({ subject: 'husum-planung', tenant: '01054056', roles: ['sozialplanung', 'datenlieferung'] });
  });

  it('takes --tenant and --role like token create', async () => {
    const own = await freshDataDir('user-alias');
    try {
      const add = await own.lagebild('user', 'add', 'niebuell-fis', '--tenant', '01054088', '--role', 'fuehrung');
      expect(add.code).toBe(0);
      const token = await own.lagebild('token', 'create', '--benutzer', 'niebuell-fis');
      const auth = await createEmbeddedAuth({ dataDir: own.path, logger: silentLogger() });
      expect(await auth.verify(token.stdout.trim())).toEqual({ subject: 'niebuell-fis', tenant: '01054088', roles: ['fuehrung'] });
      const clash = await own.lagebild('user', 'add', 'x', '--tenant', '01054088', '--mandant', '01054056', '--role', 'fuehrung');
      expect(clash.code).not.toBe(0);
      expect(clash.stderr).toContain('--mandant und --tenant nennen verschiedene Mandanten');
    } finally {
      await own.remove();
    }
  });

  it('gives a Kreis account’s token the members of the registered Kreis, else those of the Gemeindeverzeichnis', async () => {
    expect((await dir.lagebild('user', 'add', 'nf-admin', '--mandant', '01054', '--rolle', 'admin,sozialplanung')).code).toBe(0);
    expect((await dir.lagebild('areas', 'load-gv100ad', GV)).code).toBe(0);
    const fromGv = await dir.lagebild('token', 'create', '--benutzer', 'nf-admin');
    expect(fromGv.stderr).toContain('Kreis 01054: 133 Mitgliedsgemeinden aus dem Gemeindeverzeichnis übernommen');
    expect((await dir.lagebild('tenant', 'add', '01054')).code).toBe(0);
    const fromRegister = await dir.lagebild('token', 'create', '--benutzer', 'nf-admin');
    expect(fromRegister.code).toBe(0);
    expect(fromRegister.stderr).toContain('Kreis 01054: 133 Mitgliedsgemeinden aus dem Mandantenregister (132 betreut, 1 Partner) übernommen');
    const principal = await verify(fromRegister.stdout.trim());
    expect(principal).toMatchObject({ subject: 'nf-admin', tenant: '01054', roles: ['admin', 'sozialplanung'] });
    expect(principal.memberOf).toHaveLength(133);
    expect(principal.memberOf).toContain('01054056');
  });

  it('still issues tokens from --tenant and --role, and refuses to mix them with --benutzer', async () => {
    const plain = await dir.lagebild('token', 'create', '--tenant', '01001', '--role', 'fuehrung');
    expect(plain.code).toBe(0);
    expect(await verify(plain.stdout.trim())).toMatchObject({ subject: 'cli', tenant: '01001', roles: ['fuehrung'] });
    const mixed = await dir.lagebild('token', 'create', '--benutzer', 'husum-planung', '--role', 'admin');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--benutzer nimmt Mandant und Rollen aus dem Benutzerkonto; --tenant und --role nicht zusätzlich angeben.');
  });

  it('changes an account, lists the accounts and removes one; no token for a removed account', async () => {
    const same = await dir.lagebild('user', 'add', 'husum-planung', '--mandant', '01054056', '--rolle', 'datenlieferung,sozialplanung');
    expect(same.stdout).toContain('ist schon so angelegt');
    expect((await dir.lagebild('user', 'add', 'husum-planung', '--mandant', '01054056', '--rolle', 'datenlieferung')).stdout).toContain('Benutzer husum-planung geändert: Mandant 01054056, Rollen datenlieferung.');
    const list = await dir.lagebild('user', 'list');
    expect(list.stdout.trimEnd().split('\n').slice(2).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['husum-planung', '01054056', 'datenlieferung'],
      ['nf-admin', '01054', 'admin, sozialplanung'],
    ]);
    const removed = await dir.lagebild('user', 'remove', 'husum-planung');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Benutzer husum-planung entfernt');
    const token = await dir.lagebild('token', 'create', '--benutzer', 'husum-planung');
    expect(token.code).toBe(1);
    expect(token.stdout).toBe('');
    expect(token.stderr).toContain('Ein Benutzerkonto husum-planung gibt es nicht. Anlegen mit: lagebild user add husum-planung --mandant AGS --rolle ROLLE');
  });

  it('records every account change as UserAccountChanged in the store, which the outbox keeps out of the log', async () => {
    const stores = dir.openStores();
    try {
      const stream = await stores.eventStore.readStream('user-husum-planung');
      expect(stream.map((e) => [e.type, (e.data as { change: string }).change, e.metadata.tenant])).toEqual([
        ['UserAccountChanged', 'ADDED', '01054056'],
        ['UserAccountChanged', 'CHANGED', '01054056'],
        ['UserAccountChanged', 'REMOVED', '01054056'],
      ]);
      expect(stream[1]!.data).toMatchObject({ roles: ['datenlieferung'], previous: { tenant: '01054056', roles: ['sozialplanung', 'datenlieferung'] } });
      const toRecord = outboxMapper(createCodec());
      expect(stream.map((e) => toRecord(e))).toEqual([undefined, undefined, undefined]);
    } finally {
      await stores.close();
    }
  });

  it('refuses a malformed name, tenant and role, naming each', async () => {
    const result = await dir.lagebild('user', 'add', 'Husum Planung', '--mandant', '1054', '--rolle', 'chef');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Der Name "Husum Planung" geht nicht');
    expect(result.stderr).toContain('--mandant "1054" ist kein AGS');
    expect(result.stderr).toContain('unbekannte Rolle "chef"');
  });
});
