/**
 * "Already looked up" per workspace (spec section 4): the stored photo is shared by the
 * deployment, but whether a request is a NEW lookup (refused at the quota) is decided for the
 * requesting workspace. A profile another workspace looked up is a new lookup here.
 *
 * Where the decision lives:
 *  - a Lookup item per (workspace, profile) (schema.ts: pk=WS#<ws>, sk=LOOKUP#<hmacid>), written
 *    once, when the workspace's first counted request for the profile succeeds. It is not in the
 *    hour bucket: a workspace's looked-up profiles grow with its traffic (thousands an hour),
 *    the bucket must stay well under 1 KB (1 WCU per counted request);
 *  - this runtime's memory (`ctx.lookups`): a workspace never "un-looks up" a profile, so a
 *    positive entry never goes stale; it only bounds memory.
 *
 * The counted write stays ONE UpdateItem on the hour bucket:
 *  - looked up (in memory): counted without the quota condition: the warm hot path for a known
 *    profile is still one DynamoDB call;
 *  - otherwise: counted WITH the quota condition (`used < quota`), as every new lookup is, so
 *    "quota Q, N ≥ Q concurrent new lookups → exactly Q succeed" holds as before. Success →
 *    the Lookup item is put (once per container and profile: one extra write off the hot path).
 *    Refused at the quota → the Lookup item is read; only if it exists (looked up earlier, in
 *    another container) is the request counted without the condition.
 * A Lookup put that fails (DynamoDB failing just then) does not fail the request, which was
 * counted and is served; that profile is then a new lookup again for this workspace.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CountInput, CountResult } from '../app/ports';
import type { StoreContext } from './context';
import { pk, sk } from './schema';
import { countRequest } from './usage-counter';

/** how long this runtime remembers a looked-up profile (only bounds memory: never stale) */
const REMEMBER_MS = 24 * 3600_000;

export async function countAvatarRequest(ctx: StoreContext, input: CountInput): Promise<CountResult> {
  const id = input.profileId;
  if (id === undefined) return countRequest(ctx, input);
  const mem = `${input.workspaceId}#${id}`;
  if (ctx.lookups.get(mem)) return countRequest(ctx, { ...input, enforceQuota: false });

  const asNew = await countRequest(ctx, { ...input, enforceQuota: true });
  if (asNew.counted) {
    await putLookup(ctx, input.workspaceId, id, input.now);
    ctx.lookups.set(mem, true, REMEMBER_MS);
    return asNew;
  }
  if (!(await wasLookedUp(ctx, input.workspaceId, id))) return asNew;
  ctx.lookups.set(mem, true, REMEMBER_MS);
  return countRequest(ctx, { ...input, enforceQuota: false });
}

async function putLookup(ctx: StoreContext, workspaceId: string, id: string, now: Date): Promise<void> {
  try {
    await ctx.dynamo().send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: { pk: pk.workspace(workspaceId), sk: sk.lookup(id), first_at: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch {
    // already there (looked up in another container), or DynamoDB failing: the request was
    // counted and stays served either way
  }
}

async function wasLookedUp(ctx: StoreContext, workspaceId: string, id: string): Promise<boolean> {
  const out = await ctx.dynamo().send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: { pk: pk.workspace(workspaceId), sk: sk.lookup(id) },
      ProjectionExpression: 'pk',
      ConsistentRead: true,
    }),
  );
  return out.Item !== undefined;
}
