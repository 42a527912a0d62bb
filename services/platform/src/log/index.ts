export { createLmdbEventLog, lmdbEventLogLayout, type LmdbEventLogOptions } from './lmdb-event-log';
export { createKafkaEventLog, type KafkaEventLogOptions, type KafkaSaslOptions, type AvroSchemaCatalog } from './kafka-event-log';
export { InvalidLogRequestError } from './errors';
export { validateTopic, validateGroup, validateRecords, validateSubscribeOptions, MAX_NAME_BYTES } from './validation';
