/**
 * The initials fallback as CDN objects, one per size: the SVG (initials and palette colour only,
 * never input text) at a/<id>/<version>/<size>.svg. Light on purpose (no sharp, no fetching): the
 * resolver stores it for a profile without a photo, the avatar function stores a size a known
 * profile did not have yet, or the initials for one request when the resolver is unreachable.
 */
import { s3Key } from '../core/object-keys';
import { CONTENT_TYPE, photoVersion } from '../core/photo';
import { slugOf } from '../core/profile';
import { DEFAULT_SIZE } from '../core/size';
import { initialsSvgForSlug } from '../core/svg';
import { putObject } from './avatars';
import type { StoreContext } from './context';

/**
 * The initials SVG of a profile at `size`, and the version of its drawing: `i` + 12 hex of the
 * sha256 of the default-size SVG, so every size of one drawing shares a version (and a record).
 */
function initialsObject(profile: string, size: number): { svg: string; version: string } {
  const slug = slugOf(profile);
  const reference = initialsSvgForSlug(slug, DEFAULT_SIZE);
  const svg = size === DEFAULT_SIZE ? reference : initialsSvgForSlug(slug, size);
  return { svg, version: `i${photoVersion(Buffer.from(reference, 'utf8'))}` };
}

/** Store the initials SVG at `size` and return its S3 key (idempotent: same profile and size, same bytes, same key). */
export async function storeInitialsObject(
  ctx: StoreContext,
  id: string,
  profile: string,
  size: number,
): Promise<{ version: string; key: string }> {
  const { svg, version } = initialsObject(profile, size);
  const key = s3Key.initials(id, version, size);
  await putObject(ctx, key, svg, CONTENT_TYPE.svg);
  return { version, key };
}
