/**
 * The tenant register's application layer: resolve what the Gemeindeverzeichnis says, load the
 * stream, decide, append with the expected version (retrying when someone else appended in
 * between), update the read model. The events reach the other services through the outbox
 * (they are integration events). Used by the HTTP routes and by the CLI (`lagebild tenant`,
 * `lagebild freigabe`).
 *
 * Nothing here is needed to run: a tenant that is not registered works as before (own figures,
 * a Kreis token's member list); the register adds the Kreistyp and releases.
 */
import { randomUUID } from 'node:crypto';
import { currentTraceparent, type DocumentStore, type EventStore, isWrongExpectedVersionError, type Logger, type NewEvent, withSpan } from '@lagebild/platform';
import type { Actor } from '../areas/application';
import { createGemeindeverzeichnis, GEMEINDEVERZEICHNIS_COLLECTION } from '../areas/gemeindeverzeichnis';
import { decideRelease, decideTenant, kindOfKreisRecord, type ReleaseCommand, type TenantFacts, type TenantOptions, type TenantStanding } from './decide';
import { parseEmbargo } from './embargo';
import { TenancyRuleViolation } from './errors';
import {
  evolveRelease,
  evolveTenant,
  initialReleaseState,
  type ReleaseAudience,
  type ReleaseEvent,
  type ReleaseForm,
  type ReleaseRecord,
  type ReleaseState,
  releaseStream,
  type TenancyEvent,
  type TenantConfiguredData,
  type TenantEvent,
  type TenantState,
  tenantStream,
} from './model';
import { applyTenancyEvents, createTenantRegister } from './projections';

export interface TenancyContext {
  eventStore: EventStore;
  documents: DocumentStore;
  logger?: Logger;
  /** The clock of the shell (the domain gets time with the command). @default system clock */
  now?: () => Date;
}

const MAX_ATTEMPTS = 5;
const AGS = /^(\d{5}|\d{8})$/;

/** How to load the Gemeindeverzeichnis, named in every refusal that needs it. */
export const LOAD_GV_HINT = 'Zuerst das Gemeindeverzeichnis laden: lagebild areas load-gv100ad GV100AD_TTMMJJ.txt (oder POST /api/ingestion/gemeindeverzeichnis).';

function nowOf(ctx: TenancyContext): string {
  return (ctx.now?.() ?? new Date()).toISOString();
}

/** Decide on the stream's state and append; retries on a concurrent append. */
async function execute<S, E extends TenancyEvent>(
  ctx: TenancyContext,
  stream: string,
  tenant: string,
  actor: Actor,
  fold: (events: E[]) => S,
  decide: (state: S) => E[],
): Promise<{ events: E[]; before: S; state: S; streamVersion: number }> {
  return withSpan('tenancy.command', { 'lagebild.stream': stream }, async () => {
    for (let attempt = 1; ; attempt += 1) {
      const stored = await ctx.eventStore.readStream(stream);
      const state = fold(stored.map((e) => ({ type: e.type, data: e.data }) as E));
      const streamVersion = stored.at(-1)?.version ?? 0;
      const events = decide(state);
      if (events.length === 0) return { events, before: state, state, streamVersion };
      const metadata = { tenant, occurredAt: nowOf(ctx), actor: actor.subject, correlationId: actor.correlationId ?? randomUUID(), causationId: null, traceparent: currentTraceparent() };
      const newEvents: NewEvent[] = events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata }));
      try {
        const result = await ctx.eventStore.appendToStream(stream, newEvents, { expectedVersion: streamVersion === 0 ? 'no_stream' : streamVersion });
        await applyTenancyEvents(ctx.documents, events);
        const after = fold([...stored.map((e) => ({ type: e.type, data: e.data }) as E), ...events]);
        return { events, before: state, state: after, streamVersion: result.nextExpectedVersion };
      } catch (error) {
        if (isWrongExpectedVersionError(error) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  });
}

const foldTenant = (events: TenantEvent[]): TenantState => events.reduce<TenantState>(evolveTenant, null);
const foldReleases = (tenant: string) => (events: ReleaseEvent[]): ReleaseState => events.reduce(evolveRelease, initialReleaseState(tenant));

async function gemeindeverzeichnisLoaded(documents: DocumentStore): Promise<boolean> {
  return (await documents.scan(GEMEINDEVERZEICHNIS_COLLECTION, { limit: 1 })).length > 0;
}

/** What the loaded Gemeindeverzeichnis says about an AGS, as a tenant. */
export async function tenantFacts(documents: DocumentStore, ags: string): Promise<TenantFacts> {
  if (!AGS.test(ags)) throw new TenancyRuleViolation('unknown-area', `"${ags}" ist kein Amtlicher Gemeindeschlüssel: ein Kreis oder eine kreisfreie Stadt hat 5 Ziffern, eine Gemeinde 8.`);
  if (!(await gemeindeverzeichnisLoaded(documents))) {
    throw new TenancyRuleViolation('gemeindeverzeichnis-missing', `Das Gemeindeverzeichnis ist nicht geladen; Mandanten werden daraus angelegt (Name, Art, Mitgliedsgemeinden mit Einwohnern). ${LOAD_GV_HINT}`);
  }
  const gv = createGemeindeverzeichnis(documents);
  if (ags.length === 5) {
    const found = await gv.findKreis(ags);
    if (!found) throw new TenancyRuleViolation('unknown-area', `Einen Kreis oder eine kreisfreie Stadt mit dem Schlüssel ${ags} gibt es im geladenen Gemeindeverzeichnis nicht. Ist es der aktuelle Gebietsstand? ${LOAD_GV_HINT}`);
    const kind = kindOfKreisRecord(found.kreis.kennzeichen, found.gemeinden.length);
    if (kind === 'KREISFREIE_STADT') return { ags, name: found.kreis.name, kind };
    return { ags, name: found.kreis.name, kind, members: found.gemeinden.map((g) => ({ tenant: g.key, name: g.name, population: g.einwohner })) };
  }
  const gemeinde = await gv.findGemeinde(ags);
  if (!gemeinde) throw new TenancyRuleViolation('unknown-area', `Eine Gemeinde mit dem Schlüssel ${ags} gibt es im geladenen Gemeindeverzeichnis nicht. Ist es der aktuelle Gebietsstand? ${LOAD_GV_HINT}`);
  const kreis = gemeinde.kreisKey ? await gv.find(gemeinde.kreisKey) : undefined;
  return {
    ags,
    name: gemeinde.name,
    kind: 'GEMEINDE',
    kreis: kreis ? { ags: kreis.key, name: kreis.name, kind: kindOfKreisRecord(kreis.kennzeichen, kreis.gemeinden) } : null,
  };
}

/**
 * Where a tenant stands for releases and access: its kind and Kreis by the register, else by the
 * Gemeindeverzeichnis, else unknown.
 */
export async function tenantStanding(documents: DocumentStore, ags: string): Promise<TenantStanding> {
  const register = createTenantRegister(documents);
  const entry = await register.tenant(ags);
  if (entry) return { kind: entry.kind, kreis: entry.kind === 'GEMEINDE' ? (entry.kreis ?? (await register.kreisOf(ags)) ?? null) : null };
  const listedBy = await register.kreisOf(ags);
  if (listedBy) return { kind: 'GEMEINDE', kreis: listedBy };
  try {
    const facts = await tenantFacts(documents, ags);
    if (facts.kind === 'GEMEINDE') return { kind: 'GEMEINDE', kreis: facts.kreis?.kind === 'KREIS' ? facts.kreis.ags : null };
    return { kind: facts.kind, kreis: null };
  } catch (error) {
    if (error instanceof TenancyRuleViolation) return { kind: null, kreis: null };
    throw error;
  }
}

export interface ConfigureTenantInput extends TenantOptions {
  /** AGS of the Kreis, kreisfreien Stadt or Gemeinde. */
  tenant: string;
  actor: Actor;
}

export interface ConfigureTenantOutcome {
  entry: TenantConfiguredData;
  /** The entry before, when there was one. */
  previous: TenantConfiguredData | null;
  /** false: the entry already was like this, nothing appended. */
  changed: boolean;
}

/** Adds a tenant to the register or updates it (version + 1, only when something changed). */
export async function configureTenant(ctx: TenancyContext, input: ConfigureTenantInput): Promise<ConfigureTenantOutcome> {
  const facts = await tenantFacts(ctx.documents, input.tenant);
  const { actor, tenant: _tenant, ...options } = input;
  const outcome = await execute(ctx, tenantStream(facts.ags), facts.ags, actor, foldTenant, (state) =>
    decideTenant({ type: 'ConfigureTenant', data: { facts, options, configuredBy: actor.subject }, metadata: { now: nowOf(ctx) } }, state),
  );
  const entry = outcome.state!;
  if (outcome.events.length > 0) {
    ctx.logger?.info({ tenant: entry.tenant, version: entry.version, kind: entry.kind, planningModel: entry.planningModel, members: entry.members.length }, 'Mandant im Mandantenregister eingetragen');
  } else {
    // Nothing to append; a read model left behind by a crash after an append is repaired here.
    await applyTenancyEvents(ctx.documents, [{ type: 'TenantConfigured', data: entry }]);
  }
  return { entry, previous: outcome.before, changed: outcome.events.length > 0 };
}

export interface GrantReleaseInput {
  /** Owner of the figures (AGS). */
  tenant: string;
  audience: ReleaseAudience;
  /** @default 'PROTECTED' */
  form?: ReleaseForm;
  datasetId?: string | null;
  indicatorId?: string | null;
  unitType?: string | null;
  /** Sperrfrist: a day (from 0:00 German time) or a date-time; see embargo.ts. */
  embargoUntil?: string | null;
  note?: string | null;
  actor: Actor;
  /** For idempotent retries; a fresh UUID otherwise. */
  releaseId?: string;
}

/** Grants a release (Freigabe) of the owner's figures. */
export async function grantRelease(ctx: TenancyContext, input: GrantReleaseInput): Promise<ReleaseRecord> {
  if (!AGS.test(input.tenant)) throw new TenancyRuleViolation('invalid-release', `"${input.tenant}" ist kein Amtlicher Gemeindeschlüssel (5 oder 8 Ziffern).`);
  let embargoUntil: string | null = null;
  const early: string[] = [];
  if (input.embargoUntil !== undefined && input.embargoUntil !== null && input.embargoUntil.trim() !== '') {
    try {
      embargoUntil = parseEmbargo(input.embargoUntil);
    } catch (error) {
      early.push((error as Error).message);
    }
  }
  const standing = await tenantStanding(ctx.documents, input.tenant);
  const blank = (v: string | null | undefined) => (v === undefined || v === null || v.trim() === '' ? null : v.trim());
  const command: Extract<ReleaseCommand, { type: 'GrantRelease' }> = {
    type: 'GrantRelease',
    data: {
      releaseId: input.releaseId ?? randomUUID(),
      tenant: input.tenant,
      datasetId: blank(input.datasetId),
      indicatorId: blank(input.indicatorId),
      unitType: blank(input.unitType),
      audience: input.audience,
      form: input.form ?? 'PROTECTED',
      embargoUntil,
      note: blank(input.note),
      grantedBy: input.actor.subject,
      grantedAt: nowOf(ctx),
    },
    standing,
  };
  if (early.length > 0) {
    // Report the Sperrfrist together with every other problem of the release.
    const rest = (() => {
      try {
        decideRelease(command, initialReleaseState(input.tenant));
        return [];
      } catch (error) {
        return error instanceof TenancyRuleViolation ? [...error.errors] : [];
      }
    })();
    throw new TenancyRuleViolation('invalid-release', `Die Freigabe für ${input.tenant} ist so nicht möglich:`, [...early, ...rest]);
  }
  const outcome = await execute(ctx, releaseStream(input.tenant), input.tenant, input.actor, foldReleases(input.tenant), (state) => decideRelease(command, state));
  const release = outcome.state.releases.get(command.data.releaseId)!;
  ctx.logger?.info({ tenant: release.tenant, releaseId: release.releaseId, audience: release.audience, form: release.form }, 'Freigabe erteilt');
  return release;
}

/** Withdraws a release; its audience no longer sees the figures it covered. */
export async function withdrawRelease(ctx: TenancyContext, input: { releaseId: string; actor: Actor }): Promise<ReleaseRecord> {
  const known = await createTenantRegister(ctx.documents).release(input.releaseId);
  if (!known) throw new TenancyRuleViolation('unknown-release', `Eine Freigabe ${input.releaseId} gibt es nicht; lagebild freigabe list --mandant AGS zeigt die Freigaben eines Mandanten.`);
  const outcome = await execute(ctx, releaseStream(known.tenant), known.tenant, input.actor, foldReleases(known.tenant), (state) =>
    decideRelease({ type: 'WithdrawRelease', data: { releaseId: input.releaseId, withdrawnBy: input.actor.subject }, metadata: { now: nowOf(ctx) } }, state),
  );
  const release = outcome.state.releases.get(input.releaseId)!;
  ctx.logger?.info({ tenant: release.tenant, releaseId: release.releaseId }, 'Freigabe zurückgezogen');
  return release;
}
