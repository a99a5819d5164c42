/**
 * The photo resolver's use cases (core/resolver-contract.ts has the ops). They run in the
 * resolver function, or in-process where no resolver function is configured (runtime/index.ts).
 *  lookup  : provider → guarded fetch → pixel-capped decode → original + variant in S3 → record;
 *            no photo ends in the initials avatar, never an error. "The provider has no photo"
 *            and "the provider failed" are different records: a failure carries `failed_at` and
 *            is looked up again a minute later (core/photo.ts isDue).
 *  variant : render `<size>.<format>` from the stored original (no provider call).
 *  refresh : ask the provider again; a new photo gets a new version (sha256 of its bytes) and
 *            the variants the old one had; the same bytes, no photo or a failure keep what is
 *            stored (a failure marked as one).
 *  retry   : a failed initials record, synchronously: one caller per minute wins the claim and
 *            asks the provider; every caller is served what is stored afterwards.
 * Storage errors (S3/DynamoDB down) do propagate: the caller decides how to answer.
 */

import type { AppDeps, Logger, Store } from '../app/ports';
import { initialsAtSize } from '../app/resolve-avatar';
import { s3Key } from '../core/object-keys';
import {
  CONTENT_TYPE,
  type FreshnessPolicy,
  isDue,
  parseVariantName,
  photoVersion,
  providerTag,
  servedVariant,
  variantName,
} from '../core/photo';
import { profileId } from '../core/profile-id';
import type { AvatarRecord } from '../core/records';
import type { ResolverRequest, ResolverResult } from '../core/resolver-contract';
import { DEFAULT_SIZE, type Format } from '../core/size';
import { ImageRejected, inspectOriginal, renderVariant } from './image';
import { lookupPhoto } from './provider';

/** One resolve call's view of the runtime. */
interface Ctx {
  store: Store;
  log: Logger;
  upstreamUrl: string | undefined;
  /** providerTag of upstreamUrl: stored with every look */
  provider: string;
  policy: FreshnessPolicy;
  nowIso(): string;
}

type Photo = { bytes: Buffer; contentType: string; version: string };
/** what one look at the provider found */
type Look = { kind: 'photo'; photo: Photo } | { kind: 'none' } | { kind: 'failed' };

/** Ask the provider and validate what it gave (reasons logged). */
async function fetchPhoto(c: Ctx, id: string, profile: string): Promise<Look> {
  const outcome = await lookupPhoto(c.upstreamUrl, profile);
  if (outcome.kind !== 'image') {
    const msg = outcome.kind === 'none' ? 'no photo' : 'provider failed';
    c.log.info(msg, { id, reason: outcome.reason, detail: outcome.detail });
    return { kind: outcome.kind };
  }
  let format: string;
  try {
    ({ format } = await inspectOriginal(outcome.bytes));
  } catch (e) {
    if (!(e instanceof ImageRejected)) throw e;
    // the provider answered, with something that is not a usable photo: its answer, not a failure
    c.log.info('photo refused', { id, reason: e.reason });
    return { kind: 'none' };
  }
  // the stored type is the decoded format, not whatever header the provider sent
  const photo = {
    bytes: outcome.bytes,
    contentType: `image/${format}`,
    version: photoVersion(outcome.bytes),
  };
  return { kind: 'photo', photo };
}

/**
 * A profile without a photo (or whose provider failed): store its initials at `size` and create
 * the record unless one exists.
 */
async function storeInitialsAvatar(
  c: Ctx,
  req: { id: string; profile: string; size: number; format: Format },
  failed: boolean,
) {
  const { id, profile, size, format } = req;
  const { version, key } = await c.store.avatars.storeInitialsObject(id, profile, size);
  const now = c.nowIso();
  const rec: AvatarRecord = {
    id,
    profile,
    version,
    kind: 'initials',
    variants: [servedVariant('initials', size, 'svg')],
    fetched_at: now,
    provider: c.provider,
    ...(failed ? { failed_at: now } : {}),
  };
  const winner = await c.store.avatars.putAvatarIfAbsent(rec);
  return winner === rec ? { record: rec, key } : serve(c, winner, size, format);
}

async function readFresh(c: Ctx, id: string): Promise<AvatarRecord | undefined> {
  c.store.avatars.forgetAvatar(id);
  return await c.store.avatars.getAvatar(id);
}

async function storeVariant(
  c: Ctx,
  id: string,
  version: string,
  original: Buffer,
  size: number,
  format: Format,
) {
  const key = s3Key.variant(id, version, size, format);
  await c.store.photos.putObject(key, await renderVariant(original, size, format), CONTENT_TYPE[format]);
  return key;
}

/** The object for `size.format` of an existing record, generating the variant if needed. */
async function serve(c: Ctx, rec: AvatarRecord, size: number, format: Format): Promise<ResolverResult> {
  // an initials size is written before it is listed, so a listed size's object exists
  if (rec.kind === 'initials') {
    if (rec.variants?.includes(servedVariant('initials', size, 'svg')))
      return { record: rec, key: s3Key.initials(rec.id, rec.version, size) };
    return initialsAtSize(c, rec, size);
  }
  const name = variantName(size, format);
  if (rec.variants?.includes(name))
    return { record: rec, key: s3Key.variant(rec.id, rec.version, size, format) };
  return variant(
    c,
    { op: 'variant', id: rec.id, profile: rec.profile, version: rec.version, size, format },
    rec,
  );
}

async function lookup(c: Ctx, req: Extract<ResolverRequest, { op: 'lookup' }>): Promise<ResolverResult> {
  const { id, profile, size, format } = req;
  // no read first: the caller just found no record; a concurrent creator is settled by the
  // conditional put below (the loser serves the winner's record)
  const look = await fetchPhoto(c, id, profile);
  if (look.kind !== 'photo') return storeInitialsAvatar(c, req, look.kind === 'failed');
  const { photo } = look;
  await c.store.photos.putOriginal(id, photo.version, photo.bytes, photo.contentType);
  const key = await storeVariant(c, id, photo.version, photo.bytes, size, format);
  const name = variantName(size, format);
  const rec: AvatarRecord = {
    id,
    profile,
    version: photo.version,
    kind: 'photo',
    variants: [name],
    fetched_at: c.nowIso(),
    provider: c.provider,
  };
  const winner = await c.store.avatars.putAvatarIfAbsent(rec);
  if (winner === rec) return { record: rec, key };
  // a concurrent lookup stored first: serve what it stored
  if (winner.kind === 'photo' && winner.version === photo.version && !winner.variants?.includes(name)) {
    await c.store.photos.addVariant(id, photo.version, name);
    c.store.avatars.forgetAvatar(id);
    return { record: { ...winner, variants: [...(winner.variants ?? []), name] }, key };
  }
  return serve(c, winner, size, format);
}

async function variant(
  c: Ctx,
  req: Extract<ResolverRequest, { op: 'variant' }>,
  known?: AvatarRecord,
): Promise<ResolverResult> {
  const { id, profile, version, size, format } = req;
  const rec = known ?? (await readFresh(c, id));
  if (!rec) return lookup(c, { op: 'lookup', id, profile, size, format });
  if (rec.kind !== 'photo' || rec.version !== version) return serve(c, rec, size, format);
  const name = variantName(size, format);
  if (rec.variants?.includes(name)) return { record: rec, key: s3Key.variant(id, version, size, format) };
  let original = await c.store.photos.getOriginal(id, version);
  if (!original) {
    // the original is gone (lifecycle rule, manual cleanup): fetch the photo again
    c.log.warn('original missing; refreshing', { id, version });
    const refreshed = await refresh(c, { op: 'refresh', id, profile }, rec, true);
    if (refreshed.record.version !== version) return serve(c, refreshed.record, size, format);
    original = await c.store.photos.getOriginal(id, version);
    if (!original) {
      // no photo to render from: this request gets the initials, the record stays as it is
      const initials = await c.store.avatars.storeInitialsObject(id, profile, size);
      return { record: { ...rec, kind: 'initials', version: initials.version }, key: initials.key };
    }
  }
  const key = await storeVariant(c, id, version, original, size, format);
  await c.store.photos.addVariant(id, version, name);
  c.store.avatars.forgetAvatar(id);
  return { record: { ...rec, variants: [...(rec.variants ?? []), name] }, key };
}

async function refresh(
  c: Ctx,
  req: Extract<ResolverRequest, { op: 'refresh' }>,
  known?: AvatarRecord,
  force = false,
): Promise<ResolverResult> {
  const { id, profile } = req;
  let rec = known ?? (await readFresh(c, id));
  if (!rec) return lookup(c, { op: 'lookup', id, profile, size: DEFAULT_SIZE, format: 'webp' });
  const now = c.nowIso();
  if (rec.failed_at && !force) {
    // a failure is looked up again once a minute per profile, whoever asks: claim the look
    if (!isDue(rec, c.policy, Date.parse(now))) return { record: rec };
    const claimed = await c.store.photos.claimRetry(id, rec.failed_at, now, c.provider);
    c.store.avatars.forgetAvatar(id);
    if (!claimed) return { record: (await readFresh(c, id)) ?? rec };
    rec = claimed;
  }
  const look = await fetchPhoto(c, id, profile);
  if (look.kind === 'failed') {
    await c.store.photos.markFailed(id, rec.version, now, c.provider);
    c.store.avatars.forgetAvatar(id);
    return { record: { ...rec, checked_at: now, failed_at: now, provider: c.provider } };
  }
  const { failed_at: _cleared, ...answered } = rec;
  if (look.kind === 'none') {
    // a stored photo is kept (the provider may have lost it for a while); initials stay initials
    await c.store.photos.markChecked(id, rec.version, now, false, c.provider);
    c.store.avatars.forgetAvatar(id);
    return { record: { ...answered, checked_at: now, provider: c.provider } };
  }
  const { photo } = look;
  if (rec.kind === 'photo' && photo.version === rec.version && !force) {
    await c.store.photos.markChecked(id, rec.version, now, true, c.provider);
    c.store.avatars.forgetAvatar(id);
    return { record: { ...answered, fetched_at: now, checked_at: now, provider: c.provider } };
  }
  await c.store.photos.putOriginal(id, photo.version, photo.bytes, photo.contentType);
  // regenerate what the old photo had, so known variants stay one DynamoDB call away
  const variants: string[] = [];
  for (const v of rec.kind === 'photo' ? (rec.variants ?? []) : []) {
    const parsed = parseVariantName(v);
    if (!parsed) continue;
    await storeVariant(c, id, photo.version, photo.bytes, parsed.size, parsed.format);
    variants.push(v);
  }
  const next: AvatarRecord = {
    id,
    profile,
    version: photo.version,
    kind: 'photo',
    variants,
    fetched_at: now,
    checked_at: now,
    provider: c.provider,
  };
  const replaced = await c.store.photos.replaceAvatar(next, rec.version);
  c.store.avatars.forgetAvatar(id);
  c.log.info('refreshed', { id, from: rec.version, to: photo.version, replaced });
  return { record: replaced ? next : ((await readFresh(c, id)) ?? rec) };
}

class ForgedResolverId extends Error {
  constructor() {
    super('id does not match profile');
    this.name = 'BadResolverEvent';
  }
}

/**
 * The id names a profile's objects and record, so whoever picks it picks whose avatar is written:
 * the resolver function recomputes it from `profile` with the HMAC secret rather than trust its
 * caller (IAM limits who may invoke it; this limits what an invoker can do).
 */
export async function requireProfileId(
  deps: Pick<AppDeps, 'hmacSecret'>,
  req: Pick<ResolverRequest, 'id' | 'profile'>,
): Promise<void> {
  if (profileId(await deps.hmacSecret(), req.profile) !== req.id) throw new ForgedResolverId();
}

/** A failed initials record asked for again: look once more (claimed), then serve what is stored. */
async function retry(c: Ctx, req: Extract<ResolverRequest, { op: 'retry' }>): Promise<ResolverResult> {
  const { id, profile, size, format } = req;
  const rec = await readFresh(c, id);
  if (!rec) return lookup(c, { op: 'lookup', id, profile, size, format });
  const { record } = rec.failed_at ? await refresh(c, { op: 'refresh', id, profile }, rec) : { record: rec };
  return serve(c, record, size, format);
}

/** Entry point shared by the Lambda handler and the in-process resolver port of the runtime. */
export async function resolve(
  deps: Pick<AppDeps, 'store' | 'log' | 'now' | 'config'>,
  req: ResolverRequest,
): Promise<ResolverResult> {
  const { upstreamUrl, refreshDays, missRecheckHours } = deps.config;
  const provider = providerTag(upstreamUrl);
  const c: Ctx = {
    store: deps.store,
    log: deps.log.child({ component: 'resolver' }),
    upstreamUrl,
    provider,
    policy: { refreshDays, missRecheckHours, provider },
    nowIso: () => deps.now().toISOString(),
  };
  switch (req.op) {
    case 'lookup':
      return lookup(c, req);
    case 'variant':
      return variant(c, req);
    case 'refresh':
      return refresh(c, req);
    case 'retry':
      return retry(c, req);
  }
}
