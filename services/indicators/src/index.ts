export { createService, SERVICE_NAME } from './service';
export { createIndicators, type IndicatorsModule } from './service';
export { SHIPPED_CATALOGUE_DIR, catalogueStream } from './catalogue/registry';
export { VALUES_COLLECTION, type ValuesDoc } from './computation';
