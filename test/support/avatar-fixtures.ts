/** Workspaces and keys for the avatar tests, created through the real store (DynamoDB Local). */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyType } from '../../lambdas/core/keys';
import { dynamo } from '../../lambdas/shared/clients';
import { config } from '../../lambdas/shared/config';
import { createKey } from '../../lambdas/store/keys';
import { pk, sk } from '../../lambdas/store/schema';
import { createWorkspace } from '../../lambdas/store/workspaces';

export async function workspaceWithKeys(
  quota: number,
  domains: string[] = ['app.example.com', 'localhost'],
): Promise<{ ws: string; pk: string; sk: string; pkId: string; skId: string }> {
  const ws = await createWorkspace({ name: 'test', monthly_quota: quota });
  const p = await createKey({
    workspace_id: ws.id,
    type: 'publishable',
    name: 'web',
    allowed_domains: domains,
  });
  const s = await createKey({
    workspace_id: ws.id,
    type: 'secret',
    name: 'server',
    allowed_domains: domains,
  });
  return { ws: ws.id, pk: p.key, sk: s.key, pkId: p.record.id, skId: s.record.id };
}

export async function newKey(ws: string, type: KeyType, domains: string[] = ['app.example.com']) {
  return createKey({ workspace_id: ws, type, name: type, allowed_domains: domains });
}

export async function usageItem(ws: string, month: string): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo().send(
    new GetCommand({
      TableName: config().tableName,
      Key: { pk: pk.workspace(ws), sk: sk.usageMonth(month) },
      ConsistentRead: true,
    }),
  );
  return out.Item;
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
