/**
 * Reading the usage buckets (schema.ts: per workspace-hour `used`, `k_<keyid>`, `lu_<keyid>`).
 * The avatar path writes them; the management and usage routes only read.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyRecord, WorkspaceRecord } from '../core/records';
import { foldBuckets, type MonthUsage } from '../core/usage-shape';
import { dynamo } from '../shared/clients';
import { config } from '../shared/config';
import { listKeys } from './keys';
import { pk, sk, usageAttr, usageMonthOf } from './schema';
import { getWorkspace } from './workspaces';

/** Every usage bucket of one workspace-month, oldest first, with `sk` (empty: no traffic). */
async function getMonthBuckets(workspaceId: string, month: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: config().tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': pk.workspace(workspaceId), ':m': sk.usageMonth(month) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The month's usage (undefined: no traffic that month). */
export async function getMonthUsage(workspaceId: string, month: string): Promise<MonthUsage | undefined> {
  return foldBuckets(await getMonthBuckets(workspaceId, month), month);
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
    const page = await dynamo().send(
      new QueryCommand({
        TableName: config().tableName,
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

/** Everything the usage answer is shaped from; undefined for an unknown workspace. */
export async function loadUsage(
  workspaceId: string,
  month: string,
): Promise<{ workspace: WorkspaceRecord; usage: MonthUsage | undefined; keys: KeyRecord[] } | undefined> {
  const [workspace, usage, keys] = await Promise.all([
    getWorkspace(workspaceId, { consistent: true }),
    getMonthUsage(workspaceId, month),
    listKeys(workspaceId),
  ]);
  return workspace ? { workspace, usage, keys } : undefined;
}
