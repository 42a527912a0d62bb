/**
 * Who may call which route of the ingestion service, read from the OpenAPI document the service
 * serves: every operation declares its roles (`x-roles`), the declarations are the ones decided
 * for the service (ARCHITECTURE.md 7), and every role outside a route's roles is refused with
 * 403 and a German message before anything else happens, even when the request itself is
 * invalid; the roles it names pass the gate (their invalid requests get 400, 404 or 415).
 */
import { ROLES, type EmbeddedAuth, type Role } from '@lagebild/platform';
import { type IngestionHttp, openIngestionHttp } from '../support/http-service';

const TENANT = '01001';
const ALL = '*';
const REGISTER_READ: Role[] = ['admin', 'sozialplanung', 'controlling', 'fuehrung', 'datenlieferung', 'traeger', 'statistikstelle'];
const PLANNERS: Role[] = ['admin', 'sozialplanung'];
const DELIVERY_WORK: Role[] = ['datenlieferung', 'sozialplanung', 'admin', 'statistikstelle'];

/** The decided access of every route; a new route fails this test until its roles are decided here. */
const ACCESS: Record<string, readonly string[]> = {
  'get /': [ALL],
  'get /schemes': REGISTER_READ,
  'get /tenants': REGISTER_READ,
  'put /tenants/{ags}': ['admin'],
  'get /releases': PLANNERS,
  'post /releases': PLANNERS,
  'delete /releases/{id}': PLANNERS,
  'post /schemes': PLANNERS,
  'get /schemes/{schemeId}': REGISTER_READ,
  'get /schemes/{schemeId}/draft': ['admin', 'sozialplanung', 'statistikstelle'],
  'get /schemes/{schemeId}/versions/{version}': REGISTER_READ,
  'get /schemes/{schemeId}/versions/{version}/units': REGISTER_READ,
  'get /schemes/{schemeId}/versions/{version}/crosswalk': REGISTER_READ,
  'get /schemes/{schemeId}/units': REGISTER_READ,
  'get /schemes/{schemeId}/geometry': REGISTER_READ,
  'post /schemes/{schemeId}/match': ['admin', 'sozialplanung', 'statistikstelle', 'datenlieferung'],
  'post /schemes/{schemeId}/imports': PLANNERS,
  'post /schemes/{schemeId}/changes': PLANNERS,
  'post /schemes/{schemeId}/designations': PLANNERS,
  'post /schemes/{schemeId}/name-mappings': PLANNERS,
  'post /schemes/{schemeId}/crosswalk': PLANNERS,
  'post /schemes/{schemeId}/versions': PLANNERS,
  'get /gemeindeverzeichnis': [ALL],
  'post /gemeindeverzeichnis': ['admin'],
  'get /gemeindeverzeichnis/laender/{key}': [ALL],
  'get /gemeindeverzeichnis/kreise': [ALL],
  'get /gemeindeverzeichnis/kreise/{ags}': [ALL],
  'get /gemeindeverzeichnis/gemeindeverbaende/{key}': [ALL],
  'get /gemeindeverzeichnis/gemeinden': [ALL],
  'get /gemeindeverzeichnis/gemeinden/{ags}': [ALL],
  'get /profiles': DELIVERY_WORK,
  'get /profiles/{id}': DELIVERY_WORK,
  'put /profiles/{id}': PLANNERS,
  'get /datasets': DELIVERY_WORK,
  'get /datasets/{id}': DELIVERY_WORK,
  'put /datasets/{id}': ['admin'],
  'post /deliveries': ['datenlieferung', 'sozialplanung', 'statistikstelle', 'admin'],
  'get /deliveries': DELIVERY_WORK,
  'get /deliveries/{id}': DELIVERY_WORK,
  'get /deliveries/{id}/report': DELIVERY_WORK,
  'get /observations': ['sozialplanung', 'admin', 'statistikstelle'],
};

/** Path parameters naming nothing that exists: an allowed role then hears 404, never 403. */
const EXAMPLE_PARAMS: Record<string, string> = { schemeId: 'gibt-es-nicht', version: '1', key: '01', ags: '01001000', id: 'gibt-es-nicht' };

interface Operation {
  'x-roles': string[];
  requestBody?: unknown;
}

let http: IngestionHttp;
let auth: EmbeddedAuth;
let base: string;

beforeAll(async () => {
  http = await openIngestionHttp({ prefix: 'ingestion-access' });
  ({ auth, base } = http);
});

afterAll(() => http?.close());

async function openapi(): Promise<Record<string, Record<string, Operation>>> {
  const res = await fetch(`${base}/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, Operation>> };
  expect(doc.openapi).toBe('3.1.0');
  return doc.paths;
}

function operations(paths: Record<string, Record<string, Operation>>): Array<{ key: string; method: string; path: string; roles: string[]; operation: Operation }> {
  return Object.entries(paths).flatMap(([p, methods]) => Object.entries(methods).map(([method, operation]) => ({ key: `${method} ${p}`, method, path: p, roles: operation['x-roles'], operation })));
}

describe('access to the ingestion routes', () => {
  it('serves an OpenAPI document without a token in which every route declares its roles, as decided', async () => {
    const ops = operations(await openapi());
    for (const op of ops) {
      expect({ route: op.key, declared: Array.isArray(op.roles) && op.roles.length > 0 && op.roles.every((r) => r === ALL || (ROLES as readonly string[]).includes(r)) }).toEqual({ route: op.key, declared: true });
    }
    expect(Object.fromEntries(ops.map((op) => [op.key, [...op.roles].sort()]))).toEqual(Object.fromEntries(Object.entries(ACCESS).map(([k, roles]) => [k, [...roles].sort()])));
    const byKey = new Map(ops.map((op) => [op.key, op.operation]));
    // JSON bodies are documented; uploads (multipart) are read by their handlers and described in text.
    expect(byKey.get('post /schemes/{schemeId}/changes')?.requestBody).toBeDefined();
    expect(byKey.get('put /profiles/{id}')?.requestBody).toBeDefined();
    expect(byKey.get('post /deliveries')?.requestBody).toBeUndefined();
  });

  it('refuses every role a route does not name with 403 and a German message before validating anything, and lets the named roles through', async () => {
    const ops = operations(await openapi());
    expect(ops.length).toBe(Object.keys(ACCESS).length);
    for (const op of ops) {
      const url = base + op.path.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => EXAMPLE_PARAMS[name] ?? 'x');
      for (const role of ROLES) {
        const bearer = await auth.issueToken({ subject: `access-${role}`, tenant: TENANT, roles: [role] });
        // An empty JSON object: invalid for every declared body and no upload, so only the role check can answer 403.
        const res = await fetch(url, {
          method: op.method.toUpperCase(),
          headers: { authorization: `Bearer ${bearer}`, ...(op.method === 'get' ? {} : { 'content-type': 'application/json' }) },
          ...(op.method === 'get' ? {} : { body: '{}' }),
        });
        const text = await res.text();
        const allowed = op.roles.includes(ALL) || op.roles.includes(role);
        if (allowed) {
          expect({ route: op.key, role, status: res.status, passed: res.status !== 401 && res.status !== 403 && res.status < 500 }).toEqual({ route: op.key, role, status: res.status, passed: true });
        } else {
          const detail = res.headers.get('content-type')?.startsWith('application/problem+json') ? (JSON.parse(text) as { detail: string }).detail : text;
          expect({ route: op.key, role, status: res.status, detail }).toEqual({
            route: op.key,
            role,
            status: 403,
            detail: `Für diese Aktion ist eine der Rollen ${op.roles.join(', ')} nötig; Ihre Rollen: ${role}.`,
          });
        }
      }
    }
  }, 120_000);

  it('answers GET / with the service’s German name and purpose to every signed-in role', async () => {
    const res = await fetch(`${base}/`, { headers: { authorization: `Bearer ${await auth.issueToken({ subject: 'oeffentlich', tenant: TENANT, roles: ['public'] })}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      service: 'ingestion',
      titel: 'Datenannahme und Gebietsgliederung',
      beschreibung: 'Lieferungen von Datensätzen werden geprüft, versioniert und als Beobachtungen je Gebiet und Zeitraum erfasst.',
    });
  });
});
