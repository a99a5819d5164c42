/**
 * `authenticate(event, {route})`: THE key check for every key-authenticated route (avatar,
 * batch, usage). Logic lives in core/auth.ts; this wires it to the store through an in-memory
 * key cache (AVTRZ_KEY_CACHE_SECONDS, default 30, 0 = off; bounded; negative entries too).
 * The cache entry carries the workspace's monthly_quota, so quota changes apply within the TTL.
 */
import { type AuthContext, type AuthRoute, authenticateWith, type KeyPrincipal } from '../core/auth';
import { TtlCache } from '../core/keycache';
import { isConditionFailure } from '../store/conditions';
import { getKeyByHash, markExposed } from '../store/keys';
import { getWorkspace } from '../store/workspaces';
import { config } from './config';
import { type HttpEvent, isUnavailable } from './http';
import { logger } from './logger';

export type { AuthContext, AuthRoute } from '../core/auth';

const MAX_KEYS = 10_000;
let clock: () => number = Date.now;
let cache = new TtlCache<KeyPrincipal | null>(MAX_KEYS, () => clock());

/** Tests: empty the cache, optionally with an injected clock. */
export function resetKeyCache(now: () => number = Date.now): void {
  clock = now;
  cache = new TtlCache<KeyPrincipal | null>(MAX_KEYS, () => clock());
}

/** Key record + workspace quota by key hash, through the cache. */
export async function lookupKey(hash: string): Promise<KeyPrincipal | undefined> {
  const ttlMs = config().keyCacheSeconds * 1000;
  if (ttlMs > 0) {
    const hit = cache.get(hash);
    if (hit !== undefined) return hit ?? undefined;
  }
  const rec = await getKeyByHash(hash);
  let principal: KeyPrincipal | null = null;
  if (rec) {
    const ws = await getWorkspace(rec.workspace_id);
    if (ws) {
      principal = {
        key_id: rec.id,
        workspace_id: rec.workspace_id,
        type: rec.type,
        allowed_domains: rec.allowed_domains ?? [],
        revoked_at: rec.revoked_at,
        expires_at: rec.expires_at,
        monthly_quota: ws.monthly_quota,
      };
    }
  }
  cache.set(hash, principal, ttlMs);
  return principal ?? undefined;
}

async function flagExposed(hash: string, at: string): Promise<void> {
  try {
    await markExposed(hash, at);
  } catch (e) {
    // an unknown key (condition failed) is fine; an outage must not turn a 401 into a 5xx
    if (!isConditionFailure(e)) {
      logger.warn('could not flag exposed key', { err: e as Error, unavailable: isUnavailable(e) });
    }
  }
}

export interface AuthOptions {
  route: AuthRoute;
  /** injectable clock (expiry checks) */
  now?: Date;
}

/**
 * Authenticate a request. Throws AvtrzError: 401 missing_key / invalid_key, 403 forbidden
 * (publishable key off the avatar route), 403 domain_blocked.
 */
export function authenticate(event: HttpEvent, opts: AuthOptions): Promise<AuthContext> {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v;
  return authenticateWith(
    { lookup: lookupKey, markExposed: flagExposed },
    {
      headers,
      query: event.queryStringParameters ?? {},
      route: opts.route,
      now: opts.now ?? new Date(),
    },
  );
}
