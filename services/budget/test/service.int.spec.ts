/**
 * The composed service on the embedded ports: its consumer takes a contract from the goals
 * topic of the event log and commits the money; the Gemeindeverzeichnis version arrives from the
 * ingestion topic; the OpenAPI document is part of the module.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCodec, exampleIntegrationEvent, type IntegrationEvent } from '@lagebild/contracts';
import { createLmdbDocumentStore, createLmdbEventLog, createLmdbEventStore, createEmbeddedAuth, silentLogger, type ServiceModule } from '@lagebild/platform';
import { createBudgetService } from '../src/application';
import { createService } from '../src/service';

const CONTRACT = '7a1e3c5f-2b4d-4e6f-8a0c-1e3f5a7c9b2d';

it('commits a contract that arrives on lagebild.goals and learns the Gemeindeverzeichnis version', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-budget-service-'));
  const store = path.join(dir, 'lmdb');
  const eventStore = createLmdbEventStore({ path: store });
  const documents = createLmdbDocumentStore({ path: store });
  const eventLog = createLmdbEventLog({ path: store });
  const logger = silentLogger();
  const codec = createCodec();
  let module: ServiceModule | undefined;
  try {
    module = await createService({ eventStore, documents, eventLog, logger, auth: await createEmbeddedAuth({ dataDir: dir }), warehouse: undefined as never });
    expect((module.openapi!() as { paths: Record<string, unknown> }).paths['/years/{year}/abweichungsbericht']).toBeDefined();
    await module.start!();
    const envelope = exampleIntegrationEvent('ProductDefined').envelope;
    const concluded = {
      type: 'ContractConcluded',
      envelope: { ...envelope, id: '00000000-0000-4000-8000-00000000c001', stream: `contract-${CONTRACT}`, tenant: '01001' },
      data: {
        contractId: CONTRACT, version: 1, kind: 'ZUWENDUNG', title: 'Schulsozialarbeit Nord', reference: 'JA-1', principalUnit: 'Jugendamt', traegerId: null, partnerTenant: null, partnerUnit: null,
        termStart: '2025-01-01', termEnd: '2025-12-31', legalBasis: '§ 13 SGB VIII', service: 'Schulsozialarbeit', productCode: '361010', targetGroup: 'Schülerinnen und Schüler', spatialScope: null, quantities: [],
        financing: { mode: 'ZUWENDUNG', annualAmountCents: 80_000_00, unitPriceCents: null, priceQuantityId: null, grantType: 'Festbetrag', productCode: '361010', costCentre: null, account: '531800' },
        qualityStandards: [], kennzahlen: [], reportingDuties: [], reviewDates: [], goalIds: [], prevention: 'PRAEVENTIV', approach: 'STRUKTURELL', decision: null,
      },
    } as unknown as IntegrationEvent;
    const scheme = {
      type: 'AreaSchemeVersionPublished',
      envelope: { ...envelope, id: '00000000-0000-4000-8000-00000000c002', stream: 'scheme-gemeindeverzeichnis', tenant: '00000' },
      data: { schemeId: 'gemeindeverzeichnis', schemeName: 'Gemeindeverzeichnis', version: 3, validFrom: '2023-11-30', previousVersion: 2, reason: 'Gebietsstand 30.11.2023', units: [], crosswalk: [] },
    } as unknown as IntegrationEvent;
    await eventLog.publish('lagebild.goals', [{ key: `contract-${CONTRACT}`, value: codec.encode(concluded), headers: { 'event-id': concluded.envelope.id } }]);
    await eventLog.publish('lagebild.ingestion', [{ key: 'scheme', value: codec.encode(scheme), headers: { 'event-id': scheme.envelope.id } }]);
    const service = createBudgetService({ eventStore, documents });
    const deadline = Date.now() + 20_000;
    let committed = 0;
    while (Date.now() < deadline) {
      const lines = await service.lines('01001', 2025);
      committed = lines.reduce((s, l) => s + Object.values(l.commitments).reduce((a, b) => a + b, 0), 0);
      if (committed > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(committed).toBe(80_000_00);
    while (Date.now() < deadline && !(await documents.get('budget.schemes', 'gemeindeverzeichnis'))) await new Promise((r) => setTimeout(r, 100));
    expect(await documents.get('budget.schemes', 'gemeindeverzeichnis')).toEqual({ version: 3 });
  } finally {
    await module?.stop?.();
    await eventLog.close();
    await documents.close();
    await eventStore.close();
    await rm(dir, { recursive: true, force: true });
  }
});
