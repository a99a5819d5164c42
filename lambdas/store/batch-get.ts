import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context';

/** BatchGetItem takes at most this many keys a call. */
const BATCH_GET_MAX = 100;
/** rounds for the keys DynamoDB left unprocessed (it does so under throttling), with backoff */
const UNPROCESSED_ROUNDS = 8;

/**
 * Every item of `keys` that exists, strongly consistent: in calls of 100 keys, each call's
 * unprocessed keys asked again with a growing pause (bounded), as DynamoDB asks callers to.
 */
export async function batchGetAll(
  ctx: StoreContext,
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const TableName = ctx.tableName;
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
    let pending = keys.slice(i, i + BATCH_GET_MAX);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_ROUNDS) throw new Error('BatchGet kept returning unprocessed keys');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1000)));
      const out = await ctx
        .dynamo()
        .send(
          new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }),
        );
      found.push(...(out.Responses?.[TableName] ?? []));
      pending = (out.UnprocessedKeys?.[TableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return found;
}
