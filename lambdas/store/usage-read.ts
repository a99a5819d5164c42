/**
 * Reading the usage-month items (schema.ts: `used`, `h_<keyid>_<DDHH>`, `lu_<keyid>`).
 * The avatar path writes them; the management and usage routes only read.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyRecord, WorkspaceRecord } from '../core/records';
import { dynamo } from '../shared/clients';
import { config } from '../shared/config';
import { listKeys } from './keys';
import { pk, sk, usageAttr } from './schema';
import { getWorkspace } from './workspaces';

/** The whole usage item of one workspace-month (undefined: no traffic that month). */
export async function getUsageMonth(
  workspaceId: string,
  month: string,
): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo().send(
    new GetCommand({
      TableName: config().tableName,
      Key: { pk: pk.workspace(workspaceId), sk: sk.usageMonth(month) },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  const { pk: _p, sk: _s, ...rest } = out.Item;
  return rest;
}

/** how many months back `last_used_at` is looked for */
const LAST_USED_MONTHS = 24;
/** above this many keys the projection expression would get long; read whole items instead */
const PROJECT_MAX_KEYS = 100;

/**
 * `last_used_at` per key: from the current month's item, else the latest earlier month that
 * has one. Newest months first, stopping once every key is found.
 */
export async function lastUsedAt(
  workspaceId: string,
  keyIds: string[],
  currentMonth: string,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (keyIds.length === 0) return found;
  const names: Record<string, string> = {};
  const project = keyIds.length <= PROJECT_MAX_KEYS;
  if (project) {
    keyIds.forEach((id, i) => {
      names[`#l${i}`] = usageAttr.lastUsed(id);
    });
  }
  let start: Record<string, unknown> | undefined;
  let seen = 0;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: config().tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': pk.workspace(workspaceId),
          ':lo': sk.usageMonth('0000-00'),
          ':hi': sk.usageMonth(currentMonth),
        },
        ExpressionAttributeNames: project ? names : undefined,
        ProjectionExpression: project ? Object.keys(names).join(', ') : undefined,
        ScanIndexForward: false,
        Limit: LAST_USED_MONTHS - seen,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      seen++;
      for (const id of keyIds) {
        const v = item[usageAttr.lastUsed(id)];
        if (!found.has(id) && typeof v === 'string') found.set(id, v);
      }
    }
    start = page.LastEvaluatedKey;
  } while (start && found.size < keyIds.length && seen < LAST_USED_MONTHS);
  return found;
}

/** Everything the usage answer is shaped from; undefined for an unknown workspace. */
export async function loadUsage(
  workspaceId: string,
  month: string,
): Promise<
  { workspace: WorkspaceRecord; item: Record<string, unknown> | undefined; keys: KeyRecord[] } | undefined
> {
  const [workspace, item, keys] = await Promise.all([
    getWorkspace(workspaceId, { consistent: true }),
    getUsageMonth(workspaceId, month),
    listKeys(workspaceId),
  ]);
  return workspace ? { workspace, item, keys } : undefined;
}
