/**
 * Strict configuration from environment variables (STYLE.md 7): parsed once at start, every
 * problem reported together with the variable's name, unknown `LAGEBILD_*` variables refused
 * (a typo must not silently fall back to a default).
 *
 * A service declares its settings as an object of `Setting`s, each documented where it is
 * declared (JSDoc with `@default`), and a process entry loads the union of everything it runs:
 * `loadConfig({ ...platformSettings, ...goalsSettings })`. Values of empty variables count as
 * unset, surrounding whitespace is ignored.
 */
import path from 'node:path';
import { z } from 'zod';
import { editDistance } from './suggest';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigProblem {
  variable: string;
  /** German, for the operator who starts the service. */
  message: string;
}

/** Thrown by `loadConfig`: lists every problem, one line per variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `Ungültige Konfiguration (${problems.length} ${problems.length === 1 ? 'Problem' : 'Probleme'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.problems = problems;
  }
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

/** One setting: reads one or more variables and validates them. */
export interface Setting<T> {
  readonly variables: readonly string[];
  read(env: Env): ReadResult<T>;
}

export type SettingsShape = Record<string, Setting<unknown>>;

/** The loaded configuration of a shape; homomorphic, so JSDoc of the shape shows on each key. */
export type ConfigOf<S extends SettingsShape> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

interface CommonOptions {
  /** Never echo the value in error messages (URLs with credentials, secrets). */
  secret?: boolean;
}

interface ValueOptions<T> extends CommonOptions {
  default?: T;
  /** Fail when unset (ignored when a default is given). */
  required?: boolean;
}

type Out<T, O> = O extends { default: T } ? T : O extends { required: true } ? T : T | undefined;

function show(raw: string, secret: boolean | undefined): string {
  if (secret) return `einen verborgenen Wert (${raw.length} Zeichen)`;
  const shown = raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
  return `'${shown}'`;
}

/**
 * A setting of one variable validated by a zod schema over the (trimmed) string value.
 * `expected` completes the German sentence "erwartet ...".
 */
export function customSetting<T, O extends ValueOptions<T> = ValueOptions<T>>(
  variable: string,
  schema: z.ZodType<T, string>,
  options: O & { expected: string },
): Setting<Out<T, O>> {
  return {
    variables: [variable],
    read(env) {
      const raw = env[variable]?.trim();
      if (raw === undefined || raw === '') {
        if (options.default !== undefined) return { ok: true, value: options.default as Out<T, O> };
        if (options.required) {
          return { ok: false, problems: [{ variable, message: `fehlt; erwartet ${options.expected}` }] };
        }
        return { ok: true, value: undefined as Out<T, O> };
      }
      const parsed = schema.safeParse(raw);
      if (parsed.success) return { ok: true, value: parsed.data as Out<T, O> };
      return {
        ok: false,
        problems: [{ variable, message: `erwartet ${options.expected}, erhalten ${show(raw, options.secret)}` }],
      };
    },
  };
}

const integer = z.string().regex(/^[+-]?\d+$/).transform(Number);

function urlSchema(protocols: readonly string[]) {
  return z.string().refine((value) => {
    try {
      const url = new URL(value);
      return protocols.includes(url.protocol.slice(0, -1)) && (url.host !== '' || url.protocol === 'file:');
    } catch {
      return false;
    }
  });
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Builders for the common kinds of settings; each knows how to say in German what it expects. */
export const setting = {
  string<O extends ValueOptions<string> & { pattern?: RegExp; expected?: string }>(variable: string, options?: O) {
    const schema = options?.pattern ? z.string().regex(options.pattern) : z.string();
    return customSetting<string, O>(variable, schema, {
      ...(options ?? ({} as O)),
      expected: options?.expected ?? 'einen nicht leeren Text',
    });
  },

  int<O extends ValueOptions<number> & { min: number; max: number }>(variable: string, options: O) {
    const schema = integer.pipe(z.number().int().min(options.min).max(options.max));
    return customSetting<number, O>(variable, schema, {
      ...options,
      expected: `eine ganze Zahl von ${options.min} bis ${options.max}`,
    });
  },

  /** A TCP port; 0 lets the system pick a free one (tests, several instances side by side). */
  port<O extends ValueOptions<number>>(variable: string, options?: O) {
    return setting.int(variable, { ...(options ?? ({} as O)), min: 0, max: 65535 });
  },

  boolean<O extends ValueOptions<boolean>>(variable: string, options?: O) {
    const schema = z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(['true', 'false', '1', '0']))
      .transform((s) => s === 'true' || s === '1');
    return customSetting<boolean, O>(variable, schema, {
      ...(options ?? ({} as O)),
      expected: 'true, false, 1 oder 0',
    });
  },

  oneOf<const V extends string, O extends ValueOptions<V>>(variable: string, values: readonly V[], options?: O) {
    const schema = z
      .string()
      .refine((s) => (values as readonly string[]).includes(s))
      .transform((s) => s as V);
    return customSetting<V, O>(variable, schema, {
      ...(options ?? ({} as O)),
      expected: `einen der Werte ${values.join(', ')}`,
    });
  },

  url<O extends ValueOptions<string> & { protocols: readonly string[] }>(variable: string, options: O) {
    return customSetting<string, O>(variable, urlSchema(options.protocols), {
      ...options,
      expected: `eine URL mit ${options.protocols.map((p) => `${p}://`).join(' oder ')}`,
    });
  },

  /** Directory or file path, resolved against the working directory at load time. */
  path<O extends ValueOptions<string>>(variable: string, options?: O) {
    const resolved = options?.default === undefined ? options : { ...options, default: path.resolve(options.default) };
    return customSetting<string, O>(variable, z.string().min(1).transform((p) => path.resolve(p)), {
      ...((resolved ?? {}) as O),
      expected: 'einen Pfad',
    });
  },

  /** Comma-separated list; empty items are refused. */
  list<O extends ValueOptions<readonly string[]> & { item?: RegExp; expected?: string }>(variable: string, options?: O) {
    const item = options?.item;
    const schema = z
      .string()
      .transform((s) => s.split(',').map((part) => part.trim()))
      .refine((items) => items.every((i) => i !== '' && (!item || item.test(i))))
      .transform((items) => Object.freeze(items) as readonly string[]);
    return customSetting<readonly string[], O>(variable, schema, {
      ...(options ?? ({} as O)),
      expected: options?.expected ?? 'eine kommagetrennte Liste',
    });
  },

  /** A size in bytes: a plain number or with unit b, kb, mb, gb (1024-based, as body-parser counts). */
  byteSize<O extends ValueOptions<number>>(variable: string, options?: O) {
    const schema = z
      .string()
      .transform((s) => /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(s))
      .refine((m) => m !== null)
      .transform((m) => Number(m![1]) * BYTE_UNITS[(m![2] ?? 'b').toLowerCase()]!)
      .pipe(z.number().int().positive());
    return customSetting<number, O>(variable, schema, {
      ...(options ?? ({} as O)),
      expected: 'eine Größe wie 512kb, 1mb oder eine Anzahl Bytes',
    });
  },
};

/**
 * Settings that only make sense together (e.g. issuer + audience + JWKS URL): either every
 * variable is set, or none; the value is `undefined` when none is set.
 */
export function allOrNone<G extends Record<string, Setting<unknown>>>(
  group: G,
): Setting<{ readonly [K in keyof G]: Exclude<G[K] extends Setting<infer T> ? T : never, undefined> } | undefined> {
  const variables = Object.values(group).flatMap((s) => s.variables);
  return {
    variables,
    read(env) {
      const problems: ConfigProblem[] = [];
      const values: Record<string, unknown> = {};
      for (const [key, s] of Object.entries(group)) {
        const r = s.read(env);
        if (r.ok) values[key] = r.value;
        else problems.push(...r.problems);
      }
      if (problems.length > 0) return { ok: false, problems };
      const missing = Object.entries(group)
        .filter(([key]) => values[key] === undefined)
        .flatMap(([, s]) => s.variables);
      if (missing.length === variables.length) return { ok: true, value: undefined };
      if (missing.length > 0) {
        const together = `${variables.slice(0, -1).join(', ')} und ${variables[variables.length - 1]}`;
        return {
          ok: false,
          problems: missing.map((variable) => ({ variable, message: `fehlt; ${together} werden nur zusammen gesetzt` })),
        };
      }
      return { ok: true, value: Object.freeze(values) as never };
    },
  };
}

export interface LoadConfigOptions {
  /** Prefix of the variables this platform owns; unknown ones with it are refused. @default 'LAGEBILD_' */
  prefix?: string;
  /** Further variable names with the prefix to tolerate (read by something else in the process). */
  allowUnknown?: readonly string[];
}

function suggestion(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 5)) ? best.name : undefined;
}

/**
 * Reads every setting of `shape` from `env`. Returns a frozen, typed object, or throws a
 * `ConfigError` listing every problem (malformed, missing, and unknown `LAGEBILD_*` variables).
 */
export function loadConfig<S extends SettingsShape>(shape: S, env: Env = process.env, options: LoadConfigOptions = {}): ConfigOf<S> {
  const prefix = options.prefix ?? 'LAGEBILD_';
  const problems: ConfigProblem[] = [];
  const config: Record<string, unknown> = {};
  const known = new Set<string>(options.allowUnknown ?? []);
  for (const [key, s] of Object.entries(shape)) {
    for (const variable of s.variables) known.add(variable);
    const r = s.read(env);
    if (r.ok) config[key] = r.value;
    else problems.push(...r.problems);
  }
  const knownNames = [...known];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(prefix) || known.has(name) || env[name] === undefined) continue;
    const hint = suggestion(name, knownNames);
    problems.push({ variable: name, message: `unbekannte Variable${hint ? `; meinten Sie ${hint}?` : ''}` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config) as ConfigOf<S>;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every Lagebild process reads; services spread them into their own shape. */
export const platformSettings = {
  /**
   * Directory of the embedded adapters' data (LMDB, chDB, the auth key file), resolved against
   * the working directory.
   * @default './.lagebild'
   */
  dataDir: setting.path('LAGEBILD_DATA_DIR', { default: './.lagebild' }),
  /**
   * TCP port of the HTTP server.
   * @default 8080 (0: a free port, printed at start)
   */
  port: setting.port('LAGEBILD_PORT', { default: 8080 }),
  /**
   * Interface the HTTP server binds to; loopback unless deliberately exposed.
   * @default '127.0.0.1'
   */
  host: setting.string('LAGEBILD_HOST', {
    default: '127.0.0.1',
    pattern: /^[A-Za-z0-9.:\-[\]]+$/,
    expected: 'einen Hostnamen oder eine IP-Adresse',
  }),
  /**
   * Minimum level of the JSON logs.
   * @default 'info'
   */
  logLevel: setting.oneOf('LAGEBILD_LOG_LEVEL', LOG_LEVELS, { default: 'info' }),
  /**
   * Kafka brokers as `host:port,host:port`; set selects the Kafka event log, unset the embedded
   * LMDB log.
   * @default undefined (embedded)
   */
  kafkaBrokers: setting.list('KAFKA_BROKERS', {
    item: /^[^\s:/]+:\d{1,5}$/,
    expected: 'eine kommagetrennte Liste von host:port',
  }),
  /**
   * MongoDB connection string; set selects the MongoDB event and document stores.
   * @default undefined (embedded LMDB)
   */
  mongodbUrl: setting.url('MONGODB_URL', { protocols: ['mongodb', 'mongodb+srv'], secret: true }),
  /**
   * MongoDB database shared by the services of one installation (like the embedded data dir).
   * @default 'lagebild'
   */
  mongodbDatabase: setting.string('MONGODB_DATABASE', { default: 'lagebild', pattern: /^[A-Za-z0-9_-]{1,63}$/, expected: 'einen Datenbanknamen (Buchstaben, Ziffern, _ und -)' }),
  /**
   * TLS to the Kafka brokers (system CA certificates).
   * @default false
   */
  kafkaSsl: setting.boolean('KAFKA_SSL', { default: false }),
  /**
   * SASL authentication at the brokers; the three variables are set together or not at all.
   * @default undefined (no SASL)
   */
  kafkaSasl: allOrNone({
    mechanism: setting.oneOf('KAFKA_SASL_MECHANISM', ['plain', 'scram-sha-256', 'scram-sha-512'] as const),
    username: setting.string('KAFKA_SASL_USERNAME'),
    password: setting.string('KAFKA_SASL_PASSWORD', { secret: true }),
  }),
  /**
   * Partitions of the topics Lagebild creates; bounds how many replicas of one consumer work in parallel.
   * @default 6
   */
  kafkaTopicPartitions: setting.int('KAFKA_TOPIC_PARTITIONS', { default: 6, min: 1, max: 1000 }),
  /**
   * Replicas per partition of created topics.
   * @default undefined (the broker's default.replication.factor)
   */
  kafkaReplicationFactor: setting.int('KAFKA_REPLICATION_FACTOR', { min: 1, max: 10 }),
  /**
   * Confluent Schema Registry; set: event values travel in its wire format (schema id instead of
   * the Avro fingerprint), the envelope schema registered under `<topic>-value`.
   * @default undefined (Avro single-object encoding)
   */
  schemaRegistryUrl: setting.url('SCHEMA_REGISTRY_URL', { protocols: ['http', 'https'], secret: true }),
  /**
   * ClickHouse HTTP endpoint (credentials may be in the URL); set selects the ClickHouse server
   * warehouse.
   * @default undefined (embedded chDB)
   */
  clickhouseUrl: setting.url('CLICKHOUSE_URL', { protocols: ['http', 'https'], secret: true }),
  /**
   * Read-only ClickHouse user (profile with readonly = 1) for queries: the FIS, `lagebild query`;
   * user and password are set together or not at all.
   * @default undefined (queries run as the writing user)
   */
  clickhouseReadonly: allOrNone({
    username: setting.string('CLICKHOUSE_READONLY_USER'),
    password: setting.string('CLICKHOUSE_READONLY_PASSWORD', { secret: true }),
  }),
  /**
   * Production authentication: OIDC tokens verified against the identity provider's JWKS.
   * `LAGEBILD_AUTH_JWKS_URL`, `LAGEBILD_AUTH_ISSUER` and `LAGEBILD_AUTH_AUDIENCE` are set
   * together or not at all.
   * @default undefined (embedded: tokens signed with the key file under the data directory)
   */
  auth: allOrNone({
    jwksUrl: setting.url('LAGEBILD_AUTH_JWKS_URL', { protocols: ['https', 'http'] }),
    issuer: setting.string('LAGEBILD_AUTH_ISSUER'),
    audience: setting.string('LAGEBILD_AUTH_AUDIENCE'),
  }),
  /**
   * Claim holding the tenant (AGS); a dotted path reaches into nested claims.
   * @default 'tenant'
   */
  authTenantClaim: setting.string('LAGEBILD_AUTH_TENANT_CLAIM', { default: 'tenant' }),
  /**
   * Claim holding the roles array; Keycloak realms use `realm_access.roles`.
   * @default 'roles'
   */
  authRolesClaim: setting.string('LAGEBILD_AUTH_ROLES_CLAIM', { default: 'roles' }),
  /**
   * Claim listing the member tenants a Kreis principal may also access.
   * @default 'member_tenants'
   */
  authMembersClaim: setting.string('LAGEBILD_AUTH_MEMBERS_CLAIM', { default: 'member_tenants' }),
  /**
   * OTLP/HTTP collector base URL (`/v1/traces` is appended); unset: spans are not exported.
   * @default undefined (no export)
   */
  otlpEndpoint: setting.url('OTEL_EXPORTER_OTLP_ENDPOINT', { protocols: ['http', 'https'] }),
  /**
   * Largest accepted JSON request body, in bytes or with unit (kb, mb).
   * @default '1mb'
   */
  bodyLimit: setting.byteSize('LAGEBILD_BODY_LIMIT', { default: 1024 * 1024 }),
};

export type PlatformConfig = ConfigOf<typeof platformSettings>;

/**
 * Read by `npm run bench` only (output file, scale of the generated data); tolerated here so a
 * shell that keeps them set can still start the platform.
 */
export const BENCHMARK_VARIABLES = ['LAGEBILD_BENCH_OUT', 'LAGEBILD_BENCH_SCALE'] as const;

/** The platform settings alone (for processes that add none of their own). */
export function loadPlatformConfig(env: Env = process.env, options?: LoadConfigOptions): PlatformConfig {
  return loadConfig(platformSettings, env, { ...options, allowUnknown: [...BENCHMARK_VARIABLES, ...(options?.allowUnknown ?? [])] });
}

/** Which adapter each port gets under a configuration (ARCHITECTURE.md 4). */
export interface AdapterSelection {
  eventStore: 'lmdb' | 'mongodb';
  documentStore: 'lmdb' | 'mongodb';
  eventLog: 'lmdb' | 'kafka';
  warehouse: 'chdb' | 'clickhouse';
  auth: 'embedded' | 'jwks';
  telemetry: 'off' | 'otlp';
  /** True when no port needs a server: everything runs under the data directory. */
  embedded: boolean;
}

export function selectAdapters(
  config: Pick<PlatformConfig, 'kafkaBrokers' | 'mongodbUrl' | 'clickhouseUrl' | 'auth' | 'otlpEndpoint'>,
): AdapterSelection {
  const selection = {
    eventStore: config.mongodbUrl ? 'mongodb' : 'lmdb',
    documentStore: config.mongodbUrl ? 'mongodb' : 'lmdb',
    eventLog: config.kafkaBrokers ? 'kafka' : 'lmdb',
    warehouse: config.clickhouseUrl ? 'clickhouse' : 'chdb',
    auth: config.auth ? 'jwks' : 'embedded',
    telemetry: config.otlpEndpoint ? 'otlp' : 'off',
  } as const;
  return {
    ...selection,
    embedded: !config.mongodbUrl && !config.kafkaBrokers && !config.clickhouseUrl,
  };
}
