/**
 * The photo resolver's use cases (see lambdas/shared/resolver-client.ts for the ops).
 *  lookup  : provider → guarded fetch → pixel-capped decode → original + variant in S3 → record;
 *            any failure of the photo path ends in the initials avatar, never an error.
 *  variant : render `<size>.<format>` from the stored original (no provider call).
 *  refresh : ask the provider again; a new photo gets a new version (sha256 of its bytes) and
 *            the variants the old one had; the same bytes or any failure keep what is stored.
 * Storage errors (S3/DynamoDB down) do propagate: the caller decides how to answer.
 */

import { CONTENT_TYPE, parseVariantName, photoVersion, variantName } from '../core/photo';
import type { AvatarRecord } from '../core/records';
import { DEFAULT_SIZE, type Format } from '../core/size';
import { config } from '../shared/config';
import { logger } from '../shared/logger';
import type { ResolverRequest, ResolverResult } from '../shared/resolver-client';
import { forgetAvatar, getAvatar, putAvatarIfAbsent, putObject } from '../store/avatars';
import { storeInitialsObject } from '../store/initials';
import { addVariant, getOriginal, markChecked, putOriginal, replaceAvatar } from '../store/photos';
import { s3Key } from '../store/schema';
import { ImageRejected, inspectOriginal, renderVariant } from './image';
import { lookupPhoto } from './provider';

const log = logger.child({ component: 'resolver' });

type Photo = { bytes: Buffer; contentType: string; version: string };

/** Ask the provider and validate what it gave; undefined = no usable photo (reason logged). */
async function fetchPhoto(id: string, profile: string): Promise<Photo | undefined> {
  const outcome = await lookupPhoto(config().upstreamUrl, profile);
  if (outcome.kind === 'none') {
    log.info('no photo', { id, reason: outcome.reason, detail: outcome.detail });
    return undefined;
  }
  let format: string;
  try {
    ({ format } = await inspectOriginal(outcome.bytes));
  } catch (e) {
    if (!(e instanceof ImageRejected)) throw e;
    log.info('photo refused', { id, reason: e.reason });
    return undefined;
  }
  // the stored type is the decoded format, not whatever header the provider sent
  return { bytes: outcome.bytes, contentType: `image/${format}`, version: photoVersion(outcome.bytes) };
}

/** A profile without a photo: store its initials and create the record unless one exists. */
async function storeInitialsAvatar(id: string, profile: string) {
  const { version, key } = await storeInitialsObject(id, profile);
  const record = await putAvatarIfAbsent({
    id,
    profile,
    version,
    kind: 'initials',
    fetched_at: new Date().toISOString(),
  });
  return { record, key: record.kind === 'initials' && record.version === version ? key : undefined };
}

async function readFresh(id: string): Promise<AvatarRecord | undefined> {
  forgetAvatar(id);
  return await getAvatar(id);
}

async function storeVariant(id: string, version: string, original: Buffer, size: number, format: Format) {
  const key = s3Key.variant(id, version, size, format);
  await putObject(key, await renderVariant(original, size, format), CONTENT_TYPE[format]);
  return key;
}

/** The object for `size.format` of an existing record, generating the variant if needed. */
async function serve(rec: AvatarRecord, size: number, format: Format): Promise<ResolverResult> {
  // the initials object is written before its record, so a record's object exists
  if (rec.kind === 'initials') return { record: rec, key: s3Key.initials(rec.id, rec.version) };
  const name = variantName(size, format);
  if (rec.variants?.includes(name))
    return { record: rec, key: s3Key.variant(rec.id, rec.version, size, format) };
  return variant(
    { op: 'variant', id: rec.id, profile: rec.profile, version: rec.version, size, format },
    rec,
  );
}

async function lookup(req: Extract<ResolverRequest, { op: 'lookup' }>): Promise<ResolverResult> {
  const { id, profile, size, format } = req;
  // no read first: the caller just found no record; a concurrent creator is settled by the
  // conditional put below (the loser serves the winner's record)
  const photo = await fetchPhoto(id, profile);
  if (!photo) {
    const { record, key } = await storeInitialsAvatar(id, profile);
    return key ? { record, key } : serve(record, size, format);
  }
  await putOriginal(id, photo.version, photo.bytes, photo.contentType);
  const key = await storeVariant(id, photo.version, photo.bytes, size, format);
  const name = variantName(size, format);
  const rec: AvatarRecord = {
    id,
    profile,
    version: photo.version,
    kind: 'photo',
    variants: [name],
    fetched_at: new Date().toISOString(),
  };
  const winner = await putAvatarIfAbsent(rec);
  if (winner === rec) return { record: rec, key };
  // a concurrent lookup stored first: serve what it stored
  if (winner.kind === 'photo' && winner.version === photo.version && !winner.variants?.includes(name)) {
    await addVariant(id, photo.version, name);
    forgetAvatar(id);
    return { record: { ...winner, variants: [...(winner.variants ?? []), name] }, key };
  }
  return serve(winner, size, format);
}

async function variant(
  req: Extract<ResolverRequest, { op: 'variant' }>,
  known?: AvatarRecord,
): Promise<ResolverResult> {
  const { id, profile, version, size, format } = req;
  const rec = known ?? (await readFresh(id));
  if (!rec) return lookup({ op: 'lookup', id, profile, size, format });
  if (rec.kind !== 'photo' || rec.version !== version) return serve(rec, size, format);
  const name = variantName(size, format);
  if (rec.variants?.includes(name)) return { record: rec, key: s3Key.variant(id, version, size, format) };
  let original = await getOriginal(id, version);
  if (!original) {
    // the original is gone (lifecycle rule, manual cleanup): fetch the photo again
    log.warn('original missing; refreshing', { id, version });
    const refreshed = await refresh({ op: 'refresh', id, profile }, rec, true);
    if (refreshed.record.version !== version) return serve(refreshed.record, size, format);
    original = await getOriginal(id, version);
    if (!original) {
      // no photo to render from: this request gets the initials, the record stays as it is
      const initials = await storeInitialsObject(id, profile);
      return { record: { ...rec, kind: 'initials', version: initials.version }, key: initials.key };
    }
  }
  const key = await storeVariant(id, version, original, size, format);
  await addVariant(id, version, name);
  forgetAvatar(id);
  return { record: { ...rec, variants: [...(rec.variants ?? []), name] }, key };
}

async function refresh(
  req: Extract<ResolverRequest, { op: 'refresh' }>,
  known?: AvatarRecord,
  force = false,
): Promise<ResolverResult> {
  const { id, profile } = req;
  const rec = known ?? (await readFresh(id));
  if (!rec) return lookup({ op: 'lookup', id, profile, size: DEFAULT_SIZE, format: 'webp' });
  const now = new Date().toISOString();
  const photo = await fetchPhoto(id, profile);
  if (!photo) {
    await markChecked(id, rec.version, now, false);
    forgetAvatar(id);
    return { record: { ...rec, checked_at: now } };
  }
  if (rec.kind === 'photo' && photo.version === rec.version && !force) {
    await markChecked(id, rec.version, now, true);
    forgetAvatar(id);
    return { record: { ...rec, fetched_at: now, checked_at: now } };
  }
  await putOriginal(id, photo.version, photo.bytes, photo.contentType);
  // regenerate what the old photo had, so known variants stay one DynamoDB call away
  const variants: string[] = [];
  for (const v of rec.kind === 'photo' ? (rec.variants ?? []) : []) {
    const parsed = parseVariantName(v);
    if (!parsed) continue;
    await storeVariant(id, photo.version, photo.bytes, parsed.size, parsed.format);
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
  const replaced = await replaceAvatar(next, rec.version);
  forgetAvatar(id);
  log.info('refreshed', { id, from: rec.version, to: photo.version, replaced });
  return { record: replaced ? next : ((await readFresh(id)) ?? rec) };
}

/** Entry point shared by the Lambda handler and the in-process fallback of resolver-client. */
export async function resolve(req: ResolverRequest): Promise<ResolverResult> {
  switch (req.op) {
    case 'lookup':
      return lookup(req);
    case 'variant':
      return variant(req);
    case 'refresh':
      return refresh(req);
  }
}
