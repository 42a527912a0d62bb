/**
 * Declared HTTP routes: each route names who may call it, the schemas of its path parameters,
 * query and body, and its answers. From the same declarations the router validates input
 * (German problem+json on failure), checks roles before anything else runs, and the service
 * serves an OpenAPI 3.1 document (`/api/<service>/openapi.json`). Tests read `routes()` to
 * walk every route with every role (ARCHITECTURE.md 7: every route declares who may use it).
 *
 * Object-level checks (whose goal, which tenant) stay in the handler: only it knows the object.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { auditRequest } from './audit';
import { principalOf } from './auth';
import { ForbiddenProblem, parseInput, PROBLEM_CONTENT_TYPE } from './problem';
import type { Principal, Role } from './request-context';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: a list of roles (any of them), or every signed-in principal. */
export type RouteAccess = readonly Role[] | 'authenticated';

export interface RouteAnswer {
  description: string;
  schema?: z.ZodType;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  req: Request;
  res: Response;
}

/** A handler's answer with a status other than 200, or with headers. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export function reply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return new Reply(status, body, headers);
}

export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Express path below the service mount, e.g. `/goals/:goalId`. */
  path: string;
  /** German one-liner for the OpenAPI document. */
  summary: string;
  description?: string;
  tags?: readonly string[];
  access: RouteAccess;
  params?: P;
  query?: Q;
  body?: B;
  /** Answers besides the problem documents every route may give (400, 401, 403, 404, 409). */
  responses: Record<number, RouteAnswer>;
  /**
   * Returns the JSON body of a 200 answer, a `reply(...)` for another status, or `undefined`
   * when it wrote the response itself (downloads, streams).
   */
  handler: (input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown> | unknown;
}

/** What tests and documentation read about a declared route. */
export interface DeclaredRoute {
  method: HttpMethod;
  path: string;
  summary: string;
  access: RouteAccess;
  /** Example values for the path parameters, from the params schema's field names. */
  paramNames: readonly string[];
}

export interface ApiInfo {
  /** Service name; the document's server URL is `/api/<service>`. */
  service: string;
  title: string;
  description?: string;
  version?: string;
  /** German name and purpose: answered at `GET /` of the service (every signed-in principal). */
  about?: { titel: string; beschreibung: string };
}

export interface Api {
  readonly router: Router;
  route<P extends z.ZodType = z.ZodObject, Q extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodUnknown>(spec: RouteSpec<P, Q, B>): void;
  routes(): readonly DeclaredRoute[];
  /** The OpenAPI 3.1 document of every declared route. */
  document(): Record<string, unknown>;
}

const EMPTY = z.object({});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, z.ZodType>;
  return {};
}

const PROBLEM_ANSWERS: Record<number, string> = {
  400: 'Ungültige Eingabe (problem+json mit Liste der Fehler je Feld).',
  401: 'Nicht angemeldet oder Token ungültig.',
  403: 'Rolle oder Mandant erlauben diese Aktion nicht.',
  404: 'Nicht gefunden (oder für den Aufrufer nicht sichtbar).',
};

export function createApi(info: ApiInfo): Api {
  const router = Router();
  const declared: Array<{ spec: RouteSpec; route: DeclaredRoute }> = [];

  function route(spec: RouteSpec): void {
    const paramNames = [...spec.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
    declared.push({ spec, route: { method: spec.method, path: spec.path, summary: spec.summary, access: spec.access, paramNames } });
    const operation = `${spec.method.toUpperCase()} ${spec.path}`;
    router[spec.method](spec.path, async (req: Request, res: Response) => {
      // First, so refused requests are recorded too (a no-op unless the mount carries a trail).
      auditRequest(req, res, info.service, operation);
      const principal = principalOf(req);
      if (spec.access !== 'authenticated' && !principal.roles.some((r) => (spec.access as readonly Role[]).includes(r))) {
        throw new ForbiddenProblem(`Für diese Aktion ist eine der Rollen ${spec.access.join(', ')} nötig; Ihre Rollen: ${principal.roles.join(', ') || 'keine'}.`);
      }
      const params = parseInput(spec.params ?? EMPTY, req.params, 'params');
      const query = parseInput(spec.query ?? EMPTY, req.query, 'query');
      const body = spec.body ? parseInput(spec.body, req.body ?? {}, 'body') : undefined;
      const result = await spec.handler({ params, query, body, principal, req, res });
      if (result === undefined) {
        if (!res.headersSent) res.status(204).end();
        return;
      }
      if (result instanceof Reply) {
        for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
        if (result.body === null || result.body === undefined) res.status(result.status).end();
        else res.status(result.status).json(result.body);
        return;
      }
      res.json(result);
    });
  }

  function document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const { spec } of declared) {
      const parameters: unknown[] = [];
      for (const [name, schema] of Object.entries(objectShape(spec.params))) {
        parameters.push({ name, in: 'path', required: true, schema: jsonSchema(schema, 'input') });
      }
      for (const [name, schema] of Object.entries(objectShape(spec.query))) {
        parameters.push({ name, in: 'query', required: !schema.safeParse(undefined).success, schema: jsonSchema(schema, 'input') });
      }
      const responses: Record<string, unknown> = {};
      for (const [status, answer] of Object.entries(spec.responses)) {
        responses[status] = { description: answer.description, ...(answer.schema ? { content: { 'application/json': { schema: jsonSchema(answer.schema, 'output') } } } : {}) };
      }
      for (const [status, description] of Object.entries(PROBLEM_ANSWERS)) {
        if (!(status in responses)) responses[status] = { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } };
      }
      const operation: Record<string, unknown> = {
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        ...(spec.tags ? { tags: [...spec.tags] } : {}),
        operationId: `${spec.method}${spec.path.replace(/[:/{}-]+([a-zA-Z])?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
        'x-roles': spec.access === 'authenticated' ? ['*'] : [...spec.access],
        parameters,
        ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
        responses,
      };
      const key = openApiPath(spec.path);
      paths[key] = { ...(paths[key] ?? {}), [spec.method]: operation };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version ?? '0.1.0', ...(info.description ? { description: info.description } : {}) },
      servers: [{ url: `/api/${info.service}` }],
      security: [{ bearerAuth: [] }],
      paths,
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: {
          Problem: {
            type: 'object',
            description: 'RFC 9457 problem details, German title and detail.',
            properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, errors: { type: 'array', items: { type: 'object' } } },
          },
        },
      },
    };
  }

  if (info.about) {
    const about = { service: info.service, ...info.about };
    route({ method: 'get', path: '/', summary: 'Beschreibung des Dienstes', access: 'authenticated', responses: { 200: { description: 'Name und Zweck' } }, handler: () => about });
  }

  return { router, route: route as Api['route'], routes: () => declared.map((d) => d.route), document };
}
