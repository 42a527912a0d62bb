import { assertKeyPart, InvalidKeyError } from '../lmdb/keys';
import type { LogRecord, SubscribeOptions } from '../ports/event-log';
import { InvalidLogRequestError } from './errors';

/** Longest topic or group name in UTF-8 bytes (Kafka allows 249 characters for topics). */
export const MAX_NAME_BYTES = 249;

export function validateTopic(topic: unknown): asserts topic is string {
  checkName(topic, 'Der Topic-Name');
}

export function validateGroup(group: unknown): asserts group is string {
  checkName(group, 'Der Name der Consumer-Gruppe');
}

function checkName(value: unknown, label: string): void {
  try {
    assertKeyPart(value, label, MAX_NAME_BYTES);
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new InvalidLogRequestError(error.message);
    throw error;
  }
}

/** Shared by every EventLog adapter, so the same records are refused the same way. */
export function validateRecords(topic: string, records: unknown): asserts records is readonly LogRecord[] {
  if (!Array.isArray(records)) throw new InvalidLogRequestError(`Die Datensätze für "${topic}" müssen als Liste übergeben werden.`);
  for (let i = 0; i < records.length; i += 1) {
    const record = records[i] as Partial<LogRecord> | null;
    // The label is built only for an error: this runs for every record of every publish.
    const where = () => `Datensatz ${i + 1} für "${topic}"`;
    if (typeof record !== 'object' || record === null) throw new InvalidLogRequestError(`${where()} ist kein Objekt.`);
    if (typeof record.key !== 'string') throw new InvalidLogRequestError(`${where()} hat keinen Schlüssel (key).`);
    if (!(record.value instanceof Uint8Array)) throw new InvalidLogRequestError(`${where()} hat keinen Wert als Bytes (value).`);
    if (record.headers !== undefined) {
      if (typeof record.headers !== 'object' || record.headers === null) {
        throw new InvalidLogRequestError(`${where()}: headers muss ein Objekt sein.`);
      }
      const headers = record.headers as Record<string, unknown>;
      for (const name in headers) {
        if (typeof headers[name] !== 'string') throw new InvalidLogRequestError(`${where()}: Header "${name}" muss ein Text sein.`);
      }
    }
  }
}

export function validateSubscribeOptions(options: SubscribeOptions): { group: string; topics: string[]; fromBeginning: boolean; maxBatchSize: number } {
  validateGroup(options.group);
  if (!Array.isArray(options.topics) || options.topics.length === 0) {
    throw new InvalidLogRequestError('Ein Abonnement braucht mindestens ein Topic.');
  }
  const topics = [...new Set(options.topics)];
  for (const topic of topics) validateTopic(topic);
  const maxBatchSize = options.maxBatchSize ?? 1000;
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new InvalidLogRequestError(`maxBatchSize muss eine ganze Zahl ab 1 sein, nicht ${String(maxBatchSize)}.`);
  }
  return { group: options.group, topics, fromBeginning: options.fromBeginning ?? true, maxBatchSize };
}
