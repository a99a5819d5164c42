/**
 * The baseline: the one write the avatar hot path cannot avoid — a conditional UpdateItem on the
 * workspace's current 5-minute counter bucket (month-to-date counter + key's count + last-used +
 * retry token, same condition as store/usage-counter.ts), with the same SDK client settings as
 * lambdas/runtime/clients.ts, against the same DynamoDB Local. The bucket is opened once up front.
 */

import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { windowOf } from '../../lambdas/core/quota';
import { counterAttr, counterTag, pk, sk } from '../../lambdas/store/schema';
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
  const w = windowOf(now);
  const bucket = { pk: pk.workspace(ws), sk: sk.counterBucket(w.month, 0, w.slot) };
  const tag = counterTag(keyId);
  const one = () =>
    client
      .send(
        new UpdateCommand({
          TableName: table,
          Key: bucket,
          UpdateExpression: 'ADD #u :one, #c :one SET #l = :off, #r = :rid',
          ConditionExpression:
            'attribute_exists(#u) AND attribute_not_exists(#x) AND (attribute_not_exists(#r) OR #r <> :rid) AND #u < :q',
          ExpressionAttributeNames: {
            '#u': counterAttr.used,
            '#c': counterAttr.count(tag),
            '#l': counterAttr.lastUse(tag),
            '#r': counterAttr.lastReq,
            '#x': counterAttr.closedInto,
          },
          ExpressionAttributeValues: {
            ':one': 1,
            ':q': 1e12,
            ':off': Math.round((Date.now() - w.start.getTime()) / 1000),
            ':rid': randomBytes(9).toString('base64url'),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      )
      .then(() => true);
  try {
    await client.send(new PutCommand({ TableName: table, Item: { ...bucket, [counterAttr.used]: 0 } }));
    // warm the connection pool the same way the HTTP side is warmed
    await runConcurrent(concurrency * 2, concurrency, one);
    return await runConcurrent(total, concurrency, one);
  } finally {
    client.destroy();
  }
}
