/**
 * The register's deciders as given(state).when(command).then(events): how a Kreis' members are
 * classified (threshold, explicit lists that are remembered, partnership), when nothing changes,
 * what a Gemeinde and a kreisfreie Stadt may be configured with, and the rules of releases.
 */
import {
  decideRelease,
  decideTenant,
  kindOfKreisRecord,
  type ReleaseGrantedData,
  type TenantConfiguredData,
  type TenantFacts,
  type TenantOptions,
  TenancyRuleViolation,
} from '../../src/tenancy';
import { evolveRelease, initialReleaseState, type ReleaseState } from '../../src/tenancy/model';

const NOW = '2024-03-04T10:00:00.000Z';

const nordfriesland: TenantFacts = {
  ags: '01054',
  name: 'Nordfriesland',
  kind: 'KREIS',
  members: [
    { tenant: '01054056', name: 'Husum, Stadt', population: 23_735 },
    { tenant: '01054168', name: 'Sylt', population: 13_924 },
    { tenant: '01054088', name: 'Niebüll, Stadt', population: 10_192 },
    { tenant: '01054076', name: 'Leck', population: 7_860 },
    { tenant: '01054039', name: 'Gröde', population: 11 },
  ],
};

function configure(facts: TenantFacts, options: TenantOptions, state: TenantConfiguredData | null = null): TenantConfiguredData[] {
  return decideTenant({ type: 'ConfigureTenant', data: { facts, options, configuredBy: 'cli:test' }, metadata: { now: NOW } }, state).map((e) => e.data);
}

function relations(entry: TenantConfiguredData): Record<string, string> {
  return Object.fromEntries(entry.members.map((m) => [m.tenant, m.relation]));
}

function refusal(work: () => unknown): TenancyRuleViolation {
  try {
    work();
  } catch (error) {
    if (error instanceof TenancyRuleViolation) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('configuring a Kreis', () => {
  it('plans for the members below 20,000 inhabitants by default and makes the larger ones partners', () => {
    const [entry] = configure(nordfriesland, {});
    expect(entry).toMatchObject({ tenant: '01054', version: 1, name: 'Nordfriesland', kind: 'KREIS', kreis: null, planningModel: 'BETREUUNG', partnerThreshold: 20_000, configuredBy: 'cli:test', configuredAt: NOW });
    expect(relations(entry!)).toEqual({ '01054039': 'BETREUT', '01054056': 'PARTNER', '01054076': 'BETREUT', '01054088': 'BETREUT', '01054168': 'BETREUT' });
    // Members are listed by AGS with their population from the Gemeindeverzeichnis.
    expect(entry!.members.map((m) => m.tenant)).toEqual(['01054039', '01054056', '01054076', '01054088', '01054168']);
    expect(entry!.members[0]).toEqual({ tenant: '01054039', name: 'Gröde', population: 11, relation: 'BETREUT' });
  });

  it('takes another partner threshold, inclusive: a member with exactly that many inhabitants is a partner', () => {
    const [entry] = configure(nordfriesland, { partnerThreshold: 10_192 });
    expect(entry!.partnerThreshold).toBe(10_192);
    expect(relations(entry!)).toMatchObject({ '01054056': 'PARTNER', '01054168': 'PARTNER', '01054088': 'PARTNER', '01054076': 'BETREUT' });
  });

  it('lets explicit lists override the threshold either way', () => {
    const [entry] = configure(nordfriesland, { partners: ['01054076'], betreut: ['01054056'] });
    expect(relations(entry!)).toMatchObject({ '01054056': 'BETREUT', '01054076': 'PARTNER', '01054168': 'BETREUT' });
  });

  it('remembers explicit assignments when re-run with a new threshold, until told to forget them', () => {
    const [first] = configure(nordfriesland, { betreut: ['01054056'] });
    const [second] = configure(nordfriesland, { partnerThreshold: 10_000 }, first);
    expect(second!.version).toBe(2);
    // Husum stays BETREUT (an explicit decision); Sylt and Niebüll follow the new threshold.
    expect(relations(second!)).toMatchObject({ '01054056': 'BETREUT', '01054168': 'PARTNER', '01054088': 'PARTNER', '01054076': 'BETREUT' });
    const [third] = configure(nordfriesland, { resetOverrides: true }, second);
    expect(third!.partnerThreshold).toBe(10_000);
    expect(relations(third!)).toMatchObject({ '01054056': 'PARTNER' });
  });

  it('makes every member a partner in a partnership, without threshold', () => {
    const [entry] = configure(nordfriesland, { planningModel: 'PARTNERSCHAFT' });
    expect(entry).toMatchObject({ planningModel: 'PARTNERSCHAFT', partnerThreshold: null });
    expect(new Set(entry!.members.map((m) => m.relation))).toEqual(new Set(['PARTNER']));
  });

  it('keeps the Kreistyp and threshold of the current entry when re-run without options', () => {
    const [first] = configure(nordfriesland, { partnerThreshold: 5_000 });
    expect(configure(nordfriesland, {}, first)).toEqual([]);
    const [partnership] = configure(nordfriesland, { planningModel: 'PARTNERSCHAFT' }, first);
    expect(configure(nordfriesland, {}, partnership)).toEqual([]);
  });

  it('appends nothing when the configuration is the same, and version + 1 when something changed', () => {
    const [first] = configure(nordfriesland, {});
    expect(configure(nordfriesland, {}, first)).toEqual([]);
    // A newer Gemeindeverzeichnis: Gröde grew (the same relation, but a new population).
    const grown: TenantFacts = { ...nordfriesland, members: nordfriesland.members.map((m) => (m.tenant === '01054039' ? { ...m, population: 12 } : m)) };
    const [second] = configure(grown, {}, first);
    expect(second).toMatchObject({ version: 2, configuredAt: NOW });
  });

  it('makes a member of unknown population a partner (the stricter relation)', () => {
    const facts: TenantFacts = { ...nordfriesland, members: [{ tenant: '01054999', name: 'Neugemeinde', population: null }] };
    expect(relations(configure(facts, {})[0]!)).toEqual({ '01054999': 'PARTNER' });
  });

  it('refuses, naming each problem: Gemeinden outside the Kreis, one in both lists, betreut in a partnership, a threshold for a partnership', () => {
    const error = refusal(() => configure(nordfriesland, { planningModel: 'PARTNERSCHAFT', partnerThreshold: 1, partners: ['01059083', '01054076'], betreut: ['01054076'] }));
    expect(error.code).toBe('invalid-configuration');
    expect(error.errors.join('\n')).toContain('Keine Gemeinden des Kreises 01054 (Nordfriesland): 01059083.');
    expect(error.errors.join('\n')).toContain('Sowohl als Partner als auch als betreut genannt: 01054076.');
    expect(error.errors.join('\n')).toContain('Beim Kreistyp partnerschaft sind alle Gemeinden Partner');
    expect(error.errors.join('\n')).toContain('Eine Partnergrenze (Einwohner) gibt es nur beim Kreistyp betreuung');
  });

  it('refuses a Kreis without Kreistyp and a kind the Gemeindeverzeichnis contradicts', () => {
    expect(refusal(() => configure(nordfriesland, { planningModel: 'NONE' })).errors).toEqual(['Ein Kreis braucht einen Kreistyp (betreuung oder partnerschaft).']);
    const wrong = refusal(() => configure(nordfriesland, { kind: 'KREISFREIE_STADT' }));
    expect(wrong.code).toBe('wrong-kind');
    expect(wrong.message).toBe('01054 (Nordfriesland) ist laut Gemeindeverzeichnis ein Kreis, keine kreisfreie Stadt.');
  });
});

describe('configuring a Gemeinde or a kreisfreie Stadt', () => {
  it('gives a Gemeinde registered on its own its Kreis', () => {
    const [entry] = configure({ ags: '01054056', name: 'Husum, Stadt', kind: 'GEMEINDE', kreis: { ags: '01054', name: 'Nordfriesland', kind: 'KREIS' } }, {});
    expect(entry).toMatchObject({ tenant: '01054056', kind: 'GEMEINDE', kreis: '01054', planningModel: 'NONE', partnerThreshold: null, members: [] });
  });

  it('registers a kreisfreie Stadt without Kreis and members', () => {
    const [entry] = configure({ ags: '01001', name: 'Flensburg, Stadt', kind: 'KREISFREIE_STADT' }, {});
    expect(entry).toMatchObject({ kind: 'KREISFREIE_STADT', kreis: null, planningModel: 'NONE', members: [] });
  });

  it('refuses Kreis options for a Gemeinde and sends the Gemeinde of a kreisfreie Stadt to the city', () => {
    const gemeinde = refusal(() => configure({ ags: '01054056', name: 'Husum, Stadt', kind: 'GEMEINDE', kreis: { ags: '01054', name: 'Nordfriesland', kind: 'KREIS' } }, { planningModel: 'BETREUUNG', partnerThreshold: 5 }));
    expect(gemeinde.message).toBe('Kreistyp, Partnergrenze gibt es nur für einen Kreis; 01054056 (Husum, Stadt) ist eine kreisangehörige Gemeinde.');
    const city = refusal(() => configure({ ags: '01001000', name: 'Flensburg, Stadt', kind: 'GEMEINDE', kreis: { ags: '01001', name: 'Flensburg, Stadt', kind: 'KREISFREIE_STADT' } }, {}));
    expect(city.message).toBe('01001000 (Flensburg, Stadt) ist die Gemeinde der kreisfreien Stadt Flensburg, Stadt; Mandant ist die Stadt mit dem fünfstelligen Schlüssel 01001.');
  });

  it('reads the kind of a Kreis record from its Textkennzeichen', () => {
    expect(kindOfKreisRecord('Kreisfreie Stadt', 1)).toBe('KREISFREIE_STADT');
    expect(kindOfKreisRecord('Stadtkreis', 1)).toBe('KREISFREIE_STADT');
    expect(kindOfKreisRecord('Kreis', 133)).toBe('KREIS');
    expect(kindOfKreisRecord('Landkreis', 40)).toBe('KREIS');
    expect(kindOfKreisRecord('Regionalverband', 10)).toBe('KREIS');
    expect(kindOfKreisRecord(null, 1)).toBe('KREISFREIE_STADT');
    expect(kindOfKreisRecord(null, 12)).toBe('KREIS');
  });
});

describe('releases', () => {
  const release = (over: Partial<ReleaseGrantedData> = {}): ReleaseGrantedData => ({
    releaseId: '6b2d4f8a-1c3e-4a5b-9d7f-0e2a4c6b8d91',
    tenant: '01054056',
    datasetId: null,
    indicatorId: 'sgb2-quote',
    unitType: 'Gemeinde',
    audience: 'MEMBERS',
    form: 'PROTECTED',
    embargoUntil: null,
    note: null,
    grantedBy: 'user:sozialplanung-husum',
    grantedAt: NOW,
    ...over,
  });
  const husum = { kind: 'GEMEINDE' as const, kreis: '01054' };
  const grant = (data: ReleaseGrantedData, standing: { kind: 'KREIS' | 'KREISFREIE_STADT' | 'GEMEINDE' | null; kreis: string | null } = husum, state: ReleaseState = initialReleaseState(data.tenant)) =>
    decideRelease({ type: 'GrantRelease', data, standing }, state);

  it('grants a protected release of a Gemeinde to the other members of its Kreis', () => {
    expect(grant(release())).toEqual([{ type: 'ReleaseGranted', data: release() }]);
  });

  it('allows raw figures only for the own Kreis', () => {
    expect(grant(release({ audience: 'KREIS', form: 'RAW' }))).toHaveLength(1);
    for (const audience of ['MEMBERS', 'PUBLIC'] as const) {
      const error = refusal(() => grant(release({ audience, form: 'RAW' })));
      expect(error.code).toBe('invalid-release');
      expect(error.errors).toEqual(['Rohwerte gibt es nur für den eigenen Kreis (Publikum kreis); andere Gemeinden und die Öffentlichkeit sehen nur geschützte Werte.']);
    }
  });

  it('offers the audiences Kreis and members only to those who have them', () => {
    const kreis = { kind: 'KREIS' as const, kreis: null };
    const stadt = { kind: 'KREISFREIE_STADT' as const, kreis: null };
    const unknown = { kind: null, kreis: null };
    expect(grant(release({ tenant: '01054', audience: 'MEMBERS' }), kreis)).toHaveLength(1);
    expect(refusal(() => grant(release({ tenant: '01054', audience: 'KREIS' }), kreis)).errors).toEqual(['Das Publikum kreis gibt es nur für Gemeinden eines Kreises; 01054 ist ein Kreis.']);
    expect(refusal(() => grant(release({ tenant: '01001', audience: 'MEMBERS' }), stadt)).errors[0]).toContain('01001 ist eine kreisfreie Stadt');
    expect(refusal(() => grant(release({ tenant: '09999999', audience: 'KREIS' }), unknown)).errors[0]).toContain('09999999 ist weder im Mandantenregister noch im geladenen Gemeindeverzeichnis');
    // Everybody may publish.
    expect(grant(release({ tenant: '01001', audience: 'PUBLIC' }), stadt)).toHaveLength(1);
    expect(grant(release({ tenant: '09999999', audience: 'PUBLIC' }), unknown)).toHaveLength(1);
  });

  it('refuses ids that are not shaped like the catalogue’s, naming each', () => {
    const error = refusal(() => grant(release({ datasetId: 'Arbeitslose 2021', indicatorId: 'SGB II!', unitType: 'Gemeinde; DROP' })));
    expect(error.errors).toHaveLength(3);
    expect(error.errors[0]).toContain('Datensatz "Arbeitslose 2021"');
    expect(error.errors[1]).toContain('Kennzahl "SGB II!"');
    expect(error.errors[2]).toContain('Ebene "Gemeinde; DROP"');
  });

  it('withdraws a release once, and refuses an unknown one or a second withdrawal', () => {
    const granted = evolveRelease(initialReleaseState('01054056'), { type: 'ReleaseGranted', data: release() });
    expect(refusal(() => grant(release(), husum, granted)).code).toBe('release-exists');
    const withdraw = (state: ReleaseState, releaseId = release().releaseId) =>
      decideRelease({ type: 'WithdrawRelease', data: { releaseId, withdrawnBy: 'user:admin-husum' }, metadata: { now: '2024-03-05T10:00:00.000Z' } }, state);
    const [event] = withdraw(granted);
    expect(event).toEqual({ type: 'ReleaseWithdrawn', data: { releaseId: release().releaseId, tenant: '01054056', withdrawnBy: 'user:admin-husum', withdrawnAt: '2024-03-05T10:00:00.000Z' } });
    const after = evolveRelease(granted, event!);
    expect(refusal(() => withdraw(after)).code).toBe('release-withdrawn');
    expect(refusal(() => withdraw(granted, '00000000-0000-4000-8000-000000000000')).code).toBe('unknown-release');
  });
});
