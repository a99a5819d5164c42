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
 *
 * Budget shards (docs/scaling.md; CountInput.shards, default 1): the month's counter is S chains.
 * Shard 00 (HOME) holds `t`, the committed budget (its own count + every slice handed out);
 * shard s admits while `u < a` (its allotment). A request is ONE conditional write on a random
 * shard; a spent slice is refilled from HOME's room by one transaction (grant), else the request
 * goes to HOME (`t < quota`); HOME at the quota → findSlice looks for budget left anywhere.
 *  - Over-admission is impossible: Σ counts ≤ t ≤ quota at every admission.
 *  - Refused early: never (bound 0). A new lookup is refused only after HOME was at the quota
 *    (no slice can be refilled then) and every granted shard was then seen spent.
 *  - Retries: the retry token per shard bucket, the same bound as above.
 * With S = 1 every request is on HOME with `t` = `u`: exactly the single-counter behaviour.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CountInput, CountResult } from '../app/ports';
import { AvtrzError } from '../core/errors';
import { MAX_SHARDS, windowOf } from '../core/quota';
import { conditionFailedItem, isConditionFailure } from './conditions';
import type { StoreContext } from './context';
import { counterAttr, counterSlot, counterTag, pk, sk, tagKeyId, usageAttr } from './schema';

/** write attempts per request (the usual window opening needs 2; races at the boundary a few more) */
const MAX_ROUNDS = 6;
/** with budget shards a request may also move on from a spent slice, be granted one, or scan */
const MAX_ROUNDS_SHARDED = 16;
/** how long a closed bucket is kept after its window's start: the 5-minute points cover 48 h */
export const BUCKET_TTL_S = 49 * 3600;
/** the shard holding the month's undistributed budget, where the last requests of a quota go */
export const HOME = 0;
/** how long a runtime remembers "this workspace's budget is spent at this quota this month" */
const EXHAUSTED_MS = 3600_000;

/** A short random retry token (72 bits: it is only ever compared with the caller's own). */
function newToken(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * How a write is conditioned:
 *  - `slice` (a shard other than HOME): `u < a`, the shard's count below its allotment;
 *  - `quota` (HOME): `t < quota`, the committed budget (HOME's count + every allotment handed
 *    out) below the quota;
 *  - `free` (HOME): none: a known profile once the month's budget is spent (as today's
 *    unconditional count past the quota).
 */
type Mode = 'slice' | 'quota' | 'free';

export async function countRequest(ctx: StoreContext, input: CountInput): Promise<CountResult> {
  // a new bucket starts at the month's count, which can already be 0 >= a zero quota
  if (input.enforceQuota && input.quota <= 0) return { counted: false, used: 0 };
  const shards = Math.min(MAX_SHARDS, Math.max(1, Math.floor(input.shards ?? 1)));
  const { month, slot } = windowOf(input.now);
  const token = input.token ?? newToken();
  const ws = input.workspaceId;
  const memo = `exhausted#${ws}#${month}#${input.quota}`;
  const exhausted = shards > 1 && ctx.lookups.get(memo) === true;
  // a known profile is counted without a condition only where no slice can hold budget: with one
  // shard (as before shards), or once this month's budget is spent at this quota
  const homeMode: Mode = input.enforceQuota || (shards > 1 && !exhausted) ? 'quota' : 'free';
  let shard = shards === 1 || exhausted ? HOME : randomInt(shards);
  let mode: Mode = shard !== HOME ? 'slice' : homeMode;
  let target = sk.counterBucket(month, shard, slot);
  const rounds = shards === 1 ? MAX_ROUNDS : MAX_ROUNDS_SHARDED;
  const go = (s: number, m: Mode, t = sk.counterBucket(month, s, slot)) => {
    shard = s;
    mode = m;
    target = t;
  };
  for (let round = 0; round < rounds; round++) {
    const r = await countOnBucket(ctx, input, target, token, mode);
    if (r.kind === 'done') return r.result;
    if (r.kind === 'again') continue;
    if (r.kind === 'closed') {
      target = r.into;
    } else if (r.kind === 'missing') {
      target = await openBucket(ctx, ws, month, shard, target);
    } else if (r.kind === 'throttled') {
      // this item is at its write rate (after the SDK's own retries): another shard takes the
      // request (HOME's rules if it is HOME); with one shard there is none: 503, as before
      if (shards === 1) throw r.error;
      const s = (shard + 1 + randomInt(shards - 1)) % shards;
      go(s, s !== HOME ? 'slice' : homeMode);
    } else if (r.kind === 'spent') {
      // this shard's slice is spent: refill it from HOME, else go where the rest of the budget is
      if (!(await grant(ctx, ws, month, shard, slot, input.quota, shards))) go(HOME, 'quota');
    } else {
      // HOME is at the quota: a slice elsewhere may still hold budget; only when none does is
      // the budget spent (nothing can refill a slice at this quota: HOME has no room)
      const other = exhausted || !r.granted ? undefined : await findSlice(ctx, ws, month);
      if (other) {
        go(other.shard, 'slice', other.sk);
        continue;
      }
      if (shards > 1) ctx.lookups.set(memo, true, EXHAUSTED_MS);
      if (input.enforceQuota) return { counted: false, used: r.used };
      go(HOME, 'free', target);
    }
  }
  throw new AvtrzError('unavailable', 'The usage counter is contended; retry shortly.');
}

type BucketWrite =
  | { kind: 'done'; result: CountResult }
  | { kind: 'missing' }
  | { kind: 'again' }
  | { kind: 'throttled'; error: unknown }
  | { kind: 'spent' }
  | { kind: 'full'; used: number; granted: boolean }
  | { kind: 'closed'; into: string };

const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** The hot path: one conditional UpdateItem on one bucket. */
async function countOnBucket(
  ctx: StoreContext,
  input: CountInput,
  bucketSk: string,
  token: string,
  mode: Mode,
): Promise<BucketWrite> {
  const home = mode !== 'slice';
  const notRetried = '(attribute_not_exists(#r) OR #r <> :rid)';
  const open = 'attribute_exists(#u) AND attribute_not_exists(#x)';
  const cond =
    mode === 'quota'
      ? `${open} AND ${notRetried} AND #t < :quota`
      : mode === 'slice'
        ? `${open} AND ${notRetried} AND #u < #a`
        : `${open} AND ${notRetried}`;
  const start = counterSlot(bucketSk)?.start;
  // the key's last use, in seconds after the window's start (negative for a late writer)
  const offset = start === undefined ? 0 : Math.round((input.now.getTime() - Date.parse(start)) / 1000);
  const values: Record<string, unknown> = { ':one': 1, ':off': offset, ':rid': token };
  if (mode === 'quota') values[':quota'] = input.quota;
  const tag = counterTag(input.keyId);
  const names: Record<string, string> = {
    '#u': counterAttr.used,
    '#c': counterAttr.count(tag),
    '#l': counterAttr.lastUse(tag),
    '#r': counterAttr.lastReq,
    '#x': counterAttr.closedInto,
  };
  if (home) names['#t'] = counterAttr.committed;
  if (mode === 'slice') names['#a'] = counterAttr.allotted;
  try {
    const out = await ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.workspace(input.workspaceId), sk: bucketSk },
        UpdateExpression: home
          ? 'ADD #u :one, #t :one, #c :one SET #l = :off, #r = :rid'
          : 'ADD #u :one, #c :one SET #l = :off, #r = :rid',
        ConditionExpression: cond,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // a slice's answer reports the committed budget its last grant saw (x-quota-remaining)
        ReturnValues: home ? 'UPDATED_NEW' : 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      // one attempt may use the time the caller can give it (app/serve-avatar.ts): cut at the
      // SDK's 2 s, an applied write would be retried into the request's deadline and answered 503
      input.attemptMs === undefined ? undefined : { requestTimeout: Math.max(1, input.attemptMs) },
    );
    const a = out.Attributes ?? {};
    const used = home ? a[counterAttr.committed] : (a[counterAttr.grantSeen] ?? a[counterAttr.used]);
    return { kind: 'done', result: { counted: true, used: Number(used ?? 1) } };
  } catch (e) {
    const name = (e as Error)?.name;
    // the bucket is in an opener's transaction just now: nothing was written, look again
    if (name === 'TransactionConflictException') return { kind: 'again' };
    if (THROTTLED.has(name)) return { kind: 'throttled', error: e };
    const old = conditionFailedItem(e);
    if (!old) return { kind: 'missing' };
    const committed = Number(attr(old[home ? counterAttr.committed : counterAttr.grantSeen]) ?? 0);
    // our own earlier attempt was applied (lost response, SDK retry)
    if (attr(old[counterAttr.lastReq]) === token)
      return { kind: 'done', result: { counted: true, used: committed } };
    const into = attr(old[counterAttr.closedInto]);
    if (typeof into === 'string') return { kind: 'closed', into };
    if (mode === 'slice') return { kind: 'spent' };
    // whether HOME ever handed out a slice this month (else there is nothing to look for)
    const gs = old[counterAttr.granted] as { NS?: unknown[] } | Set<unknown> | undefined;
    const granted = gs instanceof Set ? gs.size > 0 : Array.isArray(gs?.NS) && gs.NS.length > 0;
    return { kind: 'full', used: committed, granted };
  }
}

/**
 * Hand shard `shard` a slice of HOME's room (quota − committed): 1/(2·shards) of it, in ONE
 * transaction that adds it to HOME's committed `t` (conditioned on it still fitting under the
 * quota) and to the shard's allotment `a` (both buckets open). Nothing is moved when the slice
 * would be 0: the rest of the budget stays on HOME, where the last requests are exact. False:
 * no slice (the caller goes to HOME); true: try the shard again.
 */
async function grant(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
  shard: number,
  slot: string,
  quota: number,
  shards: number,
): Promise<boolean> {
  const [home, mine] = await Promise.all([
    latestBucket(ctx, workspaceId, month, HOME, true),
    latestBucket(ctx, workspaceId, month, shard, true),
  ]);
  if (!home) {
    // the month's budget starts on HOME: open its chain first
    await openBucket(ctx, workspaceId, month, HOME, sk.counterBucket(month, HOME, slot));
    return true;
  }
  if (!mine) return true;
  const committed = Number(home[counterAttr.committed] ?? 0);
  const slice = Math.floor((quota - committed) / (2 * shards));
  if (slice < 1) return false;
  const key = { pk: pk.workspace(workspaceId) };
  try {
    await ctx.dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: ctx.tableName,
              Key: { ...key, sk: String(home.sk) },
              UpdateExpression: 'ADD #t :k, #gs :s',
              ConditionExpression: 'attribute_not_exists(#x) AND #t <= :room',
              ExpressionAttributeNames: {
                '#t': counterAttr.committed,
                '#gs': counterAttr.granted,
                '#x': counterAttr.closedInto,
              },
              ExpressionAttributeValues: { ':k': slice, ':s': new Set([shard]), ':room': quota - slice },
            },
          },
          {
            Update: {
              TableName: ctx.tableName,
              Key: { ...key, sk: String(mine.sk) },
              UpdateExpression: 'ADD #a :k SET #tg = :tg',
              ConditionExpression: 'attribute_exists(#u) AND attribute_not_exists(#x)',
              ExpressionAttributeNames: {
                '#a': counterAttr.allotted,
                '#tg': counterAttr.grantSeen,
                '#u': counterAttr.used,
                '#x': counterAttr.closedInto,
              },
              ExpressionAttributeValues: { ':k': slice, ':tg': committed + slice },
            },
          },
        ],
      }),
    );
  } catch (e) {
    const name = (e as Error)?.name;
    // HOME's room shrank or a bucket rolled over meanwhile: the caller tries again
    if (name !== 'TransactionCanceledException' && name !== 'TransactionConflictException') throw e;
  }
  return true;
}

/**
 * A shard other than HOME whose slice still holds budget (strongly consistent reads of the
 * latest bucket of every shard HOME ever granted to this month), or undefined: none does.
 * Called once HOME is at the quota, when no slice can be refilled, so "none" stays true.
 */
async function findSlice(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
): Promise<{ shard: number; sk: string } | undefined> {
  const home = await latestBucket(ctx, workspaceId, month, HOME, true);
  const granted = [...grantedShards(home)].sort(() => Math.random() - 0.5);
  for (const shard of granted) {
    const head = await latestBucket(ctx, workspaceId, month, shard, true);
    if (!head || head[counterAttr.closedInto] !== undefined) continue;
    if (Number(head[counterAttr.used] ?? 0) < Number(head[counterAttr.allotted] ?? 0)) {
      return { shard, sk: String(head.sk) };
    }
  }
  return undefined;
}

/** The shards HOME has handed a slice to this month (from its latest bucket). */
export function grantedShards(home: Record<string, unknown> | undefined): number[] {
  const gs = home?.[counterAttr.granted];
  return gs instanceof Set ? [...gs].map(Number).filter((n) => n !== HOME) : [];
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
  for (let wait = 0; ; wait++) {
    try {
      await rollInto(ctx, workspaceId, month, shard, head, w);
      return w;
    } catch (e) {
      if (!THROTTLED.has((e as Error)?.name) || wait >= OPEN_WAITS) throw e;
    }
    // the opening transaction was throttled (after the SDK's retries): the item is at its write
    // rate. Going back to write the missing bucket again is what keeps it there (every request of
    // a saturated workspace does), so wait on reads instead: a jittered pause, then look whether
    // another opener got through; only if not, try the transaction again. Bounded: OPEN_WAITS.
    await pause(OPEN_PAUSE_MS * 2 ** wait * (0.5 + Math.random()));
    const now = await latestBucket(ctx, workspaceId, month, shard, true);
    if (now && String(now.sk) >= w) return String(now.sk);
  }
}

/** how many times an opener whose transaction was throttled waits and looks again (≈ 0.8 s in all) */
const OPEN_WAITS = 4;
const OPEN_PAUSE_MS = 50;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  const start = counterSlot(headSk)?.start;
  // what the new bucket carries on: the shard's count, HOME's committed budget and the shards it
  // granted to, a shard's allotment and the committed budget its last grant saw. The close is
  // conditioned on the counters being the values read (a grant meanwhile fails it: no budget lost)
  const carried: Record<string, unknown> = {};
  const names: Record<string, string> = { '#x': counterAttr.closedInto };
  const values: Record<string, unknown> = { ':w': w };
  const equal: string[] = [];
  for (const [i, name] of [counterAttr.used, counterAttr.committed, counterAttr.allotted].entries()) {
    if (head[name] === undefined && name !== counterAttr.used) continue;
    const v = Number(head[name] ?? 0);
    carried[name] = v;
    names[`#v${i}`] = name;
    values[`:v${i}`] = v;
    equal.push(`#v${i} = :v${i}`);
  }
  for (const name of [counterAttr.granted, counterAttr.grantSeen]) {
    if (head[name] !== undefined) carried[name] = head[name];
  }
  if (start !== undefined) {
    names['#ttl'] = counterAttr.ttl;
    values[':ttl'] = Math.floor(Date.parse(start) / 1000) + BUCKET_TTL_S;
  }
  const close: Record<string, unknown> = {
    TableName: ctx.tableName,
    Key: { ...key, sk: headSk },
    UpdateExpression: start === undefined ? 'SET #x = :w' : 'SET #x = :w, #ttl = :ttl',
    ConditionExpression: `${equal.join(' AND ')} AND attribute_not_exists(#x)`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  const items: Record<string, unknown>[] = [{ Update: close }];
  const roll = start === undefined ? undefined : rollUp(ctx, workspaceId, month, shard, head, start);
  if (roll) items.push({ Update: roll });
  items.push({
    Put: {
      TableName: ctx.tableName,
      Item: { ...key, sk: w, ...carried },
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
 * The month's root of a shard's chain. HOME starts from the month-to-date count of the hour
 * buckets written before 5-minute counting (their latest `used`), so an upgrade mid-month keeps
 * the quota, and holds the month's whole budget (committed `t` = its count); any other shard
 * starts with an empty allotment.
 */
async function putRoot(ctx: StoreContext, workspaceId: string, month: string, shard: number): Promise<void> {
  const used = shard === HOME ? await legacyUsed(ctx, workspaceId, month) : 0;
  const item =
    shard === HOME
      ? { [counterAttr.used]: used, [counterAttr.committed]: used }
      : { [counterAttr.used]: 0, [counterAttr.allotted]: 0 };
  try {
    await ctx.dynamo().send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: { pk: pk.workspace(workspaceId), sk: sk.counterRoot(month, shard), ...item },
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

/** The latest bucket of every shard of the month: HOME, then each shard it granted to. */
export async function monthHeads(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
  consistent: boolean,
): Promise<{ shard: number; head: Record<string, unknown> }[]> {
  const home = await latestBucket(ctx, workspaceId, month, HOME, consistent);
  if (!home) return [];
  const others = grantedShards(home);
  const heads = await Promise.all(others.map((s) => latestBucket(ctx, workspaceId, month, s, consistent)));
  const out = [{ shard: HOME, head: home }];
  heads.forEach((head, i) => {
    if (head) out.push({ shard: others[i], head });
  });
  return out;
}

/** The workspace's count for the month of `now` (no write): for x-quota-* on uncounted answers. */
export async function readUsed(ctx: StoreContext, workspaceId: string, now: Date): Promise<number> {
  const heads = await monthHeads(ctx, workspaceId, windowOf(now).month, false);
  return heads.reduce((n, h) => n + Number(h.head[counterAttr.used] ?? 0), 0);
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
