/**
 * infra/k8s: every manifest parses; every standalone service has a workload whose container runs a
 * command that exists, sets only variables the configuration knows (and values it accepts, read
 * through its ConfigMap and Secrets), exposes the port it configures and probes paths the app
 * answers; Services, autoscalers, disruption budgets and the Ingress point at what exists; no
 * autoscaler runs more consumers than the topics have partitions; images are pinned.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { boundedContexts, topicOfContext } from '@lagebild/contracts';
import { loadPlatformConfig } from '@lagebild/platform';
import { isPinned, knownVariables, PROBE_PATHS, readYaml, ROOT, rootPackage, serviceOfCommand, standaloneServices } from './deployment';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; initContainers?: Container[]; securityContext?: { runAsNonRoot?: boolean } };
}

const K8S = path.join(ROOT, 'infra/k8s');

/** Every YAML file below infra/k8s, relative to the repository root. */
function yamlFiles(dir = K8S): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [path.relative(ROOT, full)] : [];
  });
}

const files = yamlFiles();
const manifests = files.flatMap((f) => (readYaml(f) as Manifest[]).map((m) => ({ file: f, ...m })));
const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const workloads = [...byKind('Deployment'), ...byKind('StatefulSet')];
const template = (w: Manifest) => (w.spec as { template: PodTemplate }).template;
const containerOf = (w: Manifest) => template(w).spec.containers[0]!;
const IMAGE = `lagebild:${rootPackage.version}`;

/** The environment a container gets: ConfigMaps and Secrets it imports, then its own entries. */
function environment(container: Container): Record<string, string> {
  const out: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name ?? from.secretRef?.name;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const source = byKind(kind).find((m) => m.metadata.name === name);
    expect({ kind, name, exists: source !== undefined }).toEqual({ kind, name, exists: true });
    Object.assign(out, source!.data ?? {}, source!.stringData ?? {});
  }
  for (const e of container.env ?? []) out[e.name] = e.value ?? '';
  return out;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe('infra/k8s', () => {
  it('lists every manifest in its kustomization', () => {
    for (const dir of [K8S, path.join(K8S, 'operators')]) {
      const [kustomization] = readYaml(path.relative(ROOT, path.join(dir, 'kustomization.yaml'))) as [{ resources: string[] }];
      const present = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
      expect(kustomization.resources.sort()).toEqual(present.sort());
    }
  });

  it('runs every standalone service as a workload of the Lagebild image with a command that exists', () => {
    const started = workloads.filter((w) => containerOf(w).image === IMAGE).map((w) => serviceOfCommand(containerOf(w).command ?? []));
    expect(started.sort()).toEqual(standaloneServices());
    const [kustomization] = readYaml('infra/k8s/kustomization.yaml') as [{ images: Array<{ name: string; newTag: string }> }];
    expect(kustomization.images).toContainEqual(expect.objectContaining({ name: 'lagebild', newTag: rootPackage.version }));
  });

  it('sets only variables the configuration knows, with values it accepts', () => {
    const known = knownVariables();
    for (const w of workloads) {
      const variables = environment(containerOf(w));
      expect({ workload: w.metadata.name, unknown: Object.keys(variables).filter((v) => !known.has(v)) }).toEqual({ workload: w.metadata.name, unknown: [] });
      expect(() => loadPlatformConfig(variables)).not.toThrow();
    }
  });

  it('exposes the port each service listens on and probes paths the app answers', () => {
    for (const w of workloads) {
      const container = containerOf(w);
      const port = Number(environment(container).LAGEBILD_PORT);
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
        expect(probe?.httpGet?.port).toBe('http');
        expect(PROBE_PATHS).toContain(probe!.httpGet!.path);
      }
      // Liveness must not depend on Kafka or the stores: a broker outage would restart every pod.
      expect(container.livenessProbe!.httpGet!.path).toBe('/health');
      expect(container.readinessProbe!.httpGet!.path).toBe('/ready');
    }
  });

  it('bounds memory and runs as a non-root user', () => {
    for (const w of workloads) {
      const container = containerOf(w);
      expect(container.resources?.requests?.memory).toBeDefined();
      expect(container.resources?.limits?.memory).toBeDefined();
      expect(template(w).spec.securityContext?.runAsNonRoot).toBe(true);
      const heap = /--max-old-space-size=(\d+)/.exec(environment(container).NODE_OPTIONS ?? '')?.[1];
      const limit = /^(\d+)(Mi|Gi)$/.exec(container.resources!.limits!.memory!)!;
      const limitMiB = Number(limit[1]) * (limit[2] === 'Gi' ? 1024 : 1);
      expect(Number(heap)).toBeLessThan(limitMiB);
    }
  });

  it('selects existing pods and ports with Services, autoscalers, disruption budgets and the Ingress', () => {
    const labelsOf = workloads.map((w) => template(w).metadata.labels);
    for (const service of byKind('Service')) {
      const selector = (service.spec as { selector: Record<string, string> }).selector;
      expect({ service: service.metadata.name, selects: labelsOf.some((l) => matches(selector, l)) }).toEqual({ service: service.metadata.name, selects: true });
    }
    for (const pdb of byKind('PodDisruptionBudget')) {
      const selector = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(labelsOf.some((l) => matches(selector, l))).toBe(true);
    }
    for (const hpa of byKind('HorizontalPodAutoscaler')) {
      const ref = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
      expect(workloads.some((w) => w.kind === ref.kind && w.metadata.name === ref.name)).toBe(true);
    }
    const [ingress] = byKind('Ingress');
    const rules = (ingress!.spec as { rules: Array<{ http: { paths: Array<{ path: string; backend: { service: { name: string; port: { name: string } } } }> } }> }).rules;
    const backends = rules.flatMap((r) => r.http.paths);
    for (const { backend } of backends) {
      const service = byKind('Service').find((s) => s.metadata.name === backend.service.name);
      expect((service!.spec as { ports: Array<{ name: string }> }).ports.map((p) => p.name)).toContain(backend.service.port.name);
    }
    // Each service's API is reachable under its own path.
    for (const service of standaloneServices()) expect(backends).toContainEqual(expect.objectContaining({ path: `/api/${service}`, backend: { service: expect.objectContaining({ name: service }) } }));
  });

  it('runs no more consumers than the topics have partitions', () => {
    const topics = byKind('KafkaTopic').map((t) => t.spec as { topicName: string; partitions: number; config: Record<string, number> });
    const events = boundedContexts.map(topicOfContext);
    expect(topics.filter((t) => events.includes(t.topicName as never)).map((t) => t.topicName).sort()).toEqual([...events].sort());
    const partitions = Math.min(...topics.filter((t) => events.includes(t.topicName as never)).map((t) => t.partitions));
    const hpas = byKind('HorizontalPodAutoscaler');
    expect(hpas.length).toBeGreaterThan(0);
    for (const hpa of hpas) {
      const { minReplicas, maxReplicas } = hpa.spec as { minReplicas: number; maxReplicas: number };
      expect({ hpa: hpa.metadata.name, withinPartitions: maxReplicas <= partitions, ordered: minReplicas <= maxReplicas }).toEqual({ hpa: hpa.metadata.name, withinPartitions: true, ordered: true });
    }
    // Topics the services create themselves get the same count.
    const config = byKind('ConfigMap').find((c) => c.metadata.name === 'lagebild-config')!;
    expect(Number(config.data!.KAFKA_TOPIC_PARTITIONS)).toBe(partitions);
    // docker compose creates the topics with the same partition count.
    const compose = readYaml('infra/docker-compose.yml') as Array<{ services: Record<string, { command: string[] }> }>;
    expect(compose[0]!.services['kafka-init']!.command.join('\n')).toContain(`--partitions ${partitions} `);
  });

  it('keeps every event topic forever, dead letters included', () => {
    for (const topic of byKind('KafkaTopic')) {
      const { config } = topic.spec as { config: Record<string, number> };
      expect({ topic: topic.metadata.name, retention: config['retention.ms'] }).toEqual({ topic: topic.metadata.name, retention: -1 });
    }
  });

  it('pins every image to a version', () => {
    const images: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'image' && typeof value === 'string') images.push(value);
          else collect(value);
        }
      }
    };
    collect(manifests);
    expect(images.length).toBeGreaterThan(5);
    for (const image of images) expect({ image, pinned: isPinned(image) }).toEqual({ image, pinned: true });
  });

  it('keeps placeholders, not credentials, in the Secret templates', () => {
    for (const secret of byKind('Secret')) {
      for (const [key, value] of Object.entries(secret.stringData ?? {})) {
        if (/PASSWORD/.test(key)) expect(value).toBe('ERSETZEN');
        if (/URL/.test(key) && value.includes('@')) expect(value).toMatch(/:ERSETZEN@/);
      }
    }
  });
});
