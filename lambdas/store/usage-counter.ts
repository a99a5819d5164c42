/**
 * The quota counter: ONE UpdateItem per counted request on the workspace's current hour bucket
 * (schema.ts: sk=USAGE#<YYYY-MM>#<DDHH>), adding to the month-to-date `used`, the key's count in
 * this hour and setting the key's last use, atomically. New lookups carry the quota condition;
 * known profiles are counted unconditionally. Buckets stay small (1 WCU per request) where one
 * month item grew to tens of KB (tens of WCU per request, ~25 req/s per workspace).
 *
 * Opening an hour (the first request of the hour finds no bucket): the month's latest bucket P is
 * closed into the new bucket H (conditional: a bucket is closed into exactly one successor), then
 * H is created with P's final `used` (nothing lands on a closed bucket, so that value is final).
 * The month's chain starts at a root item (sk=USAGE#<YYYY-MM>, used 0, never counted into), so openers of different hours serialise on it too. Every
 * bucket of a month is therefore one chain and `used` of its latest bucket is the month's count. A late writer (clock skew at the hour boundary) that meets a closed bucket follows
 * `closed_into`; one whose hour has no bucket while a later one exists writes to the later one.
 *
 * Retry safety: each call writes a fresh random token to `last_req` and conditions on it not
 * being there already. If the SDK retries after a lost response, the retry's condition fails, and
 * ALL_OLD shows our own token → the first attempt was applied: success, not double-counted, and
 * (for a new lookup at the quota edge) not a false plan_limit.
 * Bound: detection fails only when another request for the same workspace wrote the bucket between
 * our lost attempt and its retry; then the retry is applied again (at most one extra count per
 * lost-response retry, and never past the quota for new lookups, whose condition still holds).
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CountInput, CountResult } from '../app/ports';
import { AvtrzError } from '../core/errors';
import { usageSlot } from '../core/quota';
import { conditionFailedItem, isConditionFailure } from './conditions';
import type { StoreContext } from './context';
import { pk, sk, usageAttr } from './schema';

/** write attempts per request (the usual hour opening needs 2; races at the boundary a few more) */
const MAX_ROUNDS = 6;

export async function countRequest(ctx: StoreContext, input: CountInput): Promise<CountResult> {
  // a new bucket starts at the month's count, which can already be 0 >= a zero quota
  if (input.enforceQuota && input.quota <= 0) return { counted: false, used: 0 };
  const { month, dayHour } = usageSlot(input.now);
  const token = input.token ?? randomUUID();
  let target = sk.usageBucket(month, dayHour);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const r = await countOnBucket(ctx, input, target, token);
    if (r.kind === 'done') return r.result;
    target = r.kind === 'closed' ? r.into : await openBucket(ctx, input.workspaceId, month, target);
  }
  throw new AvtrzError('unavailable', 'The usage counter is contended; retry shortly.');
}

type BucketWrite =
  | { kind: 'done'; result: CountResult }
  | { kind: 'missing' }
  | { kind: 'closed'; into: string };

/** The hot path: one conditional UpdateItem on one bucket. */
async function countOnBucket(
  ctx: StoreContext,
  input: CountInput,
  bucketSk: string,
  token: string,
): Promise<BucketWrite> {
  const notRetried = '(attribute_not_exists(#lr) OR #lr <> :rid)';
  const open = 'attribute_exists(#used) AND attribute_not_exists(#closed)';
  const cond = input.enforceQuota
    ? `${open} AND ${notRetried} AND #used < :quota`
    : `${open} AND ${notRetried}`;
  const values: Record<string, unknown> = { ':one': 1, ':now': input.now.toISOString(), ':rid': token };
  if (input.enforceQuota) values[':quota'] = input.quota;
  try {
    const out = await ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.workspace(input.workspaceId), sk: bucketSk },
        UpdateExpression: 'ADD #used :one, #k :one SET #lu = :now, #lr = :rid',
        ConditionExpression: cond,
        ExpressionAttributeNames: {
          '#used': usageAttr.used,
          '#k': usageAttr.keyCount(input.keyId),
          '#lu': usageAttr.lastUsed(input.keyId),
          '#lr': usageAttr.lastReq,
          '#closed': usageAttr.closed,
        },
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      // one attempt may use the time the caller can give it (app/serve-avatar.ts): cut at the
      // SDK's 2 s, an applied write would be retried into the request's deadline and answered 503
      input.attemptMs === undefined ? undefined : { requestTimeout: Math.max(1, input.attemptMs) },
    );
    return { kind: 'done', result: { counted: true, used: Number(out.Attributes?.used ?? 1) } };
  } catch (e) {
    const old = conditionFailedItem(e);
    if (!old) return { kind: 'missing' };
    const used = Number(attr(old.used) ?? 0);
    // our own earlier attempt was applied (lost response, SDK retry)
    if (attr(old.last_req) === token) return { kind: 'done', result: { counted: true, used } };
    const into = attr(old.closed_into);
    if (attr(old.closed) !== undefined && typeof into === 'string') return { kind: 'closed', into };
    return { kind: 'done', result: { counted: false, used } };
  }
}

/**
 * Make sure the hour bucket `h` exists and return the bucket the request should be written to:
 * `h`, or a later bucket when `h` is late (a later one is already open or chosen).
 */
async function openBucket(ctx: StoreContext, workspaceId: string, month: string, h: string): Promise<string> {
  let latest = await latestBucket(ctx, workspaceId, month, true);
  if (!latest) {
    // the month's first bucket: racing openers of different hours would each start a chain at 0,
    // so every month's chain starts at one root (sk=USAGE#<YYYY-MM>)
    // that they all have to close, one of them successfully
    await putBucket(ctx, workspaceId, sk.usageMonth(month), 0);
    latest = await latestBucket(ctx, workspaceId, month, true);
    if (!latest) throw new AvtrzError('unavailable', 'Usage bucket missing.');
  }
  if (latest.sk >= h) return latest.sk;
  const closed = await closeInto(ctx, workspaceId, latest.sk, h);
  if (closed.into !== h) {
    if (closed.into > h) return closed.into;
    // another opener closed `latest` into an earlier bucket it has not created yet: create it
    // (from latest's final count, as its opener does), then open `h` after it
    await putBucket(ctx, workspaceId, closed.into, closed.used);
    return h;
  }
  await putBucket(ctx, workspaceId, h, closed.used);
  return h;
}

/** Close a bucket into `h` (idempotent); reports the successor it is closed into and its final count. */
async function closeInto(
  ctx: StoreContext,
  workspaceId: string,
  bucketSk: string,
  h: string,
): Promise<{ into: string; used: number }> {
  try {
    const out = await ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.workspace(workspaceId), sk: bucketSk },
        UpdateExpression: 'SET #closed = :t, #into = :h',
        ConditionExpression: 'attribute_exists(#used) AND (attribute_not_exists(#closed) OR #into = :h)',
        ExpressionAttributeNames: {
          '#used': usageAttr.used,
          '#closed': usageAttr.closed,
          '#into': usageAttr.closedInto,
        },
        ExpressionAttributeValues: { ':t': true, ':h': h },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { into: h, used: Number(out.Attributes?.used ?? 0) };
  } catch (e) {
    const old = conditionFailedItem(e);
    const into = attr(old?.closed_into);
    // buckets are never deleted; a vanished one would be an outside edit
    if (!old || typeof into !== 'string') throw new AvtrzError('unavailable', 'Usage bucket missing.');
    return { into, used: Number(attr(old.used) ?? 0) };
  }
}

async function putBucket(
  ctx: StoreContext,
  workspaceId: string,
  bucketSk: string,
  used: number,
): Promise<void> {
  try {
    await ctx.dynamo().send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: { pk: pk.workspace(workspaceId), sk: bucketSk, [usageAttr.used]: used },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (e) {
    // a racing opener created it first (from the same final count)
    if (!isConditionFailure(e)) throw e;
  }
}

interface BucketHead {
  sk: string;
  used: number;
}

/** The month's latest bucket (the root sorts before the month's buckets). */
async function latestBucket(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
  consistent: boolean,
): Promise<BucketHead | undefined> {
  const out = await ctx.dynamo().send(
    new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': pk.workspace(workspaceId), ':m': sk.usageMonth(month) },
      ExpressionAttributeNames: { '#used': usageAttr.used },
      ProjectionExpression: 'sk, #used',
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: consistent,
    }),
  );
  const item = out.Items?.[0];
  return item ? { sk: String(item.sk), used: Number(item.used ?? 0) } : undefined;
}

/** The workspace's count for the month of `now` (no write): for x-quota-* on uncounted answers. */
export async function readUsed(ctx: StoreContext, workspaceId: string, now: Date): Promise<number> {
  return (await latestBucket(ctx, workspaceId, usageSlot(now).month, false))?.used ?? 0;
}

/** The exception's Item is not unmarshalled by the document client: read {N}/{S}/{BOOL} or plain values. */
function attr(v: unknown): string | number | boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const a = v as { N?: string; S?: string; BOOL?: boolean };
    return a.N ?? a.S ?? a.BOOL;
  }
  return v as string | number | boolean;
}
