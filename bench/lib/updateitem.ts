/**
 * The baseline: the one write the avatar hot path cannot avoid — a conditional UpdateItem on the
 * workspace's current hour bucket (month-to-date counter + key's hour counter + last-used + retry
 * token, same condition as store/usage.ts), with the same SDK client settings as
 * lambdas/runtime/clients.ts, against the same DynamoDB Local. The bucket is opened once up front.
 */

import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dayHourOf, monthOf } from '../../lambdas/core/quota';
import { pk, sk, usageAttr } from '../../lambdas/store/schema';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/services';
import { type LoopResult, runConcurrent } from './stats';

export async function updateItemLoop(
  endpoint: string,
  table: string,
  total: number,
  concurrency: number,
): Promise<LoopResult<boolean>> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 }),
  );
  const ws = `ws_bench${Date.now().toString(36)}`;
  const keyId = 'key_bench';
  const now = new Date();
  const bucket = { pk: pk.workspace(ws), sk: sk.usageBucket(monthOf(now), dayHourOf(now)) };
  const one = () =>
    client
      .send(
        new UpdateCommand({
          TableName: table,
          Key: bucket,
          UpdateExpression: 'ADD #used :one, #k :one SET #lu = :now, #lr = :rid',
          ConditionExpression:
            'attribute_exists(#used) AND attribute_not_exists(#closed) AND (attribute_not_exists(#lr) OR #lr <> :rid) AND #used < :q',
          ExpressionAttributeNames: {
            '#used': usageAttr.used,
            '#k': usageAttr.keyCount(keyId),
            '#lu': usageAttr.lastUsed(keyId),
            '#lr': usageAttr.lastReq,
            '#closed': usageAttr.closed,
          },
          ExpressionAttributeValues: {
            ':one': 1,
            ':q': 1e12,
            ':now': new Date().toISOString(),
            ':rid': randomUUID(),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      )
      .then(() => true);
  try {
    await client.send(new PutCommand({ TableName: table, Item: { ...bucket, [usageAttr.used]: 0 } }));
    // warm the connection pool the same way the HTTP side is warmed
    await runConcurrent(concurrency * 2, concurrency, one);
    return await runConcurrent(total, concurrency, one);
  } finally {
    client.destroy();
  }
}
