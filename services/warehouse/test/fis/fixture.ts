/**
 * FIS test data, projected through the real projector: the contracts' example events plus events
 * built here after them (Flensburg with three Stadtteile and geometries, three Stichtage, RAW and
 * PROTECTED values with a suppressed one, an index with classes, a goal tree with targets and
 * attainment over time, a contract with duties due, overdue and fulfilled; a Kreis with three
 * member Gemeinden delivering their own protected figures; a budget over two years with Produkte,
 * Ansatz, Ist, Obligo, Hochrechnung and deviations).
 */
import { createCodec, exampleIntegrationEvent, exampleIntegrationEvents, type IntegrationEvent, type IntegrationEventType } from '@lagebild/contracts';
import type { Warehouse } from '@lagebild/platform';
import { applySchema } from '../../src/projection';
import { project } from '../../src/projector';

export const FLENSBURG = '01001';
export const KREIS = '01058';
export const GEMEINDEN = [
  { ags: '01058043', name: 'Eckernförde', box: [9.8, 54.45] },
  { ags: '01058022', name: 'Büdelsdorf', box: [9.71, 54.34] },
  { ags: '01058135', name: 'Rendsburg', box: [9.62, 54.28] },
] as const;

/** Stadtteile of the example scheme and their boxes (lon, lat of the south-west corner). */
const STADTTEILE = [
  { code: 'STGT01', name: 'Altstadt', box: [9.42, 54.78] },
  { code: 'STGT02', name: 'Neustadt', box: [9.45, 54.78] },
  { code: 'STGT03', name: 'Nordstadt', box: [9.42, 54.8] },
] as const;

const GOAL = 'a6c3e8f1-4b2d-4a7e-9c5f-3e1d8b6a2f70';
const LEITBILD = 'c2e5a7d9-3f1b-4c8e-a6d4-7b9e1f3c5a28';
const TARGET_SGB2 = '0f1e2d3c-4b5a-4697-8877-665544332211';
const TARGET_KINDERARMUT = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const CONTRACT = '5e8a2c4f-7d1b-4e9a-b2c6-8f3d5a7e1c04';

export const PERIODS = ['2021-12-31', '2022-12-31', '2023-12-31'] as const;

function box([lon, lat]: readonly [number, number], size = 0.03, height = 0.02): string {
  const [x2, y2] = [lon + size, lat + height];
  return JSON.stringify({ type: 'Polygon', coordinates: [[[lon, lat], [x2, lat], [x2, y2], [lon, y2], [lon, lat]]] });
}

let sequence = 1000;
function uuid(): string {
  sequence += 1;
  return `00000000-0000-4000-9000-${sequence.toString(16).padStart(12, '0')}`;
}

/** An event of `type`, built from the contracts' example of it with a fresh envelope and new data. */
function event<T extends IntegrationEventType>(type: T, tenant: string, stream: string, version: number, at: string, data: Partial<IntegrationEvent<T>['data']>): IntegrationEvent<T> {
  const example = exampleIntegrationEvent(type);
  const id = uuid();
  return { ...example, envelope: { ...example.envelope, id, tenant, stream, version, occurredAt: at, recordedAt: at, correlationId: id, causationId: null }, data: { ...example.data, ...data } } as IntegrationEvent<T>;
}

const stichtag = (end: string) => ({ kind: 'STICHTAG' as const, start: end, end });

interface ValueSpec {
  area: string;
  unitType: string;
  value: number | null;
  status?: 'COMPUTED' | 'SUPPRESSED_PRIMARY' | 'SUPPRESSED_SECONDARY';
  parent?: number;
  previous?: number;
  rank?: number;
  ampel?: 'GREEN' | 'YELLOW' | 'RED';
  indexClass?: { code: number; label: string };
}

function values(tenant: string, indicatorId: string, schemeId: string, protection: 'RAW' | 'PROTECTED', period: string, specs: ValueSpec[], version: number): IntegrationEvent<'IndicatorValuesComputed'> {
  return event('IndicatorValuesComputed', tenant, `indicator-${indicatorId}`, version, `${period.slice(0, 4)}-03-0${protection === 'RAW' ? 1 : 2}T10:00:00.000Z`.replace(/^(\d{4})/, (y) => String(Number(y) + 1)), {
    computationId: uuid(),
    indicatorId,
    schemeId,
    schemeVersion: 1,
    protection,
    sensitivity: 'CONFIDENTIAL',
    sourceDeliveryIds: [],
    values: specs.map((s) => ({
      areaCode: s.area,
      unitType: s.unitType,
      period: stichtag(period),
      numerator: s.value === null ? null : s.value * 10,
      denominator: s.value === null ? null : 1000,
      value: s.value,
      status: s.status ?? 'COMPUTED',
      disclosureRule: s.status && s.status !== 'COMPUTED' ? 'min-count:3' : null,
      comparison: s.value === null ? null : { parentValue: s.parent ?? null, previousValue: s.previous ?? null, rank: s.rank ?? null, zScore: null },
      seriesBreak: false,
      ampel: s.ampel && s.value !== null ? { color: s.ampel, rule: 'Abweichung vom Wert der Gesamtstadt' } : null,
      indexClass: s.indexClass ?? null,
    })),
  });
}

/** SGB II-Quote per Stadtteil and Stichtag (root 01001000 = Gesamtstadt). Altstadt 2023 is a small count: suppressed when protected. */
export const SGB2 = {
  '01001000': [12.1, 11.8, 11.4],
  STGT01: [6.2, 5.9, 1.9],
  STGT02: [10.5, 10.1, 9.8],
  STGT03: [20.4, 19.9, 19.2],
} as const;

function flensburgValues(): IntegrationEvent[] {
  const out: IntegrationEvent[] = [];
  let version = 100;
  PERIODS.forEach((period, p) => {
    for (const protection of ['RAW', 'PROTECTED'] as const) {
      const specs: ValueSpec[] = Object.entries(SGB2).map(([area, series]) => {
        const value = series[p]!;
        const isRoot = area === '01001000';
        const suppressed = protection === 'PROTECTED' && area === 'STGT01' && period === '2023-12-31';
        return {
          area,
          unitType: isRoot ? 'Gemeinde' : 'Stadtteil',
          value: suppressed ? null : value,
          status: suppressed ? 'SUPPRESSED_PRIMARY' : 'COMPUTED',
          parent: isRoot ? undefined : SGB2['01001000'][p],
          previous: p > 0 ? series[p - 1] : undefined,
          rank: isRoot ? undefined : area === 'STGT03' ? 1 : area === 'STGT02' ? 2 : 3,
          ampel: isRoot ? undefined : area === 'STGT03' ? 'RED' : area === 'STGT02' ? 'YELLOW' : 'GREEN',
        };
      });
      out.push(values(FLENSBURG, 'sgb2_quote', 'stadtteile', protection, period, specs, (version += 1)));
      out.push(
        values(
          FLENSBURG,
          'kinderarmut',
          'stadtteile',
          protection,
          period,
          [
            { area: '01001000', unitType: 'Gemeinde', value: 24.8 - p * 0.5 },
            { area: 'STGT01', unitType: 'Stadtteil', value: 12 - p, parent: 24.8 - p * 0.5, ampel: 'GREEN', rank: 3 },
            { area: 'STGT02', unitType: 'Stadtteil', value: 22 - p, parent: 24.8 - p * 0.5, ampel: 'YELLOW', rank: 2 },
            { area: 'STGT03', unitType: 'Stadtteil', value: 31 - p * 0.4, parent: 24.8 - p * 0.5, ampel: 'RED', rank: 1 },
          ],
          (version += 1),
        ),
      );
    }
  });
  // Status index of the latest Stichtag with classes (Monitoring Soziale Stadtentwicklung style).
  for (const protection of ['RAW', 'PROTECTED'] as const) {
    out.push(
      values(
        FLENSBURG,
        'status_index',
        'stadtteile',
        protection,
        '2023-12-31',
        [
          { area: 'STGT01', unitType: 'Stadtteil', value: -0.8, indexClass: { code: 1, label: 'hoch' } },
          { area: 'STGT02', unitType: 'Stadtteil', value: 0.1, indexClass: { code: 2, label: 'mittel' } },
          { area: 'STGT03', unitType: 'Stadtteil', value: 1.4, indexClass: { code: 4, label: 'sehr niedrig' } },
        ],
        (version += 1),
      ),
    );
  }
  return out;
}

function definitions(): IntegrationEvent[] {
  const defs = [
    { id: 'sgb2_quote', name: 'SGB II-Quote', unit: '%', kind: 'INDICATOR' as const },
    { id: 'kinderarmut', name: 'Kinderarmut', unit: '%', kind: 'INDICATOR' as const },
    { id: 'status_index', name: 'Statusindex', unit: 'Index', kind: 'INDEX' as const },
  ];
  return defs.map((d, i) =>
    event('IndicatorDefinitionPublished', FLENSBURG, `indicator-definition-${d.id}`, 2 + i, '2024-03-01T09:00:00.000Z', { indicatorId: d.id, version: 2, scope: null, kind: d.kind, name: d.name, unit: d.unit, polarity: '-' }),
  );
}

function goals(): IntegrationEvent[] {
  const stream = `goal-${GOAL}`;
  const out: IntegrationEvent[] = [
    event('GoalCreated', FLENSBURG, `goal-${LEITBILD}`, 1, '2024-01-05T09:00:00.000Z', {
      goalId: LEITBILD,
      level: 'LEITBILD',
      parentGoalId: null,
      field: 'WIRKUNGEN',
      title: 'Gutes Aufwachsen in allen Stadtteilen',
      spatialScope: null,
      priority: null,
    }),
    event('TargetValueSet', FLENSBURG, stream, 6, '2024-04-11T09:00:00.000Z', {
      goalId: GOAL,
      targetId: TARGET_SGB2,
      indicatorId: 'sgb2_quote',
      schemeId: 'stadtteile',
      areaCode: 'STGT03',
      baseline: { value: 20.4, period: stichtag('2021-12-31') },
      targetKind: 'ABSOLUTE',
      targetValue: 17,
      comparator: 'AT_MOST',
      deadline: '2027-12-31',
    }),
    event('TargetValueSet', FLENSBURG, stream, 7, '2024-04-11T09:01:00.000Z', {
      goalId: GOAL,
      targetId: TARGET_KINDERARMUT,
      indicatorId: 'kinderarmut',
      schemeId: 'stadtteile',
      areaCode: 'STGT01',
      baseline: { value: 12, period: stichtag('2021-12-31') },
      targetKind: 'ABSOLUTE',
      targetValue: 8,
      comparator: 'AT_MOST',
      deadline: '2025-12-31',
    }),
  ];
  const sgb2 = [
    { period: '2022-12-31', actual: 19.9, attainment: 0.147, status: 'ON_TRACK' as const },
    { period: '2023-12-31', actual: 19.2, attainment: 0.353, status: 'AT_RISK' as const },
  ];
  let version = 7;
  for (const a of sgb2) {
    out.push(
      event('TargetAttainmentEvaluated', FLENSBURG, stream, (version += 1), `${Number(a.period.slice(0, 4)) + 1}-04-01T06:00:00.000Z`, {
        goalId: GOAL,
        targetId: TARGET_SGB2,
        indicatorId: 'sgb2_quote',
        areaCode: 'STGT03',
        period: stichtag(a.period),
        actualValue: a.actual,
        resolvedTargetValue: 17,
        baselineValue: 20.4,
        attainment: a.attainment,
        status: a.status,
        deadline: '2027-12-31',
        valueSuppressed: false,
        method: a.status === 'AT_RISK' ? 'Trend verfehlt den Zielwert zum Termin knapp' : 'Trend erreicht den Zielwert bis zum Termin',
      }),
    );
  }
  // The Altstadt's Kinderarmut 2023 is a small count: its actual value is suppressed for audiences without raw access.
  out.push(
    event('TargetAttainmentEvaluated', FLENSBURG, stream, (version += 1), '2024-04-02T06:00:00.000Z', {
      goalId: GOAL,
      targetId: TARGET_KINDERARMUT,
      indicatorId: 'kinderarmut',
      areaCode: 'STGT01',
      period: stichtag('2023-12-31'),
      actualValue: 10,
      resolvedTargetValue: 8,
      baselineValue: 12,
      attainment: 0.5,
      status: 'MISSED',
      deadline: '2025-12-31',
      valueSuppressed: true,
      method: 'Trend erreicht den Zielwert erst nach dem Termin',
    }),
  );
  out.push(
    event('ReportingObligationDue', FLENSBURG, `contract-${CONTRACT}`, 8, '2026-07-01T00:00:00.000Z', {
      contractId: CONTRACT,
      dutyId: 'halbjahr',
      period: { kind: 'ZEITRAUM', start: '2026-01-01', end: '2026-06-30' },
      dueDate: '2026-07-31',
    }),
  );
  return out;
}

function flensburgGeometries(): IntegrationEvent {
  return event('AreaGeometriesPublished', FLENSBURG, 'area-scheme-stadtteile', 3, '2024-01-15T08:00:01.000Z', {
    schemeId: 'stadtteile',
    version: 1,
    geometries: [{ code: '01001000', geometry: box([9.42, 54.78], 0.06, 0.04) }, ...STADTTEILE.map((s) => ({ code: s.code, geometry: box(s.box) }))],
  });
}

function kreis(): IntegrationEvent[] {
  const out: IntegrationEvent[] = [];
  const series: Record<string, [number, number | null]> = { '01058043': [8.4, 8.1], '01058022': [6.9, null], '01058135': [14.2, 13.6] };
  for (const g of GEMEINDEN) {
    const stream = 'area-scheme-gemeinde';
    out.push(
      event('AreaSchemeVersionPublished', g.ags, stream, 1, '2024-02-01T08:00:00.000Z', {
        schemeId: 'gemeinde',
        schemeName: 'Gemeindegebiet',
        version: 1,
        validFrom: '2011-01-01',
        units: [{ code: g.ags, name: g.name, unitType: 'Gemeinde', parentCode: null, officialKey: g.ags, validFrom: '2011-01-01', validTo: null, designations: [] }],
        crosswalk: [],
      }),
      event('AreaGeometriesPublished', g.ags, stream, 2, '2024-02-01T08:00:01.000Z', { schemeId: 'gemeinde', version: 1, geometries: [{ code: g.ags, geometry: box(g.box, 0.08, 0.05) }] }),
    );
    ['2022-12-31', '2023-12-31'].forEach((period, p) => {
      const value = series[g.ags]![p] ?? null;
      out.push(
        values(g.ags, 'sgb2_quote', 'gemeinde', 'PROTECTED', period, [{ area: g.ags, unitType: 'Gemeinde', value, status: value === null ? 'SUPPRESSED_SECONDARY' : 'COMPUTED', previous: p > 0 ? (series[g.ags]![0] ?? undefined) : undefined }], 200 + p),
      );
    });
  }
  return out;
}

/** A Kreis that delivers for its Gemeinden in the shared Gemeindeverzeichnis (kept by the system tenant 00000). */
export const KREIS_GV = '01059';
export const GV_GEMEINDEN = [
  { ags: '01059183', name: 'Harrislee', rate: [5.1, 4.8] },
  { ags: '01059075', name: 'Handewitt', rate: [3.9, 4.2] },
] as const;
export const KREIS_GV_TOTAL = [4.6, 4.5] as const;

function gemeindeverzeichnis(): IntegrationEvent[] {
  const unit = (code: string, name: string, unitType: string, parentCode: string | null) => ({ code, name, unitType, parentCode, officialKey: code, validFrom: '2023-01-01', validTo: null, designations: [] });
  const out: IntegrationEvent[] = [
    event('AreaSchemeVersionPublished', '00000', 'area-scheme-gemeindeverzeichnis', 1, '2024-03-01T08:00:00.000Z', {
      schemeId: 'gemeindeverzeichnis',
      schemeName: 'Gemeindeverzeichnis (Destatis GV100AD)',
      version: 1,
      validFrom: '2023-01-01',
      units: [
        unit('01', 'Schleswig-Holstein', 'Land', null),
        unit(KREIS_GV, 'Schleswig-Flensburg', 'Kreis', '01'),
        unit('01054', 'Nordfriesland', 'Kreis', '01'),
        ...GV_GEMEINDEN.map((g) => unit(g.ags, g.name, 'Gemeinde', KREIS_GV)),
        unit('01054056', 'Husum', 'Gemeinde', '01054'),
      ],
      crosswalk: [],
    }),
  ];
  ['2022-12-31', '2023-12-31'].forEach((period, p) => {
    for (const protection of ['RAW', 'PROTECTED'] as const) {
      out.push(
        values(KREIS_GV, 'arbeitslosendichte', 'gemeindeverzeichnis', protection, period, [
          { area: KREIS_GV, unitType: 'Kreis', value: KREIS_GV_TOTAL[p]! },
          ...GV_GEMEINDEN.map((g) => ({ area: g.ags, unitType: 'Gemeinde', value: g.rate[p]!, parent: KREIS_GV_TOTAL[p]! })),
        ], 300 + p * 2 + (protection === 'RAW' ? 0 : 1)),
      );
    }
  });
  return out;
}

export function fixtureEvents(): IntegrationEvent[] {
  return [...exampleIntegrationEvents(), flensburgGeometries(), ...definitions(), ...flensburgValues(), ...goals(), ...kreis(), ...gemeindeverzeichnis(), ...budget()];
}

/** Further Produkte of the Flensburg budget (the examples define 363010 Hilfen zur Erziehung). */
export const PRODUCTS = [
  { code: '361010', name: 'Förderung der Erziehung in der Familie', prevention: 'PRAEVENTIV' as const, approach: 'STRUKTURELL' as const },
  { code: '365010', name: 'Kindertagesbetreuung', prevention: 'PRAEVENTIV' as const, approach: 'STRUKTURELL' as const },
];

/** Ansatz 2023 (less prevention than 2024: the shift shows over the years), Kita 2024, a forecast and a favourable deviation of the Kita. */
function budget(): IntegrationEvent[] {
  const line = (productCode: string, amountCents: number, prevention: 'PRAEVENTIV' | 'NACHSORGEND', approach: 'STRUKTURELL' | 'INDIVIDUELL') => ({
    productArea: '06',
    productGroup: '0636',
    productCode,
    costCentre: '51100',
    account: '531800',
    accountKind: 'AUFWAND' as const,
    amountCents,
    prevention,
    approach,
  });
  return [
    ...PRODUCTS.map((p, i) =>
      event('ProductDefined', FLENSBURG, `budget-structure-${FLENSBURG}`, 10 + i, '2023-11-02T09:00:00.000Z', { productCode: p.code, name: p.name, prevention: p.prevention, approach: p.approach, goalIds: [], kennzahlVariables: [], validFromYear: 2023 }),
    ),
    event('BudgetAppropriated', FLENSBURG, `budget-year-${FLENSBURG}-2023`, 1, '2022-12-15T17:00:00.000Z', {
      budgetYear: 2023,
      kind: 'ANSATZ',
      lines: [line('363010', 11_800_000_00, 'NACHSORGEND', 'INDIVIDUELL'), line('361010', 700_000_00, 'PRAEVENTIV', 'STRUKTURELL'), line('365010', 3_900_000_00, 'PRAEVENTIV', 'STRUKTURELL')],
    }),
    event('BudgetAppropriated', FLENSBURG, `budget-year-${FLENSBURG}-2024`, 10, '2023-12-14T17:31:00.000Z', { budgetYear: 2024, kind: 'ANSATZ', lines: [line('365010', 4_200_000_00, 'PRAEVENTIV', 'STRUKTURELL')] }),
    event('ForecastComputed', FLENSBURG, `budget-year-${FLENSBURG}-2024`, 11, '2024-07-05T06:00:01.000Z', {
      budgetYear: 2024,
      cutOffDate: '2024-06-30',
      lines: [{ productArea: '06', productGroup: '0636', productCode: '365010', accountKind: 'AUFWAND', plannedCents: 4_200_000_00, actualToDateCents: 2_050_000_00, commitmentCents: 0, forecastCents: 3_950_000_00, method: 'SAISONPROFIL', basisYears: [2023] }],
    }),
    event('DeviationDetected', FLENSBURG, `budget-year-${FLENSBURG}-2024`, 12, '2024-07-05T06:00:02.000Z', {
      budgetYear: 2024,
      cutOffDate: '2024-06-30',
      level: 'PRODUKT',
      code: '365010',
      name: 'Kindertagesbetreuung',
      accountKind: 'AUFWAND',
      plannedCents: 4_200_000_00,
      actualToDateCents: 2_050_000_00,
      forecastCents: 3_950_000_00,
      deviationCents: -250_000_00,
      deviationRatio: -0.0595,
      unfavourable: false,
    }),
  ];
}

/** Applies the schema and projects every fixture event through the projector. */
export async function loadFixture(warehouse: Warehouse): Promise<void> {
  await applySchema(warehouse);
  const codec = createCodec();
  const events = fixtureEvents();
  const byTopic = new Map<string, IntegrationEvent[]>();
  for (const e of events) byTopic.set(codec.topicOf(e.type), [...(byTopic.get(codec.topicOf(e.type)) ?? []), e]);
  for (const [topic, list] of byTopic) await project({ warehouse, codec }, list.map((e, i) => ({ value: codec.encode(e), topic, partition: 0, offset: i })));
}
