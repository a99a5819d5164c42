/**
 * One avatar request's work after authentication and validation, shared by GET /v1/avatar and
 * each item of POST /v1/avatars/batch: the avatar record (memory, else DynamoDB) → ONE counted
 * write (a new lookup is refused at the quota) → the record, through the resolver when needed.
 */

import type { AvatarRecord } from '../core/records';
import type { Format } from '../core/size';
import type { AuthContext } from '../shared/auth';
import { getAvatar } from '../store/avatars';
import { countRequest } from '../store/usage';
import { needsResolver, resolveHit, resolveMiss } from './miss';

export interface ServeInput {
  /** HMAC id of the profile */
  id: string;
  /** normalised `linkedin.com/in/<slug>` */
  profile: string;
  size: number;
  format: Format;
  auth: AuthContext;
  now: Date;
}

/** `record` is absent exactly when the request was not counted (a new lookup at the quota). */
export type Served = { used: number; record: AvatarRecord } | { used: number; record?: undefined };

export async function serveAvatar(input: ServeInput): Promise<Served> {
  const { id, profile, size, format, auth, now } = input;
  const known = await getAvatar(id);
  const count = await countRequest({
    workspaceId: auth.workspaceId,
    keyId: auth.keyId,
    now,
    quota: auth.monthlyQuota,
    enforceQuota: !known,
  });
  if (!count.counted) return { used: count.used };
  if (!known) return { used: count.used, record: await resolveMiss({ id, profile, size, format, now }) };
  if (!needsResolver(known, size, format, now)) return { used: count.used, record: known };
  return { used: count.used, record: await resolveHit(known, { id, profile, size, format, now }) };
}
