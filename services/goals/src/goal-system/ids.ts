/**
 * Ids of the entries of a goal-system file, derived from tenant and key (name-based UUID,
 * version 5, RFC 9562): importing the same file again, or a revised one, addresses the same
 * goals, targets, measures, Träger and contracts, so nothing is created twice.
 */
import { createHash } from 'node:crypto';

/** Namespace of the ids of goal-system files (a fixed random UUID; changing it orphans every imported entry). */
const NAMESPACE = '6f1d7c1e-3b52-4f0a-9a57-2c8e4b1d9e30';

function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type EntryKind = 'ziel' | 'massnahme' | 'traeger' | 'vertrag';

export function entryId(tenant: string, kind: EntryKind, key: string): string {
  return nameBasedUuid(`${tenant}/${kind}/${key}`);
}

export function targetId(tenant: string, goalKey: string, targetKey: string): string {
  return nameBasedUuid(`${tenant}/ziel/${goalKey}/zielwert/${targetKey}`);
}
