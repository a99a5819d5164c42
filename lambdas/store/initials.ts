/**
 * The initials fallback as a CDN object: the SVG (initials and palette colour only, never input
 * text) at a/<id>/<version>/initials.svg. Light on purpose (no sharp, no fetching): the resolver
 * stores it for a profile without a photo, and the avatar function stores it when the resolver
 * is unreachable.
 */
import { s3Key } from '../core/object-keys';
import { CONTENT_TYPE, photoVersion } from '../core/photo';
import { slugOf } from '../core/profile';
import { initialsSvgForSlug } from '../core/svg';
import { putObject } from './avatars';
import type { StoreContext } from './context';

/** The initials SVG of a profile and its version: `i` + 12 hex of its sha256 (same profile, same key). */
function initialsObject(profile: string): { svg: string; version: string } {
  const slug = slugOf(profile);
  const svg = initialsSvgForSlug(slug);
  return { svg, version: `i${photoVersion(Buffer.from(svg, 'utf8'))}` };
}

/** Store the initials SVG and return its S3 key (idempotent: same profile, same bytes, same key). */
export async function storeInitialsObject(
  ctx: StoreContext,
  id: string,
  profile: string,
): Promise<{ version: string; key: string }> {
  const { svg, version } = initialsObject(profile);
  const key = s3Key.initials(id, version);
  await putObject(ctx, key, svg, CONTENT_TYPE.svg);
  return { version, key };
}
