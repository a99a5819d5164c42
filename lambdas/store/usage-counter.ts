/**
 * The quota counter: ONE conditional UpdateItem per counted request, on the workspace's counter
 * bucket of the current 5-minute window (schema.ts: sk=USAGE#<YYYY-MM>~<ss>#<DDHHmm>), adding to
 * the month-to-date `u`, the key's count in the window and setting the key's last use,
 * atomically. New lookups carry the quota condition; known profiles are counted unconditionally.
 * The item is small (short attribute names; the measured size with 20 active keys is in
 * test/integration/store/usage-counter.test.ts): 1 WCU per request.
 *
 * Opening a window (the first request of a window finds no bucket): ONE transaction
 *  1. closes the chain's latest bucket P into the new bucket W, conditioned on P's `u` being the
 *     value just read (every counted write adds to `u`, so P's key counts are then final) and on
 *     P not being closed yet;
 *  2. adds P's per-key counts (and last uses) into P's hour item (sk=USAGE#<YYYY-MM>#<DDHH>) and
 *     records P there as rolled (`r<ss>`), conditioned on P not being rolled already;
 *  3. creates W with P's final `u` (conditioned on W not existing).
 * All or nothing: a bucket is closed into exactly one successor and rolled into its hour exactly
 * once, with no window where a crash leaves a closed bucket without a successor. Racing openers
 * lose the transaction (cancelled) and write to the W the winner created. Closed buckets carry a
 * TTL (49 h after their window's start): the 5-minute points are kept for the last 48 h, the hour
 * items for good, so a month reads ≤ 744 hour items plus the open bucket.
 *
 * The month's chain starts at a root item (sk=USAGE#<YYYY-MM>~<ss>, u 0, never counted into), so
 * openers of different windows serialise on it too: every bucket of a month is one chain and `u`
 * of its latest bucket is the month's count. A late writer (clock skew at the boundary) that
 * meets a closed bucket follows `x`; one whose window has no bucket while a later one exists
 * writes to the later one.
 *
 * Retry safety: each call writes a fresh random token to `r` and conditions on it not being
 * there already. If the SDK retries after a lost response, the retry's condition fails, and
 * ALL_OLD shows our own token → the first attempt was applied: success, not double-counted, and
 * (for a new lookup at the quota edge) not a false plan_limit.
 * Bound: detection fails only when another request for the same workspace wrote the bucket between
 * our lost attempt and its retry; then the retry is applied again (at most one extra count per
 * lost-response retry, and never past the quota for new lookups, whose condition still holds).
 * The opener's transaction is idempotent by its conditions (and the SDK's ClientRequestToken).
 */
import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CountInput, CountResult } from '../app/ports';
import { AvtrzError } from '../core/errors';
import { windowOf } from '../core/quota';
import { conditionFailedItem, isConditionFailure } from './conditions';
import type { StoreContext } from './context';
import { counterAttr, counterSlot, counterTag, pk, sk, tagKeyId, usageAttr } from './schema';

/** write attempts per request (the usual window opening needs 2; races at the boundary a few more) */
const MAX_ROUNDS = 6;
/** how long a closed bucket is kept after its window's start: the 5-minute points cover 48 h */
export const BUCKET_TTL_S = 49 * 3600;
/** the shard every workspace counts on (budget shards: issue 14) */
const SHARD = 0;

/** A short random retry token (72 bits: it is only ever compared with the caller's own). */
function newToken(): string {
  return randomBytes(9).toString('base64url');
}

export async function countRequest(ctx: StoreContext, input: CountInput): Promise<CountResult> {
  // a new bucket starts at the month's count, which can already be 0 >= a zero quota
  if (input.enforceQuota && input.quota <= 0) return { counted: false, used: 0 };
  const { month, slot } = windowOf(input.now);
  const token = input.token ?? newToken();
  let target = sk.counterBucket(month, SHARD, slot);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const r = await countOnBucket(ctx, input, target, token);
    if (r.kind === 'done') return r.result;
    if (r.kind === 'again') continue;
    target = r.kind === 'closed' ? r.into : await openBucket(ctx, input.workspaceId, month, SHARD, target);
  }
  throw new AvtrzError('unavailable', 'The usage counter is contended; retry shortly.');
}

type BucketWrite =
  | { kind: 'done'; result: CountResult }
  | { kind: 'missing' }
  | { kind: 'again' }
  | { kind: 'closed'; into: string };

/** The hot path: one conditional UpdateItem on one bucket. */
async function countOnBucket(
  ctx: StoreContext,
  input: CountInput,
  bucketSk: string,
  token: string,
): Promise<BucketWrite> {
  const notRetried = '(attribute_not_exists(#r) OR #r <> :rid)';
  const open = 'attribute_exists(#u) AND attribute_not_exists(#x)';
  const cond = input.enforceQuota ? `${open} AND ${notRetried} AND #u < :quota` : `${open} AND ${notRetried}`;
  const start = counterSlot(bucketSk)?.start;
  // the key's last use, in seconds after the window's start (negative for a late writer)
  const offset = start === undefined ? 0 : Math.round((input.now.getTime() - Date.parse(start)) / 1000);
  const values: Record<string, unknown> = { ':one': 1, ':off': offset, ':rid': token };
  if (input.enforceQuota) values[':quota'] = input.quota;
  const tag = counterTag(input.keyId);
  try {
    const out = await ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.workspace(input.workspaceId), sk: bucketSk },
        UpdateExpression: 'ADD #u :one, #c :one SET #l = :off, #r = :rid',
        ConditionExpression: cond,
        ExpressionAttributeNames: {
          '#u': counterAttr.used,
          '#c': counterAttr.count(tag),
          '#l': counterAttr.lastUse(tag),
          '#r': counterAttr.lastReq,
          '#x': counterAttr.closedInto,
        },
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      // one attempt may use the time the caller can give it (app/serve-avatar.ts): cut at the
      // SDK's 2 s, an applied write would be retried into the request's deadline and answered 503
      input.attemptMs === undefined ? undefined : { requestTimeout: Math.max(1, input.attemptMs) },
    );
    return { kind: 'done', result: { counted: true, used: Number(out.Attributes?.[counterAttr.used] ?? 1) } };
  } catch (e) {
    // the bucket is in an opener's transaction just now: nothing was written, look again
    if ((e as Error)?.name === 'TransactionConflictException') return { kind: 'again' };
    const old = conditionFailedItem(e);
    if (!old) return { kind: 'missing' };
    const used = Number(attr(old[counterAttr.used]) ?? 0);
    // our own earlier attempt was applied (lost response, SDK retry)
    if (attr(old[counterAttr.lastReq]) === token) return { kind: 'done', result: { counted: true, used } };
    const into = attr(old[counterAttr.closedInto]);
    if (typeof into === 'string') return { kind: 'closed', into };
    return { kind: 'done', result: { counted: false, used } };
  }
}

/**
 * Make sure the bucket `w` exists and return the bucket the request should be written to:
 * `w`, or a later bucket when `w` is late (a later one is already open).
 */
async function openBucket(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
  shard: number,
  w: string,
): Promise<string> {
  let head = await latestBucket(ctx, workspaceId, month, shard, true);
  if (!head) {
    // the month's first bucket: racing openers of different windows would each start a chain at
    // 0, so every month's chain starts at one root that they all have to close, one successfully
    await putRoot(ctx, workspaceId, month, shard);
    head = await latestBucket(ctx, workspaceId, month, shard, true);
    if (!head) throw new AvtrzError('unavailable', 'Usage bucket missing.');
  }
  const sortKey = String(head.sk);
  if (sortKey >= w) return sortKey;
  // the latest bucket is closed only when something outside edited the chain (closing creates
  // the successor in the same transaction): follow it, the caller's rounds are bounded
  const into = head[counterAttr.closedInto];
  if (typeof into === 'string') return into;
  await rollInto(ctx, workspaceId, month, shard, head, w);
  return w;
}

/** The transaction that closes `head` into `w`, rolls its counts into its hour and creates `w`. */
async function rollInto(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
  shard: number,
  head: Record<string, unknown>,
  w: string,
): Promise<void> {
  const key = { pk: pk.workspace(workspaceId) };
  const headSk = String(head.sk);
  const used = Number(head[counterAttr.used] ?? 0);
  const start = counterSlot(headSk)?.start;
  const close: Record<string, unknown> = {
    TableName: ctx.tableName,
    Key: { ...key, sk: headSk },
    UpdateExpression: start === undefined ? 'SET #x = :w' : 'SET #x = :w, #ttl = :ttl',
    ConditionExpression: '#u = :u AND attribute_not_exists(#x)',
    ExpressionAttributeNames: {
      '#u': counterAttr.used,
      '#x': counterAttr.closedInto,
      ...(start === undefined ? {} : { '#ttl': counterAttr.ttl }),
    },
    ExpressionAttributeValues: {
      ':w': w,
      ':u': used,
      ...(start === undefined ? {} : { ':ttl': Math.floor(Date.parse(start) / 1000) + BUCKET_TTL_S }),
    },
  };
  const items: Record<string, unknown>[] = [{ Update: close }];
  const roll = start === undefined ? undefined : rollUp(ctx, workspaceId, month, shard, head, start);
  if (roll) items.push({ Update: roll });
  items.push({
    Put: {
      TableName: ctx.tableName,
      Item: { ...key, sk: w, [counterAttr.used]: used },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  try {
    // biome-ignore lint/suspicious/noExplicitAny: the document client's item union is built above
    await ctx.dynamo().send(new TransactWriteCommand({ TransactItems: items as any }));
  } catch (e) {
    // another opener closed it first, or a request still wrote to it: the caller looks again
    const name = (e as Error)?.name;
    if (name === 'TransactionCanceledException' || name === 'TransactionConflictException') return;
    throw e;
  }
}

/** The Update that adds a closed bucket's per-key counts into its hour item (undefined: none). */
function rollUp(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
  shard: number,
  head: Record<string, unknown>,
  start: string,
): Record<string, unknown> | undefined {
  const names: Record<string, string> = { '#rb': usageAttr.rolled(shard) };
  const values: Record<string, unknown> = { ':rb': String(head.sk) };
  const adds: string[] = [];
  const sets = ['#rb = :rb'];
  let i = 0;
  for (const [name, value] of Object.entries(head)) {
    if (!name.startsWith('c') || typeof value !== 'number' || value <= 0) continue;
    const tag = name.slice(1);
    const keyId = tagKeyId(tag);
    names[`#k${i}`] = usageAttr.keyCount(keyId);
    values[`:k${i}`] = value;
    adds.push(`#k${i} :k${i}`);
    const off = head[counterAttr.lastUse(tag)];
    if (typeof off === 'number') {
      names[`#l${i}`] = usageAttr.lastUsed(keyId);
      values[`:l${i}`] = new Date(Date.parse(start) + off * 1000).toISOString();
      sets.push(`#l${i} = :l${i}`);
    }
    i++;
  }
  if (adds.length === 0) return undefined;
  return {
    TableName: ctx.tableName,
    Key: { pk: pk.workspace(workspaceId), sk: sk.usageHour(month, start.slice(8, 10) + start.slice(11, 13)) },
    UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
    // chain order: a shard's buckets are rolled one after the other, each exactly once
    ConditionExpression: 'attribute_not_exists(#rb) OR #rb < :rb',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The month's root. Shard 0 starts from the month-to-date count of the hour buckets written
 * before 5-minute counting (their latest `used`), so an upgrade mid-month keeps the quota.
 */
async function putRoot(ctx: StoreContext, workspaceId: string, month: string, shard: number): Promise<void> {
  const used = shard === 0 ? await legacyUsed(ctx, workspaceId, month) : 0;
  try {
    await ctx.dynamo().send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: { pk: pk.workspace(workspaceId), sk: sk.counterRoot(month, shard), [counterAttr.used]: used },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (e) {
    // a racing opener created it first (from the same count)
    if (!isConditionFailure(e)) throw e;
  }
}

/** `used` of the month's latest hour bucket of the earlier layout (0: none). */
async function legacyUsed(ctx: StoreContext, workspaceId: string, month: string): Promise<number> {
  const out = await ctx.dynamo().send(
    new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': pk.workspace(workspaceId), ':m': sk.usageHours(month) },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const used = Number(out.Items?.[0]?.used ?? 0);
  return Number.isFinite(used) ? used : 0;
}

/** The latest item of a shard's chain this month, whole (the root sorts before its buckets). */
export async function latestBucket(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
  shard: number,
  consistent: boolean,
): Promise<Record<string, unknown> | undefined> {
  const out = await ctx.dynamo().send(
    new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': pk.workspace(workspaceId), ':m': sk.counterRoot(month, shard) },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: consistent,
    }),
  );
  return out.Items?.[0];
}

/** The workspace's count for the month of `now` (no write): for x-quota-* on uncounted answers. */
export async function readUsed(ctx: StoreContext, workspaceId: string, now: Date): Promise<number> {
  const head = await latestBucket(ctx, workspaceId, windowOf(now).month, SHARD, false);
  return Number(head?.[counterAttr.used] ?? 0);
}

/** The exception's Item is not unmarshalled by the document client: read {N}/{S}/{BOOL} or plain values. */
function attr(v: unknown): string | number | boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const a = v as { N?: string; S?: string; BOOL?: boolean };
    return a.N !== undefined ? Number(a.N) : (a.S ?? a.BOOL);
  }
  return v as string | number | boolean;
}
