/**
 * The ClickHouse access SQL for Grafana readers, checked on the real engine (chDB): every
 * statement parses as exactly one ClickHouse statement (formatQuery), the row policy conditions
 * run against the real tables and let each reader see exactly its tenants' rows (a Kreis with its
 * members, a Gemeinde only itself, everyone the shared reference rows) and only protected values,
 * nothing raw is granted, and the dashboards Grafana runs read only what is granted.
 *
 * chDB cannot create users, roles or policies (its embedded access storage is read-only), so the
 * policies are evaluated as what ClickHouse applies: per reader, the OR of its permissive
 * conditions AND every restrictive one, as a WHERE over the table.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChdbWarehouse, createChdbWarehouse, createLmdbDocumentStore, createTenancyDirectory, type DocumentStore } from '@lagebild/platform';
import {
  AccessInputError,
  type AccessSql,
  clickhouseAccessSql,
  EXAMPLE_TENANTS,
  exampleAccessFile,
  ident,
  literal,
  OPERATOR_ROLE,
  READER_ACCESS,
  READER_ROLE,
  SHARED_TENANT,
  tenantColumnOf,
  tenantsFromRegister,
} from '../src/access';
import { applySchema } from '../src/projection';
import { TABLES, VIEWS } from '../src/schema';

const KREIS = '01054';
const HUSUM = '01054056';
const NIEBUELL = '01054088';
const FLENSBURG = '01001';
const register = [
  { id: KREIS, name: 'Kreis Nordfriesland', members: [HUSUM, NIEBUELL] },
  { id: HUSUM, name: 'Husum' },
  { id: FLENSBURG, name: 'Flensburg' },
];
const ALL_TENANTS = [KREIS, HUSUM, NIEBUELL, FLENSBURG, SHARED_TENANT];
const OBJECTS = [...TABLES.map((t) => t.name), ...VIEWS.map((v) => v.name)];

let dir: string;
let warehouse: ChdbWarehouse;
let access: AccessSql;
let documents: DocumentStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-access-'));
  warehouse = await createChdbWarehouse({ path: dir });
  documents = createLmdbDocumentStore({ path: path.join(dir, 'register') });
  await applySchema(warehouse);
  // Rows of every tenant in every table (other columns at their defaults).
  for (const table of TABLES) {
    const column = tenantColumnOf(table.name)!;
    await warehouse.command(`INSERT INTO lagebild.${table.name} (${column}) VALUES ${ALL_TENANTS.map((t) => `('${t}')`).join(', ')}`);
  }
  await warehouse.command(
    `INSERT INTO lagebild.fact_indicator_value (tenant, protection, sensitivity, area_code) VALUES ('${KREIS}', 'RAW', 'INTERNAL', 'raw'), ('${KREIS}', 'PROTECTED', 'INTERNAL', 'protected'), ('${KREIS}', 'PROTECTED', 'SEALED', 'sealed')`,
  );
  // Distinct targets, so the replacing merge keeps both rows.
  await warehouse.command(
    `INSERT INTO lagebild.fact_attainment (tenant, target_id, value_suppressed, method) VALUES ('${KREIS}', '00000000-0000-0000-0000-000000000001', true, 'suppressed'), ('${KREIS}', '00000000-0000-0000-0000-000000000002', false, 'shown')`,
  );
  access = clickhouseAccessSql({ tenants: register, operatorReaders: ['lagebild_readonly'] });
}, 60_000);

afterAll(async () => {
  await documents?.close();
  await warehouse?.close();
  await rm(dir, { recursive: true, force: true });
});

/** What ClickHouse filters with for a user holding `roles`: any permissive policy, and every restrictive one. */
function effectiveCondition(sql: AccessSql, object: string, roles: readonly string[]): string | undefined {
  const mine = sql.policies.filter((p) => p.object === object && p.to.some((t) => roles.includes(t)));
  const permissive = mine.filter((p) => p.kind === 'permissive').map((p) => `(${p.condition})`);
  if (permissive.length === 0) return undefined;
  const restrictive = mine.filter((p) => p.kind === 'restrictive').map((p) => `(${p.condition})`);
  return [`(${permissive.join(' OR ')})`, ...restrictive].join(' AND ');
}

function readerRoles(tenant: string): string[] {
  const reader = access.readers.find((r) => r.tenant === tenant)!;
  return [READER_ROLE, reader.role];
}

async function visibleTenants(object: string, roles: readonly string[]): Promise<string[]> {
  const where = effectiveCondition(access, object, roles);
  if (where === undefined) return [];
  const column = tenantColumnOf(object)!;
  const rows = await warehouse.query<{ t: string }>(`SELECT DISTINCT ${column} AS t FROM lagebild.${object} WHERE ${where} ORDER BY t`);
  return rows.map((r) => r.t);
}

async function formatted(statement: string): Promise<string> {
  const [row] = await warehouse.query<{ f: string }>('SELECT formatQuery({sql:String}) AS f', { sql: statement });
  return row!.f;
}

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

/** A small well-formedness check and tree of the ClickHouse config files (elements, text, quoted attributes). */
function parseXml(text: string): XmlElement {
  const body = text.replace(/^<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const document: XmlElement = { name: '#document', children: [], text: '' };
  const stack = [document];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/g;
  let consumed = 0;
  for (let m = token.exec(body); m; m = token.exec(body)) {
    if (m.index !== consumed) throw new Error(`not well-formed at ${consumed}: ${body.slice(consumed, consumed + 30)}`);
    consumed = token.lastIndex;
    const [, close, name, , selfClosing, chars] = m;
    if (chars !== undefined) {
      if (/&(?!amp;|lt;|gt;|quot;|apos;)/.test(chars)) throw new Error(`bare & in ${chars.trim()}`);
      stack.at(-1)!.text += chars;
    } else if (close) {
      const open = stack.pop()!;
      if (open.name !== name) throw new Error(`</${name}> closes <${open.name}>`);
    } else {
      const element: XmlElement = { name: name!, children: [], text: '' };
      stack.at(-1)!.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (consumed !== body.length || stack.length !== 1) throw new Error('not well-formed: unclosed element or stray text');
  if (document.children.length !== 1) throw new Error('expected one root element');
  return document.children[0]!;
}

const child = (e: XmlElement, name: string) => e.children.find((c) => c.name === name);

/** An object as a FROM source; the as-of views take their parameter. */
function source(object: string): string {
  const parameterised = VIEWS.find((v) => v.name === object)?.select.includes('{asof:') === true;
  return parameterised ? `lagebild.${object}(asof = '2100-01-01 00:00:00')` : `lagebild.${object}`;
}

/** Objects named `lagebild.<name>` in a text. */
function objectsIn(sql: string): string[] {
  return [...sql.matchAll(/\blagebild\.([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!);
}

describe('ClickHouse access for Grafana readers', () => {
  it('decides for every table and view of the schema whether FIS readers may read it', () => {
    expect(Object.keys(READER_ACCESS).sort()).toEqual([...OBJECTS].sort());
  });

  it('gives every tenant a row policy on every table and view that has a tenant column', async () => {
    const withTenant: string[] = [];
    for (const object of OBJECTS) {
      const columns = (await warehouse.query<{ name: string }>(`DESCRIBE (SELECT * FROM ${source(object)})`)).map((c) => c.name);
      const column = ['tenant', 'scope'].find((c) => columns.includes(c));
      expect({ object, column: tenantColumnOf(object) }).toEqual({ object, column });
      if (column) withTenant.push(object);
    }
    expect(withTenant.sort()).toEqual([...OBJECTS].sort());
    for (const reader of access.readers) {
      const covered = access.policies.filter((p) => p.to.includes(reader.role)).map((p) => p.object);
      expect(covered.sort()).toEqual([...OBJECTS].sort());
    }
  });

  it('lets a Kreis see its own rows and its member Gemeinden’s, and nobody else’s', async () => {
    for (const table of ['fact_budget_line', 'dim_goal', 'fact_contract_duty', 'fact_observation']) {
      expect(await visibleTenants(table, readerRoles(KREIS))).toEqual([KREIS, HUSUM, NIEBUELL]);
    }
  });

  it('lets a Gemeinde see only its own rows, even when it is a member of a Kreis', async () => {
    expect(await visibleTenants('fact_budget_line', readerRoles(HUSUM))).toEqual([HUSUM]);
    expect(await visibleTenants('dim_contract', readerRoles(FLENSBURG))).toEqual([FLENSBURG]);
  });

  it('shows every reader the shared reference data of the system tenant, and no fact of it', async () => {
    for (const object of ['dim_area', 'dim_scheme_version', 'dim_area_geometry', 'dim_indicator']) {
      expect(await visibleTenants(object, readerRoles(FLENSBURG))).toEqual([SHARED_TENANT, FLENSBURG]);
    }
    expect(await visibleTenants('fact_indicator_value', readerRoles(FLENSBURG))).toEqual([]);
  });

  it('shows FIS readers protected indicator values only, never raw or sealed ones', async () => {
    const where = effectiveCondition(access, 'fact_indicator_value', readerRoles(KREIS))!;
    const rows = await warehouse.query<{ area_code: string }>(`SELECT area_code FROM lagebild.fact_indicator_value WHERE tenant = '${KREIS}' AND area_code != '' AND ${where}`);
    expect(rows.map((r) => r.area_code)).toEqual(['protected']);
  });

  it('hides from FIS readers the verdict on a suppressed value, which would give the value away', async () => {
    const where = effectiveCondition(access, 'fact_attainment', readerRoles(KREIS))!;
    const rows = await warehouse.query<{ method: string }>(`SELECT method FROM lagebild.fact_attainment WHERE method != '' AND ${where}`);
    expect(rows.map((r) => r.method)).toEqual(['shown']);
  });

  it('lets the projector and the operator’s readers see every row of every object, raw values included', async () => {
    for (const roles of [['lagebild'], [OPERATOR_ROLE]]) {
      for (const object of OBJECTS) expect(effectiveCondition(access, object, roles)).toBe('((1))');
      expect(await visibleTenants('fact_indicator_value', roles)).toEqual([...ALL_TENANTS].sort());
    }
  });

  it('gives the operator’s read-only users the whole database under a read-only profile', () => {
    expect(access.statements).toContain(`GRANT SELECT ON lagebild.* TO ${OPERATOR_ROLE}`);
    expect(access.statements).toContain(`GRANT ${OPERATOR_ROLE} TO lagebild_readonly`);
    expect(access.statements.find((st) => st.startsWith(`ALTER SETTINGS PROFILE ${OPERATOR_ROLE} `))).toMatch(/SETTINGS readonly = 1, max_execution_time = 25\b/);
    expect(() => clickhouseAccessSql({ tenants: register, operatorReaders: ['lagebild'] })).toThrow(/lagebild steht auch in unrestrictedUsers/);
  });

  it('runs every policy condition on its view, so a condition cannot name a column the view lacks', async () => {
    for (const view of VIEWS) {
      for (const p of access.policies.filter((q) => q.object === view.name)) {
        await expect(warehouse.query(`SELECT count() AS n FROM ${source(view.name)} WHERE ${p.condition}`)).resolves.toHaveLength(1);
      }
    }
  });

  it('grants nothing that holds raw counts only, and no raw indicator view', () => {
    const withheld = ['fact_observation', 'v_observation', 'v_observation_asof', 'v_indicator_value_raw', 'v_indicator_value_asof', 'fact_delivery'];
    for (const object of withheld) expect(access.granted).not.toContain(object);
    const grantedInSql = access.statements.filter((s) => /^GRANT\b.*\bSELECT ON\b.* TO lagebild_fis_reader$/m.test(s)).flatMap(objectsIn);
    expect(grantedInSql.sort()).toEqual([...access.granted].sort());
    // Whatever is granted and can hold raw values is filtered for every reader by a restrictive policy.
    const rawCapable = access.granted.filter((o) => ['fact_indicator_value', 'fact_attainment'].includes(o));
    for (const object of rawCapable) {
      expect(access.policies.some((p) => p.object === object && p.kind === 'restrictive' && p.to.includes(READER_ROLE))).toBe(true);
    }
  });

  it('grants what every granted view reads, since views run with the reader’s rights (SQL SECURITY INVOKER)', () => {
    for (const view of VIEWS.filter((v) => access.granted.includes(v.name))) {
      const sources = [...view.select.matchAll(/\{db\}\.([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!);
      for (const source of sources) expect({ view: view.name, source, granted: access.granted.includes(source) }).toEqual({ view: view.name, source, granted: true });
    }
  });

  it('grants every table and view the provisioned Grafana dashboards read (the raw audience excepted)', async () => {
    const folder = path.resolve(__dirname, '../../../infra/grafana/dashboards');
    const read = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'rawSql' && typeof value === 'string') objectsIn(value).forEach((o) => read.add(o));
          else walk(value);
        }
      }
    };
    for (const file of (await readdir(folder)).filter((f) => f.endsWith('.json'))) walk(JSON.parse(await readFile(path.join(folder, file), 'utf8')));
    expect(read.size).toBeGreaterThan(5);
    expect([...read].filter((o) => !access.granted.includes(o))).toEqual([]);
  });

  it('writes statements that ClickHouse parses as exactly one statement each, for one server and a cluster', async () => {
    const cluster = clickhouseAccessSql({ tenants: register, onCluster: '{cluster}' });
    for (const statement of [...access.statements, ...cluster.statements]) {
      await expect(formatted(statement)).resolves.toMatch(/^(CREATE|ALTER|GRANT|REVOKE)\b/);
    }
    expect(cluster.statements.every((s) => s.includes("ON CLUSTER '{cluster}'"))).toBe(true);
    expect(access.sql.split(';\n\n')).toHaveLength(access.statements.length);
  });

  it('keeps a tenant name with quotes and line breaks inside the comment, so it cannot add a statement', async () => {
    const name = "Evil'); DROP DATABASE lagebild; --\nDROP TABLE lagebild.fact_actual\r\u2028*/ `x`";
    const sql = clickhouseAccessSql({ tenants: [{ id: FLENSBURG, name }] });
    const texts = await Promise.all(sql.statements.map(formatted));
    // The parser drops comments: what ClickHouse would run holds nothing of the name.
    expect(texts.filter((t) => /Evil|DROP (DATABASE|TABLE)/.test(t))).toEqual([]);
    expect(sql.statements.filter((s) => s.includes('Evil'))).toHaveLength(1);
    expect(sql.statements.join('\n')).not.toMatch(/\nDROP TABLE/);
  });

  it('escapes literals and identifiers the way the engine reads them back', async () => {
    for (const text of ["O'Brien", 'back\\slash', "\\'", 'x\ny', 'Göttingen']) {
      const [row] = await warehouse.query<{ v: string }>(`SELECT ${literal(text)} AS v`);
      expect(row!.v).toBe(text);
    }
    for (const name of ['lagebild_fis_01054', 'with space', 'back`tick', 'back\\slash']) {
      const [row] = await warehouse.query(`SELECT 1 AS ${ident(name)}`);
      expect(Object.keys(row!)).toEqual([name]);
    }
  });

  it('follows the tenant register and its releases for indicator values: a peer sees what was released, at the level released, from the embargo on', async () => {
    const directory = createTenancyDirectory(documents);
    await directory.load();
    await directory.apply([
      {
        type: 'TenantConfigured',
        data: { tenant: KREIS, version: 1, name: 'Nordfriesland', kind: 'KREIS', kreis: null, planningModel: 'BETREUUNG', partnerThreshold: 20_000, members: [{ tenant: HUSUM, name: 'Husum', population: 23_000, relation: 'PARTNER' }, { tenant: NIEBUELL, name: 'Niebüll', population: 10_000, relation: 'BETREUT' }], configuredBy: 'test', configuredAt: '2024-01-01T00:00:00.000Z' },
      },
      { type: 'TenantConfigured', data: { tenant: FLENSBURG, version: 1, name: 'Flensburg', kind: 'KREISFREIE_STADT', kreis: null, planningModel: 'NONE', partnerThreshold: null, members: [], configuredBy: 'test', configuredAt: '2024-01-01T00:00:00.000Z' } },
      { type: 'ReleaseGranted', data: { releaseId: 'r1', tenant: NIEBUELL, datasetId: null, indicatorId: 'alq', unitType: 'Gemeinde', audience: 'MEMBERS', form: 'PROTECTED', embargoUntil: '2099-01-01T00:00:00.000Z', note: null, grantedBy: 'test', grantedAt: '2024-01-01T00:00:00.000Z' } },
    ]);
    const fromRegister = clickhouseAccessSql({ tenants: tenantsFromRegister(directory.view()), register: directory.view() });
    expect(fromRegister.readers.map((r) => [r.tenant, r.sees])).toEqual([
      [FLENSBURG, [FLENSBURG]],
      [KREIS, [KREIS, HUSUM, NIEBUELL]],
    ]);
    await warehouse.command(
      `INSERT INTO lagebild.fact_indicator_value (tenant, indicator_id, unit_type, protection, sensitivity, area_code) VALUES ('${NIEBUELL}', 'alq', 'Gemeinde', 'PROTECTED', 'INTERNAL', 'released'), ('${NIEBUELL}', 'alq', 'Gesamt', 'PROTECTED', 'INTERNAL', 'other-level'), ('${NIEBUELL}', 'ew', 'Gemeinde', 'PROTECTED', 'INTERNAL', 'other-indicator')`,
    );
    // Husum is a Gemeinde of the register without own row policies in this register; give it a reader as a tenant.
    const withHusum = clickhouseAccessSql({ tenants: [...tenantsFromRegister(directory.view()), { id: HUSUM, name: 'Husum' }], register: directory.view() });
    const husumRoles = [READER_ROLE, withHusum.readers.find((r) => r.tenant === HUSUM)!.role];
    const condition = effectiveCondition(withHusum, 'fact_indicator_value', husumRoles)!;
    const seen = async (at: string) =>
      (await warehouse.query<{ a: string }>(`SELECT area_code AS a FROM lagebild.fact_indicator_value WHERE tenant = '${NIEBUELL}' AND (${condition.replace(/now64\(3\)/g, `toDateTime64('${at}', 3, 'UTC')`)}) ORDER BY a`)).map((r) => r.a);
    expect(await seen('2098-12-31 00:00:00')).toEqual([]);
    expect(await seen('2099-01-01 00:00:00')).toEqual(['released']);
    // The Kreis sees every protected value of its members; Flensburg none of Niebüll's.
    const kreisCondition = effectiveCondition(withHusum, 'fact_indicator_value', [READER_ROLE, withHusum.readers.find((r) => r.tenant === KREIS)!.role])!;
    expect(Number((await warehouse.query<{ n: string }>(`SELECT count() AS n FROM lagebild.fact_indicator_value WHERE tenant = '${NIEBUELL}' AND protection = 'PROTECTED' AND (${kreisCondition})`))[0]!.n)).toBe(3);
    const flensburgCondition = effectiveCondition(withHusum, 'fact_indicator_value', [READER_ROLE, withHusum.readers.find((r) => r.tenant === FLENSBURG)!.role])!;
    expect(Number((await warehouse.query<{ n: string }>(`SELECT count() AS n FROM lagebild.fact_indicator_value WHERE tenant = '${NIEBUELL}' AND (${flensburgCondition.replace(/now64\(3\)/g, "toDateTime64('2100-01-01 00:00:00', 3, 'UTC')")})`))[0]!.n)).toBe(0);
  });

  it('refuses a register it cannot turn into safe access, naming every problem in German', () => {
    const attempt = () =>
      clickhouseAccessSql({
        tenants: [
          { id: KREIS, name: 'Nordfriesland', members: ['03159016', '0105405'] },
          { id: HUSUM, name: 'Husum', members: ['01054001'] },
          { id: HUSUM, name: 'Husum' },
          { id: SHARED_TENANT, name: 'System' },
          { id: '1001', name: '' },
        ],
        unrestrictedUsers: ['lagebild; DROP'],
      });
    expect(attempt).toThrow(AccessInputError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('03159016 gehört nicht zum Kreis 01054');
    expect(message).toContain('"0105405" ist kein Gemeinde-AGS');
    expect(message).toContain('nur ein Kreis (5-stelliger AGS) hat Mitgliedsgemeinden');
    expect(message).toContain('01054056 steht mehrfach im Register');
    expect(message).toContain('00000 ist der Systemmandant');
    expect(message).toContain('ist kein AGS');
    expect(message).toContain('Benutzername');
  });

  it('keeps the example files in infra/clickhouse/access in step with the generator', async () => {
    for (const variant of ['single', 'cluster'] as const) {
      const file = await readFile(path.resolve(__dirname, `../../../infra/clickhouse/access/${variant}.sql`), 'utf8');
      expect(file).toBe(exampleAccessFile(variant));
    }
    expect(EXAMPLE_TENANTS.some((t) => (t.members ?? []).length > 0)).toBe(true);
  });
});

describe('ClickHouse settings in infra/clickhouse/config and the reader profile', () => {
  const config = (file: string) => readFile(path.resolve(__dirname, '../../../infra/clickhouse/config', file), 'utf8').then(parseXml);

  async function known(table: 'settings' | 'server_settings', names: string[]): Promise<string[]> {
    const rows = await warehouse.query<{ name: string }>(`SELECT name FROM system.${table} WHERE name IN {names:Array(String)}`, { names });
    return rows.map((r) => r.name).sort();
  }

  it('names only server settings the engine knows, and fails closed on row policies', async () => {
    const root = await config('config.d/lagebild.xml');
    expect(root.name).toBe('clickhouse');
    const scalars = root.children.filter((c) => c.children.length === 0).map((c) => c.name);
    expect(scalars).toContain('keep_alive_timeout');
    expect(await known('server_settings', scalars)).toEqual([...scalars].sort());
    const improvements = child(root, 'access_control_improvements')!;
    expect(child(improvements, 'users_without_row_policies_can_read_rows')!.text.trim()).toBe('false');
    expect(child(improvements, 'settings_constraints_replace_previous')!.text.trim()).toBe('true');
  });

  it('names only query settings the engine knows in the XML profile, and keeps views INVOKER', async () => {
    const root = await config('users.d/profiles.xml');
    const profile = child(child(root, 'profiles')!, 'default')!;
    const names = profile.children.map((c) => c.name);
    expect(await known('settings', names)).toEqual([...names].sort());
    expect(child(profile, 'default_normal_view_sql_security')!.text.trim()).toBe('INVOKER');
    const interval = child(child(child(root, 'quotas')!, 'default')!, 'interval')!;
    expect(interval.children.map((c) => c.name)).toEqual(expect.arrayContaining(['duration', 'queries', 'execution_time']));
  });

  it('names only query settings the engine knows in the SQL profiles of the readers', async () => {
    const profiles = access.statements.filter((st) => st.startsWith('ALTER SETTINGS PROFILE'));
    expect(profiles).toHaveLength(2);
    for (const statement of profiles) {
      const names = [...statement.replace(/^ALTER SETTINGS PROFILE \S+ SETTINGS /, '').matchAll(/(?:^|, )([a-z_]+) = /g)].map((m) => m[1]!);
      expect(names).toEqual(expect.arrayContaining(['readonly', 'max_execution_time']));
      expect(await known('settings', names)).toEqual([...names].sort());
    }
  });
});
