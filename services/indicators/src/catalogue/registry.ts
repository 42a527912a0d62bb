/**
 * The catalogue as event-sourced data: every entry (variable, indicator, index) is a stream
 * `catalogue-<scope>-<kind>-<id>` of IndicatorDefinitionPublished events, one per version. The
 * shipped file is seeded at start (a changed file gives a new version, an unchanged one
 * nothing); tenants add or revise entries through the API under their own scope, which
 * overrides the shipped entry of the same id for them only. Values name the version they were
 * computed with, so versions stay distinguishable.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IndicatorDefinitionPublished } from '@lagebild/contracts';
import { isWrongExpectedVersionError, type DocumentStore, type EventStore } from '@lagebild/platform';
import { compileFormula, FormulaError, type CompiledFormula, type FormulaNode, type VariableInfo } from '../formula';
import type { IndexDefinition, IndicatorDefinition, VariableDefinition } from './model';
import { CatalogueFileBody, IndexBody, IndicatorBody, VariableBody } from './schema';

export const CATALOGUE_COLLECTION = 'indicators.catalogue';
/** Scope and envelope tenant of the shipped catalogue (Germany's key, as for shared reference data). */
export const SHARED_SCOPE = '00000';
export const SHIPPED_CATALOGUE_DIR = path.resolve(__dirname, '../../catalogue');

export type EntryKind = 'INDICATOR' | 'INDEX' | 'VARIABLE';
export type Definition = IndicatorDefinition | IndexDefinition | VariableDefinition;

export interface CatalogueVersion<D extends Definition = Definition> {
  kind: EntryKind;
  id: string;
  /** Tenant of an own entry; SHARED_SCOPE for the shipped catalogue. */
  scope: string;
  version: number;
  definition: D;
  savedAt: string;
  savedBy: string;
  reason: string | null;
}

interface EntryDoc {
  kind: EntryKind;
  id: string;
  scope: string;
  versions: CatalogueVersion[];
}

/** A problem of a definition, with a JSON pointer into the body. */
export interface DefinitionProblem {
  pointer: string;
  detail: string;
}

export class DefinitionError extends Error {
  constructor(readonly problems: readonly DefinitionProblem[]) {
    super(problems.map((p) => `${p.pointer}: ${p.detail}`).join('; '));
    this.name = 'DefinitionError';
  }
}

/** Any identifier is a delivered variable code (sources are written over what deliveries name). */
class DeliveredCodes extends Map<string, VariableInfo> {
  override has(): boolean {
    return true;
  }
  override get(): VariableInfo {
    return { unit: '', additive: true };
  }
}
const DELIVERED = new DeliveredCodes();

export function compileSources(def: VariableDefinition): FormulaNode[] {
  return def.sources.map((s) => compileFormula(s, DELIVERED).node);
}

/** What one tenant computes with: the shipped entries, overridden by its own. */
export interface TenantCatalogue {
  tenant: string;
  variables: Map<string, CatalogueVersion<VariableDefinition>>;
  indicators: Map<string, CatalogueVersion<IndicatorDefinition>>;
  indices: Map<string, CatalogueVersion<IndexDefinition>>;
}

export function vocabularyInfo(catalogue: Pick<TenantCatalogue, 'variables'>): Map<string, VariableInfo> {
  return new Map([...catalogue.variables.values()].map((v) => [v.id, { unit: v.definition.unit, additive: v.definition.additive, name: v.definition.name }]));
}

/** Checks an indicator against the vocabulary; the compiled formula when valid. */
export function checkIndicator(def: IndicatorDefinition, vocabulary: ReadonlyMap<string, VariableInfo>): { formula?: CompiledFormula; problems: DefinitionProblem[] } {
  try {
    return { formula: compileFormula(def.formula, vocabulary), problems: [] };
  } catch (error) {
    if (error instanceof FormulaError) return { problems: error.issues.map((i) => ({ pointer: '#/formula', detail: i.message })) };
    throw error;
  }
}

export function checkIndex(def: IndexDefinition, indicators: ReadonlySet<string>): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  def.inputs.forEach((input, i) => {
    if (!indicators.has(input.indicator)) problems.push({ pointer: `#/inputs/${i}/indicator`, detail: `Kennzahl „${input.indicator}“ ist im Katalog nicht definiert` });
  });
  def.classes.forEach((c, i) => {
    const last = i === def.classes.length - 1;
    if (last && c.upTo !== undefined) problems.push({ pointer: `#/classes/${i}/upTo`, detail: 'die letzte Klasse ist nach oben offen und hat keine Grenze upTo' });
    if (!last && c.upTo === undefined) problems.push({ pointer: `#/classes/${i}/upTo`, detail: 'Grenze fehlt (nur die letzte Klasse ist offen)' });
    const prev = def.classes[i - 1]?.upTo;
    if (!last && prev !== undefined && c.upTo !== undefined && c.upTo <= prev) problems.push({ pointer: `#/classes/${i}/upTo`, detail: `Grenzen müssen aufsteigen: ${c.upTo} folgt auf ${prev}` });
  });
  return problems;
}

function checkVariable(def: VariableDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  def.sources.forEach((source, i) => {
    try {
      compileFormula(source, DELIVERED);
    } catch (error) {
      if (!(error instanceof FormulaError)) throw error;
      for (const issue of error.issues) problems.push({ pointer: `#/sources/${i}`, detail: issue.message });
    }
  });
  return problems;
}

function zodProblems(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }, prefix = ''): DefinitionProblem[] {
  return error.issues.map((issue) => ({ pointer: `#${prefix}/${issue.path.map(String).join('/')}`.replace(/\/$/, ''), detail: issue.message }));
}

export function parseDefinition(kind: EntryKind, body: unknown): Definition {
  const schema = kind === 'INDICATOR' ? IndicatorBody : kind === 'INDEX' ? IndexBody : VariableBody;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new DefinitionError(zodProblems(parsed.error));
  return parsed.data as Definition;
}

/** Stream of a catalogue entry: its IndicatorDefinitionPublished events, one per version. */
export const catalogueStream = (scope: string, kind: EntryKind, id: string) => `catalogue-${scope}-${kind.toLowerCase()}-${id}`;
const docKey = (scope: string, kind: EntryKind, id: string) => `${scope}|${kind}|${id}`;
const idOf = (d: Definition) => ('code' in d ? d.code : d.id);

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

export interface SaveOptions {
  scope: string;
  actor: string;
  now: Date;
  reason?: string | null;
}

export interface CatalogueRegistry {
  /** Validates and saves a definition; a changed one becomes a new version, an equal one changes nothing. */
  save(kind: EntryKind, body: unknown, options: SaveOptions): Promise<{ version: number; changed: boolean; entry: CatalogueVersion }>;
  get(kind: EntryKind, id: string, scope: string, version?: number): Promise<CatalogueVersion | undefined>;
  versions(kind: EntryKind, id: string, scope: string): Promise<CatalogueVersion[]>;
  forTenant(tenant: string): Promise<TenantCatalogue>;
  seedShipped(directory: string, now: Date): Promise<{ entries: number; changed: string[] }>;
}

export function createCatalogueRegistry(deps: { eventStore: EventStore; documents: DocumentStore }): CatalogueRegistry {
  const { eventStore, documents } = deps;

  async function load(scope: string, kind: EntryKind, id: string): Promise<EntryDoc | undefined> {
    return documents.get<EntryDoc>(CATALOGUE_COLLECTION, docKey(scope, kind, id));
  }

  async function validate(kind: EntryKind, def: Definition, scope: string, pending?: TenantCatalogue): Promise<void> {
    const catalogue = pending ?? (await registry.forTenant(scope));
    let problems: DefinitionProblem[] = [];
    if (kind === 'VARIABLE') problems = checkVariable(def as VariableDefinition);
    else if (kind === 'INDICATOR') problems = checkIndicator(def as IndicatorDefinition, vocabularyInfo(catalogue)).problems;
    else problems = checkIndex(def as IndexDefinition, new Set([...catalogue.indicators.keys()]));
    if (problems.length > 0) throw new DefinitionError(problems);
  }

  async function append(kind: EntryKind, def: Definition, options: SaveOptions, validated: boolean, pending?: TenantCatalogue) {
    const id = idOf(def);
    if (!validated) await validate(kind, def, options.scope, pending);
    const stream = catalogueStream(options.scope, kind, id);
    for (let attempt = 1; ; attempt += 1) {
      const doc = (await load(options.scope, kind, id)) ?? { kind, id, scope: options.scope, versions: [] };
      const latest = doc.versions[doc.versions.length - 1];
      if (latest && stableJson(latest.definition) === stableJson(def)) return { version: latest.version, changed: false, entry: latest };
      const version = (latest?.version ?? 0) + 1;
      const entry: CatalogueVersion = { kind, id, scope: options.scope, version, definition: def, savedAt: options.now.toISOString(), savedBy: options.actor, reason: options.reason ?? null };
      const data: IndicatorDefinitionPublished = {
        indicatorId: id,
        version,
        scope: options.scope === SHARED_SCOPE ? null : options.scope,
        kind,
        name: def.name,
        description: 'description' in def && def.description ? def.description : def.name,
        unit: kind === 'INDEX' ? 'z-Wert' : (def as IndicatorDefinition | VariableDefinition).unit,
        polarity: kind === 'INDICATOR' ? (def as IndicatorDefinition).polarity : '0',
        indicatorType: kind === 'INDICATOR' ? (def as IndicatorDefinition).type : kind === 'INDEX' ? 'Index' : 'Variable',
        formula: kind === 'INDICATOR' ? (def as IndicatorDefinition).formula : kind === 'VARIABLE' ? (def as VariableDefinition).sources.join(' | ') : null,
        definitionJson: JSON.stringify(def),
        reason: options.reason ?? null,
      };
      try {
        await eventStore.appendToStream(
          stream,
          [{ id: randomUUID(), type: 'IndicatorDefinitionPublished', data, metadata: { tenant: options.scope, occurredAt: options.now.toISOString(), actor: options.actor, correlationId: randomUUID() } }],
          { expectedVersion: doc.versions.length === 0 ? 'no_stream' : doc.versions.length },
        );
      } catch (error) {
        if (!isWrongExpectedVersionError(error) || attempt >= 5) throw error;
        continue;
      }
      await documents.put(CATALOGUE_COLLECTION, docKey(options.scope, kind, id), { ...doc, versions: [...doc.versions, entry] });
      return { version, changed: true, entry };
    }
  }

  const registry: CatalogueRegistry = {
    async save(kind, body, options) {
      const def = parseDefinition(kind, body);
      return append(kind, def, options, false);
    },

    async get(kind, id, scope, version) {
      const doc = await load(scope, kind, id);
      if (!doc) return undefined;
      return version === undefined ? doc.versions[doc.versions.length - 1] : doc.versions.find((v) => v.version === version);
    },

    async versions(kind, id, scope) {
      return (await load(scope, kind, id))?.versions ?? [];
    },

    async forTenant(tenant) {
      const result: TenantCatalogue = { tenant, variables: new Map(), indicators: new Map(), indices: new Map() };
      const scopes = tenant === SHARED_SCOPE ? [SHARED_SCOPE] : [SHARED_SCOPE, tenant];
      for (const scope of scopes) {
        for (const { doc } of await documents.scan<EntryDoc>(CATALOGUE_COLLECTION, { prefix: `${scope}|` })) {
          const latest = doc.versions[doc.versions.length - 1];
          if (!latest) continue;
          if (doc.kind === 'VARIABLE') result.variables.set(doc.id, latest as CatalogueVersion<VariableDefinition>);
          else if (doc.kind === 'INDICATOR') result.indicators.set(doc.id, latest as CatalogueVersion<IndicatorDefinition>);
          else result.indices.set(doc.id, latest as CatalogueVersion<IndexDefinition>);
        }
      }
      return result;
    },

    async seedShipped(directory, now) {
      const files: Array<{ scope: string; file: string }> = [{ scope: SHARED_SCOPE, file: path.join(directory, 'katalog.json') }];
      try {
        for (const name of (await readdir(path.join(directory, 'tenants'))).filter((n) => /^\d{5}(\d{3})?\.json$/.test(n)).sort()) {
          files.push({ scope: name.replace(/\.json$/, ''), file: path.join(directory, 'tenants', name) });
        }
      } catch {
        // no tenant extensions shipped
      }
      const changed: string[] = [];
      let entries = 0;
      for (const { scope, file } of files) {
        const parsed = CatalogueFileBody.safeParse(JSON.parse(await readFile(file, 'utf8')));
        if (!parsed.success) throw new DefinitionError(zodProblems(parsed.error).map((p) => ({ ...p, pointer: `${path.basename(file)} ${p.pointer}` })));
        const body = parsed.data;
        // Validate the file as a whole first (its variables, then indicators, then indices), so a
        // shipped file never lands half.
        const pending = await registry.forTenant(scope);
        const at = (kind: EntryKind, d: Definition) => ({ kind, id: idOf(d), scope, version: 0, definition: d, savedAt: '', savedBy: '', reason: null });
        for (const v of body.variables) pending.variables.set(v.code, at('VARIABLE', v) as CatalogueVersion<VariableDefinition>);
        for (const i of body.indicators) pending.indicators.set(i.id, at('INDICATOR', i as IndicatorDefinition) as CatalogueVersion<IndicatorDefinition>);
        const problems: DefinitionProblem[] = [];
        body.variables.forEach((v, i) => problems.push(...checkVariable(v).map((p) => ({ ...p, pointer: `${path.basename(file)} #/variables/${i}${p.pointer.slice(1)}` }))));
        const info = vocabularyInfo(pending);
        body.indicators.forEach((d, i) => problems.push(...checkIndicator(d as IndicatorDefinition, info).problems.map((p) => ({ ...p, pointer: `${path.basename(file)} #/indicators/${i} (${d.id})${p.pointer.slice(1)}` }))));
        const known = new Set(pending.indicators.keys());
        body.indices.forEach((d, i) => problems.push(...checkIndex(d as IndexDefinition, known).map((p) => ({ ...p, pointer: `${path.basename(file)} #/indices/${i} (${d.id})${p.pointer.slice(1)}` }))));
        if (problems.length > 0) throw new DefinitionError(problems);
        const options = { scope, actor: 'system:katalog', now, reason: 'Katalog der Produktversion' };
        const all: Array<[EntryKind, Definition]> = [
          ...body.variables.map((d) => ['VARIABLE', d] as [EntryKind, Definition]),
          ...body.indicators.map((d) => ['INDICATOR', d as IndicatorDefinition] as [EntryKind, Definition]),
          ...body.indices.map((d) => ['INDEX', d as IndexDefinition] as [EntryKind, Definition]),
        ];
        for (const [kind, def] of all) {
          entries += 1;
          const result = await append(kind, def, options, true);
          if (result.changed) changed.push(`${scope}/${kind.toLowerCase()}/${idOf(def)}`);
        }
      }
      return { entries, changed };
    },
  };
  return registry;
}
