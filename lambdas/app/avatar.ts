/**
 * GET /v1/avatar (spec sections 1–5): authenticate → validate → serve (the ONE counted write)
 * → where to redirect. The warm hot path for a known profile makes exactly one DynamoDB call:
 * the usage write.
 */
import type { AuthContext } from '../core/auth';
import { locationFor } from '../core/avatar-location';
import { parseAvatarQuery } from '../core/avatar-params';
import { AvtrzError } from '../core/errors';
import type { KeyType } from '../core/keys/format';
import { profileId } from '../core/profile-id';
import { quotaHeaders } from '../core/quota';
import type { AvatarRecord } from '../core/records';
import type { Format } from '../core/size';
import { type AuthRequest, authenticate } from './authenticate';
import type { AppDeps } from './ports';
import { withQuotaHeaders } from './quota-headers';
import { serveAvatar } from './serve-avatar';

export interface AvatarRedirect {
  location: string;
  /** the key's type decides whether shared caches may keep the redirect */
  keyType: KeyType;
  quota: Record<string, string>;
}

/** `log`: the request's logger (it carries the request id). */
export async function avatarRedirect(
  deps: AppDeps,
  request: AuthRequest,
  log = deps.log,
): Promise<AvatarRedirect> {
  const now = deps.now();
  const auth = await authenticate(deps, request, 'avatar', now);

  const q = request.queryStringParameters ?? {};
  let params: ReturnType<typeof parseAvatarQuery>;
  try {
    params = parseAvatarQuery(q);
  } catch (e) {
    // refused for its parameters: not counted, but still carries x-quota-* (read, not written)
    throw await withQuotaHeaders(deps, e, auth.workspaceId, auth.monthlyQuota, now);
  }
  const { profile, size, format, fallback } = params;

  const { record: rec, location, quota } = await avatarOf(deps, auth, { profile, size, format }, now);
  log.debug('avatar', { key_id: auth.keyId, workspace_id: auth.workspaceId, kind: rec.kind });

  if (rec.kind === 'initials' && fallback === '404') {
    throw new AvtrzError('not_found', 'No photo exists for this profile.', undefined, quota);
  }
  return { location, keyType: auth.type, quota };
}

export interface AvatarOf {
  record: AvatarRecord;
  /** the CDN URL of the object at the requested size and format */
  location: string;
  quota: Record<string, string>;
}

/**
 * One validated profile of an authenticated caller: counted once and served (app/serve-avatar.ts),
 * or `403 plan_limit` (with x-quota-*) for a new lookup at the quota. GET /v1/avatar and the MCP
 * tool `get_avatar` (app/agent.ts) share it.
 */
export async function avatarOf(
  deps: AppDeps,
  auth: AuthContext,
  target: { profile: string; size: number; format: Format },
  now: Date,
): Promise<AvatarOf> {
  const { profile, size, format } = target;
  const id = profileId(await deps.hmacSecret(), profile);
  const served = await serveAvatar(deps, { id, profile, size, format, auth, now });
  const quota = quotaHeaders({ limit: auth.monthlyQuota, used: served.used }, now);
  if (!served.record) throw new AvtrzError('plan_limit', undefined, undefined, quota);
  const record = served.record;
  return { record, location: locationFor(deps.config.cdnUrl, record, size, format), quota };
}
