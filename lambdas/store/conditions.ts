/**
 * A failed DynamoDB condition, recognised the same way everywhere. By name as well as by class:
 * an error built by another copy of the SDK (or another realm, as under jest) is not an
 * `instanceof` this module's class, yet it is the same failure.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

export function isConditionFailure(e: unknown): e is ConditionalCheckFailedException {
  return (
    e instanceof ConditionalCheckFailedException || (e as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** ALL_OLD of a failed condition (undefined: there was no item); rethrows anything else. */
export function conditionFailedItem(e: unknown): Record<string, unknown> | undefined {
  if (!isConditionFailure(e)) throw e;
  return e.Item as Record<string, unknown> | undefined;
}
