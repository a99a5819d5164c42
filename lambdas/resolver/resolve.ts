/**
 * The photo resolver's use cases (core/resolver-contract.ts has the ops). They run in the
 * resolver function, or in-process where no resolver function is configured (runtime/index.ts).
 *  lookup  : provider → guarded fetch → pixel-capped decode → original + variant in S3 → record;
 *            any failure of the photo path ends in the initials avatar, never an error.
 *  variant : render `<size>.<format>` from the stored original (no provider call).
 *  refresh : ask the provider again; a new photo gets a new version (sha256 of its bytes) and
 *            the variants the old one had; the same bytes or any failure keep what is stored.
 * Storage errors (S3/DynamoDB down) do propagate: the caller decides how to answer.
 */

import type { AppDeps, Logger, Store } from '../app/ports';
import { initialsAtSize } from '../app/resolve-avatar';
import { s3Key } from '../core/object-keys';
import { CONTENT_TYPE, parseVariantName, photoVersion, servedVariant, variantName } from '../core/photo';
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
  nowIso(): string;
}

type Photo = { bytes: Buffer; contentType: string; version: string };

/** Ask the provider and validate what it gave; undefined = no usable photo (reason logged). */
async function fetchPhoto(c: Ctx, id: string, profile: string): Promise<Photo | undefined> {
  const outcome = await lookupPhoto(c.upstreamUrl, profile);
  if (outcome.kind === 'none') {
    c.log.info('no photo', { id, reason: outcome.reason, detail: outcome.detail });
    return undefined;
  }
  let format: string;
  try {
    ({ format } = await inspectOriginal(outcome.bytes));
  } catch (e) {
    if (!(e instanceof ImageRejected)) throw e;
    c.log.info('photo refused', { id, reason: e.reason });
    return undefined;
  }
  // the stored type is the decoded format, not whatever header the provider sent
  return { bytes: outcome.bytes, contentType: `image/${format}`, version: photoVersion(outcome.bytes) };
}

/** A profile without a photo: store its initials at `size` and create the record unless one exists. */
async function storeInitialsAvatar(c: Ctx, id: string, profile: string, size: number, format: Format) {
  const { version, key } = await c.store.avatars.storeInitialsObject(id, profile, size);
  const rec: AvatarRecord = {
    id,
    profile,
    version,
    kind: 'initials',
    variants: [servedVariant('initials', size, 'svg')],
    fetched_at: c.nowIso(),
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
  const photo = await fetchPhoto(c, id, profile);
  if (!photo) return storeInitialsAvatar(c, id, profile, size, format);
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
  const rec = known ?? (await readFresh(c, id));
  if (!rec) return lookup(c, { op: 'lookup', id, profile, size: DEFAULT_SIZE, format: 'webp' });
  const now = c.nowIso();
  const photo = await fetchPhoto(c, id, profile);
  if (!photo) {
    await c.store.photos.markChecked(id, rec.version, now, false);
    c.store.avatars.forgetAvatar(id);
    return { record: { ...rec, checked_at: now } };
  }
  if (rec.kind === 'photo' && photo.version === rec.version && !force) {
    await c.store.photos.markChecked(id, rec.version, now, true);
    c.store.avatars.forgetAvatar(id);
    return { record: { ...rec, fetched_at: now, checked_at: now } };
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
  };
  const replaced = await c.store.photos.replaceAvatar(next, rec.version);
  c.store.avatars.forgetAvatar(id);
  c.log.info('refreshed', { id, from: rec.version, to: photo.version, replaced });
  return { record: replaced ? next : ((await readFresh(c, id)) ?? rec) };
}

/** Entry point shared by the Lambda handler and the in-process resolver port of the runtime. */
export async function resolve(
  deps: Pick<AppDeps, 'store' | 'log' | 'now' | 'config'>,
  req: ResolverRequest,
): Promise<ResolverResult> {
  const c: Ctx = {
    store: deps.store,
    log: deps.log.child({ component: 'resolver' }),
    upstreamUrl: deps.config.upstreamUrl,
    nowIso: () => deps.now().toISOString(),
  };
  switch (req.op) {
    case 'lookup':
      return lookup(c, req);
    case 'variant':
      return variant(c, req);
    case 'refresh':
      return refresh(c, req);
  }
}
