/**
 * The demo data set of `lagebild start`: loads the committed demo folder (services/cli/demo, see
 * its README for sources and licences) into a data directory through the services' own
 * application functions, as a Sozialplanerin, a Kreis and a Controller would deliver it:
 *
 * 1. the spatial register: the Gemeindeverzeichnis extract, Berlin's Bezirke and 542
 *    Planungsräume (2021), Flensburg's 13 Stadtteile;
 * 2. deliveries: Berlin population (8 half-years 2021-2024) and MSS 2021, the Flensburg
 *    Sozialatlas, INKAR Arbeitslose and Erwerbsfähige for the Gemeinden of the extract;
 *    Kreis Nordfriesland in the tenant register (Kreistyp Betreuung: it plans for its small
 *    Gemeinden, Husum is an equal partner), Husum delivering its own rows, and the releases of
 *    the Arbeitslosendichte to the Kreis' members;
 * 3. the indicator catalogue made known to the goals service, then the Bamberg and Göttingen
 *    goal systems (services/goals/scenarios);
 * 4. the Münster budget 2007-2016.
 *
 * It only appends events (and keeps the read models of what it wrote up to date); indicator
 * values are computed by the running services from the relayed events. It never opens the
 * warehouse. Every step is idempotent (same content, same ids), so a first start that stopped
 * half-way completes at the next one; a marker document records that the whole demo is in.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createBudgetService } from '@lagebild/budget';
import { createCodec, outboxMapper } from '@lagebild/contracts';
import { createGoals, formatProblem, importGoalSystem } from '@lagebild/goals';
import { catalogueStream, createIndicators, SHIPPED_CATALOGUE_DIR } from '@lagebild/indicators';
import { type Actor, configureTenant, createDeliveries, type DeliveriesModule, grantRelease, SYSTEM_TENANT, TenancyRuleViolation } from '@lagebild/ingestion';
import type { DocumentStore, EventStore, Logger } from '@lagebild/platform';
import { berlinPlanungsraeume2021, flensburgStadtteile, gemeindeverzeichnis, type RegisterOutcome } from './register';

/** The committed demo folder (services/cli/demo; the same from src/demo and dist/demo). */
export const DEMO_DIR = path.resolve(__dirname, '../../demo');
/** The goal systems shipped with the goals service. */
export const SCENARIOS_DIR = path.join(path.dirname(require.resolve('@lagebild/goals/package.json')), 'scenarios');

/** Where the marker lives: one document, written when every step has completed. */
export const DEMO_COLLECTION = 'cli.demo';
export const DEMO_MARKER_KEY = 'marker';
/** Raised when the demo's content changes: a data directory with an older marker loads the rest. */
export const DEMO_VERSION = 1;

const ACTOR: Actor = { subject: 'system:demo' };
const ACTOR_ID = ACTOR.subject;

export interface DemoContext {
  eventStore: EventStore;
  documents: DocumentStore;
  /** The data directory (LAGEBILD_DATA_DIR): deliveries spool under `<dataDir>/ingestion`. */
  dataDir: string;
  logger?: Logger;
}

export interface DemoStep {
  /** Stable id, e.g. `berlin-planungsraeume`. */
  id: string;
  /** 1-based position and count of steps. */
  index: number;
  total: number;
  /** German label, e.g. "Berlin Planungsräume (542)". */
  label: string;
}

export interface DemoOptions {
  /** Called at the start of every step with one German line, e.g. "Demo: Berlin Planungsräume (542) …". */
  onProgress?: (line: string, step: DemoStep) => void;
  /** Run every step even when the marker says the demo is loaded (each step changes only what is missing). */
  force?: boolean;
  /** The demo folder. @default DEMO_DIR */
  demoDir?: string;
  /** The goal systems' folder. @default SCENARIOS_DIR */
  scenariosDir?: string;
}

export interface DemoStepResult {
  id: string;
  label: string;
  /** Whether the step added anything new (false: all of it was there already; a delivery an interrupted start left undecided and this one completed counts as there). */
  changed: boolean;
  /** German one-liner of what the step found or did. */
  detail: string;
  ms: number;
}

export interface DemoSummary {
  /** True when the marker was there and nothing was done. */
  alreadyLoaded: boolean;
  steps: DemoStepResult[];
  ms: number;
}

interface DemoMarker {
  version: number;
  loadedAt: string;
  steps: Array<Pick<DemoStepResult, 'id' | 'changed' | 'detail' | 'ms'>>;
}

/** Whether this data directory holds the (current) demo: the marker of a completed load. */
export async function isDemoLoaded(documents: DocumentStore): Promise<boolean> {
  const marker = await documents.get<DemoMarker>(DEMO_COLLECTION, DEMO_MARKER_KEY);
  return (marker?.version ?? 0) >= DEMO_VERSION;
}

const number = (n: number) => n.toLocaleString('de-DE');
/** "1 Vertrag", "2 Verträge". */
const counted = (n: number, one: string, many: string) => `${number(n)} ${n === 1 ? one : many}`;
const total = (c: { created: number; changed: number; unchanged: number }) => c.created + c.changed + c.unchanged;

/** The Kreise and kreisfreien Städte of the Gemeindeverzeichnis extract: each delivers its INKAR rows. */
const INKAR_TENANTS = ['01001', '01054', '03159', '05515', '09461', '11000'] as const;
const INKAR_FILES = [
  { file: 'inkar_arbeitslose_gemeinden_auszug.csv', profile: 'demo-inkar-arbeitslose-gemeinden' },
  { file: 'inkar_erwerbsfaehige_gemeinden_auszug.csv', profile: 'demo-inkar-erwerbsfaehige-gemeinden' },
] as const;

const BERLIN_HALF_YEARS = ['2021-01', '2021-02', '2022-01', '2022-02', '2023-01', '2023-02', '2024-01', '2024-02'] as const;
const BERLIN_MSS = [
  { file: 'mss_2021_index_indikatoren.csv', profile: 'berlin-mss-2021-indexindikatoren' },
  { file: 'mss_2021_indizes.csv', profile: 'berlin-mss-2021-indizes' },
  { file: 'mss_2021_kontext_indikatoren.csv', profile: 'berlin-mss-2021-kontextindikatoren' },
] as const;

/** The Flensburg Sozialatlas: each file (or workbook sheet) with its shipped profile. */
const WORKBOOK = 'sozialatlas_tabellenanhang.xlsx';
const FLENSBURG_DELIVERIES: ReadonlyArray<{ file: string; profile: string }> = [
  { file: 'tab01_einwohner_stadtteile.csv', profile: 'flensburg-einwohner-stadtteile' },
  { file: 'tab02_geburten.csv', profile: 'flensburg-geburten' },
  { file: 'tab04_06_07_08_altersgruppen_stadtteile.csv', profile: 'flensburg-altersgruppen-stadtteile' },
  { file: 'tab05_altersgruppen_2021_2022.csv', profile: 'flensburg-altersgruppen-detail' },
  { file: 'tab09_migrationshintergrund.csv', profile: 'flensburg-migrationshintergrund' },
  { file: 'stadt_bestand.csv', profile: 'flensburg-stadt-bestand' },
  { file: 'stadt_hilfen.csv', profile: 'flensburg-stadt-hilfen' },
  ...[
    'flensburg-beschaeftigte',
    'flensburg-arbeitslose',
    'flensburg-arbeitslose-merkmale',
    'flensburg-wohngeld',
    'flensburg-wohnungshilfe',
    'flensburg-raeumungsklagen',
    'flensburg-leistungsbezug',
    'flensburg-sgb2',
    'flensburg-sgb2-merkmale',
    'flensburg-nef-sgb2',
    'flensburg-grundsicherung',
  ].map((profile) => ({ file: WORKBOOK, profile })),
];

const GOAL_SYSTEMS = [
  { id: 'ziele-bamberg', file: 'bamberg.yaml', tenant: '09461', label: 'Zielsystem Stadt Bamberg' },
  { id: 'ziele-goettingen', file: 'goettingen.yaml', tenant: '03159', label: 'Zielsystem Landkreis Göttingen' },
] as const;

/** Kreis Nordfriesland as a federation: the Kreis, its partner Husum, and their releases (fixed ids: loading again adds none). */
const NORDFRIESLAND = {
  kreis: '01054',
  husum: '01054056',
  releases: [
    { releaseId: '2f6c1d8e-5a4b-4c3d-9e2f-01054a000001', tenant: '01054', note: 'Kreisvergleich für die Gemeinden des Kreises' },
    { releaseId: '2f6c1d8e-5a4b-4c3d-9e2f-01054a000002', tenant: '01054056', note: 'Husum zeigt den Nachbargemeinden seine Arbeitslosendichte' },
  ],
} as const;

const MUENSTER = { tenant: '05515', profile: 'muenster-ergebnisse', file: 'muenster_ergebnisse_2007_2016.csv' };

/** The demo could not be loaded as shipped: a file was refused, or a goal system has errors. */
export class DemoLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoLoadError';
  }
}

interface DeliveryTally {
  deliveries: number;
  created: number;
  observations: number;
}

function deliveryDetail(t: DeliveryTally): string {
  if (t.created === 0) return `${counted(t.deliveries, 'Lieferung', 'Lieferungen')} schon erfasst`;
  return `${number(t.created)} von ${counted(t.deliveries, 'Lieferung', 'Lieferungen')} angenommen, ${counted(t.observations, 'Beobachtung', 'Beobachtungen')}`;
}

function registerDetail(o: RegisterOutcome, what: string): string {
  if (o.created + o.updated === 0 && o.published.length === 0) return `${what} schon vorhanden`;
  return `${what}: ${number(o.created)} neu, ${number(o.updated)} geändert${o.published.length > 0 ? `, Version ${o.published.join(', ')} veröffentlicht` : ''}`;
}

/** Kreis (Satzart 40) and Gemeinde (60) records of a GV100AD file, for the step's label. */
async function gvCounts(file: string): Promise<{ kreise: number; gemeinden: number }> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  return { kreise: lines.filter((l) => l.startsWith('40')).length, gemeinden: lines.filter((l) => l.startsWith('60')).length };
}

/** Records of a shapefile, from its index, for the step's label. */
async function shapefileRecords(shx: string): Promise<number> {
  // A .shx is a 100-byte header and one 8-byte entry per record.
  return ((await readFile(shx)).length - 100) / 8;
}

/**
 * Loads the demo into the stores of `ctx` (see the file comment). Returns at once when the
 * marker says it is loaded (unless `force`). Throws a DemoLoadError (German) when a shipped
 * file is refused: the demo is broken, nothing to retry.
 */
export async function loadDemo(ctx: DemoContext, options: DemoOptions = {}): Promise<DemoSummary> {
  const started = performance.now();
  if (!options.force && (await isDemoLoaded(ctx.documents))) return { alreadyLoaded: true, steps: [], ms: 0 };
  const demoDir = options.demoDir ?? DEMO_DIR;
  const scenariosDir = options.scenariosDir ?? SCENARIOS_DIR;
  const file = (...parts: string[]) => path.join(demoDir, ...parts);
  const { eventStore, documents } = ctx;
  const logger = ctx.logger?.child({ component: 'demo' });
  const areas = { eventStore, documents, ...(logger ? { logger } : {}) };

  // A module of its own beside the running service's: same stores, no background work, no
  // recovery of others' deliveries (an interrupted demo delivery is resumed by delivering its
  // file again, which `submit` does for an undecided delivery of the same content).
  const deliveries: DeliveriesModule = createDeliveries(
    { eventStore, documents, ...(logger ? { logger } : {}) },
    { workDir: path.join(ctx.dataDir, 'ingestion'), background: false, recover: false },
  );

  async function deliver(tally: DeliveryTally, filePath: string, profileId: string, tenant: string): Promise<void> {
    const stored = await deliveries.service.localFile(filePath);
    const submitted = await deliveries.service.submit({ file: stored, profileId, tenant, actor: ACTOR_ID, access: { owners: [tenant], prefixes: tenant.length === 5 ? [tenant] : [] } });
    await submitted.decided;
    await deliveries.projector.catchUp();
    const view = await deliveries.service.getDelivery(submitted.deliveryId);
    tally.deliveries += 1;
    if (view?.status !== 'angenommen') {
      const report = await deliveries.service.getReport(submitted.deliveryId);
      const errors = (report?.findings ?? []).filter((f) => f.severity === 'error').slice(0, 5).map((f) => f.message);
      throw new DemoLoadError(
        `Demo: die Lieferung ${path.basename(filePath)} (Profil ${profileId}, Mandant ${tenant}) wurde nicht angenommen (Stand: ${view?.status ?? 'unbekannt'}).${errors.length > 0 ? ` Befunde: ${errors.join(' | ')}` : ''}`,
      );
    }
    if (!submitted.duplicate) {
      tally.created += 1;
      tally.observations += view.observationCount ?? 0;
    }
  }

  const berlinPlr = await shapefileRecords(file('berlin/geometry/lor_planungsraeume_2021.shx'));
  const gv = await gvCounts(file('germany/GV100AD_301123_auszug.txt'));
  type Work = () => Promise<{ changed: boolean; detail: string }>;
  const plan: Array<{ id: string; label: string; work: Work }> = [
    {
      id: 'gemeindeverzeichnis',
      label: `Gemeindeverzeichnis (${number(gv.kreise)} Kreise und kreisfreie Städte, ${number(gv.gemeinden)} Gemeinden)`,
      work: async () => {
        const o = await gemeindeverzeichnis(areas, file('germany/GV100AD_301123_auszug.txt'), ACTOR);
        return { changed: o.created + o.updated + o.published.length > 0, detail: registerDetail(o, `Gebietsstand ${o.gebietsstand}, ${number(o.gemeinden)} Gemeinden`) };
      },
    },
    {
      id: 'berlin-planungsraeume',
      label: `Berlin Planungsräume (${number(berlinPlr)})`,
      work: async () => {
        const o = await berlinPlanungsraeume2021(areas, file('berlin/geometry'), ACTOR);
        return { changed: o.created + o.updated + o.published.length > 0, detail: registerDetail(o, 'Bezirke und Planungsräume') };
      },
    },
    {
      id: 'flensburg-stadtteile',
      label: 'Flensburg Stadtteile (13)',
      work: async () => {
        const o = await flensburgStadtteile(areas, file('flensburg/stadtteile.geojson'), ACTOR);
        return { changed: o.created + o.updated + o.published.length > 0, detail: registerDetail(o, 'Stadtteile') };
      },
    },
    {
      id: 'lieferprofile',
      label: 'Lieferprofile',
      work: async () => {
        // The shipped profiles and data sets (as the service seeds them), then the demo's own.
        await deliveries.start();
        const changed: string[] = [];
        for (const { profile } of INKAR_FILES) {
          const { id, ...body } = JSON.parse(await readFile(file('profiles', `${profile}.json`), 'utf8')) as { id: string } & Record<string, unknown>;
          const saved = await deliveries.catalog.saveProfile(id, body, { actor: ACTOR_ID, tenant: SYSTEM_TENANT, now: new Date() });
          if (saved.changed) changed.push(id);
        }
        return { changed: changed.length > 0, detail: changed.length > 0 ? `gespeichert: ${changed.join(', ')}` : 'Demo-Profile schon gespeichert' };
      },
    },
    {
      id: 'berlin-einwohner',
      label: `Berlin Einwohner ${BERLIN_HALF_YEARS[0]!.slice(0, 4)}–${BERLIN_HALF_YEARS[BERLIN_HALF_YEARS.length - 1]!.slice(0, 4)} (${BERLIN_HALF_YEARS.length} Halbjahre)`,
      work: async () => {
        const t: DeliveryTally = { deliveries: 0, created: 0, observations: 0 };
        for (const half of BERLIN_HALF_YEARS) await deliver(t, file('berlin/population', `berlin-lor-population-${half}-t2-planning-areas.csv`), 'berlin-einwohner-lor', '11000');
        return { changed: t.created > 0, detail: deliveryDetail(t) };
      },
    },
    {
      id: 'berlin-mss',
      label: 'Berlin Monitoring Soziale Stadtentwicklung 2021',
      work: async () => {
        const t: DeliveryTally = { deliveries: 0, created: 0, observations: 0 };
        for (const m of BERLIN_MSS) await deliver(t, file('berlin/mss-2021', m.file), m.profile, '11000');
        return { changed: t.created > 0, detail: deliveryDetail(t) };
      },
    },
    {
      id: 'flensburg-sozialatlas',
      label: `Flensburg Sozialatlas (${FLENSBURG_DELIVERIES.length} Tabellen)`,
      work: async () => {
        const t: DeliveryTally = { deliveries: 0, created: 0, observations: 0 };
        for (const d of FLENSBURG_DELIVERIES) await deliver(t, file('flensburg', d.file), d.profile, '01001');
        return { changed: t.created > 0, detail: deliveryDetail(t) };
      },
    },
    {
      id: 'inkar',
      label: `INKAR Arbeitslose und Erwerbsfähige je Gemeinde (Kreis Nordfriesland und ${INKAR_TENANTS.length - 1} weitere Mandanten)`,
      work: async () => {
        const t: DeliveryTally = { deliveries: 0, created: 0, observations: 0 };
        for (const tenant of INKAR_TENANTS) for (const f of INKAR_FILES) await deliver(t, file('germany', f.file), f.profile, tenant);
        return { changed: t.created > 0, detail: deliveryDetail(t) };
      },
    },
    {
      id: 'kreis-nordfriesland',
      label: 'Kreis Nordfriesland im Mandantenregister (Kreistyp Betreuung), Husum liefert selbst, Freigaben',
      work: async () => {
        const tenancy = { eventStore, documents, ...(logger ? { logger } : {}) };
        // The Kreis plans for its small Gemeinden; Husum (about 23,000 inhabitants) is an equal partner.
        const kreis = await configureTenant(tenancy, { tenant: NORDFRIESLAND.kreis, planningModel: 'BETREUUNG', actor: ACTOR });
        const partners = kreis.entry.members.filter((m) => m.relation === 'PARTNER').length;
        // Husum delivers its own rows (the profile takes only the tenant's own Gemeinde from the file).
        const t: DeliveryTally = { deliveries: 0, created: 0, observations: 0 };
        for (const f of INKAR_FILES) await deliver(t, file('germany', f.file), f.profile, NORDFRIESLAND.husum);
        // The Kreis shows its Gemeinden the comparison of the Arbeitslosendichte; Husum shows its own to the other members.
        let granted = 0;
        for (const r of NORDFRIESLAND.releases) {
          try {
            await grantRelease(tenancy, { ...r, audience: 'MEMBERS', unitType: 'Gemeinde', indicatorId: 'arbeitslosendichte', actor: ACTOR });
            granted += 1;
          } catch (error) {
            if (!(error instanceof TenancyRuleViolation && error.code === 'release-exists')) throw error;
          }
        }
        return {
          changed: kreis.changed || t.created > 0 || granted > 0,
          detail: `${number(kreis.entry.members.length)} Gemeinden, davon ${number(partners)} Partner; ${deliveryDetail(t)}; ${number(granted)} Freigaben neu`,
        };
      },
    },
    {
      id: 'kennzahlenkatalog',
      label: 'Kennzahlenkatalog',
      work: async () => {
        const seeded = await knowCatalogue(eventStore, documents, GOAL_SYSTEMS.map((g) => g.tenant));
        return { changed: seeded.changed > 0, detail: `${number(seeded.entries)} Kennzahlen und Indizes${seeded.changed > 0 ? `, ${number(seeded.changed)} gespeichert` : ' schon gespeichert'}` };
      },
    },
    ...GOAL_SYSTEMS.map((g) => ({
      id: g.id,
      label: g.label,
      work: async () => {
        const text = await readFile(path.join(scenariosDir, g.file), 'utf8');
        const result = await importGoalSystem({ eventStore, documents, ...(logger ? { logger } : {}) }, { fileName: g.file, text, tenant: g.tenant, actor: ACTOR });
        if (!result.accepted) throw new DemoLoadError(`Demo: das Zielsystem ${g.file} wurde nicht übernommen: ${result.problems.slice(0, 5).map(formatProblem).join(' | ')}`);
        return {
          changed: result.events > 0,
          detail: `Mandant ${result.tenant}: ${counted(total(result.goals), 'Ziel', 'Ziele')}, ${counted(total(result.contracts), 'Vertrag', 'Verträge')}; ${counted(result.events, 'Ereignis', 'Ereignisse')}`,
        };
      },
    })),
    {
      id: 'haushalt-muenster',
      label: 'Haushalt Stadt Münster 2007–2016',
      work: async () => {
        const budget = createBudgetService({ eventStore, documents, ...(logger ? { logger } : {}) });
        try {
          const result = await budget.importFile({ tenant: MUENSTER.tenant, profileId: MUENSTER.profile, filePath: file('budget', MUENSTER.file), actor: ACTOR_ID });
          if (result.view.status !== 'angenommen') {
            throw new DemoLoadError(`Demo: der Haushalt ${MUENSTER.file} wurde nicht angenommen (Stand: ${result.view.status}): ${result.view.findings.slice(0, 5).map((f) => f.message).join(' | ')}`);
          }
          const v = result.view;
          return {
            changed: !result.duplicate,
            detail: result.duplicate ? `schon importiert (Haushaltsjahre ${v.years[0]}–${v.years[v.years.length - 1]})` : `${number(v.rowCount)} Zeilen, Haushaltsjahre ${v.years[0]}–${v.years[v.years.length - 1]}, ${number(v.postingCount)} Buchungen`,
          };
        } finally {
          await budget.projector.stop();
        }
      },
    },
  ];

  const steps: DemoStepResult[] = [];
  try {
    for (const [i, s] of plan.entries()) {
      const step: DemoStep = { id: s.id, index: i + 1, total: plan.length, label: s.label };
      options.onProgress?.(`Demo: ${s.label} …`, step);
      const t0 = performance.now();
      const done = await s.work();
      const ms = Math.round(performance.now() - t0);
      steps.push({ id: s.id, label: s.label, ...done, ms });
      logger?.info({ step: s.id, changed: done.changed, ms }, done.detail);
    }
  } finally {
    await deliveries.stop();
  }
  const marker: DemoMarker = { version: DEMO_VERSION, loadedAt: new Date().toISOString(), steps: steps.map(({ id, changed, detail, ms }) => ({ id, changed, detail, ms })) };
  await documents.put(DEMO_COLLECTION, DEMO_MARKER_KEY, marker);
  return { alreadyLoaded: false, steps, ms: Math.round(performance.now() - started) };
}

/**
 * The goals service learns the indicator catalogue from the indicators' events through its
 * consumer. Before the platform has relayed them (a fresh data directory), the shipped catalogue
 * is seeded (idempotent) and its definition events handed to the goals module directly, as its
 * consumer would: the goal systems can then name every catalogue indicator.
 */
async function knowCatalogue(eventStore: EventStore, documents: DocumentStore, tenants: readonly string[]): Promise<{ entries: number; changed: number }> {
  const indicators = createIndicators({ eventStore, documents });
  const seeded = await indicators.catalogue.seedShipped(SHIPPED_CATALOGUE_DIR, new Date());
  const codec = createCodec();
  const toRecord = outboxMapper(codec);
  const goals = createGoals({ eventStore, documents }, codec);
  const streams = new Set<string>();
  for (const tenant of tenants) {
    const catalogue = await indicators.catalogue.forTenant(tenant);
    for (const entry of [...catalogue.indicators.values(), ...catalogue.indices.values()]) streams.add(catalogueStream(entry.scope, entry.kind, entry.id));
  }
  for (const stream of streams) {
    const records = (await eventStore.readStream(stream)).map((e) => toRecord(e)).filter((r): r is NonNullable<typeof r> => r !== undefined);
    await goals.handle(records.map((r) => r.record));
  }
  return { entries: seeded.entries, changed: seeded.changed.length };
}
