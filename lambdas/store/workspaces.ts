import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../core/keys/format';
import type { WorkspaceRecord } from '../core/records';
import { isConditionFailure } from './conditions';
import type { StoreContext } from './context';
import { pk, sk, stripKeys } from './schema';

export async function createWorkspace(
  ctx: StoreContext,
  input: {
    name: string;
    monthly_quota: number;
  },
): Promise<WorkspaceRecord> {
  const ws: WorkspaceRecord = {
    id: newId('ws'),
    name: input.name,
    monthly_quota: input.monthly_quota,
    created_at: ctx.now().toISOString(),
  };
  await ctx.dynamo().send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: { pk: pk.workspace(ws.id), sk: sk.workspaceMeta, ...ws },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return ws;
}

export async function getWorkspace(
  ctx: StoreContext,
  id: string,
  opts: { consistent?: boolean } = {},
): Promise<WorkspaceRecord | undefined> {
  const out = await ctx.dynamo().send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: { pk: pk.workspace(id), sk: sk.workspaceMeta },
      ConsistentRead: opts.consistent,
    }),
  );
  return out.Item ? stripKeys<WorkspaceRecord>(out.Item) : undefined;
}

/**
 * Update name and/or quota in one conditional UpdateItem (the workspace must exist).
 * Returns undefined for an unknown workspace.
 */
export async function updateWorkspace(
  ctx: StoreContext,
  id: string,
  patch: { name?: string; monthly_quota?: number; shards?: number },
): Promise<WorkspaceRecord | undefined> {
  const sets = ['updated_at = :now'];
  const values: Record<string, unknown> = { ':now': ctx.now().toISOString() };
  const names: Record<string, string> = {};
  if (patch.name !== undefined) {
    sets.push('#name = :name');
    names['#name'] = 'name';
    values[':name'] = patch.name;
  }
  if (patch.monthly_quota !== undefined) {
    sets.push('monthly_quota = :quota');
    values[':quota'] = patch.monthly_quota;
  }
  if (patch.shards !== undefined) {
    sets.push('shards = :shards');
    values[':shards'] = patch.shards;
  }
  try {
    const out = await ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.workspace(id), sk: sk.workspaceMeta },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes ? stripKeys<WorkspaceRecord>(out.Attributes) : undefined;
  } catch (e) {
    if (isConditionFailure(e)) return undefined;
    throw e;
  }
}
