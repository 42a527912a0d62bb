/**
 * Refusals of the tenant register, in German for the person who configured the tenant or the
 * release; the routes map the code to an HTTP status (routes.ts), the CLI prints the detail.
 */
export type TenancyErrorCode =
  /** The Gemeindeverzeichnis is not loaded: nothing to build a tenant from. */
  | 'gemeindeverzeichnis-missing'
  /** The AGS is not in the loaded Gemeindeverzeichnis. */
  | 'unknown-area'
  /** The AGS names something that cannot be a tenant, or not of the kind asked for. */
  | 'wrong-kind'
  /** Options that do not fit (threshold for a partnership, a member list naming non-members). */
  | 'invalid-configuration'
  /** A release that breaks a rule (raw for peers, an audience the tenant does not have). */
  | 'invalid-release'
  | 'unknown-release'
  | 'release-exists'
  | 'release-withdrawn';

export class TenancyRuleViolation extends Error {
  constructor(
    readonly code: TenancyErrorCode,
    readonly detail: string,
    /** Every problem found, when there are several (each a German sentence). */
    readonly errors: readonly string[] = [],
  ) {
    super(errors.length > 0 ? `${detail} ${errors.join(' ')}` : detail);
    this.name = 'TenancyRuleViolation';
  }
}

export function isTenancyRuleViolation(error: unknown): error is TenancyRuleViolation {
  return error instanceof TenancyRuleViolation;
}
