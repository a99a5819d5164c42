/**
 * The 302 target. Built only from the configured CDN base plus validated parts (hex id, a
 * token-shaped version, a snapped size, an enum format): no input can change the host.
 */
import { s3Key } from './object-keys';
import { ID_RE } from './profile-id';
import type { AvatarRecord } from './records';
import type { Format } from './size';

const VERSION_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The bucket key of the object a record serves at `size` and `format` (the initials SVG for any format). */
export function objectKeyFor(rec: AvatarRecord, size: number, format: Format): string {
  if (!ID_RE.test(rec.id) || !VERSION_RE.test(rec.version))
    throw new Error('avatar record has a malformed id/version');
  return rec.kind === 'photo'
    ? s3Key.variant(rec.id, rec.version, size, format)
    : s3Key.initials(rec.id, rec.version, size);
}

export function locationFor(cdnUrl: string, rec: AvatarRecord, size: number, format: Format): string {
  return `${cdnUrl}/${objectKeyFor(rec, size, format)}`;
}
