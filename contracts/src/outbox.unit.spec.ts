import { createCodec } from './codec';
import { exampleIntegrationEvent } from './examples';
import { outboxMapper, type StoredEventLike } from './outbox';

const codec = createCodec();
const toRecord = outboxMapper(codec);

function stored(type: string, data: unknown): StoredEventLike {
  return {
    id: '7d1f3c2e-4b5a-4c6d-8e9f-0a1b2c3d4e5f',
    type,
    stream: 'goal-42',
    version: 3,
    recordedAt: '2024-04-10T13:00:01.000Z',
    data,
    metadata: {
      tenant: '09461',
      occurredAt: '2024-04-10T13:00:00.000Z',
      actor: 'user:sozialplanung-1',
      correlationId: 'c0ffee00-0000-4000-8000-000000000001',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
  };
}

describe('outboxMapper', () => {
  it('keeps private events (types without a schema) inside their service', () => {
    expect(toRecord(stored('GoalDraftAutosaved', { text: 'x' }))).toBeUndefined();
  });

  it('publishes an integration event to its context topic, keyed by stream', () => {
    const { data } = exampleIntegrationEvent('GoalCreated');
    const out = toRecord(stored('GoalCreated', data));
    expect(out?.topic).toBe('lagebild.goals');
    expect(out?.record.key).toBe('goal-42');
  });

  it('carries the stored envelope and body into the Avro record unchanged', () => {
    const { data } = exampleIntegrationEvent('GoalCreated');
    const decoded = codec.decode(toRecord(stored('GoalCreated', data))!.record.value);
    expect(decoded.type).toBe('GoalCreated');
    expect(decoded.data).toEqual(codec.decode(codec.encode(exampleIntegrationEvent('GoalCreated'))).data);
    expect(decoded.envelope).toMatchObject({
      id: '7d1f3c2e-4b5a-4c6d-8e9f-0a1b2c3d4e5f',
      tenant: '09461',
      stream: 'goal-42',
      version: 3,
      occurredAt: '2024-04-10T13:00:00.000Z',
      recordedAt: '2024-04-10T13:00:01.000Z',
      actor: 'user:sozialplanung-1',
      causationId: null,
    });
  });
});
