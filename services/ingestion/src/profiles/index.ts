/** Delivery profiles (Lieferprofile): schema, catalog (shared with data set definitions), routes. */
export * from './schema';
export { createCatalog, checkProfileAgainstDataset, CatalogReferenceError, SYSTEM_TENANT, PROFILES_COLLECTION, DATASETS_COLLECTION, type Catalog, type DatasetSummary, type ProfileSummary, type SaveContext, type SaveResult } from './catalog';
export { createCatalogRouter, declareCatalogRoutes } from './routes';
export type { DeliveryProfileSavedData, ProfileEvent } from './model';
