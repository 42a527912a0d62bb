/**
 * Who may read what in the ClickHouse warehouse (ARCHITECTURE.md 7: "Grafana reads through
 * read-only users with row policies per tenant"), rendered as SQL for ClickHouse 24 or newer.
 *
 * A tenant's Grafana organisation connects as `lagebild_fis_<AGS>`, a user with two roles:
 * - `lagebild_fis_reader`, shared by every tenant: SELECT on the objects a FIS reader may read,
 *   a read-only settings profile and a quota (per user);
 * - `lagebild_tenant_<AGS>`: the tenant's permissive row policies. A Gemeinde sees its own rows,
 *   a Kreis its own and its member Gemeinden's; on shared reference data (the
 *   Gemeindeverzeichnis and the shipped indicator catalogue, kept by the system tenant 00000)
 *   everyone also sees the rows of 00000.
 *
 * Why SELECT is granted on tables and not only on the serving views: ClickHouse runs a normal view
 * as SQL SECURITY INVOKER (the default since 24.2), so reading a view needs SELECT on what the
 * view reads, and the reader's row policies apply to those tables. That is what keeps tenants
 * apart through every view; a DEFINER view would read with its definer's policies and show every
 * tenant, so the schema's views must stay INVOKER. Values before disclosure control are kept from
 * FIS readers in two ways: objects that only hold them (observations, the raw and as-of indicator
 * views) are not granted at all, and on the two tables that mix them with protected values a
 * restrictive policy for every FIS reader lets only the protected rows through. Row policies act
 * on every path (views, joins, ad-hoc SQL in Grafana's Explore), which grants on views alone
 * could not promise.
 *
 * The projector (the warehouse service's writing user, `unrestrictedUsers`) and the operator's
 * read-only users (`operatorReaders`: the warehouse service's CLICKHOUSE_READONLY_USER, through
 * which the FIS web view and `lagebild query` read and which scope by tenant themselves) get a
 * permissive policy `USING 1` on the same objects: infra/clickhouse/config sets
 * `users_without_row_policies_can_read_rows = false`, so a user without a policy sees no row of a
 * table that has policies (fail closed), and these must see everything. The operator's readers
 * get SELECT on the whole database under a read-only profile.
 *
 * Idempotent: run again after every change of the tenant register. Row policies are replaced;
 * roles, profile, quota and users keep their identity (IF NOT EXISTS + ALTER), so a reader's
 * password set by the operator survives. The reader role's grants are revoked and granted anew in
 * the same run (a reader may see an access error during those milliseconds). A tenant that leaves
 * the register keeps its user until the operator drops it (see docs/betrieb.md).
 */
import { accessConditionSql, sqlString, type TenancyView } from '@lagebild/platform';
import { z } from 'zod';
import { TABLES, VIEWS } from '../schema';

/** The system tenant that keeps shared reference data (Gemeindeverzeichnis, shipped catalogue). */
export const SHARED_TENANT = '00000';

/** Role with the grants, settings profile and quota of every FIS reader. */
export const READER_ROLE = 'lagebild_fis_reader';
/** Settings profile and quota of `READER_ROLE` carry the same name. */
export const READER_PROFILE = READER_ROLE;
/** Role (and settings profile) of the operator's read-only users: every object, every row. */
export const OPERATOR_ROLE = 'lagebild_operator_reader';

/** The user a tenant's Grafana organisation connects as. */
export function readerUser(tenant: string): string {
  return `lagebild_fis_${tenant}`;
}

/** The role holding a tenant's row policies. */
export function tenantRole(tenant: string): string {
  return `lagebild_tenant_${tenant}`;
}

/**
 * Whether FIS readers get SELECT on an object, for every table and view of the schema (a test
 * keeps this complete: a new table or view needs a decision here). Withheld objects show values
 * before disclosure control and have no protected variant a FIS reader could use instead.
 */
export const READER_ACCESS: Readonly<Record<string, { granted: true } | { granted: false; reason: string }>> = {
  dim_scheme_version: { granted: true },
  dim_area: { granted: true },
  dim_area_geometry: { granted: true },
  dim_indicator: { granted: true },
  dim_goal: { granted: true },
  goal_status: { granted: true },
  dim_target: { granted: true },
  dim_goal_context: { granted: true },
  dim_measure: { granted: true },
  measure_status: { granted: true },
  dim_traeger: { granted: true },
  dim_contract: { granted: true },
  contract_status: { granted: true },
  fact_delivery: { granted: false, reason: 'Lieferungen (Dateien, Anzahl Beobachtungen) sind Betriebsdaten der Datenannahme, kein FIS-Inhalt.' },
  fact_observation: { granted: false, reason: 'Beobachtungen sind gelieferte Rohzahlen vor jeder Geheimhaltung.' },
  // Mixes RAW and PROTECTED rows; the restrictive policy below lets FIS readers see PROTECTED only.
  fact_indicator_value: { granted: true },
  // Holds the actual value of targets whose value is suppressed; the restrictive policy below hides those rows.
  fact_attainment: { granted: true },
  fact_contract_duty: { granted: true },
  fact_report_value: { granted: true },
  dim_product: { granted: true },
  fact_budget_line: { granted: true },
  fact_budget_movement: { granted: true },
  fact_actual: { granted: true },
  fact_commitment: { granted: true },
  fact_forecast: { granted: true },
  fact_deviation: { granted: true },
  fact_deviation_comment: { granted: true },
  // Readable for dashboards written against it; the row policy on fact_indicator_value leaves only PROTECTED, non-SEALED rows in it.
  v_indicator_value: { granted: true },
  v_indicator_value_protected: { granted: true },
  v_indicator_value_raw: { granted: false, reason: 'Rohwerte (vor der Geheimhaltung) nur in der FIS-Webansicht für Sozialplanung, Statistikstelle und Administration des eigenen Mandanten.' },
  v_indicator_value_asof: { granted: false, reason: 'Stand-zu-Stichtag-Sicht mit Roh- und geschützten Werten; das FIS zeigt den aktuellen Stand über v_indicator_value_protected.' },
  v_observation: { granted: false, reason: 'Beobachtungen sind gelieferte Rohzahlen vor jeder Geheimhaltung.' },
  v_observation_asof: { granted: false, reason: 'Beobachtungen sind gelieferte Rohzahlen vor jeder Geheimhaltung.' },
  v_area: { granted: true },
  v_goal: { granted: true },
  v_target: { granted: true },
  v_attainment_latest: { granted: true },
  v_contract: { granted: true },
  v_measure: { granted: true },
  v_budget_value: { granted: true },
  v_budget_deviation: { granted: true },
};

/**
 * Restrictive conditions for every FIS reader where a table holds values a reader without raw
 * access must not see. Row policies are applied before FINAL (ClickHouse evaluates them on the
 * parts read); that is sound here because the columns filtered on are equal in every version of
 * a row (protection is part of the sorting key; sensitivity and value_suppressed belong to the
 * immutable computation or verdict the row stems from).
 */
export const DISCLOSURE_CONDITIONS: Readonly<Record<string, string>> = {
  // The same rule as v_indicator_value_protected.
  fact_indicator_value: "protection = 'PROTECTED' AND sensitivity != 'SEALED'",
  // A verdict on a suppressed value gives the value away (actual_value, and attainment with
  // baseline and target); FIS readers see such targets without a verdict.
  fact_attainment: 'NOT value_suppressed',
};

/** Objects whose rows of the system tenant 00000 are shared reference data every tenant reads. */
export const SHARED_REFERENCE_OBJECTS: readonly string[] = ['dim_scheme_version', 'dim_area', 'dim_area_geometry', 'dim_indicator', 'v_area'];

/** The column naming the tenant of a row: `tenant`, or `scope` in the indicator catalogue. */
export function tenantColumnOf(object: string): string | undefined {
  const table = TABLES.find((t) => t.name === object);
  if (table) return ['tenant', 'scope'].find((name) => table.columns.some((col) => col.name === name));
  // Every serving view passes the tenant column of its sources through (a test checks each view's columns on the engine).
  return VIEWS.some((v) => v.name === object) ? 'tenant' : undefined;
}

/**
 * Limits of a FIS reader's queries (settings profile). Sized for the FIS of a Kreis with 50
 * Gemeinden or a city of a million inhabitants (docs/betrieb.md): the largest panel reads a few
 * million indicator values and returns at most some ten thousand rows.
 */
export interface ReaderLimits {
  /** Seconds a query may run; Grafana's data source sets it per query within 1..maxExecutionTime. @default 60 */
  executionTime: number;
  /** Upper bound of what the data source may set (`max_execution_time ... MAX`). @default 300 */
  maxExecutionTime: number;
  /** Bytes of memory per query. @default 2 GiB */
  memoryUsage: number;
  /** Rows a query may read. @default 2_000_000_000 */
  rowsToRead: number;
  /** Rows a query may return (the query fails beyond, rather than showing a silently cut result). @default 500_000 */
  resultRows: number;
  /** Queries of one user at the same time (a dashboard runs its panels in parallel). @default 32 */
  concurrentQueries: number;
}

/** Per-user allowance of FIS readers per hour (quota keyed by user name). */
export interface ReaderQuota {
  /** @default 20_000 */
  queries: number;
  /** @default 2_000 */
  errors: number;
  /** @default 200_000_000 */
  resultRows: number;
  /** @default 50_000_000_000 */
  readRows: number;
  /** Seconds of query execution per hour. @default 7_200 */
  executionTime: number;
}

export const DEFAULT_READER_LIMITS: Readonly<ReaderLimits> = Object.freeze({
  executionTime: 60,
  maxExecutionTime: 300,
  memoryUsage: 2 * 1024 ** 3,
  rowsToRead: 2_000_000_000,
  resultRows: 500_000,
  concurrentQueries: 32,
});

export const DEFAULT_READER_QUOTA: Readonly<ReaderQuota> = Object.freeze({
  queries: 20_000,
  errors: 2_000,
  resultRows: 200_000_000,
  readRows: 50_000_000_000,
  executionTime: 7_200,
});

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const AGS_KREIS = /^\d{5}$/;
const AGS_GEMEINDE = /^\d{8}$/;

const tenantSchema = z.strictObject({
  id: z.string().refine((id) => AGS_KREIS.test(id) || AGS_GEMEINDE.test(id), {
    message: 'ist kein AGS: erwartet 5 Ziffern (Kreis, kreisfreie Stadt) oder 8 Ziffern (Gemeinde)',
  }),
  name: z.string().trim().min(1, { message: 'fehlt: jeder Mandant braucht einen Namen' }),
  members: z.array(z.string()).optional(),
});

const identifier = (what: string) => z.string().regex(IDENTIFIER, { message: `${what}: nur Buchstaben, Ziffern und _, nicht mit einer Ziffer beginnend` });
const positive = z.number().int().positive();

const inputSchema = z.strictObject({
  tenants: z.array(tenantSchema).min(1, { message: 'Das Mandantenregister ist leer.' }),
  database: identifier('Datenbankname').default('lagebild'),
  unrestrictedUsers: z.array(identifier('Benutzername')).default(['lagebild']),
  operatorReaders: z.array(identifier('Benutzername')).default([]),
  onCluster: z.string().regex(/^(\{cluster\}|[A-Za-z_][A-Za-z0-9_]*)$/, { message: 'Clustername: ein Bezeichner oder das Makro {cluster}' }).optional(),
  limits: z
    .strictObject({ executionTime: positive, maxExecutionTime: positive, memoryUsage: positive, rowsToRead: positive, resultRows: positive, concurrentQueries: positive })
    .partial()
    .optional(),
  quota: z.strictObject({ queries: positive, errors: positive, resultRows: positive, readRows: positive, executionTime: positive }).partial().optional(),
  operatorExecutionTime: positive.default(25),
});

export interface AccessTenant {
  /** AGS: 5 digits for a Kreis or kreisfreie Stadt, 8 digits for a Gemeinde. */
  id: string;
  /** Name, for the operator reading the SQL. */
  name: string;
  /** Member Gemeinden of a Kreis (8-digit AGS beginning with the Kreis's 5 digits). */
  members?: readonly string[];
}

export interface AccessInput {
  tenants: readonly AccessTenant[];
  /** @default 'lagebild' */
  database?: string;
  /**
   * Users that must see every row: the warehouse service's ClickHouse user (projector and FIS web
   * view) and the operator's read-only user. They must exist before the SQL runs.
   * @default ['lagebild']
   */
  unrestrictedUsers?: readonly string[];
  /**
   * Read-only users created here that read every object and every row: the warehouse service's
   * CLICKHOUSE_READONLY_USER. New ones are locked until the operator sets a password.
   * @default []
   */
  operatorReaders?: readonly string[];
  /** Seconds an operator reader's query may run; below the warehouse client's request timeout (30 s), so the server stops a long query and says why. @default 25 */
  operatorExecutionTime?: number;
  /** Runs every statement ON CLUSTER (a cluster name or the `{cluster}` macro). @default undefined (one server) */
  onCluster?: string;
  limits?: Partial<ReaderLimits>;
  quota?: Partial<ReaderQuota>;
  /**
   * The tenant register with its releases. With it, a reader's rows of indicator values follow
   * the same policy as the API and the FIS web view (platform tenancy): a Kreis' members, and
   * protected values of peers and others only where released, embargoes written into the
   * condition so the policy opens on time. Without it, readers see their own tenant and members.
   */
  register?: TenancyView;
}

/** Objects holding indicator values, whose rows follow the releases of the register. */
export const INDICATOR_VALUE_OBJECTS: readonly string[] = ['fact_indicator_value', 'v_indicator_value', 'v_indicator_value_protected'];

/** The access register's tenants from the tenant register: every tenant, a Kreis with its members. */
export function tenantsFromRegister(view: TenancyView): AccessTenant[] {
  return view
    .tenants()
    .map((t) => ({ id: t.tenant, name: t.name, ...(t.kind === 'KREIS' && t.members.length > 0 ? { members: t.members.map((m) => m.tenant) } : {}) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** A row policy as created, one entry per object it covers. */
export interface RowPolicy {
  name: string;
  object: string;
  kind: 'permissive' | 'restrictive';
  condition: string;
  to: readonly string[];
}

export interface TenantReader {
  tenant: string;
  name: string;
  user: string;
  role: string;
  /** Tenants whose rows the reader sees (besides shared reference rows). */
  sees: readonly string[];
}

export interface AccessSql {
  /** One statement each, without a trailing semicolon; comments for the operator precede some. */
  statements: readonly string[];
  /** The statements as one script for `clickhouse-client --multiquery`. */
  sql: string;
  readers: readonly TenantReader[];
  policies: readonly RowPolicy[];
  /** Objects (without database) FIS readers get SELECT on. */
  granted: readonly string[];
}

/** Refused input: the German message names every problem. */
export class AccessInputError extends Error {
  override readonly name = 'AccessInputError';
}

/** A ClickHouse identifier: as it is when plain, else back-quoted with `\` and `` ` `` escaped. */
export function ident(name: string): string {
  return IDENTIFIER.test(name) ? name : `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** A ClickHouse string literal with `\` and `'` escaped. */
export function literal(text: string): string {
  return sqlString(text);
}

/** Text for a `--` comment: line breaks and other control characters become spaces, so it cannot end the comment. */
function commentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ');
}

/** All objects of the schema: tables first, then views, in schema order. */
function schemaObjects(): string[] {
  return [...TABLES.map((t) => t.name), ...VIEWS.map((v) => v.name)];
}

function parse(input: AccessInput): z.infer<typeof inputSchema> {
  const { register: _register, ...shape } = input;
  const parsed = inputSchema.safeParse(shape);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'Eingabe'}: ${i.message}`);
  // The register's rules beyond the shape, checked on whatever arrived so every problem is named at once.
  const tenants: ReadonlyArray<Partial<AccessTenant>> = Array.isArray(input.tenants) ? input.tenants : [];
  const seen = new Set<string>();
  tenants.forEach((t, index) => {
    const id = typeof t?.id === 'string' ? t.id : '';
    if (id === SHARED_TENANT) problems.push(`tenants.${index}.id: 00000 ist der Systemmandant (Referenzdaten), kein Mandant mit eigenem Zugang`);
    if (id !== '' && seen.has(id)) problems.push(`tenants.${index}.id: ${id} steht mehrfach im Register`);
    seen.add(id);
    const members = Array.isArray(t?.members) ? t.members : [];
    if (members.length > 0 && !AGS_KREIS.test(id)) problems.push(`tenants.${index}.members: nur ein Kreis (5-stelliger AGS) hat Mitgliedsgemeinden, ${id} ist keiner`);
    members.forEach((m, j) => {
      if (typeof m !== 'string' || !AGS_GEMEINDE.test(m)) problems.push(`tenants.${index}.members.${j}: ${JSON.stringify(m)} ist kein Gemeinde-AGS (8 Ziffern)`);
      else if (AGS_KREIS.test(id) && !m.startsWith(id)) problems.push(`tenants.${index}.members.${j}: ${m} gehört nicht zum Kreis ${id} (die ersten fünf Stellen des AGS sind der Kreisschlüssel)`);
    });
    if (new Set(members).size !== members.length) problems.push(`tenants.${index}.members: eine Gemeinde steht mehrfach in der Liste`);
  });
  if (parsed.success) {
    const both = parsed.data.operatorReaders.filter((u) => parsed.data.unrestrictedUsers.includes(u));
    if (both.length > 0) problems.push(`operatorReaders: ${both.join(', ')} steht auch in unrestrictedUsers; ein lesender Benutzer wird hier angelegt, ein schreibender anderswo`);
    const limits = { ...DEFAULT_READER_LIMITS, ...parsed.data.limits };
    if (limits.executionTime > limits.maxExecutionTime) problems.push('limits.executionTime: darf limits.maxExecutionTime nicht überschreiten');
  }
  if (problems.length > 0 || !parsed.success) {
    throw new AccessInputError(`Zugriffsrechte für ClickHouse nicht erzeugt:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return parsed.data;
}

/** SQL that sets up read access to the warehouse for every tenant of the register (see the file header). */
export function clickhouseAccessSql(input: AccessInput): AccessSql {
  const config = parse(input);
  const db = config.database;
  const cluster = config.onCluster === undefined ? '' : ` ON CLUSTER ${literal(config.onCluster)}`;
  const limits = { ...DEFAULT_READER_LIMITS, ...config.limits };
  const quota = { ...DEFAULT_READER_QUOTA, ...config.quota };
  const qualified = (object: string) => `${ident(db)}.${ident(object)}`;
  const objects = schemaObjects();
  const granted = objects.filter((o) => READER_ACCESS[o]?.granted === true);
  const statements: string[] = [];
  const policies: RowPolicy[] = [];

  /** A user with roles. A new one cannot log in until the operator sets its password (no password is known for this hash); an existing one keeps its password. */
  function lockedUser(user: string, roles: readonly string[]): void {
    statements.push(`CREATE USER IF NOT EXISTS ${ident(user)}${cluster} IDENTIFIED WITH sha256_hash BY ${literal('0'.repeat(64))} DEFAULT DATABASE ${ident(db)}`);
    statements.push(`GRANT${cluster} ${roles.map(ident).join(', ')} TO ${ident(user)}`);
    statements.push(`ALTER USER ${ident(user)}${cluster} DEFAULT ROLE ALL DEFAULT DATABASE ${ident(db)}`);
  }

  function policy(name: string, targets: readonly string[], kind: RowPolicy['kind'], condition: string, to: readonly string[], comment?: string): void {
    const on = targets.map(qualified).join(', ');
    statements.push(
      `${comment ? `-- ${commentText(comment)}\n` : ''}CREATE ROW POLICY OR REPLACE ${ident(name)}${cluster} ON ${on} FOR SELECT USING ${condition} AS ${kind.toUpperCase()} TO ${to.map(ident).join(', ')}`,
    );
    for (const object of targets) policies.push({ name, object, kind, condition, to });
  }

  // ---- the shared reader role: profile, quota, grants ----
  const r = ident(READER_ROLE);
  const p = ident(READER_PROFILE);
  statements.push(`-- Gemeinsame Rolle aller FIS-Leser (Grafana): nur lesen, Grenzen je Abfrage, Kontingent je Benutzer.\nCREATE SETTINGS PROFILE IF NOT EXISTS ${p}${cluster}`);
  statements.push(
    `ALTER SETTINGS PROFILE ${p}${cluster} SETTINGS readonly = 1, ` +
      // Grafana's ClickHouse data source sets max_execution_time on every query; MIN 1 keeps it from lifting the limit with 0.
      `max_execution_time = ${limits.executionTime} MIN 1 MAX ${limits.maxExecutionTime} CHANGEABLE_IN_READONLY, ` +
      // Serving views set join_use_nulls in their own SETTINGS clause.
      'join_use_nulls = 0 MIN 0 MAX 1 CHANGEABLE_IN_READONLY, ' +
      `max_memory_usage = ${limits.memoryUsage}, max_rows_to_read = ${limits.rowsToRead}, max_result_rows = ${limits.resultRows}, result_overflow_mode = 'throw', ` +
      `max_concurrent_queries_for_user = ${limits.concurrentQueries}`,
  );
  statements.push(`CREATE ROLE IF NOT EXISTS ${r}${cluster}`);
  statements.push(`ALTER ROLE ${r}${cluster} SETTINGS PROFILE ${literal(READER_PROFILE)}`);
  statements.push(`CREATE QUOTA IF NOT EXISTS ${p}${cluster}`);
  statements.push(
    `ALTER QUOTA ${p}${cluster} KEYED BY user_name FOR INTERVAL 1 hour MAX queries = ${quota.queries}, errors = ${quota.errors}, ` +
      `result_rows = ${quota.resultRows}, read_rows = ${quota.readRows}, execution_time = ${quota.executionTime} TO ${r}`,
  );
  statements.push(`REVOKE${cluster} ALL ON *.* FROM ${r}`);
  for (const object of granted) statements.push(`GRANT${cluster} SELECT ON ${qualified(object)} TO ${r}`);

  // ---- the operator's read-only users: every object, every row ----
  const operator = ident(OPERATOR_ROLE);
  statements.push(`-- Lesende Benutzer des Betriebs (CLICKHOUSE_READONLY_USER des Warehouse-Dienstes): alles lesen, nichts ändern.\nCREATE SETTINGS PROFILE IF NOT EXISTS ${operator}${cluster}`);
  statements.push(`ALTER SETTINGS PROFILE ${operator}${cluster} SETTINGS readonly = 1, max_execution_time = ${config.operatorExecutionTime}, join_use_nulls = 0 MIN 0 MAX 1 CHANGEABLE_IN_READONLY`);
  statements.push(`CREATE ROLE IF NOT EXISTS ${operator}${cluster}`);
  statements.push(`ALTER ROLE ${operator}${cluster} SETTINGS PROFILE ${literal(OPERATOR_ROLE)}`);
  statements.push(`REVOKE${cluster} ALL ON *.* FROM ${operator}`);
  statements.push(`GRANT${cluster} SELECT ON ${ident(db)}.* TO ${operator}`);
  for (const user of config.operatorReaders) lockedUser(user, [OPERATOR_ROLE]);

  // ---- rows: disclosure for every reader, everything for the writer and the operator ----
  for (const [object, condition] of Object.entries(DISCLOSURE_CONDITIONS)) {
    policy('lagebild_disclosure', [object], 'restrictive', condition, [READER_ROLE], `Geheimhaltung: FIS-Leser sehen in ${object} nur geschützte Werte.`);
  }
  const policyObjects = objects.filter((o) => tenantColumnOf(o) !== undefined);
  policy('lagebild_unrestricted', policyObjects, 'permissive', '1', [...config.unrestrictedUsers, OPERATOR_ROLE], 'Projektor und Betrieb sehen alle Zeilen.');

  // ---- per tenant: its role, its row policies, its Grafana user ----
  const readers: TenantReader[] = [];
  for (const tenant of config.tenants) {
    const sees = [tenant.id, ...(tenant.members ?? [])];
    const role = tenantRole(tenant.id);
    const user = readerUser(tenant.id);
    readers.push({ tenant: tenant.id, name: tenant.name, user, role, sees });
    const heading = `Mandant ${tenant.id} (${tenant.name})${sees.length > 1 ? `, mit den Mitgliedsgemeinden ${sees.slice(1).join(', ')}` : ''}.`;
    statements.push(`-- ${commentText(heading)}\nCREATE ROLE IF NOT EXISTS ${ident(role)}${cluster}`);
    // One statement per column and reach, covering every object with the same condition.
    const groups = new Map<string, string[]>();
    for (const object of policyObjects) {
      const column = tenantColumnOf(object)!;
      const visible = SHARED_REFERENCE_OBJECTS.includes(object) ? [...sees, SHARED_TENANT] : sees;
      const condition =
        input.register && INDICATOR_VALUE_OBJECTS.includes(object)
          ? accessConditionSql(input.register, { subject: user, tenant: tenant.id, roles: ['fuehrung'], memberOf: sees.slice(1) }, new Date(), 'PROTECTED', { tenant: ident(column) }, { embargo: 'sql' })
          : `${ident(column)} IN (${visible.map(literal).join(', ')})`;
      groups.set(condition, [...(groups.get(condition) ?? []), object]);
    }
    for (const [condition, targets] of groups) policy(role, targets, 'permissive', condition, [role]);
    lockedUser(user, [READER_ROLE, role]);
  }

  return { statements, sql: `${statements.join(';\n\n')};\n`, readers, policies, granted };
}
