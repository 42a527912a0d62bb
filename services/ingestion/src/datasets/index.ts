/** Data set definitions: variables with code, name, unit, kind; source; sensitivity. */
export { DatasetBody, Sensitivity, VariableDefinition, VariableKind, type Dataset } from './schema';
export type { DatasetSavedData, DatasetEvent } from './model';
