/**
 * The register's application layer on the real embedded store: tenants built from a loaded
 * Gemeindeverzeichnis and appended to tenant-<AGS>, releases to release-<AGS>, both with
 * expected versions and in the contract's Avro form, the read model kept and caught up, and the
 * German refusals a user sees before anything is loaded.
 */
import { createCodec, outboxMapper } from '@lagebild/contracts';
import {
  configureTenant,
  createTenantRegister,
  catchUpTenancy,
  grantRelease,
  TENANCY_COLLECTIONS,
  TenancyRuleViolation,
  tenantStanding,
  withdrawRelease,
} from '../../src/tenancy';
import { FLENSBURG, NF, openContext, SLFL } from './support';

const cli = { subject: 'cli:test' };

async function refusal(work: () => Promise<unknown>): Promise<TenancyRuleViolation> {
  try {
    await work();
  } catch (error) {
    if (error instanceof TenancyRuleViolation) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('tenant register (embedded store)', () => {
  let t: Awaited<ReturnType<typeof openContext>>;
  beforeEach(async () => {
    t = await openContext();
  });
  afterEach(() => t.close());

  it('refuses to add a tenant before the Gemeindeverzeichnis is loaded, saying how to load it', async () => {
    const error = await refusal(() => configureTenant(t.ctx, { tenant: NF.kreis, actor: cli }));
    expect(error.code).toBe('gemeindeverzeichnis-missing');
    expect(error.message).toContain('Das Gemeindeverzeichnis ist nicht geladen');
    expect(error.message).toContain('lagebild areas load-gv100ad GV100AD_TTMMJJ.txt');
    expect(await t.ctx.eventStore.readStream('tenant-01054')).toEqual([]);
  });

  it('refuses an AGS the Gemeindeverzeichnis does not know, and one that is no AGS', async () => {
    await t.loadGv();
    const unknown = await refusal(() => configureTenant(t.ctx, { tenant: '01099', actor: cli }));
    expect(unknown.code).toBe('unknown-area');
    expect(unknown.message).toContain('Einen Kreis oder eine kreisfreie Stadt mit dem Schlüssel 01099 gibt es im geladenen Gemeindeverzeichnis nicht.');
    expect(unknown.message).toContain('lagebild areas load-gv100ad');
    expect((await refusal(() => configureTenant(t.ctx, { tenant: '0105', actor: cli }))).message).toContain('"0105" ist kein Amtlicher Gemeindeschlüssel');
  });

  it('adds Nordfriesland with its members and their population, appends TenantConfigured to tenant-01054 once, and keeps the read model', async () => {
    await t.loadGv();
    const first = await configureTenant(t.ctx, { tenant: NF.kreis, actor: cli });
    expect(first).toMatchObject({ changed: true, previous: null });
    expect(first.entry).toMatchObject({ tenant: '01054', version: 1, name: 'Nordfriesland', kind: 'KREIS', planningModel: 'BETREUUNG', partnerThreshold: 20_000, configuredBy: 'cli:test', configuredAt: '2024-03-04T10:00:00.000Z' });
    expect(first.entry.members.map((m) => [m.tenant, m.population, m.relation])).toEqual([
      [NF.groede, 11, 'BETREUT'],
      [NF.husum, 23_735, 'PARTNER'],
      [NF.leck, 7_860, 'BETREUT'],
      [NF.niebuell, 10_192, 'BETREUT'],
      [NF.sylt, 13_924, 'BETREUT'],
    ]);
    const again = await configureTenant(t.ctx, { tenant: NF.kreis, actor: cli });
    expect(again.changed).toBe(false);
    const stream = await t.ctx.eventStore.readStream('tenant-01054');
    expect(stream.map((e) => [e.type, e.version, e.metadata.tenant, e.metadata.actor])).toEqual([['TenantConfigured', 1, '01054', 'cli:test']]);
    expect(await createTenantRegister(t.ctx.documents).tenant(NF.kreis)).toEqual(first.entry);

    const changed = await configureTenant(t.ctx, { tenant: NF.kreis, partnerThreshold: 10_000, actor: cli });
    expect(changed.entry.version).toBe(2);
    expect((await t.ctx.eventStore.readStream('tenant-01054')).map((e) => e.version)).toEqual([1, 2]);
    expect((await createTenantRegister(t.ctx.documents).tenant(NF.kreis))?.version).toBe(2);
  });

  it('gives a Gemeinde registered on its own its Kreis from the Gemeindeverzeichnis, and registers a kreisfreie Stadt', async () => {
    await t.loadGv();
    expect((await configureTenant(t.ctx, { tenant: SLFL.kappeln, actor: cli })).entry).toMatchObject({ kind: 'GEMEINDE', kreis: '01059', name: 'Kappeln, Stadt' });
    expect((await configureTenant(t.ctx, { tenant: FLENSBURG.stadt, actor: cli })).entry).toMatchObject({ kind: 'KREISFREIE_STADT', kreis: null });
    expect((await refusal(() => configureTenant(t.ctx, { tenant: FLENSBURG.gemeinde, actor: cli }))).code).toBe('wrong-kind');
  });

  it('writes events the contract encodes, so the outbox can publish them', async () => {
    await t.loadGv();
    await configureTenant(t.ctx, { tenant: NF.kreis, actor: cli });
    const release = await grantRelease(t.ctx, { tenant: NF.husum, audience: 'MEMBERS', indicatorId: 'sgb2-quote', embargoUntil: '2024-04-01', note: 'Sozialausschuss 29.02.2024', actor: cli });
    await withdrawRelease(t.ctx, { releaseId: release.releaseId, actor: cli });
    const codec = createCodec();
    const toRecord = outboxMapper(codec);
    const stored = [...(await t.ctx.eventStore.readStream('tenant-01054')), ...(await t.ctx.eventStore.readStream('release-01054056'))];
    expect(stored.map((e) => e.type)).toEqual(['TenantConfigured', 'ReleaseGranted', 'ReleaseWithdrawn']);
    for (const event of stored) {
      const out = toRecord(event);
      expect(out?.topic).toBe('lagebild.ingestion');
      const decoded = codec.decode(out!.record.value);
      expect({ type: decoded.type, data: decoded.data }).toEqual({ type: event.type, data: event.data });
    }
  });

  it('grants a release with its Sperrfrist in German time, lists it, and withdraws it once', async () => {
    await t.loadGv();
    const release = await grantRelease(t.ctx, { tenant: NF.husum, audience: 'KREIS', form: 'RAW', embargoUntil: '2024-04-01', actor: { subject: 'user:sozialplanung-husum' } });
    expect(release).toMatchObject({ tenant: NF.husum, audience: 'KREIS', form: 'RAW', embargoUntil: '2024-03-31T22:00:00.000Z', grantedBy: 'user:sozialplanung-husum', grantedAt: '2024-03-04T10:00:00.000Z', withdrawnAt: null });
    expect((await t.ctx.eventStore.readStream('release-01054056')).map((e) => [e.type, e.version, e.metadata.tenant])).toEqual([['ReleaseGranted', 1, NF.husum]]);
    expect(await createTenantRegister(t.ctx.documents).releasesOf(NF.husum)).toEqual([release]);
    t.setNow(new Date('2024-03-05T09:00:00.000Z'));
    const withdrawn = await withdrawRelease(t.ctx, { releaseId: release.releaseId, actor: { subject: 'user:admin-husum' } });
    expect(withdrawn).toMatchObject({ withdrawnAt: '2024-03-05T09:00:00.000Z', withdrawnBy: 'user:admin-husum' });
    expect((await createTenantRegister(t.ctx.documents).release(release.releaseId))?.withdrawnAt).toBe('2024-03-05T09:00:00.000Z');
    expect((await refusal(() => withdrawRelease(t.ctx, { releaseId: release.releaseId, actor: cli }))).code).toBe('release-withdrawn');
    expect((await refusal(() => withdrawRelease(t.ctx, { releaseId: 'gibt-es-nicht', actor: cli }))).message).toContain('lagebild freigabe list --mandant AGS');
  });

  it('reports a bad Sperrfrist together with the other problems of a release', async () => {
    await t.loadGv();
    const error = await refusal(() => grantRelease(t.ctx, { tenant: FLENSBURG.stadt, audience: 'MEMBERS', form: 'RAW', embargoUntil: 'morgen', actor: cli }));
    expect(error.code).toBe('invalid-release');
    expect(error.errors).toHaveLength(3);
    expect(error.errors[0]).toContain('Sperrfrist "morgen"');
    expect(error.errors[1]).toContain('Rohwerte gibt es nur für den eigenen Kreis');
    expect(error.errors[2]).toContain('01001 ist eine kreisfreie Stadt');
    expect(await t.ctx.eventStore.readStream('release-01001')).toEqual([]);
  });

  it('lets an unregistered tenant publish without any register or Gemeindeverzeichnis', async () => {
    const release = await grantRelease(t.ctx, { tenant: '09461', audience: 'PUBLIC', actor: cli });
    expect(release.form).toBe('PROTECTED');
    expect(await tenantStanding(t.ctx.documents, '09461')).toEqual({ kind: null, kreis: null });
  });

  it('knows a member’s Kreis from the register first, else from the Gemeindeverzeichnis', async () => {
    await t.loadGv();
    expect(await tenantStanding(t.ctx.documents, NF.leck)).toEqual({ kind: 'GEMEINDE', kreis: '01054' });
    await configureTenant(t.ctx, { tenant: NF.kreis, actor: cli });
    expect(await tenantStanding(t.ctx.documents, NF.leck)).toEqual({ kind: 'GEMEINDE', kreis: '01054' });
    expect(await tenantStanding(t.ctx.documents, NF.kreis)).toEqual({ kind: 'KREIS', kreis: null });
    expect(await tenantStanding(t.ctx.documents, FLENSBURG.gemeinde)).toEqual({ kind: 'GEMEINDE', kreis: null });
  });

  it('keeps concurrent releases of one owner, each with its own stream version', async () => {
    await t.loadGv();
    const releases = await Promise.all(
      ['sgb2-quote', 'alq', 'ew-unter-18', 'ew-ueber-65'].map((indicatorId) => grantRelease(t.ctx, { tenant: NF.husum, audience: 'PUBLIC', indicatorId, actor: cli })),
    );
    const stream = await t.ctx.eventStore.readStream('release-01054056');
    expect(stream.map((e) => e.version)).toEqual([1, 2, 3, 4]);
    expect(new Set(stream.map((e) => (e.data as { releaseId: string }).releaseId))).toEqual(new Set(releases.map((r) => r.releaseId)));
  });

  it('rebuilds the read model from the event store after a crash between append and update', async () => {
    await t.loadGv();
    const { entry } = await configureTenant(t.ctx, { tenant: NF.kreis, actor: cli });
    const release = await grantRelease(t.ctx, { tenant: NF.husum, audience: 'PUBLIC', actor: cli });
    await t.ctx.documents.write([
      { collection: TENANCY_COLLECTIONS.tenants, key: NF.kreis, doc: null },
      { collection: TENANCY_COLLECTIONS.releases, key: release.releaseId, doc: null },
    ]);
    expect(await catchUpTenancy(t.ctx)).toBe(2);
    const register = createTenantRegister(t.ctx.documents);
    expect(await register.tenant(NF.kreis)).toEqual(entry);
    expect(await register.release(release.releaseId)).toEqual(release);
    // From the checkpoint on, nothing is applied twice.
    expect(await catchUpTenancy(t.ctx)).toBe(0);
  });

  it('repairs a lost register entry when the same configuration is given again', async () => {
    await t.loadGv();
    const { entry } = await configureTenant(t.ctx, { tenant: NF.kreis, actor: cli });
    await t.ctx.documents.delete(TENANCY_COLLECTIONS.tenants, NF.kreis);
    expect((await configureTenant(t.ctx, { tenant: NF.kreis, actor: cli })).changed).toBe(false);
    expect(await createTenantRegister(t.ctx.documents).tenant(NF.kreis)).toEqual(entry);
  });
});
