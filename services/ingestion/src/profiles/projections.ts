/**
 * Read models of the catalogs: the latest version of each profile and data set, for listing.
 */
import type { DocumentWrite, StoredEvent } from '@lagebild/platform';
import type { DatasetSavedData } from '../datasets/model';
import type { DeliveryProfileSavedData } from './model';
import { DATASETS_COLLECTION, PROFILES_COLLECTION, type DatasetSummary, type ProfileSummary } from './catalog';

export const CATALOG_EVENT_TYPES = ['DeliveryProfileSaved', 'DatasetSaved'] as const;

export function projectCatalogEvent(event: StoredEvent): DocumentWrite[] {
  if (event.type === 'DeliveryProfileSaved') {
    const data = event.data as DeliveryProfileSavedData;
    const doc: ProfileSummary = {
      id: data.profileId,
      version: data.version,
      name: data.body.name,
      tenant: data.body.tenant,
      dataset: data.body.dataset,
      format: data.body.format.type,
      source: data.body.source.name,
      savedAt: event.recordedAt,
    };
    return [{ collection: PROFILES_COLLECTION, key: data.profileId, doc }];
  }
  if (event.type === 'DatasetSaved') {
    const data = event.data as DatasetSavedData;
    const doc: DatasetSummary = {
      id: data.datasetId,
      version: data.version,
      name: data.body.name,
      sensitivity: data.body.sensitivity,
      variables: data.body.variables.length,
      savedAt: event.recordedAt,
    };
    return [{ collection: DATASETS_COLLECTION, key: data.datasetId, doc }];
  }
  return [];
}
