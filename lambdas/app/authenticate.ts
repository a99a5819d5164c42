/**
 * `authenticate(deps, request, route)`: THE key check for every key-authenticated route (avatar,
 * batch, usage). The logic lives in core/auth.ts; this wires it to the key and workspace stores
 * through the runtime's key cache (AVTRZ_KEY_CACHE_SECONDS, default 30, 0 = off; bounded;
 * negative entries too). The cache entry carries the workspace's monthly_quota, so quota changes
 * apply within the TTL.
 */
import {
  type AuthContext,
  type AuthRoute,
  authenticateWith,
  type KeyPrincipal,
  refuseSecretsInQuery,
} from '../core/auth';
import { isUnavailable } from '../core/errors';
import type { AppDeps } from './ports';

export type { AuthContext, AuthRoute } from '../core/auth';

type AuthDeps = Pick<AppDeps, 'store' | 'keyCache' | 'config' | 'log'>;

/** Key record + workspace quota by key hash, through the cache. */
export async function lookupKey(deps: AuthDeps, hash: string): Promise<KeyPrincipal | undefined> {
  const ttlMs = deps.config.keyCacheSeconds * 1000;
  if (ttlMs > 0) {
    const hit = deps.keyCache.get(hash);
    if (hit !== undefined) return hit ?? undefined;
  }
  const rec = await deps.store.keys.getKeyByHash(hash);
  let principal: KeyPrincipal | null = null;
  if (rec) {
    // consistent: a quota change is in force once this entry expires (what the PATCH answer
    // promises: app/workspaces.ts), not one replication lag later; a miss is once per TTL
    const ws = await deps.store.workspaces.getWorkspace(rec.workspace_id, { consistent: true });
    if (ws) {
      principal = {
        key_id: rec.id,
        workspace_id: rec.workspace_id,
        type: rec.type,
        allowed_domains: rec.allowed_domains ?? [],
        revoked_at: rec.revoked_at,
        expires_at: rec.expires_at,
        monthly_quota: ws.monthly_quota,
        shards: ws.shards,
      };
    }
  }
  deps.keyCache.set(hash, principal, ttlMs);
  return principal ?? undefined;
}

async function flagExposed(deps: Pick<AppDeps, 'store' | 'log'>, hash: string, at: string): Promise<void> {
  try {
    // an unknown key is fine (nothing to flag)
    await deps.store.keys.markExposed(hash, at);
  } catch (e) {
    // an outage must not turn a 401 into a 5xx
    deps.log.warn('could not flag exposed key', { err: e as Error, unavailable: isUnavailable(e) });
  }
}

/**
 * Count a refusal of a known key for where it came from, so "all my images show initials" can be
 * traced to a host in the usage answer. Best effort: a failed count must not change the 403.
 */
async function countBlocked(deps: AuthDeps, p: KeyPrincipal, site: string, now: Date): Promise<void> {
  try {
    await deps.store.usage.countBlocked({ workspaceId: p.workspace_id, keyId: p.key_id, site, now });
  } catch (e) {
    deps.log.warn('could not count a blocked request', { err: e as Error, unavailable: isUnavailable(e) });
  }
}

/**
 * `401 invalid_key` (header-only message) for a secret key anywhere in the query, flagging the
 * real ones; for routes that take no API key (the admin routes, lambdas/http/admin.ts), which
 * still see the URL a caller sent.
 */
export function refuseSecretInQuery(
  deps: Pick<AppDeps, 'store' | 'log'>,
  query: Record<string, string | undefined> | undefined,
  now: Date,
): Promise<void> {
  return refuseSecretsInQuery({ markExposed: (hash, at) => flagExposed(deps, hash, at) }, query ?? {}, now);
}

export interface AuthRequest {
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
}

/**
 * Authenticate a request. Throws AvtrzError: 401 missing_key / invalid_key, 403 forbidden
 * (publishable key off the avatar route), 403 domain_blocked.
 */
export function authenticate(
  deps: AuthDeps,
  request: AuthRequest,
  route: AuthRoute,
  now: Date,
): Promise<AuthContext> {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
  return authenticateWith(
    {
      lookup: (hash) => lookupKey(deps, hash),
      markExposed: (hash, at) => flagExposed(deps, hash, at),
      blocked: (p, site, at) => countBlocked(deps, p, site, at),
    },
    { headers, query: request.queryStringParameters ?? {}, route, now },
  );
}
