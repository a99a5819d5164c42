/** Object ids: a keyed hash of the normalised profile, so CDN URLs don't reveal who it is. */
import { createHmac } from 'node:crypto';

export const ID_RE = /^[0-9a-f]{32}$/;

export function profileId(secret: string, profile: string): string {
  return createHmac('sha256', secret).update(profile, 'utf8').digest('hex').slice(0, 32);
}
