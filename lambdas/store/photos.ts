/**
 * Photo storage for the resolver: the provider's original (private, never served, under o/) and
 * the avatar record updates the photo pipeline makes. CDN objects (a/…) go through
 * `putObject` in avatars.ts; reads of the record through `getAvatar` there.
 *
 * Record updates are conditioned on the version the caller saw, so a slow variant or refresh can
 * never overwrite a newer photo.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { s3Key } from '../core/object-keys';
import type { AvatarRecord } from '../core/records';
import { avatarItem, putObject, recordOf } from './avatars';
import { isConditionFailure } from './conditions';
import type { StoreContext } from './context';
import { pk, sk } from './schema';

export async function putOriginal(
  ctx: StoreContext,
  id: string,
  version: string,
  bytes: Uint8Array,
  contentType: string,
) {
  await putObject(ctx, s3Key.original(id, version), bytes, contentType, 'private, no-store');
}

/** The stored original, or undefined when it is not there. */
export async function getOriginal(
  ctx: StoreContext,
  id: string,
  version: string,
): Promise<Buffer | undefined> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const out = await (await ctx.s3()).send(
      new GetObjectCommand({ Bucket: ctx.bucketName, Key: s3Key.original(id, version) }),
    );
    if (!out.Body) return undefined;
    return Buffer.from(await out.Body.transformToByteArray());
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw e;
  }
}

/** Run a write conditioned on the record's version; false when someone changed it first. */
async function ifVersion(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/**
 * One UpdateItem on the avatar record, applied only while its version is still `version`; the
 * update's own names and values are merged with the condition's.
 */
function updateIfVersion(
  ctx: StoreContext,
  id: string,
  version: string,
  update: { expression: string; names: Record<string, string>; values?: Record<string, unknown> },
): Promise<boolean> {
  return ifVersion(
    ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.avatar(id), sk: sk.avatar },
        UpdateExpression: update.expression,
        ConditionExpression: '#v = :ver',
        ExpressionAttributeNames: { ...update.names, '#v': 'version' },
        ExpressionAttributeValues: { ...update.values, ':ver': version },
      }),
    ),
  );
}

/**
 * Replace the record when its version is still `expectedVersion` (a refresh found a new photo).
 * Returns false when someone else changed it first.
 */
export async function replaceAvatar(
  ctx: StoreContext,
  rec: AvatarRecord,
  expectedVersion: string,
): Promise<boolean> {
  return ifVersion(
    ctx.dynamo().send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: avatarItem(rec),
        ConditionExpression: '#v = :old',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':old': expectedVersion },
      }),
    ),
  );
}

/** ADD a generated variant to the record's string set, if the record still has that version. */
export async function addVariant(
  ctx: StoreContext,
  id: string,
  version: string,
  variant: string,
): Promise<boolean> {
  return updateIfVersion(ctx, id, version, {
    expression: 'ADD #vs :v',
    names: { '#vs': 'variants' },
    values: { ':v': new Set([variant]) },
  });
}

/**
 * A look had an answer: set `checked_at` (and `fetched_at` when the provider gave the same photo
 * again, `provider` when given) and clear a failure, if the record still has `version`.
 */
export async function markChecked(
  ctx: StoreContext,
  id: string,
  version: string,
  at: string,
  samePhoto: boolean,
  provider?: string,
): Promise<boolean> {
  const set = ['#c = :at', ...(samePhoto ? ['#f = :at'] : []), ...(provider ? ['#p = :p'] : [])];
  return updateIfVersion(ctx, id, version, {
    expression: `SET ${set.join(', ')} REMOVE #x`,
    names: {
      '#c': 'checked_at',
      '#x': 'failed_at',
      ...(samePhoto ? { '#f': 'fetched_at' } : {}),
      ...(provider ? { '#p': 'provider' } : {}),
    },
    values: { ':at': at, ...(provider ? { ':p': provider } : {}) },
  });
}

/** A look failed: `failed_at` and `checked_at` are now (under `provider`), if the record still has `version`. */
export async function markFailed(
  ctx: StoreContext,
  id: string,
  version: string,
  at: string,
  provider: string,
): Promise<boolean> {
  return updateIfVersion(ctx, id, version, {
    expression: 'SET #x = :at, #c = :at, #p = :p',
    names: { '#x': 'failed_at', '#c': 'checked_at', '#p': 'provider' },
    values: { ':at': at, ':p': provider },
  });
}

/**
 * Claim the retry of a failed record: `failed_at` moves from the value the caller saw to `at`,
 * so among concurrent retriers (any container) exactly one wins and asks the provider; the others
 * get undefined. The winner gets the record as it is after the claim.
 */
export async function claimRetry(
  ctx: StoreContext,
  id: string,
  seenFailedAt: string,
  at: string,
  provider: string,
): Promise<AvatarRecord | undefined> {
  try {
    const out = await ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.avatar(id), sk: sk.avatar },
        UpdateExpression: 'SET #x = :at, #c = :at, #p = :p',
        ConditionExpression: '#x = :seen',
        ExpressionAttributeNames: { '#x': 'failed_at', '#c': 'checked_at', '#p': 'provider' },
        ExpressionAttributeValues: { ':at': at, ':p': provider, ':seen': seenFailedAt },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes ? recordOf(out.Attributes) : undefined;
  } catch (e) {
    if (isConditionFailure(e)) return undefined;
    throw e;
  }
}
