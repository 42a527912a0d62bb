/**
 * The access decision for a Kreis with members it plans for and an equal partner, their peers, a
 * foreign tenant and the public: which figures each sees and in which form, releases with
 * embargo and withdrawal, statistics-only figures; and the SQL form of the same decision run on
 * chDB for every principal x figure, so the warehouse cannot decide differently from the API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore } from '../documents';
import type { DocumentStore } from '../ports/document-store';
import type { Principal, Role } from '../runtime/request-context';
import { type ChdbWarehouse, createChdbWarehouse } from '../warehouse/chdb';
import { createTenancyDirectory, type TenancyDirectory } from './directory';
import { accessConditionSql, decideAccess, type FigureScope, readableTenants, relationOf, type Release } from './policy';

const KREIS = '01054';
const SMALL = '01054001'; // betreut
const SMALL_2 = '01054002'; // betreut
const HUSUM = '01054056'; // partner
const FLENSBURG = '01001';
const NOW = new Date('2024-06-01T12:00:00Z');

const who = (tenant: string, roles: Role[], memberOf?: string[]): Principal => ({ subject: `t:${tenant}:${roles.join('+')}`, tenant, roles, ...(memberOf ? { memberOf } : {}) });

function release(overrides: Partial<Release> & Pick<Release, 'releaseId' | 'tenant' | 'audience'>): Release {
  return { datasetId: null, indicatorId: null, unitType: null, form: 'PROTECTED', embargoUntil: null, note: null, grantedBy: 'cli:test', grantedAt: '2024-01-01T00:00:00.000Z', ...overrides };
}

let directory: TenancyDirectory;
let storeRoot: string;
const stores: DocumentStore[] = [];

/** A real LMDB document store in a fresh directory. */
function freshStore(): DocumentStore {
  const store = createLmdbDocumentStore({ path: path.join(storeRoot, String(stores.length)) });
  stores.push(store);
  return store;
}

beforeAll(async () => {
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'lagebild-tenancy-store-'));
});

afterAll(async () => {
  for (const s of stores) await s.close();
  await rm(storeRoot, { recursive: true, force: true });
});

beforeEach(async () => {
  const documents = freshStore();
  directory = createTenancyDirectory(documents);
  await directory.load();
  await directory.apply([
    {
      type: 'TenantConfigured',
      data: {
        tenant: KREIS,
        version: 1,
        name: 'Nordfriesland',
        kind: 'KREIS',
        kreis: null,
        planningModel: 'BETREUUNG',
        partnerThreshold: 20_000,
        members: [
          { tenant: SMALL, name: 'Alkersum', population: 400, relation: 'BETREUT' },
          { tenant: SMALL_2, name: 'Almdorf', population: 700, relation: 'BETREUT' },
          { tenant: HUSUM, name: 'Husum, Stadt', population: 23_000, relation: 'PARTNER' },
        ],
        configuredBy: 'cli:test',
        configuredAt: '2024-01-01T00:00:00.000Z',
      },
    },
    { type: 'ReleaseGranted', data: release({ releaseId: 'r-small-members', tenant: SMALL, audience: 'MEMBERS', indicatorId: 'alq' }) },
    { type: 'ReleaseGranted', data: release({ releaseId: 'r-husum-kreis-raw', tenant: HUSUM, audience: 'KREIS', form: 'RAW', indicatorId: 'alq' }) },
    { type: 'ReleaseGranted', data: release({ releaseId: 'r-husum-public-later', tenant: HUSUM, audience: 'PUBLIC', unitType: 'Gemeinde', embargoUntil: '2024-07-01T08:00:00.000Z' }) },
    { type: 'ReleaseGranted', data: release({ releaseId: 'r-small2-withdrawn', tenant: SMALL_2, audience: 'PUBLIC' }) },
    { type: 'ReleaseWithdrawn', data: { releaseId: 'r-small2-withdrawn', tenant: SMALL_2, withdrawnBy: 'cli:test', withdrawnAt: '2024-02-01T00:00:00.000Z' } },
  ]);
});

describe('relations from the register', () => {
  it('knows own, the Kreis over members it plans for or partners with, peers and foreign tenants', () => {
    const view = directory.view();
    expect(relationOf(view, who(SMALL, ['sozialplanung']), SMALL)).toBe('OWN');
    expect(relationOf(view, who(KREIS, ['sozialplanung']), SMALL)).toBe('KREIS_BETREUT');
    expect(relationOf(view, who(KREIS, ['sozialplanung']), HUSUM)).toBe('KREIS_PARTNER');
    expect(relationOf(view, who(HUSUM, ['sozialplanung']), SMALL)).toBe('PEER');
    expect(relationOf(view, who(SMALL, ['sozialplanung']), KREIS)).toBe('PEER');
    expect(relationOf(view, who(FLENSBURG, ['sozialplanung']), SMALL)).toBe('FOREIGN');
    expect(relationOf(view, who(FLENSBURG, ['sozialplanung'], ['01001999']), '01001999')).toBe('KREIS_PARTNER');
  });

  it('keeps the highest tenant version and never revives a withdrawn release', async () => {
    await directory.apply([
      { type: 'TenantConfigured', data: { ...directory.view().tenant(KREIS)!, version: 1, name: 'alt' } },
      { type: 'ReleaseGranted', data: release({ releaseId: 'r-small2-withdrawn', tenant: SMALL_2, audience: 'PUBLIC' }) },
    ]);
    expect(directory.view().tenant(KREIS)?.name).toBe('Nordfriesland');
    expect(directory.view().releasesOf(SMALL_2)[0]?.withdrawnAt).toBe('2024-02-01T00:00:00.000Z');
  });

  it('survives a restart: the register is read back from the document store', async () => {
    const documents = freshStore();
    const first = createTenancyDirectory(documents);
    await first.load();
    await first.apply([{ type: 'ReleaseGranted', data: release({ releaseId: 'x', tenant: SMALL, audience: 'PUBLIC' }) }]);
    const second = createTenancyDirectory(documents);
    await second.load();
    expect(second.view().releasesOf(SMALL).map((r) => r.releaseId)).toEqual(['x']);
  });
});

describe('decideAccess', () => {
  const alq = (tenant: string, extra: Partial<FigureScope> = {}): FigureScope => ({ tenant, indicatorId: 'alq', unitType: 'Gemeinde', sensitivity: 'INTERNAL', ...extra });

  it('gives raw figures to the own planner and to the Kreis for members it plans for; protected to Führung', () => {
    const view = directory.view();
    expect(decideAccess(view, who(SMALL, ['sozialplanung']), alq(SMALL), NOW)).toMatchObject({ form: 'RAW', relation: 'OWN' });
    expect(decideAccess(view, who(SMALL, ['fuehrung']), alq(SMALL), NOW)).toMatchObject({ form: 'PROTECTED' });
    expect(decideAccess(view, who(KREIS, ['sozialplanung']), alq(SMALL), NOW)).toMatchObject({ form: 'RAW', relation: 'KREIS_BETREUT' });
    expect(decideAccess(view, who(KREIS, ['fuehrung']), alq(SMALL), NOW)).toMatchObject({ form: 'PROTECTED' });
  });

  it('shows an equal partner to the Kreis protected, raw only what it released raw to the Kreis', () => {
    const view = directory.view();
    const planner = who(KREIS, ['sozialplanung']);
    expect(decideAccess(view, planner, alq(HUSUM, { indicatorId: 'einwohner' }), NOW)).toEqual({ form: 'PROTECTED', relation: 'KREIS_PARTNER' });
    const raw = decideAccess(view, planner, alq(HUSUM), NOW);
    expect(raw).toMatchObject({ form: 'RAW', relation: 'KREIS_PARTNER' });
    expect(raw?.release?.releaseId).toBe('r-husum-kreis-raw');
  });

  it('lets a Gemeinde decide what its peers see: nothing unless released to the members, then protected with the release', () => {
    const view = directory.view();
    const husum = who(HUSUM, ['sozialplanung']);
    const shown = decideAccess(view, husum, alq(SMALL), NOW);
    expect(shown).toMatchObject({ form: 'PROTECTED', relation: 'PEER' });
    expect(shown?.release?.releaseId).toBe('r-small-members');
    expect(decideAccess(view, husum, alq(SMALL, { indicatorId: 'einwohner' }), NOW)).toBeNull();
    expect(decideAccess(view, who(SMALL, ['sozialplanung']), alq(SMALL_2), NOW)).toBeNull();
    // A release to the members is not a release to the world.
    expect(decideAccess(view, who(FLENSBURG, ['sozialplanung']), alq(SMALL), NOW)).toBeNull();
  });

  it('holds a release back until its embargo and drops a withdrawn one', () => {
    const view = directory.view();
    const flensburg = who(FLENSBURG, ['fuehrung']);
    expect(decideAccess(view, flensburg, alq(HUSUM, { indicatorId: 'einwohner' }), NOW)).toBeNull();
    const after = decideAccess(view, flensburg, alq(HUSUM, { indicatorId: 'einwohner' }), new Date('2024-07-01T08:00:00Z'));
    expect(after).toMatchObject({ form: 'PROTECTED', relation: 'FOREIGN' });
    expect(after?.release?.releaseId).toBe('r-husum-public-later');
    // The public release covers the Gemeinde level only.
    expect(decideAccess(view, flensburg, alq(HUSUM, { unitType: 'Gesamt' }), new Date('2024-08-01T00:00:00Z'))).toBeNull();
    expect(decideAccess(view, who(FLENSBURG, ['public']), alq(SMALL_2), NOW)).toBeNull();
  });

  it('keeps statistics-only figures raw for the Statistikstelle and protected for everyone else', () => {
    const view = directory.view();
    const sealed = alq(SMALL, { sensitivity: 'SEALED' });
    expect(decideAccess(view, who(SMALL, ['statistikstelle']), sealed, NOW)).toMatchObject({ form: 'RAW' });
    expect(decideAccess(view, who(SMALL, ['sozialplanung']), sealed, NOW)).toMatchObject({ form: 'PROTECTED' });
    expect(decideAccess(view, who(SMALL, ['admin']), sealed, NOW)).toMatchObject({ form: 'PROTECTED' });
    expect(decideAccess(view, who(KREIS, ['statistikstelle']), sealed, NOW)).toMatchObject({ form: 'RAW' });
    expect(decideAccess(view, who(KREIS, ['sozialplanung']), sealed, NOW)).toMatchObject({ form: 'PROTECTED' });
  });

  it('gives the public role only published figures, protected', () => {
    const view = directory.view();
    expect(decideAccess(view, who(SMALL, ['public']), alq(SMALL), NOW)).toBeNull();
    expect(decideAccess(view, who(SMALL, ['public']), alq(SMALL, { sensitivity: 'PUBLIC' }), NOW)).toMatchObject({ form: 'PROTECTED' });
    expect(decideAccess(view, who(FLENSBURG, ['public']), alq(HUSUM, { indicatorId: 'x' }), new Date('2024-09-01T00:00:00Z'))).toMatchObject({ form: 'PROTECTED' });
  });

  it('lists the tenants a principal may see at least partly', () => {
    const view = directory.view();
    expect(readableTenants(view, who(KREIS, ['fuehrung']), NOW)).toEqual([KREIS, SMALL, SMALL_2, HUSUM].sort());
    expect(readableTenants(view, who(HUSUM, ['fuehrung']), NOW)).toEqual([SMALL, HUSUM].sort());
    expect(readableTenants(view, who(FLENSBURG, ['fuehrung']), NOW)).toEqual([FLENSBURG]);
    expect(readableTenants(view, who(FLENSBURG, ['fuehrung']), new Date('2024-07-02T00:00:00Z'))).toEqual([FLENSBURG, HUSUM]);
  });
});

describe('accessConditionSql on chDB agrees with decideAccess', () => {
  let root: string;
  let warehouse: ChdbWarehouse;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'lagebild-tenancy-'));
    warehouse = await createChdbWarehouse({ path: root });
  });

  afterAll(async () => {
    await warehouse?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('selects exactly the rows each principal may read, raw and protected, before and after an embargo', async () => {
    const tenants = [KREIS, SMALL, SMALL_2, HUSUM, FLENSBURG];
    const rows: FigureScope[] = [];
    for (const tenant of tenants) {
      for (const indicatorId of ['alq', 'einwohner', "o'brien"]) {
        for (const unitType of ['Gemeinde', 'Gesamt']) {
          for (const sensitivity of ['PUBLIC', 'INTERNAL', 'SEALED']) rows.push({ tenant, indicatorId, unitType, sensitivity });
        }
      }
    }
    const values = rows.map((r, i) => `(${i}, '${r.tenant}', '${r.indicatorId!.replace(/'/g, "\\'")}', '${r.unitType}', '${r.sensitivity}')`).join(',');
    const table = `(SELECT * FROM values('id UInt32, tenant String, indicator_id String, unit_type String, sensitivity String', ${values}))`;
    const principals: Principal[] = [];
    for (const tenant of tenants) for (const role of ['sozialplanung', 'fuehrung', 'statistikstelle', 'public'] as Role[]) principals.push(who(tenant, [role]));
    principals.push(who(FLENSBURG, ['admin'], ['01001999']));
    let checked = 0;
    for (const now of [NOW, new Date('2024-07-02T00:00:00Z')]) {
      for (const principal of principals) {
        for (const form of ['RAW', 'PROTECTED'] as const) {
          const condition = accessConditionSql(directory.view(), principal, now, form);
          const got = (await warehouse.query<{ id: number }>(`SELECT id FROM ${table} WHERE ${condition} ORDER BY id`)).map((r) => Number(r.id));
          const expected = rows.flatMap((r, i) => {
            const access = decideAccess(directory.view(), principal, r, now);
            return access && (form === 'PROTECTED' || access.form === 'RAW') ? [i] : [];
          });
          expect({ principal: principal.subject, form, now, rows: got }).toEqual({ principal: principal.subject, form, now, rows: expected });
          checked += 1;
        }
      }
    }
    expect(checked).toBe(2 * 21 * 2);
  });

  it('writes embargoes into the condition for row policies, so a policy written before the embargo opens on time', async () => {
    const principal = who(FLENSBURG, ['fuehrung']);
    const condition = accessConditionSql(directory.view(), principal, NOW, 'PROTECTED', {}, { embargo: 'sql' });
    expect(condition).toContain("parseDateTime64BestEffort('2024-07-01T08:00:00.000Z', 3)");
    const sees = async (at: string) =>
      (await warehouse.query<{ n: string }>(`SELECT count() AS n FROM (SELECT '${HUSUM}' AS tenant, 'einwohner' AS indicator_id, 'Gemeinde' AS unit_type, 'INTERNAL' AS sensitivity) WHERE ${condition.replace(/now64\(3\)/g, `toDateTime64('${at}', 3, 'UTC')`)}`))[0]!.n;
    expect(Number(await sees('2024-06-30 00:00:00'))).toBe(0);
    expect(Number(await sees('2024-07-01 08:00:00'))).toBe(1);
  });
});
