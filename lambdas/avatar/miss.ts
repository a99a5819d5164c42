/**
 * The avatar function's way to the photo pipeline. The resolver (sharp, guarded fetching) runs
 * as its own Lambda and is reached through lambdas/shared/resolver-client.ts, so none of it is
 * in this function's bundle.
 *  - resolveMiss: a profile with no record yet → resolver `lookup` (photo, else initials).
 *  - needsResolver / resolveHit: a known record that lacks the requested variant (→ `variant`,
 *    synchronous) or is older than AVTRZ_REFRESH_DAYS (→ `refresh`, in the background, not
 *    counted). A known variant that is fresh needs neither: the hot path stays one DynamoDB call.
 * If the resolver cannot be reached the request still gets an image: the initials.
 */
import { isStale, variantName } from '../core/photo';
import type { Format } from '../core/size';
import { storeInitialsAvatar, storeInitialsObject } from '../resolver/initials';
import { config } from '../shared/config';
import { logger } from '../shared/logger';
import { invokeResolver, refreshInBackground } from '../shared/resolver-client';
import { forgetAvatar } from '../store/avatars';
import type { AvatarRecord } from '../store/records';

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
  try {
    const { record } = await invokeResolver({
      op: 'lookup',
      id: input.id,
      profile: input.profile,
      size: input.size,
      format: input.format,
    });
    return record;
  } catch (e) {
    logger.warn('resolver lookup failed; serving initials', { id: input.id, err: e as Error });
    return (await storeInitialsAvatar(input.id, input.profile, input.now)).record;
  }
}

/** Does a known record need the resolver for this request? Pure and synchronous (hot path). */
export function needsResolver(rec: AvatarRecord, size: number, format: Format, now: Date): boolean {
  if (rec.kind === 'photo' && !rec.variants?.includes(variantName(size, format))) return true;
  return isStale(rec, config().refreshDays, now.getTime());
}

/** A known record that needs the resolver: start a refresh if stale, render a missing variant. */
export async function resolveHit(rec: AvatarRecord, input: MissInput): Promise<AvatarRecord> {
  const now = input.now ?? new Date();
  if (isStale(rec, config().refreshDays, now.getTime())) {
    await refreshInBackground({ op: 'refresh', id: rec.id, profile: rec.profile });
  }
  if (rec.kind !== 'photo' || rec.variants?.includes(variantName(input.size, input.format))) return rec;
  try {
    const { record } = await invokeResolver({
      op: 'variant',
      id: rec.id,
      profile: rec.profile,
      version: rec.version,
      size: input.size,
      format: input.format,
    });
    forgetAvatar(rec.id); // the cached record lacks the new variant
    return record;
  } catch (e) {
    logger.warn('resolver variant failed; serving initials', { id: rec.id, err: e as Error });
    const initials = await storeInitialsObject(rec.id, rec.profile);
    return { ...rec, kind: 'initials', version: initials.version };
  }
}
