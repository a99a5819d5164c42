/**
 * One avatar request's work after authentication and validation, shared by GET /v1/avatar and
 * each item of POST /v1/avatars/batch: the avatar record (memory, else DynamoDB) → ONE counted
 * write (a new lookup for this workspace is refused at the quota) → the record, through the
 * resolver when needed.
 *
 * The counted write is the commit point (./budget.ts, "Charged and not served"): it starts only
 * while what must follow it still fits before the deadline, its attempt may use that whole time
 * (a slow write that is applied is then answered, not cut at the SDK's 2 s and retried into the
 * deadline), and a request that may have been charged but cannot be served logs
 * `counted, not served`.
 */
import type { AuthContext } from '../core/auth';
import { AvtrzError } from '../core/errors';
import type { AvatarRecord } from '../core/records';
import { FALLBACK_RESERVE_MS } from '../core/resolver-contract';
import { COUNT_RESERVE_MS } from './budget';
import type { AppDeps } from './ports';
import { type AvatarTarget, needsResolver, resolveHit, resolveMiss } from './resolve-avatar';

export interface ServeInput extends AvatarTarget {
  auth: AuthContext;
}

/** `record` is absent exactly when the request was not counted (a new lookup at the quota). */
export type Served = { used: number; record: AvatarRecord } | { used: number; record?: undefined };

export async function serveAvatar(
  deps: Pick<AppDeps, 'store' | 'resolver' | 'log' | 'config' | 'deadline'>,
  input: ServeInput,
): Promise<Served> {
  const { id, size, format, auth, now } = input;
  const known = await deps.store.avatars.getAvatar(id);
  // what must still fit after the write: the initials that stand in when the resolver fails
  const after = known && !needsResolver(deps, known, size, format, now) ? 0 : FALLBACK_RESERVE_MS;
  if (deps.deadline.msLeft(after + COUNT_RESERVE_MS) <= 0) {
    throw new AvtrzError('unavailable', 'No time left to serve this request; retry shortly.');
  }
  const attemptMs = deps.deadline.msLeft(after);
  let count: Awaited<ReturnType<AppDeps['store']['usage']['countRequest']>>;
  try {
    count = await deps.store.usage.countRequest({
      workspaceId: auth.workspaceId,
      keyId: auth.keyId,
      now,
      quota: auth.monthlyQuota,
      // a new lookup unless this workspace has looked the profile up: a record another
      // workspace's lookup stored is shared, the quota decision is not (spec section 4)
      enforceQuota: true,
      profileId: id,
      attemptMs: Number.isFinite(attemptMs) ? attemptMs : undefined,
      shards: auth.shards,
    });
  } catch (e) {
    deps.log.warn('counted, not served', { reason: 'counted write unconfirmed', id, err: e as Error });
    throw e;
  }
  if (!count.counted) return { used: count.used };
  try {
    if (!known) return { used: count.used, record: await resolveMiss(deps, input) };
    if (!needsResolver(deps, known, size, format, now)) return { used: count.used, record: known };
    return { used: count.used, record: await resolveHit(deps, known, input) };
  } catch (e) {
    deps.log.warn('counted, not served', { reason: 'no image after the count', id, err: e as Error });
    throw e;
  }
}
