export { createOutboxRelay, OUTBOX_CHECKPOINTS, type OutboxRelay, type OutboxRelayOptions, type OutboxRecord } from './relay';
