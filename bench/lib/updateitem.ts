/**
 * The baseline: the one write the avatar hot path cannot avoid — a conditional UpdateItem on the
 * workspace's usage-month item (month counter + key-hour counter + last-used), with the same SDK
 * client settings as lambdas/shared/clients.ts, against the same DynamoDB Local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
  const month = now.toISOString().slice(0, 7);
  const dayHour = now.toISOString().slice(8, 10) + now.toISOString().slice(11, 13);
  const one = () =>
    client
      .send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: pk.workspace(ws), sk: sk.usageMonth(month) },
          UpdateExpression: 'ADD #used :one, #h :one SET #lu = :now',
          ConditionExpression: 'attribute_not_exists(#used) OR #used < :q',
          ExpressionAttributeNames: {
            '#used': usageAttr.used,
            '#h': usageAttr.hourly(keyId, dayHour),
            '#lu': usageAttr.lastUsed(keyId),
          },
          ExpressionAttributeValues: { ':one': 1, ':q': 1e12, ':now': new Date().toISOString() },
          ReturnValues: 'UPDATED_NEW',
        }),
      )
      .then(() => true);
  try {
    // warm the connection pool the same way the HTTP side is warmed
    await runConcurrent(concurrency * 2, concurrency, one);
    return await runConcurrent(total, concurrency, one);
  } finally {
    client.destroy();
  }
}
