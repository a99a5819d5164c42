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
import { avatarItem, putObject } from './avatars';
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
  return ifVersion(
    ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.avatar(id), sk: sk.avatar },
        UpdateExpression: 'ADD #vs :v',
        ConditionExpression: '#v = :ver',
        ExpressionAttributeNames: { '#vs': 'variants', '#v': 'version' },
        ExpressionAttributeValues: { ':v': new Set([variant]), ':ver': version },
      }),
    ),
  );
}

/**
 * A refresh ran: set `checked_at` (and `fetched_at` when the provider gave the same photo again),
 * if the record still has `version`.
 */
export async function markChecked(
  ctx: StoreContext,
  id: string,
  version: string,
  at: string,
  samePhoto: boolean,
): Promise<boolean> {
  return ifVersion(
    ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.avatar(id), sk: sk.avatar },
        UpdateExpression: samePhoto ? 'SET #c = :at, #f = :at' : 'SET #c = :at',
        ConditionExpression: '#v = :ver',
        ExpressionAttributeNames: {
          '#c': 'checked_at',
          '#v': 'version',
          ...(samePhoto ? { '#f': 'fetched_at' } : {}),
        },
        ExpressionAttributeValues: { ':at': at, ':ver': version },
      }),
    ),
  );
}
