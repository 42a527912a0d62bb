/**
 * The register's application layer: load a scheme's stream, fold, decide, append with the
 * expected version (retrying when someone else appended in between), then update the read
 * models. Used by the HTTP routes and by the CLI (`lagebild areas ...`).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  currentTraceparent,
  type DocumentStore,
  type EventStore,
  isWrongExpectedVersionError,
  type Logger,
  type NewEvent,
  withSpan,
} from '@lagebild/platform';
import { deriveCrosswalkFromMatches, type CrosswalkDerivation, pairsFromMatchTable } from './crosswalk';
import { type AreaSchemeCommand, AreaRuleViolation, decide, type ImportedUnit } from './decide';
import { GEMEINDEVERZEICHNIS_SCHEME_ID } from './gemeindeverzeichnis';
import { type ImportMapping, mapFeatures } from './mapping';
import {
  type AreaGeometry,
  type AreaSchemeEvent,
  type ChangeRecord,
  type CrosswalkWeight,
  currentVersion,
  fold,
  evolve,
  type NameGroup,
  type SchemeState,
  type SeriesBreak,
  STREAM_PREFIX,
  streamOf,
  type UnitRecord,
  unitsValidOn,
} from './model';
import { COLLECTIONS, projectScheme, type SchemeDocument } from './projections';
import { type AreaFile, readAreaFile, readGv100ad, type ReadOptions } from './sources';

/**
 * Envelope tenant of events of shared reference schemes (the Gemeindeverzeichnis belongs to no
 * Gebietskörperschaft): `00000`, the key Destatis uses for Germany as a whole, so the field stays
 * an AGS-shaped string every consumer can route.
 */
export const SHARED_TENANT = '00000';

export interface AreasContext {
  eventStore: EventStore;
  documents: DocumentStore;
  logger?: Logger;
  /** The clock of the shell (the domain gets time with the command). @default system clock */
  now?: () => Date;
}

export interface Actor {
  /** `user:<sub>` or `system:<component>`. */
  subject: string;
  correlationId?: string;
}

export interface CommandOutcome {
  schemeId: string;
  events: AreaSchemeEvent[];
  state: SchemeState;
  streamVersion: number;
}

const MAX_ATTEMPTS = 5;

export async function loadScheme(ctx: AreasContext, schemeId: string): Promise<{ state: SchemeState; streamVersion: number }> {
  const stored = await ctx.eventStore.readStream(streamOf(schemeId));
  const state = fold(
    stored.map((e) => ({ type: e.type, data: e.data }) as AreaSchemeEvent),
    schemeId,
  );
  return { state, streamVersion: stored.at(-1)?.version ?? 0 };
}

/** Runs one command: decide on the current state, append, project. Refusals are AreaRuleViolations. */
export async function execute(ctx: AreasContext, schemeId: string, actor: Actor, build: (state: SchemeState) => AreaSchemeCommand): Promise<CommandOutcome> {
  return withSpan('areas.command', { 'lagebild.scheme': schemeId }, async (span) => {
    for (let attempt = 1; ; attempt += 1) {
      const { state, streamVersion } = await loadScheme(ctx, schemeId);
      const command = build(state);
      span.setAttribute('lagebild.command', command.type);
      const events = decide(command, state);
      if (events.length === 0) return { schemeId, events, state, streamVersion };
      const after = events.reduce(evolve, state);
      const correlationId = actor.correlationId ?? randomUUID();
      const metadata = {
        tenant: after.tenant ?? SHARED_TENANT,
        occurredAt: command.metadata.now,
        actor: actor.subject,
        correlationId,
        causationId: null,
        traceparent: currentTraceparent(),
      };
      const newEvents: NewEvent[] = events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata }));
      try {
        const result = await ctx.eventStore.appendToStream(streamOf(schemeId), newEvents, { expectedVersion: streamVersion === 0 ? 'no_stream' : streamVersion });
        await projectScheme(ctx.documents, after, result.nextExpectedVersion);
        ctx.logger?.info({ schemeId, command: command.type, events: events.length, streamVersion: result.nextExpectedVersion }, 'Gebietsgliederung geändert');
        return { schemeId, events, state: after, streamVersion: result.nextExpectedVersion };
      } catch (error) {
        if (isWrongExpectedVersionError(error) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  });
}

function nowOf(ctx: AreasContext): string {
  return (ctx.now?.() ?? new Date()).toISOString();
}

// ---- schemes ----

export interface CreateSchemeInput {
  schemeId: string;
  name: string;
  /** AGS of the owning tenant; null for a shared reference scheme. */
  tenant: string | null;
  description?: string | null;
  /** Name prefixes ignored when matching delivered names (e.g. `Hamburg-`). */
  stripPrefixes?: string[];
}

export async function createScheme(ctx: AreasContext, input: CreateSchemeInput, actor: Actor): Promise<CommandOutcome> {
  return execute(ctx, input.schemeId, actor, () => ({
    type: 'CreateScheme',
    data: { schemeId: input.schemeId, name: input.name, tenant: input.tenant, description: input.description ?? null, nameMatching: { stripPrefixes: input.stripPrefixes ?? [] } },
    metadata: { now: nowOf(ctx) },
  }));
}

// ---- imports ----

export interface ImportAreaFileInput {
  schemeId: string;
  file: AreaFile;
  mapping?: ImportMapping;
  readOptions?: ReadOptions;
  /** First day the imported units are valid (for a first import: the scheme's start). */
  validFrom: string;
  reason: string;
  /** @default 'merge' */
  mode?: 'merge' | 'replace';
  /** Create the scheme first when it does not exist yet. */
  createScheme?: Omit<CreateSchemeInput, 'schemeId'>;
  /** Publish a version right after the import (validFrom defaults to the import's). */
  publish?: { validFrom?: string; reason?: string };
}

export interface ImportResult {
  schemeId: string;
  importId: string | null;
  fileName: string;
  format: string;
  features: number;
  created: number;
  updated: number;
  retired: number;
  unchanged: number;
  changes: ChangeRecord[];
  notes: string[];
  /** The version published with the import, if any. */
  publishedVersion: number | null;
  schemeCreated: boolean;
}

function sha256Of(file: AreaFile): string {
  const hash = createHash('sha256');
  if (file.kind === 'shapefile') {
    hash.update(file.shp);
    if (file.dbf) hash.update(file.dbf);
    if (file.prj) hash.update(file.prj);
  } else hash.update(file.bytes);
  return hash.digest('hex');
}

async function ensureScheme(ctx: AreasContext, schemeId: string, create: Omit<CreateSchemeInput, 'schemeId'> | undefined, actor: Actor): Promise<boolean> {
  const { state } = await loadScheme(ctx, schemeId);
  if (state.exists) return false;
  if (!create) throw new AreaRuleViolation('unknown-scheme', `Die Gebietsgliederung "${schemeId}" gibt es nicht; beim ersten Import einen Namen angeben (--name), dann wird sie angelegt.`);
  await createScheme(ctx, { ...create, schemeId }, actor);
  return true;
}

async function importUnits(
  ctx: AreasContext,
  input: { schemeId: string; units: ImportedUnit[]; replaceTypes?: string[]; fileName: string; format: string; sha256: string; features: number; notes: string[]; validFrom: string; reason: string; mode: 'merge' | 'replace' },
  actor: Actor,
): Promise<CommandOutcome> {
  return execute(ctx, input.schemeId, actor, () => ({
    type: 'ImportUnits',
    data: {
      importId: randomUUID(),
      source: { fileName: input.fileName, format: input.format, sha256: input.sha256, featureCount: input.features, notes: input.notes },
      validFrom: input.validFrom,
      reason: input.reason,
      mode: input.mode,
      ...(input.replaceTypes ? { replaceTypes: input.replaceTypes } : {}),
      units: input.units,
    },
    metadata: { now: nowOf(ctx) },
  }));
}

function importResult(outcome: CommandOutcome, base: { schemeId: string; fileName: string; format: string; features: number; notes: string[]; schemeCreated: boolean; unitsNamed: number }): ImportResult {
  const event = outcome.events.find((e) => e.type === 'UnitsImported');
  const data = event?.type === 'UnitsImported' ? event.data : null;
  return {
    schemeId: base.schemeId,
    importId: data?.importId ?? null,
    fileName: base.fileName,
    format: base.format,
    features: base.features,
    created: data?.created.length ?? 0,
    updated: data?.updated.length ?? 0,
    retired: data?.retired.length ?? 0,
    unchanged: data?.unchanged ?? base.unitsNamed,
    changes: data ? [...data.changes] : [],
    notes: base.notes,
    publishedVersion: null,
    schemeCreated: base.schemeCreated,
  };
}

/** Imports the units of a GeoJSON, shapefile (parts or zip) or CSV file into a scheme. */
export async function importAreaFile(ctx: AreasContext, input: ImportAreaFileInput, actor: Actor): Promise<ImportResult> {
  // The file is read and mapped before a scheme is created: a file that cannot be imported
  // leaves nothing behind.
  const read = await readAreaFile(input.file, input.readOptions);
  const { state } = await loadScheme(ctx, input.schemeId);
  if (!state.exists && !input.createScheme) {
    throw new AreaRuleViolation('unknown-scheme', `Die Gebietsgliederung "${input.schemeId}" gibt es nicht; beim ersten Import einen Namen angeben (--name), dann wird sie angelegt.`);
  }
  const existing = new Set(unitsValidOn(state, input.validFrom).map((u) => u.code));
  const mapped = mapFeatures(read.features, input.mapping ?? {}, existing);
  const schemeCreated = await ensureScheme(ctx, input.schemeId, input.createScheme, actor);
  const notes = [...read.notes, ...mapped.notes];
  const outcome = await importUnits(
    ctx,
    {
      schemeId: input.schemeId,
      units: mapped.units,
      replaceTypes: mapped.unitTypes,
      fileName: input.file.fileName,
      format: read.format,
      sha256: sha256Of(input.file),
      features: read.features.length,
      notes,
      validFrom: input.validFrom,
      reason: input.reason,
      mode: input.mode ?? 'merge',
    },
    actor,
  );
  const result = importResult(outcome, { schemeId: input.schemeId, fileName: input.file.fileName, format: read.format, features: read.features.length, notes, schemeCreated, unitsNamed: mapped.units.length });
  if (input.publish) result.publishedVersion = await publishIfChanged(ctx, input.schemeId, { validFrom: input.publish.validFrom ?? input.validFrom, reason: input.publish.reason ?? input.reason }, actor);
  return result;
}

/** Publishes when the draft holds changes (or nothing was published yet); else returns null. */
async function publishIfChanged(ctx: AreasContext, schemeId: string, input: { validFrom: string; reason: string }, actor: Actor): Promise<number | null> {
  const { state } = await loadScheme(ctx, schemeId);
  if (currentVersion(state) && state.pendingChanges.length === 0 && state.pendingCrosswalk === null) return null;
  const outcome = await publishVersion(ctx, schemeId, input, actor);
  return outcome.version;
}

export interface GemeindeverzeichnisLoad extends ImportResult {
  gebietsstand: string;
  counts: Record<string, number>;
}

/**
 * Loads a GV100AD file into the shared scheme `gemeindeverzeichnis` (created on first use) and
 * publishes it as a version valid from the file's Gebietsstand. Units the file no longer lists
 * (Gemeinden merged in a Gebietsreform) are retired; loading the same file again changes nothing.
 */
export async function loadGemeindeverzeichnis(ctx: AreasContext, input: { fileName: string; bytes: Buffer; encoding?: string; reason?: string }, actor: Actor): Promise<GemeindeverzeichnisLoad> {
  const read = readGv100ad(input.bytes, input.fileName, input.encoding ? { encoding: input.encoding } : {});
  const schemeCreated = await ensureScheme(
    ctx,
    GEMEINDEVERZEICHNIS_SCHEME_ID,
    { name: 'Gemeindeverzeichnis (Destatis GV100AD)', tenant: null, description: 'Länder, Regierungsbezirke, Regionen, Kreise, Gemeindeverbände und Gemeinden mit amtlichen Schlüsseln, Fläche und Bevölkerung.' },
    actor,
  );
  const reason = input.reason ?? `Gemeindeverzeichnis GV100AD, Gebietsstand ${read.gebietsstand}`;
  const notes = [`GV100AD gelesen: Kodierung ${read.encoding}, Gebietsstand ${read.gebietsstand}, ${Object.entries(read.counts).map(([k, v]) => `${v} ${k}`).join(', ')}.`];
  const { state } = await loadScheme(ctx, GEMEINDEVERZEICHNIS_SCHEME_ID);
  const last = currentVersion(state);
  if (last && last.validFrom > read.gebietsstand) {
    throw new AreaRuleViolation('validity-overlap', `Geladen ist schon der Gebietsstand ${last.validFrom}; ${input.fileName} hat den älteren Gebietsstand ${read.gebietsstand}.`);
  }
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const base = { schemeId: GEMEINDEVERZEICHNIS_SCHEME_ID, fileName: input.fileName, format: 'gv100ad', features: read.units.length, notes, schemeCreated, unitsNamed: read.units.length };
  if (last && last.validFrom === read.gebietsstand) {
    // Same Gebietsstand: nothing to change (a corrected re-issue would carry a new date).
    return { ...importResult({ schemeId: base.schemeId, events: [], state, streamVersion: 0 }, base), gebietsstand: read.gebietsstand, counts: read.counts };
  }
  const outcome = await importUnits(ctx, { ...base, units: read.units, sha256, validFrom: read.gebietsstand, reason, mode: 'replace', replaceTypes: ['Land', 'Regierungsbezirk', 'Region', 'Kreis', 'Gemeindeverband', 'Gemeinde'] }, actor);
  const result = importResult(outcome, base);
  result.publishedVersion = await publishIfChanged(ctx, GEMEINDEVERZEICHNIS_SCHEME_ID, { validFrom: read.gebietsstand, reason }, actor);
  return { ...result, gebietsstand: read.gebietsstand, counts: read.counts };
}

// ---- changes ----

export type UnitChangeInput =
  | { kind: 'create'; unit: UnitRecord; validFrom: string; reason: string }
  | { kind: 'rename'; code: string; name: string; validFrom: string; reason: string }
  | { kind: 'split'; code: string; into: UnitRecord[]; weights?: CrosswalkWeight[] | null; validFrom: string; reason: string }
  | { kind: 'merge'; codes: string[]; into: UnitRecord; validFrom: string; reason: string }
  | { kind: 'retire'; code: string; validFrom: string; reason: string }
  | { kind: 'boundary'; code: string; geometry: AreaGeometry | null; validFrom: string; reason: string };

export async function applyUnitChange(ctx: AreasContext, schemeId: string, change: UnitChangeInput, actor: Actor): Promise<CommandOutcome> {
  const metadata = { now: nowOf(ctx) };
  return execute(ctx, schemeId, actor, (): AreaSchemeCommand => {
    switch (change.kind) {
      case 'create':
        return { type: 'CreateUnit', data: { unit: change.unit, validFrom: change.validFrom, reason: change.reason }, metadata };
      case 'rename':
        return { type: 'RenameUnit', data: { code: change.code, name: change.name, validFrom: change.validFrom, reason: change.reason }, metadata };
      case 'split':
        return { type: 'SplitUnit', data: { code: change.code, into: change.into, weights: change.weights ?? null, validFrom: change.validFrom, reason: change.reason }, metadata };
      case 'merge':
        return { type: 'MergeUnits', data: { codes: change.codes, into: change.into, validFrom: change.validFrom, reason: change.reason }, metadata };
      case 'retire':
        return { type: 'RetireUnit', data: { code: change.code, validFrom: change.validFrom, reason: change.reason }, metadata };
      case 'boundary':
        return { type: 'ChangeBoundary', data: { code: change.code, geometry: change.geometry, validFrom: change.validFrom, reason: change.reason }, metadata };
      default: {
        const _exhaustive: never = change;
        return _exhaustive;
      }
    }
  });
}

export async function assignDesignation(
  ctx: AreasContext,
  schemeId: string,
  input: { unitCode: string; designation: { code: string; name: string }; validFrom: string; validTo: string | null; reason: string },
  actor: Actor,
): Promise<CommandOutcome> {
  return execute(ctx, schemeId, actor, () => ({ type: 'AssignDesignation', data: input, metadata: { now: nowOf(ctx) } }));
}

export async function attachNameMapping(ctx: AreasContext, schemeId: string, input: { source: string; groups: NameGroup[] }, actor: Actor): Promise<CommandOutcome> {
  return execute(ctx, schemeId, actor, () => ({ type: 'AttachNameMapping', data: input, metadata: { now: nowOf(ctx) } }));
}

export async function defineCrosswalk(ctx: AreasContext, schemeId: string, input: { weights: CrosswalkWeight[]; seriesBreaks: SeriesBreak[]; method: string }, actor: Actor): Promise<CommandOutcome> {
  return execute(ctx, schemeId, actor, () => ({ type: 'DefineCrosswalk', data: input, metadata: { now: nowOf(ctx) } }));
}

export interface DeriveCrosswalkInput {
  matchTable: Record<string, unknown>;
  corrections?: Array<{ key: string; replace: Record<string, string>; reason: string }>;
  fromPopulation: ReadonlyMap<string, number>;
  toPopulation: ReadonlyMap<string, number>;
  tolerance?: number;
  populationSource?: string;
}

/**
 * Derives the crosswalk from the current version to the draft from a match table and both
 * populations (crosswalk.ts has the method) and records it on the draft.
 */
export async function deriveCrosswalk(ctx: AreasContext, schemeId: string, input: DeriveCrosswalkInput, actor: Actor): Promise<{ derivation: CrosswalkDerivation; notes: string[] }> {
  const { state } = await loadScheme(ctx, schemeId);
  const previous = currentVersion(state);
  if (!state.exists) throw new AreaRuleViolation('unknown-scheme', `Die Gebietsgliederung "${schemeId}" gibt es nicht.`);
  if (!previous) throw new AreaRuleViolation('crosswalk-invalid', 'Eine Umschlüsselung braucht eine veröffentlichte Version, von der sie ausgeht.');
  const draftDay = state.pendingChanges.map((c) => c.validFrom).sort().pop();
  if (!draftDay) throw new AreaRuleViolation('crosswalk-invalid', `Der Entwurf von "${schemeId}" enthält keine Änderungen; eine Umschlüsselung gehört zu einer neuen Version.`);
  // Only the units that carry series (the types of the changed units) are crosswalked.
  const changedTypes = new Set(state.pendingChanges.flatMap((c) => c.codes.map((code) => state.units.get(code)?.unitType)).filter((t): t is string => t !== undefined));
  const fromCodes = new Set(previous.units.filter((u) => changedTypes.has(u.unitType)).map((u) => u.code));
  const toCodes = new Set(unitsValidOn(state, draftDay).filter((u) => changedTypes.has(u.unitType)).map((u) => u.code));
  const { pairs, notes } = pairsFromMatchTable(input.matchTable, fromCodes, toCodes, input.corrections);
  const derivation = deriveCrosswalkFromMatches({ fromCodes, toCodes, pairs, fromPopulation: input.fromPopulation, toPopulation: input.toPopulation, tolerance: input.tolerance, populationSource: input.populationSource });
  const method = notes.length > 0 ? `${derivation.method} Korrekturen der Zuordnungstabelle: ${notes.join(' ')}` : derivation.method;
  await defineCrosswalk(ctx, schemeId, { weights: derivation.weights, seriesBreaks: derivation.seriesBreaks, method }, actor);
  return { derivation: { ...derivation, method }, notes };
}

export async function publishVersion(ctx: AreasContext, schemeId: string, input: { validFrom: string; reason: string }, actor: Actor): Promise<CommandOutcome & { version: number }> {
  const outcome = await execute(ctx, schemeId, actor, () => ({ type: 'PublishVersion', data: input, metadata: { now: nowOf(ctx) } }));
  return { ...outcome, version: currentVersion(outcome.state)?.version ?? 0 };
}

// ---- projections catch-up ----

interface CheckpointDocument {
  position: number;
}

/**
 * Brings the read models up to the event store: a crash between append and projection, or
 * events appended by another process (the CLI beside a running host), leave a scheme document
 * behind its stream. Follows the store from a checkpoint; re-projects the schemes whose stream
 * moved past their document.
 */
export async function catchUpAreaProjections(ctx: AreasContext): Promise<number> {
  const checkpoint = (await ctx.documents.get<CheckpointDocument>(COLLECTIONS.projection, 'checkpoint'))?.position ?? 0;
  let position = checkpoint;
  const latest = new Map<string, number>();
  for (;;) {
    const page = await ctx.eventStore.readAll({ after: position, maxCount: 500 });
    if (page.length === 0) break;
    for (const event of page) {
      if (event.stream.startsWith(STREAM_PREFIX)) latest.set(event.stream.slice(STREAM_PREFIX.length), event.version);
    }
    position = page.at(-1)!.position;
  }
  let projected = 0;
  for (const [schemeId, version] of latest) {
    const doc = await ctx.documents.get<SchemeDocument>(COLLECTIONS.schemes, schemeId);
    if (doc && doc.streamVersion >= version) continue;
    const { state, streamVersion } = await loadScheme(ctx, schemeId);
    await projectScheme(ctx.documents, state, streamVersion);
    projected += 1;
  }
  if (position !== checkpoint) await ctx.documents.put<CheckpointDocument>(COLLECTIONS.projection, 'checkpoint', { position });
  return projected;
}
