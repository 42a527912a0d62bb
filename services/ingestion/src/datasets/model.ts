/**
 * Data set definitions as versioned data (stream `dataset-<id>`), like delivery profiles.
 * Private events of the ingestion service.
 */
import type { DatasetBody } from './schema';

export interface DatasetSavedData {
  datasetId: string;
  version: number;
  body: DatasetBody;
  savedBy: string;
}

export type DatasetEvent = { type: 'DatasetSaved'; data: DatasetSavedData };

export interface DatasetState {
  version: number;
  body?: DatasetBody;
}

export function initialDatasetState(): DatasetState {
  return { version: 0 };
}

export function evolveDataset(state: DatasetState, event: DatasetEvent): DatasetState {
  switch (event.type) {
    case 'DatasetSaved':
      return { version: event.data.version, body: event.data.body };
    default: {
      const _exhaustive: never = event.type;
      return _exhaustive;
    }
  }
}

export function datasetStream(datasetId: string): string {
  return `dataset-${datasetId}`;
}
