import type { EventEnvelope, IntegrationEvent } from './codec';
import type { IntegrationEventType } from './generated';

/**
 * One realistic event of every integration event type, for tests and documentation (figures
 * after the Flensburg Sozialatlas; ids fixed so that results are reproducible). Every field is
 * given, also the optional ones, and instants are in the form the codec decodes them to, so an
 * example survives an encode / decode round trip unchanged.
 */

const TENANT_FLENSBURG = '01001';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const ids = {
  delivery: '3f2c9a4e-8b1d-4c6e-9a7f-2d5e8b1c4a90',
  earlierDelivery: '1b7e4d2a-5c3f-4e8a-b6d9-0f2a7c5e3b18',
  computation: '7d4e2b9c-1a6f-4e3d-8c5b-9f0a2e7d6c41',
  goal: 'a6c3e8f1-4b2d-4a7e-9c5f-3e1d8b6a2f70',
  parentGoal: 'c2e5a7d9-3f1b-4c8e-a6d4-7b9e1f3c5a28',
  target: 'e9b1d4f7-2c6a-4e8b-b3d5-6a8c0e2f4b96',
  import: 'f4a7c1e9-6b3d-4f2a-9e8c-5d7b0a3c6e15',
};

function envelope(
  index: number,
  stream: string,
  version: number,
  occurredAt: string,
  actor: string,
  causationId: string | null = null,
): EventEnvelope {
  const suffix = index.toString(16).padStart(12, '0');
  return {
    id: `00000000-0000-4000-8000-${suffix}`,
    tenant: TENANT_FLENSBURG,
    stream,
    version,
    occurredAt,
    recordedAt: occurredAt.replace(/\.\d{3}Z$/, '.250Z'),
    actor,
    correlationId: `11111111-1111-4111-8111-${suffix}`,
    causationId,
    traceparent: TRACEPARENT,
  };
}

const stichtag2020 = { kind: 'STICHTAG', start: '2020-12-31', end: '2020-12-31' } as const;
const stichtag2022 = { kind: 'STICHTAG', start: '2022-12-31', end: '2022-12-31' } as const;
const stichtag2023 = { kind: 'STICHTAG', start: '2023-12-31', end: '2023-12-31' } as const;

const ratsbeschluss = { body: 'Rat der Stadt Flensburg', reference: 'RV-45/2023', decidedOn: '2023-06-22' };

export function exampleIntegrationEvents(): IntegrationEvent[] {
  const events: IntegrationEvent[] = [
    {
      type: 'AreaSchemeVersionPublished',
      envelope: envelope(1, 'area-scheme-stadtteile', 1, '2024-01-15T08:00:00.000Z', 'user:sozialplanung-1'),
      data: {
        schemeId: 'stadtteile',
        schemeName: 'Stadtteile',
        version: 1,
        validFrom: '2011-01-01',
        reason: 'Ersteinrichtung nach dem Sozialatlas',
        previousVersion: null,
        units: [
          { code: '01001000', name: 'Flensburg', unitType: 'Gemeinde', parentCode: null, officialKey: '01001000', validFrom: '2011-01-01', validTo: null, designations: [] },
          { code: 'STGT01', name: 'Altstadt', unitType: 'Stadtteil', parentCode: '01001000', officialKey: null, validFrom: '2011-01-01', validTo: null, designations: [] },
          { code: 'STGT02', name: 'Neustadt', unitType: 'Stadtteil', parentCode: '01001000', officialKey: null, validFrom: '2011-01-01', validTo: null, designations: ['Soziale-Stadt-Gebiet'] },
          { code: 'STGT03', name: 'Nordstadt', unitType: 'Stadtteil', parentCode: '01001000', officialKey: null, validFrom: '2011-01-01', validTo: null, designations: ['Aktionsraum'] },
        ],
        crosswalk: [],
      },
    },
    {
      type: 'AreaGeometriesPublished',
      envelope: envelope(10, 'area-scheme-stadtteile', 2, '2024-01-15T08:00:00.000Z', 'user:sozialplanung-1'),
      data: {
        schemeId: 'stadtteile',
        version: 1,
        batchNumber: 1,
        isLastBatch: true,
        precision: 5,
        geometries: [
          {
            code: '3',
            geometry: '{"type":"Polygon","coordinates":[[[9.42,54.8],[9.45,54.8],[9.45,54.82],[9.42,54.82],[9.42,54.8]]]}',
          },
        ],
      },
    },
    {
      type: 'ObservationsRecorded',
      envelope: envelope(2, `delivery-${ids.delivery}`, 2, '2024-03-01T09:15:00.000Z', 'user:datenlieferung-7'),
      data: {
        deliveryId: ids.delivery,
        batchNumber: 1,
        isLastBatch: true,
        datasetId: 'melderegister-einwohner',
        schemeId: 'stadtteile',
        schemeVersion: 1,
        source: {
          name: 'Einwohnermelderegister',
          provider: 'Stadt Flensburg, Bürgerbüro',
          fileName: 'raw_tab1_einwohner.csv',
          fileSha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          extractedOn: '2021-01-15',
        },
        sensitivity: 'INTERNAL',
        supersedesDeliveryId: ids.earlierDelivery,
        observations: [
          { areaCode: 'STGT01', variable: 'ew_insgesamt', dimensions: {}, period: stichtag2020, value: 3739, status: 'VALUE', sourceLine: 2 },
          { areaCode: 'STGT02', variable: 'ew_insgesamt', dimensions: {}, period: stichtag2020, value: 4725, status: 'VALUE', sourceLine: 3 },
          { areaCode: 'STGT03', variable: 'ew_insgesamt', dimensions: {}, period: stichtag2020, value: 12291, status: 'VALUE', sourceLine: 4 },
          { areaCode: 'STGT01', variable: 'ew', dimensions: { geschlecht: 'w', altersgruppe: '0-5' }, period: stichtag2020, value: null, status: 'SUPPRESSED', sourceLine: 5 },
          { areaCode: 'STGT02', variable: 'zuzuege', dimensions: {}, period: { kind: 'ZEITRAUM', start: '2020-01-01', end: '2020-12-31' }, value: 0, status: 'ZERO_BY_DEFINITION', sourceLine: 6 },
        ],
      },
    },
    {
      type: 'DeliveryAccepted',
      envelope: envelope(9, `delivery-${ids.delivery}`, 3, '2024-03-01T09:15:01.000Z', 'user:datenlieferung-7', '00000000-0000-4000-8000-000000000002'),
      data: {
        deliveryId: ids.delivery,
        tenant: TENANT_FLENSBURG,
        datasetId: 'melderegister-einwohner',
        schemeId: 'stadtteile',
        schemeVersion: 1,
        schemeVersions: [1],
        profileId: 'flensburg-einwohner',
        profileVersion: 2,
        fileName: 'raw_tab1_einwohner.csv',
        contentSha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        rowCount: 5,
        observationCount: 5,
        valueCount: 4,
        areaCount: 3,
        variables: ['ew', 'ew_insgesamt', 'zuzuege'],
        periods: [{ kind: 'ZEITRAUM', start: '2020-01-01', end: '2020-12-31' }, stichtag2020],
        supersedesDeliveryId: ids.earlierDelivery,
        batchCount: 1,
        warningCount: 0,
      },
    },
    {
      type: 'IndicatorValuesComputed',
      envelope: envelope(3, 'indicator-sgb2_quote', 5, '2024-03-01T09:16:30.000Z', 'system:indicators', '00000000-0000-4000-8000-000000000002'),
      data: {
        computationId: ids.computation,
        batchNumber: 1,
        isLastBatch: true,
        indicatorId: 'sgb2_quote',
        formulaVersion: 1,
        schemeId: 'stadtteile',
        schemeVersion: 1,
        sourceDeliveryIds: [ids.delivery],
        protection: 'RAW',
        sensitivity: 'CONFIDENTIAL',
        crosswalkFromVersion: null,
        values: [
          {
            areaCode: 'STGT03',
            unitType: 'Stadtteil',
            period: stichtag2020,
            numerator: 1967,
            denominator: 10244,
            value: 19.201483795392425,
            status: 'COMPUTED',
            disclosureRule: null,
            comparison: { parentValue: 11.4, previousValue: 19.9, rank: 2, zScore: 1.37 },
            seriesBreak: false,
            ampel: { color: 'RED', rule: 'Abweichung vom Wert der Gesamtstadt: +68,4 % (rot ab 25 %)' },
            indexClass: null,
          },
          {
            areaCode: 'STGT01',
            unitType: 'Stadtteil',
            period: stichtag2020,
            numerator: 2,
            denominator: 3102,
            value: 0.06447453255963894,
            status: 'SUPPRESSED_PRIMARY',
            disclosureRule: 'min-count:3',
            comparison: null,
            seriesBreak: false,
            ampel: null,
            indexClass: null,
          },
        ],
      },
    },
    {
      type: 'IndicatorDefinitionPublished',
      envelope: envelope(11, 'indicator-definition-sgb2_quote', 1, '2024-03-01T09:00:00.000Z', 'system:indicators'),
      data: {
        indicatorId: 'sgb2_quote',
        version: 1,
        scope: null,
        kind: 'INDICATOR',
        name: 'SGB II-Quote',
        description: 'Personen in SGB II-Bedarfsgemeinschaften je 100 Einwohner unter 65 Jahren am 31.12.',
        unit: '%',
        polarity: '-',
        indicatorType: 'Kontext',
        formula: 'sgb2_personen / ew_unter_65',
        definitionJson: '{"id":"sgb2_quote","formula":"sgb2_personen / ew_unter_65","scale":100}',
        reason: null,
      },
    },
    {
      type: 'GoalCreated',
      envelope: envelope(4, `goal-${ids.goal}`, 1, '2024-04-10T13:00:00.000Z', 'user:sozialplanung-1'),
      data: {
        goalId: ids.goal,
        level: 'STRATEGISCHES_ZIEL',
        parentGoalId: ids.parentGoal,
        field: 'WIRKUNGEN',
        title: 'Kinderarmut in den Aktionsräumen senken',
        description: 'Der Anteil der Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften sinkt in der Nordstadt.',
        smart: true,
        targetGroup: 'Kinder unter 15 Jahren in Bedarfsgemeinschaften',
        spatialScope: { schemeId: 'stadtteile', areaCodes: ['STGT03'] },
        priority: 1,
        responsibleUnit: 'Fachbereich Jugend, Soziales, Gesundheit',
        horizon: '2027-12-31',
        effectHypothesis: 'Frühe Hilfen und Familienzentren erreichen Familien, bevor Armut sich verfestigt.',
        decision: ratsbeschluss,
        linkedProducts: ['363010', '361010'],
      },
    },
    {
      type: 'TargetValueSet',
      envelope: envelope(5, `goal-${ids.goal}`, 2, '2024-04-10T13:05:00.000Z', 'user:sozialplanung-1'),
      data: {
        goalId: ids.goal,
        targetId: ids.target,
        indicatorId: 'kinderarmut',
        schemeId: 'stadtteile',
        areaCode: 'STGT03',
        baseline: { value: 24.8, period: stichtag2022 },
        targetKind: 'PERCENT_CHANGE_FROM_BASELINE',
        targetValue: -10,
        comparator: 'AT_MOST',
        deadline: '2027-12-31',
        reason: 'Zielwert aus dem Ratsbeschluss',
        decision: ratsbeschluss,
      },
    },
    {
      type: 'TargetAttainmentEvaluated',
      envelope: envelope(6, `goal-${ids.goal}`, 3, '2024-05-02T06:00:00.000Z', 'system:goals'),
      data: {
        goalId: ids.goal,
        targetId: ids.target,
        indicatorId: 'kinderarmut',
        areaCode: 'STGT03',
        period: stichtag2023,
        actualValue: 23.9,
        resolvedTargetValue: 22.32,
        baselineValue: 24.8,
        attainment: 0.3629032258064519,
        status: 'ON_TRACK',
        computationId: ids.computation,
      },
    },
    {
      type: 'BudgetAppropriated',
      envelope: envelope(7, `budget-2024`, 1, '2023-12-14T17:30:00.000Z', 'user:kaemmerei-2'),
      data: {
        budgetYear: 2024,
        kind: 'ANSATZ',
        decision: { body: 'Rat der Stadt Flensburg', reference: 'RV-112/2023', decidedOn: '2023-12-14' },
        lines: [
          {
            productArea: '06',
            productGroup: '0636',
            productCode: '363010',
            costCentre: '51100',
            account: '533100',
            accountKind: 'AUFWAND',
            amountCents: 1_234_567_800,
            prevention: 'NACHSORGEND',
            approach: 'INDIVIDUELL',
          },
          {
            productArea: '06',
            productGroup: '0636',
            productCode: '361010',
            costCentre: null,
            account: '531800',
            accountKind: 'AUFWAND',
            amountCents: 98_000_000,
            prevention: 'PRAEVENTIV',
            approach: 'STRUKTURELL',
          },
        ],
      },
    },
    {
      type: 'ActualPosted',
      envelope: envelope(8, `actuals-${ids.import}`, 1, '2024-04-02T05:00:00.000Z', 'system:budget-import'),
      data: {
        importId: ids.import,
        batchNumber: 1,
        isLastBatch: true,
        budgetYear: 2024,
        sourceSystem: 'H&H proDoppik',
        fileName: 'ist_2024_03.csv',
        postings: [
          {
            postingId: '2024-0004711-1',
            postingDate: '2024-03-28',
            productArea: '06',
            productGroup: '0636',
            productCode: '363010',
            costCentre: '51100',
            account: '533100',
            accountKind: 'AUFWAND',
            amountCents: 8_312_045,
            text: 'Heimerziehung März',
          },
          {
            postingId: '2024-0004712-1',
            postingDate: '2024-03-29',
            productArea: '06',
            productGroup: '0636',
            productCode: '363010',
            costCentre: '51100',
            account: '533100',
            accountKind: 'AUFWAND',
            amountCents: -125_000,
            text: 'Storno Doppelbuchung',
          },
        ],
      },
    },
  ];
  // Fresh objects on every call: tests change examples, and the constants above are shared.
  return structuredClone(events);
}

/** The example of one event type. */
export function exampleIntegrationEvent<T extends IntegrationEventType>(type: T): IntegrationEvent<T> {
  const found = exampleIntegrationEvents().find((event) => event.type === type);
  if (!found) throw new Error(`Kein Beispiel für ${type}`);
  return found as IntegrationEvent<T>;
}
