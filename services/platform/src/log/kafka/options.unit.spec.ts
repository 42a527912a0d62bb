import { kafkaSettings, type KafkaEventLogOptions } from './options';

const base: KafkaEventLogOptions = { brokers: ['kafka-1:9092', 'kafka-2:9092'], clientId: 'goals' };

describe('Kafka event log options', () => {
  it('fills the documented defaults', () => {
    expect(kafkaSettings(base)).toMatchObject({
      ssl: false,
      topicPartitions: 6,
      replicationFactor: undefined,
      schemaRegistry: undefined,
      batch: { maxRecords: 5000, maxBytes: 1_000_000, lingerMs: 5 },
      redeliveryDelayMs: 1000,
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3000,
      retries: 8,
    });
  });

  it('keeps heartbeats at a third of a short session timeout', () => {
    expect(kafkaSettings({ ...base, sessionTimeoutMs: 6000 }).heartbeatIntervalMs).toBe(2000);
  });

  it('refuses brokers that are not host:port and an empty client id, in German', () => {
    expect(() => kafkaSettings({ ...base, brokers: [] })).toThrow(/mindestens einen Broker/);
    expect(() => kafkaSettings({ ...base, brokers: ['kafka-1'] })).toThrow(/"kafka-1" ist nicht in der Form host:port/);
    expect(() => kafkaSettings({ ...base, brokers: ['kafka://kafka-1:9092'] })).toThrow(/host:port/);
    expect(() => kafkaSettings({ ...base, clientId: '' })).toThrow(/clientId darf nicht leer sein/);
  });

  it('refuses partition and replica counts below 1', () => {
    expect(() => kafkaSettings({ ...base, topicPartitions: 0 })).toThrow(/topicPartitions muss eine ganze Zahl ab 1 sein/);
    expect(() => kafkaSettings({ ...base, replicationFactor: 1.5 })).toThrow(/replicationFactor/);
  });

  it('requires a schema catalog with a schema registry, since the registry alone cannot map fingerprints', () => {
    expect(() => kafkaSettings({ ...base, schemaRegistryUrl: 'http://registry:8081' })).toThrow(/braucht das Kafka-Ereignisprotokoll einen Schema-Katalog/);
    const catalog = { schemaOf: () => undefined, fingerprintOf: () => 0n };
    expect(kafkaSettings({ ...base, schemaRegistryUrl: 'http://registry:8081', schemaCatalog: catalog }).schemaRegistry).toEqual({ url: 'http://registry:8081', catalog });
  });

  it('refuses an unknown SASL mechanism and SASL without credentials', () => {
    expect(() => kafkaSettings({ ...base, sasl: { mechanism: 'gssapi' as 'plain', username: 'u', password: 'p' } })).toThrow(/SASL-Verfahren/);
    expect(() => kafkaSettings({ ...base, sasl: { mechanism: 'scram-sha-512', username: '', password: 'p' } })).toThrow(/Benutzernamen und ein Passwort/);
  });
});
