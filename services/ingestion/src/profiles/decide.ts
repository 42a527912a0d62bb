/**
 * Saving a profile: a new version when the content changed, nothing when it is the same (the
 * shipped profiles are re-saved at every start; an unchanged file must not add versions).
 */
import { sameContent } from '../datasets/decide';
import type { ProfileEvent, ProfileState } from './model';
import type { DeliveryProfileBody } from './schema';

export type ProfileCommand = { type: 'SaveDeliveryProfile'; profileId: string; body: DeliveryProfileBody; savedBy: string };

export function decideProfile(command: ProfileCommand, state: ProfileState): ProfileEvent[] {
  switch (command.type) {
    case 'SaveDeliveryProfile':
      if (state.body && sameContent(state.body, command.body)) return [];
      return [{ type: 'DeliveryProfileSaved', data: { profileId: command.profileId, version: state.version + 1, body: command.body, savedBy: command.savedBy } }];
    default: {
      const _exhaustive: never = command.type;
      return _exhaustive;
    }
  }
}
