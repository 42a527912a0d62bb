/**
 * infra/docker-compose.yml, the one command that starts the production stack on one machine:
 * every Lagebild service runs as its own container with a command that exists, only variables the
 * configuration knows (and values it accepts), the port it configures and probes the app answers;
 * the init jobs create every topic with infinite retention and apply the SQL files that exist;
 * Grafana gets the generated provisioning where it looks for it; images are pinned.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { boundedContexts, topicOfContext } from '@lagebild/contracts';
import { defaultDeadLetterTopic, loadPlatformConfig } from '@lagebild/platform';
import { composeValue, isPinned, knownVariables, PROBE_PATHS, readText, readYaml, ROOT, rootPackage, serviceOfCommand, standaloneServices } from './deployment';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  profiles?: string[];
}

const [compose] = readYaml('infra/docker-compose.yml') as [{ services: Record<string, ComposeService>; volumes: Record<string, unknown> }];
const services = compose.services;
const IMAGE = `lagebild:${rootPackage.version}`;
/** Containers of the Lagebild image. */
const lagebild = Object.entries(services).filter(([, s]) => s.image === IMAGE);
/** Those that run a service (the `cli` tool container runs commands). */
const running = lagebild.filter(([, s]) => s.entrypoint === undefined);

function env(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, composeValue(String(v))]));
}

function script(service: ComposeService): string {
  return composeValue([...(service.entrypoint ?? []), ...(Array.isArray(service.command) ? service.command : [service.command ?? ''])].join('\n'));
}

describe('infra/docker-compose.yml', () => {
  it('runs every standalone service in a container of its own, built from the Dockerfile', () => {
    const started = running.map(([, s]) => serviceOfCommand(s.command as string[]));
    expect(started.sort()).toEqual(standaloneServices());
    for (const [, s] of lagebild) expect(path.resolve(ROOT, 'infra', s.build!.context, s.build!.dockerfile)).toBe(path.join(ROOT, 'Dockerfile'));
  });

  it('starts the cli container with the lagebild command', () => {
    const cli = lagebild.filter(([, s]) => s.entrypoint !== undefined);
    expect(cli.length).toBeGreaterThan(0);
    for (const [, s] of cli) expect(s.entrypoint).toEqual(['node', 'services/cli/dist/main.js']);
  });

  it('sets only variables the configuration knows, with values it accepts', () => {
    const known = knownVariables();
    for (const [name, s] of lagebild) {
      const variables = env(s);
      expect({ name, unknown: Object.keys(variables).filter((v) => !known.has(v)) }).toEqual({ name, unknown: [] });
      expect(() => loadPlatformConfig(variables)).not.toThrow();
    }
  });

  it('publishes the port each service listens on, and probes paths the app answers', () => {
    for (const [name, s] of running) {
      const port = env(s).LAGEBILD_PORT;
      expect({ name, port }).toEqual({ name, port: '8080' });
      expect(s.ports!.map((p) => p.split(':').pop())).toEqual([port]);
      const probe = s.healthcheck!.test!.join(' ');
      const paths = [...probe.matchAll(/127\.0\.0\.1:(\d+)(\/[a-z]+)/g)].map((m) => ({ port: m[1], path: m[2] }));
      expect(paths).toEqual([{ port, path: expect.stringMatching(new RegExp(`^(${PROBE_PATHS.join('|')})$`)) }]);
    }
  });

  it('starts services only after what they need is healthy or done', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = services[dependency];
        expect({ name, dependency, exists: target !== undefined }).toEqual({ name, dependency, exists: true });
        if (condition === 'service_healthy') expect({ dependency, healthcheck: target!.healthcheck?.test !== undefined }).toEqual({ dependency, healthcheck: true });
        if (condition === 'service_completed_successfully') expect({ dependency, restart: target!.restart }).toEqual({ dependency, restart: 'no' });
      }
    }
    for (const [name, s] of running) expect({ name, deps: Object.keys(s.depends_on!).sort() }).toEqual({ name, deps: expect.arrayContaining(['kafka-init', 'mongodb']) });
    expect(Object.keys(services.warehouse!.depends_on!)).toContain('clickhouse-init');
  });

  it('creates every event topic and its dead-letter topic, kept forever', () => {
    const init = script(services['kafka-init']!);
    const topics = boundedContexts.map(topicOfContext);
    const loop = /for topic in ([^;]+);/.exec(init)![1]!.trim().split(/\s+/);
    expect(loop.sort()).toEqual([...topics].sort());
    expect(init).toContain(`--topic "$topic"`);
    expect(init).toContain(`--topic "${defaultDeadLetterTopic('$topic')}"`);
    expect(init.match(/--config retention\.ms=-1/g)).toHaveLength(2);
    expect(env(services.kafka!).KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    // Topics a service creates itself get the same partitions.
    const partitions = /--topic "\$topic" --partitions (\d+) /.exec(init.replace(/\s*\\\n\s*/g, ' '))![1];
    for (const [, s] of running) expect(env(s).KAFKA_TOPIC_PARTITIONS).toBe(partitions);
  });

  it('applies the generated schema and access SQL, and opens the reader Grafana uses', () => {
    const init = services['clickhouse-init']!;
    const mounts = Object.fromEntries(init.volumes!.map((v) => v.split(':')).map(([from, to]) => [to, from]));
    expect(mounts['/sql/schema.sql']).toBe('./clickhouse/single/schema.sql');
    expect(mounts['/sql/access.sql']).toBe('./clickhouse/access/single.sql');
    const sql = script(init);
    expect(sql).toMatch(/--multiquery < \/sql\/schema\.sql[\s\S]*--multiquery < \/sql\/access\.sql/);
    const tenant = env(init).FIS_TENANT!;
    expect(readText('infra/clickhouse/access/single.sql')).toContain(`CREATE USER IF NOT EXISTS lagebild_fis_${tenant} `);
    expect(env(services.grafana!).LAGEBILD_CLICKHOUSE_USER).toBe(`lagebild_fis_${tenant}`);
    expect(env(services.grafana!).LAGEBILD_CLICKHOUSE_PASSWORD).toBe(env(init).FIS_PASSWORD);
    // The warehouse service writes as the user the image creates, and reads as the operator reader the access SQL creates.
    const url = new URL(env(services.warehouse!).CLICKHOUSE_URL!);
    expect([url.username, url.password]).toEqual([env(services.clickhouse!).CLICKHOUSE_USER, env(services.clickhouse!).CLICKHOUSE_PASSWORD]);
    const reader = env(services.warehouse!).CLICKHOUSE_READONLY_USER!;
    expect(readText('infra/clickhouse/access/single.sql')).toContain(`CREATE USER IF NOT EXISTS ${reader} `);
    expect(sql).toContain(`ALTER USER ${reader} IDENTIFIED WITH sha256_hash`);
    expect(env(init).READONLY_PASSWORD).toBe(env(services.warehouse!).CLICKHOUSE_READONLY_PASSWORD);
  });

  it('gives Grafana the ClickHouse plugin, the generated provisioning and the variables it reads', () => {
    const grafana = services.grafana!;
    const mounts = Object.fromEntries(grafana.volumes!.map((v) => v.split(':')).map(([from, to]) => [to, from]));
    const [provider] = readYaml('infra/grafana/provisioning/dashboards/lagebild.yaml') as [{ providers: Array<{ options: { path: string } }> }];
    expect(mounts[provider.providers[0]!.options.path]).toBe('./grafana/dashboards');
    expect(mounts['/etc/grafana/provisioning/datasources']).toBe('./grafana/provisioning/datasources');
    expect(mounts['/etc/grafana/provisioning/dashboards']).toBe('./grafana/provisioning/dashboards');
    expect(env(grafana).GF_INSTALL_PLUGINS).toMatch(/^grafana-clickhouse-datasource \d+\.\d+\.\d+$/);
    const datasource = readText('infra/grafana/provisioning/datasources/lagebild-clickhouse.yaml');
    const wanted = [...datasource.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]!);
    expect(wanted.length).toBeGreaterThan(0);
    for (const name of wanted) expect({ name, set: env(grafana)[name] !== undefined }).toEqual({ name, set: true });
  });

  it('mounts only files and folders that exist in the repository', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect({ name, source, exists: existsSync(path.resolve(ROOT, 'infra', source)) }).toEqual({ name, source, exists: true });
        else expect({ name, source, declared: source in compose.volumes }).toEqual({ name, source, declared: true });
      }
    }
  });

  it('pins every image to a version', () => {
    for (const [name, s] of Object.entries(services)) expect({ name, image: s.image, pinned: isPinned(s.image ?? '') }).toEqual({ name, image: s.image, pinned: true });
  });

  it('mounts the ClickHouse settings where the server reads them', () => {
    const mounts = services.clickhouse!.volumes!.map((v) => v.split(':'));
    expect(mounts).toContainEqual(['./clickhouse/config/config.d/lagebild.xml', '/etc/clickhouse-server/config.d/lagebild.xml', 'ro']);
    expect(mounts).toContainEqual(['./clickhouse/config/users.d/profiles.xml', '/etc/clickhouse-server/users.d/lagebild-profiles.xml', 'ro']);
  });
});
