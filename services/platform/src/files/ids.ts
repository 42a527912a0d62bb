/**
 * Ids derived from what was delivered: a file import takes its id from tenant, profile and the
 * file's content hash, and the events it records take theirs from the import's id, so the same
 * file delivered twice, or an interrupted import resumed, yields the same ids and changes nothing.
 */
import { createHash } from 'node:crypto';

/** UUID (version 8, RFC 9562 custom) derived from a text: the same text, the same id. */
export function derivedUuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
