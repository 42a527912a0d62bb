/**
 * The platform as `npm start` runs it, in this process: all services on the embedded adapters,
 * one host. Proves the event pipeline end to end for every bounded context: an event appended
 * to the store is relayed in Avro to its context's topic and decoded by a consumer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { start, type StartedPlatform } from '@lagebild/cli';
import { createCodec, exampleIntegrationEvents, type IntegrationEvent } from '@lagebild/contracts';
import { createEmbeddedAuth, createInMemoryProcessedEventIds, runConsumer, type Subscription } from '@lagebild/platform';

const codec = createCodec();
let dataDir: string;
let started: StartedPlatform;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lagebild-e2e-'));
  started = await start({ LAGEBILD_DATA_DIR: dataDir, LAGEBILD_PORT: '0', LAGEBILD_LOG_LEVEL: 'warn' }, { handleSignals: false });
});

afterAll(async () => {
  await started?.host.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the embedded platform', () => {
  it('answers /health and /ready and each service its own /health without a token', async () => {
    const base = started.host.url;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(Object.keys(((await ready.json()) as { checks: object }).checks)).toEqual(
      expect.arrayContaining(['eventStore', 'eventLog', 'documents', 'warehouse']),
    );
    for (const name of ['ingestion', 'indicators', 'goals', 'budget', 'warehouse']) {
      const res = await fetch(`${base}/api/${name}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', service: name });
    }
  });

  it('refuses service routes without a token with a German problem document', async () => {
    const res = await fetch(`${started.host.url}/api/goals/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toMatch(/Token|Anmeldung/);
  });

  it('relays an event of every context from the store to its topic, in Avro, exactly as appended', async () => {
    const { eventStore, eventLog } = started.platform;
    const examples = exampleIntegrationEvents();
    const contexts = new Set(examples.map((e) => codec.contextOf(e.type)));
    expect(contexts).toEqual(new Set(['ingestion', 'indicators', 'goals', 'budget']));

    const appended = new Map<string, IntegrationEvent>();
    for (const example of examples) {
      const id = randomUUID();
      const stream = `e2e-${example.type}-${randomUUID()}`;
      await eventStore.appendToStream(
        stream,
        [
          {
            id,
            type: example.type,
            data: example.data,
            metadata: {
              tenant: example.envelope.tenant,
              occurredAt: example.envelope.occurredAt,
              actor: example.envelope.actor,
              correlationId: example.envelope.correlationId,
            },
          },
        ],
        { expectedVersion: 'no_stream' },
      );
      appended.set(id, example);
    }

    const received = new Map<string, IntegrationEvent>();
    const headersById = new Map<string, Record<string, string>>();
    let subscription: Subscription | undefined;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.size} of ${appended.size} events arrived`)), 15_000);
      runConsumer({
        log: eventLog,
        group: 'e2e-pipeline',
        topics: ['lagebild.ingestion', 'lagebild.indicators', 'lagebild.goals', 'lagebild.budget'],
        idempotency: createInMemoryProcessedEventIds(),
        handle: async (records) => {
          for (const record of records) {
            const event = codec.decode(record.value);
            if (appended.has(event.envelope.id)) {
              received.set(event.envelope.id, event);
              headersById.set(event.envelope.id, record.headers);
            }
          }
          if (received.size === appended.size) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).then((s) => (subscription = s), reject);
    });
    await subscription?.stop();

    for (const [id, example] of appended) {
      const event = received.get(id)!;
      expect(event.type).toBe(example.type);
      expect(event.data).toEqual(codec.decode(codec.encode(example)).data);
      expect(event.envelope.version).toBe(1);
      expect(event.envelope.tenant).toBe(example.envelope.tenant);
      // Routing headers let consumers dedupe and filter without decoding the body.
      expect(headersById.get(id)).toMatchObject({ 'event-id': id, 'event-type': example.type, tenant: example.envelope.tenant });
    }
  });
  it('lets the indicators service compute from the relayed ingestion events: the Gemeinde total of its Stadtteile', async () => {
    // The examples above include a scheme (3 Stadtteile under Flensburg) and their Einwohner.
    const auth = await createEmbeddedAuth({ dataDir });
    const token = await auth.issueToken({ subject: 'e2e', tenant: '01001', roles: ['sozialplanung'] });
    let body: { series: Array<{ values: Array<{ areaCode: string; value: number; unitType: string }> }> } | undefined;
    for (let attempt = 0; attempt < 100 && !body; attempt += 1) {
      const res = await fetch(`${started.host.url}/api/indicators/values?indicator=ew&scheme=stadtteile`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status === 200) body = (await res.json()) as typeof body;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(body).toBeDefined();
    const values = body!.series[0]!.values;
    expect(values.find((v) => v.areaCode === '01001000')).toMatchObject({ value: 3739 + 4725 + 12291, unitType: 'Gemeinde' });
  });

  it('lets the goals service judge a target at the values the indicators service computed', async () => {
    const auth = await createEmbeddedAuth({ dataDir });
    const token = await auth.issueToken({ subject: 'e2e-planung', tenant: '01001', roles: ['sozialplanung'] });
    const call = (method: string, url: string, body?: unknown) =>
      fetch(`${started.host.url}/api/goals${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const created = await call('POST', '/goals', { level: 'STRATEGISCHES_ZIEL', field: 'WIRKUNGEN', title: 'Flensburg bleibt attraktiv', responsibleUnit: 'Stadtplanung', smart: true });
    expect(created.status).toBe(201);
    const { goalId } = (await created.json()) as { goalId: string };
    const target = { indicatorId: 'ew', schemeId: 'stadtteile', areaCode: '01001000', baseline: null, targetKind: 'ABSOLUTE', targetValue: 20000, comparator: 'AT_LEAST', deadline: '2030-12-31' };
    // The catalogue reaches the goals service as IndicatorDefinitionPublished events: until then the indicator is unknown (422).
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt += 1) {
      status = (await call('PUT', `/goals/${goalId}/targets/${randomUUID()}`, target)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    type Verdict = { status: string; actualValue: number } | null;
    let latest: Verdict = null;
    for (let attempt = 0; attempt < 100 && !latest; attempt += 1) {
      const goal = (await (await call('GET', `/goals/${goalId}`)).json()) as { targets: Array<{ latest: Verdict }> };
      latest = goal.targets[0]?.latest ?? null;
      if (!latest) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(latest).toMatchObject({ status: 'ACHIEVED', actualValue: 3739 + 4725 + 12291 });
    // The warehouse projector carries the verdict into the star schema for the FIS.
    let rows: Array<{ status: string; actual_value: number }> = [];
    for (let attempt = 0; attempt < 100 && rows.length === 0; attempt += 1) {
      rows = await started.platform.warehouse.query('SELECT status, actual_value FROM lagebild.fact_attainment FINAL WHERE goal_id = {goal:UUID}', { goal: goalId });
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([{ status: 'ACHIEVED', actual_value: 3739 + 4725 + 12291 }]);
  });
});
