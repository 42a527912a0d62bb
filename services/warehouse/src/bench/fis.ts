/**
 * FIS panel latency (TARGETS.md: "FIS panel queries: p95 ≤ 50 ms per panel at Germany scale
 * (embedded chDB)").
 *
 * Measured is what the web view runs, request by request: `resolveVariables` per dashboard on
 * its own line (the page's /fis/variables call, made once when a dashboard opens or a control
 * changes), then `runPanel` for every panel with the values that call chose, as the page sends
 * them with each /fis/panels request (queries.ts takes such values as they are and queries no
 * option list). Each is run once to warm up, then RUNS times (LAGEBILD_BENCH_FIS_RUNS, default
 * 20); p50 and p95 in milliseconds. The floor of the embedded engine, a `SELECT 1` through the
 * same adapter, is measured and printed with them: a panel cannot be faster than that. The
 * machines are shared: the load average at start and end is printed with the figures, since other
 * processes on the two cores lengthen every latency.
 *
 * LAGEBILD_BENCH_INDICATORS sets the indicators per tenant (default 50 here; the projection
 * benchmark in run.ts reads the same variable with its own default). The panels are measured in
 * the warehouse reopened after loading, as a restarted service has it (see runFisBenchmark for
 * why); LAGEBILD_BENCH_FIS_REOPEN=0 measures them in the loading process instead.
 *
 * Data, in one embedded warehouse (a deployment at Germany scale that also holds a city):
 * - Germany: every Kreis of the Destatis GV100AD (400) is a tenant delivering, in the shared
 *   Gemeindeverzeichnis kept by the system tenant 00000, values for its Gemeinden (10,981) and its
 *   own total: INDICATORS indicators x 24 years x RAW and PROTECTED, about 3 % of the protected
 *   values suppressed, with comparisons and Ampel; a synthetic polygon of 150 vertices per unit.
 * - Berlin: tenant 11000 with the LOR-Planungsräume (542 under 12 Bezirke, the real counts per
 *   Bezirk; synthetic names and boundaries of 150 vertices), INDICATORS indicators x 24 half-year
 *   Stichtage, values for the Planungsräume, the Bezirke and the total.
 * - Goals with targets and attainment, Träger, contracts with reporting duties and reports, and a
 *   Produkthaushalt over six years (Ansatz, Ist postings, Obligo, Hochrechnung, deviations with
 *   comments) for the measured Kreis and for Berlin; the Kreis's rows are copied to every other
 *   Kreis, so those tables have Germany-scale row counts too.
 *
 * The bulk (indicator values, geometries, the copies) is generated inside the engine with
 * INSERT ... SELECT: going through the projector for some 28 million rows would measure the
 * projector (run.ts does that), not the FIS. Everything small and shaped (area schemes, indicator
 * catalogue, goals, contracts, budget) goes through the real projector as events, so those rows
 * are exactly what production writes.
 *
 * Merge state: production inserts one part per projected batch (thousands per tenant) and
 * ClickHouse merges them in the background; a partition of a few ten thousand rows ends as one
 * part. The bench emulates that converged state with OPTIMIZE TABLE ... FINAL after loading and
 * says so in its output (parts before and after). Queries on unmerged parts would be slower:
 * FINAL then has to merge at read time.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createCodec, exampleIntegrationEvent, type IntegrationEvent, type IntegrationEventType } from '@lagebild/contracts';
import { DASHBOARDS, type FisDashboard } from '@lagebild/dashboards';
import { createChdbWarehouse, type Principal, type Warehouse } from '@lagebild/platform';
import { type RequestedValues, resolveVariables, runPanel } from '../fis/queries';
import { applySchema } from '../projection';
import { project } from '../projector';
import { TABLES } from '../schema';

const DATA = path.resolve(__dirname, '../../../../../shared/data');
const INDICATORS = Number(process.env.LAGEBILD_BENCH_INDICATORS ?? 50);
const PERIODS = 24;
const RUNS = Number(process.env.LAGEBILD_BENCH_FIS_RUNS ?? 20);
/** Measure in a reopened warehouse (default), not in the process that loaded the data (see runFisBenchmark). */
const REOPEN = process.env.LAGEBILD_BENCH_FIS_REOPEN !== '0';
/** Runs per panel of the short pass in the loading process. */
const QUICK_RUNS = 3;
const TARGET_P95_MS = 50;
/** Share of PROTECTED values suppressed by disclosure control (primary suppression). */
const SUPPRESSED_PERCENT = 3;
const VERTICES = 150;

const SYSTEM_TENANT = '00000';
const GV_SCHEME = 'gemeindeverzeichnis';
const BERLIN = '11000';
const LOR_SCHEME = 'berlin-lor-planungsraeume';
/** Helper tables of the generator; never read by a panel. */
const BENCH_DB = 'lagebild_bench';
/** Budget years of the Produkthaushalt; the last one is running (Ist up to September). */
const BUDGET_YEARS = [2019, 2020, 2021, 2022, 2023, 2024] as const;

/**
 * The 12 Berlin Bezirke with their number of LOR-Planungsräume (LOR 2021, 542 in all) and their
 * bounding boxes in WGS 84 (lon, lat of the south-west and north-east corners).
 */
const BEZIRKE = [
  { id: '01', name: 'Mitte', plr: 49, box: [13.302, 52.499, 13.429, 52.568] },
  { id: '02', name: 'Friedrichshain-Kreuzberg', plr: 36, box: [13.368, 52.483, 13.491, 52.531] },
  { id: '03', name: 'Pankow', plr: 60, box: [13.348, 52.52, 13.523, 52.676] },
  { id: '04', name: 'Charlottenburg-Wilmersdorf', plr: 53, box: [13.187, 52.466, 13.341, 52.549] },
  { id: '05', name: 'Spandau', plr: 45, box: [13.109, 52.44, 13.282, 52.599] },
  { id: '06', name: 'Steglitz-Zehlendorf', plr: 44, box: [13.088, 52.387, 13.372, 52.472] },
  { id: '07', name: 'Tempelhof-Schöneberg', plr: 48, box: [13.32, 52.376, 13.427, 52.505] },
  { id: '08', name: 'Neukölln', plr: 46, box: [13.399, 52.396, 13.524, 52.496] },
  { id: '09', name: 'Treptow-Köpenick', plr: 43, box: [13.44, 52.338, 13.761, 52.498] },
  { id: '10', name: 'Marzahn-Hellersdorf', plr: 41, box: [13.517, 52.47, 13.659, 52.575] },
  { id: '11', name: 'Lichtenberg', plr: 41, box: [13.456, 52.468, 13.568, 52.596] },
  { id: '12', name: 'Reinickendorf', plr: 36, box: [13.202, 52.549, 13.389, 52.661] },
] as const;

const fmt = (n: number, digits = 0) => n.toLocaleString('de-DE', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;

/** Nearest-rank percentile of unsorted samples. */
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Deterministic number in [0, 1) from a text (FNV-1a): the same data on every run. */
function unit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x100000000;
}

// ---------------------------------------------------------------------------------------------
// Areas
// ---------------------------------------------------------------------------------------------

interface Place {
  code: string;
  name: string;
}

interface Gemeindeverzeichnis {
  laender: Place[];
  kreise: Place[];
  gemeinden: Place[];
}

/** Länder (Satzart 10), Kreise (40) and Gemeinden (60) of the fixed-width GV100AD. */
async function readGemeindeverzeichnis(): Promise<Gemeindeverzeichnis> {
  const text = await readFile(path.join(DATA, 'germany/GV100AD_301123.txt'), 'utf8');
  const out: Gemeindeverzeichnis = { laender: [], kreise: [], gemeinden: [] };
  for (const line of text.split('\n')) {
    const name = line.slice(22, 72).trim();
    if (line.startsWith('10')) out.laender.push({ code: line.slice(10, 12), name });
    else if (line.startsWith('40')) out.kreise.push({ code: line.slice(10, 15), name });
    else if (line.startsWith('60')) out.gemeinden.push({ code: line.slice(10, 18), name });
  }
  if (out.kreise.length === 0 || out.gemeinden.length === 0) throw new Error('Das Gemeindeverzeichnis (GV100AD) enthält keine Kreise oder Gemeinden: Datei prüfen (Satzarten 40 und 60).');
  return out;
}

interface SchemeUnit {
  code: string;
  name: string;
  unitType: string;
  parentCode: string | null;
}

/** A unit's place on the map: centre and radius (degrees of longitude) of its synthetic boundary. */
type GeoRow = {
  tenant: string;
  scheme_id: string;
  code: string;
  lon: number;
  lat: number;
  radius: number;
};

/** A unit that carries values: its tenant, type and the unit its values are compared with. */
type ValueUnitRow = {
  tenant: string;
  scheme_id: string;
  code: string;
  unit_type: string;
  parent: string;
};

interface AreaData {
  gvUnits: SchemeUnit[];
  lorUnits: SchemeUnit[];
  geo: GeoRow[];
  valueUnits: ValueUnitRow[];
  /** Gemeinden per Kreis. */
  members: Map<string, string[]>;
  gemeinden: number;
  kreise: number;
}

function areaData(gv: Gemeindeverzeichnis): AreaData {
  const members = new Map<string, string[]>(gv.kreise.map((k) => [k.code, []]));
  for (const g of gv.gemeinden) members.get(g.code.slice(0, 5))?.push(g.code);
  const gvUnits: SchemeUnit[] = [
    ...gv.laender.map((l) => ({ code: l.code, name: l.name, unitType: 'Land', parentCode: null })),
    ...gv.kreise.map((k) => ({ code: k.code, name: k.name, unitType: 'Kreis', parentCode: k.code.slice(0, 2) })),
    ...gv.gemeinden.map((g) => ({ code: g.code, name: g.name, unitType: 'Gemeinde', parentCode: g.code.slice(0, 5) })),
  ];
  const geo: GeoRow[] = [];
  const valueUnits: ValueUnitRow[] = [];
  // Kreise on a 20 x 20 grid over Germany, their Gemeinden on a grid inside the Kreis's cell.
  const [lon0, lat0, cellLon, cellLat] = [5.9, 47.3, 0.46, 0.39];
  const landCentres = new Map<string, { lon: number; lat: number; n: number }>();
  gv.kreise.forEach((k, i) => {
    const [x, y] = [lon0 + (i % 20) * cellLon, lat0 + Math.floor(i / 20) * cellLat];
    geo.push({ tenant: SYSTEM_TENANT, scheme_id: GV_SCHEME, code: k.code, lon: x + cellLon / 2, lat: y + cellLat / 2, radius: cellLon * 0.45 });
    valueUnits.push({ tenant: k.code, scheme_id: GV_SCHEME, code: k.code, unit_type: 'Kreis', parent: k.code.slice(0, 2) });
    const land = landCentres.get(k.code.slice(0, 2)) ?? { lon: 0, lat: 0, n: 0 };
    landCentres.set(k.code.slice(0, 2), { lon: land.lon + x + cellLon / 2, lat: land.lat + y + cellLat / 2, n: land.n + 1 });
    const codes = members.get(k.code)!;
    const side = Math.max(1, Math.ceil(Math.sqrt(codes.length)));
    codes.forEach((code, j) => {
      geo.push({ tenant: SYSTEM_TENANT, scheme_id: GV_SCHEME, code, lon: x + ((j % side) + 0.5) * (cellLon / side), lat: y + (Math.floor(j / side) + 0.5) * (cellLat / side), radius: (cellLon / side) * 0.45 });
      valueUnits.push({ tenant: k.code, scheme_id: GV_SCHEME, code, unit_type: 'Gemeinde', parent: k.code });
    });
  });
  for (const [code, c] of landCentres) geo.push({ tenant: SYSTEM_TENANT, scheme_id: GV_SCHEME, code, lon: c.lon / c.n, lat: c.lat / c.n, radius: 1 });

  // Berlin: Bezirke at the top of the scheme, the total (11000) above them as the indicator engine computes it.
  const lorUnits: SchemeUnit[] = [];
  valueUnits.push({ tenant: BERLIN, scheme_id: LOR_SCHEME, code: BERLIN, unit_type: 'Gesamt', parent: '' });
  for (const b of BEZIRKE) {
    const [w, s, e, n] = b.box;
    lorUnits.push({ code: b.id, name: b.name, unitType: 'Bezirk', parentCode: null });
    geo.push({ tenant: BERLIN, scheme_id: LOR_SCHEME, code: b.id, lon: (w + e) / 2, lat: (s + n) / 2, radius: (e - w) / 2 });
    valueUnits.push({ tenant: BERLIN, scheme_id: LOR_SCHEME, code: b.id, unit_type: 'Bezirk', parent: BERLIN });
    const side = Math.ceil(Math.sqrt(b.plr));
    for (let i = 0; i < b.plr; i += 1) {
      // LOR key: Bezirk, Prognoseraum, Bezirksregion, Planungsraum (two digits each).
      const code = `${b.id}${String(1 + Math.floor(i / 12)).padStart(2, '0')}${String(1 + (Math.floor(i / 4) % 3)).padStart(2, '0')}${String(1 + (i % 4)).padStart(2, '0')}`;
      lorUnits.push({ code, name: `Planungsraum ${b.id}${String(i + 1).padStart(2, '0')}`, unitType: 'Planungsraum', parentCode: b.id });
      geo.push({ tenant: BERLIN, scheme_id: LOR_SCHEME, code, lon: w + ((i % side) + 0.5) * ((e - w) / side), lat: s + (Math.floor(i / side) + 0.5) * ((n - s) / side), radius: ((e - w) / side) * 0.45 });
      valueUnits.push({ tenant: BERLIN, scheme_id: LOR_SCHEME, code, unit_type: 'Planungsraum', parent: b.id });
    }
  }
  return { gvUnits, lorUnits, geo, valueUnits, members, gemeinden: gv.gemeinden.length, kreise: gv.kreise.length };
}

// ---------------------------------------------------------------------------------------------
// Events through the projector
// ---------------------------------------------------------------------------------------------

interface Period {
  kind: 'STICHTAG' | 'ZEITRAUM';
  start: string;
  end: string;
}

/** Events with fresh envelopes (ids, stream versions, recording times in order), built from the contracts' examples. */
class EventSource {
  readonly events: IntegrationEvent[] = [];
  private sequence = 0;
  private readonly versions = new Map<string, number>();

  uuid(): string {
    this.sequence += 1;
    return `00000000-0000-4000-b000-${this.sequence.toString(16).padStart(12, '0')}`;
  }

  add<T extends IntegrationEventType>(type: T, tenant: string, stream: string, at: string, data: Partial<IntegrationEvent<T>['data']>): void {
    const example = exampleIntegrationEvent(type);
    const id = this.uuid();
    const version = (this.versions.get(stream) ?? 0) + 1;
    this.versions.set(stream, version);
    this.events.push({ ...example, envelope: { ...example.envelope, id, tenant, stream, version, occurredAt: at, recordedAt: at, correlationId: id, causationId: null }, data: { ...example.data, ...data } } as unknown as IntegrationEvent);
  }
}

/** Projects the events through the real projector, one batch per topic. */
async function projectEvents(warehouse: Warehouse, events: readonly IntegrationEvent[]): Promise<void> {
  const codec = createCodec();
  const byTopic = new Map<string, IntegrationEvent[]>();
  for (const e of events) byTopic.set(codec.topicOf(e.type), [...(byTopic.get(codec.topicOf(e.type)) ?? []), e]);
  for (const [topic, list] of byTopic) await project({ warehouse, codec }, list.map((e, i) => ({ value: codec.encode(e), topic, partition: 0, offset: i })));
}

const iso = (day: string, time = '08:00:00') => `${day}T${time}.000Z`;
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const indicatorId = (k: number) => `kennzahl_${String(k + 1).padStart(2, '0')}`;

function schemeEvents(source: EventSource, data: AreaData): void {
  source.add('AreaSchemeVersionPublished', SYSTEM_TENANT, `area-scheme-${GV_SCHEME}`, iso('2023-12-15'), {
    schemeId: GV_SCHEME,
    schemeName: 'Gemeindeverzeichnis (Destatis GV100AD)',
    version: 1,
    validFrom: '1998-01-01',
    reason: 'Gebietsstand 30.11.2023',
    previousVersion: null,
    units: data.gvUnits.map((u) => ({ ...u, officialKey: u.code, validFrom: '1998-01-01', validTo: null, designations: [] })),
    crosswalk: [],
  });
  source.add('AreaSchemeVersionPublished', BERLIN, `area-scheme-${LOR_SCHEME}`, iso('2021-01-15'), {
    schemeId: LOR_SCHEME,
    schemeName: 'LOR-Planungsräume (2021)',
    version: 1,
    validFrom: '2013-01-01',
    reason: 'LOR 2021',
    previousVersion: null,
    units: data.lorUnits.map((u) => ({ ...u, officialKey: u.unitType === 'Planungsraum' ? u.code : null, validFrom: '2013-01-01', validTo: null, designations: [] })),
    crosswalk: [],
  });
  for (let k = 0; k < INDICATORS; k += 1) {
    source.add('IndicatorDefinitionPublished', SYSTEM_TENANT, `indicator-definition-${indicatorId(k)}`, iso('2023-12-01'), {
      indicatorId: indicatorId(k),
      version: 1,
      scope: null,
      kind: 'INDICATOR',
      name: `Kennzahl ${k + 1}`,
      description: `Anteil der Personen mit Merkmal ${k + 1} an der Bezugsbevölkerung.`,
      unit: '%',
      polarity: '-',
      indicatorType: ['Kontext', 'Bedarf', 'Leistung', 'Wirkung'][k % 4]!,
      formula: `merkmal_${k + 1} / bevoelkerung`,
      definitionJson: '{}',
      reason: null,
    });
  }
}

const GOAL_FIELDS = ['WIRKUNGEN', 'PROGRAMME_PRODUKTE', 'PROZESSE_STRUKTUREN', 'RESSOURCEN'] as const;
const STRATEGIC = ['Kinderarmut senken', 'Teilhabe am Arbeitsleben stärken', 'Pflege und Wohnen im Alter sichern', 'Bildungschancen in allen Gebieten verbessern'] as const;
const ATTAINMENT = ['ON_TRACK', 'AT_RISK', 'MISSED', 'ACHIEVED', 'NOT_EVALUABLE'] as const;
const PRODUCTS = [
  'Hilfen zur Erziehung',
  'Kindertagesbetreuung',
  'Förderung der Erziehung in der Familie',
  'Kinder- und Jugendarbeit',
  'Jugendsozialarbeit',
  'Erzieherischer Kinder- und Jugendschutz',
  'Eingliederungshilfe für Kinder und Jugendliche',
  'Unterhaltsvorschuss',
  'Grundsicherung im Alter und bei Erwerbsminderung',
  'Hilfe zum Lebensunterhalt',
  'Hilfe zur Pflege',
  'Eingliederungshilfe',
  'Leistungen nach dem Asylbewerberleistungsgesetz',
  'Kosten der Unterkunft (SGB II)',
  'Bildung und Teilhabe',
  'Wohngeld',
  'Schuldnerberatung',
  'Seniorenarbeit',
  'Hilfen für Wohnungslose',
  'Frühe Hilfen',
  'Familienzentren',
  'Schulsozialarbeit',
  'Gesundheitsförderung',
  'Quartiersmanagement',
] as const;

/**
 * The steering data of one tenant: a goal tree (41 goals, 48 targets evaluated over seven
 * periods), six Träger, ten contracts with half-yearly reporting duties and reports, and a
 * Produkthaushalt of 24 Produkte over six years.
 */
function steeringEvents(source: EventSource, tenant: string, schemeId: string, areas: readonly string[], periods: readonly Period[]): void {
  const at = (day: string, n = 0) => iso(day, `08:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`);
  const decision = { body: 'Kreistag', reference: 'KT-17/2019', decidedOn: '2019-03-21' };
  // Goals: Leitbild -> 4 strategic goals -> 3 Fachbereichsziele each -> 2 Teilziele each.
  const leitbild = source.uuid();
  const goal = (id: string, level: string, parent: string | null, field: string, title: string, n: number) =>
    source.add('GoalCreated', tenant, `goal-${id}`, at('2019-04-01', n), {
      goalId: id,
      level: level as never,
      parentGoalId: parent,
      field: field as never,
      title,
      description: `${title}: Beschluss des Kreistags, fortgeschrieben in der Sozialplanung.`,
      smart: level === 'TEILZIEL',
      targetGroup: 'Einwohnerinnen und Einwohner',
      spatialScope: null,
      priority: n % 3 === 0 ? null : (n % 5) + 1,
      responsibleUnit: `Fachbereich ${(n % 4) + 1}`,
      horizon: '2027-12-31',
      effectHypothesis: null,
      decision,
      linkedProducts: [],
    });
  goal(leitbild, 'LEITBILD', null, 'WIRKUNGEN', 'Gutes Leben in allen Gemeinden und Quartieren', 0);
  const teilziele: string[] = [];
  let n = 1;
  STRATEGIC.forEach((title, s) => {
    const strategic = source.uuid();
    goal(strategic, 'STRATEGISCHES_ZIEL', leitbild, GOAL_FIELDS[s]!, title, n++);
    for (let f = 0; f < 3; f += 1) {
      const fb = source.uuid();
      goal(fb, 'FACHBEREICHSZIEL', strategic, GOAL_FIELDS[(s + f) % 4]!, `${title}: Handlungsfeld ${f + 1}`, n++);
      for (let t = 0; t < 2; t += 1) {
        const tz = source.uuid();
        goal(tz, 'TEILZIEL', fb, GOAL_FIELDS[(s + f + t) % 4]!, `${title}: Handlungsfeld ${f + 1}, Teilziel ${t + 1}`, n++);
        teilziele.push(tz);
      }
    }
  });
  source.add('GoalRetired', tenant, `goal-${teilziele[0]!}`, at('2023-02-01'), { goalId: teilziele[0]!, retiredOn: '2023-01-31', outcome: 'ERREICHT', successorGoalId: null, reason: 'Zielwert erreicht', decision: null });
  // Targets on indicators in areas of the scheme, evaluated over the last seven periods.
  const baseline = periods[periods.length - 8]!;
  teilziele.forEach((goalId, g) => {
    for (let t = 0; t < 2; t += 1) {
      const targetId = source.uuid();
      const indicator = indicatorId((g * 2 + t) % INDICATORS);
      const area = areas[(g * 7 + t * 3) % areas.length]!;
      const start = 10 + 20 * unit(`${tenant}${goalId}${t}`);
      const target = start * 0.8;
      source.add('TargetValueSet', tenant, `goal-${goalId}`, at('2019-05-01', g * 2 + t), {
        goalId,
        targetId,
        indicatorId: indicator,
        schemeId,
        areaCode: area,
        baseline: { value: start, period: baseline },
        targetKind: 'ABSOLUTE',
        targetValue: target,
        comparator: 'AT_MOST',
        deadline: '2027-12-31',
        reason: null,
        decision: null,
      });
      for (let p = periods.length - 7; p < periods.length; p += 1) {
        const period = periods[p]!;
        const status = ATTAINMENT[Math.floor(unit(`${targetId}${p}`) * ATTAINMENT.length)]!;
        const actual = start - (start - target) * (p - (periods.length - 8)) * 0.1;
        source.add('TargetAttainmentEvaluated', tenant, `goal-${goalId}`, at(addDays(period.end, 60), g * 2 + t), {
          goalId,
          targetId,
          indicatorId: indicator,
          areaCode: area,
          period,
          actualValue: actual,
          resolvedTargetValue: target,
          baselineValue: start,
          attainment: status === 'NOT_EVALUABLE' ? null : (start - actual) / (start - target),
          status,
          computationId: null,
          deadline: '2027-12-31',
          expectedValue: null,
          projectedValue: null,
          valueSuppressed: unit(`${targetId}${p}s`) < 0.05,
          method: 'Trend gegenüber dem linearen Pfad zum Zielwert',
        });
      }
    }
  });

  // Träger and contracts with half-yearly reporting duties 2019 to 2024.
  const traeger = Array.from({ length: 6 }, (_, i) => {
    const traegerId = source.uuid();
    source.add('TraegerRecorded', tenant, `traeger-${traegerId}`, at('2018-11-01', i), {
      traegerId,
      revision: 1,
      name: `${['Diakonie', 'Caritas', 'AWO', 'DRK', 'Paritätischer', 'Lebenshilfe'][i]!} Kreisverband ${tenant}`,
      legalForm: 'e.V.',
      spitzenverband: ['Diakonie', 'Caritas', 'AWO', 'DRK', 'Paritätischer', 'Paritätischer'][i]!,
      active: true,
    });
    return traegerId;
  });
  const halfYears = Array.from({ length: 12 }, (_, i) => {
    const year = 2019 + Math.floor(i / 2);
    return i % 2 === 0 ? { kind: 'ZEITRAUM' as const, start: `${year}-01-01`, end: `${year}-06-30` } : { kind: 'ZEITRAUM' as const, start: `${year}-07-01`, end: `${year}-12-31` };
  });
  const contracts: Array<{ id: string; product: string }> = [];
  for (let c = 0; c < 10; c += 1) {
    const contractId = source.uuid();
    const stream = `contract-${contractId}`;
    const product = `36${String(c).padStart(2, '0')}10`;
    contracts.push({ id: contractId, product });
    source.add('ContractConcluded', tenant, stream, at('2018-12-10', c), {
      contractId,
      version: 1,
      kind: 'LEISTUNGSVEREINBARUNG',
      title: `Leistungsvereinbarung ${PRODUCTS[c]!}`,
      reference: `LV-2019-${String(c + 1).padStart(3, '0')}`,
      traegerId: traeger[c % traeger.length]!,
      termStart: '2019-01-01',
      termEnd: '2024-12-31',
      productCode: product,
      spatialScope: null,
      quantities: [
        { quantityId: 'faelle', kind: 'FAELLE', label: 'Beratungsfälle', amount: 60 + c * 5, per: 'HALBJAHR' },
        { quantityId: 'stunden', kind: 'FACHLEISTUNGSSTUNDEN', label: 'Fachleistungsstunden', amount: 800 + c * 40, per: 'HALBJAHR' },
      ],
      financing: { mode: 'ZUWENDUNG', annualAmountCents: (150_000 + c * 25_000) * 100, unitPriceCents: null, priceQuantityId: null, grantType: 'Fehlbedarf', productCode: product, costCentre: null, account: '531800' },
      kennzahlen: [
        { kennzahlId: 'erreichte', name: 'Erreichte Personen', unit: 'Anzahl', targetValue: 120, comparator: 'AT_LEAST', goalId: teilziele[c % teilziele.length]!, indicatorId: null, minimum: 0, maximum: 10_000 },
        { kennzahlId: 'abbrueche', name: 'Abbruchquote', unit: '%', targetValue: 15, comparator: 'AT_MOST', goalId: null, indicatorId: null, minimum: 0, maximum: 100 },
      ],
      reportingDuties: [{ dutyId: 'halbjahr', content: 'Sachbericht mit Kennzahlen', rhythm: 'HALBJAEHRLICH', dueDays: 30, kennzahlIds: ['erreichte', 'abbrueche'], quantityIds: ['faelle', 'stunden'] }],
      goalIds: [teilziele[c % teilziele.length]!],
      prevention: c % 2 === 0 ? 'PRAEVENTIV' : 'NACHSORGEND',
      approach: c % 3 === 0 ? 'STRUKTURELL' : 'INDIVIDUELL',
    });
    halfYears.forEach((period, h) => {
      const dueDate = addDays(period.end, 30);
      source.add('ReportingObligationDue', tenant, stream, at(addDays(period.end, 1), c), { contractId, dutyId: 'halbjahr', period, dueDate });
      if (h < 10) {
        const reportId = source.uuid();
        const late = unit(`${contractId}${h}late`) < 0.15;
        const submittedOn = addDays(dueDate, late ? 12 : -5);
        source.add('TraegerReportSubmitted', tenant, stream, at(submittedOn, c), {
          contractId,
          dutyId: 'halbjahr',
          period,
          reportId,
          revision: 1,
          contractVersion: 1,
          submittedBy: 'user:traeger',
          values: [
            { kennzahlId: 'erreichte', value: Math.round(90 + 60 * unit(`${reportId}e`)), comment: null },
            { kennzahlId: 'abbrueche', value: Math.round(5 + 20 * unit(`${reportId}a`)), comment: null },
          ],
          quantities: [
            { quantityId: 'faelle', delivered: Math.round((60 + c * 5) * (0.8 + 0.3 * unit(`${reportId}f`))), agreed: 60 + c * 5 },
            { quantityId: 'stunden', delivered: Math.round((800 + c * 40) * (0.8 + 0.3 * unit(`${reportId}s`))), agreed: 800 + c * 40 },
          ],
          comment: null,
          findings: [],
        });
        source.add('ReportingObligationFulfilled', tenant, stream, at(submittedOn, c + 1), { contractId, dutyId: 'halbjahr', period, dueDate, reportId, submittedOn, late });
      } else if (h === 10) {
        source.add('ReportingObligationOverdue', tenant, stream, at(addDays(dueDate, 1), c), { contractId, dutyId: 'halbjahr', period, dueDate, overdueSince: addDays(dueDate, 1) });
      }
    });
    if (c === 9) source.add('ContractTerminated', tenant, stream, at('2024-03-01'), { contractId, effectiveOn: '2024-06-30', kind: 'EINVERNEHMLICH', reason: 'Angebot geht in die Regelstruktur über' });
  }

  // Produkthaushalt: 24 Produkte, Ansatz per year, monthly Ist postings, quarterly Hochrechnung and deviations.
  const products = PRODUCTS.map((name, i) => ({
    code: `3${i < 12 ? '6' : '1'}${String(i).padStart(2, '0')}10`,
    name,
    area: i < 12 ? '06' : '05',
    group: i < 12 ? '0636' : '0531',
    prevention: i % 3 === 0 ? ('PRAEVENTIV' as const) : ('NACHSORGEND' as const),
    approach: i % 2 === 0 ? ('STRUKTURELL' as const) : ('INDIVIDUELL' as const),
    size: 200_000 + Math.round(4_000_000 * unit(`${tenant}${name}`)),
  }));
  products.forEach((p, i) =>
    source.add('ProductDefined', tenant, `budget-structure-${tenant}`, at('2018-10-01', i), {
      productCode: p.code,
      name: p.name,
      productArea: p.area,
      productGroup: p.group,
      budgetUnit: `Teilhaushalt ${p.area}`,
      responsible: 'user:fachbereichsleitung',
      costCentres: [],
      prevention: p.prevention,
      approach: p.approach,
      goalIds: [],
      kennzahlVariables: [],
      validFromYear: 2019,
    }),
  );
  const accounts = ['531800', '533100'] as const;
  for (const year of BUDGET_YEARS) {
    const stream = `budget-year-${tenant}-${year}`;
    const growth = 1 + 0.03 * (year - 2019);
    const line = (p: (typeof products)[number], account: string, accountKind: 'AUFWAND' | 'ERTRAG') => ({ productArea: p.area, productGroup: p.group, productCode: p.code, costCentre: null, account, accountKind });
    source.add('BudgetAppropriated', tenant, stream, at(`${year - 1}-12-15`), {
      budgetYear: year,
      kind: 'ANSATZ',
      decision: { body: 'Kreistag', reference: `Haushaltssatzung ${year}`, decidedOn: `${year - 1}-12-15` },
      lines: products.flatMap((p) => [
        ...accounts.map((a, j) => ({ ...line(p, a, 'AUFWAND'), amountCents: Math.round(p.size * growth * (j === 0 ? 0.7 : 0.3)) * 100, prevention: p.prevention, approach: p.approach })),
        { ...line(p, '414100', 'ERTRAG'), amountCents: Math.round(p.size * growth * 0.2) * 100, prevention: p.prevention, approach: p.approach },
      ]),
    });
    source.add('BudgetReallocated', tenant, stream, at(`${year}-06-20`), {
      reallocationId: `um-${year}-01`,
      budgetYear: year,
      from: line(products[0]!, accounts[1], 'AUFWAND'),
      to: line(products[2]!, accounts[0], 'AUFWAND'),
      amountCents: 50_000_00,
      reason: 'Prävention vor Intervention',
      decision: { body: 'Kreisausschuss', reference: `KA-${year}/06`, decidedOn: `${year}-06-18` },
    });
    const months = year === 2024 ? 9 : 12;
    const actualToDate = products.map(() => 0);
    for (let m = 1; m <= months; m += 1) {
      const importId = source.uuid();
      const postingDate = `${year}-${String(m).padStart(2, '0')}-28`;
      const postings = products.flatMap((p, i) =>
        accounts.flatMap((a, j) =>
          [0, 1].map((x) => {
            const amount = Math.round(((p.size * growth * (j === 0 ? 0.7 : 0.3)) / 24) * (0.85 + 0.35 * unit(`${importId}${i}${j}${x}`))) * 100;
            actualToDate[i] = actualToDate[i]! + amount;
            return { postingId: `${year}-${String(m).padStart(2, '0')}-${String(i).padStart(2, '0')}${j}${x}`, postingDate, ...line(p, a, 'AUFWAND'), amountCents: amount, text: `Auszahlung ${p.name}` };
          }),
        ),
      );
      source.add('ActualPosted', tenant, `actuals-${importId}`, at(`${year}-${String(m).padStart(2, '0')}-28`), { importId, budgetYear: year, sourceSystem: 'Finanzverfahren', fileName: `ist_${year}_${m}.csv`, postings });
      if (m % 3 === 0) {
        const cutOffDate = `${year}-${{ 3: '03-31', 6: '06-30', 9: '09-30', 12: '12-31' }[m]!}`;
        const quarter = products.map((p, i) => {
          const planned = Math.round(p.size * growth) * 100;
          const forecast = Math.round((actualToDate[i]! * 12) / m);
          return { p, planned, actual: actualToDate[i]!, forecast };
        });
        source.add('ForecastComputed', tenant, stream, at(addDays(cutOffDate, 5)), {
          budgetYear: year,
          cutOffDate,
          lines: quarter.map((q) => ({ productArea: q.p.area, productGroup: q.p.group, productCode: q.p.code, accountKind: 'AUFWAND', plannedCents: q.planned, actualToDateCents: q.actual, commitmentCents: 0, forecastCents: q.forecast, method: 'SAISONPROFIL', basisYears: [] })),
        });
        quarter.forEach((q, i) => {
          const deviation = q.forecast - q.planned;
          source.add('DeviationDetected', tenant, stream, at(addDays(cutOffDate, 6), i), {
            budgetYear: year,
            cutOffDate,
            level: 'PRODUKT',
            code: q.p.code,
            name: q.p.name,
            accountKind: 'AUFWAND',
            plannedCents: q.planned,
            actualToDateCents: q.actual,
            forecastCents: q.forecast,
            deviationCents: deviation,
            deviationRatio: deviation / q.planned,
            unfavourable: deviation > 0,
          });
          if (deviation > 0 && i % 3 === 0) {
            source.add('DeviationCommented', tenant, stream, at(addDays(cutOffDate, 10), i), {
              budgetYear: year,
              cutOffDate,
              level: 'PRODUKT',
              code: q.p.code,
              accountKind: 'AUFWAND',
              comment: 'Fallzahlen über der Planung; Nachsteuerung im nächsten Quartal.',
              measures: 'Fallkonferenzen, Prüfung ambulanter Alternativen.',
              author: 'user:fachbereichsleitung',
            });
          }
        });
      }
    }
  }
  contracts.forEach((c, i) =>
    source.add('CommitmentRecorded', tenant, `commitment-${tenant}-contract-${c.id}`, at('2019-01-10', i), {
      commitmentId: `contract-${c.id}`,
      source: 'VERTRAG',
      contractId: c.id,
      description: `Leistungsvereinbarung ${PRODUCTS[i]!}`,
      revision: 1,
      lines: BUDGET_YEARS.map((budgetYear) => ({ budgetYear, productArea: products[i]!.area, productGroup: products[i]!.group, productCode: products[i]!.code, costCentre: null, account: '531800', accountKind: 'AUFWAND', amountCents: (150_000 + i * 25_000) * 100 })),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Bulk generation inside the engine
// ---------------------------------------------------------------------------------------------

/** Periods of each scheme: years (Zeitraum) for the Gemeindeverzeichnis, half-year Stichtage for Berlin. */
function periodsOf(schemeId: string): Period[] {
  return Array.from({ length: PERIODS }, (_, p) => {
    if (schemeId === GV_SCHEME) {
      const year = 1998 + p;
      return { kind: 'ZEITRAUM', start: `${year}-01-01`, end: `${year}-12-31` };
    }
    const year = 2013 + Math.floor(p / 2);
    const end = p % 2 === 0 ? `${year}-06-30` : `${year}-12-31`;
    return { kind: 'STICHTAG', start: end, end };
  });
}

/** A value's base level per unit and indicator (3 % .. 30 %), the same expression for every unit so a parent's row and its children's comparison agree. */
const baseOf = (code: string, k: string) => `(3 + 27 * (cityHash64(${code}, ${k}) % 100000) / 100000)`;

async function generateBulk(warehouse: Warehouse, data: AreaData): Promise<void> {
  await warehouse.command(`CREATE DATABASE IF NOT EXISTS ${BENCH_DB}`);
  await warehouse.command(`CREATE TABLE ${BENCH_DB}.geo (tenant String, scheme_id String, code String, lon Float64, lat Float64, radius Float64) ENGINE = Memory`);
  await warehouse.command(`CREATE TABLE ${BENCH_DB}.value_unit (tenant String, scheme_id String, code String, unit_type String, parent String) ENGINE = Memory`);
  await warehouse.command(`CREATE TABLE ${BENCH_DB}.period (scheme_id String, p UInt8, period_kind String, period_start Date32, period_end Date32, recorded DateTime64(3, 'UTC')) ENGINE = Memory`);
  await warehouse.insert(`${BENCH_DB}.geo`, data.geo);
  await warehouse.insert(`${BENCH_DB}.value_unit`, data.valueUnits);
  await warehouse.insert(
    `${BENCH_DB}.period`,
    [GV_SCHEME, LOR_SCHEME].flatMap((scheme) =>
      // Values of a period are computed once its data is delivered: a Zeitraum in the March after it, a Stichtag about two months after it.
      periodsOf(scheme).map((p, i) => ({ scheme_id: scheme, p: i, period_kind: p.kind, period_start: p.start, period_end: p.end, recorded: `${addDays(p.end, scheme === GV_SCHEME ? 70 : 60)} 10:00:00.000` })),
    ),
  );

  // Boundaries: a wobbly ring of VERTICES points (the last equal to the first) around each centre.
  const steps = VERTICES - 1;
  await warehouse.command(`INSERT INTO lagebild.dim_area_geometry (tenant, scheme_id, scheme_version, code, geometry, event_id, recorded_at, _ver)
SELECT tenant, scheme_id, 1, code,
  concat('{"type":"Polygon","coordinates":[[', arrayStringConcat(arrayMap(a -> concat('[',
      toString(round(lon + radius * (1 + 0.15 * sin(5 * a + phase) + 0.06 * sin(13 * a)) * cos(a), 5)), ',',
      toString(round(lat + 0.62 * radius * (1 + 0.15 * sin(5 * a + phase) + 0.06 * sin(13 * a)) * sin(a), 5)), ']'),
    arrayMap(i -> 2 * pi() * (i % ${steps}) / ${steps}, range(${VERTICES}))), ','), ']]}'),
  generateUUIDv4(), toDateTime64('2024-01-15 08:00:00', 3, 'UTC'), 1705305600000
FROM (SELECT *, (cityHash64(code) % 628) / 100 AS phase FROM ${BENCH_DB}.geo)`);

  // Base level, rank and z-score per unit and indicator (units of one type within a tenant are ranked).
  await warehouse.command(`CREATE TABLE ${BENCH_DB}.unit_indicator ENGINE = Memory AS
SELECT tenant, scheme_id, code, unit_type, parent, k, base, parent_base, slope,
  rank() OVER (PARTITION BY tenant, scheme_id, unit_type, k ORDER BY base DESC) AS rnk,
  (base - avg(base) OVER peers) / nullIf(stddevPop(base) OVER peers, 0) AS z
FROM (
  SELECT u.tenant AS tenant, u.scheme_id AS scheme_id, u.code AS code, u.unit_type AS unit_type, u.parent AS parent, toUInt32(n.number) AS k,
    ${baseOf('u.code', 'n.number')} AS base, if(u.parent = '', NULL, ${baseOf('u.parent', 'n.number')}) AS parent_base,
    ((n.number % 7) - 3) * 0.04 AS slope
  FROM ${BENCH_DB}.value_unit AS u CROSS JOIN numbers(${INDICATORS}) AS n
)
WINDOW peers AS (PARTITION BY tenant, scheme_id, unit_type, k)
ORDER BY tenant, scheme_id, k, code`);

  // The values: one computation per tenant, indicator, period and protection (as the indicator
  // service publishes them), recorded after the period; PROTECTED with primary suppression.
  const suppressed = `(pr.protection = 'PROTECTED' AND cityHash64(u.code, u.k, p.p) % 100 < ${SUPPRESSED_PERCENT})`;
  const value = 'greatest(0.1, u.base + u.slope * p.p)';
  const parentValue = 'greatest(0.1, u.parent_base + u.slope * p.p)';
  const deviation = `((${value} - ${parentValue}) / ${parentValue})`;
  const computation = "toUUID(concat('00000000-0000-4000-8000-', leftPad(lower(hex(cityHash64(u.tenant, u.scheme_id, u.k, p.p, pr.protection) % 281474976710656)), 12, '0')))";
  await warehouse.command(`INSERT INTO lagebild.fact_indicator_value (tenant, computation_id, indicator_id, formula_version, scheme_id, scheme_version, protection, sensitivity,
  area_code, unit_type, period_kind, period_start, period_end, numerator, denominator, value, status, disclosure_rule, parent_value, previous_value, rank, z_score,
  series_break, ampel, ampel_rule, index_class, index_class_label, crosswalk_from_version, event_id, recorded_at, _ver)
SELECT u.tenant, ${computation}, concat('kennzahl_', leftPad(toString(u.k + 1), 2, '0')), 1, u.scheme_id, 1, pr.protection, 'INTERNAL',
  u.code, u.unit_type, p.period_kind, p.period_start, p.period_end,
  if(${suppressed}, NULL, round(${value} * den / 100)), den, if(${suppressed}, NULL, ${value}),
  if(${suppressed}, 'SUPPRESSED_PRIMARY', 'COMPUTED'), if(${suppressed}, 'min-count:3', ''),
  if(${suppressed}, NULL, if(u.parent_base IS NULL, NULL, ${parentValue})),
  if(${suppressed} OR p.p = 0, NULL, greatest(0.1, u.base + u.slope * (p.p - 1))),
  if(${suppressed}, NULL, toInt32(u.rnk)), if(${suppressed}, NULL, round(u.z, 3)),
  false,
  if(${suppressed} OR u.parent_base IS NULL, '', multiIf(${deviation} > 0.25, 'RED', ${deviation} > 0.1, 'YELLOW', 'GREEN')),
  if(${suppressed} OR u.parent_base IS NULL, '', concat('Abweichung vom übergeordneten Gebiet: ', if(${deviation} >= 0, '+', ''), replaceOne(toString(round(100 * ${deviation}, 1)), '.', ','), ' % (gelb ab 10 %, rot ab 25 %)')),
  NULL, '', NULL,
  ${computation}, p.recorded + toIntervalMinute(u.k) + toIntervalSecond(pr.protection = 'PROTECTED'),
  toUInt64(toUnixTimestamp64Milli(p.recorded + toIntervalMinute(u.k) + toIntervalSecond(pr.protection = 'PROTECTED')))
FROM (SELECT *, toFloat64(if(unit_type IN ('Gemeinde', 'Planungsraum'), 300 + cityHash64(code) % 20000, 50000 + cityHash64(code) % 500000)) AS den FROM ${BENCH_DB}.unit_indicator) AS u
INNER JOIN ${BENCH_DB}.period AS p ON p.scheme_id = u.scheme_id
CROSS JOIN (SELECT arrayJoin(['RAW', 'PROTECTED']) AS protection) AS pr
SETTINGS max_partitions_per_insert_block = 0`);
}

/** Tables the steering events fill (goals, contracts, budget): copied from the template Kreis to every other Kreis. */
const STEERING_TABLES = [
  'dim_goal',
  'goal_status',
  'dim_target',
  'fact_attainment',
  'dim_traeger',
  'dim_contract',
  'contract_status',
  'fact_contract_duty',
  'fact_report_value',
  'dim_product',
  'fact_budget_line',
  'fact_budget_movement',
  'fact_actual',
  'fact_commitment',
  'fact_forecast',
  'fact_deviation',
  'fact_deviation_comment',
] as const;

async function copySteering(warehouse: Warehouse, template: string, to: readonly string[]): Promise<void> {
  const targets = `[${to.map((t) => `'${t}'`).join(', ')}]`;
  for (const name of STEERING_TABLES) {
    const columns = TABLES.find((t) => t.name === name)!.columns.map((c) => c.name);
    await warehouse.command(
      `INSERT INTO lagebild.${name} (${columns.join(', ')}) SELECT ${columns.map((c) => (c === 'tenant' ? 'copy_to' : c)).join(', ')}
FROM (SELECT * FROM lagebild.${name} WHERE tenant = '${template}') ARRAY JOIN ${targets} AS copy_to SETTINGS max_partitions_per_insert_block = 0`,
    );
  }
}

async function activeParts(warehouse: Warehouse): Promise<number> {
  const [row] = await warehouse.query<{ n: unknown }>("SELECT count() AS n FROM system.parts WHERE database = 'lagebild' AND active");
  return Number(row?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

export interface FisTiming {
  dataset: string;
  dashboard: string;
  /** Panel key, or `(Variablen)` for the dashboard's variable resolution. */
  panel: string;
  title: string;
  kind: 'panel' | 'variables';
  /** Rows the panel returned (options over all variables for `variables`). */
  rows: number;
  /** Variables without a value: the panel's SQL was not run. */
  missing: string[];
  p50: number;
  p95: number;
  samples: number[];
}

export interface FisDataset {
  name: string;
  principal: string;
  description: string;
}

export interface FisBenchmarkResult {
  name: string;
  unit: 'ms';
  runs: number;
  targetP95Ms: number;
  /** 1-minute load average of the machine when the measurement started and ended (2 cores). */
  loadAverage: { start: number; end: number };
  /** Wall time of the panel and variable measurements. */
  measureSeconds: number;
  /** `SELECT 1` through the same adapter: the per-statement floor of the embedded engine (ms). */
  floor: { p50: number; p95: number };
  /** Whether the panels were measured in a reopened warehouse rather than in the loading process. */
  reopened: boolean;
  /** The short pass in the loading process (p50 per panel over QUICK_RUNS runs), when reopened. */
  loaderProcess: { runs: number; medianP50: number; worstP50: number } | null;
  indicators: number;
  periods: number;
  datasets: FisDataset[];
  tableRows: Record<string, number>;
  generationSeconds: number;
  optimizeSeconds: number;
  partsBeforeOptimize: number;
  partsAfterOptimize: number;
  timings: FisTiming[];
  worst: { dataset: string; dashboard: string; panel: string; p95: number };
  panelsMeeting: number;
  panelsTotal: number;
  met: boolean;
}

async function sample(fn: () => Promise<unknown>, runs = RUNS): Promise<number[]> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function measureDashboard(warehouse: Warehouse, dataset: string, dashboard: FisDashboard, principal: Principal): Promise<FisTiming[]> {
  const out: FisTiming[] = [];
  const variables = await resolveVariables(warehouse, dashboard, principal, {});
  const timing = (panel: string, title: string, kind: FisTiming['kind'], rows: number, missing: string[], samples: number[]): FisTiming => ({
    dataset,
    dashboard: dashboard.id,
    panel,
    title,
    kind,
    rows,
    missing,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    samples: samples.map((s) => Math.round(s * 100) / 100),
  });
  out.push(
    timing(
      '(Variablen)',
      `Variablen: ${variables.map((v) => `${v.name}=${v.value ?? '–'}`).join(', ')}`,
      'variables',
      variables.reduce((s, v) => s + v.options.length, 0),
      variables.filter((v) => v.value === null).map((v) => v.name),
      await sample(() => resolveVariables(warehouse, dashboard, principal, {})),
    ),
  );
  // What the page sends with every panel request: the values /fis/variables chose.
  const chosen: RequestedValues = Object.fromEntries(variables.flatMap((v) => (v.value === null ? [] : [[v.name, v.value]])));
  for (const panel of dashboard.panels) {
    const result = await runPanel(warehouse, dashboard, panel, principal, chosen);
    out.push(timing(panel.key, panel.title, 'panel', result.rows.length, result.missing, await sample(() => runPanel(warehouse, dashboard, panel, principal, chosen))));
  }
  return out;
}

/** p50 per panel over QUICK_RUNS runs, every panel of every dashboard and data set: median and worst. */
async function quickPass(warehouse: Warehouse, sets: ReadonlyArray<{ principalOf: (d: FisDashboard) => Principal }>): Promise<{ runs: number; medianP50: number; worstP50: number }> {
  const p50s: number[] = [];
  for (const set of sets) {
    for (const dashboard of DASHBOARDS) {
      const principal = set.principalOf(dashboard);
      const variables = await resolveVariables(warehouse, dashboard, principal, {});
      const chosen: RequestedValues = Object.fromEntries(variables.flatMap((v) => (v.value === null ? [] : [[v.name, v.value]])));
      for (const panel of dashboard.panels) p50s.push(percentile(await sample(() => runPanel(warehouse, dashboard, panel, principal, chosen), QUICK_RUNS), 50));
    }
  }
  return { runs: QUICK_RUNS, medianP50: percentile(p50s, 50), worstP50: Math.max(...p50s) };
}

function tableOf(timings: readonly FisTiming[]): string {
  const lines = ['| Datensatz | Dashboard | Panel | Zeilen | p50 (ms) | p95 (ms) | Ziel p95 ≤ 50 ms |', '|---|---|---|---|---|---|---|'];
  for (const t of timings) {
    const name = t.kind === 'variables' ? `(Variablen auflösen) ${t.title.replace(/^Variablen: /, '')}` : `${t.panel}: ${t.title}`;
    const rows = t.missing.length > 0 ? `– (fehlt: ${t.missing.join(', ')})` : fmt(t.rows);
    lines.push(`| ${t.dataset} | ${t.dashboard} | ${name} | ${rows} | ${fmt(t.p50, 1)} | ${fmt(t.p95, 1)} | ${t.p95 <= TARGET_P95_MS ? 'ja' : 'nein'} |`);
  }
  return lines.join('\n');
}

export async function runFisBenchmark(): Promise<FisBenchmarkResult> {
  if (!Number.isInteger(INDICATORS) || INDICATORS < 1 || INDICATORS > 99) {
    throw new Error(`LAGEBILD_BENCH_INDICATORS muss eine ganze Zahl von 1 bis 99 sein, ist aber „${process.env.LAGEBILD_BENCH_INDICATORS}“.`);
  }
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`LAGEBILD_BENCH_FIS_RUNS muss eine ganze Zahl ab 1 sein, ist aber „${process.env.LAGEBILD_BENCH_FIS_RUNS}“.`);
  const gv = await readGemeindeverzeichnis();
  const data = areaData(gv);
  // The Kreis with the most Gemeinden (07232 Eifelkreis Bitburg-Prüm in the GV100AD of 2023).
  const [kreis, gemeinden] = [...data.members].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0]!;
  const kreisName = gv.kreise.find((k) => k.code === kreis)!.name;
  const planer: Principal = { subject: 'bench:sozialplanung', tenant: kreis, roles: ['sozialplanung'], memberOf: gemeinden };
  const fuehrung: Principal = { subject: 'bench:fuehrung', tenant: kreis, roles: ['fuehrung'], memberOf: gemeinden };
  const berlin: Principal = { subject: 'bench:sozialplanung-berlin', tenant: BERLIN, roles: ['sozialplanung'] };
  const plr = data.lorUnits.filter((u) => u.unitType === 'Planungsraum').map((u) => u.code);

  process.stdout.write(
    [
      `  Deutschland: ${fmt(data.gemeinden)} Gemeinden in ${fmt(data.kreise)} Kreisen (je Kreis ein Mandant mit Gemeinden und Kreiswert) × ${INDICATORS} Kennzahlen × ${PERIODS} Jahre, RAW und PROTECTED (${SUPPRESSED_PERCENT} % gesperrt)`,
      `  Berlin: ${fmt(plr.length)} LOR-Planungsräume in ${BEZIRKE.length} Bezirken und Gesamtstadt × ${INDICATORS} Kennzahlen × ${PERIODS} Halbjahres-Stichtage, RAW und PROTECTED`,
      `  Gemessen: Mandant ${kreis} ${kreisName} (${fmt(gemeinden.length)} Gemeinden; Sozialplanung, für den Kreisvergleich Führung) und Berlin ${BERLIN} (Sozialplanung); je Panel 1 Aufwärmlauf + ${RUNS} Läufe`,
      '',
    ].join('\n'),
  );

  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-bench-fis-'));
  let warehouse = await createChdbWarehouse({ path: path.join(dir, 'warehouse') });
  try {
    let started = performance.now();
    await applySchema(warehouse);
    const source = new EventSource();
    schemeEvents(source, data);
    steeringEvents(source, kreis, GV_SCHEME, gemeinden, periodsOf(GV_SCHEME));
    steeringEvents(source, BERLIN, LOR_SCHEME, plr, periodsOf(LOR_SCHEME));
    await projectEvents(warehouse, source.events);
    const projectedMs = performance.now() - started;
    await generateBulk(warehouse, data);
    await copySteering(
      warehouse,
      kreis,
      gv.kreise.map((k) => k.code).filter((k) => k !== kreis && k !== BERLIN),
    );
    const generationMs = performance.now() - started;
    const partsBefore = await activeParts(warehouse);
    started = performance.now();
    // Emulates the merged state background merges reach in production (see the header).
    for (const t of TABLES) await warehouse.command(`OPTIMIZE TABLE lagebild.${t.name} FINAL`);
    const optimizeMs = performance.now() - started;
    const partsAfter = await activeParts(warehouse);

    const counts = await warehouse.query<{ table: string; rows: unknown }>("SELECT table, sum(rows) AS rows FROM system.parts WHERE database = 'lagebild' AND active GROUP BY table ORDER BY table");
    const tableRows = Object.fromEntries(counts.map((c) => [c.table, Number(c.rows)]));
    process.stdout.write(
      [
        `  Erzeugt in ${seconds(generationMs)} (davon ${fmt(source.events.length)} Ereignisse durch den Projektor: ${seconds(projectedMs)}; Massendaten per INSERT … SELECT in chDB)`,
        `  Zusammengeführt mit OPTIMIZE TABLE … FINAL in ${seconds(optimizeMs)}: ${fmt(partsBefore)} → ${fmt(partsAfter)} aktive Parts (Zustand nach den Hintergrund-Merges der Produktion)`,
        '',
        '| Tabelle | Zeilen |',
        '|---|---|',
        ...counts.filter((c) => Number(c.rows) > 0).map((c) => `| ${c.table} | ${fmt(Number(c.rows))} |`),
        '',
      ].join('\n'),
    );

    const sets = [
      { name: 'Deutschland', principalOf: (d: FisDashboard) => (d.id === 'kreisvergleich' ? fuehrung : planer) },
      { name: 'Berlin', principalOf: () => berlin },
    ];
    // The process that has just written and merged the data answers panels on fact_indicator_value
    // two to four times slower than a process that opens the same directory (measured with the
    // same code and data; not explained by the outdated parts of the merge, by many small inserts
    // or by the JavaScript heap). A deployment answers from a process that opened its data, so the
    // panels are measured after reopening the directory, as a restarted service would; a short
    // pass in the loading process is printed beside it, and LAGEBILD_BENCH_FIS_REOPEN=0 measures
    // everything there.
    const loader = REOPEN ? await quickPass(warehouse, sets) : null;
    if (REOPEN) {
      await warehouse.close();
      warehouse = await createChdbWarehouse({ path: path.join(dir, 'warehouse') });
      process.stdout.write(`  Im Ladeprozess (je Panel ${QUICK_RUNS} Läufe): p50 je Panel, Median ${fmt(loader!.medianP50, 1)} ms, langsamstes ${fmt(loader!.worstP50, 1)} ms; gemessen wird danach in einem neu geöffneten Warehouse (wie nach einem Neustart)\n`);
    }
    const loadStart = loadavg()[0]!;
    // The engine's floor: one trivial statement through the same adapter (parse, plan, JSON result).
    const floorSamples = await sample(() => warehouse.query('SELECT 1 AS one'), Math.max(RUNS, 50));
    const floor = { p50: percentile(floorSamples, 50), p95: percentile(floorSamples, 95) };
    process.stdout.write(`  Untergrenze je Abfrage (SELECT 1 über denselben Adapter, ${floorSamples.length} Läufe): p50 ${fmt(floor.p50, 2)} ms, p95 ${fmt(floor.p95, 2)} ms\n`);
    const measureStarted = performance.now();
    const timings: FisTiming[] = [];
    for (const set of sets) {
      for (const dashboard of DASHBOARDS) {
        const measured = await measureDashboard(warehouse, set.name, dashboard, set.principalOf(dashboard));
        timings.push(...measured);
        process.stdout.write(`  ${set.name} / ${dashboard.id}: ${measured.map((t) => `${t.panel} ${fmt(t.p95, 1)}`).join(', ')} ms (p95)\n`);
      }
    }
    const measureMs = performance.now() - measureStarted;
    const loadEnd = loadavg()[0]!;
    const panels = timings.filter((t) => t.kind === 'panel');
    const worst = panels.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    const meeting = panels.filter((t) => t.p95 <= TARGET_P95_MS).length;
    const variables = timings.filter((t) => t.kind === 'variables');
    const worstVariables = variables.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    process.stdout.write(
      [
        '',
        tableOf(timings),
        '',
        `Schlechtestes p95: ${fmt(worst.p95, 1)} ms (${worst.dataset}, ${worst.dashboard}/${worst.panel}) gegen das Ziel ≤ ${TARGET_P95_MS} ms; ${meeting} von ${panels.length} Panels erreichen es.`,
        ...sets.map((set) => {
          const own = panels.filter((t) => t.dataset === set.name);
          return `  ${set.name}: Median über ${own.length} Panels p50 ${fmt(percentile(own.map((t) => t.p50), 50), 1)} ms, p95 ${fmt(percentile(own.map((t) => t.p95), 50), 1)} ms; langsamstes p95 ${fmt(Math.max(...own.map((t) => t.p95)), 1)} ms; ${own.filter((t) => t.p95 <= TARGET_P95_MS).length} von ${own.length} mit p95 ≤ ${TARGET_P95_MS} ms (Untergrenze SELECT 1: p50 ${fmt(floor.p50, 2)} ms).`;
        }),
        `Variablen auflösen (einmal beim Öffnen eines Dashboards und je geänderter Auswahl, vor den Panels): schlechtestes p95 ${fmt(worstVariables.p95, 1)} ms (${worstVariables.dataset}, ${worstVariables.dashboard}).`,
        `Messdauer ${seconds(measureMs)}; Systemlast (1-min-Mittel, 2 Kerne) zu Beginn ${fmt(loadStart, 1)}, am Ende ${fmt(loadEnd, 1)}.`,
        '',
      ].join('\n'),
    );
    return {
      name: 'FIS-Panelabfragen (eingebettet: chDB, Deutschland und Berlin)',
      unit: 'ms',
      runs: RUNS,
      targetP95Ms: TARGET_P95_MS,
      loadAverage: { start: loadStart, end: loadEnd },
      measureSeconds: measureMs / 1000,
      floor,
      reopened: REOPEN,
      loaderProcess: loader,
      indicators: INDICATORS,
      periods: PERIODS,
      datasets: [
        { name: 'Deutschland', principal: `${kreis} ${kreisName} (sozialplanung; kreisvergleich: fuehrung)`, description: `${data.gemeinden} Gemeinden, ${data.kreise} Kreise als Mandanten` },
        { name: 'Berlin', principal: `${BERLIN} (sozialplanung)`, description: `${plr.length} LOR-Planungsräume, ${BEZIRKE.length} Bezirke, Gesamtstadt` },
      ],
      tableRows,
      generationSeconds: generationMs / 1000,
      optimizeSeconds: optimizeMs / 1000,
      partsBeforeOptimize: partsBefore,
      partsAfterOptimize: partsAfter,
      timings,
      worst: { dataset: worst.dataset, dashboard: worst.dashboard, panel: worst.panel, p95: worst.p95 },
      panelsMeeting: meeting,
      panelsTotal: panels.length,
      met: meeting === panels.length,
    };
  } finally {
    await warehouse.close();
    await rm(dir, { recursive: true, force: true });
  }
}
