/**
 * The spatial register (Gebietsgliederung) of the ingestion service: schemes of area units with
 * versions and crosswalks, imports from GeoJSON, shapefiles, CSV and the Gemeindeverzeichnis
 * (GV100AD), name matching for deliveries, read models and the AreaRegister port.
 */
import type { Api, DocumentStore, EventStore, Logger } from '@lagebild/platform';
import { type AreasContext, catchUpAreaProjections } from './application';
import { createAreaRegister as registerOver, type AreaRegisterReads } from './projections';
import { declareAreaRoutes, type AreasRouterOptions } from './routes';

export * from './application';
export { AreaRuleViolation, type AreaErrorCode, type AreaErrorEntry, type ImportedUnit, SCHEME_ID } from './decide';
export { deriveCrosswalkFromMatches, pairsFromMatchTable, readPopulationCsv, type CrosswalkDerivation } from './crosswalk';
export { createGemeindeverzeichnis, GEMEINDEVERZEICHNIS_SCHEME_ID, type Gemeindeverzeichnis, type GvEntry, type GvLevel, type KreisWithMembers } from './gemeindeverzeichnis';
export { bboxOf, centroidOf, containsPoint, reprojectionFrom, roundGeometry } from './geometry';
export type { FeatureCorrection, ImportMapping } from './mapping';
export type { AreaGeometry, CrosswalkWeight, NameGroup, SeriesBreak, UnitRecord } from './model';
export { buildNameIndex, normalizeAreaName, type AreaNameIndex, type NameMatch } from './names';
export { createAreaRegister, type AreaRegisterReads, type SchemeDocument, type UnitDocument, type VersionSummary } from './projections';
export type { AreaGeometriesPublishedData, AreaSchemeVersionPublishedData } from './publication';
export type { AreaRegister, AreaUnitView, SchemeSummary, SchemeVersionView } from './register';
export { problemOf, createAreasRouter, declareAreaRoutes } from './routes';
export { areaFileFromDisk, readShapefileFromDisk, shapefileFromParts, type AreaFile } from './sources';

/**
 * Declares the register's routes on the service's Api. Returns the AreaRegister port (for the
 * deliveries feature) and the background start: the read models catch up with events appended
 * while the service was down.
 */
export function mountAreas(
  api: Api,
  deps: { eventStore: EventStore; documents: DocumentStore; logger: Logger },
  options: AreasRouterOptions = {},
): { context: AreasContext; register: AreaRegisterReads; start(): Promise<void> } {
  const context: AreasContext = { eventStore: deps.eventStore, documents: deps.documents, logger: deps.logger.child({ feature: 'areas' }) };
  declareAreaRoutes(api, context, options);
  return {
    context,
    register: registerOver(deps.documents),
    async start() {
      const projected = await catchUpAreaProjections(context);
      if (projected > 0) context.logger?.info({ projected }, 'Lesemodelle der Gebietsgliederungen nachgeführt');
    },
  };
}
export { AREA_PROFILES_DIR, loadAreaImportProfile, loadMatchCorrections, loadNameMappingTable, type AreaImportProfile } from './profiles';
