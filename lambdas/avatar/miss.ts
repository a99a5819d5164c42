/**
 * The avatar function's way to the photo pipeline. The resolver (sharp, guarded fetching) runs
 * as its own Lambda and is reached through lambdas/shared/resolver-client.ts, so none of it is
 * in this function's bundle.
 *  - resolveMiss: a profile with no record yet → resolver `lookup` (photo, else initials).
 *  - needsResolver / resolveHit: a known record that lacks the requested variant (→ `variant`,
 *    synchronous) or is older than AVTRZ_REFRESH_DAYS (→ `refresh`, in the background, not
 *    counted). A known variant that is fresh needs neither: the hot path stays one DynamoDB call.
 * If the resolver fails or does not answer within RESOLVER_WAIT_MS (less when the request's
 * deadline leaves less: ./budget.ts) the request still gets an image: the initials, served but
 * not recorded. Their PutObject ends at the deadline too; if it fails the caller answers 503.
 */
import { isStale, variantName } from '../core/photo';
import type { AvatarRecord } from '../core/records';
import type { Format } from '../core/size';
import { config } from '../shared/config';
import { logger } from '../shared/logger';
import { invokeResolver, refreshInBackground } from '../shared/resolver-client';
import { forgetAvatar } from '../store/avatars';
import { storeInitialsObject } from '../store/initials';

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
    // the resolver failed or is slow: initials for this request, but no record, so a photo the
    // resolver is still storing is not shadowed and the next request looks the profile up again
    logger.warn('resolver lookup failed; serving initials', { id: input.id, err: e as Error });
    return initialsStandIn(input.id, input.profile, input.now);
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
    return initialsStandIn(rec.id, rec.profile, now);
  }
}

/** The initials object (stored, immutable) as a record for this one response; not written to DynamoDB. */
async function initialsStandIn(id: string, profile: string, now = new Date()): Promise<AvatarRecord> {
  const { version } = await storeInitialsObject(id, profile);
  return { id, profile, version, kind: 'initials', fetched_at: now.toISOString() };
}
