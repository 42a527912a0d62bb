/**
 * Delivery profiles as versioned data (stream `profile-<id>`): every save that changes the
 * profile is a new version; deliveries name the version they were read with, so an old delivery
 * stays explainable after the profile moved on. Private events of the ingestion service.
 */
import type { DeliveryProfileBody } from './schema';

export interface DeliveryProfileSavedData {
  profileId: string;
  version: number;
  body: DeliveryProfileBody;
  savedBy: string;
}

export type ProfileEvent = { type: 'DeliveryProfileSaved'; data: DeliveryProfileSavedData };

export interface ProfileState {
  version: number;
  body?: DeliveryProfileBody;
}

export function initialProfileState(): ProfileState {
  return { version: 0 };
}

export function evolveProfile(state: ProfileState, event: ProfileEvent): ProfileState {
  switch (event.type) {
    case 'DeliveryProfileSaved':
      return { version: event.data.version, body: event.data.body };
    default: {
      const _exhaustive: never = event.type;
      return _exhaustive;
    }
  }
}

export function profileStream(profileId: string): string {
  return `profile-${profileId}`;
}
