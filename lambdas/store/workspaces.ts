import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../core/keys';
import { dynamo } from '../shared/clients';
import { config } from '../shared/config';
import type { WorkspaceRecord } from './records';
import { pk, sk } from './schema';

export async function createWorkspace(input: {
  name: string;
  monthly_quota: number;
}): Promise<WorkspaceRecord> {
  const ws: WorkspaceRecord = {
    id: newId('ws'),
    name: input.name,
    monthly_quota: input.monthly_quota,
    created_at: new Date().toISOString(),
  };
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: { pk: pk.workspace(ws.id), sk: sk.workspaceMeta, ...ws },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return ws;
}

export async function getWorkspace(id: string): Promise<WorkspaceRecord | undefined> {
  const out = await dynamo().send(
    new GetCommand({ TableName: config().tableName, Key: { pk: pk.workspace(id), sk: sk.workspaceMeta } }),
  );
  return out.Item ? stripKeys<WorkspaceRecord>(out.Item) : undefined;
}

/** Remove table key attributes from an item. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _p, sk: _s, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as T;
}
