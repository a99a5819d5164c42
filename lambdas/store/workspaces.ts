import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../core/keys/format';
import type { WorkspaceRecord } from '../core/records';
import { pageOrderKey, type WorkspaceCursor, type WorkspacePageQuery } from '../core/workspace-page';
import { batchGetAll } from './batch-get';
import { isConditionFailure } from './conditions';
import type { StoreContext } from './context';
import { gsi1, pk, sk, stripKeys, TABLE_KEYS } from './schema';

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
      Item: {
        pk: pk.workspace(ws.id),
        sk: sk.workspaceMeta,
        gsi1pk: gsi1.workspaceList,
        gsi1sk: gsi1.workspaceListEntry(pageOrderKey(ws)),
        ...ws,
      },
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

/**
 * One page of every workspace, newest first, from gsi1 (one Query of limit + 1 items: the extra
 * one only tells whether there is a next page). The index is eventually consistent: a workspace
 * created a moment ago may show up on the next call.
 */
export async function listWorkspaces(
  ctx: StoreContext,
  query: WorkspacePageQuery,
): Promise<{ workspaces: WorkspaceRecord[]; next?: WorkspaceCursor }> {
  const values: Record<string, string> = { ':p': gsi1.workspaceList };
  let condition = '#p = :p';
  if (query.after) {
    condition += ' AND #s < :after';
    values[':after'] = gsi1.workspaceListEntry(pageOrderKey(query.after));
  } else {
    condition += ' AND begins_with(#s, :prefix)';
    values[':prefix'] = gsi1.workspaceListEntry('');
  }
  const out = await ctx.dynamo().send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: { '#p': TABLE_KEYS.gsi1.partitionKey, '#s': TABLE_KEYS.gsi1.sortKey },
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: query.limit + 1,
    }),
  );
  const items = (out.Items ?? []).map((it) => stripKeys<WorkspaceRecord>(it));
  const workspaces = items.slice(0, query.limit);
  const last = workspaces[workspaces.length - 1];
  return items.length > query.limit && last
    ? { workspaces, next: { created_at: last.created_at, id: last.id } }
    : { workspaces };
}

/** The workspaces of these ids that exist (BatchGet in calls of 100, strongly consistent). */
export async function getWorkspaces(ctx: StoreContext, ids: readonly string[]): Promise<WorkspaceRecord[]> {
  const keys = [...new Set(ids)].map((id) => ({ pk: pk.workspace(id), sk: sk.workspaceMeta }));
  return (await batchGetAll(ctx, keys)).map((it) => stripKeys<WorkspaceRecord>(it));
}

/**
 * Put a workspace written before the list index existed into it (gsi1, newest-first order);
 * a no-op for one already indexed or gone. Returns whether it wrote.
 */
export async function indexWorkspace(ctx: StoreContext, ws: WorkspaceRecord): Promise<boolean> {
  try {
    await ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.workspace(ws.id), sk: sk.workspaceMeta },
        UpdateExpression: 'SET #p = :p, #s = :s',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#p)',
        ExpressionAttributeNames: { '#p': TABLE_KEYS.gsi1.partitionKey, '#s': TABLE_KEYS.gsi1.sortKey },
        ExpressionAttributeValues: {
          ':p': gsi1.workspaceList,
          ':s': gsi1.workspaceListEntry(pageOrderKey(ws)),
        },
      }),
    );
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}
