/**
 * The 302 target. Built only from the configured CDN base plus validated parts (hex id, a
 * token-shaped version, a snapped size, an enum format): no input can change the host.
 */
import { s3Key } from './object-keys';
import { ID_RE } from './profile-id';
import type { AvatarRecord } from './records';
import type { Format } from './size';

const VERSION_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function locationFor(cdnUrl: string, rec: AvatarRecord, size: number, format: Format): string {
  if (!ID_RE.test(rec.id) || !VERSION_RE.test(rec.version))
    throw new Error('avatar record has a malformed id/version');
  const key =
    rec.kind === 'photo'
      ? s3Key.variant(rec.id, rec.version, size, format)
      : s3Key.initials(rec.id, rec.version, size);
  return `${cdnUrl}/${key}`;
}
