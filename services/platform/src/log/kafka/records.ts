/**
 * Between the EventLog port's records and Kafka's messages. Headers travel as UTF-8 strings
 * in both directions and are never rewritten: `traceparent` (runtime/telemetry.ts), `event-id`
 * (the consumers' deduplication) and the dead-letter headers (consumer/runner.ts) arrive
 * exactly as published.
 */
import type { ConsumedRecord, LogRecord } from '../../ports/event-log';
import { InvalidLogRequestError } from '../errors';
import { RECORD_OVERHEAD_BYTES } from './batcher';

/** The shape of a message kafkajs produces (structural, so this file does not import kafkajs). */
export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

/** The shape of a message kafkajs hands to `eachBatch`. */
export interface IncomingMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  offset: string;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
}

/** Kafka's legal topic characters (Kafka's `Topic.validate`); the length is checked by validateTopic. */
const KAFKA_TOPIC_NAME = /^[A-Za-z0-9._-]+$/;

export function assertKafkaTopicName(topic: string): void {
  if (!KAFKA_TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw new InvalidLogRequestError(
      `Der Topic-Name "${topic}" ist für Kafka ungültig: erlaubt sind nur Buchstaben (A–Z, a–z), Ziffern, Punkt, Unterstrich und Bindestrich.`,
    );
  }
}

export function toOutgoingMessage(record: LogRecord, value: Buffer): OutgoingMessage {
  const message: OutgoingMessage = { key: record.key, value };
  if (record.headers !== undefined && Object.keys(record.headers).length > 0) message.headers = { ...record.headers };
  return message;
}

/** Bytes a message counts against the batch limit: key, value, header names and values, overhead. */
export function messageSize(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(message.key) + message.value.byteLength;
  if (message.headers) for (const name in message.headers) bytes += Buffer.byteLength(name) + Buffer.byteLength(message.headers[name]!) + 8;
  return bytes;
}

/**
 * Kafka allows a header name to repeat; kafkajs then hands out an array. The port has one value
 * per name, and the last one wins, as a later header of the same name overrides an earlier one.
 */
export function fromKafkaHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers) return result;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    result[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return result;
}

/**
 * A consumed message as the port's record. Offsets are 64-bit in Kafka; a partition reaches
 * 2^53 records only after centuries at any realistic rate, so a number holds them exactly.
 * A message without key or value (written by a foreign producer, or a tombstone) becomes the
 * empty key and empty bytes.
 */
export function toConsumedRecord(topic: string, partition: number, message: IncomingMessage, value: Buffer): ConsumedRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key === null ? '' : message.key.toString('utf8'),
    value,
    headers: fromKafkaHeaders(message.headers),
  };
}

/** The committed offset after a message: the next one to read (Kafka offsets are strings in kafkajs). */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
