/**
 * Reading the usage buckets (schema.ts: per workspace-hour `used`, `k_<keyid>`, `lu_<keyid>`) and
 * the blocked-hour items. The avatar path writes them; the management and usage routes only read.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  BLOCKED_SLOTS,
  type BlockedHourItem,
  foldBlocked,
  foldBuckets,
  type KeyBlocked,
  type MonthUsage,
  slotSuffix,
  type UsageBucket,
} from '../core/usage';
import type { StoreContext } from './context';
import { blockedAttr, blockedKeyHour, bucketHour, pk, sk, usageAttr, usageMonthOf } from './schema';

const KEY_COUNT_ATTR = /^k_(.+)$/;

/** A stored bucket item as the typed bucket core/usage.ts folds. */
function toBucket(item: Record<string, unknown>): UsageBucket {
  const keyCounts: Record<string, number> = {};
  for (const [attr, value] of Object.entries(item)) {
    const m = KEY_COUNT_ATTR.exec(attr);
    if (m) keyCounts[m[1]] = Number(value);
  }
  return { hour: bucketHour(String(item.sk)), used: Number(item.used ?? 0), keyCounts };
}

/** Every item of one workspace whose sort key starts with `prefix`, all pages. */
async function queryPrefix(
  ctx: StoreContext,
  workspaceId: string,
  prefix: string,
  consistent = false,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.dynamo().send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': pk.workspace(workspaceId), ':m': prefix },
        ...(consistent ? { ConsistentRead: true } : {}),
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every usage bucket of one workspace-month, oldest first (empty: no traffic). */
async function getMonthBuckets(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
): Promise<UsageBucket[]> {
  const items = await queryPrefix(ctx, workspaceId, sk.usageMonth(month), true);
  // the sort key orders buckets in time (the month's root first)
  items.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
  return items.map(toBucket);
}

/** The month's usage (undefined: no traffic that month). */
export async function getMonthUsage(
  ctx: StoreContext,
  workspaceId: string,
  month: string,
): Promise<MonthUsage | undefined> {
  return foldBuckets(await getMonthBuckets(ctx, workspaceId, month));
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
  for (const raw of await queryPrefix(ctx, workspaceId, sk.blockedMonth(month))) {
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
 * `last_used_at` per key: the latest `lu_<keyid>` in the buckets of the current month, else of the
 * latest earlier months with traffic (at most LAST_USED_MONTHS months in all). Newest buckets
 * first, stopping once every key is found. No key can have been used before it was created, so
 * the read never goes below the month the oldest of `keys` was created in: a list of keys made
 * this month reads this month's buckets only, even when one of them was never used.
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
    });
  }
  let start: Record<string, unknown> | undefined;
  const months = new Set<string>();
  do {
    const page = await ctx.dynamo().send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': pk.workspace(workspaceId),
          ':lo': sk.usageMonth(sinceMonth),
          // '~' sorts after every bucket suffix (#DDHH) of the current month
          ':hi': `${sk.usageMonth(currentMonth)}~`,
        },
        ExpressionAttributeNames: project ? names : undefined,
        ProjectionExpression: project ? ['sk', ...Object.keys(names)].join(', ') : undefined,
        ScanIndexForward: false,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      months.add(usageMonthOf(String(item.sk)));
      if (months.size > LAST_USED_MONTHS) return found;
      for (const id of keyIds) {
        const v = item[usageAttr.lastUsed(id)];
        if (!found.has(id) && typeof v === 'string') found.set(id, v);
      }
    }
    start = page.LastEvaluatedKey;
  } while (start && found.size < keyIds.length);
  return found;
}
