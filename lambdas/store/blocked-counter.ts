/**
 * Counting a request refused with `domain_blocked` (core/usage.ts has the item's layout): ONE
 * unconditional UpdateItem on the key's current hour item, so a refusal costs one write, needs no
 * read or retry, and the allowed path is untouched. Not the quota counter: blocked requests are
 * never counted against the quota (spec section 4).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BlockedInput } from '../app/ports';
import { usageSlot } from '../core/quota';
import { blockedSlot, slotSuffix } from '../core/usage';
import type { StoreContext } from './context';
import { blockedAttr, pk, sk } from './schema';

export async function countBlocked(ctx: StoreContext, input: BlockedInput): Promise<void> {
  const { month, dayHour } = usageSlot(input.now);
  const { slot, fingerprint } = blockedSlot(input.site);
  const ss = slotSuffix(slot);
  await ctx.dynamo().send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: { pk: pk.workspace(input.workspaceId), sk: sk.blockedHour(month, input.keyId, dayHour) },
      UpdateExpression: 'ADD #n :one, #c :one, #f :fp SET #h = if_not_exists(#h, :site)',
      ExpressionAttributeNames: {
        '#n': blockedAttr.total,
        '#c': blockedAttr.count(ss),
        '#f': blockedAttr.sum(ss),
        '#h': blockedAttr.name(ss),
      },
      ExpressionAttributeValues: { ':one': 1, ':fp': fingerprint, ':site': input.site },
    }),
  );
}
