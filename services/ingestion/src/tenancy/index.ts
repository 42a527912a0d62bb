/**
 * The tenant register (issue 9): tenants built from the Gemeindeverzeichnis with their Kreistyp,
 * and releases (Freigaben) of their figures, written here as the integration events
 * TenantConfigured, ReleaseGranted and ReleaseWithdrawn that every service keeps a copy of.
 */
import type { Api, DocumentStore, EventStore, Logger } from '@lagebild/platform';
import type { TenancyContext } from './application';
import { catchUpTenancy, createTenantRegister, type TenantRegister } from './projections';
import { declareTenancyRoutes } from './routes';

export {
  configureTenant,
  grantRelease,
  withdrawRelease,
  tenantFacts,
  tenantStanding,
  LOAD_GV_HINT,
  type ConfigureTenantInput,
  type ConfigureTenantOutcome,
  type GrantReleaseInput,
  type TenancyContext,
} from './application';
export {
  DEFAULT_PARTNER_THRESHOLD,
  decideRelease,
  decideTenant,
  explicitAssignments,
  kindOfKreisRecord,
  relationByThreshold,
  releaseProblems,
  type ReleaseCommand,
  type TenantCommand,
  type TenantFacts,
  type TenantOptions,
  type TenantStanding,
} from './decide';
export { berlinLocalToInstant, germanDateTime, parseEmbargo } from './embargo';
export { isTenancyRuleViolation, TenancyRuleViolation, type TenancyErrorCode } from './errors';
export {
  releaseStatus,
  releaseStream,
  tenantStream,
  type KreisMemberEntry,
  type MemberRelation,
  type PlanningModel,
  type ReleaseAudience,
  type ReleaseForm,
  type ReleaseGrantedData,
  type ReleaseRecord,
  type ReleaseStatus,
  type ReleaseWithdrawnData,
  type TenantConfiguredData,
  type TenantKind,
} from './model';
export { applyTenancyEvents, catchUpTenancy, createTenantRegister, loadTenancyView, TENANCY_COLLECTIONS, type TenantRegister } from './projections';
export { createTenancyRouter, declareTenancyRoutes, tenancyProblem } from './routes';

/**
 * Declares the register's routes on the service's Api. Returns the register's reads and the
 * background start: the read model catches up with events appended while the service was down.
 */
export function mountTenancy(
  api: Api,
  deps: { eventStore: EventStore; documents: DocumentStore; logger: Logger },
): { context: TenancyContext; register: TenantRegister; start(): Promise<void> } {
  const context: TenancyContext = { eventStore: deps.eventStore, documents: deps.documents, logger: deps.logger.child({ feature: 'tenancy' }) };
  declareTenancyRoutes(api, context);
  return {
    context,
    register: createTenantRegister(deps.documents),
    async start() {
      const changed = await catchUpTenancy(context);
      if (changed > 0) context.logger?.info({ changed }, 'Lesemodell des Mandantenregisters nachgeführt');
    },
  };
}
