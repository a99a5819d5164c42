/**
 * Avatar records (pk=AV#<id>, global per profile) and their S3 objects.
 * Known records are cached in memory (bounded, short TTL) so the warm hot path for a known
 * profile needs no read: its only DynamoDB call is the usage write.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { IMMUTABLE_CACHE_CONTROL } from '../core/photo';
import type { AvatarRecord } from '../core/records';
import { isConditionFailure } from './conditions';
import type { StoreContext } from './context';
import { pk, sk, stripKeys } from './schema';

const AVATAR_CACHE_MS = 5 * 60_000;

/** Drop one cached record (e.g. after the photo pipeline replaced it). */
export function forgetAvatar(ctx: StoreContext, id: string): void {
  ctx.avatarCache.delete(id);
}

async function readAvatar(
  ctx: StoreContext,
  id: string,
  consistent: boolean,
): Promise<AvatarRecord | undefined> {
  const out = await ctx.dynamo().send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: { pk: pk.avatar(id), sk: sk.avatar },
      ConsistentRead: consistent || undefined,
    }),
  );
  return out.Item ? recordOf(out.Item) : undefined;
}

/** The record of a DynamoDB item (variants back from a string set to a list). */
export function recordOf(raw: Record<string, unknown>): AvatarRecord {
  const item = stripKeys<AvatarRecord & { variants?: Set<string> | string[] }>(raw);
  if (item.variants instanceof Set) item.variants = [...item.variants];
  return item as AvatarRecord;
}

/** The DynamoDB item of a record: variants as a string set (grown with ADD), none when empty. */
export function avatarItem(rec: AvatarRecord): Record<string, unknown> {
  const { variants, ...rest } = rec;
  return {
    pk: pk.avatar(rec.id),
    sk: sk.avatar,
    ...rest,
    ...(variants?.length ? { variants: new Set(variants) } : {}),
  };
}

/** The avatar record for an id: memory first, then DynamoDB. Misses are not cached. */
export async function getAvatar(ctx: StoreContext, id: string): Promise<AvatarRecord | undefined> {
  const hit = ctx.avatarCache.get(id);
  if (hit) return hit;
  const rec = await readAvatar(ctx, id, false);
  if (rec) ctx.avatarCache.set(id, rec, AVATAR_CACHE_MS);
  return rec;
}

/**
 * Create the record unless one exists; on a clash (a concurrent creator won) return the winner.
 */
export async function putAvatarIfAbsent(ctx: StoreContext, rec: AvatarRecord): Promise<AvatarRecord> {
  try {
    await ctx.dynamo().send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: avatarItem(rec),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    ctx.avatarCache.set(rec.id, rec, AVATAR_CACHE_MS);
    return rec;
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    const winner = await readAvatar(ctx, rec.id, true);
    if (!winner) throw e;
    ctx.avatarCache.set(rec.id, winner, AVATAR_CACHE_MS);
    return winner;
  }
}

/** Store a CDN object (immutable: its URL changes when the content does). */
export async function putObject(
  ctx: StoreContext,
  key: string,
  body: string | Uint8Array,
  contentType: string,
  cacheControl: string = IMMUTABLE_CACHE_CONTROL,
): Promise<void> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = await ctx.s3();
  await s3.send(
    new PutObjectCommand({
      Bucket: ctx.bucketName,
      Key: key,
      Body: body,
      ContentType: contentType,
      CacheControl: cacheControl,
    }),
  );
}

/**
 * A served object (a/…) as stored: its bytes and content type, or undefined when it is not there
 * or larger than `maxBytes` (the caller only wants small images inline).
 */
export async function getServedObject(
  ctx: StoreContext,
  key: string,
  maxBytes: number,
): Promise<{ body: Buffer; contentType: string } | undefined> {
  if (!key.startsWith('a/')) throw new Error('only served objects (a/) are read here');
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const out = await (await ctx.s3()).send(new GetObjectCommand({ Bucket: ctx.bucketName, Key: key }));
    if (!out.Body) return undefined;
    if (out.ContentLength !== undefined && out.ContentLength > maxBytes) {
      // not read: let the connection go
      (out.Body as { destroy?: () => void }).destroy?.();
      return undefined;
    }
    const body = Buffer.from(await out.Body.transformToByteArray());
    if (body.length > maxBytes) return undefined;
    return { body, contentType: out.ContentType ?? 'application/octet-stream' };
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw e;
  }
}
