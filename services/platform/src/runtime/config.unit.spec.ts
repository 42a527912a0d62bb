import path from 'node:path';
import { ConfigError, loadConfig, loadPlatformConfig, platformSettings, selectAdapters, setting } from './config';

function problemsOf(fn: () => unknown): ConfigError['problems'] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults when nothing is set, and freezes the result', () => {
    const config = loadPlatformConfig({});

    expect(config).toEqual({
      dataDir: path.resolve('./.lagebild'),
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'info',
      kafkaBrokers: undefined,
      kafkaSsl: false,
      kafkaSasl: undefined,
      kafkaTopicPartitions: 6,
      kafkaReplicationFactor: undefined,
      schemaRegistryUrl: undefined,
      mongodbUrl: undefined,
      mongodbDatabase: 'lagebild',
      clickhouseUrl: undefined,
      clickhouseReadonly: undefined,
      auth: undefined,
      authTenantClaim: 'tenant',
      authRolesClaim: 'roles',
      authMembersClaim: 'member_tenants',
      otlpEndpoint: undefined,
      bodyLimit: 1024 * 1024,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes the Kafka SASL settings together or not at all, naming what is missing', () => {
    expect(loadPlatformConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'lagebild', KAFKA_SASL_PASSWORD: 'geheim' }).kafkaSasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'lagebild',
      password: 'geheim',
    });
    let error: unknown;
    try {
      loadPlatformConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'geheim' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('KAFKA_SASL_USERNAME');
    expect((error as ConfigError).message).not.toContain('geheim');
  });

  it('parses set values into their types', () => {
    const config = loadPlatformConfig({
      LAGEBILD_PORT: ' 9090 ',
      LAGEBILD_DATA_DIR: 'daten',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      LAGEBILD_BODY_LIMIT: '512kb',
      LAGEBILD_LOG_LEVEL: 'debug',
      LAGEBILD_AUTH_JWKS_URL: 'https://sso.example.org/realms/lagebild/protocol/openid-connect/certs',
      LAGEBILD_AUTH_ISSUER: 'https://sso.example.org/realms/lagebild',
      LAGEBILD_AUTH_AUDIENCE: 'lagebild',
      LAGEBILD_AUTH_ROLES_CLAIM: 'realm_access.roles',
    });

    expect(config).toMatchObject({
      port: 9090,
      dataDir: path.resolve('daten'),
      kafkaBrokers: ['kafka-1:9092', 'kafka-2:9092'],
      bodyLimit: 512 * 1024,
      logLevel: 'debug',
      auth: {
        jwksUrl: 'https://sso.example.org/realms/lagebild/protocol/openid-connect/certs',
        issuer: 'https://sso.example.org/realms/lagebild',
        audience: 'lagebild',
      },
      authRolesClaim: 'realm_access.roles',
    });
  });

  it('names the variable, what it expects and what it got for a malformed value', () => {
    expect(() => loadPlatformConfig({ LAGEBILD_PORT: 'abc' })).toThrow(
      "LAGEBILD_PORT: erwartet eine ganze Zahl von 0 bis 65535, erhalten 'abc'",
    );
    expect(() => loadPlatformConfig({ LAGEBILD_PORT: '70000' })).toThrow(
      "LAGEBILD_PORT: erwartet eine ganze Zahl von 0 bis 65535, erhalten '70000'",
    );
  });

  it('reports every problem at once instead of stopping at the first', () => {
    const problems = problemsOf(() =>
      loadPlatformConfig({ LAGEBILD_PORT: '-1', LAGEBILD_LOG_LEVEL: 'verbose', KAFKA_BROKERS: 'kafka-1', LAGEBILD_BODY_LIMIT: 'viel' }),
    );

    expect(problems).toEqual([
      { variable: 'LAGEBILD_PORT', message: "erwartet eine ganze Zahl von 0 bis 65535, erhalten '-1'" },
      { variable: 'LAGEBILD_LOG_LEVEL', message: "erwartet einen der Werte fatal, error, warn, info, debug, trace, silent, erhalten 'verbose'" },
      { variable: 'KAFKA_BROKERS', message: "erwartet eine kommagetrennte Liste von host:port, erhalten 'kafka-1'" },
      { variable: 'LAGEBILD_BODY_LIMIT', message: "erwartet eine Größe wie 512kb, 1mb oder eine Anzahl Bytes, erhalten 'viel'" },
    ]);
  });

  it('refuses unknown LAGEBILD_ variables and suggests the close one', () => {
    const problems = problemsOf(() => loadPlatformConfig({ LAGEBILD_PROT: '8081', LAGEBILD_WHATEVER_ELSE_ENTIRELY: 'x', PATH: '/usr/bin' }));

    expect(problems).toEqual([
      { variable: 'LAGEBILD_PROT', message: 'unbekannte Variable; meinten Sie LAGEBILD_PORT?' },
      { variable: 'LAGEBILD_WHATEVER_ELSE_ENTIRELY', message: 'unbekannte Variable' },
    ]);
  });

  it('tolerates the benchmark variables a shell may still have set', () => {
    expect(() => loadPlatformConfig({ LAGEBILD_BENCH_SCALE: '0.1', LAGEBILD_BENCH_OUT: 'bench.json' })).not.toThrow();
  });

  it('wants the production auth variables all together or not at all', () => {
    const problems = problemsOf(() => loadPlatformConfig({ LAGEBILD_AUTH_JWKS_URL: 'https://sso.example.org/certs' }));

    expect(problems.map((p) => p.variable)).toEqual(['LAGEBILD_AUTH_ISSUER', 'LAGEBILD_AUTH_AUDIENCE']);
    expect(problems[0]!.message).toContain('werden nur zusammen gesetzt');
  });

  it('never echoes the value of a secret setting', () => {
    const problems = problemsOf(() => loadPlatformConfig({ MONGODB_URL: 'postgres://planer:geheim@db.intern/lagebild' }));

    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('erwartet eine URL mit mongodb:// oder mongodb+srv://');
    expect(problems[0]!.message).not.toContain('geheim');
  });

  it('treats an empty variable as unset', () => {
    expect(loadPlatformConfig({ LAGEBILD_PORT: '', KAFKA_BROKERS: '  ' })).toMatchObject({ port: 8080, kafkaBrokers: undefined });
  });

  it('lets a service extend the platform settings with its own, including required ones', () => {
    const goalsSettings = {
      ...platformSettings,
      /** @default 3 */
      maxRetries: setting.int('LAGEBILD_GOALS_MAX_RETRIES', { min: 0, max: 10, default: 3 }),
      reportTitle: setting.string('LAGEBILD_GOALS_REPORT_TITLE', { required: true }),
    };

    const config = loadConfig(goalsSettings, { LAGEBILD_GOALS_MAX_RETRIES: '5', LAGEBILD_GOALS_REPORT_TITLE: 'Sozialbericht' });

    expect(config).toMatchObject({ maxRetries: 5, reportTitle: 'Sozialbericht', port: 8080 });
    expect(() => loadConfig(goalsSettings, {})).toThrow('LAGEBILD_GOALS_REPORT_TITLE: fehlt; erwartet einen nicht leeren Text');
  });

  it('reads booleans strictly', () => {
    const shape = { dryRun: setting.boolean('LAGEBILD_DRY_RUN', { default: false }) };

    expect(loadConfig(shape, { LAGEBILD_DRY_RUN: 'TRUE' }).dryRun).toBe(true);
    expect(loadConfig(shape, { LAGEBILD_DRY_RUN: '0' }).dryRun).toBe(false);
    expect(loadConfig(shape, {}).dryRun).toBe(false);
    expect(() => loadConfig(shape, { LAGEBILD_DRY_RUN: 'ja' })).toThrow("LAGEBILD_DRY_RUN: erwartet true, false, 1 oder 0, erhalten 'ja'");
  });

  it('tolerates unknown variables the caller names explicitly', () => {
    expect(() => loadPlatformConfig({ LAGEBILD_BENCH_ROWS: '1000' }, { allowUnknown: ['LAGEBILD_BENCH_ROWS'] })).not.toThrow();
  });
});

describe('selectAdapters', () => {
  it('selects every embedded adapter when no server is configured', () => {
    expect(selectAdapters(loadPlatformConfig({}))).toEqual({
      eventStore: 'lmdb',
      documentStore: 'lmdb',
      eventLog: 'lmdb',
      warehouse: 'chdb',
      auth: 'embedded',
      telemetry: 'off',
      embedded: true,
    });
  });

  it('selects the production adapter of each port whose server is configured', () => {
    const config = loadPlatformConfig({
      MONGODB_URL: 'mongodb://db:27017/lagebild',
      CLICKHOUSE_URL: 'http://clickhouse:8123',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });

    expect(selectAdapters(config)).toEqual({
      eventStore: 'mongodb',
      documentStore: 'mongodb',
      eventLog: 'lmdb',
      warehouse: 'clickhouse',
      auth: 'embedded',
      telemetry: 'otlp',
      embedded: false,
    });
  });
});
