/**
 * The one declared HTTP API of the ingestion service (under /api/ingestion): the register's
 * routes (areas/routes.ts), the catalogs (profiles/routes.ts) and deliveries
 * (deliveries/routes.ts) are declared on it with the platform's createApi, so every route names
 * the roles that may call it (checked before anything else runs) and the service serves one
 * OpenAPI document of all of them at /api/ingestion/openapi.json.
 *
 * Who may use what (ARCHITECTURE.md 7), in one place so the decisions can be read side by side:
 * the role sets below; object-level checks (whose scheme, profile or delivery) stay in the
 * handlers, which alone know the object.
 */
import { createApi, type Api, type Role } from '@lagebild/platform';

/**
 * Reading the spatial register (schemes, versions, units, geometry, crosswalks): every role of
 * the tenant that works with area figures, the Träger included (its contracts and reports name
 * Sozialräume by code). Not `public`: that audience sees published figures only.
 */
export const REGISTER_READ_ROLES: readonly Role[] = ['admin', 'sozialplanung', 'controlling', 'fuehrung', 'datenlieferung', 'traeger', 'statistikstelle'];
/** Changing a scheme (create, import, change units, publish): the planners; shared schemes admin only (handler). */
export const REGISTER_WRITE_ROLES: readonly Role[] = ['admin', 'sozialplanung'];
/** Unpublished changes of a scheme: who edits it, and the Statistikstelle preparing data for the next Gebietsstand. */
export const REGISTER_DRAFT_ROLES: readonly Role[] = ['admin', 'sozialplanung', 'statistikstelle'];
/** Matching area names of a source against a scheme: whoever prepares or checks deliveries. */
export const NAME_MATCH_ROLES: readonly Role[] = ['admin', 'sozialplanung', 'statistikstelle', 'datenlieferung'];
/** Loading the Gemeindeverzeichnis (shared reference data of every tenant). */
export const GEMEINDEVERZEICHNIS_WRITE_ROLES: readonly Role[] = ['admin'];
/** Reading delivery profiles and data set definitions: whoever delivers or checks deliveries. */
export const CATALOG_READ_ROLES: readonly Role[] = ['datenlieferung', 'sozialplanung', 'admin', 'statistikstelle'];
/** Saving a delivery profile (a shared profile: admin only, handler). */
export const PROFILE_WRITE_ROLES: readonly Role[] = ['admin', 'sozialplanung'];
/** Saving a data set definition (shared by every tenant). */
export const DATASET_WRITE_ROLES: readonly Role[] = ['admin'];
/**
 * Delivering a file: for the own tenant or (a Kreis) a member Gemeinde, areas checked row by row.
 * The Statistikstelle delivers what only it may handle (SGB II data of the Bundesagentur).
 */
export const DELIVERING_ROLES: readonly Role[] = ['datenlieferung', 'sozialplanung', 'statistikstelle', 'admin'];
/** Reading deliveries, their status and validation report (the delivering tenant and its Kreis, handler). */
export const REPORT_ROLES: readonly Role[] = ['datenlieferung', 'sozialplanung', 'admin', 'statistikstelle'];
/** Reading observations: raw delivered values, so only the roles that may see raw numbers. */
export const OBSERVATION_ROLES: readonly Role[] = ['sozialplanung', 'admin', 'statistikstelle'];
/** Reading the tenant register (own entry, members, own Kreis): every working role, as the spatial register. */
export const TENANT_READ_ROLES: readonly Role[] = REGISTER_READ_ROLES;
/** Adding or changing a tenant (Kreistyp, partners): admin of the tenant or of its Kreis (handler). */
export const TENANT_WRITE_ROLES: readonly Role[] = ['admin'];
/** Releases (Freigaben): admin and Sozialplanung of the owner, or of the Kreis for members it plans for (handler). */
export const RELEASE_ROLES: readonly Role[] = ['admin', 'sozialplanung'];

/**
 * A fresh Api of the ingestion service. With `about` (the service does) it answers GET / with
 * the service's German name and purpose; the feature routers of the tests leave it out.
 */
export function createIngestionApi(options: { about?: boolean } = {}): Api {
  return createApi({
    service: 'ingestion',
    title: 'Lagebild Datenannahme und Gebietsgliederung',
    description:
      'Gebietsgliederungen mit Versionen, Umschlüsselungen und Geometrien, das Gemeindeverzeichnis, Lieferprofile und Datensätze, Lieferungen mit Prüfbericht und die daraus erfassten Beobachtungen je Gebiet und Zeitraum.',
    ...(options.about
      ? {
          about: {
            titel: 'Datenannahme und Gebietsgliederung',
            beschreibung: 'Lieferungen von Datensätzen werden geprüft, versioniert und als Beobachtungen je Gebiet und Zeitraum erfasst.',
          },
        }
      : {}),
  });
}
