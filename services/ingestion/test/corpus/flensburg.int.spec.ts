/**
 * The Flensburg Sozialatlas as a real delivery: every file the converter made from the SQL
 * (test/fixtures/flensburg, committed) and the city's raw spreadsheets (shared/data/flensburg)
 * import with their shipped profile (services/ingestion/profiles/flensburg), and every recorded
 * observation equals its INSERT value in sozialatlas.sql: value for value, with NULL as the
 * status the Sozialatlas gives it (• = suppressed below 4, otherwise missing). Delivering a file
 * again changes nothing.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ObservationsRecordedData } from '../../src/deliveries/model';
import {
  DATA,
  deliverFile,
  deliveryEventTypes,
  eventsSince,
  FIXTURES,
  FLENSBURG,
  loadFlensburgStadtteile,
  loadGemeinden,
  openIngestion,
  runScript,
  seedFlensburgProfiles,
  storePosition,
  type Delivered,
  type Ingestion,
} from './support';

type SqlRow = Record<string, number | string | null>;
type PeriodOf = (year: number) => { kind: 'STICHTAG' | 'ZEITRAUM'; start: string; end: string };

const stichtag: PeriodOf = (y) => ({ kind: 'STICHTAG', start: `${y}-12-31`, end: `${y}-12-31` });
const zeitraum: PeriodOf = (y) => ({ kind: 'ZEITRAUM', start: `${y}-01-01`, end: `${y}-12-31` });
/** The Bundesagentur's figures in the Sozialatlas are as of 30 June. */
const juni: PeriodOf = (y) => ({ kind: 'STICHTAG', start: `${y}-06-30`, end: `${y}-06-30` });

interface Source {
  table: string;
  /** variable -> SQL column */
  variables: Record<string, string>;
  period: PeriodOf;
  /** What NULL in the SQL became in the delivered file. */
  nullStatus?: 'SUPPRESSED' | 'MISSING';
  /** City-wide tables: keyed by Flensburg's AGS instead of a district. */
  city?: boolean;
  /** A breakdown column of the table, as the dimension `haushaltsform` with the German label. */
  householdDimension?: boolean;
  years?: readonly number[];
}

interface Delivery {
  file: string;
  profile: string;
  sources: Source[];
  /** Rows of addresses without a Stadtteil, deliberately not taken (warning AREA_NOT_MAPPED). */
  unassignedRows?: number;
  /** Variables the file has beyond the SQL (the raw tables' shares), for each of its years. */
  extraVariables?: number;
}

const fixture = (name: string) => path.join(FIXTURES, 'flensburg', name);
const raw = (name: string) => path.join(DATA, 'flensburg', name);
const workbook = fixture('sozialatlas_tabellenanhang.xlsx');

const DELIVERIES: Delivery[] = [
  { file: fixture('tab01_einwohner_stadtteile.csv'), profile: 'flensburg-einwohner-stadtteile', sources: [{ table: 'fl_residents_by_district', variables: { ew_insgesamt: 'residents' }, period: stichtag }] },
  { file: fixture('tab02_geburten.csv'), profile: 'flensburg-geburten', sources: [{ table: 'fl_births_by_district', variables: { geburten: 'births', geburtenquote: 'birth_rate' }, period: zeitraum }] },
  {
    file: fixture('tab04_06_07_08_altersgruppen_stadtteile.csv'),
    profile: 'flensburg-altersgruppen-stadtteile',
    sources: [
      { table: 'fl_children_age_under_18_by_district', variables: { ew_unter_18: 'residents' }, period: stichtag },
      { table: 'fl_residents_age_18_to_under_65_by_district', variables: { ew_18_bis_unter_65: 'residents' }, period: stichtag },
      { table: 'fl_residents_age_65_and_above_by_district', variables: { ew_65_und_aelter: 'residents' }, period: stichtag },
      { table: 'fl_age_ratio_by_district', variables: { altenquotient: 'quotient' }, period: stichtag },
    ],
  },
  {
    file: fixture('tab05_altersgruppen_2021_2022.csv'),
    profile: 'flensburg-altersgruppen-detail',
    sources: [
      {
        table: 'fl_age_groups_by_district',
        variables: {
          ew_unter_18: 'age_under_18',
          ew_18_bis_unter_30: 'age_18_to_under_30',
          ew_30_bis_unter_45: 'age_30_to_under_45',
          ew_45_bis_unter_65: 'age_45_to_under_65',
          ew_65_bis_unter_80: 'age_65_to_under_80',
          ew_80_und_aelter: 'age_80_and_above',
          ew_0_bis_unter_7: 'age_0_to_under_7',
          ew_60_und_aelter: 'age_60_and_above',
        },
        period: stichtag,
      },
    ],
  },
  { file: fixture('tab09_migrationshintergrund.csv'), profile: 'flensburg-migrationshintergrund', sources: [{ table: 'fl_migration_background_by_district', variables: { mh_auslaendisch: 'foreign_citizenship', mh_deutsch: 'german_citizenship' }, period: stichtag }] },
  {
    file: fixture('stadt_bestand.csv'),
    profile: 'flensburg-stadt-bestand',
    sources: [
      {
        table: 'fl_age_groups_of_residents',
        city: true,
        period: stichtag,
        variables: {
          ew_unter_18: 'age_under_18',
          ew_18_bis_unter_30: 'age_18_to_under_30',
          ew_30_bis_unter_45: 'age_30_to_under_45',
          ew_45_bis_unter_65: 'age_45_to_under_65',
          ew_65_bis_unter_80: 'age_65_to_under_80',
          ew_80_und_aelter: 'age_80_and_above',
        },
      },
      {
        table: 'fl_non_german_nationals_residence_status',
        city: true,
        period: stichtag,
        variables: {
          aufenthalt_langfristig: 'permanent_residency',
          aufenthalt_eu_freizuegigkeit: 'permanent_residency_according_eu_freedom_movement_act',
          aufenthalt_drittstaaten: 'permanent_residency_third_country_nationality',
          aufenthalt_ohne_langfristig: 'without_permanent_residency',
          asylbewerber: 'asylum_seeker',
          duldung: 'suspension_of_deportation',
        },
      },
    ],
  },
  {
    file: fixture('stadt_hilfen.csv'),
    profile: 'flensburg-stadt-hilfen',
    sources: [
      { table: 'fl_debt_counseling_residents', city: true, householdDimension: true, period: zeitraum, nullStatus: 'MISSING', variables: { schuldnerberatung_personen: 'residents' } },
      {
        table: 'fl_child_education_support',
        city: true,
        period: zeitraum,
        nullStatus: 'MISSING',
        variables: {
          hze_29_soziale_gruppenarbeit: 'educational_assistance',
          hze_30_erziehungsbeistand: 'parenting_counselor',
          hze_31_spfh: 'pedagogical_family_assistance',
          hze_32_tagesgruppe: 'child_day_care_facility',
          hze_33_vollzeitpflege: 'full_time_care',
          hze_34_heimerziehung: 'residential_education',
          hze_35a_eingliederungshilfe: 'integration_assistance',
          hze_27_2_sonstige: 'additional_support',
        },
      },
    ],
  },
  { file: workbook, profile: 'flensburg-beschaeftigte', sources: [{ table: 'fl_employed_with_pension_insurance_by_district', variables: { sv_beschaeftigte: 'residents', beschaeftigungsquote: 'employment_rate' }, period: juni }] },
  { file: workbook, profile: 'flensburg-arbeitslose', sources: [{ table: 'fl_unemployed_residents_by_district', variables: { arbeitslose: 'residents' }, period: juni }] },
  {
    file: workbook,
    profile: 'flensburg-arbeitslose-merkmale',
    unassignedRows: 2,
    sources: [
      {
        table: 'fl_unemployed_residents_categorized_by_district',
        period: juni,
        nullStatus: 'MISSING',
        variables: {
          arbeitslose: 'unemployed_total',
          anteil_an_allen_arbeitslosen: 'percentage_of_total',
          anteil_sgb3: 'percentage_sgb_iii',
          anteil_sgb2: 'percentage_sgb_ii',
          anteil_auslaendisch: 'percentage_foreign_citizenship',
          anteil_frauen: 'percentage_female',
          anteil_unter_25: 'percentage_age_under_25',
        },
      },
    ],
  },
  { file: workbook, profile: 'flensburg-wohngeld', sources: [{ table: 'fl_housing_benefit_by_district', variables: { wohngeld_empfaenger: 'residents' }, period: stichtag }] },
  {
    file: workbook,
    profile: 'flensburg-wohnungshilfe',
    sources: [
      {
        table: 'fl_housing_assistance_cases_by_district',
        period: zeitraum,
        nullStatus: 'SUPPRESSED',
        variables: {
          wh_beratungen: 'general_consulting',
          wh_mitteilungen_mietrueckstand: 'notices_of_rent_arrears',
          wh_kuendigungen_mietrueckstand: 'termination_rent_arrears',
          wh_kuendigungen_verhalten: 'termination_for_conduct',
          wh_raeumungsklagen: 'action_for_eviction',
          wh_raeumungsankuendigungen: 'eviction_notice',
          wh_raeumungen: 'eviction_carried',
        },
      },
    ],
  },
  { file: workbook, profile: 'flensburg-raeumungsklagen', sources: [{ table: 'fl_risk_homelessness_by_district', variables: { haushalte_raeumungsklage: 'residents' }, period: zeitraum, nullStatus: 'SUPPRESSED' }] },
  {
    file: workbook,
    profile: 'flensburg-leistungsbezug',
    unassignedRows: 2,
    sources: [
      {
        table: 'fl_beneficiaries_age_15_to_under_65_by_district',
        period: stichtag,
        variables: {
          leistungsbezug_15_65: 'total',
          anteil_leistungsbezug_15_65: 'percentage_of_total_residents',
          elb_sgb2: 'employable_with_benefits',
          arbeitslose_sgb3: 'unemployment_benefits',
          grundsicherung_sgb12: 'basic_income',
          hlu_sgb12: 'assisting_benefits',
        },
      },
    ],
  },
  { file: workbook, profile: 'flensburg-sgb2', sources: [{ table: 'fl_beneficiaries_by_district', variables: { regelleistungsberechtigte_sgb2: 'residents' }, period: stichtag }] },
  {
    file: workbook,
    profile: 'flensburg-sgb2-merkmale',
    unassignedRows: 2,
    sources: [
      {
        table: 'fl_beneficiaries_characteristics_by_district',
        period: stichtag,
        variables: {
          nef_sgb2: 'unemployability',
          elb_sgb2: 'employability',
          anteil_frauen_elb: 'percentage_females',
          anteil_alleinerziehende_elb: 'percentage_single_parents',
          anteil_auslaendisch_elb: 'percentage_foreign_citizenship',
        },
      },
    ],
  },
  { file: workbook, profile: 'flensburg-nef-sgb2', sources: [{ table: 'fl_inactive_beneficiaries_households_by_district', variables: { nef_sgb2_bg: 'residents' }, period: stichtag }] },
  {
    file: workbook,
    profile: 'flensburg-grundsicherung',
    unassignedRows: 2,
    sources: [{ table: 'fl_basic_benefits_income_by_district', period: stichtag, variables: { grusi_maennlich: 'male', grusi_weiblich: 'female', grusi_18_bis_unter_65: 'age_18_to_under_65', grusi_65_und_aelter: 'age_65_and_above' } }],
  },
  // The city's own spreadsheets, as they are.
  { file: raw('raw_tab1_einwohner.csv'), profile: 'flensburg-raw-einwohner-zeitreihe', sources: [{ table: 'fl_residents_by_district', variables: { ew_insgesamt: 'residents' }, period: stichtag, years: [2011, 2017, 2018, 2019, 2020] }] },
  // "gesamt" is 31.12.2021; "männlich"/"weiblich" are shares the SQL does not have.
  { file: raw('raw_tab1_einwohner.csv'), profile: 'flensburg-raw-einwohner-2021', extraVariables: 2, sources: [{ table: 'fl_residents_by_district', variables: { ew_insgesamt: 'residents' }, period: stichtag, years: [2021] }] },
  // No header, "01 Altstadt", "1.374", "35,5%": counts against the SQL, shares beyond it.
  { file: raw('raw_tab9_migration.csv'), profile: 'flensburg-raw-migration', extraVariables: 6, sources: [{ table: 'fl_migration_background_by_district', variables: { mh_auslaendisch: 'foreign_citizenship', mh_deutsch: 'german_citizenship' }, period: stichtag, years: [2021] }] },
  {
    file: raw('raw_tab18_sgb2.csv'),
    profile: 'flensburg-raw-sgb2',
    extraVariables: 1,
    // The years stand at the end of the headers („Anzahl_2018“): period.pattern takes them out.
    sources: [{ table: 'fl_beneficiaries_by_district', variables: { regelleistungsberechtigte_sgb2: 'residents' }, period: stichtag, years: [2018, 2019, 2020, 2021] }],
  },
];

/** The German names of the SQL's household types, as the converter writes them. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const HOUSEHOLD_LABELS = require(path.join(FIXTURES, 'flensburg/haushaltsformen.json')) as Record<string, string>;

let t: Ingestion;
let sql: Record<string, SqlRow[]>;

beforeAll(async () => {
  t = await openIngestion();
  const [dump] = await Promise.all([runScript(path.join(FIXTURES, 'flensburg/convert.mjs'), ['--dump-sql', path.join(DATA, 'flensburg')]), loadFlensburgStadtteile(t), loadGemeinden(t)]);
  sql = JSON.parse(dump) as Record<string, SqlRow[]>;
  await seedFlensburgProfiles(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

function key(o: { variable: string; areaCode: string; period: { kind: string; start: string; end: string }; dimensions: Record<string, string> }): string {
  const dims = Object.keys(o.dimensions)
    .sort()
    .map((k) => `${k}=${o.dimensions[k]}`)
    .join(',');
  return `${o.variable}|${o.areaCode}|${o.period.kind}|${o.period.start}|${o.period.end}|${dims}`;
}

/** What the SQL says the delivery must record. */
function expectedObservations(delivery: Delivery): Map<string, { value: number | null; status: string }> {
  const expected = new Map<string, { value: number | null; status: string }>();
  const households = new Map((sql.fl_household_type ?? []).map((h) => [h.id, String(h.label)]));
  for (const source of delivery.sources) {
    const rows = sql[source.table];
    if (!rows) throw new Error(`Tabelle ${source.table} fehlt in der SQL-Datei`);
    for (const row of rows) {
      const year = Number(row.year);
      if (source.years && !source.years.includes(year)) continue;
      // NULL district = addresses without a Stadtteil: not an area of the scheme.
      if (!source.city && row.district_id === null) continue;
      const areaCode = source.city ? '01001000' : String(row.district_id);
      const dimensions: Record<string, string> = source.householdDimension ? { haushaltsform: HOUSEHOLD_LABELS[households.get(row.household_type_id!)!]! } : {};
      for (const [variable, column] of Object.entries(source.variables)) {
        const value = row[column];
        const entry = value === null ? { value: null, status: source.nullStatus ?? 'MISSING' } : { value: Number(value), status: 'VALUE' };
        expected.set(key({ variable, areaCode, period: source.period(year), dimensions }), entry);
      }
    }
  }
  return expected;
}

async function recorded(deliveryId: string): Promise<ObservationsRecordedData['observations']> {
  const events = await t.eventStore.readStream(`delivery-${deliveryId}`);
  return events.filter((e) => e.type === 'ObservationsRecorded').flatMap((e) => (e.data as ObservationsRecordedData).observations);
}

describe('the converter', () => {
  it('reads all 23 tables of the SQL and reproduces the committed files byte for byte', async () => {
    const tables = Object.keys(sql).filter((name) => name !== 'fl_district' && name !== 'fl_household_type');
    expect(tables).toHaveLength(23);
    const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-flensburg-'));
    try {
      await runScript(path.join(FIXTURES, 'flensburg/convert.mjs'), [path.join(DATA, 'flensburg'), dir]);
      const made = (await readdir(dir)).sort();
      expect(made).toEqual((await readdir(path.join(FIXTURES, 'flensburg'))).filter((n) => /\.(csv|xlsx)$/.test(n)).sort());
      for (const name of made) expect({ name, same: (await readFile(path.join(dir, name))).equals(await readFile(fixture(name))) }).toEqual({ name, same: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('puts every SQL table into exactly one delivered file or sheet', () => {
    const covered = DELIVERIES.filter((d) => !d.file.startsWith(path.join(DATA))).flatMap((d) => d.sources.map((s) => s.table));
    expect([...new Set(covered)].sort()).toEqual(Object.keys(sql).filter((name) => name !== 'fl_district' && name !== 'fl_household_type').sort());
    expect(new Set(covered).size).toBe(covered.length);
  });
});

describe('every Flensburg file imports with its shipped profile and equals the SQL', () => {
  const delivered = new Map<string, Delivered>();

  for (const delivery of DELIVERIES) {
    it(`${path.basename(delivery.file)} with ${delivery.profile}`, async () => {
      const result = await deliverFile(t, delivery.file, { profileId: delivery.profile, ...FLENSBURG });
      const findings = result.report.findings.map((f) => `${f.severity} ${f.code}: ${f.message}`);
      expect({ status: result.view.status, findings: findings.filter((f) => f.startsWith('error')) }).toEqual({ status: 'angenommen', findings: [] });
      // The only warnings: rows of addresses without a Stadtteil, named in the report.
      expect(result.report.findings.filter((f) => f.severity === 'warning').map((f) => f.code)).toEqual(new Array(delivery.unassignedRows ?? 0).fill('AREA_NOT_MAPPED'));
      expect(await deliveryEventTypes(t, result.deliveryId)).toEqual(expect.arrayContaining(['DeliveryReceived', 'DeliveryValidated', 'ObservationsRecorded', 'DeliveryAccepted']));

      const expected = expectedObservations(delivery);
      expect(expected.size).toBeGreaterThan(0);
      const observations = await recorded(result.deliveryId);
      const variables = new Set(delivery.sources.flatMap((s) => Object.keys(s.variables)));
      const ours = observations.filter((o) => variables.has(o.variable));
      const actual = new Map(ours.map((o) => [key(o), { value: o.value, status: o.status }]));
      expect(actual.size).toBe(ours.length);
      expect(actual).toEqual(expected);
      // Beyond the SQL only the shares of the raw tables, one per area, extra variable and year.
      const years = delivery.sources[0]!.years?.length ?? 1;
      expect(observations.length - ours.length).toBe((delivery.extraVariables ?? 0) * 13 * years);
      expect(result.view.observationCount).toBe(observations.length);
      delivered.set(`${delivery.file}|${delivery.profile}`, result);
    });
  }

  it('records the residents of every Stadtteil and year exactly as the INSERTs say', async () => {
    const first = delivered.get(`${DELIVERIES[0]!.file}|${DELIVERIES[0]!.profile}`);
    expect(first).toBeDefined();
    const observations = await recorded(first!.deliveryId);
    const byKey = new Map(observations.map((o) => [`${o.areaCode}|${o.period.end.slice(0, 4)}`, o.value]));
    const rows = sql.fl_residents_by_district!;
    expect(rows).toHaveLength(13 * 7);
    for (const row of rows) expect([row.district_id, row.year, byKey.get(`${row.district_id}|${row.year}`)]).toEqual([row.district_id, row.year, row.residents]);
  });

  it('changes nothing when the same file is delivered again', async () => {
    const position = await storePosition(t);
    for (const delivery of DELIVERIES) {
      const first = delivered.get(`${delivery.file}|${delivery.profile}`);
      expect(first).toBeDefined();
      const again = await deliverFile(t, delivery.file, { profileId: delivery.profile, ...FLENSBURG });
      expect({ profile: delivery.profile, id: again.deliveryId, duplicate: again.duplicate }).toEqual({ profile: delivery.profile, id: first!.deliveryId, duplicate: true });
    }
    expect(await eventsSince(t, position)).toEqual([]);
  });
});
