import { KAFKAJS_LEVEL, kafkaLogCreator } from './logging';
import { assertKafkaTopicName, fromKafkaHeaders, messageSize, nextOffset, toConsumedRecord, toOutgoingMessage } from './records';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('Kafka record mapping', () => {
  it('publishes key, value and headers as given, traceparent untouched', () => {
    const value = Buffer.from([0xc3, 0x01, 1, 2, 3]);
    const message = toOutgoingMessage({ key: 'goal-1', value, headers: { 'event-id': 'e1', traceparent: TRACEPARENT } }, value);
    expect(message).toEqual({ key: 'goal-1', value, headers: { 'event-id': 'e1', traceparent: TRACEPARENT } });
  });

  it('sends no header block for a record without headers', () => {
    expect(toOutgoingMessage({ key: 'k', value: Buffer.from('v') }, Buffer.from('v'))).toEqual({ key: 'k', value: Buffer.from('v') });
    expect(toOutgoingMessage({ key: 'k', value: Buffer.from('v'), headers: {} }, Buffer.from('v'))).toEqual({ key: 'k', value: Buffer.from('v') });
  });

  it('reads consumed headers as UTF-8 text, the last of repeated names winning', () => {
    expect(
      fromKafkaHeaders({
        traceparent: Buffer.from(TRACEPARENT),
        tenant: '05315000',
        'event-type': [Buffer.from('Alt'), Buffer.from('GoalCreated')],
        umlaut: Buffer.from('Köln', 'utf8'),
        missing: undefined,
      }),
    ).toEqual({ traceparent: TRACEPARENT, tenant: '05315000', 'event-type': 'GoalCreated', umlaut: 'Köln' });
    expect(fromKafkaHeaders(undefined)).toEqual({});
  });

  it('turns a consumed message into the port record with numeric offset and timestamp', () => {
    const value = Buffer.from('wert');
    const record = toConsumedRecord(
      'lagebild.goals',
      2,
      { key: Buffer.from('goal-7'), value: Buffer.from('ignored'), timestamp: '1740823200000', offset: '41', headers: { traceparent: Buffer.from(TRACEPARENT) } },
      value,
    );
    expect(record).toEqual({ topic: 'lagebild.goals', partition: 2, offset: 41, timestamp: 1740823200000, key: 'goal-7', value, headers: { traceparent: TRACEPARENT } });
  });

  it('reads a message without key as the empty key', () => {
    const record = toConsumedRecord('t', 0, { key: null, value: null, timestamp: '0', offset: '0' }, Buffer.alloc(0));
    expect(record.key).toBe('');
    expect(record.value.length).toBe(0);
    expect(record.headers).toEqual({});
  });

  it('commits the offset after a message, beyond the range of a double too', () => {
    expect(nextOffset('41')).toBe('42');
    expect(nextOffset('9007199254740993')).toBe('9007199254740994');
  });

  it('counts key, value and headers in UTF-8 bytes for the batch limit', () => {
    const plain = messageSize({ key: 'k', value: Buffer.alloc(100) });
    const withHeader = messageSize({ key: 'k', value: Buffer.alloc(100), headers: { tenant: 'Köln' } });
    expect(withHeader - plain).toBe(Buffer.byteLength('tenant') + Buffer.byteLength('Köln') + 8);
    expect(messageSize({ key: 'ä', value: Buffer.alloc(0) }) - messageSize({ key: 'a', value: Buffer.alloc(0) })).toBe(1);
  });

  it('accepts the platform topic names and refuses names Kafka cannot hold, in German', () => {
    for (const name of ['lagebild.ingestion', 'lagebild.goals.dlq', 'lagebild.test-1a2b3c4d', 'A_b-9']) expect(() => assertKafkaTopicName(name)).not.toThrow();
    expect(() => assertKafkaTopicName('lagebild goals')).toThrow(/für Kafka ungültig: erlaubt sind nur Buchstaben/);
    expect(() => assertKafkaTopicName('processed:g1')).toThrow(/ungültig/);
    expect(() => assertKafkaTopicName('..')).toThrow(/ungültig/);
  });
});

describe('kafkajs log forwarding', () => {
  it('forwards kafkajs warnings and errors to the platform logger with their fields, dropping debug lines', () => {
    const lines: Array<[string, object, string | undefined]> = [];
    const logger = {
      info: (fields: object, message?: string) => lines.push(['info', fields, message]),
      warn: (fields: object, message?: string) => lines.push(['warn', fields, message]),
      error: (fields: object, message?: string) => lines.push(['error', fields, message]),
    };
    const log = kafkaLogCreator(logger)(KAFKAJS_LEVEL.warn);
    log({ namespace: 'Connection', level: KAFKAJS_LEVEL.error, label: 'ERROR', log: { message: 'Connection error', timestamp: 'x', broker: 'kafka:9092' } });
    log({ namespace: 'Runner', level: KAFKAJS_LEVEL.warn, label: 'WARN', log: { message: 'The group is rebalancing', groupId: 'g' } });
    log({ namespace: 'Runner', level: KAFKAJS_LEVEL.debug, label: 'DEBUG', log: { message: 'noise' } });
    expect(lines).toEqual([
      ['error', { component: 'kafkajs', namespace: 'Connection', broker: 'kafka:9092' }, 'Connection error'],
      ['warn', { component: 'kafkajs', namespace: 'Runner', groupId: 'g' }, 'The group is rebalancing'],
    ]);
  });
});
