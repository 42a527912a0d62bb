export { createService, SERVICE_NAME, OPERATOR_TENANT } from './service';
export { applySchema, createProjection, projectionLag, PROJECTION_GROUP, TOPICS, type Projection } from './projection';
export { project, rowsOf, tableRows, clickhouseTime, dimensionsKey } from './projector';
export { renderSchema, schemaFile, TABLES, DEDUPLICATION_WINDOW, type Variant } from './schema';
export { checkReadOnly, runReadOnly, formatRows, ReadOnlyQueryError } from './query';
export { replayWarehouse, REPLAY_DATABASE, type ReplayResult } from './replay';
export * from './access';
