/**
 * What the runtime attaches to every express request: its id, a logger bound to it, and (after
 * `authenticate`) the principal. Declared on express' Request type so routes read them typed.
 */
import type { Logger } from './logger';

export const ROLES = ['admin', 'sozialplanung', 'controlling', 'fuehrung', 'datenlieferung', 'traeger', 'statistikstelle', 'public'] as const;

/** Roles of ARCHITECTURE.md 7; a principal holds one or more. */
export type Role = (typeof ROLES)[number];

/** Who is calling, from a verified bearer token. */
export interface Principal {
  /** Stable user or client id (`sub`). */
  subject: string;
  /** Own tenant: AGS of the Gemeinde (8 digits), Kreis or kreisfreie Stadt (5 digits). */
  tenant: string;
  roles: readonly Role[];
  /** For a Kreis principal: the member Gemeinden (8-digit AGS) it may also access. */
  memberOf?: readonly string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Incoming sane `x-request-id` or a fresh UUID; echoed in the response header. */
    requestId: string;
    /** Logger with `requestId` bound. */
    log: Logger;
    /** Set by `authenticate`. */
    principal?: Principal;
  }
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Tenant ids are AGS: 8 digits for a Gemeinde, 5 for a Kreis or kreisfreie Stadt. */
export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && /^(\d{5}|\d{8})$/.test(value);
}

