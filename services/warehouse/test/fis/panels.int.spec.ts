/**
 * Every panel of every FIS dashboard, run on chDB over data projected through the real projector:
 * the variables resolved as the web view resolves them, the SQL with bound parameters, and the
 * same SQL as Grafana gets it (variables interpolated the way Grafana's `sqlstring` format does)
 * giving the same rows. Content is checked against the fixture's figures, including what each
 * audience may see.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DASHBOARDS, dashboardsById, type DashboardId, type FisPanel, toGrafanaSql, type VariableName } from '@lagebild/dashboards';
import { type ChdbWarehouse, createChdbWarehouse, type Principal } from '@lagebild/platform';
import { resolveVariables, runPanel, type RequestedValues } from '../../src/fis/queries';
import { FLENSBURG, fixtureEvents, GEMEINDEN, GV_GEMEINDEN, KREIS, KREIS_GV, KREIS_GV_TOTAL, loadFixture } from './fixture';

let dir: string;
let warehouse: ChdbWarehouse;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-fis-panels-'));
  warehouse = await createChdbWarehouse({ path: dir });
  await loadFixture(warehouse);
}, 60_000);

afterAll(async () => {
  await warehouse?.close();
  await rm(dir, { recursive: true, force: true });
});

const planer: Principal = { subject: 'user:sozialplanung-1', tenant: FLENSBURG, roles: ['sozialplanung'] };
const fuehrung: Principal = { subject: 'user:ob', tenant: FLENSBURG, roles: ['fuehrung'] };
const kreis: Principal = { subject: 'user:kreis', tenant: KREIS, roles: ['sozialplanung'], memberOf: GEMEINDEN.map((g) => g.ags) };
const kreisGv: Principal = { subject: 'user:kreis-sl', tenant: KREIS_GV, roles: ['fuehrung'], memberOf: GV_GEMEINDEN.map((g) => g.ags) };

type Rows = Array<Record<string, unknown>>;

async function rows(principal: Principal, id: DashboardId, key: string, requested: RequestedValues = {}): Promise<Rows> {
  const dashboard = dashboardsById.get(id)!;
  const panel = dashboard.panels.find((p) => p.key === key)!;
  const result = await runPanel(warehouse, dashboard, panel, principal, requested);
  expect(result.missing).toEqual([]);
  return result.rows;
}

/** Columns a panel definition reads from its rows. */
function columnsOf(panel: FisPanel): string[] {
  switch (panel.kind) {
    case 'stat':
      return [panel.label, panel.value.column, ...(panel.previous ? [panel.previous] : []), ...(panel.color ? [panel.color] : []), ...(panel.note ? [panel.note] : [])];
    case 'timeseries':
      return [panel.time, panel.series, panel.value.column];
    case 'bar':
      return [panel.category, ...panel.values.map((v) => v.column)];
    case 'table':
      return panel.columns.map((c) => c.column);
    case 'map':
      return [panel.area, panel.label, panel.value.column, panel.geometry, panel.latitude, panel.longitude];
  }
}

/** Grafana's interpolation of the rendered SQL: `${x:sqlstring}` quoted with doubled quotes, `${x}` as is. */
function interpolate(sql: string, values: Partial<Record<VariableName, string | null>>): string {
  return sql.replace(/\$\{([a-z_]+)(?::([a-z]+))?\}/g, (_m, name: VariableName, format: string | undefined) => {
    const value = values[name] ?? '';
    return format === 'sqlstring' ? `'${value.replace(/'/g, "''")}'` : value;
  });
}

describe('FIS panel queries on projected data', () => {
  it('runs every panel of every dashboard and returns the columns its definition reads', async () => {
    for (const dashboard of DASHBOARDS) {
      const principal = dashboard.id === 'kreisvergleich' ? kreis : planer;
      for (const panel of dashboard.panels) {
        const result = await runPanel(warehouse, dashboard, panel, principal, {});
        expect({ panel: `${dashboard.id}/${panel.key}`, missing: result.missing }).toEqual({ panel: `${dashboard.id}/${panel.key}`, missing: [] });
        expect({ panel: `${dashboard.id}/${panel.key}`, empty: result.rows.length === 0 }).toEqual({ panel: `${dashboard.id}/${panel.key}`, empty: false });
        for (const column of columnsOf(panel)) expect(Object.keys(result.rows[0]!)).toContain(column);
      }
    }
  });

  it('gives the same rows through Grafana\'s interpolated SQL as through bound parameters', async () => {
    for (const dashboard of DASHBOARDS.filter((d) => d.id !== 'kreisvergleich')) {
      const variables = await resolveVariables(warehouse, dashboard, fuehrung, {});
      const values = Object.fromEntries(variables.map((v) => [v.name, v.value])) as Partial<Record<VariableName, string | null>>;
      for (const panel of dashboard.panels) {
        const bound = await runPanel(warehouse, dashboard, panel, fuehrung, {});
        const grafana = await warehouse.query(interpolate(toGrafanaSql(panel.sql), values));
        expect({ panel: `${dashboard.id}/${panel.key}`, rows: grafana }).toEqual({ panel: `${dashboard.id}/${panel.key}`, rows: bound.rows });
      }
    }
  });

  it('defaults to the latest Stichtag and a Stadtteil, and offers only the caller\'s tenants', async () => {
    const variables = await resolveVariables(warehouse, dashboardsById.get('sozialraumprofil')!, planer, { tenant: GEMEINDEN[0].ags });
    const byName = Object.fromEntries(variables.map((v) => [v.name, v]));
    expect(byName.tenant!.options.map((o) => o.value)).toEqual([FLENSBURG]);
    expect(byName.tenant!.value).toBe(FLENSBURG);
    expect(byName.area!.value).toBe('STGT01');
    expect(byName.period!.value).toBe('2023-12-31');
    expect(byName.period!.options[0]!.label).toBe('31.12.2023');
    expect(byName.audience!.options.map((o) => o.value)).toEqual(['v_indicator_value_protected', 'v_indicator_value_raw']);
    const forLeadership = await resolveVariables(warehouse, dashboardsById.get('sozialraumprofil')!, fuehrung, {});
    expect(forLeadership.find((v) => v.name === 'audience')!.options.map((o) => o.value)).toEqual(['v_indicator_value_protected']);
  });

  it('shows the Übersicht: Ampel of the targets, key figures with trend, budget deviation, targets that need action', async () => {
    expect(await rows(fuehrung, 'uebersicht', 'zielampel')).toEqual([
      { label: 'auf Kurs', value: 0, color: 'GREEN' },
      { label: 'gefährdet', value: 1, color: 'YELLOW' },
      { label: 'verfehlt', value: 1, color: 'RED' },
      { label: 'erreicht', value: 0, color: 'BLUE' },
      { label: 'nicht bewertbar', value: 0, color: 'GREY' },
    ]);
    const figures = await rows(fuehrung, 'uebersicht', 'kennzahlen');
    expect(figures.map((f) => [f.label, f.value, f.previous, f.unit])).toEqual([
      ['Kinderarmut', 23.8, null, '%'],
      ['SGB II-Quote', 11.4, 11.8, '%'],
    ]);
    const quoten = await rows(fuehrung, 'uebersicht', 'quoten');
    expect(quoten.filter((r) => r.series === 'SGB II-Quote').map((r) => [r.time, r.value])).toEqual([
      ['2021-12-31 00:00:00', 12.1],
      ['2022-12-31 00:00:00', 11.8],
      ['2023-12-31 00:00:00', 11.4],
    ]);
    const budget = await rows(fuehrung, 'uebersicht', 'budgetabweichung');
    expect(budget.map((b) => [b.product_code, b.quarter, b.abweichung])).toEqual([
      ['363010', 2, 1_144_422],
      ['365010', 2, -250_000],
    ]);
    expect(budget[0]).toMatchObject({ produkt: 'Hilfen zur Erziehung', abweichung_prozent: 9.5 });
    const action = await rows(fuehrung, 'uebersicht', 'handlungsbedarf');
    expect(action.map((a) => [a.indikator, a.status])).toEqual([
      ['Kinderarmut', 'verfehlt'],
      ['SGB II-Quote', 'gefährdet'],
    ]);
  });

  it('shows a suppressed value as suppressed to the protected audience and its number only to the raw audience', async () => {
    const protectedRows = await rows(fuehrung, 'sozialraumprofil', 'vergleich', { area: 'STGT01', audience: 'v_indicator_value_raw' });
    const sgb2 = protectedRows.find((r) => r.indicator_id === 'sgb2_quote')!;
    expect(sgb2).toMatchObject({ wert: null, suppressed: true, hinweis: 'gesperrt (kleine Fallzahl)' });
    const raw = await rows(planer, 'sozialraumprofil', 'vergleich', { area: 'STGT01', audience: 'v_indicator_value_raw' });
    expect(raw.find((r) => r.indicator_id === 'sgb2_quote')).toMatchObject({ wert: 1.9, suppressed: false });
    // A Kreis planner looking at a member Gemeinde sees protected values only, even when asking for raw ones.
    expect(await rows(kreis, 'sozialraumprofil', 'vergleich', { tenant: '01058022', audience: 'v_indicator_value_raw' })).toEqual([
      expect.objectContaining({ indikator: 'SGB II-Quote', wert: null, suppressed: true, hinweis: 'gesperrt (Rückrechnung verhindert)' }),
    ]);
  });

  it('shows the Sozialraumprofil of an area against its parent, with Ampel, index class and trend', async () => {
    const ampel = await rows(planer, 'sozialraumprofil', 'ampel', { area: 'STGT03' });
    expect(ampel).toEqual([
      { label: 'rot', value: 2, color: 'RED' },
      { label: 'gelb', value: 0, color: 'YELLOW' },
      { label: 'grün', value: 0, color: 'GREEN' },
    ]);
    expect(await rows(planer, 'sozialraumprofil', 'indexklasse', { area: 'STGT03' })).toEqual([{ label: 'Statusindex', value: 4, note: 'sehr niedrig' }]);
    const trend = await rows(planer, 'sozialraumprofil', 'entwicklung', { area: 'STGT03', indicator: 'sgb2_quote' });
    expect(trend.filter((r) => r.series === 'Gebiet').map((r) => r.value)).toEqual([20.4, 19.9, 19.2]);
    expect(trend.filter((r) => r.series === 'Übergeordnetes Gebiet').map((r) => r.value)).toEqual([12.1, 11.8, 11.4]);
  });

  it('maps an indicator over the Stadtteile with geometry and ranks them, suppressed last', async () => {
    const map = await rows(fuehrung, 'indikator-atlas', 'karte', { indicator: 'sgb2_quote' });
    expect(map.map((r) => [r.code, r.value, r.suppressed])).toEqual([
      ['STGT01', null, true],
      ['STGT02', 9.8, false],
      ['STGT03', 19.2, false],
    ]);
    expect(JSON.parse(String(map[2]!.geometry))).toMatchObject({ type: 'Polygon' });
    expect(map[2]!.latitude).toBeCloseTo(54.808, 3);
    expect(map[2]!.longitude).toBeCloseTo(9.432, 3);
    const ranking = await rows(fuehrung, 'indikator-atlas', 'rangfolge', { indicator: 'sgb2_quote' });
    expect(ranking.map((r) => r.gebiet)).toEqual(['Nordstadt', 'Neustadt', 'Altstadt']);
    const series = await rows(fuehrung, 'indikator-atlas', 'zeitreihe', { indicator: 'sgb2_quote' });
    expect(series.filter((r) => String(r.time).startsWith('2023')).map((r) => [r.series, r.value])).toEqual([
      ['Gesamtgebiet', 11.4],
      ['höchster Gebietswert', 19.2],
      ['niedrigster Gebietswert', 9.8],
    ]);
  });

  it('shows the goal tree, the targets with attainment, and attainment over time', async () => {
    const tree = await rows(fuehrung, 'zielcontrolling', 'zielbaum');
    expect(tree.map((r) => [r.ziel, r.ebene])).toEqual([
      ['Gutes Aufwachsen in allen Stadtteilen', 'Leitbild'],
      ['    Kinderarmut in den Aktionsräumen senken', 'Strategisches Ziel'],
      ['        Familienzentren in allen Aktionsräumen ausbauen', 'Produktziel'],
    ]);
    expect(tree[2]!.status).toBe('beendet am 31.01.2027');
    const targets = await rows(fuehrung, 'zielcontrolling', 'zielwerte');
    // The Kinderarmut target was judged on a suppressed value: neither the value nor its share of
    // the way to the target (which would give the value away) reaches the protected audience.
    expect(targets.map((t) => [t.indikator, t.gebietsname, t.istwert, t.zielerreichung, t.suppressed, t.status])).toEqual([
      ['Kinderarmut', 'Altstadt', null, null, true, 'verfehlt'],
      ['SGB II-Quote', 'Nordstadt', 19.2, expect.any(Number), false, 'gefährdet'],
    ]);
    const raw = await rows(planer, 'zielcontrolling', 'zielwerte', { audience: 'v_indicator_value_raw' });
    expect(raw[0]).toMatchObject({ istwert: 10, zielerreichung: 50, suppressed: false });
    const over = await rows(fuehrung, 'zielcontrolling', 'verlauf');
    expect(over.map((r) => [r.time, r.series, r.value])).toEqual([
      ['2022-12-31 00:00:00', 'Kinderarmut in den Aktionsräumen senken: SGB II-Quote', 14.7],
      ['2023-12-31 00:00:00', 'Kinderarmut in den Aktionsräumen senken: SGB II-Quote', 35.3],
    ]);
    const overRaw = await rows(planer, 'zielcontrolling', 'verlauf', { audience: 'v_indicator_value_raw' });
    expect(overRaw.map((r) => [r.time, r.series, r.value])).toContainEqual(['2023-12-31 00:00:00', 'Kinderarmut in den Aktionsräumen senken: Kinderarmut', 50]);
  });

  it('shows reporting duties, quantities and Kennzahlen of the Träger, and the contracts', async () => {
    expect(await rows(fuehrung, 'kontrakte', 'pflichten')).toEqual([
      { label: 'überfällig', value: 1, color: 'RED' },
      { label: 'fällig', value: 1, color: 'YELLOW' },
      { label: 'erfüllt', value: 1, color: 'GREEN' },
      { label: 'davon verspätet eingereicht', value: 0, color: 'GREY' },
    ]);
    const duties = await rows(fuehrung, 'kontrakte', 'berichtspflichten');
    expect(duties.map((d) => [d.pflicht, d.status])).toEqual([
      ['jahresbericht', 'überfällig'],
      ['halbjahr', 'fällig'],
      ['jahresbericht', 'erfüllt'],
    ]);
    expect(duties[0]).toMatchObject({ kontrakt: 'Kontrakt Frühe Hilfen', faellig_am: '2026-03-31' });
    expect(duties[0]!.traeger).toBe('Familienhilfe Neustadt e.V.');
    // The amended contract no longer lists the quantity and the Kennzahl; the version the report refers to names them.
    expect(await rows(fuehrung, 'kontrakte', 'mengen')).toEqual([expect.objectContaining({ leistung: 'Beratungsfälle 2024', vereinbart: 120, erbracht: 104 })]);
    expect(await rows(fuehrung, 'kontrakte', 'kennzahlen')).toEqual([expect.objectContaining({ kennzahl: 'Erreichte Familien im Stadtteil', zielwert: 150, berichtet: 163, anteil: 108.7 })]);
    expect(await rows(fuehrung, 'kontrakte', 'vertraege')).toEqual([expect.objectContaining({ kontrakt: 'Kontrakt Frühe Hilfen', traeger: 'Familienhilfe Neustadt e.V.', stand: 'beendet zum 31.12.2026' })]);
  });

  it('shows the budget: Aufwand by value kind, per Produkt, deviations and the preventive share over the years', async () => {
    // Expected figures from the events themselves (Aufwand of 2024, the latest year with an Ansatz).
    const events = fixtureEvents().filter((e) => e.envelope.tenant === FLENSBURG);
    const euros = (cents: number) => Math.round(cents) / 100;
    const ansatzLines = (year: number) => events.flatMap((e) => (e.type === 'BudgetAppropriated' && e.data.budgetYear === year && e.data.kind === 'ANSATZ' ? e.data.lines : [])).filter((l) => l.accountKind === 'AUFWAND');
    const sum = (lines: Array<{ amountCents: number }>) => lines.reduce((total, l) => total + l.amountCents, 0);
    const ansatz = sum(ansatzLines(2024));
    const preventive = sum(ansatzLines(2024).filter((l) => l.prevention === 'PRAEVENTIV'));
    const ist = sum(events.flatMap((e) => (e.type === 'ActualPosted' && e.data.budgetYear === 2024 ? e.data.postings : [])));
    const obligo = sum(events.flatMap((e) => (e.type === 'CommitmentRecorded' ? e.data.lines.filter((l) => l.budgetYear === 2024) : [])));
    const forecast = events.flatMap((e) => (e.type === 'ForecastComputed' && e.data.budgetYear === 2024 ? e.data.lines : [])).reduce((t, l) => t + l.forecastCents, 0);
    const sums = await rows(fuehrung, 'budgetcontrolling', 'summen');
    expect(sums.map((s) => s.label)).toEqual(['Ansatz', 'fortgeschriebener Ansatz', 'Ist', 'Obligo', 'Hochrechnung', 'präventiver Anteil am Ansatz']);
    expect(sums.map((s) => s.value)).toEqual([euros(ansatz), expect.any(Number), euros(ist), euros(obligo), euros(forecast), Math.round((1000 * preventive) / ansatz) / 10]);
    expect(sums[0]!.value).toBe(17_525_678);
    const perProduct = await rows(fuehrung, 'budgetcontrolling', 'je_produkt');
    expect(perProduct.slice(0, 3).map((p) => [p.product_code, p.ansatz])).toEqual([
      ['363010', 12_345_678],
      ['365010', 4_200_000],
      ['361010', 980_000],
    ]);
    expect(perProduct[0]).toMatchObject({ ist: euros(ist), hochrechnung: 13_240_100 });
    const share = await rows(fuehrung, 'budgetcontrolling', 'praevention');
    const share2023 = Math.round((1000 * sum(ansatzLines(2023).filter((l) => l.prevention === 'PRAEVENTIV'))) / sum(ansatzLines(2023))) / 10;
    expect(share.filter((s) => s.series === 'präventiv').map((s) => s.value)).toEqual([share2023, Math.round((1000 * preventive) / ansatz) / 10]);
    expect(share2023).toBeLessThan(29.6);
    const year2023 = await rows(fuehrung, 'budgetcontrolling', 'summen', { year: '2023' });
    expect(year2023[0]).toMatchObject({ label: 'Ansatz', value: euros(sum(ansatzLines(2023))) });
    const deviations = await rows(fuehrung, 'budgetcontrolling', 'abweichungen');
    expect(deviations.map((d) => [d.produkt, d.abweichung])).toEqual([
      ['363010 Hilfen zur Erziehung', 1_144_422],
      ['365010 Kindertagesbetreuung', -250_000],
    ]);
  });

  it('compares the member Gemeinden of a Kreis on protected values, and nobody else\'s', async () => {
    const compared = await rows(kreis, 'kreisvergleich', 'vergleich');
    expect(compared).toEqual([
      { gemeinde: 'Rendsburg', wert: 13.6, suppressed: false },
      { gemeinde: 'Eckernförde', wert: 8.1, suppressed: false },
      { gemeinde: 'Büdelsdorf', wert: null, suppressed: true },
    ]);
    const table = await rows(kreis, 'kreisvergleich', 'tabelle');
    expect(table.map((r) => [r.gemeinde, r.rang, r.hinweis])).toEqual([
      ['Rendsburg', 1, ''],
      ['Eckernförde', 2, ''],
      ['Büdelsdorf', null, 'gesperrt'],
    ]);
    expect(await rows(kreis, 'kreisvergleich', 'karte')).toHaveLength(3);
    // Flensburg is no member of the Kreis: it sees only itself.
    expect((await rows(fuehrung, 'kreisvergleich', 'vergleich')).map((r) => r.gemeinde)).toEqual(['Flensburg']);
  });

  it('shows a Gemeinde its peers in the Kreisvergleich only as far as they released their figures, and never their other dashboards', async () => {
    const [eckernfoerde, buedelsdorf, rendsburg] = GEMEINDEN;
    const view = {
      tenant: (ags: string) =>
        ags === KREIS
          ? { tenant: KREIS, version: 1, name: 'Rendsburg-Eckernförde', kind: 'KREIS' as const, kreis: null, planningModel: 'BETREUUNG' as const, partnerThreshold: 20_000, members: GEMEINDEN.map((g) => ({ tenant: g.ags, name: g.name, population: null, relation: g.ags === rendsburg.ags ? ('PARTNER' as const) : ('BETREUT' as const) })), configuredBy: 'test', configuredAt: '2024-01-01T00:00:00.000Z' }
          : undefined,
      kreisOf: (ags: string) => (GEMEINDEN.some((g) => g.ags === ags) ? KREIS : undefined),
      releasesOf: (ags: string) =>
        ags === rendsburg.ags
          ? [{ releaseId: 'r-rendsburg', tenant: rendsburg.ags, datasetId: null, indicatorId: 'sgb2_quote', unitType: 'Gemeinde', audience: 'MEMBERS' as const, form: 'PROTECTED' as const, embargoUntil: '2024-03-01T00:00:00.000Z', note: null, grantedBy: 'test', grantedAt: '2024-01-01T00:00:00.000Z' }]
          : [],
      releasingTenants: () => [rendsburg.ags],
      tenants: () => [],
    };
    const gemeinde: Principal = { subject: 'user:eckernfoerde', tenant: eckernfoerde.ags, roles: ['fuehrung'] };
    const dashboard = dashboardsById.get('kreisvergleich')!;
    const panel = dashboard.panels.find((p) => p.key === 'vergleich')!;
    const compare = async (now: string) => (await runPanel(warehouse, dashboard, panel, gemeinde, {}, { view, now: new Date(now) })).rows.map((r) => r.gemeinde);
    // Before the embargo: only itself; after: Rendsburg too; Büdelsdorf released nothing.
    expect(await compare('2024-02-01T00:00:00Z')).toEqual([eckernfoerde.name]);
    expect((await compare('2024-03-02T00:00:00Z')).sort()).toEqual([eckernfoerde.name, rendsburg.name].sort());
    expect(await compare('2024-03-02T00:00:00Z')).not.toContain(buedelsdorf.name);
    // Its tenant choice stays its own: a release opens figures, not the peer's dashboards.
    const variables = await resolveVariables(warehouse, dashboardsById.get('budgetcontrolling')!, gemeinde, { tenant: rendsburg.ags }, { view, now: new Date('2024-03-02T00:00:00Z') });
    expect(variables.find((v) => v.name === 'tenant')!.options.map((o) => o.value)).toEqual([eckernfoerde.ags]);
    // The Kreis plans for Büdelsdorf (raw may be offered), not for Rendsburg, its partner.
    const kreisPlaner: Principal = { subject: 'user:kreis-plan', tenant: KREIS, roles: ['sozialplanung'] };
    const audience = async (tenant: string) =>
      (await resolveVariables(warehouse, dashboardsById.get('indikator-atlas')!, kreisPlaner, { tenant }, { view, now: new Date('2024-03-02T00:00:00Z') })).find((v) => v.name === 'audience')!.options.map((o) => o.value);
    expect(await audience(buedelsdorf.ags)).toContain('v_indicator_value_raw');
    expect(await audience(rendsburg.ags)).toEqual(['v_indicator_value_protected']);
  });

  it('serves a Kreis that delivers in the shared Gemeindeverzeichnis: its name, its scheme, its total as Gesamtgebiet, its Gemeinden by name', async () => {
    const variables = await resolveVariables(warehouse, dashboardsById.get('uebersicht')!, kreisGv, {});
    const byName = Object.fromEntries(variables.map((v) => [v.name, v]));
    expect(byName.tenant!.options).toEqual([{ value: KREIS_GV, label: 'Schleswig-Flensburg (01059)' }]);
    expect(byName.scheme!.value).toBe('gemeindeverzeichnis');
    // Key figures of the Gesamtgebiet: the Kreis total only, not one tile per unit.
    const key = await rows(kreisGv, 'uebersicht', 'kennzahlen');
    expect(key.map((r) => [r.indicator_id, r.value, r.previous])).toEqual([['arbeitslosendichte', KREIS_GV_TOTAL[1], null]]);
    const atlas = await rows(kreisGv, 'indikator-atlas', 'werte', { indicator: 'arbeitslosendichte' });
    // Only the units it has values for, not the whole register; Gemeinden before the Kreis.
    expect(atlas.map((r) => [r.gebiet, r.wert])).toEqual([
      ['Handewitt', GV_GEMEINDEN[1].rate[1]],
      ['Harrislee', GV_GEMEINDEN[0].rate[1]],
      ['Schleswig-Flensburg', KREIS_GV_TOTAL[1]],
    ]);
    const series = await rows(kreisGv, 'indikator-atlas', 'zeitreihe', { indicator: 'arbeitslosendichte' });
    expect(series.filter((r) => r.series === 'Gesamtgebiet').map((r) => r.value)).toEqual([...KREIS_GV_TOTAL]);
    const compared = await rows(kreisGv, 'kreisvergleich', 'vergleich', { indicator: 'arbeitslosendichte' });
    expect(compared.map((r) => r.gemeinde)).toEqual(['Harrislee', 'Handewitt']);
  });

  it('runs a panel on the requested values without re-resolving them, but never for a tenant or audience the caller may not choose', async () => {
    // A Flensburg Führung asking for the Kreis's data and raw values gets its own protected ones.
    const foreign = await runPanel(warehouse, dashboardsById.get('indikator-atlas')!, dashboardsById.get('indikator-atlas')!.panels.find((p) => p.key === 'werte')!, fuehrung, {
      tenant: KREIS,
      scheme: 'stadtteile',
      indicator: 'sgb2_quote',
      period: '2023-12-31',
      audience: 'v_indicator_value_raw',
    });
    const chosen = Object.fromEntries(foreign.variables.map((v) => [v.name, v.value]));
    expect(chosen).toMatchObject({ tenant: FLENSBURG, audience: 'v_indicator_value_protected' });
    expect(foreign.rows.find((r) => r.code === 'STGT01')).toMatchObject({ wert: null, suppressed: true });
    // Values of the right shape are taken as they come (the web view resolved them already).
    const asked = await runPanel(warehouse, dashboardsById.get('indikator-atlas')!, dashboardsById.get('indikator-atlas')!.panels.find((p) => p.key === 'werte')!, planer, {
      tenant: FLENSBURG,
      scheme: 'stadtteile',
      indicator: 'kinderarmut',
      period: '2022-12-31',
      audience: 'v_indicator_value_raw',
    });
    expect(asked.variables.every((v) => v.options.length === 0)).toBe(true);
    expect(asked.rows.find((r) => r.code === 'STGT03')).toMatchObject({ wert: 30.6 });
    // A malformed period is not passed to the engine: the latest Stichtag is chosen instead.
    const malformed = await runPanel(warehouse, dashboardsById.get('indikator-atlas')!, dashboardsById.get('indikator-atlas')!.panels.find((p) => p.key === 'werte')!, planer, { period: "2023-12-31' OR 1=1" });
    expect(malformed.variables.find((v) => v.name === 'period')!.value).toBe('2023-12-31');
  });
});
