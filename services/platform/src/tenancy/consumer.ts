/**
 * Keeps a service's copy of the tenant register current: a consumer group of its own on
 * lagebild.ingestion that decodes only the register's events (recognised by the record's
 * `event-type` header, so the observation batches on the same topic cost a header lookup, not a
 * decode). For services that do not consume lagebild.ingestion for other reasons.
 */
import { runConsumer } from '../consumer';
import type { DocumentStore } from '../ports/document-store';
import type { ConsumedRecord, EventLog, Subscription } from '../ports/event-log';
import type { Logger } from '../runtime/logger';
import { TENANCY_EVENT_TYPES, type TenancyDirectory } from './directory';

export const TENANCY_TOPIC = 'lagebild.ingestion';

export interface TenancyConsumerOptions {
  eventLog: EventLog;
  group: string;
  documents: DocumentStore;
  directory: TenancyDirectory;
  /** Decodes a record's value (the contracts codec). */
  decode: (value: Buffer) => { type: string; data: unknown };
  logger?: Logger;
}

export async function runTenancyConsumer(options: TenancyConsumerOptions): Promise<Subscription> {
  await options.directory.load();
  return runConsumer({
    log: options.eventLog,
    group: options.group,
    topics: [TENANCY_TOPIC],
    documents: options.documents,
    // Applying is idempotent by itself (versions, release ids); no processed-id set per record.
    idempotency: false,
    ...(options.logger ? { logger: options.logger } : {}),
    handle: async (records: readonly ConsumedRecord[]) => {
      const events = records.filter((r) => TENANCY_EVENT_TYPES.has(r.headers['event-type'] ?? '')).map((r) => options.decode(r.value));
      if (events.length > 0) await options.directory.apply(events);
    },
  });
}
