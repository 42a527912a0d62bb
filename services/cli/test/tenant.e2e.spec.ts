/**
 * `lagebild tenant add|list|show` as a Kreis' administrator runs them: Nordfriesland (01054)
 * from the shipped Gemeindeverzeichnis extract (GV100AD, Gebietsstand 30.11.2023, 133
 * Gemeinden), registered with its Kreistyp; the TenantConfigured event the other services
 * receive; the register listed for people and as JSON; German refusals with what to do.
 */
import path from 'node:path';
import { createTenantRegister, type TenantConfiguredData } from '@lagebild/ingestion';
import { freshDataDir, type DataDir } from './support';

const GV = path.resolve(__dirname, '../demo/germany/GV100AD_301123_auszug.txt');

let dir: DataDir;
beforeAll(async () => {
  dir = await freshDataDir('tenant');
});
afterAll(() => dir.remove());

async function registered(ags: string): Promise<{ entry: TenantConfiguredData | undefined; stream: Array<{ type: string; version: number; data: TenantConfiguredData }> }> {
  const stores = dir.openStores();
  try {
    const stream = (await stores.eventStore.readStream(`tenant-${ags}`)).map((e) => ({ type: e.type, version: e.version, data: e.data as TenantConfiguredData }));
    return { entry: await createTenantRegister(stores.documents).tenant(ags), stream };
  } finally {
    await stores.close();
  }
}

describe('lagebild tenant', () => {
  it('refuses to add a tenant before the Gemeindeverzeichnis is loaded and says which command loads it', async () => {
    const result = await dir.lagebild('tenant', 'add', '01054');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Fehler: Das Gemeindeverzeichnis ist nicht geladen');
    expect(result.stderr).toContain('lagebild areas load-gv100ad GV100AD_TTMMJJ.txt');
  });

  it('adds Nordfriesland with its 133 Gemeinden: the Kreis plans for those below 20,000 inhabitants, Husum is a partner', async () => {
    expect((await dir.lagebild('areas', 'load-gv100ad', GV)).code).toBe(0);
    const result = await dir.lagebild('tenant', 'add', '01054', '--kreistyp', 'betreuung');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Mandant 01054 Nordfriesland (Kreis) eingetragen, Version 1.');
    expect(result.stdout).toContain('133 Mitgliedsgemeinden: 132 betreut, 1 Partner (Husum, Stadt 01054056: 23.735 EW).');
    const { entry, stream } = await registered('01054');
    expect(stream.map((e) => [e.type, e.version])).toEqual([['TenantConfigured', 1]]);
    expect(stream[0]!.data).toEqual(entry);
    expect(entry).toMatchObject({ kind: 'KREIS', planningModel: 'BETREUUNG', partnerThreshold: 20_000, kreis: null });
    expect(entry!.members).toHaveLength(133);
    expect(entry!.members.find((m) => m.tenant === '01054056')).toEqual({ tenant: '01054056', name: 'Husum, Stadt', population: 23_735, relation: 'PARTNER' });
    expect(entry!.configuredBy).toMatch(/^cli:/);
  });

  it('changes nothing when run again with the same options', async () => {
    const result = await dir.lagebild('tenant', 'add', '01054');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Mandant 01054 Nordfriesland (Kreis) ist schon so eingetragen (Version 1); nichts geändert.\n');
    expect((await registered('01054')).stream).toHaveLength(1);
  });

  it('takes another threshold and explicit partners (repeated or with commas) as version 2', async () => {
    const result = await dir.lagebild('tenant', 'add', '01054', '--partner-ab', '10.000', '--partner', '01054001,01054002', '--betreut', '01054168');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('geändert, Version 2.');
    const { entry } = await registered('01054');
    const relation = (ags: string) => entry!.members.find((m) => m.tenant === ags)?.relation;
    expect(entry!.partnerThreshold).toBe(10_000);
    // Husum and Niebüll by size, Achtrup and Ahrenshöft by hand; Sylt (13,924) betreut by hand.
    expect(entry!.members.filter((m) => m.relation === 'PARTNER').map((m) => m.tenant)).toEqual(['01054001', '01054002', '01054056', '01054088']);
    expect(relation('01054168')).toBe('BETREUT');
  });

  it('makes every Gemeinde a partner in a partnership', async () => {
    const result = await dir.lagebild('tenant', 'add', '01054', '--kreistyp', 'partnerschaft');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('133 Mitgliedsgemeinden: 0 betreut, 133 Partner.');
    expect((await registered('01054')).entry).toMatchObject({ version: 3, planningModel: 'PARTNERSCHAFT', partnerThreshold: null });
  });

  it('registers a Gemeinde with its Kreis and a kreisfreie Stadt, and sends the Gemeinde of a kreisfreie Stadt to the city', async () => {
    expect((await dir.lagebild('tenant', 'add', '01054056')).stdout).toBe('Mandant 01054056 Husum, Stadt (Gemeinde im Kreis 01054) eingetragen, Version 1.\n');
    expect((await dir.lagebild('tenant', 'add', '01001')).stdout).toBe('Mandant 01001 Flensburg, Stadt (kreisfreie Stadt) eingetragen, Version 1.\n');
    const city = await dir.lagebild('tenant', 'add', '01001000');
    expect(city.code).toBe(1);
    expect(city.stderr).toContain('Mandant ist die Stadt mit dem fünfstelligen Schlüssel 01001.');
  });

  it('lists the register as a table and as JSON', async () => {
    const table = await dir.lagebild('tenant', 'list');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AGS\s+Name\s+Art\s+Kreistyp\s+Mitglieder$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/))).toEqual([
      ['01001', 'Flensburg, Stadt', 'kreisfreie Stadt', '–', '–'],
      ['01054', 'Nordfriesland', 'Kreis', 'Partnerschaft', '133 (0 betreut, 133 Partner)'],
      ['01054056', 'Husum, Stadt', 'Gemeinde im Kreis 01054', '–', '–'],
    ]);
    const json = await dir.lagebild('tenant', 'list', '--json');
    const entries = JSON.parse(json.stdout) as TenantConfiguredData[];
    expect(entries.map((e) => [e.tenant, e.version, e.members.length])).toEqual([
      ['01001', 1, 0],
      ['01054', 3, 133],
      ['01054056', 1, 0],
    ]);
  });

  it('shows a Kreis with every member, and says how to register a tenant that is not registered', async () => {
    const show = await dir.lagebild('tenant', 'show', '01054');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Kreistyp:   Partnerschaft');
    expect(show.stdout).toMatch(/01054056\s+Husum, Stadt\s+23\.735\s+Partner/);
    expect(show.stdout.split('\n').filter((l) => /^\s+01054\d{3}\s/.test(l))).toHaveLength(133);
    const missing = await dir.lagebild('tenant', 'show', '01054001');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Der Mandant 01054001 ist nicht im Mandantenregister eingetragen (er ist Mitglied des eingetragenen Kreises 01054: lagebild tenant show 01054).');
  });

  it('refuses wrong arguments with the usage (exit 2) and an unknown AGS or a foreign member with exit 1, in German', async () => {
    const usage = await dir.lagebild('tenant', 'add', '1054', '--kreistyp', 'foederal');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('"1054" ist kein AGS');
    expect(usage.stderr).toContain('Aufruf: lagebild tenant add AGS [Optionen]');
    const unknown = await dir.lagebild('tenant', 'add', '01099');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Einen Kreis oder eine kreisfreie Stadt mit dem Schlüssel 01099 gibt es im geladenen Gemeindeverzeichnis nicht.');
    const foreign = await dir.lagebild('tenant', 'add', '01054', '--kreistyp', 'betreuung', '--partner', '01001000');
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('Keine Gemeinden des Kreises 01054 (Nordfriesland): 01001000.');
  });

  it('writes the Grafana readers and row policies of the register, with a Gemeinde\'s release to its peers in their condition', async () => {
    // By now: Kreis 01054 (Partnerschaft), Husum as a Gemeinde of its own, Flensburg.
    const release = await dir.lagebild('freigabe', 'add', '--mandant', '01054056', '--publikum', 'gemeinden', '--kennzahl', 'arbeitslosendichte', '--sperrfrist', '2030-01-01');
    expect(release.code).toBe(0);
    const out = await dir.lagebild('tenant', 'clickhouse-sql', '--betriebsleser', 'lagebild_readonly');
    expect(out.code).toBe(0);
    for (const tenant of ['01001', '01054', '01054056']) expect(out.stdout).toContain(`CREATE USER IF NOT EXISTS lagebild_fis_${tenant}`);
    // The Kreis reads its members; Flensburg is no peer of Husum and gets no release condition.
    const policies = out.stdout.split(';\n').filter((st) => st.includes('CREATE ROW POLICY OR REPLACE') && st.includes('lagebild.fact_indicator_value'));
    const kreis = policies.find((st) => st.includes('lagebild_tenant_01054 ') || st.endsWith('TO lagebild_tenant_01054'))!;
    // Owners read under the same condition share one `tenant IN (...)`.
    expect(kreis).toMatch(/tenant IN \([^)]*'01054056'/);
    const flensburg = policies.find((st) => st.endsWith('TO lagebild_tenant_01001'))!;
    expect(flensburg).not.toContain('01054056');
    const empty = await freshDataDir('tenant-sql');
    try {
      const none = await empty.lagebild('tenant', 'clickhouse-sql');
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('Das Mandantenregister ist leer');
    } finally {
      await empty.remove();
    }
  });
});
