/**
 * v_budget_value turns the budget facts into one row per line and value kind, the figures every
 * FIS budget panel sums. The view reads each source table once (appropriations and movements in
 * one aggregation); these cases pin the rules that reading must keep: a Nachtrag replaces the
 * Ansatz in the fortgeschriebener Ansatz, movements add to it, a line with movements only has a
 * fortgeschriebener Ansatz of its own, a line with only a Planung has none, and the latest
 * revision of a commitment is its Obligo.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChdbWarehouse, createChdbWarehouse } from '@lagebild/platform';
import { applySchema } from '../src/schema';

let dir: string;
let warehouse: ChdbWarehouse;
const db = 'budget_rules';

const common = { product_area: '36', product_group: '361', cost_centre: '', account_kind: 'AUFWAND', event_id: '00000000-0000-4000-8000-000000000001', recorded_at: '2024-01-01 00:00:00.000', _ver: 1 };

function line(tenant: string, budget_year: number, value_kind: string, product_code: string, amount_cents: number, prevention = 'PRAEVENTIV') {
  return { ...common, tenant, budget_year, value_kind, product_code, account: '5331', amount_cents, prevention, approach: 'STRUKTURELL', decision: 'Haushaltssatzung 2024' };
}

function movement(movement_id: string, side: 'ZU' | 'AB', product_code: string, amount_cents: number) {
  return { ...common, tenant: '01001', budget_year: 2024, movement_id, movement_kind: 'UMSCHICHTUNG', side, product_code, account: '5331', amount_cents, reason: '', decision: '' };
}

function commitment(tenant: string, commitment_id: string, revision: number, amount_cents: number) {
  return { ...common, tenant, commitment_id, revision, source: 'VERTRAG', contract_id: null, budget_year: 2024, product_code: '361010', account: '5331', amount_cents };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-budget-value-'));
  warehouse = await createChdbWarehouse({ path: dir });
  await applySchema(warehouse, db);
  await warehouse.insert(`${db}.fact_budget_line`, [
    line('01001', 2024, 'ANSATZ', '361010', 100_000),
    line('01001', 2024, 'NACHTRAG', '361010', 150_000),
    line('01001', 2024, 'PLANUNG', '361010', 90_000),
    line('01001', 2025, 'PLANUNG', '361010', 110_000),
    line('01001', 2024, 'ANSATZ', '361020', 200_000, 'NICHT_ZUGEORDNET'),
    line('01001', 2024, 'PLANUNG', '361030', 70_000),
    line('01001', 2024, 'ANSATZ', '361040', 0),
    line('01001', 2024, 'NACHTRAG', '361040', 30_000),
  ]);
  await warehouse.insert(`${db}.fact_budget_movement`, [
    movement('U1', 'AB', '361020', -50_000),
    movement('U1', 'ZU', '361010', 50_000),
    movement('U2', 'ZU', '361030', 20_000),
    movement('U3', 'ZU', '361090', 40_000),
    movement('U4', 'AB', '361040', -10_000),
  ]);
  await warehouse.insert(`${db}.fact_commitment`, [commitment('01001', 'V1', 1, 10_000), commitment('01001', 'V1', 2, 15_000), commitment('01001', 'V2', 1, 7_000), commitment('01002', 'V1', 1, 99_900)]);
  await warehouse.insert(`${db}.dim_product`, [
    { tenant: '01001', product_code: '361020', name: 'Hilfen zur Erziehung', product_area: '36', product_group: null, budget_unit: '', responsible: '', prevention: 'NACHSORGEND', approach: 'INDIVIDUELL', goal_ids: [], event_id: common.event_id, recorded_at: common.recorded_at, _ver: 1 },
  ]);
});

afterAll(async () => {
  await warehouse?.close();
  await rm(dir, { recursive: true, force: true });
});

async function values(where: string): Promise<Array<{ product_code: string; value_kind: string; amount_cents: number; prevention: string }>> {
  return warehouse.query(`SELECT product_code, value_kind, amount_cents, prevention FROM ${db}.v_budget_value WHERE ${where} ORDER BY product_code, value_kind`);
}

describe('budget values per line and value kind', () => {
  it('take the Nachtrag instead of the Ansatz for the fortgeschriebener Ansatz and add the movements', async () => {
    expect(await values("tenant = '01001' AND budget_year = 2024 AND product_code = '361010'")).toEqual([
      { product_code: '361010', value_kind: 'ANSATZ', amount_cents: 100_000, prevention: 'PRAEVENTIV' },
      { product_code: '361010', value_kind: 'FORTGESCHRIEBENER_ANSATZ', amount_cents: 200_000, prevention: 'PRAEVENTIV' },
      { product_code: '361010', value_kind: 'OBLIGO', amount_cents: 22_000, prevention: 'NICHT_ZUGEORDNET' },
      { product_code: '361010', value_kind: 'PLANUNG', amount_cents: 90_000, prevention: 'PRAEVENTIV' },
    ]);
    // Ansatz 0 with a Nachtrag: the Nachtrag less the movement.
    expect(await values("tenant = '01001' AND product_code = '361040'")).toEqual([{ product_code: '361040', value_kind: 'FORTGESCHRIEBENER_ANSATZ', amount_cents: 20_000, prevention: 'PRAEVENTIV' }]);
  });

  it('give a line with movements only its own fortgeschriebener Ansatz, and a line with only a Planung none', async () => {
    expect(await values("tenant = '01001' AND product_code IN ('361030', '361090')")).toEqual([
      { product_code: '361030', value_kind: 'PLANUNG', amount_cents: 70_000, prevention: 'PRAEVENTIV' },
      { product_code: '361090', value_kind: 'FORTGESCHRIEBENER_ANSATZ', amount_cents: 40_000, prevention: 'NICHT_ZUGEORDNET' },
    ]);
  });

  it('classify a line without its own classification by its Produkt, and count the latest revision of each commitment per tenant', async () => {
    expect(await values("tenant = '01001' AND product_code = '361020'")).toEqual([
      { product_code: '361020', value_kind: 'ANSATZ', amount_cents: 200_000, prevention: 'NACHSORGEND' },
      { product_code: '361020', value_kind: 'FORTGESCHRIEBENER_ANSATZ', amount_cents: 150_000, prevention: 'NACHSORGEND' },
    ]);
    expect(await values("tenant = '01002'")).toEqual([{ product_code: '361010', value_kind: 'OBLIGO', amount_cents: 99_900, prevention: 'NICHT_ZUGEORDNET' }]);
  });
});
