/**
 * One avatar request's work after authentication and validation, shared by GET /v1/avatar and
 * each item of POST /v1/avatars/batch: the avatar record (memory, else DynamoDB) → ONE counted
 * write (a new lookup for this workspace is refused at the quota) → the record, through the
 * resolver when needed.
 */
import type { AuthContext } from '../core/auth';
import type { AvatarRecord } from '../core/records';
import type { AppDeps } from './ports';
import { type AvatarTarget, needsResolver, resolveHit, resolveMiss } from './resolve-avatar';

export interface ServeInput extends AvatarTarget {
  auth: AuthContext;
}

/** `record` is absent exactly when the request was not counted (a new lookup at the quota). */
export type Served = { used: number; record: AvatarRecord } | { used: number; record?: undefined };

export async function serveAvatar(
  deps: Pick<AppDeps, 'store' | 'resolver' | 'log' | 'config'>,
  input: ServeInput,
): Promise<Served> {
  const { id, size, format, auth, now } = input;
  const known = await deps.store.avatars.getAvatar(id);
  const count = await deps.store.usage.countRequest({
    workspaceId: auth.workspaceId,
    keyId: auth.keyId,
    now,
    quota: auth.monthlyQuota,
    // a new lookup unless this workspace has looked the profile up: a record another workspace's
    // lookup stored is shared, the quota decision is not (spec section 4)
    enforceQuota: true,
    profileId: id,
  });
  if (!count.counted) return { used: count.used };
  if (!known) return { used: count.used, record: await resolveMiss(deps, input) };
  if (!needsResolver(deps, known, size, format, now)) return { used: count.used, record: known };
  return { used: count.used, record: await resolveHit(deps, known, input) };
}
