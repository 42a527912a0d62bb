/**
 * What the code knows, for checking the deployment files (Dockerfile, infra/docker-compose.yml,
 * infra/k8s) against it: which services run as their own process and how they are started, which
 * environment variables the configuration reads, and the YAML of the files. None of the servers
 * those files describe (Docker engine, Kafka, MongoDB, Grafana, Kubernetes) runs here, so the
 * tests check that the files parse and name only images, commands, ports, variables and paths
 * that exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { platformSettings } from '@lagebild/platform';
// The `yaml` package is installed in the workspace root (services/goals depends on it).
import YAML from 'yaml';

export const ROOT = path.resolve(__dirname, '../..');

export const rootPackage = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  workspaces: string[];
  scripts: Record<string, string>;
  engines: { node: string };
};

/** Services with a process entry of their own: services/<name>/src/main.ts calling runStandalone. */
export function standaloneServices(): string[] {
  return readdirSync(path.join(ROOT, 'services'))
    .filter((name) => {
      const main = path.join(ROOT, 'services', name, 'src', 'main.ts');
      return existsSync(main) && readFileSync(main, 'utf8').includes('runStandalone(');
    })
    .sort();
}

/**
 * Names announced for the production adapters that services/platform/src/runtime/config.ts does
 * not declare (yet). The deployment files set none of them: ClickHouse's writing user and
 * password travel in CLICKHOUSE_URL, the Kafka client id is `lagebild-<service>`. To be
 * reconciled with config.ts: a name it declares leaves this list (a test says which); a name that
 * will not come leaves it too.
 */
export const PLANNED_VARIABLES: readonly string[] = ['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DATABASE', 'KAFKA_CLIENT_ID'];

/** Read by Node.js itself, not by Lagebild. */
export const RUNTIME_VARIABLES: readonly string[] = ['NODE_ENV', 'NODE_OPTIONS'];

/** Variables the platform configuration declares (every standalone process loads them). */
export function declaredVariables(): string[] {
  return Object.values(platformSettings).flatMap((s) => [...s.variables]);
}

export function knownVariables(): Set<string> {
  return new Set([...declaredVariables(), ...PLANNED_VARIABLES, ...RUNTIME_VARIABLES]);
}

/** The probe paths the deployment files may use (answered without a token; see probes.e2e.spec.ts). */
export const PROBE_PATHS = ['/health', '/ready'] as const;

/**
 * The service a container command starts: `node services/<name>/dist/main.js`, where
 * services/<name>/src/main.ts exists and the package builds src/ to dist/.
 */
export function serviceOfCommand(command: readonly string[]): string | undefined {
  if (command[0] !== 'node') return undefined;
  const match = /^services\/([a-z]+)\/dist\/main\.js$/.exec(command[1] ?? '');
  if (!match) return undefined;
  const service = match[1]!;
  const dir = path.join(ROOT, 'services', service);
  if (!existsSync(path.join(dir, 'src', 'main.ts'))) return undefined;
  const build = JSON.parse(readFileSync(path.join(dir, 'tsconfig.build.json'), 'utf8')) as { compilerOptions?: { rootDir?: string; outDir?: string } };
  return build.compilerOptions?.rootDir === 'src' && build.compilerOptions.outDir === 'dist' ? service : undefined;
}

export function readText(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

/** A YAML file with its documents (merge keys `<<` resolved, as docker compose does). */
export function readYaml(relative: string): unknown[] {
  const docs = YAML.parseAllDocuments(readText(relative), { merge: true });
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${relative}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return docs.map((d) => d.toJS() as unknown).filter((d) => d !== null);
}

/**
 * A value as docker compose interpolates it with nothing set in the environment:
 * `${NAME:-default}` and `${NAME-default}` give the default; `$$` is a literal `$`.
 */
export function composeValue(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$$') return '$';
    if (fallback === undefined) throw new Error(`\${${name}} has no default: docker compose up would need it set`);
    return fallback;
  });
}

/** An image reference pinned to a version: a tag other than `latest`, or a digest. */
export function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== 'latest' && /\d/.test(tag);
}
