/**
 * The avatar use case's way to the photo pipeline. The resolver (sharp, guarded fetching) runs
 * as its own Lambda behind the resolver port, so none of it is in the avatar function's bundle.
 *  - resolveMiss: a profile with no record yet → resolver `lookup` (photo, else initials).
 *  - needsResolver / resolveHit: a known record that lacks the requested variant (a photo →
 *    `variant`, synchronous; initials → the SVG at that size, written here) or is due for another
 *    look (core/photo.ts isDue: → `refresh`, in the background, not counted; initials left by a
 *    provider failure → `retry`, synchronous, so the request a minute later gets the photo). A
 *    known variant that is fresh needs neither: the hot path stays one DynamoDB call.
 * If the resolver fails or does not answer within RESOLVER_WAIT_MS (less when the request's
 * deadline leaves less: ./budget.ts) the request still gets an image: the initials, served but
 * not recorded. Their PutObject ends at the deadline too; if it fails the caller answers 503.
 */
import { type FreshnessPolicy, isDue, providerTag, servedVariant } from '../core/photo';
import type { AvatarRecord } from '../core/records';
import type { Format } from '../core/size';
import type { AppDeps } from './ports';

type ResolveDeps = Pick<AppDeps, 'store' | 'resolver' | 'log' | 'config'>;

export interface AvatarTarget {
  /** HMAC id of the profile */
  id: string;
  /** normalised `linkedin.com/in/<slug>` */
  profile: string;
  size: number;
  format: Format;
  now: Date;
}

export async function resolveMiss(deps: ResolveDeps, input: AvatarTarget): Promise<AvatarRecord> {
  try {
    const { record } = await deps.resolver.invoke({
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
    deps.log.warn('resolver lookup failed; serving initials', { id: input.id, err: e as Error });
    return initialsStandIn(deps, input.id, input.profile, input.size, input.now);
  }
}

function freshness(config: AppDeps['config']): FreshnessPolicy {
  return {
    refreshDays: config.refreshDays,
    missRecheckHours: config.missRecheckHours,
    // read only for initials records: a known photo's hot path does not hash the provider URL
    get provider() {
      return providerTag(config.upstreamUrl);
    },
  };
}

/** Does a known record need the resolver for this request? Pure and synchronous (hot path). */
export function needsResolver(
  deps: Pick<AppDeps, 'config'>,
  rec: AvatarRecord,
  size: number,
  format: Format,
  now: Date,
): boolean {
  if (!rec.variants?.includes(servedVariant(rec.kind, size, format))) return true;
  return isDue(rec, freshness(deps.config), now.getTime());
}

/** A known record that needs the resolver: start a refresh if stale, render a missing variant. */
export async function resolveHit(
  deps: ResolveDeps,
  rec: AvatarRecord,
  input: AvatarTarget,
): Promise<AvatarRecord> {
  const { now } = input;
  const due = isDue(rec, freshness(deps.config), now.getTime());
  if (due && rec.kind === 'initials' && rec.failed_at) return retryFailed(deps, rec, input);
  if (due) await deps.resolver.refreshInBackground({ op: 'refresh', id: rec.id, profile: rec.profile });
  if (rec.variants?.includes(servedVariant(rec.kind, input.size, input.format))) return rec;
  if (rec.kind === 'initials') return (await initialsAtSize(deps, rec, input.size)).record;
  try {
    const { record } = await deps.resolver.invoke({
      op: 'variant',
      id: rec.id,
      profile: rec.profile,
      version: rec.version,
      size: input.size,
      format: input.format,
    });
    deps.store.avatars.forgetAvatar(rec.id); // the cached record lacks the new variant
    return record;
  } catch (e) {
    deps.log.warn('resolver variant failed; serving initials', { id: rec.id, err: e as Error });
    return initialsStandIn(deps, rec.id, rec.profile, input.size, now);
  }
}

/**
 * Initials left by a provider failure, a minute or more ago: look again now, so this request gets
 * the photo if the provider is back (the resolver lets one caller per minute ask it).
 */
async function retryFailed(deps: ResolveDeps, rec: AvatarRecord, input: AvatarTarget): Promise<AvatarRecord> {
  try {
    const { record } = await deps.resolver.invoke({
      op: 'retry',
      id: rec.id,
      profile: rec.profile,
      size: input.size,
      format: input.format,
    });
    deps.store.avatars.forgetAvatar(rec.id); // the cached record is the failure
    return record;
  } catch (e) {
    deps.log.warn('resolver retry failed; serving initials', { id: rec.id, err: e as Error });
    if (rec.variants?.includes(servedVariant('initials', input.size, input.format))) return rec;
    return (await initialsAtSize(deps, rec, input.size)).record;
  }
}

/**
 * An initials record asked at a size it has no object for yet: store the SVG at that size and
 * add it to the record's variants, so the next request for it is a hot-path hit again. A record
 * whose version is an older drawing gets today's drawing for this response only (its own
 * objects stay as they are). Shared with the resolver.
 */
export async function initialsAtSize(
  deps: Pick<AppDeps, 'store' | 'log'>,
  rec: AvatarRecord,
  size: number,
): Promise<{ record: AvatarRecord; key: string }> {
  const { version, key } = await deps.store.avatars.storeInitialsObject(rec.id, rec.profile, size);
  if (version !== rec.version) return { record: { ...rec, version, variants: [] }, key };
  const name = servedVariant('initials', size, 'svg');
  try {
    await deps.store.photos.addVariant(rec.id, version, name);
    deps.store.avatars.forgetAvatar(rec.id);
  } catch (e) {
    // the object is stored and can be served; the next request for this size writes it again
    deps.log.warn('could not record an initials size', { id: rec.id, err: e as Error });
  }
  return { record: { ...rec, variants: [...(rec.variants ?? []), name] }, key };
}

/** The initials object (stored, immutable) as a record for this one response; not written to DynamoDB. */
async function initialsStandIn(
  deps: ResolveDeps,
  id: string,
  profile: string,
  size: number,
  now: Date,
): Promise<AvatarRecord> {
  const { version } = await deps.store.avatars.storeInitialsObject(id, profile, size);
  return { id, profile, version, kind: 'initials', fetched_at: now.toISOString() };
}
