/**
 * Deciders of the tenant register (pure: the shell resolves the Gemeindeverzeichnis and the
 * clock and hands them in with the command).
 *
 * Kreistyp (DOMAIN.md 1: "Small Gemeinden deliver their data to the Kreis, which runs the
 * monitoring as a service; larger ones are equal partners"):
 * - BETREUUNG: members below the partner threshold are BETREUT (the Kreis plans for them and sees
 *   their figures raw), the others PARTNER. The default threshold is 20,000 inhabitants: the
 *   line between Kleinstadt and Mittelstadt in the BBSR's Stadt- und Gemeindetypen, roughly
 *   where a Gemeinde has a Sozialverwaltung and planning staff of its own. Kreise draw the line
 *   differently, so it is an option, and explicit lists settle single Gemeinden either way.
 * - PARTNERSCHAFT: every member is an equal partner.
 *
 * An explicit assignment is a decision and is remembered: re-running the configuration with a
 * new threshold or a newer Gemeindeverzeichnis keeps the Gemeinden that deviate from the
 * threshold rule where they were, until they are assigned again or `resetOverrides` is given.
 *
 * Releases (Freigaben): a tenant releases its figures to its Kreis, to the other members of the
 * Kreis, or to the public; raw figures only to the own Kreis (ReleaseGranted's contract).
 */
import { SLUG } from '../profiles/schema';
import { germanDateTime } from './embargo';
import { TenancyRuleViolation } from './errors';
import {
  type KreisMemberEntry,
  type MemberRelation,
  type PlanningModel,
  type ReleaseEvent,
  type ReleaseGrantedData,
  type ReleaseState,
  type TenantConfiguredData,
  type TenantEvent,
  type TenantKind,
  type TenantState,
} from './model';

/** Members with at least this many inhabitants are partners by default under BETREUUNG. */
export const DEFAULT_PARTNER_THRESHOLD = 20_000;

/** "ist ein Kreis", "ist keine kreisfreie Stadt". */
const IS_A: Record<TenantKind, string> = { KREIS: 'ein Kreis', KREISFREIE_STADT: 'eine kreisfreie Stadt', GEMEINDE: 'eine kreisangehörige Gemeinde' };
const IS_NOT_A: Record<TenantKind, string> = { KREIS: 'kein Kreis', KREISFREIE_STADT: 'keine kreisfreie Stadt', GEMEINDE: 'keine kreisangehörige Gemeinde' };

/** What the Gemeindeverzeichnis says about the AGS to be configured (resolved by the shell). */
export type TenantFacts =
  | {
      ags: string;
      name: string;
      kind: 'KREIS';
      members: ReadonlyArray<{ tenant: string; name: string; population: number | null }>;
    }
  | { ags: string; name: string; kind: 'KREISFREIE_STADT' }
  | {
      ags: string;
      name: string;
      kind: 'GEMEINDE';
      /** The Kreis the Gemeinde belongs to; for a Gemeinde of a kreisfreie Stadt, that Stadt. */
      kreis: { ags: string; name: string; kind: 'KREIS' | 'KREISFREIE_STADT' } | null;
    };

export interface TenantOptions {
  /** Refuses when the Gemeindeverzeichnis says otherwise (a check, not a setting). */
  kind?: TenantKind;
  /** Kreistyp; for a Kreis: default the current one, else BETREUUNG. Others: NONE only. */
  planningModel?: PlanningModel;
  /** BETREUUNG only: inhabitants from which a member is a partner. @default 20000 (or the current one) */
  partnerThreshold?: number;
  /** Members that are partners whatever their size. */
  partners?: readonly string[];
  /** Members the Kreis plans for whatever their size (BETREUUNG only). */
  betreut?: readonly string[];
  /** Forget earlier explicit assignments: every member by the threshold rule again. */
  resetOverrides?: boolean;
}

export type TenantCommand = {
  type: 'ConfigureTenant';
  data: { facts: TenantFacts; options: TenantOptions; configuredBy: string };
  metadata: { now: string };
};

export type ReleaseCommand =
  | {
      type: 'GrantRelease';
      data: ReleaseGrantedData;
      /** Where the owner stands (from the register or the Gemeindeverzeichnis). */
      standing: TenantStanding;
    }
  | { type: 'WithdrawRelease'; data: { releaseId: string; withdrawnBy: string }; metadata: { now: string } };

/** What a release's audience depends on: the owner's kind and Kreis, as far as known. */
export interface TenantStanding {
  /** null: neither registered nor in the loaded Gemeindeverzeichnis. */
  kind: TenantKind | null;
  /** The Kreis a Gemeinde belongs to (a Landkreis, never a kreisfreie Stadt). */
  kreis: string | null;
}

/** Kind of a Kreis record of the Gemeindeverzeichnis by its Textkennzeichen (GV100AD 41-45). */
export function kindOfKreisRecord(kennzeichen: string | null, gemeinden: number): 'KREIS' | 'KREISFREIE_STADT' {
  if (kennzeichen === 'Kreisfreie Stadt' || kennzeichen === 'Stadtkreis') return 'KREISFREIE_STADT';
  if (kennzeichen === 'Kreis' || kennzeichen === 'Landkreis' || kennzeichen === 'Regionalverband') return 'KREIS';
  // Without a Textkennzeichen: a Kreis record with a single Gemeinde is a city.
  return gemeinden === 1 ? 'KREISFREIE_STADT' : 'KREIS';
}

/** The relation the threshold rule gives a member; unknown population: the stricter PARTNER. */
export function relationByThreshold(population: number | null, threshold: number | null): MemberRelation {
  if (threshold === null || population === null) return 'PARTNER';
  return population >= threshold ? 'PARTNER' : 'BETREUT';
}

/** Explicit assignments in an entry: members whose relation deviates from the threshold rule. */
export function explicitAssignments(entry: TenantConfiguredData): Map<string, MemberRelation> {
  const out = new Map<string, MemberRelation>();
  if (entry.planningModel !== 'BETREUUNG') return out;
  for (const m of entry.members) {
    // A threshold of null means every member was assigned by hand.
    if (entry.partnerThreshold === null || relationByThreshold(m.population, entry.partnerThreshold) !== m.relation) out.set(m.tenant, m.relation);
  }
  return out;
}

const sameConfiguration = (a: TenantConfiguredData, b: TenantConfiguredData): boolean => {
  const strip = ({ version: _v, configuredBy: _b, configuredAt: _a, ...rest }: TenantConfiguredData) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
};

function kreisMembers(
  facts: Extract<TenantFacts, { kind: 'KREIS' }>,
  options: TenantOptions,
  previous: TenantState,
): { planningModel: PlanningModel; partnerThreshold: number | null; members: KreisMemberEntry[] } {
  const problems: string[] = [];
  const previousModel = previous && previous.planningModel !== 'NONE' ? previous.planningModel : undefined;
  const planningModel = options.planningModel ?? previousModel ?? 'BETREUUNG';
  if (planningModel === 'NONE') problems.push(`Ein Kreis braucht einen Kreistyp (betreuung oder partnerschaft).`);
  let partnerThreshold: number | null = null;
  if (planningModel === 'BETREUUNG') {
    const fromPrevious = previous?.planningModel === 'BETREUUNG' ? previous.partnerThreshold : null;
    partnerThreshold = options.partnerThreshold ?? fromPrevious ?? DEFAULT_PARTNER_THRESHOLD;
    if (!Number.isSafeInteger(partnerThreshold) || partnerThreshold < 0) problems.push(`Die Partnergrenze muss eine ganze Zahl von Einwohnern ab 0 sein, nicht ${String(options.partnerThreshold)}.`);
  } else if (options.partnerThreshold !== undefined) {
    problems.push('Eine Partnergrenze (Einwohner) gibt es nur beim Kreistyp betreuung; bei partnerschaft sind alle Gemeinden Partner.');
  }
  const memberNames = new Map(facts.members.map((m) => [m.tenant, m.name]));
  const partners = [...new Set(options.partners ?? [])];
  const betreut = [...new Set(options.betreut ?? [])];
  const foreign = [...partners, ...betreut].filter((ags) => !memberNames.has(ags));
  if (foreign.length > 0) problems.push(`Keine Gemeinden des Kreises ${facts.ags} (${facts.name}): ${[...new Set(foreign)].join(', ')}.`);
  const both = partners.filter((ags) => betreut.includes(ags));
  if (both.length > 0) problems.push(`Sowohl als Partner als auch als betreut genannt: ${both.join(', ')}.`);
  if (planningModel === 'PARTNERSCHAFT' && betreut.length > 0) problems.push('Beim Kreistyp partnerschaft sind alle Gemeinden Partner; für betreute Gemeinden den Kreistyp betreuung wählen.');
  if (problems.length > 0) throw new TenancyRuleViolation('invalid-configuration', `Der Kreis ${facts.ags} (${facts.name}) lässt sich so nicht einrichten:`, problems);

  const assigned = planningModel === 'BETREUUNG' && previous && !options.resetOverrides ? explicitAssignments(previous) : new Map<string, MemberRelation>();
  for (const ags of partners) assigned.set(ags, 'PARTNER');
  for (const ags of betreut) assigned.set(ags, 'BETREUT');
  const members = [...facts.members]
    .sort((a, b) => a.tenant.localeCompare(b.tenant))
    .map((m) => ({
      tenant: m.tenant,
      name: m.name,
      population: m.population,
      relation: planningModel === 'PARTNERSCHAFT' ? ('PARTNER' as const) : (assigned.get(m.tenant) ?? relationByThreshold(m.population, partnerThreshold)),
    }));
  return { planningModel, partnerThreshold, members };
}

/** Adds or changes a tenant; no event when nothing changed. */
export function decideTenant(command: TenantCommand, state: TenantState): TenantEvent[] {
  switch (command.type) {
    case 'ConfigureTenant': {
      const { facts, options, configuredBy } = command.data;
      if (options.kind !== undefined && options.kind !== facts.kind) {
        throw new TenancyRuleViolation('wrong-kind', `${facts.ags} (${facts.name}) ist laut Gemeindeverzeichnis ${IS_A[facts.kind]}, ${IS_NOT_A[options.kind]}.`);
      }
      let kreis: string | null = null;
      let shape: { planningModel: PlanningModel; partnerThreshold: number | null; members: KreisMemberEntry[] } = { planningModel: 'NONE', partnerThreshold: null, members: [] };
      if (facts.kind === 'KREIS') {
        shape = kreisMembers(facts, options, state);
      } else {
        if (facts.kind === 'GEMEINDE' && facts.kreis?.kind === 'KREISFREIE_STADT') {
          throw new TenancyRuleViolation(
            'wrong-kind',
            `${facts.ags} (${facts.name}) ist die Gemeinde der kreisfreien Stadt ${facts.kreis.name}; Mandant ist die Stadt mit dem fünfstelligen Schlüssel ${facts.kreis.ags}.`,
          );
        }
        const extra = [
          ...(options.planningModel !== undefined && options.planningModel !== 'NONE' ? ['Kreistyp'] : []),
          ...(options.partnerThreshold !== undefined ? ['Partnergrenze'] : []),
          ...((options.partners?.length ?? 0) + (options.betreut?.length ?? 0) > 0 ? ['Partner- oder betreute Gemeinden'] : []),
        ];
        if (extra.length > 0) {
          throw new TenancyRuleViolation('invalid-configuration', `${extra.join(', ')} gibt es nur für einen Kreis; ${facts.ags} (${facts.name}) ist ${IS_A[facts.kind]}.`);
        }
        if (facts.kind === 'GEMEINDE') kreis = facts.kreis?.ags ?? null;
      }
      const next: TenantConfiguredData = {
        tenant: facts.ags,
        version: (state?.version ?? 0) + 1,
        name: facts.name,
        kind: facts.kind,
        kreis,
        ...shape,
        configuredBy,
        configuredAt: command.metadata.now,
      };
      if (state && sameConfiguration(state, next)) return [];
      return [{ type: 'TenantConfigured', data: next }];
    }
    default: {
      const _exhaustive: never = command.type;
      return _exhaustive;
    }
  }
}

/** Area levels are unit types of a Gebietsgliederung: words like Gemeinde, Sozialraum, LOR-Planungsraum. */
const UNIT_TYPE = /^[\p{L}\p{N}][\p{L}\p{N} ._()/-]{0,63}$/u;
const NOTE_MAX = 1000;

/** Every rule a release breaks (empty: it may be granted). */
export function releaseProblems(data: ReleaseGrantedData, standing: TenantStanding): string[] {
  const problems: string[] = [];
  if (data.datasetId !== null && !SLUG.test(data.datasetId)) problems.push(`Datensatz "${data.datasetId}": erwartet eine Kennung aus Kleinbuchstaben, Ziffern, „-“, „_“ und „.“.`);
  if (data.indicatorId !== null && !SLUG.test(data.indicatorId)) problems.push(`Kennzahl "${data.indicatorId}": erwartet eine Kennung aus Kleinbuchstaben, Ziffern, „-“, „_“ und „.“.`);
  if (data.unitType !== null && !UNIT_TYPE.test(data.unitType)) problems.push(`Ebene "${data.unitType}": erwartet einen Gebietstyp wie Gemeinde, Stadtteil oder Sozialraum (höchstens 64 Zeichen).`);
  if (data.note !== null && data.note.length > NOTE_MAX) problems.push(`Die Notiz ist ${data.note.length} Zeichen lang; höchstens ${NOTE_MAX}.`);
  if (data.form === 'RAW' && data.audience !== 'KREIS') {
    problems.push('Rohwerte gibt es nur für den eigenen Kreis (Publikum kreis); andere Gemeinden und die Öffentlichkeit sehen nur geschützte Werte.');
  }
  const where = standing.kind === null ? `${data.tenant} ist weder im Mandantenregister noch im geladenen Gemeindeverzeichnis` : `${data.tenant} ist ${IS_A[standing.kind]}`;
  if (data.audience === 'KREIS' && !(standing.kind === 'GEMEINDE' && standing.kreis !== null)) {
    problems.push(`Das Publikum kreis gibt es nur für Gemeinden eines Kreises; ${where}${standing.kind === 'GEMEINDE' ? ' ohne bekannten Kreis' : ''}.`);
  }
  if (data.audience === 'MEMBERS' && !(standing.kind === 'KREIS' || (standing.kind === 'GEMEINDE' && standing.kreis !== null))) {
    problems.push(`Das Publikum gemeinden (die Gemeinden desselben Kreises) gibt es nur für einen Kreis und seine Gemeinden; ${where}${standing.kind === 'GEMEINDE' ? ' ohne bekannten Kreis' : ''}.`);
  }
  return problems;
}

export function decideRelease(command: ReleaseCommand, state: ReleaseState): ReleaseEvent[] {
  switch (command.type) {
    case 'GrantRelease': {
      const { data } = command;
      if (state.releases.has(data.releaseId)) throw new TenancyRuleViolation('release-exists', `Die Freigabe ${data.releaseId} gibt es schon.`);
      const problems = releaseProblems(data, command.standing);
      if (problems.length > 0) throw new TenancyRuleViolation('invalid-release', `Die Freigabe für ${data.tenant} ist so nicht möglich:`, problems);
      return [{ type: 'ReleaseGranted', data }];
    }
    case 'WithdrawRelease': {
      const known = state.releases.get(command.data.releaseId);
      if (!known) throw new TenancyRuleViolation('unknown-release', `Die Freigabe ${command.data.releaseId} gibt es für ${state.tenant} nicht.`);
      if (known.withdrawnAt) throw new TenancyRuleViolation('release-withdrawn', `Die Freigabe ${known.releaseId} wurde schon am ${germanDateTime(known.withdrawnAt)} von ${known.withdrawnBy ?? 'unbekannt'} zurückgezogen.`);
      return [{ type: 'ReleaseWithdrawn', data: { releaseId: known.releaseId, tenant: state.tenant, withdrawnBy: command.data.withdrawnBy, withdrawnAt: command.metadata.now } }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
