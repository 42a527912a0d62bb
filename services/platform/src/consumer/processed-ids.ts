import type { DocumentStore } from '../ports/document-store';

/**
 * The set of event ids a consumer group has processed: the idempotency of the consumer runner.
 * The relay delivers at-least-once, so the same event can arrive twice; the runner skips ids in
 * this set and adds ids after their handler succeeded.
 */
export interface ProcessedEventIds {
  /** Of the given ids, the ones already processed. */
  processed(ids: readonly string[]): Promise<Set<string>>;
  markProcessed(ids: readonly string[]): Promise<void>;
}

export interface DocumentStoreProcessedEventIdsOptions {
  documents: DocumentStore;
  group: string;
  /** Clock for the `processedAt` field. Default: the system clock. */
  now?: () => Date;
}

export function processedIdsCollection(group: string): string {
  return `processed:${group}`;
}

/**
 * Processed ids as documents in collection `processed:<group>`, one per event id. The set only
 * grows; an event id is never reused, so nothing ever needs to leave it (a pruning job could
 * drop entries older than the longest possible redelivery, i.e. older than the log's
 * retention).
 */
export function createDocumentStoreProcessedEventIds(options: DocumentStoreProcessedEventIdsOptions): ProcessedEventIds {
  const { documents } = options;
  const now = options.now ?? (() => new Date());
  const collection = processedIdsCollection(options.group);
  return {
    async processed(ids) {
      const found = new Set<string>();
      for (const id of ids) {
        if ((await documents.get(collection, id)) !== undefined) found.add(id);
      }
      return found;
    },
    async markProcessed(ids) {
      if (ids.length === 0) return;
      const processedAt = now().toISOString();
      await documents.write(ids.map((id) => ({ collection, key: id, doc: { processedAt } })));
    },
  };
}

/** In memory, for tests and for consumers whose effects are idempotent anyway within a process run. */
export function createInMemoryProcessedEventIds(): ProcessedEventIds {
  const ids = new Set<string>();
  return {
    async processed(candidates) {
      return new Set(candidates.filter((id) => ids.has(id)));
    },
    async markProcessed(processed) {
      for (const id of processed) ids.add(id);
    },
  };
}
