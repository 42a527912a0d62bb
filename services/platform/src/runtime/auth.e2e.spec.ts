import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import {
  type Authenticator,
  createEmbeddedAuth,
  createJwksAuth,
  type EmbeddedAuth,
  EMBEDDED_AUDIENCE,
  EMBEDDED_ISSUER,
  principalOf,
  requireRole,
  requireTenantAccess,
} from './auth';
import { createApp } from './http';
import { silentLogger } from './logger';

const servers: Server[] = [];
let dataDir: string;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An app whose routes need a token; `/api/figures` is public. */
async function serveWith(auth: Authenticator): Promise<string> {
  const router = express.Router();
  router.get('/me', (req, res) => {
    res.json(principalOf(req));
  });
  router.post('/deliveries', requireRole('datenlieferung', 'admin'), (_req, res) => {
    res.status(202).json({ accepted: true });
  });
  router.get('/tenants/:tenant/figures', requireTenantAccess('tenant'), (req, res) => {
    res.json({ tenant: req.params.tenant });
  });
  const figures = express.Router();
  figures.get('/', (_req, res) => {
    res.json({ published: true });
  });
  const app = createApp({
    service: 'auth-test',
    logger: silentLogger(),
    auth,
    mounts: [
      { path: '/api/test', router },
      { path: '/api/figures', router: figures, public: true },
    ],
  });
  return listen(createServer(app));
}

async function detailOf(response: Response): Promise<unknown> {
  return ((await response.json()) as { detail?: unknown }).detail;
}

function get(url: string, token?: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lagebild-auth-'));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await rm(dataDir, { recursive: true, force: true });
});

describe('embedded authentication', () => {
  let auth: EmbeddedAuth;
  let base: string;

  beforeAll(async () => {
    auth = await createEmbeddedAuth({ dataDir });
    base = await serveWith(auth);
  });

  it('creates the key file on first start, readable only by its owner, and reuses it afterwards', async () => {
    const again = await createEmbeddedAuth({ dataDir });
    const token = await auth.issueToken({ subject: 'planerin', tenant: '05315000', roles: ['sozialplanung'] });

    expect(auth.keyFile).toBe(path.join(dataDir, 'auth', 'keys.json'));
    expect((await stat(auth.keyFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(auth.keyFile, 'utf8'))).toMatchObject({ kid: auth.keyId, alg: 'ES256' });
    expect(again.keyId).toBe(auth.keyId);
    await expect(again.verify(token)).resolves.toMatchObject({ subject: 'planerin' });
  });

  it('restricts a key file that became readable by others back to its owner', async () => {
    await chmod(auth.keyFile, 0o644);

    const again = await createEmbeddedAuth({ dataDir });

    expect(again.keyId).toBe(auth.keyId);
    expect((await stat(auth.keyFile)).mode & 0o777).toBe(0o600);
  });

  it('creates one key file when several processes start at once on a fresh data directory', async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'lagebild-auth-race-'));
    try {
      const starts = await Promise.all(Array.from({ length: 5 }, () => createEmbeddedAuth({ dataDir: fresh })));

      expect(new Set(starts.map((a) => a.keyId)).size).toBe(1);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('accepts a valid token and exposes the principal', async () => {
    const token = await auth.issueToken({ subject: 'planerin', tenant: '05315000', roles: ['sozialplanung', 'fuehrung'] });

    const response = await get(`${base}/api/test/me`, token);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'planerin', tenant: '05315000', roles: ['sozialplanung', 'fuehrung'] });
  });

  it('asks for a bearer token when none is sent, but serves public mounts and /health', async () => {
    const response = await get(`${base}/api/test/me`);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="lagebild"');
    expect(await response.json()).toMatchObject({ type: 'urn:lagebild:problem:unauthenticated', title: 'Anmeldung erforderlich' });
    expect((await get(`${base}/api/figures`)).status).toBe(200);
    expect((await get(`${base}/health`)).status).toBe(200);
  });

  it('tells an expired token apart from an invalid one', async () => {
    const expired = await auth.issueToken({ subject: 'planerin', tenant: '05315000', roles: ['sozialplanung'], expiresIn: -120 });

    const response = await get(`${base}/api/test/me`, expired);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="lagebild", error="invalid_token", error_description="The access token expired"',
    );
    expect(await response.json()).toMatchObject({
      type: 'urn:lagebild:problem:token-expired',
      detail: 'Die Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.',
    });
  });

  it('refuses a token it accepted before once the token has expired (verified tokens are remembered only until their expiry)', async () => {
    // Expired 26 s ago: still inside the 30 s clock tolerance for up to 4 more seconds.
    const token = await auth.issueToken({ subject: 'planerin', tenant: '05315000', roles: ['sozialplanung'], expiresIn: -26 });
    const first = await get(`${base}/api/test/me`, token);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ subject: 'planerin', tenant: '05315000' });

    await new Promise((resolve) => setTimeout(resolve, 4_500));
    const later = await get(`${base}/api/test/me`, token);
    expect(later.status).toBe(401);
    expect(await later.json()).toMatchObject({ type: 'urn:lagebild:problem:token-expired' });
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const token = await auth.issueToken({ subject: 'planerin', tenant: '05315000', roles: ['fuehrung'] });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');

    const response = await get(`${base}/api/test/me`, `${header}.${forged}.${signature}`);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await response.json()).toMatchObject({ type: 'urn:lagebild:problem:token-invalid', detail: 'Die Signatur des Tokens ist ungültig.' });
  });

  it('refuses a token signed with another installation’s key', async () => {
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'lagebild-auth-other-'));
    try {
      const other = await createEmbeddedAuth({ dataDir: otherDir });
      const token = await other.issueToken({ subject: 'planerin', tenant: '05315000', roles: ['admin'] });

      const response = await get(`${base}/api/test/me`, token);

      expect(response.status).toBe(401);
      expect((await detailOf(response))).toBe('Die Signatur des Tokens ist ungültig.');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('refuses an authorization header that is not a bearer token', async () => {
    const response = await get(`${base}/api/test/me`, undefined, { headers: { authorization: 'Basic cGxhbmVyaW46Z2VoZWlt' } });

    expect(response.status).toBe(401);
    expect((await detailOf(response))).toBe('Der Authorization-Header muss die Form "Bearer <Token>" haben.');
  });

  it('refuses with 403 when the principal lacks every required role', async () => {
    const planner = await auth.issueToken({ subject: 'planerin', tenant: '05315000', roles: ['sozialplanung'] });
    const deliverer = await auth.issueToken({ subject: 'statistik', tenant: '05315000', roles: ['datenlieferung'] });

    const refused = await get(`${base}/api/test/deliveries`, planner, { method: 'POST' });
    const accepted = await get(`${base}/api/test/deliveries`, deliverer, { method: 'POST' });

    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      type: 'urn:lagebild:problem:forbidden',
      detail: 'Für diese Aktion ist eine der Rollen datenlieferung, admin nötig; Ihre Rollen: sozialplanung.',
    });
    expect(accepted.status).toBe(202);
  });

  it('lets a principal read its own tenant but not a foreign one', async () => {
    const token = await auth.issueToken({ subject: 'planerin', tenant: '05315000', roles: ['fuehrung'] });

    const own = await get(`${base}/api/test/tenants/05315000/figures`, token);
    const foreign = await get(`${base}/api/test/tenants/05334002/figures`, token);

    expect(own.status).toBe(200);
    expect(foreign.status).toBe(403);
    expect((await detailOf(foreign))).toBe('Kein Zugriff auf die Daten des Mandanten 05334002; Ihr Mandant ist 05315000.');
  });

  it('answers 400 when the tenant in the route is no AGS', async () => {
    const token = await auth.issueToken({ subject: 'planerin', tenant: '05315000', roles: ['fuehrung'] });

    const response = await get(`${base}/api/test/tenants/koeln/figures`, token);

    expect(response.status).toBe(400);
  });

  it('lets a Kreis principal read the member Gemeinden listed in its token, and no others', async () => {
    const kreis = await auth.issueToken({ subject: 'kreis-planung', tenant: '05334', roles: ['sozialplanung'], memberOf: ['05334002', '05334004'] });

    const member = await get(`${base}/api/test/tenants/05334004/figures`, kreis);
    const unlisted = await get(`${base}/api/test/tenants/05334008/figures`, kreis);
    const neighbour = await get(`${base}/api/test/tenants/05315000/figures`, kreis);

    expect(member.status).toBe(200);
    expect(unlisted.status).toBe(403);
    expect(neighbour.status).toBe(403);
  });

  it('will not issue a token for a tenant that is no AGS or with members outside the Kreis', async () => {
    await expect(auth.issueToken({ subject: 'x', tenant: 'Köln', roles: ['admin'] })).rejects.toThrow(/gültigen Mandanten/);
    await expect(auth.issueToken({ subject: 'x', tenant: '05334', roles: ['admin'], memberOf: ['05315000'] })).rejects.toThrow(
      /nicht zum Kreis 05334/,
    );
  });
});

describe('production authentication against a JWKS URL', () => {
  const issuer = 'https://sso.stadt.example/realms/lagebild';
  const audience = 'lagebild-api';
  let privateKey: KeyLike;
  let jwksRequests = 0;
  let base: string;
  let jwksUrl: string;

  async function sign(claims: Record<string, unknown>, options: { iss?: string; aud?: string; exp?: string; key?: KeyLike; kid?: string } = {}) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'idp-key-1' })
      .setSubject('u-4711')
      .setIssuer(options.iss ?? issuer)
      .setAudience(options.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? privateKey);
  }

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };
    const idp = createServer((req, res) => {
      if (req.url === '/certs') {
        jwksRequests++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
      } else {
        res.writeHead(404).end();
      }
    });
    jwksUrl = `${await listen(idp)}/certs`;
    // Keycloak puts realm roles under realm_access.roles; tenant and members are mapper claims.
    const auth = createJwksAuth({ jwksUrl, issuer, audience, claims: { roles: 'realm_access.roles', tenant: 'ags', memberOf: 'ags_members' } });
    base = await serveWith(auth);
  });

  it('accepts a token of the identity provider and reads Keycloak-style claims, ignoring foreign roles', async () => {
    const token = await sign({ ags: '05315000', realm_access: { roles: ['controlling', 'offline_access', 'uma_authorization'] } });

    const response = await get(`${base}/api/test/me`, token);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'u-4711', tenant: '05315000', roles: ['controlling'] });
    expect(jwksRequests).toBeGreaterThanOrEqual(1);
  });

  it('refuses a token from another issuer', async () => {
    const token = await sign({ ags: '05315000', realm_access: { roles: ['admin'] } }, { iss: 'https://evil.example/realms/lagebild' });

    const response = await get(`${base}/api/test/me`, token);

    expect(response.status).toBe(401);
    expect((await detailOf(response))).toBe('Das Token ist von einem nicht vertrauenswürdigen Aussteller.');
  });

  it('refuses a token meant for another audience', async () => {
    const token = await sign({ ags: '05315000', realm_access: { roles: ['admin'] } }, { aud: 'grafana' });

    const response = await get(`${base}/api/test/me`, token);

    expect(response.status).toBe(401);
    expect((await detailOf(response))).toBe('Das Token ist nicht für diesen Dienst bestimmt.');
  });

  it('refuses a token signed by a key the JWKS does not hold', async () => {
    const stranger = await generateKeyPair('RS256');
    const token = await sign({ ags: '05315000', realm_access: { roles: ['admin'] } }, { key: stranger.privateKey });

    const response = await get(`${base}/api/test/me`, token);

    expect(response.status).toBe(401);
    expect((await detailOf(response))).toBe('Die Signatur des Tokens ist ungültig.');
  });

  it('refuses an expired identity-provider token as expired', async () => {
    const token = await sign({ ags: '05315000', realm_access: { roles: ['admin'] } }, { exp: '-2 minutes' });

    const response = await get(`${base}/api/test/me`, token);

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: 'urn:lagebild:problem:token-expired' });
  });

  it('refuses a token without a valid tenant claim', async () => {
    const token = await sign({ ags: 'Köln', realm_access: { roles: ['admin'] } });

    const response = await get(`${base}/api/test/me`, token);

    expect(response.status).toBe(401);
    expect((await detailOf(response))).toBe('Das Token nennt keinen gültigen Mandanten (Claim "ags": erwartet ein AGS mit 5 oder 8 Ziffern).');
  });

  it('answers 503, not 401, when the identity provider cannot be reached', async () => {
    const unreachable = createJwksAuth({ jwksUrl: 'http://127.0.0.1:1/certs', issuer, audience, timeoutMs: 500 });
    const token = await sign({ ags: '05315000' });

    await expect(unreachable.verify(token)).rejects.toMatchObject({ status: 503, type: 'urn:lagebild:problem:unavailable' });
  });

  it('verifies tokens against a JWKS served by the embedded installation too', async () => {
    const embedded = await createEmbeddedAuth({ dataDir });
    const idp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(embedded.publicJwks())));
    const remote = createJwksAuth({ jwksUrl: `${await listen(idp)}/jwks.json`, issuer: EMBEDDED_ISSUER, audience: EMBEDDED_AUDIENCE });
    const token = await embedded.issueToken({ subject: 'cli', tenant: '05334', roles: ['admin'], memberOf: ['05334002'] });

    await expect(remote.verify(token)).resolves.toEqual({ subject: 'cli', tenant: '05334', roles: ['admin'], memberOf: ['05334002'] });
  });
});
