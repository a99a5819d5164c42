import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { generateKey, hashKey, type KeyType, last4, newId } from '../core/keys';
import { dynamo } from '../shared/clients';
import { config } from '../shared/config';
import type { KeyRecord } from './records';
import { pk, sk } from './schema';
import { stripKeys } from './workspaces';

/**
 * Create a key: the auth item (by hash) and the pointer item (by id) in one transaction.
 * Returns the record and the full key, which exists only in this return value.
 */
export async function createKey(input: {
  workspace_id: string;
  type: KeyType;
  name: string;
  allowed_domains: string[];
}): Promise<{ record: KeyRecord; key: string }> {
  const key = generateKey(input.type);
  const hash = hashKey(key);
  const record: KeyRecord = {
    id: newId('key'),
    workspace_id: input.workspace_id,
    type: input.type,
    name: input.name,
    last4: last4(key),
    allowed_domains: input.allowed_domains,
    created_at: new Date().toISOString(),
  };
  const TableName = config().tableName;
  await dynamo().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName,
            Item: {
              pk: pk.keyHash(hash),
              sk: sk.key,
              gsi1pk: pk.workspace(record.workspace_id),
              gsi1sk: sk.keyPointer(record.id),
              ...record,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName,
            Item: { pk: pk.workspace(record.workspace_id), sk: sk.keyPointer(record.id), key_hash: hash },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  );
  return { record, key };
}

/** Hot path: the key record by sha256 of the presented key. */
export async function getKeyByHash(hash: string): Promise<KeyRecord | undefined> {
  const out = await dynamo().send(
    new GetCommand({ TableName: config().tableName, Key: { pk: pk.keyHash(hash), sk: sk.key } }),
  );
  return out.Item ? stripKeys<KeyRecord>(out.Item) : undefined;
}

/** Strongly consistent lookup by id through the pointer item. */
export async function getKeyHash(workspaceId: string, keyId: string): Promise<string | undefined> {
  const out = await dynamo().send(
    new GetCommand({
      TableName: config().tableName,
      Key: { pk: pk.workspace(workspaceId), sk: sk.keyPointer(keyId) },
      ConsistentRead: true,
    }),
  );
  return out.Item?.key_hash as string | undefined;
}

/** A secret key was sent in a query string: flag it (first time only) so the operator rolls it. */
export async function markExposed(hash: string, at: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: { pk: pk.keyHash(hash), sk: sk.key },
      UpdateExpression: 'SET exposed_at = if_not_exists(exposed_at, :at)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
}
