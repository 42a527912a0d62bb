/**
 * The express app every service runs in. A service contributes an express `Router`; the app
 * around it adds what every service needs the same way: security headers (helmet), a JSON body
 * with a size limit, request ids, request logs, `/health` and `/ready`, authentication, and
 * RFC 9457 problem responses for every error.
 *
 * Embedded mode mounts all services' routers into one app (`/api/<service>/...` on one port);
 * standalone production runs one app per service with the same paths, so clients never change.
 */
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Authenticator } from './auth';
import type { Logger } from './logger';
import { PROBLEM_CONTENT_TYPE, ProblemError, type ProblemDocument, useGermanValidationMessages, validationProblemFrom } from './problem';
import './request-context';
import { z } from 'zod';
import { InvalidDocumentRequestError } from '../documents/validation';

export interface Mount {
  /** Mount path, e.g. `/api/goals`. */
  path: string;
  router: Router;
  /** Skip authentication for this mount (published figures). Default false: secure by default. */
  public?: boolean;
  /** The service's OpenAPI document, served without a token at `<path>/openapi.json`. */
  openapi?: () => unknown;
}

/**
 * The mount of a service's router at `/api/<service>`: the same path whether the service runs in
 * the embedded host beside the others or standalone on its own port.
 */
export function serviceMount(service: string, router: Router, options: { public?: boolean; openapi?: () => unknown } = {}): Mount {
  if (!/^[a-z][a-z0-9-]*$/.test(service)) throw new TypeError(`service name must be lower-case kebab-case: ${service}`);
  return { path: `/api/${service}`, router, ...(options.public ? { public: true } : {}), ...(options.openapi ? { openapi: options.openapi } : {}) };
}

/**
 * A public page (static HTML and assets) at the host root, e.g. `/fis`. Pages carry no data of
 * their own: they ask the authenticated API with the user's token, so they need no token to load.
 */
export interface PageMount {
  path: string;
  router: Router;
}

/** Paths a page may not take: the APIs and the probes. */
function checkPagePath(path: string): void {
  if (!/^\/[a-z][a-z0-9-]*$/.test(path) || path === '/api' || path === '/health' || path === '/ready') {
    throw new TypeError(`page path must be one lower-case segment outside /api, /health and /ready: ${path}`);
  }
}

/** Named readiness checks; each resolves when its port is usable and rejects (with a reason) otherwise. */
export type ReadinessChecks = Record<string, () => Promise<void>>;

export interface ReadinessCheckResult {
  ok: boolean;
  durationMs: number;
  /** Why it is not ready (error message); absent when ok. */
  detail?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, ReadinessCheckResult>;
}

export interface AppOptions {
  /** Service (or host) name, reported by `/health`. */
  service: string;
  logger: Logger;
  /** When given, every mount not marked `public` requires a valid bearer token. */
  auth?: Authenticator;
  mounts?: readonly Mount[];
  /** Public pages at the host root (no token needed to load them). */
  pages?: readonly PageMount[];
  readiness?: ReadinessChecks;
  /** Per-check timeout of `/ready`. @default 2000 */
  readinessTimeoutMs?: number;
  /** Largest JSON body in bytes (or `'1mb'` style). @default 1 MiB */
  bodyLimit?: number | string;
  /** `/ready` answers 503 while this returns true (graceful shutdown in progress). */
  isShuttingDown?: () => boolean;
  /** Further routes on the app itself, after the mounts. */
  configure?: (app: Express) => void;
}

/** A sane incoming request id is kept so a trace across proxies stays joinable; anything else is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ requestId: req.requestId });
    res.setHeader('X-Request-Id', req.requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const entry = { method: req.method, url: req.originalUrl, status: res.statusCode, durationMs: Math.round(durationMs * 10) / 10 };
      // Probes poll every few seconds; at info level they would drown the real requests.
      if (req.path === '/health' || req.path === '/ready') req.log.debug(entry, 'probe');
      else if (res.statusCode >= 500) req.log.warn(entry, 'request failed');
      else req.log.info(entry, 'request');
    });
    next();
  };
}

/** Runs every check in parallel with a timeout; never rejects. */
export async function checkReadiness(checks: ReadinessChecks, timeoutMs = 2000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, ReadinessCheckResult]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`keine Antwort nach ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [name, { ok: true, durationMs: Math.round(performance.now() - started) }];
      } catch (error) {
        return [name, { ok: false, durationMs: Math.round(performance.now() - started), detail: error instanceof Error ? error.message : String(error) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const report = Object.fromEntries(entries);
  return { ready: entries.every(([, r]) => r.ok), checks: report };
}

/** Problem for a failed body-parser step (they carry `type` and `status`). */
function bodyParserProblem(error: unknown, limit: number | string): ProblemError | undefined {
  if (error === null || typeof error !== 'object' || !('type' in error) || typeof error.type !== 'string') return undefined;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  switch (error.type) {
    case 'entity.parse.failed':
      return new ProblemError({
        status: 400,
        type: 'malformed-json',
        title: 'Ungültiges JSON',
        detail: `Der Anfragekörper ist kein gültiges JSON: ${message}`,
        cause: error,
      });
    case 'entity.too.large':
      return new ProblemError({
        status: 413,
        type: 'body-too-large',
        title: 'Anfragekörper zu groß',
        detail: `Der Anfragekörper ist zu groß; erlaubt sind höchstens ${typeof limit === 'number' ? `${limit} Bytes` : limit}.`,
        extensions: { limit },
        cause: error,
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ProblemError({
        status: 415,
        type: 'unsupported-encoding',
        title: 'Nicht unterstützte Kodierung',
        detail: `Die Kodierung des Anfragekörpers wird nicht unterstützt (erwartet UTF-8 JSON): ${message}`,
        cause: error,
      });
    case 'request.aborted':
    case 'request.size.invalid':
      return new ProblemError({
        status: 400,
        type: 'incomplete-body',
        title: 'Unvollständige Anfrage',
        detail: 'Der Anfragekörper ist unvollständig angekommen.',
        cause: error,
      });
    default:
      return undefined;
  }
}

/**
 * Client errors raised by express itself or its middleware in the http-errors style (`status`
 * 4xx, `expose`), e.g. a path parameter with broken percent-encoding.
 */
function httpClientProblem(error: unknown): ProblemError | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const status = 'status' in error ? error.status : 'statusCode' in error ? error.statusCode : undefined;
  if (typeof status !== 'number' || status < 400 || status > 499 || !('expose' in error ? error.expose !== false : true)) return undefined;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  return new ProblemError({
    status,
    type: 'bad-request',
    title: 'Fehlerhafte Anfrage',
    detail: `Die Anfrage ist fehlerhaft und wurde nicht bearbeitet${message ? ` (${message})` : ''}.`,
    cause: error,
  });
}

interface RouterLayer {
  route?: { _methods?: () => string[] };
  handle?: { stack?: RouterLayer[] };
  match?: (path: string) => false | { path: string };
}

/**
 * Methods the app has for `path`, for a 405 instead of a 404. Express exposes no API for this, so
 * it walks the router stack (`stack`, `route`, `match` are stable in router 2); any surprise
 * there degrades to "no methods known" and a plain 404.
 */
function allowedMethods(stack: readonly RouterLayer[], path: string): Set<string> {
  const methods = new Set<string>();
  for (const layer of stack) {
    const match = typeof layer.match === 'function' ? layer.match(path) : false;
    if (!match) continue;
    if (layer.route && typeof layer.route._methods === 'function') {
      for (const m of layer.route._methods()) methods.add(m);
    } else if (layer.handle && Array.isArray(layer.handle.stack)) {
      const rest = path.slice(match.path.length);
      for (const m of allowedMethods(layer.handle.stack, rest.startsWith('/') ? rest : `/${rest}`)) methods.add(m);
    }
  }
  return methods;
}

function notFound(app: Express): RequestHandler {
  return (req) => {
    let allowed = new Set<string>();
    try {
      allowed = allowedMethods((app.router as unknown as { stack: RouterLayer[] }).stack, req.path);
    } catch {
      // fall through to 404
    }
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(', ');
      throw new ProblemError({
        status: 405,
        type: 'method-not-allowed',
        title: 'Methode nicht erlaubt',
        detail: `${req.method} ist für ${req.path} nicht erlaubt; erlaubt: ${allow}.`,
        headers: { Allow: allow },
      });
    }
    throw new ProblemError({
      status: 404,
      type: 'not-found',
      title: 'Nicht gefunden',
      detail: `Unter ${req.path} gibt es keine Ressource.`,
    });
  };
}

/** Renders any error as problem+json; unexpected ones become a generic 500, logged in full. */
function problemHandler(limit: number | string): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let problem: ProblemError;
    if (error instanceof ProblemError) problem = error;
    else if (error instanceof z.core.$ZodError) problem = validationProblemFrom(error, 'body');
    else if (error instanceof InvalidDocumentRequestError) {
      // A key the store cannot hold (NUL byte, too long) comes from the request's path or query.
      problem = new ProblemError({ status: 400, type: 'invalid-key', title: 'Ungültige Angabe in der Anfrage', detail: `Ein Schlüssel in Pfad oder Abfrage ist nicht zulässig: ${error.message}` });
    }
    else {
      problem =
        bodyParserProblem(error, limit) ??
        httpClientProblem(error) ??
        new ProblemError({
          status: 500,
          type: 'internal',
          title: 'Interner Fehler',
          detail: `Ein unerwarteter Fehler ist aufgetreten. Bitte nennen Sie bei Rückfragen die Anfrage-ID ${req.requestId}.`,
          cause: error,
        });
    }
    // The full error goes to the log only: the stack for the unexpected, the cause for a
    // refusal an infrastructure failure led to; plain refusals are the client's business.
    if (!(error instanceof ProblemError) && problem.status >= 500) req.log.error({ err: error }, 'unhandled error');
    else if (problem.status >= 500 && problem.cause !== undefined) req.log.warn({ err: problem.cause, status: problem.status }, 'request refused: dependency failed');
    else req.log.debug({ status: problem.status, type: problem.type, detail: problem.detail }, 'request refused');
    const document: ProblemDocument = problem.toDocument({ instance: req.originalUrl.split('?')[0], requestId: req.requestId });
    for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(document));
  };
}

/** Builds the express app around the given mounts; call `listen` (or `startHost`) on it. */
export function createApp(options: AppOptions): Express {
  useGermanValidationMessages();
  const app = express();
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(options.logger));
  app.use(helmet());

  const startedAt = Date.now();
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: options.service, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });
  app.get('/ready', async (_req, res) => {
    if (options.isShuttingDown?.()) {
      throw new ProblemError({
        status: 503,
        type: 'not-ready',
        title: 'Nicht bereit',
        detail: 'Der Dienst fährt herunter und nimmt keine neuen Anfragen an.',
        extensions: { checks: {} },
      });
    }
    const report = await checkReadiness(options.readiness ?? {}, options.readinessTimeoutMs);
    if (!report.ready) {
      const failing = Object.entries(report.checks)
        .filter(([, r]) => !r.ok)
        .map(([name, r]) => `${name} (${r.detail ?? 'Fehler'})`);
      throw new ProblemError({
        status: 503,
        type: 'not-ready',
        title: 'Nicht bereit',
        detail: `Nicht bereit: ${failing.join(', ')}.`,
        extensions: { checks: report.checks },
        headers: { 'Retry-After': '5' },
      });
    }
    res.json({ status: 'ready', checks: report.checks });
  });

  app.use(express.json({ limit: bodyLimit }));
  for (const mount of options.mounts ?? []) {
    // Each service answers its own liveness probe without a token, like the host's /health,
    // so a probe per service works the same embedded (one host) and standalone.
    const service = mount.path.split('/').filter(Boolean).pop() ?? options.service;
    app.get(`${mount.path}/health`, (_req, res) => {
      res.json({ status: 'ok', service, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
    });
    const openapi = mount.openapi;
    if (openapi) app.get(`${mount.path}/openapi.json`, (_req, res) => void res.json(openapi()));
    if (options.auth && !mount.public) app.use(mount.path, options.auth.authenticate, mount.router);
    else app.use(mount.path, mount.router);
  }
  for (const page of options.pages ?? []) {
    checkPagePath(page.path);
    app.use(page.path, page.router);
  }
  options.configure?.(app);
  app.use(notFound(app));
  app.use(problemHandler(bodyLimit));
  return app;
}
