/**
 * Key management (spec section 8), for operators: create, list, update, revoke, roll. Every
 * answer is a key view: never the key (except once, on create and roll), never its hash.
 */
import { keyNotFound, publishableNeedsDomain, workspaceNotFound } from '../core/admin-validation';
import { AvtrzError, invalidParam } from '../core/errors';
import { createdKeyView, type KeyView, keyView } from '../core/keys/view';
import { monthOf } from '../core/quota';
import type { AppDeps, NewKeyFields } from './ports';

type KeyDeps = Pick<AppDeps, 'store' | 'now' | 'log'>;

export async function createKeyIn(deps: KeyDeps, input: NewKeyFields) {
  const { workspace_id } = input;
  if (!(await deps.store.workspaces.getWorkspace(workspace_id, { consistent: true })))
    throw workspaceNotFound();
  const { record, key } = await deps.store.keys.createKey(input);
  deps.log.info('key created', { workspace_id, key_id: record.id, type: record.type });
  return createdKeyView(record, key);
}

export async function listKeysOf(deps: KeyDeps, workspaceId: string): Promise<{ keys: KeyView[] }> {
  const now = deps.now();
  const [ws, keys] = await Promise.all([
    deps.store.workspaces.getWorkspace(workspaceId, { consistent: true }),
    deps.store.keys.listKeys(workspaceId),
  ]);
  if (!ws) throw workspaceNotFound();
  const used = await deps.store.usage.lastUsedAt(workspaceId, keys, monthOf(now));
  return { keys: keys.map((k) => keyView(k, now, used.get(k.id) ?? null)) };
}

/** Takes effect on every instance within the key-cache TTL. */
export async function updateKeyOf(
  deps: KeyDeps,
  workspaceId: string,
  keyId: string,
  patch: { name?: string; allowed_domains?: string[] },
): Promise<KeyView> {
  const rec = await deps.store.keys.updateKey(workspaceId, keyId, patch);
  if (!rec) {
    // the write itself refuses to empty a publishable key's list; only then is a read needed to
    // tell that refusal (400) from an unknown key (404). The type never changes, so this cannot race.
    if (
      patch.allowed_domains?.length === 0 &&
      (await deps.store.keys.getKey(workspaceId, keyId))?.type === 'publishable'
    ) {
      throw publishableNeedsDomain();
    }
    throw keyNotFound();
  }
  deps.log.info('key updated', { workspace_id: workspaceId, key_id: keyId, fields: Object.keys(patch) });
  return keyView(rec, deps.now());
}

/** Idempotent: the first revocation time sticks. */
export async function revokeKeyOf(deps: KeyDeps, workspaceId: string, keyId: string): Promise<KeyView> {
  const rec = await deps.store.keys.revokeKey(workspaceId, keyId);
  if (!rec) throw keyNotFound();
  deps.log.info('key revoked', { workspace_id: workspaceId, key_id: keyId, revoked_at: rec.revoked_at });
  return keyView(rec, deps.now());
}

/** A new key (with `key`) and `previous` (the old key with `expires_at`); overlap 0 revokes the old key now. */
export async function rollKeyOf(deps: KeyDeps, workspaceId: string, keyId: string, overlapSeconds: number) {
  const now = deps.now();
  const res = await deps.store.keys.rollKey(workspaceId, keyId, overlapSeconds, now);
  if (!res.ok) {
    if (res.reason === 'not_found') throw keyNotFound();
    if (res.reason === 'rolled') {
      throw new AvtrzError(
        'conflict',
        res.successor
          ? `This key was already rolled; its successor is ${res.successor}. Roll the successor instead.`
          : 'This key was already rolled; roll its successor instead (see the key list).',
      );
    }
    throw invalidParam(
      'id',
      `This key is already ${res.reason} and cannot be rolled; create a new key instead.`,
    );
  }
  deps.log.info('key rolled', {
    workspace_id: workspaceId,
    key_id: keyId,
    new_key_id: res.record.id,
    expires_at: res.previous.expires_at,
  });
  return { ...createdKeyView(res.record, res.key), previous: keyView(res.previous, now) };
}
