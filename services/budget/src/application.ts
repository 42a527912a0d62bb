/**
 * The budget service's application layer: load a stream, fold, decide, append with the expected
 * version (retry on a version conflict); imports all or nothing; queries on the ledger.
 * Time and ids enter here (the domain core gets them as data).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { derivedUuid, FatalParseError, isWrongExpectedVersionError, readTable, type DocumentStore, type EventStore, type Logger, type NewEvent } from '@lagebild/platform';
import { decideCommitment, type CommitmentCommand } from './commitments/decide';
import { commitmentStream, evolveCommitment, initialCommitmentState, type CommitmentEvent, type CommitmentState } from './commitments/model';
import { BudgetRefusal } from './domain/errors';
import { forecastAccuracy, type LineHistory, type MethodAccuracy } from './domain/forecast';
import { financialKennzahlen } from './domain/kennzahlen';
import { figuresOf, lineKey, lineRefOf, type LedgerLine, type LineRef } from './domain/lines';
import { preventiveShare, type PreventionYear, type ProductClassification } from './domain/prevention';
import { breaches, computeReport, DEFAULT_RULES, monthEnd, type DeviationRule, type UnitFigures } from './domain/report';
import { ImportCheck, type ImportRecord } from './imports/check';
import { createProfileCatalog, type ProfileCatalog } from './imports/catalog';
import { budgetFinding } from './imports/findings';
import { importStream, type BudgetImportAcceptedData, type BudgetImportRejectedData, type ImportReport } from './imports/model';
import type {
  ActualPostedData,
  BudgetAppropriatedData,
  BudgetCarriedForwardData,
  BudgetReallocatedData,
  CommitmentRecordedData,
  DeliveryAcceptedData,
  DeviationCommentedData,
  DeviationDetectedData,
  ForecastComputedData,
  ObservationsRecordedData,
  PostingData,
  ProductDefinedData,
} from './integration-events';
import {
  createLedgerProjector,
  IMPORTS_COLLECTION,
  ledgerKey,
  ledgerLines,
  LEDGER_COLLECTION,
  namesOf,
  recordedPostings,
  type ImportView,
  type LedgerProjector,
} from './ledger/projection';
import { decideStructure, type StructureCommand } from './structure/decide';
import { evolveStructure, initialStructureState, productDefinition, structureStream, type StructureEvent, type StructureState } from './structure/model';
import { decideYear, type YearCommand } from './years/decide';
import { deviationKey, evolveYear, initialYearState, yearStream, type YearEvent, type YearState } from './years/model';

export const POSTINGS_PER_BATCH = 5000;
export const KENNZAHLEN_DATASET = 'haushalt-kennzahlen';
export const KENNZAHLEN_SCHEME = 'gemeindeverzeichnis';
export const SCHEMES_COLLECTION = 'budget.schemes';
const KENNZAHLEN_COLLECTION = 'budget.kennzahlen';

export interface Actor {
  tenant: string;
  subject: string;
}

export interface BudgetDeps {
  eventStore: EventStore;
  documents: DocumentStore;
  logger?: Logger;
  now?: () => Date;
}

interface Folded<S> {
  state: S;
  version: number;
}

type Evolve<S, E> = (state: S, event: E) => S;

export interface ImportInput {
  tenant: string;
  profileId: string;
  filePath: string;
  fileName?: string;
  actor: string;
}

export interface ImportResult {
  importId: string;
  duplicate: boolean;
  view: ImportView;
}

export interface AbweichungsberichtRow extends Omit<UnitFigures, 'forecast'> {
  method: string | null;
  basisYears: number[];
  flagged: boolean;
  rule: DeviationRule | null;
  detected: boolean;
  comment: { text: string; measures: string | null; author: string } | null;
  responsible: string | null;
  goalIds: string[];
}

export interface Abweichungsbericht {
  tenant: string;
  budgetYear: number;
  cutOffDate: string;
  month: number;
  rules: DeviationRule[];
  rows: AbweichungsberichtRow[];
}

export function sha256File(filePath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(filePath, { highWaterMark: 1024 * 1024 })
      .on('data', (chunk) => hash.update(chunk as Buffer))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

export interface BudgetService {
  readonly projector: LedgerProjector;
  readonly profiles: ProfileCatalog;
  structure(tenant: string): Promise<StructureState>;
  defineProduct(actor: Actor, data: ProductDefinedData): Promise<{ changed: boolean }>;
  setRules(actor: Actor, rules: DeviationRule[]): Promise<{ changed: boolean }>;
  rules(tenant: string): Promise<DeviationRule[]>;
  appropriate(actor: Actor, data: BudgetAppropriatedData): Promise<void>;
  carryForward(actor: Actor, data: BudgetCarriedForwardData): Promise<{ changed: boolean }>;
  reallocate(actor: Actor, data: BudgetReallocatedData): Promise<{ changed: boolean }>;
  recordCommitment(actor: Actor, data: Omit<CommitmentRecordedData, 'revision'>, causationId?: string): Promise<{ changed: boolean; revision: number }>;
  commitment(tenant: string, commitmentId: string): Promise<CommitmentState>;
  noteContract(actor: Actor, command: Extract<CommitmentCommand, { type: 'NoteContractTerms' }>, causationId: string): Promise<{ changed: boolean }>;
  year(tenant: string, year: number): Promise<YearState>;
  importFile(input: ImportInput): Promise<ImportResult>;
  getImport(importId: string): Promise<ImportView | undefined>;
  listImports(tenant: string): Promise<ImportView[]>;
  lines(tenant: string, year?: number): Promise<LedgerLine[]>;
  planActual(tenant: string, year: number, month: number): Promise<UnitFigures[]>;
  abweichungsbericht(tenant: string, year: number, month: number): Promise<Abweichungsbericht>;
  checkDeviations(actor: Actor, year: number, month: number): Promise<{ forecast: ForecastComputedData; detected: DeviationDetectedData[]; recorded: number }>;
  commentDeviation(actor: Actor, data: Omit<DeviationCommentedData, 'author'>): Promise<{ changed: boolean }>;
  preventiveShare(tenant: string): Promise<PreventionYear[]>;
  forecastAccuracy(tenant: string): Promise<MethodAccuracy[]>;
  noteSchemeVersion(schemeId: string, version: number): Promise<void>;
  publishKennzahlen(actor: Actor, year: number, schemeVersion?: number): Promise<{ deliveryId: string; duplicate: boolean; observations: number }>;
}

export function createBudgetService(deps: BudgetDeps): BudgetService {
  const { eventStore, documents } = deps;
  const now = deps.now ?? (() => new Date());
  const projector = createLedgerProjector(deps);
  const profiles = createProfileCatalog(eventStore, documents);

  async function fold<S, E>(stream: string, initial: S, evolve: Evolve<S, E>): Promise<Folded<S>> {
    let state = initial;
    let version = 0;
    for (;;) {
      const events = await eventStore.readStream(stream, { fromVersion: version + 1, maxCount: 500 });
      for (const e of events) {
        state = evolve(state, { type: e.type, data: e.data } as E);
        version = e.version;
      }
      if (events.length < 500) return { state, version };
    }
  }

  function toNewEvents(events: ReadonlyArray<{ type: string; data: unknown }>, actor: { tenant: string; subject: string }, ids?: (i: number) => string, causationId?: string | null): NewEvent[] {
    const occurredAt = now().toISOString();
    const correlationId = randomUUID();
    return events.map((e, i) => ({
      id: ids ? ids(i) : randomUUID(),
      type: e.type,
      data: e.data,
      metadata: { tenant: actor.tenant, occurredAt, actor: actor.subject, correlationId, causationId: causationId ?? null },
    }));
  }

  /** Load, decide, append with the expected version; a concurrent writer means: load and decide again. */
  async function handle<S, E extends { type: string; data: unknown }, C>(
    stream: string,
    initial: () => S,
    evolve: Evolve<S, E>,
    decide: (command: C, state: S) => E[],
    command: C | ((state: S) => Promise<C> | C),
    actor: Actor,
    options: { ids?: (version: number, i: number) => string; causationId?: string } = {},
  ): Promise<{ events: E[]; state: S }> {
    for (let attempt = 1; ; attempt += 1) {
      const { state, version } = await fold<S, E>(stream, initial(), evolve);
      const resolved = typeof command === 'function' ? await (command as (state: S) => Promise<C> | C)(state) : command;
      const events = decide(resolved, state);
      if (events.length === 0) return { events, state };
      try {
        await eventStore.appendToStream(stream, toNewEvents(events, actor, options.ids ? (i) => options.ids!(version, i) : undefined, options.causationId), {
          expectedVersion: version === 0 ? 'no_stream' : version,
        });
        return { events, state: events.reduce(evolve, state) };
      } catch (error) {
        if (!isWrongExpectedVersionError(error) || attempt >= 5) throw error;
      }
    }
  }

  const structure = async (tenant: string) => (await fold<StructureState, StructureEvent>(structureStream(tenant), initialStructureState(), evolveStructure)).state;
  const year = async (tenant: string, y: number) => (await fold<YearState, YearEvent>(yearStream(tenant, y), initialYearState(), evolveYear)).state;

  async function currentLines(tenant: string, y?: number): Promise<LedgerLine[]> {
    await projector.catchUp();
    return ledgerLines(documents, tenant, y);
  }

  async function lineOf(tenant: string, y: number, ref: LineRef): Promise<LedgerLine | undefined> {
    return documents.get<LedgerLine>(LEDGER_COLLECTION, ledgerKey(tenant, y, lineKey(ref)));
  }

  /** Still available on a line: fortgeschriebener Ansatz minus Ist minus Obligo. */
  function available(line: LedgerLine | undefined): number {
    if (!line) return 0;
    const f = figuresOf(line);
    return f.plannedCents - f.actualCents - f.commitmentCents;
  }

  function classifications(s: StructureState): ProductClassification[] {
    return [...s.products.values()].flatMap((defs) => defs.map((d) => ({ productCode: d.productCode, validFromYear: d.validFromYear, classification: { prevention: d.prevention, approach: d.approach } })));
  }

  async function names(tenant: string, s: StructureState): Promise<Map<string, string>> {
    const out = await namesOf(documents, tenant);
    for (const code of s.products.keys()) out.set(code, productDefinition(s, code)!.name);
    return out;
  }

  async function rules(tenant: string): Promise<DeviationRule[]> {
    return (await structure(tenant)).rules ?? [...DEFAULT_RULES];
  }

  /**
   * Lines placed where the structure puts their Produkt: a posting export often names only the
   * Produkt, the structure knows its Produktgruppe and Produktbereich.
   */
  function placed(lines: readonly LedgerLine[], s: StructureState): LedgerLine[] {
    return lines.map((l) => {
      const def = productDefinition(s, l.productCode, l.budgetYear);
      return def ? { ...l, productArea: def.productArea, productGroup: def.productGroup } : l;
    });
  }

  async function planActual(tenant: string, y: number, month: number): Promise<UnitFigures[]> {
    const s = await structure(tenant);
    const all = placed(await currentLines(tenant), s);
    return computeReport({ year: y, month, lines: all.filter((l) => l.budgetYear === y), history: all.filter((l) => l.budgetYear < y), names: await names(tenant, s) });
  }

  function deviationData(y: number, cutOffDate: string, unit: UnitFigures, rule: DeviationRule): DeviationDetectedData {
    return {
      budgetYear: y,
      cutOffDate,
      level: unit.level,
      code: unit.code,
      name: unit.name,
      accountKind: unit.accountKind,
      plannedCents: unit.plannedCents,
      actualToDateCents: unit.actualToDateCents,
      forecastCents: unit.forecastCents,
      deviationCents: unit.deviationCents,
      deviationRatio: unit.deviationRatio,
      unfavourable: unit.unfavourable,
      absoluteThresholdCents: rule.absoluteThresholdCents,
      relativeThreshold: rule.relativeThreshold,
    };
  }

  function forecastData(y: number, cutOffDate: string, units: readonly UnitFigures[]): ForecastComputedData {
    return {
      budgetYear: y,
      cutOffDate,
      lines: units
        .filter((u) => u.level === 'PRODUKT' && u.forecast)
        .map((u) => ({
          productArea: u.productArea ?? u.code.slice(0, 2),
          productGroup: u.productGroup ?? null,
          productCode: u.code,
          accountKind: u.accountKind,
          plannedCents: u.plannedCents,
          actualToDateCents: u.actualToDateCents,
          commitmentCents: u.commitmentCents,
          forecastCents: u.forecastCents,
          method: u.forecast!.method,
          basisYears: u.forecast!.basisYears,
        })),
    };
  }

  const service: BudgetService = {
    projector,
    profiles,
    structure,
    rules,
    year,

    async defineProduct(actor, data) {
      const { events } = await handle<StructureState, StructureEvent, StructureCommand>(structureStream(actor.tenant), initialStructureState, evolveStructure, decideStructure, { type: 'DefineProduct', data }, actor);
      return { changed: events.length > 0 };
    },

    async setRules(actor, newRules) {
      const { events } = await handle<StructureState, StructureEvent, StructureCommand>(structureStream(actor.tenant), initialStructureState, evolveStructure, decideStructure, { type: 'SetDeviationRules', rules: newRules }, actor);
      return { changed: events.length > 0 };
    },

    async appropriate(actor, data) {
      await projector.catchUp();
      const all = await ledgerLines(documents, actor.tenant, data.budgetYear);
      const ansatzExists = all.some((l) => l.ansatz !== null);
      await handle<YearState, YearEvent, YearCommand>(yearStream(actor.tenant, data.budgetYear), initialYearState, evolveYear, decideYear, { type: 'Appropriate', data, ansatzExists }, actor);
      await projector.catchUp();
    },

    async carryForward(actor, data) {
      await projector.catchUp();
      const availableInFromYear = new Map<string, number>();
      for (const l of data.lines) availableInFromYear.set(lineKey(l), available(await lineOf(actor.tenant, data.fromYear, l)));
      const { events } = await handle<YearState, YearEvent, YearCommand>(yearStream(actor.tenant, data.budgetYear), initialYearState, evolveYear, decideYear, { type: 'CarryForward', data, availableInFromYear }, actor);
      await projector.catchUp();
      return { changed: events.length > 0 };
    },

    async reallocate(actor, data) {
      await projector.catchUp();
      const availableOnFromLine = available(await lineOf(actor.tenant, data.budgetYear, data.from));
      const { events } = await handle<YearState, YearEvent, YearCommand>(yearStream(actor.tenant, data.budgetYear), initialYearState, evolveYear, decideYear, { type: 'Reallocate', data, availableOnFromLine }, actor);
      await projector.catchUp();
      return { changed: events.length > 0 };
    },

    async recordCommitment(actor, data, causationId) {
      const { events, state } = await handle<CommitmentState, CommitmentEvent, CommitmentCommand>(
        commitmentStream(actor.tenant, data.commitmentId),
        initialCommitmentState,
        evolveCommitment,
        decideCommitment,
        { type: 'RecordCommitment', data },
        actor,
        causationId ? { causationId, ids: (version, i) => derivedUuid(`${causationId}/${version + 1 + i}`) } : {},
      );
      await projector.catchUp();
      return { changed: events.length > 0, revision: state.revision };
    },

    async commitment(tenant, commitmentId) {
      return (await fold<CommitmentState, CommitmentEvent>(commitmentStream(tenant, commitmentId), initialCommitmentState(), evolveCommitment)).state;
    },

    async noteContract(actor, command, causationId) {
      const { events } = await handle<CommitmentState, CommitmentEvent, CommitmentCommand>(
        commitmentStream(actor.tenant, `contract-${command.contractId}`),
        initialCommitmentState,
        evolveCommitment,
        decideCommitment,
        command,
        actor,
        // Ids from the causing contract event: a redelivered event appends nothing new.
        { causationId, ids: (version, i) => derivedUuid(`${causationId}/${version + 1 + i}`) },
      );
      await projector.catchUp();
      return { changed: events.some((e) => e.type === 'CommitmentRecorded') };
    },

    importFile(input) {
      // One import per tenant at a time in this process: two files with the same postings must
      // not both find them new.
      const previous = importLocks.get(input.tenant) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => importOne(input));
      importLocks.set(input.tenant, next);
      void next.finally(() => {
        if (importLocks.get(input.tenant) === next) importLocks.delete(input.tenant);
      }).catch(() => undefined);
      return next;
    },

    async getImport(importId) {
      if (!/^[0-9a-f-]{36}$/i.test(importId)) return undefined;
      return documents.get<ImportView>(IMPORTS_COLLECTION, importId);
    },

    async listImports(tenant) {
      await projector.catchUp();
      return (await documents.find<ImportView>(IMPORTS_COLLECTION, { tenant })).map((e) => e.doc).sort((a, b) => (a.recordedAt < b.recordedAt ? 1 : -1));
    },

    lines: currentLines,
    planActual,

    async abweichungsbericht(tenant, y, month) {
      const units = await planActual(tenant, y, month);
      const s = await structure(tenant);
      const r = s.rules ?? [...DEFAULT_RULES];
      const ys = await year(tenant, y);
      const cutOffDate = monthEnd(y, month);
      const rows = units.map((u): AbweichungsberichtRow => {
        const rule = breaches(u, r);
        const key = deviationKey({ cutOffDate, level: u.level, code: u.code, accountKind: u.accountKind });
        const comment = ys.comments.get(key);
        const def = u.level === 'PRODUKT' ? productDefinition(s, u.code, y) : undefined;
        const { forecast, ...figures } = u;
        return {
          ...figures,
          method: forecast?.method ?? null,
          basisYears: forecast?.basisYears ?? [],
          flagged: rule !== undefined,
          rule: rule ?? null,
          detected: ys.deviations.has(key),
          comment: comment ? { text: comment.comment, measures: comment.measures, author: comment.author } : null,
          responsible: def?.responsible ?? null,
          goalIds: def?.goalIds ?? [],
        };
      });
      return { tenant, budgetYear: y, cutOffDate, month, rules: r, rows };
    },

    async checkDeviations(actor, y, month) {
      const units = await planActual(actor.tenant, y, month);
      const r = await rules(actor.tenant);
      const cutOffDate = monthEnd(y, month);
      const detected: DeviationDetectedData[] = [];
      for (const u of units) {
        const rule = breaches(u, r);
        if (rule) detected.push(deviationData(y, cutOffDate, u, rule));
      }
      const forecast = forecastData(y, cutOffDate, units);
      const { events } = await handle<YearState, YearEvent, YearCommand>(yearStream(actor.tenant, y), initialYearState, evolveYear, decideYear, { type: 'RecordDeviationCheck', forecast, deviations: detected }, actor);
      return { forecast, detected, recorded: events.filter((e) => e.type === 'DeviationDetected').length };
    },

    async commentDeviation(actor, data) {
      const { events } = await handle<YearState, YearEvent, YearCommand>(yearStream(actor.tenant, data.budgetYear), initialYearState, evolveYear, decideYear, { type: 'CommentDeviation', data: { ...data, author: actor.subject } }, actor);
      return { changed: events.length > 0 };
    },

    async preventiveShare(tenant) {
      const s = await structure(tenant);
      return preventiveShare(placed(await currentLines(tenant), s), classifications(s));
    },

    async forecastAccuracy(tenant) {
      const lines = await currentLines(tenant);
      const byProduct = new Map<string, Map<number, number[]>>();
      for (const l of lines) {
        if (l.accountKind !== 'AUFWAND' && l.accountKind !== 'ERTRAG') continue;
        const key = `${l.productCode}|${l.accountKind}`;
        const byYear = byProduct.get(key) ?? new Map<number, number[]>();
        const months = byYear.get(l.budgetYear) ?? new Array<number>(12).fill(0);
        const f = figuresOf(l);
        for (let m = 0; m < 12; m += 1) months[m]! += f.actualMonths[m]!;
        byYear.set(l.budgetYear, months);
        byProduct.set(key, byYear);
      }
      const histories: LineHistory[] = [...byProduct.values()].map((monthsByYear) => ({ monthsByYear }));
      const years = [...new Set(lines.map((l) => l.budgetYear))].sort();
      return forecastAccuracy(histories, years);
    },

    async noteSchemeVersion(schemeId, version) {
      const known = await documents.get<{ version: number }>(SCHEMES_COLLECTION, schemeId);
      if (!known || known.version < version) await documents.put(SCHEMES_COLLECTION, schemeId, { version });
    },

    async publishKennzahlen(actor, y, schemeVersion) {
      const version = schemeVersion ?? (await documents.get<{ version: number }>(SCHEMES_COLLECTION, KENNZAHLEN_SCHEME))?.version;
      if (version === undefined) {
        throw new BudgetRefusal('Das Gemeindeverzeichnis ist dem Budgetdienst noch nicht bekannt (lagebild areas load-gv100ad …); ohne seine Version können die Kennzahlen keinem Gebiet zugeordnet werden.', 'conflict');
      }
      const s = await structure(actor.tenant);
      const lines = placed(await currentLines(actor.tenant, y), s);
      const variables = new Map<string, string[]>();
      for (const code of s.products.keys()) variables.set(code, productDefinition(s, code, y)?.kennzahlVariables ?? []);
      const values = financialKennzahlen(lines, classifications(s), variables);
      if (values.length === 0) throw new BudgetRefusal(`Für ${y} ist kein Ist gebucht; es gibt noch keine Kennzahlen.`, 'conflict');
      const content = createHash('sha256').update(JSON.stringify({ tenant: actor.tenant, y, version, values })).digest('hex');
      const deliveryId = derivedUuid(['budget-kennzahlen', actor.tenant, y, content].join('|'));
      const stream = `budget-kennzahlen-${deliveryId}`;
      if ((await eventStore.readStream(stream, { maxCount: 1 })).length > 0) return { deliveryId, duplicate: true, observations: values.length };
      const previous = await documents.get<{ deliveryId: string }>(KENNZAHLEN_COLLECTION, `${actor.tenant}|${y}`);
      const period = { kind: 'ZEITRAUM' as const, start: `${y}-01-01`, end: `${y}-12-31` };
      const batch: ObservationsRecordedData = {
        deliveryId,
        batchNumber: 1,
        isLastBatch: true,
        datasetId: KENNZAHLEN_DATASET,
        schemeId: KENNZAHLEN_SCHEME,
        schemeVersion: version,
        source: { name: 'Haushalt (Ergebnisrechnung, Ist)', provider: 'Budgetcontrolling', fileName: null, fileSha256: null, extractedOn: null },
        sensitivity: 'INTERNAL',
        supersedesDeliveryId: previous?.deliveryId ?? null,
        observations: values.map((v) => ({ areaCode: actor.tenant, variable: v.variable, dimensions: v.dimensions, period, value: v.valueEuro, status: 'VALUE', sourceLine: null })),
      };
      const accepted: DeliveryAcceptedData = {
        deliveryId,
        tenant: actor.tenant,
        datasetId: KENNZAHLEN_DATASET,
        schemeId: KENNZAHLEN_SCHEME,
        schemeVersion: version,
        schemeVersions: [version],
        profileId: 'budget-kennzahlen',
        profileVersion: 1,
        fileName: null,
        contentSha256: content,
        rowCount: values.length,
        observationCount: values.length,
        valueCount: values.length,
        areaCount: 1,
        variables: [...new Set(values.map((v) => v.variable))].sort(),
        periods: [period],
        supersedesDeliveryId: previous?.deliveryId ?? null,
        batchCount: 1,
        warningCount: 0,
      };
      await eventStore.appendToStream(
        stream,
        toNewEvents(
          [
            { type: 'ObservationsRecorded', data: batch },
            { type: 'DeliveryAccepted', data: accepted },
          ],
          actor,
          (i) => derivedUuid(`${deliveryId}/${i + 1}`),
        ),
        { expectedVersion: 'no_stream' },
      );
      await documents.put(KENNZAHLEN_COLLECTION, `${actor.tenant}|${y}`, { deliveryId });
      return { deliveryId, duplicate: false, observations: values.length };
    },
  };


  const importLocks = new Map<string, Promise<ImportResult>>();

  async function importOne(input: ImportInput): Promise<ImportResult> {
    const profile = await profiles.get(input.profileId);
    const fileName = input.fileName ?? path.basename(input.filePath);
    if (!profile) throw new BudgetRefusal(`Das Importprofil „${input.profileId}“ gibt es nicht.`, 'not-found');
    if (profile.tenant !== null && profile.tenant !== input.tenant) {
      throw new BudgetRefusal(budgetFinding('TENANT_FORBIDDEN', { file: fileName, owner: profile.tenant, tenant: input.tenant }).message, 'invalid');
    }
    const size = (await stat(input.filePath)).size;
    const sha = await sha256File(input.filePath);
    const importId = derivedUuid(['budget-import', input.tenant, profile.id, profile.version, sha].join('|'));
    const stream = importStream(importId);
    const existing = await eventStore.readStream(stream, { maxCount: 1 });
    if (existing.length > 0) {
      await projector.catchUp();
      return { importId, duplicate: true, view: (await service.getImport(importId))! };
    }
    const head = { importId, tenant: input.tenant, profileId: profile.id, profileVersion: profile.version, fileName, fileSha256: sha, importedBy: input.actor };
    const check = new ImportCheck(profile, fileName);
    if (size === 0) check.problem({ code: 'FILE_EMPTY', fatal: true });
    else {
      try {
        await readTable({ path: input.filePath, format: profile.format }, check);
      } catch (error) {
        if (!(error instanceof FatalParseError)) throw error;
        check.problem(error.problem);
      }
      check.finish();
    }
    const report = (): ImportReport => ({
      errorCount: check.findings.errorCount,
      warningCount: check.findings.warningCount,
      countsByCode: check.findings.countsByCode,
      findings: check.findings.stored,
      truncated: check.findings.truncated,
    });
    const actor = { tenant: input.tenant, subject: input.actor };
    const ids = (i: number) => derivedUuid(`${importId}/${i + 1}`);
    const reject = async () => {
      const data: BudgetImportRejectedData = { ...head, rowCount: check.rowCount, ...report() };
      await eventStore.appendToStream(stream, toNewEvents([{ type: 'BudgetImportRejected', data }], actor, ids), { expectedVersion: 'no_stream' });
    };

    if (check.findings.errorCount === 0) {
      const built = await buildImportEvents(input.tenant, importId, profile.sourceSystem, profile.mode, fileName, check);
      if (built.conflicts.length > 0) for (const f of built.conflicts) check.findings.add(f);
      else {
        const accepted: BudgetImportAcceptedData = {
          ...head,
          rowCount: check.rowCount,
          ...report(),
          years: built.years,
          postingCount: built.postingCount,
          skippedPostingCount: built.skipped,
          actualCents: built.actualCents,
          appropriationCount: built.appropriations.length,
          batchCount: built.batches.length,
          names: Object.fromEntries(check.names),
        };
        const events = [
          ...built.appropriations.map((data) => ({ type: 'BudgetAppropriated', data })),
          ...built.batches.map((data) => ({ type: 'ActualPosted', data })),
          { type: 'BudgetImportAccepted', data: accepted },
        ];
        try {
          await eventStore.appendToStream(stream, toNewEvents(events, actor, ids), { expectedVersion: 'no_stream' });
        } catch (error) {
          if (!isWrongExpectedVersionError(error)) throw error;
        }
        await projector.catchUp();
        return { importId, duplicate: false, view: (await service.getImport(importId))! };
      }
    }
    try {
      await reject();
    } catch (error) {
      if (!isWrongExpectedVersionError(error)) throw error;
    }
    await projector.catchUp();
    return { importId, duplicate: false, view: (await service.getImport(importId))! };
  }

  /**
   * From checked records to events: plan values become one BudgetAppropriated per year and kind;
   * Ist becomes postings in batches. Postings an earlier import recorded are skipped (same
   * amount and line) or refused (changed); balances (SALDEN) post the difference to what is
   * recorded for their line.
   */
  async function buildImportEvents(tenant: string, importId: string, sourceSystem: string, mode: 'BUCHUNGEN' | 'SALDEN', fileName: string, check: ImportCheck) {
    await projector.catchUp();
    const appropriations = new Map<string, BudgetAppropriatedData>();
    const postingsByYear = new Map<number, PostingData[]>();
    const conflicts: ReturnType<typeof budgetFinding>[] = [];
    let skipped = 0;
    let actualCents = 0;
    const ist: ImportRecord[] = [];
    for (const r of check.records) {
      if (r.kind === 'IST') {
        ist.push(r);
        continue;
      }
      const key = `${r.year}|${r.kind}`;
      let a = appropriations.get(key);
      if (!a) appropriations.set(key, (a = { budgetYear: r.year, kind: r.kind, decision: null, lines: [] }));
      a.lines.push({ ...lineRefOf(r.ref), amountCents: r.amountCents, prevention: 'NICHT_ZUGEORDNET', approach: 'NICHT_ZUGEORDNET' });
    }
    const recorded = new Map<number, Map<string, { amountCents: number; line: string }>>();
    if (mode === 'BUCHUNGEN') for (const y of new Set(ist.map((r) => r.year))) recorded.set(y, await recordedPostings(documents, tenant, y));
    const balances = mode === 'SALDEN' ? await Promise.all(ist.map((r) => documents.get<LedgerLine>(LEDGER_COLLECTION, ledgerKey(tenant, r.year, lineKey(r.ref))))) : [];
    ist.forEach((r, i) => {
      let postingId: string;
      let amount = r.amountCents;
      if (mode === 'BUCHUNGEN') {
        postingId = r.postingId!;
        const k = recorded.get(r.year)!.get(postingId);
        if (k) {
          if (k.amountCents !== r.amountCents || k.line !== lineKey(r.ref)) {
            conflicts.push(budgetFinding('POSTING_CONFLICT', { file: fileName, line: r.line, postingId, year: r.year, known: `${(k.amountCents / 100).toLocaleString('de-DE', { minimumFractionDigits: 2 })} € auf ${k.line}`, found: `${(r.amountCents / 100).toLocaleString('de-DE', { minimumFractionDigits: 2 })} € auf ${lineKey(r.ref)}` }));
          } else skipped += 1;
          return;
        }
      } else {
        const line = balances[i];
        const before = line ? figuresOf(line).actualCents : 0;
        amount = r.amountCents - before;
        if (amount === 0) {
          skipped += 1;
          return;
        }
        postingId = `saldo:${lineKey(r.ref)}:${importId}`;
      }
      const list = postingsByYear.get(r.year) ?? [];
      list.push({
        postingId,
        postingDate: r.postingDate ?? `${r.year}-12-31`,
        productArea: r.ref.productArea,
        productGroup: r.ref.productGroup,
        productCode: r.ref.productCode,
        costCentre: r.ref.costCentre,
        account: r.ref.account,
        accountKind: r.ref.accountKind,
        amountCents: amount,
        text: r.text,
      });
      postingsByYear.set(r.year, list);
      actualCents += amount;
    });
    const years = [...new Set([...postingsByYear.keys(), ...[...appropriations.values()].map((a) => a.budgetYear)])].sort((a, b) => a - b);
    const batches: ActualPostedData[] = [];
    for (const y of [...postingsByYear.keys()].sort((a, b) => a - b)) {
      const list = postingsByYear.get(y)!;
      for (let i = 0; i < list.length; i += POSTINGS_PER_BATCH) {
        batches.push({ importId, batchNumber: batches.length + 1, isLastBatch: false, budgetYear: y, sourceSystem, fileName, postings: list.slice(i, i + POSTINGS_PER_BATCH) });
      }
    }
    if (batches.length > 0) batches[batches.length - 1]!.isLastBatch = true;
    const postingCount = batches.reduce((n, b) => n + b.postings.length, 0);
    return { appropriations: [...appropriations.values()], batches, conflicts, skipped, actualCents, years, postingCount };
  }

  return service;
}
