/**
 * The quota counter: ONE UpdateItem per counted request on the workspace's usage-month item
 * (schema.ts), updating the workspace total, the key's hourly counter and the key's last use
 * atomically. New lookups carry the quota condition; known profiles are counted unconditionally.
 *
 * Retry safety: each call writes a fresh random token to `last_req` and conditions on it not
 * being there already. If the SDK retries after a lost response, the retry's condition fails, and
 * ALL_OLD shows our own token → the first attempt was applied: success, not double-counted, and
 * (for a new lookup at the quota edge) not a false plan_limit.
 * Bound: detection fails only when another request for the same workspace wrote the item between
 * our lost attempt and its retry; then the retry is applied again (at most one extra count per
 * lost-response retry, and never past the quota for new lookups, whose condition still holds).
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { usageSlot } from '../core/quota';
import { dynamo } from '../shared/clients';
import { config } from '../shared/config';
import { pk, sk, usageAttr } from './schema';

export interface CountInput {
  workspaceId: string;
  keyId: string;
  now: Date;
  /** workspace monthly quota */
  quota: number;
  /** true for a new lookup: refuse at the quota */
  enforceQuota: boolean;
  /** idempotency token; a fresh one per logical request (tests may pass their own) */
  token?: string;
}

export type CountResult = { counted: true; used: number } | { counted: false; used: number };

export async function countRequest(input: CountInput): Promise<CountResult> {
  // `attribute_not_exists(used)` would let the month's first new lookup through a zero quota
  if (input.enforceQuota && input.quota <= 0) return { counted: false, used: 0 };
  const { month, dayHour } = usageSlot(input.now);
  const token = input.token ?? randomUUID();
  const notRetried = '(attribute_not_exists(#lr) OR #lr <> :rid)';
  const cond = input.enforceQuota
    ? `(attribute_not_exists(#used) OR #used < :quota) AND ${notRetried}`
    : notRetried;
  const values: Record<string, unknown> = { ':one': 1, ':now': input.now.toISOString(), ':rid': token };
  if (input.enforceQuota) values[':quota'] = input.quota;
  try {
    const out = await dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: { pk: pk.workspace(input.workspaceId), sk: sk.usageMonth(month) },
        UpdateExpression: 'ADD #used :one, #h :one SET #lu = :now, #lr = :rid',
        ConditionExpression: cond,
        ExpressionAttributeNames: {
          '#used': usageAttr.used,
          '#h': usageAttr.hourly(input.keyId, dayHour),
          '#lu': usageAttr.lastUsed(input.keyId),
          '#lr': 'last_req',
        },
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { counted: true, used: Number(out.Attributes?.used ?? 1) };
  } catch (e) {
    if (
      !(e instanceof ConditionalCheckFailedException) &&
      (e as Error)?.name !== 'ConditionalCheckFailedException'
    )
      throw e;
    const old = (e as ConditionalCheckFailedException).Item as Record<string, unknown> | undefined;
    const used = Number(attr(old?.used) ?? 0);
    // our own earlier attempt was applied (lost response, SDK retry)
    if (attr(old?.last_req) === token) return { counted: true, used };
    return { counted: false, used };
  }
}

/** The workspace's count for the month of `now` (no write): for x-quota-* on uncounted answers. */
export async function readUsed(workspaceId: string, now: Date): Promise<number> {
  const out = await dynamo().send(
    new GetCommand({
      TableName: config().tableName,
      Key: { pk: pk.workspace(workspaceId), sk: sk.usageMonth(usageSlot(now).month) },
      ProjectionExpression: '#used',
      ExpressionAttributeNames: { '#used': usageAttr.used },
    }),
  );
  return Number(out.Item?.used ?? 0);
}

/** The exception's Item is not unmarshalled by the document client: read {N}/{S} or plain values. */
function attr(v: unknown): string | number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const a = v as { N?: string; S?: string };
    return a.N ?? a.S;
  }
  return v as string | number;
}
