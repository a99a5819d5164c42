/**
 * Reading usage (schema.ts): the month's hour items (`k_<keyid>`, `lu_<keyid>`), the counter
 * buckets of the last 48 hours (`c<tag>`, `l<tag>`, 5-minute points) and the blocked-hour items.
 * The avatar path writes them; the management and usage routes only read.
 *
 * The hour items hold every closed counter bucket; the open bucket of each shard (the chain's
 * latest) is added unless its hour item already records it as rolled (`r<ss>` ≥ its sk): the
 * heads are read first, so a roll-up between the two reads is seen in the hour item and
 * counted once.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { windowOf } from '../core/quota';
import {
  BLOCKED_SLOTS,
  type BlockedHourItem,
  foldBlocked,
  foldBuckets,
  type KeyBlocked,
  type MinuteCount,
  type MonthUsage,
  slotSuffix,
  type UsageBucket,
  type UsageWindow,
} from '../core/usage';
import type { StoreContext } from './context';
import {
  blockedAttr,
  blockedKeyHour,
  bucketHour,
  counterAttr,
  counterSlot,
  counterTag,
  pk,
  sk,
  tagKeyId,
  usageAttr,
  usageMonthOf,
} from './schema';
import { monthHeads } from './usage-counter';

const KEY_COUNT_ATTR = /^k_(.+)$/;
const COUNTER_COUNT_ATTR = /^c(.+)$/;

/** A stored hour item as the typed bucket core/usage.ts folds. */
function toBucket(item: Record<string, unknown>): UsageBucket {
  const keyCounts: Record<string, number> = {};
  for (const [attr, value] of Object.entries(item)) {
    const m = KEY_COUNT_ATTR.exec(attr);
    if (m) keyCounts[m[1]] = Number(value);
  }
  return { hour: bucketHour(String(item.sk)), used: Number(item.used ?? 0), keyCounts };
}

/** A counter bucket's per-key counts, by key id. */
function counterCounts(item: Record<string, unknown>): Record<string, number> {
  const keyCounts: Record<string, number> = {};
  for (const [attr, value] of Object.entries(item)) {
    const m = COUNTER_COUNT_ATTR.exec(attr);
    if (m && typeof value === 'number') keyCounts[tagKeyId(m[1])] = value;
  }
  return keyCounts;
}

/** Which sort keys of one workspace a read takes: a prefix, or an inclusive range. */
type SortKeys = { prefix: string } | { from: string; to: string };

/** Every item of one workspace whose sort key is in `keys`, all pages. */
async function queryWorkspace(
  ctx: StoreContext,
  workspaceId: string,
  keys: SortKeys,
  consistent = false,
): Promise<Record<string, unknown>[]> {
  const [condition, values] =
    'prefix' in keys
      ? ['pk = :pk AND begins_with(sk, :lo)', { ':lo': keys.prefix }]
      : ['pk = :pk AND sk BETWEEN :lo AND :hi', { ':lo': keys.from, ':hi': keys.to }];
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.dynamo().send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: { ':pk': pk.workspace(workspaceId), ...values },
        ...(consistent ? { ConsistentRead: true } : {}),
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The month's usage (undefined: no traffic that month). */
export async function getMonthUsage(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
): Promise<MonthUsage | undefined> {
  // every shard's open bucket (shards summed), read before the hour items (see above)
  const heads = await monthHeads(ctx, workspaceId, month, true);
  const items = await queryWorkspace(ctx, workspaceId, { prefix: sk.usageHours(month) }, true);
  items.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
  const buckets = items.map(toBucket);
  const hourItems = new Map(items.map((it) => [String(it.sk), it]));
  let used = 0;
  let counting = false;
  for (const { shard, head } of heads) {
    counting = true;
    used += Number(head[counterAttr.used] ?? 0);
    const start = counterSlot(String(head.sk))?.start;
    if (start === undefined) continue;
    const hourSk = sk.usageHour(month, start.slice(8, 10) + start.slice(11, 13));
    const rolled = hourItems.get(hourSk)?.[usageAttr.rolled(shard)];
    if (typeof rolled === 'string' && rolled >= String(head.sk)) continue;
    buckets.push({ hour: bucketHour(hourSk), used: 0, keyCounts: counterCounts(head) });
  }
  // a month counted before 5-minute counting: its hour buckets carry the month-to-date `used`
  if (!counting) used = Math.max(0, ...buckets.map((b) => (Number.isFinite(b.used) ? b.used : 0)));
  return foldBuckets(buckets, used);
}

/** Each key's 5-minute points in `w` (which lies in the last 48 hours), ascending, shards summed. */
export async function getMinutely(
  ctx: StoreContext,
  workspaceId: string,
  w: UsageWindow,
): Promise<Map<string, MinuteCount[]>> {
  const lo = windowOf(w.from);
  const hi = windowOf(w.to);
  const months = lo.month === hi.month ? [lo.month] : [lo.month, hi.month];
  const reads: Promise<Record<string, unknown>[]>[] = [];
  for (const month of months) {
    const shards = (await monthHeads(ctx, workspaceId, month, false)).map((h) => h.shard);
    for (const shard of shards) {
      const from =
        month === lo.month ? sk.counterBucket(month, shard, lo.slot) : sk.counterBucket(month, shard, '');
      const to =
        month === hi.month ? sk.counterBucket(month, shard, hi.slot) : `${sk.counterRoot(month, shard)}#~`;
      reads.push(queryWorkspace(ctx, workspaceId, { from, to }));
    }
  }
  const perKey = new Map<string, Map<string, number>>();
  for (const item of (await Promise.all(reads)).flat()) {
    const start = counterSlot(String(item.sk))?.start;
    if (start === undefined) continue;
    for (const [keyId, count] of Object.entries(counterCounts(item))) {
      if (!(count > 0)) continue;
      const points = perKey.get(keyId) ?? new Map<string, number>();
      points.set(start, (points.get(start) ?? 0) + count);
      perKey.set(keyId, points);
    }
  }
  const out = new Map<string, MinuteCount[]>();
  for (const [keyId, points] of perKey) {
    out.set(
      keyId,
      [...points].map(([time, count]) => ({ time, count })).sort((a, b) => (a.time < b.time ? -1 : 1)),
    );
  }
  return out;
}

/** A stored blocked-hour item as core/usage.ts folds it; undefined for anything else. */
function toBlockedHour(item: Record<string, unknown>): BlockedHourItem | undefined {
  const at = blockedKeyHour(String(item.sk));
  if (!at) return undefined;
  const slots: BlockedHourItem['slots'] = [];
  for (let i = 0; i < BLOCKED_SLOTS; i++) {
    const ss = slotSuffix(i);
    const name = item[blockedAttr.name(ss)];
    if (typeof name !== 'string') continue;
    slots.push({
      name,
      count: Number(item[blockedAttr.count(ss)] ?? 0),
      sum: Number(item[blockedAttr.sum(ss)] ?? 0),
    });
  }
  return { ...at, total: Number(item[blockedAttr.total] ?? 0), slots };
}

/** The month's requests refused with domain_blocked, per key id (empty: none). */
export async function getMonthBlocked(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
): Promise<Map<string, KeyBlocked>> {
  const items: BlockedHourItem[] = [];
  for (const raw of await queryWorkspace(ctx, workspaceId, { prefix: sk.blockedMonth(month) })) {
    const it = toBlockedHour(raw);
    if (it) items.push(it);
  }
  return foldBlocked(items);
}

/** how many months back `last_used_at` is looked for */
const LAST_USED_MONTHS = 24;
/** above this many keys the projection expression would get long; read whole items instead */
const PROJECT_MAX_KEYS = 100;

/**
 * `last_used_at` per key: the latest use in the items of the current month (its hour items'
 * `lu_<keyid>` and its counter buckets' `l<tag>`), else of the latest earlier months with
 * traffic (at most LAST_USED_MONTHS months in all). Newest months first, the latest use within a
 * month (shards' chains sort apart), stopping after a month once every key is found. No key can
 * have been used before it was created, so the read never goes below the month the oldest of
 * `keys` was created in: a list of keys made this month reads this month's items only, even
 * when one of them was never used.
 */
export async function lastUsedAt(
  ctx: StoreContext,
  workspaceId: string,
  keys: { id: string; created_at: string }[],
  currentMonth: string,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (keys.length === 0) return found;
  const keyIds = keys.map((k) => k.id);
  const sinceMonth = keys.map((k) => k.created_at.slice(0, 7)).sort()[0];
  const names: Record<string, string> = {};
  const project = keyIds.length <= PROJECT_MAX_KEYS;
  if (project) {
    keyIds.forEach((id, i) => {
      names[`#l${i}`] = usageAttr.lastUsed(id);
      names[`#m${i}`] = counterAttr.lastUse(counterTag(id));
    });
  }
  const consider = (id: string, at: string) => {
    const seen = found.get(id);
    if (seen === undefined || at > seen) found.set(id, at);
  };
  let start: Record<string, unknown> | undefined;
  const months = new Set<string>();
  let month: string | undefined;
  do {
    const page = await ctx.dynamo().send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': pk.workspace(workspaceId),
          ':lo': sk.usageMonth(sinceMonth),
          // '~~' sorts after every hour item (#DDHH) and counter chain (~<ss>…) of the current month
          ':hi': `${sk.usageMonth(currentMonth)}~~`,
        },
        ExpressionAttributeNames: project ? names : undefined,
        ProjectionExpression: project ? ['sk', ...Object.keys(names)].join(', ') : undefined,
        ScanIndexForward: false,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const itemMonth = usageMonthOf(String(item.sk));
      // a month is done: stop when every key was found in it or in a later one
      if (itemMonth !== month && found.size === keyIds.length) return found;
      month = itemMonth;
      months.add(itemMonth);
      if (months.size > LAST_USED_MONTHS) return found;
      const windowAt = counterSlot(String(item.sk))?.start;
      for (const id of keyIds) {
        const v = item[usageAttr.lastUsed(id)];
        if (typeof v === 'string') consider(id, v);
        const off = item[counterAttr.lastUse(counterTag(id))];
        if (windowAt !== undefined && typeof off === 'number') {
          consider(id, new Date(Date.parse(windowAt) + off * 1000).toISOString());
        }
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}
