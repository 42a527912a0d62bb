import { assertKeyPart, InvalidKeyError, MAX_KEY_BYTES } from '../lmdb/keys';
import type { ScanOptions } from '../ports/document-store';

export const MAX_COLLECTION_BYTES = 200;
/** Collection and key share one LMDB key; a few bytes go to the key encoding itself. */
export const MAX_DOCUMENT_KEY_BYTES = MAX_KEY_BYTES - MAX_COLLECTION_BYTES - 16;

/** A document request that can never succeed as given. */
export class InvalidDocumentRequestError extends Error {
  readonly code = 'INVALID_DOCUMENT_REQUEST';
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidDocumentRequestError';
  }
}

function asDocumentError(check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new InvalidDocumentRequestError(error.message);
    throw error;
  }
}

export function validateCollection(collection: unknown): asserts collection is string {
  asDocumentError(() => assertKeyPart(collection, 'Der Name der Sammlung', MAX_COLLECTION_BYTES));
}

export function validateDocumentKey(key: unknown): asserts key is string {
  asDocumentError(() => assertKeyPart(key, 'Der Dokumentschlüssel', MAX_DOCUMENT_KEY_BYTES));
}

/** Documents are plain objects, as in MongoDB; arrays and scalars are refused. */
export function validateDocument(doc: unknown): void {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new InvalidDocumentRequestError('Ein Dokument muss ein Objekt sein (keine Liste, kein einzelner Wert).');
  }
}

export function validateScanOptions(options: ScanOptions | undefined): { prefix: string; limit: number } {
  const prefix = options?.prefix ?? '';
  const limit = options?.limit ?? Number.POSITIVE_INFINITY;
  asDocumentError(() => assertKeyPart(prefix, 'Das Präfix', MAX_DOCUMENT_KEY_BYTES, true));
  if (limit !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new InvalidDocumentRequestError(`limit muss eine ganze Zahl ab 0 sein, nicht ${String(limit)}.`);
  }
  return { prefix, limit };
}

export function validateFilter(filter: unknown): void {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new InvalidDocumentRequestError('Der Filter muss ein Objekt aus Feldnamen und Werten sein.');
  }
  for (const [name, value] of Object.entries(filter)) {
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw new InvalidDocumentRequestError(`Der Filterwert für "${name}" muss Text, Zahl, Wahrheitswert oder null sein.`);
    }
  }
}
