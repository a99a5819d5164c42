/** Workspaces and keys for the avatar tests, created through the real store (DynamoDB Local). */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyType } from '../../lambdas/core/keys/format';
import { counterSlot, pk, sk, tagKeyId } from '../../lambdas/store/schema';
import { config, dynamo, store } from './runtime';

export async function workspaceWithKeys(
  quota: number,
  domains: string[] = ['app.example.com', 'localhost'],
): Promise<{ ws: string; pk: string; sk: string; pkId: string; skId: string }> {
  const ws = await store.workspaces.createWorkspace({ name: 'test', monthly_quota: quota });
  const p = await store.keys.createKey({
    workspace_id: ws.id,
    type: 'publishable',
    name: 'web',
    allowed_domains: domains,
  });
  const s = await store.keys.createKey({
    workspace_id: ws.id,
    type: 'secret',
    name: 'server',
    allowed_domains: domains,
  });
  return { ws: ws.id, pk: p.key, sk: s.key, pkId: p.record.id, skId: s.record.id };
}

export async function newKey(ws: string, type: KeyType, domains: string[] = ['app.example.com']) {
  return store.keys.createKey({ workspace_id: ws, type, name: type, allowed_domains: domains });
}

/**
 * Every usage item of a workspace-month, raw, in sort-key order: its hour items
 * (USAGE#<m>#<DDHH>), then each shard's counter chain (root, then 5-minute buckets).
 */
export async function usageBuckets(ws: string, month: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await dynamo().send(
      new QueryCommand({
        TableName: config().tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': pk.workspace(ws), ':m': `USAGE#${month}` },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * A workspace-month's usage as one flat view (undefined: no usage): `used` (the month-to-date
 * count), `h_<keyid>_<DDHH>` = the key's count in hour DDHH (as the store reads it: hour items
 * plus the open counter bucket), `lu_<keyid>` = the key's latest use.
 */
export async function usageItem(ws: string, month: string): Promise<Record<string, unknown> | undefined> {
  const usage = await store.usage.getMonthUsage(ws, month);
  if (!usage) return undefined;
  const view: Record<string, unknown> = { used: usage.used };
  for (const [keyId, series] of usage.hourly) {
    for (const h of series) view[`h_${keyId}_${h.hour.slice(8, 10)}${h.hour.slice(11, 13)}`] = h.count;
  }
  const later = (k: string, v: string) => {
    if (view[k] === undefined || String(view[k]) < v) view[k] = v;
  };
  for (const b of await usageBuckets(ws, month)) {
    const start = counterSlot(String(b.sk))?.start;
    for (const [k, v] of Object.entries(b)) {
      if (k.startsWith('lu_') && typeof v === 'string') later(k, v);
      if (start !== undefined && /^l[0-9A-Za-z_]/.test(k) && typeof v === 'number') {
        later(`lu_${tagKeyId(k.slice(1))}`, new Date(Date.parse(start) + v * 1000).toISOString());
      }
    }
  }
  return view;
}

export async function keyItem(hash: string): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo().send(
    new GetCommand({
      TableName: config().tableName,
      Key: { pk: pk.keyHash(hash), sk: sk.key },
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

/** Directly set attributes on a key's auth item (what revoke/roll will do). */
export async function setKeyAttrs(hash: string, attrs: Record<string, string>): Promise<void> {
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  const sets = Object.entries(attrs).map(([k, v], i) => {
    names[`#a${i}`] = k;
    values[`:v${i}`] = v;
    return `#a${i} = :v${i}`;
  });
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: { pk: pk.keyHash(hash), sk: sk.key },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

export const APP_ORIGIN = { origin: 'https://app.example.com' };
export const CDN = 'https://cdn.avtrz.test';

let n = 0;
/** A profile no other test has looked up. */
export function freshSlug(prefix = 'person'): string {
  return `${prefix}-${process.pid}${Date.now().toString(36)}${++n}`;
}
