/**
 * The ledger: every budget line per tenant and year with its value kinds by source (domain/lines),
 * kept by following the event store. Sources are keyed (import, transfer, reallocation,
 * commitment id; the latest appropriation by store position), so applying an event twice changes
 * nothing, and two processes following the same store (the service and `lagebild budget import`)
 * converge on the same documents instead of double counting.
 *
 * Collections: `budget.ledger` (tenant|year|line), `budget.postings` (tenant|year|postingId: the
 * index that recognises a posting imported before), `budget.commitments` (the current lines of a
 * commitment, to take back what a revision drops), `budget.names`, `budget.imports` (status and
 * report of every import).
 *
 * The posting index keeps one document per ActualPosted batch (tenant|year|importId#batch) with
 * its posting keys, amounts and lines in columns: an import reads the index of its years with one
 * prefix scan and checks its postings in memory. (One document per posting cost more than the
 * rest of the import together.)
 */
import { type DocumentStore, type DocumentWrite, type EventStore, type Logger, pollLoop, type StoredEvent } from '@lagebild/platform';
import { emptyLedgerLine, lineKey, lineRefOf, type LedgerLine, type LineRef } from '../domain/lines';
import type { BudgetAppropriatedData, BudgetCarriedForwardData, BudgetReallocatedData, CommitmentRecordedData, ActualPostedData } from '../integration-events';
import type { BudgetImportAcceptedData, BudgetImportRejectedData, ImportReport } from '../imports/model';

export const LEDGER_COLLECTION = 'budget.ledger';
export const POSTINGS_COLLECTION = 'budget.postings';
export const COMMITMENTS_COLLECTION = 'budget.commitments';
export const NAMES_COLLECTION = 'budget.names';
export const IMPORTS_COLLECTION = 'budget.imports';
export const PROJECTOR_COLLECTION = 'budget.projector';
const PAGE = 20;

export const LEDGER_EVENT_TYPES = new Set(['BudgetAppropriated', 'BudgetCarriedForward', 'BudgetReallocated', 'CommitmentRecorded', 'ActualPosted', 'BudgetImportAccepted', 'BudgetImportRejected']);

export const ledgerKey = (tenant: string, year: number, key: string) => `${tenant}|${year}|${key}`;
export const ledgerPrefix = (tenant: string, year?: number) => (year === undefined ? `${tenant}|` : `${tenant}|${year}|`);
export const postingBatchKey = (tenant: string, year: number, source: string) => `${tenant}|${year}|${source}`;

/** The postings of one ActualPosted batch, column-wise. */
export interface PostingBatchDoc {
  ids: string[];
  amounts: number[];
  lines: string[];
}

/** Every posting recorded for a tenant and year: key -> amount and line. */
export async function recordedPostings(documents: DocumentStore, tenant: string, year: number): Promise<Map<string, { amountCents: number; line: string }>> {
  const out = new Map<string, { amountCents: number; line: string }>();
  for (const { doc } of await documents.scan<PostingBatchDoc>(POSTINGS_COLLECTION, { prefix: `${tenant}|${year}|` })) {
    for (let i = 0; i < doc.ids.length; i += 1) out.set(doc.ids[i]!, { amountCents: doc.amounts[i]!, line: doc.lines[i]! });
  }
  return out;
}

export interface CommitmentDoc {
  position: number;
  lines: Array<{ year: number; key: string }>;
}

export type ImportStatus = 'angenommen' | 'abgelehnt';

export interface ImportView extends ImportReport {
  importId: string;
  tenant: string;
  status: ImportStatus;
  profileId: string;
  profileVersion: number;
  fileName: string;
  fileSha256: string;
  importedBy: string;
  recordedAt: string;
  rowCount: number;
  years: number[];
  postingCount: number;
  skippedPostingCount: number;
  actualCents: number;
  appropriationCount: number;
}

/** Documents read and written during one page of events (read once, written once). */
class Batch {
  private readonly docs = new Map<string, Map<string, unknown>>();
  private readonly dirty = new Map<string, Set<string>>();

  constructor(private readonly documents: DocumentStore) {}

  private collection(name: string): Map<string, unknown> {
    let docs = this.docs.get(name);
    if (!docs) this.docs.set(name, (docs = new Map()));
    return docs;
  }

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    const docs = this.collection(collection);
    if (docs.has(key)) return docs.get(key) as T | undefined;
    const doc = await this.documents.get<T>(collection, key);
    docs.set(key, doc);
    return doc;
  }

  set(collection: string, key: string, doc: unknown): void {
    this.collection(collection).set(key, doc);
    let keys = this.dirty.get(collection);
    if (!keys) this.dirty.set(collection, (keys = new Set()));
    keys.add(key);
  }

  async line(tenant: string, year: number, ref: LineRef, key = lineKey(ref)): Promise<LedgerLine> {
    const id = ledgerKey(tenant, year, key);
    const existing = await this.get<LedgerLine>(LEDGER_COLLECTION, id);
    const line = existing ?? emptyLedgerLine(tenant, year, ref);
    this.set(LEDGER_COLLECTION, id, line);
    return line;
  }

  writes(): DocumentWrite[] {
    const out: DocumentWrite[] = [];
    for (const [collection, keys] of this.dirty) {
      const docs = this.docs.get(collection)!;
      for (const key of keys) out.push({ collection, key, doc: docs.get(key) ?? null });
    }
    return out;
  }
}

async function apply(batch: Batch, event: StoredEvent): Promise<void> {
  const tenant = event.metadata.tenant;
  switch (event.type) {
    case 'BudgetAppropriated': {
      const d = event.data as BudgetAppropriatedData;
      for (const l of d.lines) {
        const line = await batch.line(tenant, d.budgetYear, l);
        const value = { cents: l.amountCents, position: event.position };
        const slot = d.kind === 'ANSATZ' ? 'ansatz' : d.kind === 'NACHTRAG' ? 'nachtrag' : 'planung';
        if ((line[slot]?.position ?? 0) <= event.position) line[slot] = value;
        if ((line.classification?.position ?? 0) <= event.position) line.classification = { prevention: l.prevention, approach: l.approach, position: event.position };
      }
      return;
    }
    case 'BudgetCarriedForward': {
      const d = event.data as BudgetCarriedForwardData;
      for (const l of d.lines) (await batch.line(tenant, d.budgetYear, l)).transfers[d.transferId] = l.amountCents;
      return;
    }
    case 'BudgetReallocated': {
      const d = event.data as BudgetReallocatedData;
      (await batch.line(tenant, d.budgetYear, d.from)).reallocations[d.reallocationId] = -d.amountCents;
      (await batch.line(tenant, d.budgetYear, d.to)).reallocations[d.reallocationId] = d.amountCents;
      return;
    }
    case 'CommitmentRecorded': {
      const d = event.data as CommitmentRecordedData;
      const docKey = `${tenant}|${d.commitmentId}`;
      const previous = await batch.get<CommitmentDoc>(COMMITMENTS_COLLECTION, docKey);
      if (previous && previous.position >= event.position) return;
      for (const old of previous?.lines ?? []) {
        const line = await batch.get<LedgerLine>(LEDGER_COLLECTION, ledgerKey(tenant, old.year, old.key));
        if (line) {
          delete line.commitments[d.commitmentId];
          batch.set(LEDGER_COLLECTION, ledgerKey(tenant, old.year, old.key), line);
        }
      }
      for (const l of d.lines) (await batch.line(tenant, l.budgetYear, l)).commitments[d.commitmentId] = l.amountCents;
      batch.set(COMMITMENTS_COLLECTION, docKey, { position: event.position, lines: d.lines.map((l) => ({ year: l.budgetYear, key: lineKey(l) })) } satisfies CommitmentDoc);
      return;
    }
    case 'ActualPosted': {
      const d = event.data as ActualPostedData;
      // One import's share of a line: the batches of an import add up, keyed by batch so a
      // repeated batch overwrites itself.
      const source = `${d.importId}#${d.batchNumber}`;
      const perLine = new Map<string, { ref: LineRef; cents: number; months: number[]; count: number }>();
      const recorded: PostingBatchDoc = { ids: [], amounts: [], lines: [] };
      for (const p of d.postings) {
        const key = lineKey(p);
        let acc = perLine.get(key);
        if (!acc) perLine.set(key, (acc = { ref: lineRefOf(p), cents: 0, months: new Array<number>(12).fill(0), count: 0 }));
        const month = Number(p.postingDate.slice(5, 7));
        const year = Number(p.postingDate.slice(0, 4));
        // Closing entries dated in January of the next year still belong to December's profile.
        const index = year > d.budgetYear ? 11 : year < d.budgetYear ? 0 : month - 1;
        acc.cents += p.amountCents;
        acc.months[index]! += p.amountCents;
        acc.count += 1;
        if (!p.postingId.startsWith('saldo:')) {
          recorded.ids.push(p.postingId);
          recorded.amounts.push(p.amountCents);
          recorded.lines.push(key);
        }
      }
      if (recorded.ids.length > 0) batch.set(POSTINGS_COLLECTION, postingBatchKey(tenant, d.budgetYear, source), recorded);
      for (const [key, acc] of perLine) {
        const line = await batch.line(tenant, d.budgetYear, acc.ref, key);
        line.actuals[source] = { cents: acc.cents, months: acc.months, count: acc.count };
      }
      return;
    }
    case 'BudgetImportAccepted':
    case 'BudgetImportRejected': {
      const d = event.data as BudgetImportAcceptedData | BudgetImportRejectedData;
      const accepted = event.type === 'BudgetImportAccepted' ? (d as BudgetImportAcceptedData) : undefined;
      const view: ImportView = {
        importId: d.importId,
        tenant: d.tenant,
        status: accepted ? 'angenommen' : 'abgelehnt',
        profileId: d.profileId,
        profileVersion: d.profileVersion,
        fileName: d.fileName,
        fileSha256: d.fileSha256,
        importedBy: d.importedBy,
        recordedAt: event.recordedAt,
        rowCount: d.rowCount,
        years: accepted?.years ?? [],
        postingCount: accepted?.postingCount ?? 0,
        skippedPostingCount: accepted?.skippedPostingCount ?? 0,
        actualCents: accepted?.actualCents ?? 0,
        appropriationCount: accepted?.appropriationCount ?? 0,
        errorCount: d.errorCount,
        warningCount: d.warningCount,
        countsByCode: d.countsByCode,
        findings: d.findings,
        truncated: d.truncated,
      };
      batch.set(IMPORTS_COLLECTION, d.importId, view);
      for (const [code, name] of Object.entries(accepted?.names ?? {})) batch.set(NAMES_COLLECTION, `${tenant}|${code}`, { code, name });
      return;
    }
    default:
      return;
  }
}

export interface LedgerProjector {
  /** Applies every event committed so far; resolves with the number applied. */
  catchUp(): Promise<number>;
  start(pollIntervalMs?: number): void;
  stop(): Promise<void>;
}

export function createLedgerProjector(deps: { eventStore: EventStore; documents: DocumentStore; logger?: Logger }): LedgerProjector {
  const { eventStore, documents } = deps;
  let queue: Promise<unknown> = Promise.resolve();

  async function run(): Promise<number> {
    let position = (await documents.get<{ position: number }>(PROJECTOR_COLLECTION, 'ledger'))?.position ?? 0;
    let applied = 0;
    for (;;) {
      const events = await eventStore.readAll({ after: position, maxCount: PAGE });
      if (events.length === 0) return applied;
      const batch = new Batch(documents);
      for (const event of events) {
        if (!LEDGER_EVENT_TYPES.has(event.type)) continue;
        await apply(batch, event);
        applied += 1;
      }
      position = events[events.length - 1]!.position;
      // Documents and checkpoint in one atomic write.
      await documents.write([...batch.writes(), { collection: PROJECTOR_COLLECTION, key: 'ledger', doc: { position } }]);
      if (events.length < PAGE) return applied;
    }
  }

  const catchUp = () => {
    const round = queue.then(run);
    queue = round.catch(() => undefined);
    return round;
  };

  const loop = pollLoop(catchUp, { logger: deps.logger, failureMessage: 'budget ledger projector failed; retrying' });

  return {
    catchUp,
    ...loop,
  };
}

export async function ledgerLines(documents: DocumentStore, tenant: string, year?: number): Promise<LedgerLine[]> {
  return (await documents.scan<LedgerLine>(LEDGER_COLLECTION, { prefix: ledgerPrefix(tenant, year) })).map((e) => e.doc);
}

export async function namesOf(documents: DocumentStore, tenant: string): Promise<Map<string, string>> {
  return new Map((await documents.scan<{ code: string; name: string }>(NAMES_COLLECTION, { prefix: `${tenant}|` })).map((e) => [e.doc.code, e.doc.name]));
}
