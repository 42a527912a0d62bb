/**
 * What a domain service is to the host that runs it: a name, an express router mounted at
 * `/api/<name>`, background work (consumers) started and stopped with the host, and readiness
 * checks. Every service exports `createService(deps) -> ServiceModule`; the same module runs
 * embedded (all services in one host process) and standalone (one process per service).
 */
import type { Router } from 'express';
import type { DocumentStore } from '../ports/document-store';
import type { EventLog } from '../ports/event-log';
import type { EventStore } from '../ports/event-store';
import type { Warehouse } from '../ports/warehouse';
import type { Authenticator } from '../runtime/auth';
import type { PageMount, ReadinessChecks } from '../runtime/http';
import type { Logger } from '../runtime/logger';

/** The four ports, opened once per process by `openPlatform`. */
export interface PlatformPorts {
  eventStore: EventStore;
  eventLog: EventLog;
  documents: DocumentStore;
  warehouse: Warehouse;
}

export interface ServiceDeps extends PlatformPorts {
  logger: Logger;
  auth: Authenticator;
}

export interface ServiceModule {
  /** Lower-case service name; the router is mounted at `/api/<name>`. */
  name: string;
  router: Router;
  /** Start consumers and other background work; called once the host is listening. */
  start?(): Promise<void>;
  /** Stop background work gracefully (finish and commit the batch in progress). */
  stop?(): Promise<void>;
  readiness?: ReadinessChecks;
  /** OpenAPI document of the router's declared routes (runtime/api.ts), served without a token. */
  openapi?: () => unknown;
  /**
   * Static pages mounted at the host root without authentication (e.g. the FIS web view at
   * `/fis`); they fetch their data from the service's authenticated API.
   */
  pages?: readonly PageMount[];
  /**
   * The consumer groups the service runs and the topics each reads: for lag checks (readiness,
   * `lagebild start` waiting until the demo has flowed through every service).
   */
  consumers?: ReadonlyArray<{ group: string; topics: readonly string[] }>;
}

/** Factory every service package exports as `createService`. */
export type ServiceFactory = (deps: ServiceDeps) => ServiceModule | Promise<ServiceModule>;
