/**
 * GET /v1/avatar (spec sections 1–5): authenticate → validate → serve (the ONE counted write)
 * → where to redirect. The warm hot path for a known profile makes exactly one DynamoDB call:
 * the usage write.
 */
import { locationFor } from '../core/avatar-location';
import { parseAvatarQuery } from '../core/avatar-params';
import { AvtrzError } from '../core/errors';
import type { KeyType } from '../core/keys/format';
import { profileId } from '../core/profile-id';
import { quotaHeaders } from '../core/quota';
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

  const id = profileId(await deps.hmacSecret(), profile);
  const served = await serveAvatar(deps, { id, profile, size, format, auth, now });
  const quota = quotaHeaders({ limit: auth.monthlyQuota, used: served.used }, now);
  if (!served.record) throw new AvtrzError('plan_limit', undefined, undefined, quota);
  const rec = served.record;
  log.debug('avatar', { key_id: auth.keyId, workspace_id: auth.workspaceId, kind: rec.kind });

  if (rec.kind === 'initials' && fallback === '404') {
    throw new AvtrzError('not_found', 'No photo exists for this profile.', undefined, quota);
  }
  return { location: locationFor(deps.config.cdnUrl, rec, size, format), keyType: auth.type, quota };
}
