/**
 * The initials fallback as a stored avatar: the SVG (initials and palette colour only, never
 * input text) at a/<id>/<version>/initials.svg and a record of kind 'initials'. Light on purpose
 * (no sharp, no fetching), so the avatar function may use it when the resolver is unreachable.
 */
import { colourFor, initialsFromSlug } from '../core/initials';
import { CONTENT_TYPE, photoVersion } from '../core/photo';
import { slugOf } from '../core/profile';
import { initialsSvg } from '../core/svg';
import { putAvatarIfAbsent, putObject } from '../store/avatars';
import { s3Key } from '../store/schema';

/** The initials SVG of a profile and its version: `i` + 12 hex of its sha256 (same profile, same key). */
export function initialsObject(profile: string): { svg: string; version: string } {
  const slug = slugOf(profile);
  const svg = initialsSvg(initialsFromSlug(slug), colourFor(slug));
  return { svg, version: `i${photoVersion(Buffer.from(svg, 'utf8'))}` };
}

/** Store the initials SVG and return its S3 key (idempotent: same profile, same bytes, same key). */
export async function storeInitialsObject(
  id: string,
  profile: string,
): Promise<{ version: string; key: string }> {
  const { svg, version } = initialsObject(profile);
  const key = s3Key.initials(id, version);
  await putObject(key, svg, CONTENT_TYPE.svg);
  return { version, key };
}

/** A profile without a photo: store its initials and create the record unless one exists. */
export async function storeInitialsAvatar(id: string, profile: string, now = new Date()) {
  const { version, key } = await storeInitialsObject(id, profile);
  const record = await putAvatarIfAbsent({
    id,
    profile,
    version,
    kind: 'initials',
    fetched_at: now.toISOString(),
  });
  return { record, key: record.kind === 'initials' && record.version === version ? key : undefined };
}
