import { assertKeyPart, InvalidKeyError } from '../lmdb/keys';
import type { ExpectedVersion, NewEvent, ReadAllOptions, ReadStreamOptions } from '../ports/event-store';
import { InvalidEventStoreRequestError } from './errors';

/** Longest stream name in UTF-8 bytes; leaves room in an LMDB key for the version. */
export const MAX_STREAM_NAME_BYTES = 1000;

/**
 * Checks an append before anything is written, so an adapter never has to undo half an
 * append. Shared by every EventStore adapter: the same input is refused the same way.
 */
export function validateAppend(stream: unknown, events: unknown, expectedVersion: unknown): asserts stream is string {
  validateStreamName(stream);
  if (!Array.isArray(events)) throw new InvalidEventStoreRequestError('Die Ereignisse müssen als Liste übergeben werden.');
  for (let i = 0; i < events.length; i += 1) validateNewEvent(events[i] as unknown, i);
  validateExpectedVersion(expectedVersion);
}

export function validateStreamName(stream: unknown): asserts stream is string {
  try {
    assertKeyPart(stream, 'Der Stream-Name', MAX_STREAM_NAME_BYTES);
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new InvalidEventStoreRequestError(error.message);
    throw error;
  }
}

function validateNewEvent(event: unknown, index: number): asserts event is NewEvent {
  // The label is built only for an error: this runs for every event of every append.
  const where = () => `Ereignis ${index + 1}`;
  if (typeof event !== 'object' || event === null) throw new InvalidEventStoreRequestError(`${where()} ist kein Objekt.`);
  const { id, type, metadata } = event as Partial<NewEvent>;
  if (typeof id !== 'string' || id.length === 0) throw new InvalidEventStoreRequestError(`${where()} hat keine Kennung (id).`);
  if (typeof type !== 'string' || type.length === 0) throw new InvalidEventStoreRequestError(`${where()} hat keinen Typ (type).`);
  if (typeof metadata !== 'object' || metadata === null) {
    throw new InvalidEventStoreRequestError(`${where()} hat keine Metadaten (metadata).`);
  }
  if (typeof metadata.tenant !== 'string' || metadata.tenant.length === 0) {
    throw new InvalidEventStoreRequestError(`${where()} nennt keinen Mandanten (metadata.tenant).`);
  }
}

function validateExpectedVersion(expected: unknown): asserts expected is ExpectedVersion | undefined {
  if (expected === undefined || expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidEventStoreRequestError(
    `Die erwartete Version muss 'no_stream', 'stream_exists', 'any' oder eine ganze Zahl ab 0 sein, nicht ${JSON.stringify(expected)}.`,
  );
}

export function normalizeReadStreamOptions(options: ReadStreamOptions | undefined): { fromVersion: number; maxCount: number } {
  const fromVersion = options?.fromVersion ?? 1;
  const maxCount = options?.maxCount ?? Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(fromVersion) || fromVersion < 1) {
    throw new InvalidEventStoreRequestError(`fromVersion muss eine ganze Zahl ab 1 sein, nicht ${String(fromVersion)}.`);
  }
  assertMaxCount(maxCount);
  return { fromVersion, maxCount };
}

export function normalizeReadAllOptions(options: ReadAllOptions | undefined): { after: number; maxCount: number } {
  const after = options?.after ?? 0;
  const maxCount = options?.maxCount ?? Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(after) || after < 0) {
    throw new InvalidEventStoreRequestError(`after muss eine ganze Zahl ab 0 sein, nicht ${String(after)}.`);
  }
  assertMaxCount(maxCount);
  return { after, maxCount };
}

function assertMaxCount(maxCount: number): void {
  if (maxCount !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(maxCount) || maxCount < 0)) {
    throw new InvalidEventStoreRequestError(`maxCount muss eine ganze Zahl ab 0 sein, nicht ${String(maxCount)}.`);
  }
}
