/** Workspaces and keys for the avatar tests, created through the real store (DynamoDB Local). */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyType } from '../../lambdas/core/keys/format';
import { pk, sk } from '../../lambdas/store/schema';
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

/** Every usage item of a workspace-month (its root, then its hour buckets), raw, oldest first. */
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
 * A workspace-month's usage as one view over its hour buckets (undefined: none): `used` of the
 * latest bucket, `h_<keyid>_<DDHH>` = k_<keyid> of bucket DDHH, `lu_<keyid>` = the latest use.
 */
export async function usageItem(ws: string, month: string): Promise<Record<string, unknown> | undefined> {
  const buckets = await usageBuckets(ws, month);
  if (buckets.length === 0) return undefined;
  const view: Record<string, unknown> = { used: buckets[buckets.length - 1].used };
  for (const b of buckets) {
    const dayHour = String(b.sk).slice(-4);
    for (const [k, v] of Object.entries(b)) {
      if (k.startsWith('k_')) view[`h_${k.slice(2)}_${dayHour}`] = v;
      if (k.startsWith('lu_') && (view[k] === undefined || String(view[k]) < String(v))) view[k] = v;
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
