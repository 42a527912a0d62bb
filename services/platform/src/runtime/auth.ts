/**
 * Bearer-token authentication (ARCHITECTURE.md 7).
 *
 * - Embedded: a key pair in `<dataDir>/auth/keys.json` (created on first start, mode 0600) signs
 *   and verifies ES256 JWTs; `issueToken` hands out tokens for the local user and tests.
 * - Production: tokens of the identity provider, verified against its JWKS URL, with issuer and
 *   audience checked.
 *
 * Claims read (names configurable, dotted paths reach into nested objects, e.g. Keycloak's
 * `realm_access.roles`): `sub` (subject), `tenant` (AGS string), `roles` (string array; unknown
 * role names are ignored, since identity providers add their own), `member_tenants` (array of
 * 8-digit AGS a Kreis principal may also access).
 */
import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  type KeyLike,
  SignJWT,
} from 'jose';
import type { Logger } from './logger';
import { ForbiddenProblem, ProblemError, ServiceUnavailableProblem } from './problem';
import { isRole, isTenantId, type Principal, type Role } from './request-context';

export const EMBEDDED_ISSUER = 'urn:lagebild:embedded';
export const EMBEDDED_AUDIENCE = 'lagebild';
const EMBEDDED_ALGORITHM = 'ES256';
const REALM = 'lagebild';

/** Where the verifier finds tenant, roles and members in the token's claims. */
export interface ClaimNames {
  /** @default 'tenant' */
  tenant: string;
  /** @default 'roles' */
  roles: string;
  /** @default 'member_tenants' */
  memberOf: string;
}

export const DEFAULT_CLAIMS: Readonly<ClaimNames> = Object.freeze({ tenant: 'tenant', roles: 'roles', memberOf: 'member_tenants' });

export interface Authenticator {
  readonly mode: 'embedded' | 'jwks';
  /** Verifies a bearer token; throws an `AuthenticationProblem` (401) or a 503 problem. */
  verify(token: string): Promise<Principal>;
  /** Express middleware: verifies `Authorization: Bearer ...` and sets `req.principal`. */
  readonly authenticate: RequestHandler;
}

export interface IssueTokenInput {
  subject: string;
  tenant: string;
  roles: readonly Role[];
  memberOf?: readonly string[];
  /** Lifetime: a jose time span (`'8h'`, `'15m'`) or seconds from now. @default '8h' */
  expiresIn?: string | number;
}

export interface EmbeddedAuth extends Authenticator {
  readonly mode: 'embedded';
  readonly keyFile: string;
  readonly keyId: string;
  issueToken(input: IssueTokenInput): Promise<string>;
  /** Public key set, e.g. for a `/.well-known/jwks.json` route. */
  publicJwks(): JSONWebKeySet;
}

/** 401: no usable credentials. Carries the RFC 6750 `WWW-Authenticate` challenge. */
export class AuthenticationProblem extends ProblemError {
  readonly reason: 'missing' | 'expired' | 'invalid';

  constructor(reason: 'missing' | 'expired' | 'invalid', detail: string, cause?: unknown) {
    const challenge =
      reason === 'missing'
        ? `Bearer realm="${REALM}"`
        : `Bearer realm="${REALM}", error="invalid_token", error_description="${reason === 'expired' ? 'The access token expired' : 'The access token is invalid'}"`;
    super({
      status: 401,
      type: reason === 'missing' ? 'unauthenticated' : reason === 'expired' ? 'token-expired' : 'token-invalid',
      title: reason === 'missing' ? 'Anmeldung erforderlich' : reason === 'expired' ? 'Anmeldung abgelaufen' : 'Ungültige Anmeldung',
      detail,
      headers: { 'WWW-Authenticate': challenge },
      cause,
    });
    this.reason = reason;
  }
}

function claimAt(payload: JWTPayload, name: string): unknown {
  if (name in payload) return payload[name];
  let current: unknown = payload;
  for (const part of name.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function invalid(detail: string): AuthenticationProblem {
  return new AuthenticationProblem('invalid', detail);
}

/** Builds the principal from verified claims; refuses tokens without subject or valid tenant. */
export function principalFromClaims(payload: JWTPayload, claims: ClaimNames = DEFAULT_CLAIMS): Principal {
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw invalid('Das Token nennt keinen Benutzer (Claim "sub" fehlt).');
  }
  const tenant = claimAt(payload, claims.tenant);
  if (!isTenantId(tenant)) {
    throw invalid(`Das Token nennt keinen gültigen Mandanten (Claim "${claims.tenant}": erwartet ein AGS mit 5 oder 8 Ziffern).`);
  }
  const rawRoles = claimAt(payload, claims.roles) ?? [];
  if (!Array.isArray(rawRoles)) {
    throw invalid(`Die Rollen im Token sind keine Liste (Claim "${claims.roles}").`);
  }
  const roles = [...new Set(rawRoles.filter(isRole))];
  const rawMembers = claimAt(payload, claims.memberOf);
  let memberOf: string[] | undefined;
  if (rawMembers !== undefined) {
    if (!Array.isArray(rawMembers)) {
      throw invalid(`Die Mitgliedsgemeinden im Token sind keine Liste (Claim "${claims.memberOf}").`);
    }
    const foreign = rawMembers.filter((m) => typeof m !== 'string' || !/^\d{8}$/.test(m) || !m.startsWith(tenant) || tenant.length !== 5);
    if (foreign.length > 0) {
      throw invalid(
        `Das Token nennt Mitgliedsgemeinden, die nicht zum Kreis ${tenant} gehören: ${foreign.map((m) => String(m)).join(', ')}.`,
      );
    }
    memberOf = [...new Set(rawMembers as string[])];
  }
  return Object.freeze({ subject: payload.sub, tenant, roles: Object.freeze(roles), ...(memberOf ? { memberOf: Object.freeze(memberOf) } : {}) });
}

/** Maps jose's failures: expired and invalid are the caller's problem, an unreachable JWKS is ours. */
function verificationProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof joseErrors.JWTExpired) {
    return new AuthenticationProblem('expired', 'Die Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.', error);
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const claim = error.claim;
    const what =
      claim === 'iss'
        ? 'ist von einem nicht vertrauenswürdigen Aussteller'
        : claim === 'aud'
          ? 'ist nicht für diesen Dienst bestimmt'
          : claim === 'nbf'
            ? 'ist noch nicht gültig'
            : `hat einen ungültigen Claim "${claim}"`;
    return new AuthenticationProblem('invalid', `Das Token ${what}.`, error);
  }
  if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError) || /Expected 200 OK/.test(error.message)) {
    return new ServiceUnavailableProblem('Die Anmeldung kann gerade nicht geprüft werden: der Anmeldedienst ist nicht erreichbar.', error);
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
    return new AuthenticationProblem('invalid', 'Die Signatur des Tokens ist ungültig.', error);
  }
  return new AuthenticationProblem('invalid', 'Das Token ist ungültig.', error);
}

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)\s*$/i.exec(header);
  if (!match) {
    throw invalid('Der Authorization-Header muss die Form "Bearer <Token>" haben.');
  }
  return match[1];
}

/** Verified tokens remembered per process (a browser or Grafana sends the same token with every request). */
const VERIFIED_TOKENS_MAX = 10_000;
/** Seconds a token is still accepted after its `exp` (clocks of issuer and service differ). */
const CLOCK_TOLERANCE_S = 30;

interface Verified {
  principal: Principal;
  /** `exp` of the token, seconds since the epoch. */
  exp: number;
}

/**
 * The authenticator with a cache of verified tokens: checking an ES256/RS256 signature costs
 * more than answering most requests, and a token is immutable, so a token verified once is taken
 * again without its signature checked until it expires (by the same tolerance as the
 * verification). Only successfully verified tokens are remembered, at most VERIFIED_TOKENS_MAX,
 * the oldest dropped first; the principal is frozen so no request can change it for the next.
 * Tokens are not revocable before `exp` either way (embedded tokens by design, OIDC access
 * tokens as issued).
 */
function makeAuthenticator<M extends 'embedded' | 'jwks'>(mode: M, verifyToken: (token: string) => Promise<Verified>, now: () => number = Date.now) {
  const verified = new Map<string, Verified>();
  const verify = async (token: string): Promise<Principal> => {
    const known = verified.get(token);
    if (known && now() < (known.exp + CLOCK_TOLERANCE_S) * 1000) return known.principal;
    if (known) verified.delete(token);
    const fresh = await verifyToken(token);
    if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, fresh);
    return fresh.principal;
  };
  const authenticate: RequestHandler = async (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    if (token === undefined) {
      throw new AuthenticationProblem('missing', 'Für diese Anfrage ist eine Anmeldung erforderlich (Authorization: Bearer <Token>).');
    }
    req.principal = await verify(token);
    next();
  };
  return { mode, verify, authenticate };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

async function verifyWith(
  token: string,
  keys: JWTVerifyGetKey,
  options: { issuer: string; audience: string; algorithms?: string[]; claims: ClaimNames },
): Promise<Verified> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.audience,
      ...(options.algorithms ? { algorithms: options.algorithms } : {}),
      requiredClaims: ['exp', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_S,
    });
    return { principal: deepFreeze(principalFromClaims(payload, options.claims)), exp: payload.exp! };
  } catch (error) {
    throw verificationProblem(error);
  }
}

export interface JwksAuthOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  claims?: Partial<ClaimNames>;
  /** Accepted signature algorithms. @default ['RS256', 'ES256', 'PS256', 'EdDSA'] */
  algorithms?: string[];
  /** JWKS request timeout in ms. @default 5000 */
  timeoutMs?: number;
}

/** Production: tokens of the identity provider, keys from its JWKS (cached, refetched on unknown kid). */
export function createJwksAuth(options: JwksAuthOptions): Authenticator {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: options.timeoutMs ?? 5000 });
  const claims = { ...DEFAULT_CLAIMS, ...options.claims };
  const algorithms = options.algorithms ?? ['RS256', 'ES256', 'PS256', 'EdDSA'];
  return makeAuthenticator('jwks', (token) =>
    verifyWith(token, keys, { issuer: options.issuer, audience: options.audience, algorithms, claims }),
  );
}

interface KeyFile {
  kid: string;
  alg: typeof EMBEDDED_ALGORITHM;
  createdAt: string;
  privateKey: JWK;
  publicKey: JWK;
}

function isKeyFile(value: unknown): value is KeyFile {
  const v = value as Partial<KeyFile> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.kid === 'string' &&
    v.alg === EMBEDDED_ALGORITHM &&
    typeof v.privateKey === 'object' &&
    typeof v.publicKey === 'object'
  );
}

async function readKeyFile(file: string): Promise<KeyFile> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!isKeyFile(parsed)) {
    throw new Error(`Die Schlüsseldatei ${file} ist beschädigt oder hat ein unbekanntes Format; löschen Sie sie, um neue Schlüssel zu erzeugen.`);
  }
  return parsed;
}

/**
 * Creates the key file atomically: written under a temporary name, then hard-linked into place,
 * which fails if another process got there first (two services starting at once on a fresh
 * data directory); the loser reads the winner's file.
 */
async function createKeyFile(file: string): Promise<KeyFile> {
  const { publicKey, privateKey } = await generateKeyPair(EMBEDDED_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const content: KeyFile = {
    kid,
    alg: EMBEDDED_ALGORITHM,
    createdAt: new Date().toISOString(),
    privateKey: await exportJWK(privateKey),
    publicKey: publicJwk,
  };
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
    return content;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw error;
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

export interface EmbeddedAuthOptions {
  /** The data directory; the key file is `<dataDir>/auth/keys.json`. */
  dataDir: string;
  logger?: Logger;
}

/** Embedded mode: reads the key file, creating it on first start. */
export async function createEmbeddedAuth(options: EmbeddedAuthOptions): Promise<EmbeddedAuth> {
  const directory = path.join(options.dataDir, 'auth');
  const keyFile = path.join(directory, 'keys.json');
  await mkdir(directory, { recursive: true, mode: 0o700 });
  let keys: KeyFile;
  try {
    keys = await readKeyFile(keyFile);
    const mode = (await stat(keyFile)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      // Repair rather than refuse: the file is ours, and a copy or restore can widen the mode.
      await chmod(keyFile, 0o600);
      options.logger?.warn({ keyFile, mode: mode.toString(8) }, 'auth key file was readable by others; restricted to 0600');
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    keys = await createKeyFile(keyFile);
    options.logger?.info({ keyFile, kid: keys.kid }, 'created auth key file');
  }
  const privateKey = (await importJWK(keys.privateKey, EMBEDDED_ALGORITHM)) as KeyLike;
  const publicJwk: JWK = { ...keys.publicKey, kid: keys.kid, alg: EMBEDDED_ALGORITHM, use: 'sig' };
  const keySet = createLocalJWKSet({ keys: [publicJwk] });

  const authenticator = makeAuthenticator('embedded', (token) =>
    verifyWith(token, keySet, { issuer: EMBEDDED_ISSUER, audience: EMBEDDED_AUDIENCE, algorithms: [EMBEDDED_ALGORITHM], claims: DEFAULT_CLAIMS }),
  );

  return {
    ...authenticator,
    keyFile,
    keyId: keys.kid,
    publicJwks: () => ({ keys: [publicJwk] }),
    async issueToken(input) {
      // Validated here too, so a token we issue always passes our own verification.
      const principal = principalFromClaims(
        { sub: input.subject, tenant: input.tenant, roles: [...input.roles], ...(input.memberOf ? { member_tenants: [...input.memberOf] } : {}) },
        DEFAULT_CLAIMS,
      );
      const unknownRoles = input.roles.filter((r) => !isRole(r));
      if (unknownRoles.length > 0) throw new TypeError(`Unbekannte Rollen: ${unknownRoles.join(', ')}`);
      return new SignJWT({
        tenant: principal.tenant,
        roles: [...principal.roles],
        ...(principal.memberOf ? { [DEFAULT_CLAIMS.memberOf]: [...principal.memberOf] } : {}),
      })
        .setProtectedHeader({ alg: EMBEDDED_ALGORITHM, kid: keys.kid, typ: 'JWT' })
        .setSubject(principal.subject)
        .setIssuer(EMBEDDED_ISSUER)
        .setAudience(EMBEDDED_AUDIENCE)
        .setIssuedAt()
        .setJti(randomUUID())
        // jose reads a number as an absolute time; ours is relative seconds (negative: already expired).
        .setExpirationTime(typeof input.expiresIn === 'number' ? Math.floor(Date.now() / 1000) + input.expiresIn : (input.expiresIn ?? '8h'))
        .sign(privateKey);
    },
  };
}

export interface AuthConfig {
  dataDir: string;
  auth?: { readonly jwksUrl: string; readonly issuer: string; readonly audience: string } | undefined;
  authTenantClaim: string;
  authRolesClaim: string;
  authMembersClaim: string;
}

/** The authenticator the configuration selects (see `selectAdapters`). */
export async function createAuth(config: AuthConfig, logger?: Logger): Promise<Authenticator> {
  if (config.auth) {
    return createJwksAuth({
      ...config.auth,
      claims: { tenant: config.authTenantClaim, roles: config.authRolesClaim, memberOf: config.authMembersClaim },
    });
  }
  return createEmbeddedAuth({ dataDir: config.dataDir, ...(logger ? { logger } : {}) });
}

/** The authenticated principal of a request; 401 when `authenticate` did not run or failed. */
export function principalOf(req: Request): Principal {
  if (!req.principal) {
    throw new AuthenticationProblem('missing', 'Für diese Anfrage ist eine Anmeldung erforderlich (Authorization: Bearer <Token>).');
  }
  return req.principal;
}

/** Middleware: the principal must hold at least one of `roles` (no implicit admin). */
export function requireRole(...roles: Role[]): RequestHandler {
  if (roles.length === 0) throw new TypeError('requireRole needs at least one role');
  return (req, _res, next) => {
    const principal = principalOf(req);
    if (!principal.roles.some((role) => roles.includes(role))) {
      throw new ForbiddenProblem(
        `Für diese Aktion ist eine der Rollen ${roles.join(', ')} nötig; Ihre Rollen: ${principal.roles.join(', ') || 'keine'}.`,
      );
    }
    next();
  };
}

/** Own tenant, or for a Kreis principal a member Gemeinde listed in its token. */
export function canAccessTenant(principal: Principal, tenant: string): boolean {
  return tenant === principal.tenant || (principal.memberOf?.includes(tenant) ?? false);
}

/** Throws 403 unless the principal may act for `tenant`; for tenants taken from a body. */
export function assertTenantAccess(principal: Principal, tenant: string): void {
  if (!canAccessTenant(principal, tenant)) {
    throw new ForbiddenProblem(`Kein Zugriff auf die Daten des Mandanten ${tenant}; Ihr Mandant ist ${principal.tenant}.`);
  }
}

/**
 * Middleware guarding a tenant named by the route: a path parameter name (`'tenant'`) or a
 * function reading it from the request.
 */
export function requireTenantAccess(tenantFromRoute: string | ((req: Request) => string | undefined)): RequestHandler {
  return (req, _res, next) => {
    const principal = principalOf(req);
    const tenant = typeof tenantFromRoute === 'string' ? req.params[tenantFromRoute] : tenantFromRoute(req);
    if (typeof tenant !== 'string' || !isTenantId(tenant)) {
      throw new ProblemError({
        status: 400,
        type: 'validation',
        title: 'Ungültige Anfrage',
        detail: `Der Mandant in der Anfrage ist kein gültiger AGS (5 oder 8 Ziffern): ${String(tenant)}.`,
      });
    }
    assertTenantAccess(principal, tenant);
    next();
  };
}
