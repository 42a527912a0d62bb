/**
 * `lagebild audit`: reads the access records the hosts keep in the event store of the data
 * directory and prints them for the operator; the outbox relay of `lagebild start` leaves them
 * in the store (they are private events, never published to the topics).
 */
import path from 'node:path';
import { boundedContexts, createCodec, exampleIntegrationEvent, outboxMapper, topicOfContext } from '@lagebild/contracts';
import { AUDIT_EVENT_TYPE, createAuditTrail, createLmdbEventLog, createOutboxRelay, type AccessEntry } from '@lagebild/platform';
import { freshDataDir, type DataDir } from './support';

const today = new Date().toISOString().slice(0, 10);

function entry(overrides: Partial<AccessEntry>): AccessEntry {
  return { subject: 'planerin', principalTenant: '03159', roles: ['sozialplanung'], service: 'indicators', operation: 'GET /values', tenants: ['03159'], status: 200, requestId: 'r', ...overrides };
}

let dir: DataDir;
beforeAll(async () => {
  dir = await freshDataDir('audit');
  const stores = dir.openStores();
  const trail = createAuditTrail({ eventStore: stores.eventStore, documents: stores.documents });
  trail.record(entry({ requestId: 'r-1', operation: 'PUT /goals/:goalId', service: 'goals', object: { goalId: 'g-7' } }));
  trail.record(entry({ requestId: 'r-2', subject: 'eindringling', principalTenant: '09461', status: 403 }));
  trail.record(entry({ requestId: 'r-3', subject: 'kreisplaner', principalTenant: '01054', tenants: ['01054056'] }));
  await trail.close();
  await stores.close();
});
afterAll(() => dir.remove());

describe('lagebild audit', () => {
  it('prints every tenant’s records as a table, newest first, refused requests included', async () => {
    const result = await dir.lagebild('audit');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Zugriffsprotokoll \d{4}-\d{2}-\d{2} bis \d{4}-\d{2}-\d{2} \(UTC\)$/);
    expect(lines[1]).toMatch(/^Zeitpunkt\s+Benutzer\s+Mandant\s+Rollen\s+Dienst\s+Operation\s+Betroffen\s+Status\s+Objekt$/);
    const rows = lines.slice(3, -2).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => [r[1], r[2], r[5], r[6], r[7]])).toEqual([
      ['kreisplaner', '01054', 'GET /values', '01054056', '200'],
      ['eindringling', '09461', 'GET /values', '03159', '403'],
      ['planerin', '03159', 'PUT /goals/:goalId', '03159', '200'],
    ]);
    expect(rows[2]![8]).toBe('g-7');
    expect(lines.at(-2)).toBe('(3 Zeilen)');
  });

  it('narrows to one tenant, user and service, and gives JSON with the API’s field names', async () => {
    const result = await dir.lagebild('audit', '--mandant', '03159', '--benutzer', 'planerin', '--dienst', 'goals', '--von', today, '--bis', today, '--json');
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as { mandanten: string[]; von: string; bis: string; eintraege: Array<Record<string, unknown>>; weitere: boolean };
    expect(answer).toMatchObject({ mandanten: ['03159'], von: today, bis: today, weitere: false });
    expect(answer.eintraege).toEqual([
      {
        zeitpunkt: expect.stringMatching(new RegExp(`^${today}T`)),
        benutzer: 'planerin',
        mandant: '03159',
        rollen: ['sozialplanung'],
        dienst: 'goals',
        operation: 'PUT /goals/:goalId',
        betroffeneMandanten: ['03159'],
        status: 200,
        anfrageId: 'r-1',
        objekt: { goalId: 'g-7' },
      },
    ]);
    // The foreign caller's refused attempt is in its own tenant's records too.
    const foreign = JSON.parse((await dir.lagebild('audit', '--mandant', '09461', '--json')).stdout) as { eintraege: Array<{ benutzer: string; status: number }> };
    expect(foreign.eintraege.map((e) => [e.benutzer, e.status])).toEqual([['eindringling', 403]]);
  });

  it('says when there are more records than the limit', async () => {
    const result = await dir.lagebild('audit', '--limit', '1');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(1 Zeile)');
    expect(result.stderr).toContain('Es gibt weitere Einträge');
  });

  it('refuses a malformed tenant, limit or date, naming each in German', async () => {
    const wrong = await dir.lagebild('audit', '--mandant', '1054', '--limit', 'viele');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--mandant "1054" ist kein AGS');
    expect(wrong.stderr).toContain('--limit "viele"');
    const date = await dir.lagebild('audit', '--von', '2024-02-30');
    expect(date.code).toBe(2);
    expect(date.stderr).toContain('--von „2024-02-30“ ist kein Datum');
    const reversed = await dir.lagebild('audit', '--von', '2024-03-02', '--bis', '2024-03-01');
    expect(reversed.stderr).toContain('liegt nach bis');
  });
});

describe('the outbox relay', () => {
  it('publishes the integration events and leaves the access records in the store', async () => {
    const stores = dir.openStores();
    const log = createLmdbEventLog({ path: path.join(dir.path, 'lmdb') });
    try {
      const codec = createCodec();
      expect(codec.isIntegrationEvent(AUDIT_EVENT_TYPE)).toBe(false);
      const example = exampleIntegrationEvent('ProductDefined');
      await stores.eventStore.appendToStream('product-1', [
        { id: example.envelope.id, type: example.type, data: example.data, metadata: { tenant: example.envelope.tenant, occurredAt: example.envelope.occurredAt, actor: 'test', correlationId: 'c-1' } },
      ]);
      const trail = createAuditTrail({ eventStore: stores.eventStore, documents: stores.documents });
      trail.record(entry({ requestId: 'r-after' }));
      await trail.close();

      const relay = createOutboxRelay({ store: stores.eventStore, log, checkpoints: stores.documents, name: 'audit-test', toRecord: outboxMapper(codec) });
      expect(await relay.runOnce()).toBe(1);
      expect(await relay.checkpoint()).toBe(await stores.eventStore.lastPosition());
      let published = 0;
      for (const context of boundedContexts) for (const end of (await log.endOffsets(topicOfContext(context))).values()) published += end;
      expect(published).toBe(1);
      const stored = await stores.eventStore.readAll();
      expect(stored.filter((e) => e.type === AUDIT_EVENT_TYPE)).toHaveLength(6);
    } finally {
      await log.close();
      await stores.close();
    }
  });
});
