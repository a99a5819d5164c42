/**
 * Helpers for fault tests that call the avatar handler in-process: the API Gateway v2 event for
 * GET /v1/avatar, a workspace + key made with the real store, and a read of the usage item.
 */

import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { dayHourOf, monthOf } from '../../lambdas/core/quota';
import { pk, sk } from '../../lambdas/store/schema';
import { makeEvent } from '../support/events';
import { config, dynamo, store } from '../support/runtime';

/** GET /v1/avatar as API Gateway would pass it (the one payload-v2 builder, test/support/events.ts). */
export function avatarEvent(
  query: Record<string, string>,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return makeEvent({ query, headers });
}

export const lambdaContext = {
  awsRequestId: 'ctx',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

export async function seedWorkspace(quota: number, domains = ['127.0.0.1']) {
  const ws = await store.workspaces.createWorkspace({ name: `fault-${Date.now()}`, monthly_quota: quota });
  const secret = await store.keys.createKey({
    workspace_id: ws.id,
    type: 'secret',
    name: 'srv',
    allowed_domains: [],
  });
  const pub = await store.keys.createKey({
    workspace_id: ws.id,
    type: 'publishable',
    name: 'web',
    allowed_domains: domains,
  });
  // the hour's bucket is open already, so each counted request is exactly one usage UpdateItem
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: {
        pk: pk.workspace(ws.id),
        sk: sk.usageBucket(monthOf(FAULT_NOW), dayHourOf(FAULT_NOW)),
        used: 0,
      },
    }),
  );
  return { ws, secret, pub };
}

/** The instant the fault tests run at (the avatar handler's clock is pinned to it): one hour bucket. */
export const FAULT_NOW = new Date();

/** The workspace's usage buckets this month: `used` (latest bucket) and the sum of every key-hour counter. */
export async function readUsage(workspaceId: string): Promise<{ used: number; hourlySum: number }> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': pk.workspace(workspaceId), ':m': `USAGE#${monthOf(FAULT_NOW)}#` },
      ConsistentRead: true,
    }),
  );
  const items = out.Items ?? [];
  let hourlySum = 0;
  for (const item of items)
    for (const [k, v] of Object.entries(item)) if (k.startsWith('k_')) hourlySum += Number(v);
  return { used: Number(items[items.length - 1]?.used ?? 0), hourlySum };
}
