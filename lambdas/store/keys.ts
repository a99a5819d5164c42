import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NewKeyFields, RollResult } from '../app/ports';
import { generateKey, hashKey, last4, newId } from '../core/keys/format';
import { byCreation } from '../core/keys/view';
import type { KeyRecord } from '../core/records';
import { batchGetAll } from './batch-get';
import { isConditionFailure } from './conditions';
import type { StoreContext } from './context';
import { pk, sk, stripKeys } from './schema';

/**
 * A fresh key and the two Puts that store it, for one transaction: the auth item (by hash) and the
 * pointer item (by id), each only if absent. The full key exists only in the returned `key`.
 */
function newKeyItems(ctx: StoreContext, fields: NewKeyFields, createdAt: string) {
  const TableName = ctx.tableName;
  const key = generateKey(fields.type);
  const hash = hashKey(key);
  const record: KeyRecord = {
    id: newId('key'),
    workspace_id: fields.workspace_id,
    type: fields.type,
    name: fields.name,
    last4: last4(key),
    allowed_domains: fields.allowed_domains,
    created_at: createdAt,
  };
  const puts = [
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
  ];
  return { record, key, puts };
}

/**
 * Create a key: the auth item (by hash) and the pointer item (by id) in one transaction.
 * Returns the record and the full key, which exists only in this return value.
 */
export async function createKey(
  ctx: StoreContext,
  input: NewKeyFields,
): Promise<{ record: KeyRecord; key: string }> {
  const { record, key, puts } = newKeyItems(ctx, input, ctx.now().toISOString());
  await ctx.dynamo().send(new TransactWriteCommand({ TransactItems: puts }));
  return { record, key };
}

/** Hot path: the key record by sha256 of the presented key. */
export async function getKeyByHash(ctx: StoreContext, hash: string): Promise<KeyRecord | undefined> {
  const out = await ctx
    .dynamo()
    .send(new GetCommand({ TableName: ctx.tableName, Key: { pk: pk.keyHash(hash), sk: sk.key } }));
  return out.Item ? stripKeys<KeyRecord>(out.Item) : undefined;
}

/** Strongly consistent lookup by id through the pointer item. */
export async function getKeyHash(
  ctx: StoreContext,
  workspaceId: string,
  keyId: string,
): Promise<string | undefined> {
  const out = await ctx.dynamo().send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: { pk: pk.workspace(workspaceId), sk: sk.keyPointer(keyId) },
      ConsistentRead: true,
    }),
  );
  return out.Item?.key_hash as string | undefined;
}

/** A secret key was sent in a query string: flag it (first time only) so the operator rolls it. */
export async function markExposed(ctx: StoreContext, hash: string, at: string): Promise<boolean> {
  try {
    await ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.keyHash(hash), sk: sk.key },
        UpdateExpression: 'SET exposed_at = if_not_exists(exposed_at, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
    return true;
  } catch (e) {
    // an unknown key: nothing to flag
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/*
 * Management operations. A key is found by id through its pointer item (which never changes) and
 * every change is ONE conditional UpdateItem on the auth item (pk=KEY#<hash>), conditioned on
 * the key belonging to the workspace, so concurrent calls cannot race a read against a write.
 */

/** The key's auth item and hash, found through its pointer, strongly consistent (undefined: unknown id or other workspace). */
async function readKey(
  ctx: StoreContext,
  workspaceId: string,
  keyId: string,
): Promise<{ hash: string; record: KeyRecord } | undefined> {
  const hash = await getKeyHash(ctx, workspaceId, keyId);
  if (!hash) return undefined;
  const out = await ctx.dynamo().send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: { pk: pk.keyHash(hash), sk: sk.key },
      ConsistentRead: true,
    }),
  );
  if (!out.Item || out.Item.workspace_id !== workspaceId) return undefined;
  return { hash, record: stripKeys<KeyRecord>(out.Item) };
}

/** Strongly consistent read of one key of a workspace (undefined: unknown id or other workspace). */
export async function getKey(
  ctx: StoreContext,
  workspaceId: string,
  keyId: string,
): Promise<KeyRecord | undefined> {
  return (await readKey(ctx, workspaceId, keyId))?.record;
}

/** Every key of a workspace (pointers, then the auth items), strongly consistent. */
export async function listKeys(ctx: StoreContext, workspaceId: string): Promise<KeyRecord[]> {
  const TableName = ctx.tableName;
  const hashes: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.dynamo().send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk.workspace(workspaceId), ':p': sk.keyPointer('') },
        ProjectionExpression: 'key_hash',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const it of page.Items ?? []) if (typeof it.key_hash === 'string') hashes.push(it.key_hash);
    start = page.LastEvaluatedKey;
  } while (start);

  const records = (
    await batchGetAll(
      ctx,
      hashes.map((h) => ({ pk: pk.keyHash(h), sk: sk.key })),
    )
  )
    .map((it) => stripKeys<KeyRecord>(it))
    .filter((rec) => rec.workspace_id === workspaceId);
  records.sort(byCreation);
  return records;
}

async function updateAuthItem(
  ctx: StoreContext,
  workspaceId: string,
  keyId: string,
  update: {
    expression: string;
    names?: Record<string, string>;
    values: Record<string, unknown>;
    condition?: string;
  },
): Promise<KeyRecord | undefined> {
  const hash = await getKeyHash(ctx, workspaceId, keyId);
  if (!hash) return undefined;
  try {
    const out = await ctx.dynamo().send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: pk.keyHash(hash), sk: sk.key },
        UpdateExpression: update.expression,
        ConditionExpression: ['attribute_exists(pk)', 'workspace_id = :ws', update.condition]
          .filter(Boolean)
          .join(' AND '),
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: { ...update.values, ':ws': workspaceId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes ? stripKeys<KeyRecord>(out.Attributes) : undefined;
  } catch (e) {
    if (isConditionFailure(e)) return undefined;
    throw e;
  }
}

/**
 * Rename and/or replace the allow-list. Undefined: unknown key, or a publishable key asked to
 * empty its allow-list (nothing is written).
 */
export async function updateKey(
  ctx: StoreContext,
  workspaceId: string,
  keyId: string,
  patch: { name?: string; allowed_domains?: string[] },
): Promise<KeyRecord | undefined> {
  const now = ctx.now();
  const sets = ['updated_at = :now'];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':now': now.toISOString() };
  if (patch.name !== undefined) {
    sets.push('#name = :name');
    names['#name'] = 'name';
    values[':name'] = patch.name;
  }
  let condition: string | undefined;
  if (patch.allowed_domains !== undefined) {
    sets.push('allowed_domains = :domains');
    values[':domains'] = patch.allowed_domains;
    if (patch.allowed_domains.length === 0) {
      // a publishable key must keep at least one domain: the write refuses, and the handler
      // then reads the type to answer 400 rather than 404
      condition = '#type <> :pub';
      names['#type'] = 'type';
      values[':pub'] = 'publishable';
    }
  }
  return updateAuthItem(ctx, workspaceId, keyId, {
    expression: `SET ${sets.join(', ')}`,
    names: Object.keys(names).length ? names : undefined,
    values,
    condition,
  });
}

/** Idempotent: the first revocation time sticks. Undefined: unknown key. */
export async function revokeKey(
  ctx: StoreContext,
  workspaceId: string,
  keyId: string,
): Promise<KeyRecord | undefined> {
  const now = ctx.now();
  return updateAuthItem(ctx, workspaceId, keyId, {
    expression: 'SET revoked_at = if_not_exists(revoked_at, :now)',
    values: { ':now': now.toISOString() },
  });
}

/** A transaction cancelled by a concurrent transaction on the same item, not by our condition. */
function onlyConflicted(e: TransactionCanceledException): boolean {
  return (e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');
}

/**
 * Roll: a new key with the same type, name and allow-list, `expires_at` on the old one (overlap 0
 * = revoked now) and `rolled_to` naming the new one. A key is rolled once: one transaction holds
 * the old key's conditional update (still active, never rolled) + the new auth item + its
 * pointer, so of concurrent rolls exactly one creates a key and the others read its successor.
 * No other key is touched.
 */
export async function rollKey(
  ctx: StoreContext,
  workspaceId: string,
  keyId: string,
  overlapSeconds: number,
  now: Date,
): Promise<RollResult> {
  const TableName = ctx.tableName;
  for (let attempt = 0; attempt < 8; attempt++) {
    const found = await readKey(ctx, workspaceId, keyId);
    if (!found) return { ok: false, reason: 'not_found' };
    const { hash, record: old } = found;
    // only a roll sets expires_at, so a key with one and no rolled_to was rolled before rolls recorded it
    if (old.rolled_to || old.expires_at) return { ok: false, reason: 'rolled', successor: old.rolled_to };
    if (old.revoked_at) return { ok: false, reason: 'revoked' };

    const nowIso = now.toISOString();
    const expiresAt = new Date(now.getTime() + overlapSeconds * 1000).toISOString();

    // the new key: same workspace, type, name and allow-list
    const { record, key, puts } = newKeyItems(ctx, old, nowIso);
    const sets = ['expires_at = :exp', 'updated_at = :now', 'rolled_to = :next'];
    if (overlapSeconds === 0) sets.push('revoked_at = :now');
    try {
      await ctx.dynamo().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName,
                Key: { pk: pk.keyHash(hash), sk: sk.key },
                UpdateExpression: `SET ${sets.join(', ')}`,
                ConditionExpression: [
                  'attribute_exists(pk)',
                  'workspace_id = :ws',
                  'attribute_not_exists(revoked_at)',
                  'attribute_not_exists(expires_at)',
                  'attribute_not_exists(rolled_to)',
                ].join(' AND '),
                ExpressionAttributeValues: {
                  ':exp': expiresAt,
                  ':now': nowIso,
                  ':next': record.id,
                  ':ws': workspaceId,
                },
              },
            },
            ...puts,
          ],
        }),
      );
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      // our condition failed (rolled or revoked meanwhile): read again and answer from that; a
      // concurrent transaction on the item: wait a little (jittered) and try again
      if (onlyConflicted(e)) await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * (attempt + 1)));
      continue;
    }
    const previous: KeyRecord = { ...old, expires_at: expiresAt, updated_at: nowIso, rolled_to: record.id };
    if (overlapSeconds === 0) previous.revoked_at = nowIso;
    return { ok: true, previous, record, key };
  }
  throw new Error('roll: the key kept changing concurrently');
}
