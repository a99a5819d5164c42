/**
 * Helpers for fault tests that call the avatar handler in-process: the API Gateway v2 event for
 * GET /v1/avatar, a workspace + key made with the real store, and a read of the usage item.
 */

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { monthOf, windowOf } from '../../lambdas/core/quota';
import { counterAttr, pk, sk } from '../../lambdas/store/schema';
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
  // the window's counter bucket is open already, so each counted request is exactly one usage UpdateItem
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: {
        pk: pk.workspace(ws.id),
        sk: sk.counterBucket(windowOf(FAULT_NOW).month, 0, windowOf(FAULT_NOW).slot),
        [counterAttr.used]: 0,
        [counterAttr.committed]: 0,
      },
    }),
  );
  return { ws, secret, pub };
}

/** The instant the fault tests run at (the avatar handler's clock is pinned to it): one hour bucket. */
export const FAULT_NOW = new Date();

/** The workspace's usage this month, read by the store: `used` and the sum of every key-hour count. */
export async function readUsage(workspaceId: string): Promise<{ used: number; hourlySum: number }> {
  const usage = await store.usage.getMonthUsage(workspaceId, monthOf(FAULT_NOW));
  let hourlySum = 0;
  for (const series of usage?.hourly.values() ?? []) for (const h of series) hourlySum += h.count;
  return { used: usage?.used ?? 0, hourlySum };
}
