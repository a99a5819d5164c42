/**
 * The miss path: a profile with no avatar record yet. ONE function so the photo pipeline can
 * replace its body with a resolver invocation. Today: the initials SVG, stored once in S3 under
 * a content-derived version, then the record (conditional, so concurrent creators agree).
 */
import { createHash } from 'node:crypto';
import { colourFor, initialsFromSlug } from '../core/initials';
import { slugOf } from '../core/profile';
import type { Format } from '../core/size';
import { initialsSvg } from '../core/svg';
import { putAvatarIfAbsent, putObject } from '../store/avatars';
import type { AvatarRecord } from '../store/records';
import { s3Key } from '../store/schema';

export interface MissInput {
  /** HMAC id of the profile */
  id: string;
  /** normalised `linkedin.com/in/<slug>` */
  profile: string;
  size: number;
  format: Format;
  now?: Date;
}

export async function resolveMiss(input: MissInput): Promise<AvatarRecord> {
  const slug = slugOf(input.profile);
  const svg = initialsSvg(initialsFromSlug(slug), colourFor(slug));
  const version = `i${createHash('sha256').update(svg).digest('hex').slice(0, 12)}`;
  await putObject(s3Key.initials(input.id, version), svg, 'image/svg+xml');
  return putAvatarIfAbsent({
    id: input.id,
    profile: input.profile,
    version,
    kind: 'initials',
    fetched_at: (input.now ?? new Date()).toISOString(),
  });
}
