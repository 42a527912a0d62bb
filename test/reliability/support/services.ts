/**
 * What the services of `lagebild start` consist of, read from the services themselves rather
 * than from a list kept here: each service factory of the CLI (`SERVICES`) is instantiated once
 * on a scratch data directory (nothing is started: no consumer, no relay), and its express router
 * is walked for every route, its `consumers` give the consumer groups the pipeline must drain,
 * and `openapi()` (where a service has one) gives parameter and body schemas.
 */
import path from 'node:path';
import { SERVICES } from '@lagebild/cli';
import { createEmbeddedAuth, loadPlatformConfig, openPlatform, silentLogger, type ServiceModule } from '@lagebild/platform';
import { removeDir, tempDir } from './data';

export interface RouteInfo {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path relative to the service mount, e.g. `/deliveries/:id`. */
  path: string;
}

export interface ConsumerInfo {
  group: string;
  topics: readonly string[];
}

export interface ServiceInfo {
  name: string;
  routes: RouteInfo[];
  consumers: ConsumerInfo[];
  /** The service's OpenAPI document, when it publishes one. */
  openapi?: OpenApiDocument;
}

export interface OpenApiOperation {
  parameters?: Array<{ name: string; in: 'path' | 'query'; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Partial<Record<RouteInfo['method'], OpenApiOperation>>>;
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  maxLength?: number;
  format?: string;
}

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every route of an express router, including those of routers mounted inside it without a path. */
export function walkRoutes(router: ServiceModule['router']): RouteInfo[] {
  const found: RouteInfo[] = [];
  const visit = (stack: readonly Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all' && method !== 'head') found.push({ method: method as RouteInfo['method'], path: p });
          }
        }
      } else if (layer.handle?.stack) {
        visit(layer.handle.stack);
      }
    }
  };
  visit((router as unknown as { stack: Layer[] }).stack);
  return found;
}

let cached: Promise<ServiceInfo[]> | undefined;

export function describeServices(): Promise<ServiceInfo[]> {
  cached ??= (async () => {
    const dir = tempDir('services');
    const config = loadPlatformConfig({ LAGEBILD_DATA_DIR: path.join(dir, 'data') });
    const platform = await openPlatform({ config, logger: silentLogger(), warehouse: false, name: 'reliability-describe' });
    try {
      const auth = await createEmbeddedAuth({ dataDir: config.dataDir, logger: silentLogger() });
      const infos: ServiceInfo[] = [];
      for (const create of SERVICES) {
        const service = await create({ ...platform, logger: silentLogger(), auth });
        infos.push({
          name: service.name,
          routes: walkRoutes(service.router),
          consumers: (service.consumers ?? []).map((c) => ({ group: c.group, topics: [...c.topics] })),
          ...(service.openapi ? { openapi: service.openapi() as unknown as OpenApiDocument } : {}),
        });
      }
      return infos;
    } finally {
      await platform.close();
      removeDir(dir);
    }
  })();
  return cached;
}
