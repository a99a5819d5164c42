/** Key views (spec section 8): what the management API shows of a stored key. Pure. */
import type { KeyRecord } from '../records';
import { type KeyStatus, keyStatus } from './status';

/** The stored key's public fields, its status, and its timestamps as null when unset. */
export interface KeyView
  extends Pick<
    KeyRecord,
    'id' | 'workspace_id' | 'type' | 'name' | 'last4' | 'allowed_domains' | 'created_at'
  > {
  status: KeyStatus;
  exposed_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at?: string | null;
}

/** The key as every management response shows it: never the key, never the hash. */
export function keyView(k: KeyRecord, now: Date, lastUsedAt?: string | null): KeyView {
  const v: KeyView = {
    id: k.id,
    workspace_id: k.workspace_id,
    type: k.type,
    name: k.name,
    last4: k.last4,
    allowed_domains: [...k.allowed_domains],
    status: keyStatus(k, now),
    created_at: k.created_at,
    exposed_at: k.exposed_at ?? null,
    expires_at: k.expires_at ?? null,
    revoked_at: k.revoked_at ?? null,
  };
  if (lastUsedAt !== undefined) v.last_used_at = lastUsedAt;
  return v;
}

/** The create / roll answer: the only place the full key appears. */
export function createdKeyView(k: KeyRecord, key: string) {
  return {
    id: k.id,
    workspace_id: k.workspace_id,
    type: k.type,
    name: k.name,
    key,
    last4: k.last4,
    allowed_domains: [...k.allowed_domains],
    status: 'active' as const,
    created_at: k.created_at,
  };
}

/** Keys in the order every answer lists them: oldest first, ties by id. */
export function byCreation(
  a: { created_at: string; id: string },
  b: { created_at: string; id: string },
): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1;
}
