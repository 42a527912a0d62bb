/**
 * Application layer of the two small catalogs, delivery profiles and data set definitions:
 * load the stream, decide, append with the expected version, retry on a conflict. Reads by id
 * (and version) fold the stream directly (a few events); lists come from the read models the
 * projector keeps (projections.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { isWrongExpectedVersionError, type DocumentStore, type EventStore, type NewEvent } from '@lagebild/platform';
import { decideDataset } from '../datasets/decide';
import { datasetStream, evolveDataset, initialDatasetState, type DatasetEvent, type DatasetState } from '../datasets/model';
import { DatasetBody, type Dataset } from '../datasets/schema';
import { decideProfile } from './decide';
import { evolveProfile, initialProfileState, profileStream, type ProfileEvent, type ProfileState } from './model';
import { DeliveryProfileBody, SLUG, type DeliveryProfile } from './schema';

export const PROFILES_COLLECTION = 'ingestion.profiles';
export const DATASETS_COLLECTION = 'ingestion.datasets';

/** Tenant recorded on catalog events that no tenant owns (shared profiles, shipped definitions). */
export const SYSTEM_TENANT = 'system';

export interface ProfileSummary {
  id: string;
  version: number;
  name: string;
  tenant: string | null;
  dataset: string;
  format: string;
  source: string;
  savedAt: string;
}

export interface DatasetSummary {
  id: string;
  version: number;
  name: string;
  sensitivity: string;
  variables: number;
  savedAt: string;
}

/** A profile refers to things that must exist: its data set and the variables it names. */
export class CatalogReferenceError extends Error {
  constructor(readonly problems: Array<{ pointer: string; detail: string }>) {
    super(problems.map((p) => `${p.pointer}: ${p.detail}`).join('; '));
    this.name = 'CatalogReferenceError';
  }
}

export interface SaveContext {
  actor: string;
  tenant: string;
  now: Date;
}

export interface SaveResult {
  version: number;
  changed: boolean;
}

export interface Catalog {
  saveProfile(profileId: string, body: unknown, context: SaveContext): Promise<SaveResult>;
  getProfile(profileId: string, version?: number): Promise<DeliveryProfile | undefined>;
  listProfiles(): Promise<ProfileSummary[]>;
  saveDataset(datasetId: string, body: unknown, context: SaveContext): Promise<SaveResult>;
  getDataset(datasetId: string, version?: number): Promise<Dataset | undefined>;
  listDatasets(): Promise<DatasetSummary[]>;
  /** Saves the shipped definitions (profiles/datasets/*.json first, then profiles/*.json). */
  seedShipped(directory: string, context: SaveContext): Promise<{ datasets: number; profiles: number; changed: string[] }>;
}

interface Folded<Body> {
  version: number;
  body?: Body;
  savedAt?: string;
  savedBy?: string;
}

/** Folds a catalog stream up to `version` (all versions when undefined), with the time each was recorded. */
async function fold<Body>(eventStore: EventStore, stream: string, version: number | undefined): Promise<Folded<Body>> {
  let state: Folded<Body> = { version: 0 };
  for (const event of await eventStore.readStream(stream)) {
    const data = event.data as { version: number; body: Body; savedBy: string };
    if (version !== undefined && data.version > version) break;
    state = { version: data.version, body: data.body, savedAt: event.recordedAt, savedBy: data.savedBy };
  }
  return state;
}

/** The variables a profile names must exist in its data set. */
export function checkProfileAgainstDataset(profile: DeliveryProfileBody, dataset: { id: string; variables: ReadonlyArray<{ code: string }> }): Array<{ pointer: string; detail: string }> {
  const known = new Set(dataset.variables.map((v) => v.code));
  const problems: Array<{ pointer: string; detail: string }> = [];
  const require = (code: string, pointer: string) => {
    if (!known.has(code)) problems.push({ pointer, detail: `Variable „${code}“ gibt es im Datensatz „${dataset.id}“ nicht` });
  };
  const layout = profile.variables;
  if (layout.layout === 'wide') layout.values.forEach((value, i) => require(value.variable, `#/variables/values/${i}/variable`));
  else {
    if (layout.variable) require(layout.variable, '#/variables/variable');
    for (const [text, code] of Object.entries(layout.variableMap ?? {})) require(code, `#/variables/variableMap/${text}`);
  }
  profile.plausibility.partOfTotal.forEach((rule, i) => {
    require(rule.part, `#/plausibility/partOfTotal/${i}/part`);
    require(rule.total, `#/plausibility/partOfTotal/${i}/total`);
  });
  return problems;
}

export function createCatalog(deps: { eventStore: EventStore; documents: DocumentStore }): Catalog {
  const { eventStore, documents } = deps;

  async function save<State, E extends { type: string; data: unknown }>(
    stream: string,
    fold: (events: readonly E[]) => State,
    decide: (state: State) => E[],
    context: SaveContext,
    tenant: string,
  ): Promise<SaveResult> {
    for (let attempt = 1; ; attempt += 1) {
      const events = await eventStore.readStream(stream);
      const decided = decide(fold(events.map((e) => ({ type: e.type, data: e.data }) as E)));
      if (decided.length === 0) return { version: events.length === 0 ? 0 : (events[events.length - 1]!.data as { version: number }).version, changed: false };
      const correlationId = randomUUID();
      const toAppend: NewEvent[] = decided.map((event) => ({
        id: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { tenant, occurredAt: context.now.toISOString(), actor: context.actor, correlationId },
      }));
      try {
        await eventStore.appendToStream(stream, toAppend, { expectedVersion: events.length === 0 ? 'no_stream' : events[events.length - 1]!.version });
        return { version: (decided[decided.length - 1]!.data as { version: number }).version, changed: true };
      } catch (error) {
        if (!isWrongExpectedVersionError(error) || attempt >= 5) throw error;
      }
    }
  }

  const catalog: Catalog = {
    async saveProfile(profileId, input, context) {
      if (!SLUG.test(profileId)) throw new CatalogReferenceError([{ pointer: '#/id', detail: 'Profil-Id: nur Kleinbuchstaben, Ziffern, „-“, „_“ und „.“' }]);
      const body = DeliveryProfileBody.parse(input);
      const dataset = await catalog.getDataset(body.dataset);
      if (!dataset) throw new CatalogReferenceError([{ pointer: '#/dataset', detail: `Datensatz „${body.dataset}“ ist nicht definiert` }]);
      const problems = checkProfileAgainstDataset(body, dataset);
      if (problems.length > 0) throw new CatalogReferenceError(problems);
      return save<ProfileState, ProfileEvent>(
        profileStream(profileId),
        (events) => events.reduce(evolveProfile, initialProfileState()),
        (state) => decideProfile({ type: 'SaveDeliveryProfile', profileId, body, savedBy: context.actor }, state),
        context,
        body.tenant ?? SYSTEM_TENANT,
      );
    },

    async getProfile(profileId, version) {
      if (!SLUG.test(profileId)) return undefined;
      const state = await fold<DeliveryProfileBody>(eventStore, profileStream(profileId), version);
      if (!state.body || (version !== undefined && state.version !== version)) return undefined;
      return { ...state.body, id: profileId, version: state.version, savedAt: state.savedAt!, savedBy: state.savedBy! };
    },

    async listProfiles() {
      return (await documents.scan<ProfileSummary>(PROFILES_COLLECTION)).map((entry) => entry.doc);
    },

    async saveDataset(datasetId, input, context) {
      if (!SLUG.test(datasetId)) throw new CatalogReferenceError([{ pointer: '#/id', detail: 'Datensatz-Id: nur Kleinbuchstaben, Ziffern, „-“, „_“ und „.“' }]);
      const body = DatasetBody.parse(input);
      return save<DatasetState, DatasetEvent>(
        datasetStream(datasetId),
        (events) => events.reduce(evolveDataset, initialDatasetState()),
        (state) => decideDataset({ type: 'SaveDataset', datasetId, body, savedBy: context.actor }, state),
        context,
        SYSTEM_TENANT,
      );
    },

    async getDataset(datasetId, version) {
      if (!SLUG.test(datasetId)) return undefined;
      const state = await fold<DatasetBody>(eventStore, datasetStream(datasetId), version);
      if (!state.body || (version !== undefined && state.version !== version)) return undefined;
      return { ...state.body, id: datasetId, version: state.version, savedAt: state.savedAt!, savedBy: state.savedBy! };
    },

    async listDatasets() {
      return (await documents.scan<DatasetSummary>(DATASETS_COLLECTION)).map((entry) => entry.doc);
    },

    async seedShipped(directory, context) {
      const changed: string[] = [];
      const readJsonFiles = async (dir: string) => {
        let names: string[];
        try {
          names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
        } catch {
          return [];
        }
        return Promise.all(names.map(async (name) => ({ name, json: JSON.parse(await readFile(join(dir, name), 'utf8')) as { id?: unknown } & Record<string, unknown> })));
      };
      const datasets = await readJsonFiles(join(directory, 'datasets'));
      for (const { name, json } of datasets) {
        const { id, ...body } = json;
        if (typeof id !== 'string') throw new Error(`${name}: "id" fehlt`);
        if ((await catalog.saveDataset(id, body, context)).changed) changed.push(`dataset:${id}`);
      }
      // Profiles lie at the top level or in one folder per source (berlin/, hamburg/, ...);
      // datasets/ holds the data set definitions and areas/ the area import profiles.
      const profiles = await readJsonFiles(directory);
      const folders = (await readdir(directory, { withFileTypes: true }).catch(() => []))
        .filter((entry) => entry.isDirectory() && entry.name !== 'datasets' && entry.name !== 'areas')
        .map((entry) => entry.name)
        .sort();
      for (const folder of folders) profiles.push(...(await readJsonFiles(join(directory, folder))).map((f) => ({ ...f, name: `${folder}/${f.name}` })));
      for (const { name, json } of profiles) {
        const { id, ...body } = json;
        if (typeof id !== 'string') throw new Error(`${name}: "id" fehlt`);
        if ((await catalog.saveProfile(id, body, context)).changed) changed.push(`profile:${id}`);
      }
      return { datasets: datasets.length, profiles: profiles.length, changed };
    },
  };
  return catalog;
}
